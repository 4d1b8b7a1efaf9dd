// Signature verification and signing for X.509 (certificates, CRLs) by signature algorithm:
// the key/algorithm compatibility rules OpenSSL's ASN1_item_verify applies, dispatch to
// rsa.ts / ecdsa.ts (P-256/384/521) / ecdsa-prime.ts (the other prime curves OpenSSL knows,
// explicit prime-field parameters) / ecdsa-binary.ts (binary-field curves, named and
// explicit) / eddsa.ts / dsa.ts, and two caches.
//
// Key/algorithm rules (OpenSSL 3.0 crypto/asn1/a_verify.c and the key types' item_verify):
// a hash-and-sign algorithm needs the key type its OID names (sha256WithRSAEncryption needs
// an rsaEncryption key: an id-RSASSA-PSS key is the wrong type, ASN1_R_WRONG_PUBLIC_KEY_TYPE);
// RSASSA-PSS works with both RSA key types, within an id-RSASSA-PSS key's restrictions;
// Ed25519/Ed448 identifiers must carry no parameters (ecd_item_verify).
//
// Caches: issuer keys are prepared once (RSA sizes and key checks, EC/Ed points decoded, an EC
// precomputation table once a key keeps coming back), keyed by object and by key content,
// because chains share issuers. Results are memoised by (key, algorithm, SHA-256 of message
// and signature) in a bounded LRU: the validator re-checks the same signatures when it tries
// alternative chains. Keys are treated as immutable values.

import { sha256 } from '@noble/hashes/sha2.js';
import { OID } from '../der/oids.js';
import { concatBytes, toHex } from '../der/bytes.js';
import type { AlgorithmIdentifier, PrivateKey, PublicKey, SignatureAlgorithm } from '../x509/types.js';
import { describeSignatureAlgorithm } from '../x509/algorithms.js';
import { CryptoError } from './errors.js';
import { Lru } from './lru.js';
import { VERIFY_OK, verifyFail, type VerifyResult } from './result.js';
import {
  pssRestrictionProblem,
  prepareRsaKey,
  rsaPkcs1Sign,
  rsaPkcs1Verify,
  rsaPssSign,
  rsaPssVerify,
  type PreparedRsaKey,
} from './rsa.js';
import { ECDSA_HASHES, ecdsaSign, ecdsaVerify, prepareEcKey, type PreparedEcKey } from './ecdsa.js';
import { explicitPrimeCurve, namedPrimeCurve, preparePrimeEcKey, primeEcdsaVerify, type PreparedPrimeEcKey } from './ecdsa-prime.js';
import {
  binaryEcdsaVerify,
  explicitBinaryCurve,
  isBinaryFieldParameters,
  namedBinaryCurve,
  prepareBinaryEcKey,
  type PreparedBinaryEcKey,
} from './ecdsa-binary.js';
import { dsaVerify, parseDsaPublicKey, type DsaPublicKey } from './dsa.js';
import { DerError, Tag, der, parseDer } from '../der/index.js';
import { eddsaSign, eddsaVerify, prepareEdKey, type PreparedEdKey } from './eddsa.js';
import { SM2_CURVE_OID, prepareSm2Key, sm2Verify, type PreparedSm2Key } from './sm2.js';

export type { VerifyResult, VerifyFailureReason } from './result.js';

// ---------------------------------------------------------------------------------------
// Prepared keys

type Prepared = { id: number } & (
  | { kind: 'rsa'; rsa: PreparedRsaKey }
  | { kind: 'ec'; ec: PreparedEcKey }
  | { kind: 'ed'; ed: PreparedEdKey }
  /** EC on a prime curve outside P-256/384/521: another named curve or explicit parameters */
  | { kind: 'ecp'; ecp: PreparedPrimeEcKey }
  /** EC on a binary-field curve: a named one or explicit characteristic-two parameters */
  | { kind: 'ecb'; ecb: PreparedBinaryEcKey }
  /** EC on the SM2 curve: an SM2 key to OpenSSL 3.0, which verifies SM2 signatures only */
  | { kind: 'sm2'; sm2: PreparedSm2Key }
  | { kind: 'dsa'; dsa: DsaPublicKey }
  /** the key cannot be used: undecodable point, wrong length... */
  | { kind: 'bad'; message: string }
  | { kind: 'unsupported'; message: string }
);

