#!/bin/sh
# openssl-load-we-accept-4e1ffe83c7: ours {"status":"fail","errors":["2@1"]} / openssl {"status":"load","errors":[],"note":"Could not read any other CRLs from 4-crl.pem | STORE routines:ossl_store_handle_load_result:unsupported"}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -CRLfile crls.pem -crl_check_all -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
