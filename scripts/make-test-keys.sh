#!/usr/bin/env bash
# Makes the small fixed set of private keys the tests share (vectors/keys/), so no test
# generates RSA keys. Run once; the keys are committed. Uses OpenSSL: test material only.
set -euo pipefail
cd "$(dirname "$0")/../vectors/keys"
gen() { [ -f "$1.pem" ] || openssl genpkey -quiet "${@:2}" -out "$1.pem"; }
for i in 1 2 3 4 5 6; do gen rsa2048-$i -algorithm RSA -pkeyopt rsa_keygen_bits:2048; done
gen rsa1024-1 -algorithm RSA -pkeyopt rsa_keygen_bits:1024
gen rsa3072-1 -algorithm RSA -pkeyopt rsa_keygen_bits:3072
gen rsa4096-1 -algorithm RSA -pkeyopt rsa_keygen_bits:4096
gen rsapss2048-1 -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048
for i in 1 2 3 4 5 6; do gen p256-$i -algorithm EC -pkeyopt ec_paramgen_curve:P-256; done
gen p384-1 -algorithm EC -pkeyopt ec_paramgen_curve:P-384
gen p521-1 -algorithm EC -pkeyopt ec_paramgen_curve:P-521
for i in 1 2 3 4 5 6; do gen ed25519-$i -algorithm ED25519; done
gen ed448-1 -algorithm ED448
ls