let nextKeyId = 1;
let preparedByObject = new WeakMap<PublicKey, Prepared>();
const preparedByContent = new Lru<string, Prepared>(512);

function keyFingerprint(key: PublicKey): string {
  switch (key.kind) {
    case 'rsa':
      return `rsa:${key.n.toString(16)}:${key.e.toString(16)}:${key.pss ? JSON.stringify(key.pss.restricted ?? 'unrestricted') : ''}`;
    case 'ec':
      return `ec:${key.curve}:${toHex(key.point)}`;
    case 'ed25519':
    case 'ed448':
      return `${key.kind}:${toHex(key.key)}`;
    case 'unknown':
      // parameters included: DSA keys that inherit theirs are completed by the path layer
      return `unknown:${key.algorithm.oid}:${key.algorithm.parameters ? toHex(key.algorithm.parameters) : ''}:${toHex(key.key)}`;
  }
}

function buildPrepared(key: PublicKey): Prepared {
  const id = nextKeyId++;
  try {
    switch (key.kind) {
      case 'rsa':
        return { id, kind: 'rsa', rsa: prepareRsaKey(key.n, key.e) };
      case 'ec':
        return { id, kind: 'ec', ec: prepareEcKey(key.curve, key.point) };
      case 'ed25519':
      case 'ed448':
        return { id, kind: 'ed', ed: prepareEdKey(key.kind, key.key) };
      case 'unknown':
        return prepareOther(id, key);
    }
  } catch (e) {
    if (e instanceof CryptoError) return { id, kind: 'bad', message: `invalid public key: ${e.detail}` };
    if (e instanceof DerError) return { id, kind: 'bad', message: `invalid public key: ${e.message}` };
    throw e;
  }
}

/** keys the x509 layer leaves undecoded: DSA, EC on other prime or binary curves or with explicit parameters */
function prepareOther(id: number, key: Extract<PublicKey, { kind: 'unknown' }>): Prepared {
  const { oid, parameters } = key.algorithm;
  const unsupported: Prepared = { id, kind: 'unsupported', message: `public key algorithm ${oid} is not supported: ${key.reason}` };
  if (oid === OID.dsa) {
    // a DSA key without parameters (inherited from its issuer) is no key to OpenSSL 3.0
    if (!parameters) return { id, kind: 'bad', message: 'DSA key without parameters' };
    return { id, kind: 'dsa', dsa: parseDsaPublicKey(parameters, key.key) };
  }
  if (oid === OID.ecPublicKey && parameters) {
    const p = parseDer(parameters, 'ECParameters');
    if (p.tag === Tag.SEQUENCE) {
      if (isBinaryFieldParameters(parameters))
        return { id, kind: 'ecb', ecb: prepareBinaryEcKey(explicitBinaryCurve(parameters), key.key) };
      return { id, kind: 'ecp', ecp: preparePrimeEcKey(explicitPrimeCurve(parameters), key.key) };
    }
    if (p.tag !== Tag.OID) return unsupported;
    const curveOid = der.oid(p);
    const prime = namedPrimeCurve(curveOid);
    if (prime) return { id, kind: 'ecp', ecp: preparePrimeEcKey(prime, key.key) };
    const binary = namedBinaryCurve(curveOid);
    if (binary) return { id, kind: 'ecb', ecb: prepareBinaryEcKey(binary, key.key) };
    if (curveOid === SM2_CURVE_OID) return { id, kind: 'sm2', sm2: prepareSm2Key(key.key) };
    return unsupported;
  }
  return unsupported;
}

