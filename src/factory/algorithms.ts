// Signature algorithm identifiers the factory writes into certificates and CRLs: the named
// algorithms under their OpenSSL spellings, RSASSA-PSS parameters (defaults omitted, as DER
// requires, or forced explicit), any OID with any parameters, and OpenSSL 3.0's default
// algorithm for a key.

import { hashLength } from '../crypto/index.js';
import { OID, oidLongName, oidShortName } from '../der/index.js';
import { HASH_OID } from '../x509/algorithms.js';
import type { HashName, PrivateKey, PssParams, SignatureAlgorithm } from '../x509/types.js';
import { type Node, ctxCons, der, int, nul, oid, raw, seq } from './asn1.js';
import { FactoryError } from './errors.js';

/** Named signature algorithms: OID, whether parameters are NULL or absent, and the model. */
const NAMED_SIG: Record<string, { oid: string; params: 'null' | 'absent'; alg: SignatureAlgorithm }> = {};
for (const [hash, name] of [
  ['md5', 'md5WithRSAEncryption'],
  ['sha1', 'sha1WithRSAEncryption'],
  ['sha224', 'sha224WithRSAEncryption'],
  ['sha256', 'sha256WithRSAEncryption'],
  ['sha384', 'sha384WithRSAEncryption'],
  ['sha512', 'sha512WithRSAEncryption'],
] as const) {
  const o = OID[name];
  NAMED_SIG[name] = { oid: o, params: 'null', alg: { kind: 'rsa-pkcs1', oid: o, hash } };
}
for (const [hash, name] of [
  ['sha1', 'ecdsaWithSHA1'],
  ['sha224', 'ecdsaWithSHA224'],
  ['sha256', 'ecdsaWithSHA256'],
  ['sha384', 'ecdsaWithSHA384'],
  ['sha512', 'ecdsaWithSHA512'],
] as const) {
  const o = OID[name];
  NAMED_SIG[name] = { oid: o, params: 'absent', alg: { kind: 'ecdsa', oid: o, hash } };
}
NAMED_SIG.ed25519 = { oid: OID.ed25519, params: 'absent', alg: { kind: 'ed25519', oid: OID.ed25519 } };
NAMED_SIG.ed448 = { oid: OID.ed448, params: 'absent', alg: { kind: 'ed448', oid: OID.ed448 } };
// OpenSSL's spellings too (ecdsa-with-SHA256, RSA-SHA256, ED25519)
for (const k of Object.keys(NAMED_SIG)) {
  const o = NAMED_SIG[k].oid;
  NAMED_SIG[oidShortName(o)] ??= NAMED_SIG[k];
  NAMED_SIG[oidLongName(o)] ??= NAMED_SIG[k];
}

export type PssSpec = { hash?: HashName; mgfHash?: HashName; saltLength?: number; trailerField?: number };

/**
 * A signature algorithm to put in a certificate or CRL: a name (`sha256WithRSAEncryption`,
 * `ecdsa-with-SHA384`, `ed25519`...), RSASSA-PSS with its parameters, or any OID with any
 * parameters (then the signer needs `sign` to say how to really sign, or nothing signs).
 */
export type SigAlgSpec =
  | string
  | { pss: PssSpec /** force an explicit encoding of defaulted fields */; explicitDefaults?: boolean; hashParams?: 'null' | 'absent' }
  | { oid: string; params?: 'null' | 'absent' | Uint8Array; sign?: SignatureAlgorithm };

export interface EncodedAlgorithm {
  der: Uint8Array;
  /** how to sign for this identifier; `unknown` when the identifier says nothing signable */
  alg: SignatureAlgorithm;
}

export function hashAlgorithmId(hash: HashName, params: 'null' | 'absent' = 'null'): Node {
  return params === 'null' ? seq(oid(HASH_OID[hash]), nul()) : seq(oid(HASH_OID[hash]));
}

/** RSASSA-PSS-params (RFC 4055): fields equal to their DEFAULT are omitted, as DER requires. */
export function pssParams(p: PssSpec, explicitDefaults = false, hashParams: 'null' | 'absent' = 'null'): Node {
  const hash = p.hash ?? 'sha1';
  const mgfHash = p.mgfHash ?? hash;
  const salt = p.saltLength ?? hashLength(hash);
  const trailer = p.trailerField ?? 1;
  const parts: Node[] = [];
  if (explicitDefaults || hash !== 'sha1') parts.push(ctxCons(0, hashAlgorithmId(hash, hashParams)));
  if (explicitDefaults || mgfHash !== 'sha1') parts.push(ctxCons(1, seq(oid(OID.mgf1), hashAlgorithmId(mgfHash, hashParams))));
  if (explicitDefaults || salt !== 20) parts.push(ctxCons(2, int(salt)));
  if (explicitDefaults || trailer !== 1) parts.push(ctxCons(3, int(trailer)));
  return seq(...parts);
}

export function signatureAlgorithm(spec: SigAlgSpec): EncodedAlgorithm {
  if (typeof spec === 'string') {
    const n = NAMED_SIG[spec] ?? NAMED_SIG[spec.toLowerCase()];
    if (!n) throw new FactoryError(`unknown signature algorithm name '${spec}'`);
    return { der: der(n.params === 'null' ? seq(oid(n.oid), nul()) : seq(oid(n.oid))), alg: n.alg };
  }
  if ('pss' in spec) {
    const hash = spec.pss.hash ?? 'sha256';
    const full: PssParams = {
      hash,
      mgfHash: spec.pss.mgfHash ?? hash,
      saltLength: spec.pss.saltLength ?? hashLength(hash),
      trailerField: spec.pss.trailerField ?? 1,
    };
    return {
      der: der(seq(oid(OID.rsassaPss), pssParams(full, spec.explicitDefaults, spec.hashParams))),
      alg: { kind: 'rsa-pss', oid: OID.rsassaPss, pss: full },
    };
  }
  const p = spec.params ?? 'absent';
  const parts: Node[] = [oid(spec.oid)];
  if (p === 'null') parts.push(nul());
  else if (p instanceof Uint8Array) parts.push(raw(p));
  const known = Object.values(NAMED_SIG).find((n) => n.oid === spec.oid)?.alg;
  return { der: der(seq(...parts)), alg: spec.sign ?? known ?? { kind: 'unknown', oid: spec.oid, reason: 'chosen by spec' } };
}

/** The algorithm OpenSSL 3.0 picks by default for a key (SHA-256 digest for RSA and EC). */
export function defaultSigAlg(key: PrivateKey): SigAlgSpec {
  switch (key.kind) {
    case 'rsa':
      if (key.pss) {
        const r = key.pss.restricted;
        return { pss: r ? { ...r } : { hash: 'sha256', mgfHash: 'sha256', saltLength: 32 } };
      }
      return 'sha256WithRSAEncryption';
    case 'ec':
      return 'ecdsaWithSHA256';
    case 'ed25519':
      return 'ed25519';
    case 'ed448':
      return 'ed448';
  }
}
