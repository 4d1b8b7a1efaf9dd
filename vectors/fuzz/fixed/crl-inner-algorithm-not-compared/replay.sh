#!/bin/sh
# openssl-first-error-2185e2041e: ours {"status":"fail","errors":["8@0"]} / openssl {"status":"fail","errors":["23@0"]}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -CRLfile crls.pem -crl_check_all -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
