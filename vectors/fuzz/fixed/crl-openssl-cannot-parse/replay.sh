#!/bin/sh
# node-tls-load-we-accept-d6bb641ba2: ours {"status":"fail","errors":["20@0"]} / node-tls {"status":"load","errors":[],"note":"client: Failed to parse CRL"}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -CRLfile crls.pem -crl_check_all -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
