#!/bin/sh
# node-tls-last-error-9c759f36b7: ours {"status":"fail","errors":["26@0"]} / node-tls {"status":"fail","errors":["21@-1"],"note":"unable to verify the first certificate"}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -attime 1780272000 -auth_level 2 -purpose sslserver leaf.pem
