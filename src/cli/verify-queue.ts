// The OpenSSL 3.0 error queue `openssl verify` prints after a certificate or CRL signature
// check failed (X509_verify_cert returned 0, so apps/verify.c prints the queue): the
// algorithm's own lines, pushed where its code failed (crypto/rsa/rsa_pk1.c, rsa_ossl.c,
// rsa_sign.c, rsa_pss.c, crypto/ec/ecdsa_ossl.c), then the provider's "RSA lib" (whose line
// in rsa_sig.c says which RSA step failed) and ASN1_item_verify_ctx's "EVP lib". The path
// layer records the first reason and the kind of signature; the lines are data, read off
// the real openssl verify (test/path/verify-queue.test.ts).

import type { VerifyError } from '../path/context.js';
import { X509_V_ERR } from '../path/errors.js';
import { signatureAlgorithmOf } from '../path/signature.js';
import { bytesEqual } from '../der/index.js';
import { errLine } from './verify-files.js';

type Line = [code: string, lib: string, func: string, reason: string, where: string];

const RSA = 'rsa routines';
const EVP_LIB: Line = ['06880006', 'asn1 encoding routines', 'ASN1_item_verify_ctx', 'EVP lib', '../crypto/asn1/a_verify.c:220'];
const rsaLib = (line: number): Line => [
  '1C880004',
  'Provider routines',
  'rsa_verify',
  'RSA lib',
  `../providers/implementations/signature/rsa_sig.c:${line}`,
];
/** rsa_verify's RSA lib line: after RSA_verify (PKCS#1 v1.5), after RSA_public_decrypt or after the PSS check (PSS) */
const PKCS1_LIB = rsaLib(769);
const PSS_DECRYPT_LIB = rsaLib(802);
const PSS_CHECK_LIB = rsaLib(810);

const decrypt: Record<string, Line[]> = {
  'data too large for modulus': [
    ['02000084', RSA, 'rsa_ossl_public_decrypt', 'data too large for modulus', '../crypto/rsa/rsa_ossl.c:554'],
  ],
  'data greater than mod len': [['0200006C', RSA, 'rsa_ossl_public_decrypt', 'data greater than mod len', '../crypto/rsa/rsa_ossl.c:546']],
};
const paddingFailed: Line = ['02000072', RSA, 'rsa_ossl_public_decrypt', 'padding check failed', '../crypto/rsa/rsa_ossl.c:590'];
const pss = (code: string, reason: string, line: number): Line[] => [
  [code, RSA, 'RSA_verify_PKCS1_PSS_mgf1', reason, `../crypto/rsa/rsa_pss.c:${line}`],
  PSS_CHECK_LIB,
];

/** ossl_rsa_pss_to_ctx failed: ASN1_item_verify_ctx gives up with an internal error, no EVP lib */
const pssSetup = (first: Line[]): Line[] => [
  ...first,
  ['02000095', RSA, 'ossl_rsa_pss_to_ctx', 'invalid pss parameters', '../crypto/rsa/rsa_ameth.c:540'],
  ['068C0103', 'asn1 encoding routines', 'ASN1_item_verify_ctx', 'internal error', '../crypto/asn1/a_verify.c:173'],
];

/** whole queues, whatever the kind */
const WHOLE: Record<string, Line[]> = {
  // ASN1_item_verify_ctx refuses a signature BIT STRING with unused bits before any algorithm runs
  'invalid bit string bits left': [
    ['068000DC', 'asn1 encoding routines', 'ASN1_item_verify_ctx', 'invalid bit string bits left', '../crypto/asn1/a_verify.c:131'],
  ],
  'invalid pss parameters': pssSetup([]),
  'invalid trailer': pssSetup([['0200008B', RSA, 'rsa_pss_verify_param', 'invalid trailer', '../crypto/rsa/rsa_ameth.c:586']]),
  'unknown digest': pssSetup([
    ['068000E5', 'asn1 encoding routines', 'ossl_x509_algor_get_md', 'unknown digest', '../crypto/asn1/x_algor.c:152'],
  ]),
};