function prepare(key: PublicKey): Prepared {
  let p = preparedByObject.get(key);
  if (p) return p;
  const fp = keyFingerprint(key);
  p = preparedByContent.get(fp);
  if (!p) {
    p = buildPrepared(key);
    preparedByContent.set(fp, p);
  }
  preparedByObject.set(key, p);
  return p;
}

// ---------------------------------------------------------------------------------------
// Verification

type Verifier = (
  alg: SignatureAlgorithm,
  key: PublicKey,
  p: Prepared,
  message: Uint8Array,
  signature: Uint8Array,
  opts: VerifyOptions,
) => VerifyResult;

export interface VerifyOptions {
  /**
   * The SM2 distinguishing ID (`openssl verify -vfyopt distid:...`, X509_set0_distinguishing_id);
   * absent: none, as OpenSSL 3.0 verifies by default (ENTL = 0). Other algorithms ignore it.
   */
  distid?: Uint8Array;
}

const mismatch = (alg: SignatureAlgorithm, key: PublicKey, why = ''): VerifyResult =>
  verifyFail('key-algorithm-mismatch', `a ${keyDescription(key)} cannot verify ${alg.kind} signatures${why}`);

function keyDescription(key: PublicKey): string {
  switch (key.kind) {
    case 'rsa':
      return key.pss ? 'RSASSA-PSS key' : 'RSA key';
    case 'ec':
      return `${key.curve} key`;
    case 'ed25519':
      return 'Ed25519 key';
    case 'ed448':
      return 'Ed448 key';
    case 'unknown':
      return `${key.algorithm.oid} key`;
  }
}

/** The prepared key when it is usable and of the wanted kind, else the failure. */
function usable<K extends Prepared['kind']>(
  p: Prepared,
  kind: K,
  alg: SignatureAlgorithm,
  key: PublicKey,
): Extract<Prepared, { kind: K }> | VerifyResult {
  if (p.kind === 'unsupported') return verifyFail('unsupported-algorithm', p.message);
  if (p.kind !== kind) return mismatch(alg, key);
  return p as Extract<Prepared, { kind: K }>;
}

const isResult = (x: object): x is VerifyResult => 'ok' in x;

