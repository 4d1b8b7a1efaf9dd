#!/bin/sh
# openssl-load-we-reject-a6b4114f66: ours {"status":"load","errors":[],"note":"leaf: 1 bytes after the element at byte 403"} / openssl {"status":"fail","errors":["62@0"]}
cd "$(dirname "$0")" && openssl verify -no-CApath -no-CAstore -CAfile trusted.pem -attime 1780272000 -auth_level 2 -purpose sslserver -verify_hostname other.example.com leaf.pem
