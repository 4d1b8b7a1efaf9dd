#!/bin/sh
# openssl-first-error-232272f191: ours {"status":"fail","errors":["3@0"]} / openssl {"status":"fail","errors":["10@0"]}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -CRLfile crls.pem -crl_check_all -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