const VERIFIERS: Record<SignatureAlgorithm['kind'], Verifier> = {
  'rsa-pkcs1': (alg, key, p, msg, sig) => {
    if (alg.kind !== 'rsa-pkcs1') throw new Error('unreachable');
    if (key.kind === 'rsa' && key.pss)
      return mismatch(alg, key, ' (an id-RSASSA-PSS key only signs with PSS; ASN1_R_WRONG_PUBLIC_KEY_TYPE)');
    const k = usable(p, 'rsa', alg, key);
    if (isResult(k)) return k;
    return rsaPkcs1Verify(k.rsa, alg.hash, msg, sig);
  },
  'rsa-pss': (alg, key, p, msg, sig) => {
    if (alg.kind !== 'rsa-pss') throw new Error('unreachable');
    const k = usable(p, 'rsa', alg, key);
    if (isResult(k)) return k;
    const { pss } = alg;
    if (pss.trailerField !== 1)
      return verifyFail('bad-parameters', `RSASSA-PSS trailer field ${pss.trailerField} (only 1 is defined; RSA_R_INVALID_TRAILER)`);
    if (pss.saltLength < 0) return verifyFail('bad-parameters', `negative RSASSA-PSS salt length ${pss.saltLength}`);
    const restricted = key.kind === 'rsa' ? key.pss?.restricted : undefined;
    if (restricted) {
      const problem = pssRestrictionProblem(restricted, pss, k.rsa.bits);
      if (problem) return verifyFail(problem.kind === 'bad-key' ? 'bad-parameters' : 'key-algorithm-mismatch', problem.message);
    }
    return rsaPssVerify(k.rsa, msg, sig, { hash: pss.hash, mgfHash: pss.mgfHash, saltLength: pss.saltLength });
  },
  ecdsa: (alg, key, p, msg, sig) => {
    if (alg.kind !== 'ecdsa') throw new Error('unreachable');
    if (p.kind === 'ecp') {
      if (!ECDSA_HASHES.has(alg.hash))
        return verifyFail('unsupported-algorithm', `ECDSA with ${alg.hash} is not allowed (OpenSSL allows SHA-1 and SHA-2)`);
      return primeEcdsaVerify(p.ecp, alg.hash, msg, sig);
    }
    if (p.kind === 'ecb') {
      if (!ECDSA_HASHES.has(alg.hash))
        return verifyFail('unsupported-algorithm', `ECDSA with ${alg.hash} is not allowed (OpenSSL allows SHA-1 and SHA-2)`);
      return binaryEcdsaVerify(p.ecb, alg.hash, msg, sig);
    }
    const k = usable(p, 'ec', alg, key);
    if (isResult(k)) return k;
    return ecdsaVerify(k.ec, alg.hash, msg, sig);
  },
  ed25519: (alg, key, p, msg, sig) => {
    const k = usable(p, 'ed', alg, key);
    if (isResult(k)) return k;
    if (k.ed.kind !== 'ed25519') return mismatch(alg, key);
    return eddsaVerify(k.ed, msg, sig);
  },
  ed448: (alg, key, p, msg, sig) => {
    const k = usable(p, 'ed', alg, key);
    if (isResult(k)) return k;
    if (k.ed.kind !== 'ed448') return mismatch(alg, key);
    return eddsaVerify(k.ed, msg, sig);
  },
  dsa: (alg, key, p, msg, sig) => {
    if (alg.kind !== 'dsa') throw new Error('unreachable');
    const k = usable(p, 'dsa', alg, key);
    if (isResult(k)) return k;
    return dsaVerify(k.dsa, alg.hash, msg, sig);
  },
  sm2: (alg, key, p, msg, sig, opts) => {
    const k = usable(p, 'sm2', alg, key);
    if (isResult(k)) return k;
    return sm2Verify(k.sm2, msg, sig, opts.distid);
  },
  unknown: (alg) => {
    if (alg.kind !== 'unknown') throw new Error('unreachable');
    // an OID pgtls knows whose parameters were refused is a parameter problem, not an unknown algorithm
    const known = alg.oid === OID.rsassaPss || alg.oid === OID.ed25519 || alg.oid === OID.ed448;
    return verifyFail(known ? 'bad-parameters' : 'unsupported-algorithm', alg.reason);
  },
};

function algorithmKey(alg: SignatureAlgorithm): string {
  switch (alg.kind) {
    case 'rsa-pss':
      return `pss:${alg.pss.hash}:${alg.pss.mgfHash}:${alg.pss.saltLength}:${alg.pss.trailerField}`;
    case 'rsa-pkcs1':
    case 'ecdsa':
    case 'dsa':
      return `${alg.kind}:${alg.hash}`;
    case 'sm2':
      return alg.kind;
    case 'unknown':
      return `unknown:${alg.oid}:${alg.reason}`;
    default:
      return alg.kind;
  }
}

const results = new Lru<string, VerifyResult>(8192);

function inputDigest(message: Uint8Array, signature: Uint8Array): string {
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, message.length);
  return toHex(sha256(concatBytes(len, message, signature)));
}

