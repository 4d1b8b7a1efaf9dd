// Private key files as OpenSSL writes them: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE
// KEY`) and SEC1 (`EC PRIVATE KEY`), the EC public point derived when the key lacks it.

import { OID, pemEncode } from '../der/index.js';
import { publicKeyFromPrivate } from '../x509/keys.js';
import type { EcCurve, PrivateKey, PssParams, PublicKey } from '../x509/types.js';
import { pssParams } from './algorithms.js';
import { type Node, bits, ctxCons, der, int, nul, octets, oid, seq } from './asn1.js';
import { FactoryError } from './errors.js';

const CURVE_OID: Record<EcCurve, string> = { 'P-256': OID.prime256v1, 'P-384': OID.secp384r1, 'P-521': OID.secp521r1 };
const CURVE_BYTES: Record<EcCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

const bigNode = (v: bigint): Node => int(v);

function rsaKeyAlgorithm(pss?: { restricted?: PssParams }): Node {
  if (!pss) return seq(oid(OID.rsaEncryption), nul());
  return pss.restricted ? seq(oid(OID.rsassaPss), pssParams(pss.restricted)) : seq(oid(OID.rsassaPss));
}

/** PKCS#1 RSAPrivateKey (two-prime). */
export function encodeRsaPrivateKey(k: Extract<PrivateKey, { kind: 'rsa' }>): Uint8Array {
  return der(seq(int(0), ...[k.n, k.e, k.d, k.p, k.q, k.dp, k.dq, k.qi].map(bigNode)));
}

function fixedD(k: Extract<PrivateKey, { kind: 'ec' }>): Uint8Array {
  const n = CURVE_BYTES[k.curve];
  if (k.d.length === n) return k.d;
  const out = new Uint8Array(n);
  out.set(k.d.subarray(Math.max(0, k.d.length - n)), Math.max(0, n - k.d.length));
  return out;
}

/** SEC1 ECPrivateKey; `withCurve` adds [0] parameters (the standalone "EC PRIVATE KEY" form does, PKCS#8's inner one does not). */
export function encodeEcPrivateKey(k: Extract<PrivateKey, { kind: 'ec' }>, withCurve = true): Uint8Array {
  const parts: Node[] = [int(1), octets(fixedD(k))];
  if (withCurve) parts.push(ctxCons(0, oid(CURVE_OID[k.curve])));
  // OpenSSL always writes the public key; derive it when the key does not carry it
  const point = k.publicPoint ?? (publicKeyFromPrivate(k) as Extract<PublicKey, { kind: 'ec' }>).point;
  parts.push(ctxCons(1, bits(point)));
  return der(seq(...parts));
}

/** PKCS#8 PrivateKeyInfo (unencrypted), as `openssl genpkey`/`req -nodes` write it. */
export function encodePkcs8(k: PrivateKey): Uint8Array {
  switch (k.kind) {
    case 'rsa':
      return der(seq(int(0), rsaKeyAlgorithm(k.pss), octets(encodeRsaPrivateKey(k))));
    case 'ec':
      return der(seq(int(0), seq(oid(OID.ecPublicKey), oid(CURVE_OID[k.curve])), octets(encodeEcPrivateKey(k, false))));
    case 'ed25519':
    case 'ed448':
      return der(seq(int(0), seq(oid(k.kind === 'ed25519' ? OID.ed25519 : OID.ed448)), octets(der(octets(k.seed)))));
  }
}

export type PrivateKeyFormat = 'pkcs8' | 'pkcs1' | 'sec1';

/** PEM with OpenSSL's labels: PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY. */
export function privateKeyPem(k: PrivateKey, format: PrivateKeyFormat = 'pkcs8'): string {
  if (format === 'pkcs8') return pemEncode('PRIVATE KEY', encodePkcs8(k));
  if (format === 'pkcs1') {
    if (k.kind !== 'rsa') throw new FactoryError(`PKCS#1 holds RSA keys only, not ${k.kind}`);
    return pemEncode('RSA PRIVATE KEY', encodeRsaPrivateKey(k));
  }
  if (k.kind !== 'ec') throw new FactoryError(`SEC1 holds EC keys only, not ${k.kind}`);
  return pemEncode('EC PRIVATE KEY', encodeEcPrivateKey(k, true));
}
