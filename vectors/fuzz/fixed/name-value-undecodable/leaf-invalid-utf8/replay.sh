#!/bin/sh
# openssl-load-we-accept-af73e611b7: ours {"status":"fail","errors":["20@0"]} / openssl {"status":"load","errors":[],"note":"9 | Could not read certificate file from /tmp/pgtls-fuzz-rotGDP/9-leaf.pem"}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
