// A signature Verifier backed by node:crypto: an independent cross-check of src/crypto that a
// caller asks for by name (`npm run limbo -- --node-crypto`). Nothing uses it by default:
// every verdict of pgtls verify, the fuzzer and the conformance runners is src/crypto's.
// Keys are rebuilt from the parsed PublicKey as JWK (or their SubjectPublicKeyInfo).

import { createPublicKey, verify as nodeVerify, constants, type KeyObject } from 'node:crypto';
import type { HashName, PublicKey, SignatureAlgorithm } from '../x509/types.js';
import type { Verifier, VerifyResult } from './signature.js';

function derTlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const head: number[] = [tag];
  if (len < 0x80) head.push(len);
  else {
    const b: number[] = [];
    for (let l = len; l > 0; l = Math.floor(l / 256)) b.unshift(l & 0xff);
    head.push(0x80 | b.length, ...b);
  }
  return Uint8Array.from(Buffer.concat([Buffer.from(head), ...parts.map((p) => Buffer.from(p))]));
}

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');

function bigToBytes(v: bigint): Uint8Array {
  let h = v.toString(16);
  if (h.length % 2) h = `0${h}`;
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

const CRV: Record<string, [string, number]> = { 'P-256': ['P-256', 32], 'P-384': ['P-384', 48], 'P-521': ['P-521', 66] };
const NODE_HASH: Record<HashName, string> = {
  md2: 'md2',
  md5: 'md5',
  sha1: 'sha1',
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  'sha512-224': 'sha512-224',
  'sha512-256': 'sha512-256',
  'sha3-224': 'sha3-224',
  'sha3-256': 'sha3-256',
  'sha3-384': 'sha3-384',
  'sha3-512': 'sha3-512',
};

const keyCache = new WeakMap<PublicKey, KeyObject | null>();

function toKeyObject(k: PublicKey): KeyObject | null {
  if (keyCache.has(k)) return keyCache.get(k)!;
  let out: KeyObject | null = null;
  try {
    if (k.kind === 'rsa') out = createPublicKey({ key: { kty: 'RSA', n: b64u(bigToBytes(k.n)), e: b64u(bigToBytes(k.e)) }, format: 'jwk' });
    else if (k.kind === 'ec') {
      const [crv, len] = CRV[k.curve];
      if (k.point[0] === 4 && k.point.length === 1 + 2 * len) {
        out = createPublicKey({
          key: { kty: 'EC', crv, x: b64u(k.point.subarray(1, 1 + len)), y: b64u(k.point.subarray(1 + len)) },
          format: 'jwk',
        });
      }
    } else if (k.kind === 'unknown') {
      // rebuild the SubjectPublicKeyInfo: SEQUENCE { algorithm, BIT STRING { 00 key } }
      const bitstr = derTlv(0x03, Uint8Array.of(0), k.key);
      out = createPublicKey({ key: Buffer.from(derTlv(0x30, k.algorithm.bytes, bitstr)), format: 'der', type: 'spki' });
    } else if (k.kind === 'ed25519' || k.kind === 'ed448') {
      out = createPublicKey({ key: { kty: 'OKP', crv: k.kind === 'ed25519' ? 'Ed25519' : 'Ed448', x: b64u(k.key) }, format: 'jwk' });
    }
  } catch {
    out = null;
  }
  keyCache.set(k, out);
  return out;
}

const fail = (message: string): VerifyResult => ({ ok: false, reason: 'bad-signature', message });

export const nodeVerifier: Verifier = (
  alg: SignatureAlgorithm,
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
): VerifyResult => {
  const ko = toKeyObject(key);
  if (!ko) return fail('public key not usable');
  try {
    let ok = false;
    switch (alg.kind) {
      case 'rsa-pkcs1':
        if (key.kind !== 'rsa' || key.pss) return fail('key type does not match the signature algorithm');
        ok = nodeVerify(NODE_HASH[alg.hash], message, { key: ko, padding: constants.RSA_PKCS1_PADDING }, signature);
        break;
      case 'rsa-pss':
        if (key.kind !== 'rsa') return fail('key type does not match the signature algorithm');
        if (alg.pss.mgfHash !== alg.pss.hash) return fail('MGF1 hash differs from the message hash');
        ok = nodeVerify(
          NODE_HASH[alg.pss.hash],
          message,
          { key: ko, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.pss.saltLength },
          signature,
        );
        break;
      case 'ecdsa':
        if (key.kind !== 'ec') return fail('key type does not match the signature algorithm');
        ok = nodeVerify(NODE_HASH[alg.hash], message, { key: ko, dsaEncoding: 'der' }, signature);
        break;
      case 'ed25519':
      case 'ed448':
        if (key.kind !== alg.kind) return fail('key type does not match the signature algorithm');
        ok = nodeVerify(null, message, ko, signature);
        break;
      case 'dsa':
        ok = nodeVerify(NODE_HASH[alg.hash], message, { key: ko, dsaEncoding: 'der' }, signature);
        break;
      default:
        return fail(`unsupported signature algorithm ${alg.oid}`);
    }
    return ok ? { ok: true } : fail('signature does not verify');
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
};
