#!/bin/sh
# openssl-load-we-accept-046808ee63: ours {"status":"fail","errors":["20@0"]} / openssl {"status":"load","errors":[],"note":"5 | Error loading file /tmp/pgtls-fuzz-qBcniU/5-ca.pem"}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
