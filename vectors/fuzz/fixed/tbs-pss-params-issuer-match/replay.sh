#!/bin/sh
# openssl-first-error-d17665161a: ours {"status":"fail","errors":["20@0"]} / openssl {"status":"fail","errors":["62@0"]}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -attime 1780272000 -auth_level 2 -purpose sslserver -verify_hostname other.example.com leaf.pem
