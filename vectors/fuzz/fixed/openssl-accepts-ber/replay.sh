#!/bin/sh
# openssl-load-we-reject-cdf29c0ec5: ours {"status":"load","errors":[],"note":"trusted[0]: tag number 4 must use the short form at byte 271 (tbsCertificate.extensions[1].extnValue)"} / openssl {"status":"fail","errors":["20@0"]}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
