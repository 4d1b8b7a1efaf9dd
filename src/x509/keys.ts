// Keys: SubjectPublicKeyInfo -> PublicKey; private keys in every form PostgreSQL's sslkey /
// ssl_key_file accepts through OpenSSL (PKCS#8, PKCS#1 RSAPrivateKey, SEC1 ECPrivateKey,
// encrypted PKCS#8 with PBES2, legacy `Proc-Type: 4,ENCRYPTED` PEM); the public half of a
// private key (derived with @noble/curves when the file does not carry it); the key/certificate
// match check the server and libpq do at load time (X509_check_private_key); SPKI encoding.

import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import {
  DerError,
  OID,
  Tag,
  bitLengthOfBytes,
  bytesEqual,
  decodePemOrDer,
  der,
  parseDer,
  utf8Encode,
  type PemBlock,
  type Tlv,
} from '../der/index.js';
import { DER_NULL, derBitString, derOid, derSequence, derUnsignedInteger } from '../der/writer.js';
import { HASH_OID, parseAlgorithmIdentifier, parsePssParams } from './algorithms.js';
import { decryptLegacyPem, decryptPkcs8 } from './encrypted-key.js';
import { WrongPemLabelError } from './errors.js';
import type { AlgorithmIdentifier, Certificate, EcCurve, PrivateKey, PssParams, PublicKey } from './types.js';

// Plain local copies: imported namespaces cost a getter call per access under the TS
// loaders (tsx, vitest), and these are used on the certificate-parsing hot path.
const D = { ...der };
const T = { ...Tag };
// ---------------------------------------------------------------------------------------
// Public keys

export const CURVE_BY_OID: Record<string, EcCurve> = {
  [OID.prime256v1]: 'P-256',
  [OID.secp384r1]: 'P-384',
  [OID.secp521r1]: 'P-521',
};
export const CURVE_OID: Record<EcCurve, string> = { 'P-256': OID.prime256v1, 'P-384': OID.secp384r1, 'P-521': OID.secp521r1 };
const CURVE_BITS: Record<EcCurve, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 };
const CURVE_BYTES: Record<EcCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
const NOBLE = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;
/** EVP_PKEY_get_bits for EdDSA keys, as OpenSSL reports them. */
const ED_BITS = { ed25519: 253, ed448: 456 } as const;
const ED_LEN = { ed25519: 32, ed448: 57 } as const;

/** Why a key in a certificate could not be understood, with the raw key kept. */
function unknownKey(algorithm: AlgorithmIdentifier, key: Uint8Array, reason: string): PublicKey {
  return { kind: 'unknown', algorithm, key, bits: 0, reason };
}

/**
 * SubjectPublicKeyInfo. The outer structure (SEQUENCE, AlgorithmIdentifier, BIT STRING) must
 * be DER (or BER when `t` was read in the BER-tolerant mode of the loaders) or a DerError is
 * thrown; the key inside the BIT STRING is always read as DER; a key whose contents cannot be used comes back as kind
 * 'unknown' with the reason in `problem` (OpenSSL, too, loads such certificates and fails
 * only when the key is needed).
 */
export function parseSpkiTlv(t: Tlv): { publicKey: PublicKey; problem?: string } {
  t.expect(T.SEQUENCE, 'SubjectPublicKeyInfo');
  const r = t.reader();
  const algorithm = parseAlgorithmIdentifier(r.expect(T.SEQUENCE, 'algorithm'));
  const bs = D.bitString(r.expect(T.BIT_STRING, 'subjectPublicKey'));
  r.end();
  const key = bs.bytes;
  if (bs.unusedBits !== 0) {
    const reason = 'public key BIT STRING has unused bits';
    return { publicKey: unknownKey(algorithm, key, reason), problem: reason };
  }
  try {
    return { publicKey: decodePublicKey(algorithm, key, `${t.path}.subjectPublicKey`) };
  } catch (e) {
    if (!(e instanceof DerError)) throw e;
    const reason = e.message;
    return { publicKey: unknownKey(algorithm, key, reason), problem: reason };
  }
}

/** SubjectPublicKeyInfo from its DER; see parseSpkiTlv. */
export function parseSpki(bytes: Uint8Array): PublicKey {
  return parseSpkiTlv(parseDer(bytes, 'SubjectPublicKeyInfo')).publicKey;
}

