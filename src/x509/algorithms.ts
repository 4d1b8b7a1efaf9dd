// AlgorithmIdentifier parsing and the meaning of signature algorithm identifiers: which
// scheme and hash a certificate or CRL signature uses, including every RSASSA-PSS parameter
// form (RFC 4055 defaults: SHA-1, MGF1 with SHA-1, salt 20, trailer 1). The PSS parameter
// parser is shared with keys.ts, where the same structure restricts id-RSASSA-PSS keys.

import { DerError, OID, Tag, der, parseDer, type Tlv } from '../der/index.js';
import { algorithmReencoded } from './ber.js';
import type { AlgorithmIdentifier, HashName, PssParams, SignatureAlgorithm } from './types.js';

// Plain local copies: imported namespaces cost a getter call per access under the TS
// loaders (tsx, vitest), and these are used on the certificate-parsing hot path.
const D = { ...der };
const T = { ...Tag };
export function parseAlgorithmIdentifier(t: Tlv): AlgorithmIdentifier {
  t.expect(T.SEQUENCE, 'AlgorithmIdentifier');
  const r = t.reader();
  const oidT = r.expect(T.OID, 'algorithm');
  const oid = D.oid(oidT);
  const paramsT = r.done() ? undefined : r.next('parameters');
  r.end();
  if (t.ber) {
    // read from BER: compared and re-emitted in X509_ALGOR's own encoding, as OpenSSL does
    const re = algorithmReencoded(oidT, paramsT);
    return re.parameters ? { oid, parameters: re.parameters, bytes: re.bytes } : { oid, bytes: re.bytes };
  }
  const parameters = paramsT?.bytes();
  return parameters ? { oid, parameters, bytes: t.bytes() } : { oid, bytes: t.bytes() };
}

/** Hash algorithm OIDs (DigestInfo, RSASSA-PSS parameters, MGF1): the one table of them. */
export const HASH_OID: Record<HashName, string> = {
  md2: OID.md2,
  md5: OID.md5,
  sha1: OID.sha1,
  sha224: OID.sha224,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
  'sha512-224': OID.sha512_224,
  'sha512-256': OID.sha512_256,
  'sha3-224': OID.sha3_224,
  'sha3-256': OID.sha3_256,
  'sha3-384': OID.sha3_384,
  'sha3-512': OID.sha3_512,
};

export const HASH_BY_OID: Record<string, HashName> = Object.fromEntries(
  Object.entries(HASH_OID).map(([name, oid]) => [oid, name as HashName]),
);

/** Fixed-hash signature schemes, by OID. PSS and EdDSA are handled separately. */
const SIMPLE: Record<string, { kind: 'rsa-pkcs1' | 'ecdsa' | 'dsa'; hash: HashName }> = {
  [OID.md2WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'md2' },
  [OID.md5WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'md5' },
  [OID.sha1WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'sha1' },
  [OID.sha224WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'sha224' },
  [OID.sha256WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'sha256' },
  [OID.sha384WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'sha384' },
  [OID.sha512WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'sha512' },
  [OID.sha512_224WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'sha512-224' },
  [OID.sha512_256WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'sha512-256' },
  // OpenSSL 3.0 verifies RSA with SHA-3 (and PSS over SHA-3); ECDSA with SHA-3 it cannot tie
  // to a key type, so those OIDs stay unknown here too (openssl verify: error 20)
  [OID.rsaWithSHA3_224]: { kind: 'rsa-pkcs1', hash: 'sha3-224' },
  [OID.rsaWithSHA3_256]: { kind: 'rsa-pkcs1', hash: 'sha3-256' },
  [OID.rsaWithSHA3_384]: { kind: 'rsa-pkcs1', hash: 'sha3-384' },
  [OID.rsaWithSHA3_512]: { kind: 'rsa-pkcs1', hash: 'sha3-512' },
  [OID.ecdsaWithSHA1]: { kind: 'ecdsa', hash: 'sha1' },
  [OID.ecdsaWithSHA224]: { kind: 'ecdsa', hash: 'sha224' },
  [OID.ecdsaWithSHA256]: { kind: 'ecdsa', hash: 'sha256' },
  [OID.ecdsaWithSHA384]: { kind: 'ecdsa', hash: 'sha384' },
  [OID.ecdsaWithSHA512]: { kind: 'ecdsa', hash: 'sha512' },
  [OID.dsaWithSHA1]: { kind: 'dsa', hash: 'sha1' },
  [OID.dsaWithSHA224]: { kind: 'dsa', hash: 'sha224' },
  [OID.dsaWithSHA256]: { kind: 'dsa', hash: 'sha256' },
};

