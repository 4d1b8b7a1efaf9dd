// Facts about a certificate as OpenSSL caches them before any verification
// (ossl_x509v3_cache_extensions in crypto/x509/v3_purp.c: the ex_flags) and the v3_purp.c
// predicates built on them alone: X509_check_ca, X509_check_akid, check_sig_alg_match,
// ossl_x509_likely_issued (did this certificate plausibly issue that one) and
// ossl_x509_signing_allowed. The purposes (X509_check_purpose) are purpose.ts. OpenSSL 3.0.

import { OID, bytesEqual } from '../der/index.js';
import type { Certificate, PublicKey, SignatureAlgorithm } from '../x509/types.js';
import { namesEqual } from './names.js';
import { tbsSignatureAlgorithmOf } from './signature.js';
import { X509_V_ERR, X509_V_OK, type X509ErrorCode } from './errors.js';
import { keyView } from './keys.js';
import { OPENSSL_CACHED_EXTENSIONS, OPENSSL_SUPPORTED_CRITICAL_EXTENSIONS } from '../x509/extensions.js';

const CACHED_EXTENSIONS = OPENSSL_CACHED_EXTENSIONS;
/**
 * X509_supported_extension. OpenSSL 3.0's list also has id-pkix-OCSP-noCheck (NID 369,
 * checked with openssl verify 3.0.19), which src/x509's table lacks: added here until it does.
 */
const SUPPORTED_CRITICAL: ReadonlySet<string> = new Set([...OPENSSL_SUPPORTED_CRITICAL_EXTENSIONS, '1.3.6.1.5.5.7.48.1.5']);

/** keyUsage as OpenSSL's ex_kusage bits (first octet | second octet << 8). */
export const KU = {
  DIGITAL_SIGNATURE: 0x0080,
  NON_REPUDIATION: 0x0040,
  KEY_ENCIPHERMENT: 0x0020,
  DATA_ENCIPHERMENT: 0x0010,
  KEY_AGREEMENT: 0x0008,
  KEY_CERT_SIGN: 0x0004,
  CRL_SIGN: 0x0002,
  ENCIPHER_ONLY: 0x0001,
  DECIPHER_ONLY: 0x8000,
} as const;

export const XKU = {
  SSL_SERVER: 0x1,
  SSL_CLIENT: 0x2,
  SMIME: 0x4,
  CODE_SIGN: 0x8,
  SGC: 0x10,
  OCSP_SIGN: 0x20,
  TIMESTAMP: 0x40,
  DVCS: 0x80,
  ANYEKU: 0x100,
} as const;

const XKU_BY_OID: Record<string, number> = {
  [OID.serverAuth]: XKU.SSL_SERVER,
  [OID.clientAuth]: XKU.SSL_CLIENT,
  [OID.emailProtection]: XKU.SMIME,
  [OID.codeSigning]: XKU.CODE_SIGN,
  [OID.msSGC]: XKU.SGC,
  [OID.nsSGC]: XKU.SGC,
  [OID.OCSPSigning]: XKU.OCSP_SIGN,
  [OID.timeStamping]: XKU.TIMESTAMP,
  '1.3.6.1.5.5.7.3.10': XKU.DVCS,
  [OID.anyExtendedKeyUsage]: XKU.ANYEKU,
};

/** Netscape certificate type bits (ex_nscert) that mark any kind of CA */
const NS_ANY_CA = 0x07;

/** The cached view of one certificate (OpenSSL's ex_flags and friends). */
export interface CertInfo {
  cert: Certificate;
  /** EXFLAG_INVALID, with why */
  invalid: string[];
  /** EXFLAG_BCONS */
  bcons: boolean;
  /** EXFLAG_CA */
  ca: boolean;
  /** ex_pathlen, -1 when absent */
  pathlen: number;
  /** ex_kusage when EXFLAG_KUSAGE */
  kusage?: number;
  /** ex_xkusage when EXFLAG_XKUSAGE */
  xkusage?: number;
  /** ex_nscert when EXFLAG_NSCERT */
  nscert?: number;
  /** EXFLAG_SI: subject == issuer (X509_NAME_cmp) */
  selfIssued: boolean;
  /** EXFLAG_SS: self-issued, AKID consistent with itself and signature alg matches own key */
  selfSigned: boolean;
  /** EXFLAG_V1 */
  v1: boolean;
  /** EXFLAG_CRITICAL: the first critical extension OpenSSL does not support */
  unhandledCritical?: string;
  /** X509_get0_pubkey != NULL */
  hasKey: boolean;
}

