#!/bin/sh
# openssl-first-error-a50a583748: ours {"status":"fail","errors":["26@0"]} / openssl {"status":"fail","errors":["66@0"]}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