/** Throws DerError for keys that are malformed; returns 'unknown' for algorithms pgtls does not handle. */
function decodePublicKey(alg: AlgorithmIdentifier, key: Uint8Array, path: string): PublicKey {
  switch (alg.oid) {
    case OID.rsaEncryption:
    case OID.rsassaPss: {
      const t = parseDer(key, path).expect(T.SEQUENCE, 'RSAPublicKey');
      const r = t.reader();
      const nb = D.integerBytes(r.expect(T.INTEGER, 'modulus'));
      const eb = D.integerBytes(r.expect(T.INTEGER, 'publicExponent'));
      r.end();
      if (nb[0] & 0x80 || eb[0] & 0x80) throw t.error('BAD_VALUE', 'negative RSA modulus or exponent');
      // The modulus becomes a bigint on first use: parsing a chain should not pay for
      // converting moduli nobody verifies with.
      const pub: PublicKey = {
        kind: 'rsa',
        get n(): bigint {
          const n = der.bytesToUnsigned(nb);
          Object.defineProperty(this, 'n', { value: n, enumerable: true, writable: true, configurable: true });
          return n;
        },
        e: der.bytesToUnsigned(eb),
        bits: bitLengthOfBytes(nb),
      };
      if (alg.oid === OID.rsassaPss) pub.pss = alg.parameters ? { restricted: parsePssParams(alg.parameters, `${path}.parameters`) } : {};
      return pub;
    }
    case OID.ecPublicKey: {
      if (!alg.parameters) throw new DerError('MISSING_ELEMENT', 'EC public key without curve parameters', 0, path);
      const p = parseDer(alg.parameters, 'parameters');
      if (p.tag !== T.OID) {
        return unknownKey(
          alg,
          key,
          p.tag === T.SEQUENCE ? 'explicit EC curve parameters are not supported' : 'EC parameters are not a named curve',
        );
      }
      const curveOid = D.oid(p);
      const curve = CURVE_BY_OID[curveOid];
      if (!curve) return unknownKey(alg, key, `unsupported EC curve ${curveOid}`);
      checkPoint(curve, key, path);
      return { kind: 'ec', curve, point: key, bits: CURVE_BITS[curve] };
    }
    case OID.ed25519:
    case OID.ed448: {
      const kind = alg.oid === OID.ed25519 ? 'ed25519' : 'ed448';
      if (alg.parameters) throw new DerError('BAD_VALUE', `${kind} key algorithm must not have parameters`, 0, path);
      if (key.length !== ED_LEN[kind])
        throw new DerError('BAD_VALUE', `${kind} public key must be ${ED_LEN[kind]} bytes, is ${key.length}`, 0, path);
      return { kind, key, bits: ED_BITS[kind] };
    }
    default:
      return unknownKey(alg, key, `unsupported public key algorithm ${alg.oid}`);
  }
}

/**
 * SEC1 point encoding: 04||X||Y or 02/03||X, of the curve's size, and a point on the curve:
 * OpenSSL's EC key decoder (EC_POINT_oct2point) refuses an off-curve point, so X509_get0_pubkey
 * is NULL for such a certificate (key too weak as a leaf, never an issuer).
 */
function checkPoint(curve: EcCurve, point: Uint8Array, path: string): void {
  const n = CURVE_BYTES[curve];
  const ok = (point[0] === 4 && point.length === 1 + 2 * n) || ((point[0] === 2 || point[0] === 3) && point.length === 1 + n);
  if (!ok)
    throw new DerError(
      'BAD_VALUE',
      `not a ${curve} point encoding (${point.length} bytes, first 0x${(point[0] ?? 0).toString(16)})`,
      0,
      path,
    );
  try {
    NOBLE[curve].Point.fromBytes(point).assertValidity();
  } catch {
    throw new DerError('BAD_VALUE', `not a point on ${curve}`, 0, path);
  }
}

// ---------------------------------------------------------------------------------------
// Private keys

const KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'];

/**
 * A private key file (PEM or DER) as OpenSSL's PEM_read_PrivateKey / d2i_AutoPrivateKey read
 * it: the first private-key block is used and other blocks (certificates, EC PARAMETERS)
 * are skipped. Throws PassphraseRequiredError for an encrypted key without `passphrase`,
 * BadPassphraseError when decryption fails, WrongPemLabelError when no block is a key.
 */
export function parsePrivateKey(bytes: Uint8Array, passphrase?: string | Uint8Array): PrivateKey {
  const blocks = decodePemOrDer(bytes);
  const block = blocks.find((b) => b.label === '' || KEY_LABELS.includes(b.label));
  if (!block) throw new WrongPemLabelError(blocks[0].label, KEY_LABELS, blocks[0].line);
  return parsePrivateKeyBlock(block, passphrase);
}

