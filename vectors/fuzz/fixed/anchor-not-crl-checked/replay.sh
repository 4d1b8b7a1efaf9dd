#!/bin/sh
# openssl-verdict-we-accept-73477ee402: ours {"status":"ok","errors":[]} / openssl {"status":"fail","errors":["23@0"]}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -CRLfile crls.pem -crl_check_all -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