const infoCache = new WeakMap<Certificate, CertInfo>();

function kusageOf(cert: Certificate): number | undefined {
  const ku = cert.ext.keyUsage;
  if (!ku) return undefined;
  const b = ku.raw.bytes;
  let v = 0;
  if (b.length > 0) v = b[0];
  if (b.length > 1) v |= b[1] << 8;
  return v;
}

function keyIsUsable(k: PublicKey): boolean {
  return keyView(k).usable;
}

export function certInfo(cert: Certificate): CertInfo {
  const hit = infoCache.get(cert);
  if (hit) return hit;
  const invalid: string[] = [];
  for (const p of cert.problems) {
    if ((p.code === 'BAD_EXTENSION' || p.code === 'DUPLICATE_EXTENSION') && p.oid && CACHED_EXTENSIONS.has(p.oid)) {
      invalid.push(`${p.code}: ${p.message}`);
    }
  }
  const seen = new Set<string>();
  for (const e of cert.extensions) {
    if (seen.has(e.oid) && CACHED_EXTENSIONS.has(e.oid) && !invalid.some((m) => m.includes(e.oid)))
      invalid.push(`duplicate extension ${e.oid}`);
    seen.add(e.oid);
  }
  const bc = cert.ext.basicConstraints;
  let pathlen = -1;
  if (bc && bc.pathLen !== undefined) {
    if (bc.pathLen < 0) invalid.push('negative pathLenConstraint');
    else pathlen = bc.pathLen;
  }
  const kusage = kusageOf(cert);
  if (kusage === 0) invalid.push('empty keyUsage');
  let xkusage: number | undefined;
  if (cert.ext.extKeyUsage) {
    xkusage = 0;
    for (const o of cert.ext.extKeyUsage.oids) xkusage |= XKU_BY_OID[o] ?? 0;
  }
  const selfIssued = namesEqual(cert.subject, cert.issuer);
  const hasKey = keyIsUsable(cert.publicKey);
  const info: CertInfo = {
    cert,
    invalid,
    bcons: bc !== undefined,
    ca: bc?.ca === true,
    pathlen,
    kusage,
    xkusage,
    nscert: cert.ext.netscapeCertType,
    selfIssued,
    selfSigned: false,
    v1: cert.version === 1,
    hasKey,
  };
  info.selfSigned = selfIssued && checkAkid(cert, cert) === X509_V_OK && checkSigAlgMatch(cert, cert) === X509_V_OK;
  for (const e of cert.extensions) {
    if (e.critical && !SUPPORTED_CRITICAL.has(e.oid)) {
      info.unhandledCritical = e.oid;
      break;
    }
  }
  infoCache.set(cert, info);
  return info;
}

/** ossl_x509v3_cache_extensions returned 1 */
export const cacheOk = (i: CertInfo): boolean => i.invalid.length === 0;

/** X509_check_akid(issuer, subject's AKID) */
export function checkAkid(
  issuer: Certificate,
  subject: Certificate,
): typeof X509_V_OK | typeof X509_V_ERR.AKID_SKID_MISMATCH | typeof X509_V_ERR.AKID_ISSUER_SERIAL_MISMATCH {
  const akid = subject.ext.authorityKeyIdentifier;
  if (!akid) return X509_V_OK;
  const skid = issuer.ext.subjectKeyIdentifier;
  if (akid.keyId && skid && !bytesEqual(akid.keyId, skid)) return X509_V_ERR.AKID_SKID_MISMATCH;
  if (akid.serial && BigIntSerial(akid.serial) !== issuer.serial.value) return X509_V_ERR.AKID_ISSUER_SERIAL_MISMATCH;
  if (akid.issuer) {
    const dn = akid.issuer.find((g) => g.type === 'dirName');
    if (dn && dn.type === 'dirName' && !namesEqual(dn.name, issuer.issuer)) return X509_V_ERR.AKID_ISSUER_SERIAL_MISMATCH;
  }
  return X509_V_OK;
}

