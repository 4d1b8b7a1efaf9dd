// The X.509 data model: what a parsed certificate, CRL, name or key looks like to every
// layer above (crypto verifies with these keys, path builds chains of these certificates,
// tls13 and pg carry them). Types only; the parsers live beside this file.

import type { BerDeviation, BitString, DecodedString, DecodedTime, DerError } from '../der/index.js';

export interface AlgorithmIdentifier {
  oid: string;
  /** DER of the parameters element, undefined when parameters are absent (not NULL: NULL is 05 00) */
  parameters?: Uint8Array;
  /** DER of the whole AlgorithmIdentifier, for exact comparisons (tbs vs outer signature) */
  bytes: Uint8Array;
}

export type HashName =
  | 'md2'
  | 'md5'
  | 'sha1'
  | 'sha224'
  | 'sha256'
  | 'sha384'
  | 'sha512'
  | 'sha512-224'
  | 'sha512-256'
  | 'sha3-224'
  | 'sha3-256'
  | 'sha3-384'
  | 'sha3-512';

export interface PssParams {
  hash: HashName;
  mgfHash: HashName;
  saltLength: number;
  trailerField: number;
}

/** A signature algorithm identifier, understood. */
export type SignatureAlgorithm =
  | { kind: 'rsa-pkcs1'; oid: string; hash: HashName }
  | { kind: 'rsa-pss'; oid: string; pss: PssParams }
  | { kind: 'ecdsa'; oid: string; hash: HashName }
  | { kind: 'ed25519'; oid: string }
  | { kind: 'ed448'; oid: string }
  | { kind: 'dsa'; oid: string; hash: HashName }
  /** SM2-with-SM3 (GB/T 32918.2): SM3 over Z || message, Z from the key and a distinguishing ID */
  | { kind: 'sm2'; oid: string }
  | { kind: 'unknown'; oid: string; reason: string };

export type EcCurve = 'P-256' | 'P-384' | 'P-521';

export type PublicKey =
  | {
      kind: 'rsa';
      n: bigint;
      e: bigint;
      /** modulus size in bits */
      bits: number;
      /** present for id-RSASSA-PSS keys; `restricted` holds the key's PSS parameters when given */
      pss?: { restricted?: PssParams };
    }
  | { kind: 'ec'; curve: EcCurve /** SEC1 point as encoded (04||X||Y or compressed) */; point: Uint8Array; bits: number }
  | { kind: 'ed25519' | 'ed448'; key: Uint8Array; bits: number }
  | { kind: 'unknown'; algorithm: AlgorithmIdentifier; key: Uint8Array; bits: number; reason: string };

export type PrivateKey =
  | {
      kind: 'rsa';
      n: bigint;
      e: bigint;
      d: bigint;
      p: bigint;
      q: bigint;
      dp: bigint;
      dq: bigint;
      qi: bigint;
      /** id-RSASSA-PSS key */
      pss?: { restricted?: PssParams };
    }
  | { kind: 'ec'; curve: EcCurve; d: Uint8Array /** uncompressed public point when known */; publicPoint?: Uint8Array }
  | { kind: 'ed25519' | 'ed448'; seed: Uint8Array; publicKey?: Uint8Array };

/** One attribute of a relative distinguished name. */
export interface NameAttribute {
  oid: string;
  /** decoded text when the value is a character string; raw DER otherwise */
  value: DecodedString | { type: 'non-string'; tag: number; der: Uint8Array };
}

export interface Name {
  /** RDNs in encoded order; each is a SET of one or more attributes */
  rdns: NameAttribute[][];
  /** DER of the whole Name (issuer/subject exactly as encoded) */
  der: Uint8Array;
}

export type GeneralName =
  | { type: 'dns'; value: string }
  | { type: 'email'; value: string }
  | { type: 'uri'; value: string }
  /** 4 or 16 bytes in SAN; 8 or 32 (address + mask) in name constraints */
  | { type: 'ip'; bytes: Uint8Array }
  | { type: 'dirName'; name: Name }
  | { type: 'otherName'; oid: string; value: Uint8Array }
  | { type: 'registeredID'; oid: string }
  | { type: 'x400Address' | 'ediPartyName'; der: Uint8Array };

export interface Extension {
  oid: string;
  critical: boolean;
  /** contents of extnValue (the DER of the extension's own structure) */
  value: Uint8Array;
  /** offset of extnValue contents in the certificate, for error locations */
  offset: number;
}

/** keyUsage bits, in X.509 bit order: digitalSignature is bit 0. */
export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

export interface DistributionPoint {
  fullName?: GeneralName[];
  relativeName?: NameAttribute[];
  reasons?: BitString;
  crlIssuer?: GeneralName[];
}

export interface GeneralSubtree {
  base: GeneralName;
  minimum: number;
  maximum?: number;
}

export interface PolicyInformation {
  oid: string;
  qualifiers: { oid: string; der: Uint8Array }[];
}

