#!/bin/sh
# openssl-later-errors-f2dad7798c: ours {"status":"fail","errors":["26@0","7@1"]} / openssl {"status":"fail","errors":["26@0"]}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -untrusted untrusted.pem -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
