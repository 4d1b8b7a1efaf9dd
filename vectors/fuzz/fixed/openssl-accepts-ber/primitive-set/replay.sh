#!/bin/sh
# openssl-load-we-reject-0dfb07be3a: ours {"status":"load","errors":[],"note":"trusted[0]: expected [0] (tag 0x31), found tag 0x11 at byte 21 (tbsCertificate.issuer[0])"} / openssl {"status":"fail","errors":["79@1","26@1","32@1"]}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