/** One PEM block (or DER, label '') holding a private key. */
export function parsePrivateKeyBlock(block: PemBlock, passphrase?: string | Uint8Array): PrivateKey {
  const pass = typeof passphrase === 'string' ? utf8Encode(passphrase) : passphrase;
  const derBytes = block.der;
  switch (block.label) {
    case 'PRIVATE KEY':
      return parsePkcs8(derBytes);
    case 'ENCRYPTED PRIVATE KEY':
      return parsePkcs8(decryptPkcs8(derBytes, pass));
    case 'RSA PRIVATE KEY':
    case 'EC PRIVATE KEY': {
      let body = derBytes;
      if (block.headers['Proc-Type']) body = decryptLegacyPem(block.headers, derBytes, pass, block.line);
      return block.label === 'RSA PRIVATE KEY'
        ? parseRsaPrivateKey(parseDer(body, 'RSAPrivateKey'))
        : parseEcPrivateKey(parseDer(body, 'ECPrivateKey'));
    }
    case '':
      return parseDerPrivateKey(derBytes, pass);
    default:
      throw new WrongPemLabelError(block.label, KEY_LABELS, block.line);
  }
}

/** DER without a label: tell PKCS#8, encrypted PKCS#8, PKCS#1 and SEC1 apart by shape, as d2i_AutoPrivateKey does. */
function parseDerPrivateKey(bytes: Uint8Array, pass: Uint8Array | undefined): PrivateKey {
  const t = parseDer(bytes, 'PrivateKey').expect(T.SEQUENCE, 'private key');
  const kids = t.children();
  if (kids.length === 2 && kids[0].tag === T.SEQUENCE) return parsePkcs8(decryptPkcs8(bytes, pass));
  if (kids.length >= 3 && kids[0].tag === T.INTEGER && kids[1].tag === T.SEQUENCE) return parsePkcs8(bytes);
  if (kids.length >= 9 && kids[0].tag === T.INTEGER) return parseRsaPrivateKey(t);
  if (kids.length >= 2 && kids[0].tag === T.INTEGER && kids[1].tag === T.OCTET_STRING) return parseEcPrivateKey(t);
  throw t.error('UNSUPPORTED', 'not a PKCS#8, PKCS#1 or SEC1 private key');
}

/** PrivateKeyInfo / OneAsymmetricKey (RFC 5208, RFC 5958). */
export function parsePkcs8(bytes: Uint8Array): PrivateKey {
  const t = parseDer(bytes, 'PrivateKeyInfo').expect(T.SEQUENCE, 'PrivateKeyInfo');
  const r = t.reader();
  const vt = r.expect(T.INTEGER, 'version');
  const version = D.smallInteger(vt);
  if (version !== 0 && version !== 1) throw vt.error('BAD_VALUE', `PrivateKeyInfo version ${version}`);
  const alg = parseAlgorithmIdentifier(r.expect(T.SEQUENCE, 'privateKeyAlgorithm'));
  const pkt = r.expect(T.OCTET_STRING, 'privateKey');
  r.optional(0xa0, 'attributes');
  const pubT = r.optional(0x81, 'publicKey');
  r.end();
  const publicKey = pubT ? D.bitString(pubT, 0x81).bytes : undefined;
  const inner = pkt.inner('privateKey');
  switch (alg.oid) {
    case OID.rsaEncryption:
      return parseRsaPrivateKey(inner);
    case OID.rsassaPss: {
      const k = parseRsaPrivateKey(inner);
      if (k.kind === 'rsa') k.pss = alg.parameters ? { restricted: parsePssParams(alg.parameters) } : {};
      return k;
    }
    case OID.ecPublicKey: {
      if (!alg.parameters) throw t.error('MISSING_ELEMENT', 'EC private key without curve parameters');
      return parseEcPrivateKey(inner, curveFromParams(parseDer(alg.parameters, `${t.path}.privateKeyAlgorithm.parameters`)));
    }
    case OID.ed25519:
    case OID.ed448: {
      const kind = alg.oid === OID.ed25519 ? 'ed25519' : 'ed448';
      const seed = D.octetString(inner);
      if (seed.length !== ED_LEN[kind])
        throw inner.error('BAD_VALUE', `${kind} private key must be ${ED_LEN[kind]} bytes, is ${seed.length}`);
      return publicKey ? { kind, seed, publicKey } : { kind, seed };
    }
    default:
      throw t.error('UNSUPPORTED', `unsupported private key algorithm ${alg.oid}`);
  }
}