function BigIntSerial(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  if (b[0] & 0x80) v -= 1n << BigInt(b.length * 8);
  return v;
}

/** signature OIDs whose parameters describeSignatureAlgorithm judges (check_sig_alg_match does not) */
const SIG_KIND_BY_OID: Record<string, SignatureAlgorithm['kind']> = {
  [OID.rsassaPss]: 'rsa-pss',
  [OID.ed25519]: 'ed25519',
  [OID.ed448]: 'ed448',
};

/** check_sig_alg_match(issuer key, subject) */
function checkSigAlgMatch(issuer: Certificate, subject: Certificate): X509ErrorCode {
  const key = keyView(issuer.publicKey);
  if (!key.usable) return X509_V_ERR.NO_ISSUER_PUBLIC_KEY;
  // OBJ_find_sigid_algs on the OID alone: the parameters (PSS, EdDSA) play no part here
  const oid = subject.tbsSignatureAlgorithm.oid;
  const kind: SignatureAlgorithm['kind'] = SIG_KIND_BY_OID[oid] ?? tbsSignatureAlgorithmOf(subject).kind;
  const fits = (ok: boolean) => (ok ? X509_V_OK : X509_V_ERR.SIGNATURE_ALGORITHM_MISMATCH);
  switch (kind) {
    case 'unknown':
      return X509_V_ERR.UNSUPPORTED_SIGNATURE_ALGORITHM;
    case 'rsa-pkcs1':
      return fits(key.type === 'rsa');
    case 'rsa-pss':
      return fits(key.type === 'rsa' || key.type === 'rsa-pss');
    case 'ecdsa':
      return fits(key.type === 'ec');
    case 'sm2':
      return fits(key.type === 'sm2');
    case 'ed25519':
    case 'ed448':
    case 'dsa':
      return fits(key.type === kind);
  }
}

/** ossl_x509_likely_issued(issuer, x): X509_V_OK when `issuer` plausibly issued `x`. */
export function likelyIssued(issuer: Certificate, x: Certificate): X509ErrorCode {
  if (!namesEqual(issuer.subject, x.issuer)) return X509_V_ERR.SUBJECT_ISSUER_MISMATCH;
  if (!cacheOk(certInfo(issuer)) || !cacheOk(certInfo(x))) return X509_V_ERR.UNSPECIFIED;
  const r = checkAkid(issuer, x);
  if (r !== X509_V_OK) return r;
  return checkSigAlgMatch(issuer, x);
}

/** ku_reject: a keyUsage is present and lacks every bit of `usage` */
export const kuReject = (i: CertInfo, usage: number): boolean => i.kusage !== undefined && (i.kusage & usage) === 0;

/** ossl_x509_signing_allowed */
export function signingAllowed(issuer: CertInfo): typeof X509_V_OK | typeof X509_V_ERR.KEYUSAGE_NO_CERTSIGN {
  return kuReject(issuer, KU.KEY_CERT_SIGN) ? X509_V_ERR.KEYUSAGE_NO_CERTSIGN : X509_V_OK;
}

/** check_ca / X509_check_ca: 0 not a CA, 1 BC CA, 3 v1 root, 4 keyUsage only, 5 Netscape CA */
export function checkCa(i: CertInfo): number {
  if (kuReject(i, KU.KEY_CERT_SIGN)) return 0;
  if (i.bcons) return i.ca ? 1 : 0;
  if (i.v1 && i.selfSigned) return 3;
  if (i.kusage !== undefined) return 4;
  if (i.nscert !== undefined && (i.nscert & NS_ANY_CA) !== 0) return 5;
  return 0;
}
