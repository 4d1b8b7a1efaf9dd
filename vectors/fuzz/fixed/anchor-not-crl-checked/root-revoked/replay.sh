#!/bin/sh
# openssl-later-errors-ca4dfd32cb: ours {"status":"fail","errors":["79@1","26@1"]} / openssl {"status":"fail","errors":["79@1","26@1","23@1"]}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -CRLfile crls.pem -crl_check_all -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