/** PKCS#1 RSAPrivateKey (two-prime only). */
export function parseRsaPrivateKey(t: Tlv): PrivateKey {
  t.expect(T.SEQUENCE, 'RSAPrivateKey');
  const r = t.reader();
  const vt = r.expect(T.INTEGER, 'version');
  const version = D.smallInteger(vt);
  if (version !== 0)
    throw vt.error('UNSUPPORTED', version === 1 ? 'multi-prime RSA keys are not supported' : `RSAPrivateKey version ${version}`);
  const names = ['modulus', 'publicExponent', 'privateExponent', 'prime1', 'prime2', 'exponent1', 'exponent2', 'coefficient'] as const;
  const v = names.map((n) => {
    const it = r.expect(T.INTEGER, n);
    const b = D.integerBytes(it);
    if (b[0] & 0x80) throw it.error('BAD_VALUE', `negative ${n}`);
    return der.bytesToUnsigned(b);
  });
  r.end();
  const [n, e, d, p, q, dp, dq, qi] = v;
  return { kind: 'rsa', n, e, d, p, q, dp, dq, qi };
}

function curveFromParams(p: Tlv): EcCurve {
  if (p.tag !== T.OID) throw p.error('UNSUPPORTED', 'explicit EC curve parameters are not supported');
  const oid = D.oid(p);
  const curve = CURVE_BY_OID[oid];
  if (!curve) throw p.error('UNSUPPORTED', `unsupported EC curve ${oid}`);
  return curve;
}

/** SEC1 ECPrivateKey; `curve` comes from the PKCS#8 algorithm when wrapped. */
export function parseEcPrivateKey(t: Tlv, curve?: EcCurve): PrivateKey {
  t.expect(T.SEQUENCE, 'ECPrivateKey');
  const r = t.reader();
  const vt = r.expect(T.INTEGER, 'version');
  if (D.smallInteger(vt) !== 1) throw vt.error('BAD_VALUE', 'ECPrivateKey version must be 1');
  const d = D.octetString(r.expect(T.OCTET_STRING, 'privateKey'));
  const params = r.optional(0xa0, 'parameters');
  const pub = r.optional(0xa1, 'publicKey');
  r.end();
  if (params) {
    const c = curveFromParams(params.inner('parameters'));
    if (curve && c !== curve) throw params.error('BAD_VALUE', `ECPrivateKey curve ${c} differs from the algorithm's ${curve}`);
    curve = c;
  }
  if (!curve) throw t.error('MISSING_ELEMENT', 'ECPrivateKey without curve parameters');
  if (d.length === 0 || d.length > CURVE_BYTES[curve]) throw t.error('BAD_VALUE', `${curve} private key of ${d.length} bytes`);
  const key: PrivateKey = { kind: 'ec', curve, d };
  if (pub) {
    const bs = D.bitString(pub.inner('publicKey'));
    checkPoint(curve, bs.bytes, pub.path);
    key.publicPoint = bs.bytes;
  }
  return key;
}

// ---------------------------------------------------------------------------------------
// Public half, matching, encoding

function padScalar(d: Uint8Array, len: number): Uint8Array {
  if (d.length === len) return d;
  const out = new Uint8Array(len);
  out.set(d, len - d.length);
  return out;
}

/** Key derivation by @noble/curves; its errors (a scalar of 0 or beyond the group order) become DerErrors. */
function derive(f: () => Uint8Array): Uint8Array {
  try {
    return f();
  } catch (e) {
    throw new DerError('BAD_VALUE', `cannot derive the public key: ${e instanceof Error ? e.message : String(e)}`, 0, 'privateKey');
  }
}

/** The public key of a private key: stored public parts when present, else derived (throws DerError for an invalid scalar). */
export function publicKeyFromPrivate(priv: PrivateKey): PublicKey {
  switch (priv.kind) {
    case 'rsa': {
      const pub: PublicKey = { kind: 'rsa', n: priv.n, e: priv.e, bits: priv.n.toString(2).length };
      if (priv.pss) pub.pss = priv.pss;
      return pub;
    }
    case 'ec': {
      const point = priv.publicPoint ?? derive(() => NOBLE[priv.curve].getPublicKey(padScalar(priv.d, CURVE_BYTES[priv.curve]), false));
      return { kind: 'ec', curve: priv.curve, point, bits: CURVE_BITS[priv.curve] };
    }
    case 'ed25519':
    case 'ed448': {
      const key = priv.publicKey ?? derive(() => (priv.kind === 'ed25519' ? ed25519 : ed448).getPublicKey(priv.seed));
      return { kind: priv.kind, key, bits: ED_BITS[priv.kind] };
    }
  }
}

