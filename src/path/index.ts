// Layer `path`: certificate path validation as OpenSSL 3.0 does it for PostgreSQL
// (chain building from trusted/untrusted sets, CA/purpose/path-length/critical-extension
// checks, security levels, CRLs, signatures and validity of every certificate, name
// constraints, host/IP checks), with OpenSSL's error codes, depths and messages and a step
// trace; an `rfc5280` profile that adds the strictness OpenSSL skips; libpq's own host-name
// rules per PostgreSQL version; and the x509-limbo case mapping for the conformance runners.
// Signature verification is injected (src/crypto's verifySignature, or verify-node.ts).

export { verifyChain, type VerifyHooks } from './validator.js';
export type { VerifyOptions, VerifyResult, VerifyError, Step, Profile } from './context.js';
export { OPENSSL_VERIFY_FORGIVES } from './context.js';
export {
  X509_ERRORS,
  X509_V_ERR,
  X509_V_OK,
  errorMessage,
  errorMessageFor,
  errorName,
  type X509ErrorCode,
  type X509ErrorName,
} from './errors.js';
export {
  libpqVerifyHost,
  LIBPQ_HOST_MESSAGES,
  LIBPQ_HOST_RULES,
  x509CheckHost,
  x509CheckIp,
  parseIpAsc,
  inetAton,
  inetPton6,
  formatIp,
  asPgMajor,
  type PgMajor,
  type LibpqHostResult,
} from './hostname.js';
export { certInfo, checkCa, likelyIssued, type CertInfo } from './cert-info.js';
export { checkPurpose, type Purpose } from './purpose.js';
export { keyView, type KeyView } from './keys.js';
export { sslKeyOk, sslOwnSigOk, sslSigOk, sslSecurityCert, sslSecurityChain, type SslSecurityFailure } from './ssl-security.js';
export { readHashedDir, dedupe, HASHED_CERT_NAME, HASHED_CRL_NAME, type DirEntry, type HashedDir } from './store.js';
export { runLimboCase, type LimboCase, type LimboOutcome } from './limbo-case.js';
export type { Verifier } from './signature.js';
