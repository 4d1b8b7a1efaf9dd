#!/bin/sh
# openssl-first-error-149c19e9eb: ours {"status":"fail","errors":["64@0"]} / openssl {"status":"fail","errors":["20@0"]}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -attime 1780272000 -auth_level 2 -purpose any -verify_ip 10.1.2.3 leaf.pem