function fromError(e: unknown): VerifyResult {
  if (e instanceof CryptoError) {
    const reason = {
      UNSUPPORTED_HASH: 'unsupported-algorithm',
      UNSUPPORTED_ALGORITHM: 'unsupported-algorithm',
      KEY_MISMATCH: 'key-algorithm-mismatch',
      BAD_KEY: 'bad-parameters',
      BAD_PARAMETERS: 'bad-parameters',
      BAD_INPUT: 'malformed-signature',
    } as const;
    return verifyFail(reason[e.code], e.message);
  }
  return verifyFail('bad-parameters', `verification failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
}

/**
 * Does `signature` over `message` verify under `key` with `alg` (an AlgorithmIdentifier as
 * found in a certificate, or its description)? Never throws: every failure is a result with
 * a reason and a message.
 */
export function verifySignature(
  alg: AlgorithmIdentifier | SignatureAlgorithm,
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
  opts: VerifyOptions = {},
): VerifyResult {
  try {
    if (!(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
      return verifyFail('malformed-signature', 'message and signature must be byte arrays');
    }
    const sa: SignatureAlgorithm = 'kind' in alg ? alg : describeSignatureAlgorithm(alg);
    const p = prepare(key);
    if (p.kind === 'bad') return verifyFail('bad-parameters', p.message);
    if (opts.distid !== undefined && sa.kind !== 'sm2')
      return verifyFail(
        'bad-parameters',
        `a distinguishing ID applies to SM2 signatures only, not ${sa.kind} (EVP_DigestVerifyInit refuses it)`,
      );
    const distid = sa.kind === 'sm2' && opts.distid ? `|${toHex(opts.distid)}` : '';
    const cacheKey = `${p.id}|${algorithmKey(sa)}${distid}|${inputDigest(message, signature)}`;
    const hit = results.get(cacheKey);
    if (hit) return hit;
    // frozen: the same object is handed to every caller that asks again
    const r = Object.freeze(VERIFIERS[sa.kind](sa, key, p, message, signature, opts));
    results.set(cacheKey, r);
    return r;
  } catch (e) {
    return fromError(e);
  }
}

/** Cache sizes and hit counts, for the bench and the tests. */
export function verifyCacheStats(): { results: number; resultHits: number; preparedKeys: number } {
  return { results: results.size, resultHits: results.hits, preparedKeys: preparedByContent.size };
}

/** Forget verification results but keep prepared issuer keys (the bench: every signature is checked, issuers stay prepared). */
export function clearVerifyResults(): void {
  results.clear();
}

export function clearVerifyCache(): void {
  results.clear();
  preparedByContent.clear();
  preparedByObject = new WeakMap();
}

// ---------------------------------------------------------------------------------------
// Signing

export interface SignOptions {
  /** explicit PSS salt (its length overrides the algorithm's saltLength), for test vectors */
  pssSalt?: Uint8Array;
}

const keyMismatch = (alg: SignatureAlgorithm, key: PrivateKey): CryptoError =>
  new CryptoError('KEY_MISMATCH', `a ${key.kind} private key cannot make ${alg.kind} signatures`, 'signMessage');

/**
 * Sign `message` as `alg` says; ECDSA signatures come DER-encoded as X.509 carries them.
 * Signs whatever is mathematically possible, including combinations OpenSSL refuses to
 * verify (PKCS#1 v1.5 with an id-RSASSA-PSS key, PSS outside a key's restrictions): the
 * factory needs those certificates to test the validator. Throws CryptoError otherwise.
 */
export function signMessage(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, opts: SignOptions = {}): Uint8Array {
  switch (alg.kind) {
    case 'rsa-pkcs1':
      if (key.kind !== 'rsa') throw keyMismatch(alg, key);
      return rsaPkcs1Sign(key, alg.hash, message);
    case 'rsa-pss':
      if (key.kind !== 'rsa') throw keyMismatch(alg, key);
      return rsaPssSign(key, message, { hash: alg.pss.hash, mgfHash: alg.pss.mgfHash, saltLength: alg.pss.saltLength, salt: opts.pssSalt });
    case 'ecdsa':
      if (key.kind !== 'ec') throw keyMismatch(alg, key);
      return ecdsaSign(key.curve, key.d, alg.hash, message);
    case 'ed25519':
    case 'ed448':
      if (key.kind !== alg.kind) throw keyMismatch(alg, key);
      return eddsaSign(alg.kind, key.seed, message);
    case 'dsa':
    case 'sm2':
      throw new CryptoError('UNSUPPORTED_ALGORITHM', `${alg.kind.toUpperCase()} signing is not supported`, 'signMessage');
    case 'unknown':
      throw new CryptoError('UNSUPPORTED_ALGORITHM', `cannot sign with ${alg.oid}: ${alg.reason}`, 'signMessage');
  }
}

export { VERIFY_OK };