/** Decoded contents of the extensions pgtls understands. Absent = extension not present. */
export interface CertExtensions {
  basicConstraints?: { ca: boolean; pathLen?: number; critical: boolean };
  /** `bits` has bit i set for X.509 bit i (see KeyUsageBit); `raw` as encoded */
  keyUsage?: { bits: number; raw: BitString; critical: boolean };
  extKeyUsage?: { oids: string[]; critical: boolean };
  subjectKeyIdentifier?: Uint8Array;
  authorityKeyIdentifier?: { keyId?: Uint8Array; issuer?: GeneralName[]; serial?: Uint8Array };
  subjectAltName?: { names: GeneralName[]; critical: boolean };
  issuerAltName?: GeneralName[];
  nameConstraints?: { permitted?: GeneralSubtree[]; excluded?: GeneralSubtree[]; critical: boolean };
  certificatePolicies?: PolicyInformation[];
  policyMappings?: { issuerDomainPolicy: string; subjectDomainPolicy: string }[];
  policyConstraints?: { requireExplicitPolicy?: number; inhibitPolicyMapping?: number };
  inhibitAnyPolicy?: number;
  crlDistributionPoints?: DistributionPoint[];
  authorityInfoAccess?: { method: string; location: GeneralName }[];
  /** Netscape cert type bits as OpenSSL stores them (NS_SSL_CLIENT 0x80, NS_SSL_SERVER 0x40, ... NS_SSL_CA 0x04) */
  netscapeCertType?: number;
}

/**
 * Something wrong inside an otherwise parseable certificate or CRL. OpenSSL parses such
 * certificates and only rejects them during verification (EXFLAG_INVALID and friends), so
 * pgtls keeps them as data and lets the validator decide.
 */
export interface StructureProblem {
  code:
    | 'DUPLICATE_EXTENSION'
    | 'BAD_EXTENSION' // an extension we understand whose contents do not decode
    | 'EXTENSIONS_IN_V1' // extensions or unique IDs with a version that does not allow them
    | 'BAD_VERSION'
    | 'SIGNATURE_ALGORITHM_MISMATCH' // tbs signature != outer signatureAlgorithm
    | 'BAD_TIME' // validity not in RFC 5280 form
    | 'NEGATIVE_SERIAL'
    | 'ZERO_SERIAL'
    | 'LONG_SERIAL' // more than 20 octets
    | 'BAD_PUBLIC_KEY'
    | 'BER_ENCODING' // not DER, but a BER form OpenSSL's d2i reads (see `deviation`); OpenSSL does not object
    | 'OTHER';
  message: string;
  /** the extension OID when the problem is about one */
  oid?: string;
  error?: DerError;
  /** for BER_ENCODING: which deviation from DER, where */
  deviation?: BerDeviation;
  /**
   * What OpenSSL 3.0 makes of this problem, when it objects at all:
   * - true: it loads the certificate but marks it EXFLAG_INVALID (a duplicate or undecodable
   *   extension among those ossl_x509v3_cache_extensions decodes, a negative
   *   pathLenConstraint, an empty keyUsage): verification then fails;
   * - 'load': it cannot load it at all (d2i_X509 / d2i_X509_CRL fail: a name value that is
   *   not an allowed string type or not valid in its type). `opensslLoadRefusal` finds these;
   *   the loaders (`loadCertificate`, `loadCrl`, `parseCertificates`, `parseCrls`) refuse them.
   */
  opensslInvalid?: boolean | 'load';
}

export interface Certificate {
  /**
   * the whole certificate as given; for one loaded from BER (BER_ENCODING problems), the
   * DER OpenSSL re-emits for it (i2d_X509: tbsCertificate as received, the rest re-encoded)
   */
  der: Uint8Array;
  /** exact bytes of tbsCertificate: what the signature covers */
  tbs: Uint8Array;
  /** 1, 2 or 3 as encoded + 1 (the raw INTEGER value is `versionRaw`) */
  version: number;
  versionRaw: number;
  serial: { bytes: Uint8Array; value: bigint };
  /** signature field inside tbsCertificate */
  tbsSignatureAlgorithm: AlgorithmIdentifier;
  /** outer signatureAlgorithm */
  signatureAlgorithm: AlgorithmIdentifier;
  signature: BitString;
  issuer: Name;
  subject: Name;
  notBefore: DecodedTime;
  notAfter: DecodedTime;
  /** DER of subjectPublicKeyInfo */
  spki: Uint8Array;
  publicKey: PublicKey;
  issuerUniqueId?: BitString;
  subjectUniqueId?: BitString;
  extensions: Extension[];
  ext: CertExtensions;
  problems: StructureProblem[];
}

export interface RevokedEntry {
  serial: { bytes: Uint8Array; value: bigint };
  revocationDate: DecodedTime;
  /** CRLReason code (RFC 5280 §5.3.1) */
  reason?: number;
  invalidityDate?: DecodedTime;
  certificateIssuer?: GeneralName[];
  extensions: Extension[];
}

export interface IssuingDistributionPoint {
  distributionPoint?: { fullName?: GeneralName[]; relativeName?: NameAttribute[] };
  onlyContainsUserCerts: boolean;
  onlyContainsCACerts: boolean;
  onlySomeReasons?: BitString;
  indirectCRL: boolean;
  onlyContainsAttributeCerts: boolean;
}

export interface Crl {
  /** as for Certificate.der: as given, or OpenSSL's re-encoding (i2d_X509_CRL) when read from BER */
  der: Uint8Array;
  tbs: Uint8Array;
  /** 1 or 2 */
  version: number;
  tbsSignatureAlgorithm: AlgorithmIdentifier;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: BitString;
  issuer: Name;
  thisUpdate: DecodedTime;
  nextUpdate?: DecodedTime;
  revoked: RevokedEntry[];
  extensions: Extension[];
  ext: {
    crlNumber?: bigint;
    deltaCrlIndicator?: bigint;
    authorityKeyIdentifier?: CertExtensions['authorityKeyIdentifier'];
    issuingDistributionPoint?: IssuingDistributionPoint;
  };
  problems: StructureProblem[];
}