/** Uncompressed form of an EC point (compressed points are expanded; undefined if not on the curve). */
function uncompressed(curve: EcCurve, point: Uint8Array): Uint8Array | undefined {
  if (point[0] === 4) return point;
  try {
    return NOBLE[curve].Point.fromBytes(point).toBytes(false);
  } catch {
    return undefined;
  }
}

/**
 * The two public keys are the same key, as EVP_PKEY_eq decides: same type (an rsaEncryption
 * key never equals an id-RSASSA-PSS key: OpenSSL compares key types first) and same public
 * components. PSS restrictions are not compared (OpenSSL compares n and e only).
 */
export function publicKeysEqual(a: PublicKey, b: PublicKey): boolean {
  if (a.kind === 'rsa' && b.kind === 'rsa') return a.n === b.n && a.e === b.e && !a.pss === !b.pss;
  if (a.kind === 'ec' && b.kind === 'ec') {
    if (a.curve !== b.curve) return false;
    const pa = uncompressed(a.curve, a.point);
    const pb = uncompressed(b.curve, b.point);
    return !!pa && !!pb && bytesEqual(pa, pb);
  }
  if ((a.kind === 'ed25519' || a.kind === 'ed448') && a.kind === b.kind) return bytesEqual(a.key, (b as { key: Uint8Array }).key);
  if (a.kind === 'unknown' && b.kind === 'unknown') return bytesEqual(encodeSpki(a), encodeSpki(b));
  return false;
}

/** X509_check_private_key: does this private key belong to the certificate's public key? */
export function keyMatchesCertificate(key: PrivateKey, cert: Certificate): boolean {
  return publicKeysEqual(publicKeyFromPrivate(key), cert.publicKey);
}

function encodePssParams(p: PssParams): Uint8Array {
  const hashAlg = (h: string) => derSequence(derOid(HASH_OID[h as PssParams['hash']]), DER_NULL);
  const ctx = (n: number, body: Uint8Array) => {
    const out = derSequence(body);
    out[0] = 0xa0 | n;
    return out;
  };
  const fields: Uint8Array[] = [];
  // DEFAULT values are omitted, as DER requires and OpenSSL writes.
  if (p.hash !== 'sha1') fields.push(ctx(0, hashAlg(p.hash)));
  if (p.mgfHash !== 'sha1') fields.push(ctx(1, derSequence(derOid(OID.mgf1), hashAlg(p.mgfHash))));
  if (p.saltLength !== 20) fields.push(ctx(2, derUnsignedInteger(BigInt(p.saltLength))));
  if (p.trailerField !== 1) fields.push(ctx(3, derUnsignedInteger(BigInt(p.trailerField))));
  return derSequence(...fields);
}

/** DER SubjectPublicKeyInfo of a public key, in the form OpenSSL writes. */
export function encodeSpki(pub: PublicKey): Uint8Array {
  switch (pub.kind) {
    case 'rsa': {
      const body = derSequence(derUnsignedInteger(pub.n), derUnsignedInteger(pub.e));
      const alg = pub.pss
        ? pub.pss.restricted
          ? derSequence(derOid(OID.rsassaPss), encodePssParams(pub.pss.restricted))
          : derSequence(derOid(OID.rsassaPss))
        : derSequence(derOid(OID.rsaEncryption), DER_NULL);
      return derSequence(alg, derBitString(body));
    }
    case 'ec':
      return derSequence(derSequence(derOid(OID.ecPublicKey), derOid(CURVE_OID[pub.curve])), derBitString(pub.point));
    case 'ed25519':
    case 'ed448':
      return derSequence(derSequence(derOid(pub.kind === 'ed25519' ? OID.ed25519 : OID.ed448)), derBitString(pub.key));
    case 'unknown':
      return derSequence(pub.algorithm.bytes, derBitString(pub.key));
  }
}

/** A short description: "RSA 2048", "RSA-PSS 2048", "EC P-256", "Ed25519". */
export function describePublicKey(pub: PublicKey): string {
  switch (pub.kind) {
    case 'rsa':
      return `${pub.pss ? 'RSA-PSS' : 'RSA'} ${pub.bits} bits`;
    case 'ec':
      return `EC ${pub.curve}`;
    case 'ed25519':
      return 'Ed25519';
    case 'ed448':
      return 'Ed448';
    case 'unknown':
      return `unknown (${pub.algorithm.oid}): ${pub.reason}`;
  }
}
