// Test helpers for the crypto layer: load the fixed keys in vectors/keys with node:crypto
// (JWK export, or PKCS#8 for RSA-PSS which JWK cannot carry) into pgtls's PrivateKey and
// PublicKey types, so these tests do not depend on the x509 key parsers.

import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tag, der, parseDer } from '../../src/der/index.js';
import type { EcCurve, PrivateKey, PublicKey } from '../../src/x509/types.js';

export const KEY_DIR = fileURLToPath(new URL('../../vectors/keys/', import.meta.url));
export const FIXTURE_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function b64u(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

export function b64uBig(s: string): bigint {
  return BigInt(`0x${Buffer.from(s, 'base64url').toString('hex')}`);
}

export interface TestKey {
  name: string;
  node: KeyObject;
  nodePub: KeyObject;
  priv: PrivateKey;
  pub: PublicKey;
}

const CRV: Record<string, EcCurve> = { 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521' };
const cache = new Map<string, TestKey>();

/** A key from vectors/keys/<name>.pem (or test/crypto/fixtures with dir = FIXTURE_DIR), in node's and pgtls's forms. */
export function loadKey(name: string, dir = KEY_DIR): TestKey {
  const hit = cache.get(dir + name);
  if (hit) return hit;
  const node = createPrivateKey(readFileSync(`${dir}${name}.pem`));
  const nodePub = createPublicKey(node);
  let priv: PrivateKey;
  let pub: PublicKey;
  if (node.asymmetricKeyType === 'rsa-pss') {
    // PrivateKeyInfo { version, AlgorithmIdentifier, OCTET STRING { RSAPrivateKey } }
    const pki = parseDer(new Uint8Array(node.export({ format: 'der', type: 'pkcs8' }))).reader();
    pki.next();
    pki.next();
    const rsa = pki.expect(Tag.OCTET_STRING, 'privateKey').inner('RSAPrivateKey').reader();
    const [, n, e, d, p, q, dp, dq, qi] = Array.from({ length: 9 }, () => der.integer(rsa.expect(Tag.INTEGER, 'int')));
    priv = { kind: 'rsa', n, e, d, p, q, dp, dq, qi, pss: {} };
    pub = { kind: 'rsa', n, e, bits: node.asymmetricKeyDetails!.modulusLength!, pss: {} };
  } else {
    const j = node.export({ format: 'jwk' });
    if (j.kty === 'RSA') {
      const n = b64uBig(j.n!);
      const e = b64uBig(j.e!);
      priv = {
        kind: 'rsa',
        n,
        e,
        d: b64uBig(j.d!),
        p: b64uBig(j.p!),
        q: b64uBig(j.q!),
        dp: b64uBig(j.dp!),
        dq: b64uBig(j.dq!),
        qi: b64uBig(j.qi!),
      };
      pub = { kind: 'rsa', n, e, bits: node.asymmetricKeyDetails!.modulusLength! };
    } else if (j.kty === 'EC') {
      const curve = CRV[j.crv!];
      const point = new Uint8Array([4, ...b64u(j.x!), ...b64u(j.y!)]);
      priv = { kind: 'ec', curve, d: b64u(j.d!), publicPoint: point };
      pub = { kind: 'ec', curve, point, bits: { 'P-256': 256, 'P-384': 384, 'P-521': 521 }[curve] };
    } else if (j.kty === 'OKP' && (j.crv === 'Ed25519' || j.crv === 'Ed448')) {
      const kind = j.crv === 'Ed25519' ? 'ed25519' : 'ed448';
      priv = { kind, seed: b64u(j.d!), publicKey: b64u(j.x!) };
      pub = { kind, key: b64u(j.x!), bits: kind === 'ed25519' ? 253 : 456 };
    } else {
      throw new Error(`unsupported test key ${name}`);
    }
  }
  const k = { name, node, nodePub, priv, pub };
  cache.set(dir + name, k);
  return k;
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const flip = (b: Uint8Array, bit: number): Uint8Array => {
  const c = Uint8Array.from(b);
  c[bit >> 3] ^= 0x80 >> (bit & 7);
  return c;
};

// ---------------------------------------------------------------------------------------
// DER builders for RSASSA-PSS keys and signature AlgorithmIdentifiers

import { createPrivateKey as nodePrivate, createPublicKey as nodePublic } from 'node:crypto';
import {
  DER_NULL,
  derBitString,
  derOctetString,
  derOid,
  derSequence,
  derSmallInteger,
  derTlv,
  derUnsignedInteger,
} from '../../src/der/writer.js';
import { OID } from '../../src/der/oids.js';
import { HASH_OID } from '../../src/crypto/hash.js';
import type { AlgorithmIdentifier, PssParams } from '../../src/x509/types.js';

const hashAlg = (h: PssParams['hash']) => derSequence(derOid(HASH_OID[h]), DER_NULL);

/** RSASSA-PSS-params with DEFAULT fields omitted (RFC 4055). */
export function pssParamsDer(p: PssParams): Uint8Array {
  const parts: Uint8Array[] = [];
  if (p.hash !== 'sha1') parts.push(derTlv(0xa0, hashAlg(p.hash)));
  if (p.mgfHash !== 'sha1') parts.push(derTlv(0xa1, derSequence(derOid(OID.mgf1), hashAlg(p.mgfHash))));
  if (p.saltLength !== 20) parts.push(derTlv(0xa2, derSmallInteger(p.saltLength)));
  if (p.trailerField !== 1) parts.push(derTlv(0xa3, derSmallInteger(p.trailerField)));
  return derSequence(...parts);
}

export function algId(oid: string, parameters?: Uint8Array): AlgorithmIdentifier {
  const bytes = parameters ? derSequence(derOid(oid), parameters) : derSequence(derOid(oid));
  return parameters ? { oid, parameters, bytes } : { oid, bytes };
}

/** The rsapss2048-1 key material as an id-RSASSA-PSS key restricted to `p`, for node and for pgtls. */
export function restrictedPssKey(p: PssParams): TestKey {
  const base = loadKey('rsapss2048-1');
  if (base.priv.kind !== 'rsa') throw new Error('unreachable');
  const { n, e, d, p: P, q, dp, dq, qi } = base.priv;
  const alg = derSequence(derOid(OID.rsassaPss), pssParamsDer(p));
  const rsaPriv = derSequence(derSmallInteger(0), ...[n, e, d, P, q, dp, dq, qi].map(derUnsignedInteger));
  const pkcs8 = derSequence(derSmallInteger(0), alg, derOctetString(rsaPriv));
  const spki = derSequence(alg, derBitString(derSequence(derUnsignedInteger(n), derUnsignedInteger(e))));
  const node = nodePrivate({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const nodePub = nodePublic({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  return {
    name: `rsapss2048-1 restricted ${JSON.stringify(p)}`,
    node,
    nodePub,
    priv: { ...base.priv, pss: { restricted: p } },
    pub: { kind: 'rsa', n, e, bits: 2048, pss: { restricted: p } },
  };
}
