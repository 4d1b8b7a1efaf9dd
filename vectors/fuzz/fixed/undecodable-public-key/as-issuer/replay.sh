#!/bin/sh
# openssl-first-error-5fa4393717: ours {"status":"fail","errors":["20@1"]} / openssl {"status":"fail","errors":["20@0"]}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -untrusted untrusted.pem -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
