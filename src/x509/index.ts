// Layer `x509`: DER bytes in, certificates, CRLs, names and keys out. Owns the X.509 data
// model (types.ts) and its parsers: certificates and CRLs (strict DER for parseCertificate /
// parseCrl, BER as OpenSSL's d2i reads it for the loaders, with OpenSSL's re-encoding: ber.ts;
// OpenSSL's later objections kept as StructureProblems), extensions and GeneralNames, names with
// OpenSSL's canonical comparison, subject hash and printed forms (oneline, RFC 2253 as
// PostgreSQL matches it), signature algorithm identifiers (incl. RSASSA-PSS parameters),
// public keys, private keys in every form PostgreSQL accepts (incl. encrypted ones), the
// key/certificate match, and the summaries `pgtls show` prints. No signature checking here:
// that is the crypto layer's.

export * from './types.js';
export { parseAlgorithmIdentifier, describeSignatureAlgorithm, parsePssParams, PSS_DEFAULTS, HASH_BY_OID, HASH_OID } from './algorithms.js';
export {
  parseName,
  parseNameDer,
  parseRdn,
  canonicalName,
  compareNames,
  namesEqual,
  nameHash,
  nameHashOld,
  formatNameOneline,
  formatNameRfc2253,
  formatNamePostgres,
  formatNameSlashes,
  commonNames,
  postgresPeerCommonName,
  valueText,
  attributeTag,
} from './name.js';
export {
  parseGeneralName,
  parseGeneralNames,
  CERT_EXTENSION_DECODERS,
  CRL_EXTENSION_DECODERS,
  OPENSSL_CACHED_EXTENSIONS,
  OPENSSL_SUPPORTED_CRITICAL_EXTENSIONS,
} from './extensions.js';
export {
  parseCertificate,
  parseCertificates,
  parseCertificateBlock,
  loadCertificate,
  loadCertificateBlock,
  d2iCertificate,
  opensslLoadRefusal,
  type CertificateReader,
  CERTIFICATE_LABELS,
  type ParseCertificatesOptions,
} from './certificate.js';
export { parseCrl, parseCrls, parseCrlBlock, loadCrl, CRL_LABELS } from './crl.js';
export {
  parseSpki,
  parseSpkiTlv,
  parsePrivateKey,
  parsePrivateKeyBlock,
  parsePkcs8,
  parseRsaPrivateKey,
  parseEcPrivateKey,
  publicKeyFromPrivate,
  publicKeysEqual,
  keyMatchesCertificate,
  encodeSpki,
  describePublicKey,
  CURVE_BY_OID,
  CURVE_OID,
} from './keys.js';
export { decryptPkcs8, decryptLegacyPem, evpBytesToKey, MAX_PBKDF2_ITERATIONS } from './encrypted-key.js';
export { WrongPemLabelError, PassphraseRequiredError, BadPassphraseError, isX509InputError } from './errors.js';
export {
  summarizeCertificate,
  summarizeCrl,
  summarizePrivateKey,
  summarizePublicKey,
  formatSummary,
  formatOpensslTime,
  formatTime,
  formatSerial,
  formatGeneralName,
  formatSignatureAlgorithm,
  fingerprint,
  colonHex,
  keyUsageNames,
  nsCertTypeNames,
  relativeValidity,
  KEY_USAGE_NAMES,
  CRL_REASON_NAMES,
  type CertificateSummary,
  type CrlSummary,
  type KeySummary,
} from './describe.js';