/** the lines before EVP lib, by signature kind and first reason */
const QUEUES: Partial<Record<NonNullable<VerifyError['signatureKind']>, Record<string, Line[]>>> = {
  'rsa-pkcs1': {
    'invalid padding': [
      ['0200008A', RSA, 'RSA_padding_check_PKCS1_type_1', 'invalid padding', '../crypto/rsa/rsa_pk1.c:75'],
      paddingFailed,
      PKCS1_LIB,
    ],
    'block type is not 01': [
      ['0200006A', RSA, 'RSA_padding_check_PKCS1_type_1', 'block type is not 01', '../crypto/rsa/rsa_pk1.c:82'],
      paddingFailed,
      PKCS1_LIB,
    ],
    'data too large for modulus': [...decrypt['data too large for modulus'], PKCS1_LIB],
    'data greater than mod len': [...decrypt['data greater than mod len'], PKCS1_LIB],
    'wrong signature length': [['02000077', RSA, 'ossl_rsa_verify', 'wrong signature length', '../crypto/rsa/rsa_sign.c:339'], PKCS1_LIB],
    'bad signature': [['02000068', RSA, 'ossl_rsa_verify', 'bad signature', '../crypto/rsa/rsa_sign.c:429'], PKCS1_LIB],
  },
  'rsa-pss': {
    'data too large for modulus': [...decrypt['data too large for modulus'], PSS_DECRYPT_LIB],
    'data greater than mod len': [...decrypt['data greater than mod len'], PSS_DECRYPT_LIB],
    'first octet invalid': pss('02000085', 'first octet invalid', 76),
    'data too large': pss('0200006D', 'data too large', 90),
    'last octet invalid': pss('02000086', 'last octet invalid', 94),
    'salt length recovery failed': pss('02000087', 'salt length recovery failed', 113),
    'salt length check failed': pss('02000088', 'salt length check failed', 117),
    'bad signature': pss('02000068', 'bad signature', 133),
  },
  ecdsa: {
    'bad signature': [
      ['0800009C', 'elliptic curve routines', 'ossl_ecdsa_simple_verify_sig', 'bad signature', '../crypto/ec/ecdsa_ossl.c:430'],
    ],
  },
};

/**
 * The queue after a failed signature check, as openssl verify prints it. With a
 * distinguishing ID set on the leaf (-vfyopt distid:), the leaf's check under a key that is
 * not SM2 stops in EVP_DigestVerifyInit, a few lines earlier in ASN1_item_verify_ctx, before
 * any algorithm runs.
 */
export function signatureQueue(e: VerifyError, leafWithDistid = false): string[] {
  if (leafWithDistid && !(e.cert && signatureAlgorithmOf(e.cert).kind === 'sm2'))
    return [errLine('06880006', 'asn1 encoding routines', 'ASN1_item_verify_ctx', 'EVP lib', '../crypto/asn1/a_verify.c:197')];
  const reason = e.opensslReason;
  // X509_verify compares the certificate's two signature algorithm fields first and fails
  // without pushing anything when they differ
  const x = e.cert;
  if (
    !reason &&
    e.code === X509_V_ERR.CERT_SIGNATURE_FAILURE &&
    x &&
    !bytesEqual(x.signatureAlgorithm.bytes, x.tbsSignatureAlgorithm.bytes)
  )
    return [];
  const lines = (reason && Object.hasOwn(WHOLE, reason) && WHOLE[reason]) || [
    ...((reason && e.signatureKind && QUEUES[e.signatureKind]?.[reason]) || []),
    EVP_LIB,
  ];
  // the one line OpenSSL attaches data to: ERR_raise_data(..., "expected: %d retrieved: %d")
  const data = (l: Line) =>
    e.pssSalt && l[3] === 'salt length check failed' ? `expected: ${e.pssSalt.expected} retrieved: ${e.pssSalt.retrieved}` : '';
  return lines.map((l) => errLine(...l, data(l)));
}