/** RFC 4055 defaults, used when RSASSA-PSS-params fields are absent. */
export const PSS_DEFAULTS: Readonly<PssParams> = Object.freeze({ hash: 'sha1', mgfHash: 'sha1', saltLength: 20, trailerField: 1 });

/** A hash AlgorithmIdentifier: parameters absent or NULL (both occur in the wild and OpenSSL takes both). */
function hashAlgorithm(t: Tlv): HashName {
  const alg = parseAlgorithmIdentifier(t);
  const h = HASH_BY_OID[alg.oid];
  if (!h) throw t.error('UNSUPPORTED', `unknown hash algorithm ${alg.oid}`);
  if (alg.parameters && !(alg.parameters.length === 2 && alg.parameters[0] === T.NULL && alg.parameters[1] === 0)) {
    throw t.error('BAD_VALUE', 'hash algorithm parameters must be absent or NULL');
  }
  return h;
}

/**
 * RSASSA-PSS-params (RFC 4055 §3.1) from the DER of the parameters element. Throws DerError
 * on anything malformed or not understood (a mask generation function other than MGF1).
 */
export function parsePssParams(bytes: Uint8Array, path = 'RSASSA-PSS-params'): PssParams {
  const t = parseDer(bytes, path).expect(T.SEQUENCE, 'RSASSA-PSS-params');
  const r = t.reader();
  const out: PssParams = { ...PSS_DEFAULTS };
  const h = r.optional(0xa0, 'hashAlgorithm');
  if (h) out.hash = hashAlgorithm(h.inner('hashAlgorithm'));
  const m = r.optional(0xa1, 'maskGenAlgorithm');
  if (m) {
    const mgf = parseAlgorithmIdentifier(m.inner('maskGenAlgorithm'));
    if (mgf.oid !== OID.mgf1) throw m.error('UNSUPPORTED', `mask generation function ${mgf.oid} is not MGF1`);
    if (!mgf.parameters) throw m.error('MISSING_ELEMENT', 'MGF1 without a hash algorithm');
    out.mgfHash = hashAlgorithm(parseDer(mgf.parameters, `${m.path}.parameters`));
  }
  const s = r.optional(0xa2, 'saltLength');
  if (s) {
    const inner = s.inner('saltLength');
    const v = D.smallInteger(inner);
    if (v < 0) throw inner.error('BAD_VALUE', `negative salt length ${v}`);
    out.saltLength = v;
  }
  const tf = r.optional(0xa3, 'trailerField');
  if (tf) out.trailerField = D.smallInteger(tf.inner('trailerField'));
  r.end();
  return out;
}

const unknown = (oid: string, reason: string): SignatureAlgorithm => ({ kind: 'unknown', oid, reason });

/** What a signature AlgorithmIdentifier means; never throws (unknown or bad -> kind 'unknown' with a reason). */
export function describeSignatureAlgorithm(alg: AlgorithmIdentifier): SignatureAlgorithm {
  const { oid } = alg;
  const simple = SIMPLE[oid];
  if (simple) return { kind: simple.kind, oid, hash: simple.hash };
  if (oid === OID.ed25519 || oid === OID.ed448) {
    // OpenSSL refuses EdDSA signature identifiers that carry parameters (RFC 8410 §3).
    if (alg.parameters) return unknown(oid, `${oid === OID.ed25519 ? 'Ed25519' : 'Ed448'} signature algorithm must not have parameters`);
    return { kind: oid === OID.ed25519 ? 'ed25519' : 'ed448', oid };
  }
  // SM2-with-SM3: OpenSSL writes no parameters
  if (oid === OID.sm2WithSm3) return { kind: 'sm2', oid };
  if (oid === OID.rsassaPss) {
    // OpenSSL needs the parameters on a signature (an empty SEQUENCE means all defaults).
    if (!alg.parameters) return unknown(oid, 'RSASSA-PSS signature algorithm without parameters');
    try {
      const pss = parsePssParams(alg.parameters);
      if (pss.trailerField !== 1) return unknown(oid, `RSASSA-PSS trailer field ${pss.trailerField} (only 1 is defined)`);
      return { kind: 'rsa-pss', oid, pss };
    } catch (e) {
      if (e instanceof DerError) return unknown(oid, `bad RSASSA-PSS parameters: ${e.message}`);
      throw e;
    }
  }
  return unknown(oid, `unsupported signature algorithm ${oid}`);
}
