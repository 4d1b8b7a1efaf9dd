// DER encoders for the pieces of certificates, CRLs and keys the factory builds: algorithm
// identifiers, names, times, general names, extensions, SubjectPublicKeyInfo and private key
// encodings (PKCS#8, PKCS#1, SEC1). Defaults follow what OpenSSL 3.0 writes so generated
// files look like `openssl req`/`openssl x509` output; every default can be overridden,
// including with malformed values, because tests and the fuzzer need wrong inputs too.

import { hash, hashLength } from '../crypto/index.js';
import { OID, oidShortName, oidLongName, pemEncode, utf8Encode, parseDer, Tag } from '../der/index.js';
import type { EcCurve, HashName, PrivateKey, PublicKey, PssParams, SignatureAlgorithm } from '../x509/types.js';
import { publicKeyFromPrivate } from '../x509/keys.js';
import { HASH_OID } from '../x509/algorithms.js';
import { IP_TEXT, parseIpAddress } from '../x509/ip-address.js';
import {
  type Node,
  bits,
  bool,
  ctxCons,
  der,
  enumerated,
  implicitCons,
  implicitPrim,
  int,
  nul,
  octets,
  oid,
  prim,
  raw,
  seq,
  set,
} from './asn1.js';

export class FactoryError extends Error {
  override readonly name = 'FactoryError';
}

// ---------------------------------------------------------------------------------------
// Algorithm identifiers

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

// ---------------------------------------------------------------------------------------
// Names

export type StringKind = 'utf8' | 'printable' | 'ia5' | 'teletex' | 'bmp' | 'universal' | 'visible' | 'numeric';

const STRING_TAG: Record<StringKind, number> = {
  utf8: Tag.UTF8String,
  printable: Tag.PrintableString,
  ia5: Tag.IA5String,
  teletex: Tag.T61String,
  bmp: Tag.BMPString,
  universal: Tag.UniversalString,
  visible: Tag.VisibleString,
  numeric: Tag.NumericString,
};

/** Content octets of `text` in a string type; characters the type cannot hold are kept as their low byte (on purpose: wrong input is allowed). */
export function stringContent(kind: StringKind, text: string): Uint8Array {
  if (kind === 'utf8') return utf8Encode(text);
  const cps = [...text].map((c) => c.codePointAt(0)!);
  if (kind === 'bmp') {
    const out = new Uint8Array(cps.length * 2);
    cps.forEach((c, i) => {
      out[2 * i] = (c >> 8) & 0xff;
      out[2 * i + 1] = c & 0xff;
    });
    return out;
  }
  if (kind === 'universal') {
    const out = new Uint8Array(cps.length * 4);
    cps.forEach((c, i) => {
      new DataView(out.buffer).setUint32(4 * i, c);
    });
    return out;
  }
  return Uint8Array.from(cps, (c) => c & 0xff);
}

export const asString = (kind: StringKind, text: string): Node => prim(STRING_TAG[kind], stringContent(kind, text));

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * Attribute types whose string type OpenSSL fixes regardless of the string mask
 * (ASN1_STRING_TABLE entries with STABLE_NO_MASK in crypto/asn1/a_strnid.c).
 */
const FIXED_TYPE: Record<string, StringKind> = {
  [OID.countryName]: 'printable',
  [OID.serialNumber]: 'printable',
  [OID.dnQualifier]: 'printable',
  [OID.emailAddress]: 'ia5',
  [OID.domainComponent]: 'ia5',
  [OID.jurisdictionCountryName]: 'printable',
};

/**
 * How to choose string types: `utf8only` is OpenSSL 3.0 with the stock openssl.cnf
 * (`string_mask = utf8only`: UTF8String except the fixed types above); `printable` is
 * PrintableString when every character allows it, else UTF8String (the RFC 5280 advice and
 * OpenSSL's `string_mask = pkix`-like behaviour).
 */
export type StringPolicy = 'utf8only' | 'printable';

export interface NameAttrSpec {
  /** short name (CN, O, emailAddress, UID...), long name, or dotted OID */
  type: string;
  value: string;
  /** force a string type */
  as?: StringKind;
}
/** One attribute whose value is raw DER (any tag), for wrong-on-purpose names. */
export interface RawNameAttrSpec {
  type: string;
  der: Uint8Array;
}

/**
 * A distinguished name: an OpenSSL-style `/CN=x/O=y` string (`+` joins a multi-valued RDN,
 * `\` escapes), a list of RDNs (each an object `{CN:'x'}` whose keys form one RDN, an
 * attribute spec, or a list of attribute specs), or raw Name DER.
 */
export type NameSpec =
  | string
  | Uint8Array
  | Array<Record<string, string> | NameAttrSpec | RawNameAttrSpec | (NameAttrSpec | RawNameAttrSpec)[]>;

const NAME_TO_OID: Record<string, string> = {};
for (const o of Object.values(OID)) {
  NAME_TO_OID[oidShortName(o).toLowerCase()] ??= o;
  NAME_TO_OID[oidLongName(o).toLowerCase()] ??= o;
}
NAME_TO_OID.email = OID.emailAddress;
NAME_TO_OID.e = OID.emailAddress;

export function attributeOid(type: string): string {
  if (/^\d+(\.\d+)+$/.test(type)) return type;
  const o = NAME_TO_OID[type.toLowerCase()];
  if (!o) throw new FactoryError(`unknown name attribute type '${type}'`);
  return o;
}

function chooseString(o: string, value: string, policy: StringPolicy): StringKind {
  const fixed = FIXED_TYPE[o];
  if (fixed) return fixed;
  if (policy === 'printable' && PRINTABLE.test(value)) return 'printable';
  return 'utf8';
}

/** Parse `/CN=a/O=b+OU=c` into RDNs of attribute specs (OpenSSL's parse_name rules). */
export function parseSlashName(s: string): NameAttrSpec[][] {
  if (!s.startsWith('/')) throw new FactoryError(`name '${s}' must start with '/' (as in -subj "/CN=host")`);
  const rdns: NameAttrSpec[][] = [];
  let cur: NameAttrSpec[] = [];
  let field = '';
  const fields: { text: string; plus: boolean }[] = [];
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) field += s[++i];
    else if (c === '/' || c === '+') {
      fields.push({ text: field, plus: c === '+' });
      field = '';
    } else field += c;
  }
  if (field !== '' || fields.length > 0) fields.push({ text: field, plus: false });
  for (const f of fields) {
    const eq = f.text.indexOf('=');
    if (eq <= 0) throw new FactoryError(`name component '${f.text}' has no '=' in '${s}'`);
    cur.push({ type: f.text.slice(0, eq), value: f.text.slice(eq + 1) });
    if (!f.plus) {
      rdns.push(cur);
      cur = [];
    }
  }
  if (cur.length) rdns.push(cur);
  return rdns;
}

export function encodeName(spec: NameSpec, policy: StringPolicy = 'utf8only'): Uint8Array {
  if (spec instanceof Uint8Array) return spec;
  const rdns: (NameAttrSpec | RawNameAttrSpec)[][] =
    typeof spec === 'string'
      ? parseSlashName(spec)
      : spec.map((r) =>
          Array.isArray(r)
            ? r
            : 'type' in r &&
                ('value' in r || 'der' in r) &&
                typeof r.type === 'string' &&
                Object.keys(r).every((k) => ['type', 'value', 'as', 'der'].includes(k))
              ? [r as NameAttrSpec | RawNameAttrSpec]
              : Object.entries(r as Record<string, string>).map(([type, value]) => ({ type, value })),
        );
  return der(
    seq(
      ...rdns.map((rdn) =>
        set(
          rdn.map((a) => {
            const o = attributeOid(a.type);
            const v = 'der' in a ? raw(a.der) : asString(a.as ?? chooseString(o, a.value, policy), a.value);
            return seq(oid(o), v);
          }),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------
// Time

/**
 * A time field: a Date (UTCTime before 2050, GeneralizedTime from 2050, as RFC 5280 §4.1.2.5
 * and OpenSSL's ASN1_TIME_set), a Date forced into one type, or raw text under either tag
 * (for malformed times: `{ type: 'utc', text: '2501011200Z' }`).
 */
export type TimeSpec = Date | { date: Date; type: 'utc' | 'generalized' } | { text: string; type: 'utc' | 'generalized' };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function timeText(d: Date, type: 'utc' | 'generalized'): string {
  const y = d.getUTCFullYear();
  const rest = `${pad(d.getUTCMonth() + 1) + pad(d.getUTCDate()) + pad(d.getUTCHours()) + pad(d.getUTCMinutes()) + pad(d.getUTCSeconds())}Z`;
  return (type === 'utc' ? pad(y % 100) : pad(y, 4)) + rest;
}

export function encodeTime(t: TimeSpec): Node {
  let type: 'utc' | 'generalized';
  let text: string;
  if (t instanceof Date) {
    if (Number.isNaN(t.getTime())) throw new FactoryError('invalid Date in time field');
    const y = t.getUTCFullYear();
    type = y >= 1950 && y < 2050 ? 'utc' : 'generalized';
    text = timeText(t, type);
  } else if ('date' in t) {
    type = t.type;
    text = timeText(t.date, type);
  } else {
    type = t.type;
    text = t.text;
  }
  return prim(
    type === 'utc' ? Tag.UTCTime : Tag.GeneralizedTime,
    Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff),
  );
}

// ---------------------------------------------------------------------------------------
// General names

/**
 * A GeneralName: OpenSSL config syntax (`DNS:db.example.com`, `IP:10.0.0.1`, `IP:::1`,
 * `email:a@b`, `URI:https://x`, `dirName:/CN=x`, `RID:1.2.3`; in name constraints
 * `IP:10.0.0.0/255.0.0.0` or `IP:10.0.0.0/8`) or an object.
 */
export type GeneralNameSpec =
  | string
  | { dns: string }
  | { email: string }
  | { uri: string }
  | { ip: string | Uint8Array }
  | { dirName: NameSpec }
  | { rid: string }
  | { otherName: { oid: string; value: Uint8Array } }
  | { raw: Uint8Array };

/**
 * The iPAddress octets of an `IP:` value, read as OpenSSL reads it (a2i_IPADDRESS: "01.2.3.4"
 * and "+1.2.3.4" are 1.2.3.4). In name constraints `address/mask` (a2i_IPADDRESS_NC) gives the
 * address then the mask; beyond OpenSSL, `address/N` takes a prefix length for the mask.
 */
export function parseIp(s: string): Uint8Array {
  const slash = s.indexOf('/');
  if (slash >= 0) {
    const addr = parseIp(s.slice(0, slash));
    const m = s.slice(slash + 1);
    let mask: Uint8Array;
    if (/^\d+$/.test(m)) {
      const n = Number(m);
      if (n > addr.length * 8) throw new FactoryError(`prefix length ${n} too long in '${s}'`);
      mask = new Uint8Array(addr.length);
      for (let i = 0; i < n; i++) mask[i >> 3] |= 0x80 >> (i & 7);
    } else mask = parseIp(m);
    if (mask.length !== addr.length) throw new FactoryError(`address and mask of different families in '${s}'`);
    const out = new Uint8Array(addr.length * 2);
    out.set(addr);
    out.set(mask, addr.length);
    return out;
  }
  const a = parseIpAddress(s, IP_TEXT.openssl);
  if (!a) throw new FactoryError(`bad IP address '${s}'`);
  return a.bytes;
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

export function generalName(g: GeneralNameSpec, policy: StringPolicy = 'utf8only'): Node {
  if (typeof g === 'string') {
    const c = g.indexOf(':');
    if (c <= 0) throw new FactoryError(`general name '${g}' needs a type prefix (DNS:, IP:, email:, URI:, dirName:, RID:)`);
    const kind = g.slice(0, c).toLowerCase();
    const v = g.slice(c + 1);
    const table: Record<string, () => GeneralNameSpec> = {
      dns: () => ({ dns: v }),
      ip: () => ({ ip: v }),
      email: () => ({ email: v }),
      uri: () => ({ uri: v }),
      dirname: () => ({ dirName: v }),
      rid: () => ({ rid: v }),
    };
    const f = table[kind];
    if (!f) throw new FactoryError(`unknown general name type '${g.slice(0, c)}'`);
    return generalName(f(), policy);
  }
  if ('dns' in g) return implicitPrim(2, ascii(g.dns));
  if ('email' in g) return implicitPrim(1, ascii(g.email));
  if ('uri' in g) return implicitPrim(6, ascii(g.uri));
  if ('ip' in g) return implicitPrim(7, typeof g.ip === 'string' ? parseIp(g.ip) : g.ip);
  if ('dirName' in g) return ctxCons(4, raw(encodeName(g.dirName, policy)));
  if ('rid' in g) return raw(retagPrim(der(oid(g.rid)), 0x88));
  if ('otherName' in g) return implicitCons(0, seq(oid(g.otherName.oid), ctxCons(0, raw(g.otherName.value))));
  return raw(g.raw);
}

function retagPrim(d: Uint8Array, tag: number): Uint8Array {
  const o = d.slice();
  o[0] = tag;
  return o;
}

export const generalNames = (names: GeneralNameSpec[], policy?: StringPolicy): Node => seq(...names.map((n) => generalName(n, policy)));

// ---------------------------------------------------------------------------------------
// Extensions

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';
const KU_ORDER: KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

const EKU_NAMES: Record<string, string> = {
  serverAuth: OID.serverAuth,
  clientAuth: OID.clientAuth,
  codeSigning: OID.codeSigning,
  emailProtection: OID.emailProtection,
  timeStamping: OID.timeStamping,
  OCSPSigning: OID.OCSPSigning,
  anyExtendedKeyUsage: OID.anyExtendedKeyUsage,
};

const NS_CERT_TYPE: Record<string, number> = { client: 0, server: 1, email: 2, objsign: 3, reserved: 4, sslCA: 5, emailCA: 6, objCA: 7 };

/** A named-bit BIT STRING in DER: trailing zero bits removed, unused bits counted. */
export function namedBits(set_: number[]): Node {
  if (set_.length === 0) return bits(new Uint8Array(0), 0);
  const hi = Math.max(...set_);
  const bytes = new Uint8Array((hi >> 3) + 1);
  for (const b of set_) bytes[b >> 3] |= 0x80 >> (b & 7);
  return bits(bytes, 7 - (hi & 7));
}

/** What the factory knows when it encodes extensions that refer to keys or the issuer. */
export interface ExtensionContext {
  /** DER SubjectPublicKeyInfo of the subject (for SKI) */
  subjectSpki?: Uint8Array;
  /** the issuer: its key identifier (its SKI, or the hash of its key); the issuer's own issuer name and its serial (AKI issuer+serial) */
  issuerKeyId?: Uint8Array;
  issuerName?: Uint8Array;
  issuerSerial?: Uint8Array;
  policy?: StringPolicy;
}

type Crit = { critical?: boolean };
export type ExtensionSpec = Crit &
  (
    | { type: 'basicConstraints'; ca: boolean; pathLen?: number /** encode cA FALSE explicitly (not DER) */; explicitFalse?: boolean }
    | { type: 'keyUsage'; usages: KeyUsageName[] }
    | { type: 'extKeyUsage'; usages: string[] }
    | { type: 'subjectKeyIdentifier'; keyId?: Uint8Array }
    | { type: 'authorityKeyIdentifier'; keyId?: Uint8Array | false; issuer?: boolean | GeneralNameSpec[]; serial?: boolean | bigint }
    | { type: 'subjectAltName' | 'issuerAltName'; names: GeneralNameSpec[] }
    | { type: 'nameConstraints'; permitted?: GeneralNameSpec[]; excluded?: GeneralNameSpec[] }
    | { type: 'certificatePolicies'; policies: (string | { oid: string; cps?: string[]; userNotice?: string })[] }
    | { type: 'crlDistributionPoints'; points: (string | { fullName?: GeneralNameSpec[]; crlIssuer?: GeneralNameSpec[] })[] }
    | { type: 'authorityInfoAccess'; ocsp?: string[]; caIssuers?: string[] }
    | { type: 'netscapeCertType'; types: (keyof typeof NS_CERT_TYPE)[] }
    | { type: 'inhibitAnyPolicy'; skipCerts: number }
    | { type: 'policyConstraints'; requireExplicitPolicy?: number; inhibitPolicyMapping?: number }
    // CRL and CRL entry extensions
    | { type: 'crlNumber' | 'deltaCrlIndicator'; value: bigint | number }
    | {
        type: 'issuingDistributionPoint';
        fullName?: GeneralNameSpec[];
        onlyContainsUserCerts?: boolean;
        onlyContainsCACerts?: boolean;
        indirectCRL?: boolean;
        onlySomeReasons?: number[];
      }
    | { type: 'crlReason'; reason: number }
    | { type: 'invalidityDate'; date: Date }
    | { type: 'raw'; oid: string; value: Uint8Array }
  );

export const SHA1 = (b: Uint8Array): Uint8Array => hash('sha1', b);

/** Contents of the subjectPublicKey BIT STRING of a SubjectPublicKeyInfo. */
export function spkiKeyBits(spki: Uint8Array): Uint8Array {
  const t = parseDer(spki, 'subjectPublicKeyInfo');
  const kids = t.children();
  const bs = kids[1];
  if (!bs || bs.tag !== Tag.BIT_STRING) throw new FactoryError('SubjectPublicKeyInfo has no BIT STRING');
  return bs.content().subarray(1);
}

/** OpenSSL's `subjectKeyIdentifier=hash`: SHA-1 of the public key bits (RFC 5280 §4.2.1.2 method 1). */
export const keyIdOf = (spki: Uint8Array): Uint8Array => SHA1(spkiKeyBits(spki));

const ORDERED_EXT_OID: Record<string, string> = {
  basicConstraints: OID.basicConstraints,
  keyUsage: OID.keyUsage,
  extKeyUsage: OID.extKeyUsage,
  subjectKeyIdentifier: OID.subjectKeyIdentifier,
  authorityKeyIdentifier: OID.authorityKeyIdentifier,
  subjectAltName: OID.subjectAltName,
  issuerAltName: OID.issuerAltName,
  nameConstraints: OID.nameConstraints,
  certificatePolicies: OID.certificatePolicies,
  crlDistributionPoints: OID.cRLDistributionPoints,
  authorityInfoAccess: OID.authorityInfoAccess,
  netscapeCertType: OID.netscapeCertType,
  inhibitAnyPolicy: OID.inhibitAnyPolicy,
  policyConstraints: OID.policyConstraints,
  crlNumber: OID.cRLNumber,
  deltaCrlIndicator: OID.deltaCRLIndicator,
  issuingDistributionPoint: OID.issuingDistributionPoint,
  crlReason: OID.cRLReason,
  invalidityDate: OID.invalidityDate,
};

/** The extnValue contents (the extension's own DER) and its OID. */
export function extensionValue(e: ExtensionSpec, ctx: ExtensionContext = {}): { oid: string; value: Uint8Array } {
  const policy = ctx.policy;
  const v = (n: Node) => ({ oid: e.type === 'raw' ? e.oid : ORDERED_EXT_OID[e.type], value: der(n) });
  switch (e.type) {
    case 'basicConstraints': {
      const parts: Node[] = [];
      if (e.ca || e.explicitFalse) parts.push(bool(e.ca));
      if (e.pathLen !== undefined) parts.push(int(e.pathLen));
      return v(seq(...parts));
    }
    case 'keyUsage':
      return v(namedBits(e.usages.map((u) => KU_ORDER.indexOf(u))));
    case 'extKeyUsage':
      return v(seq(...e.usages.map((u) => oid(EKU_NAMES[u] ?? u))));
    case 'subjectKeyIdentifier': {
      const id = e.keyId ?? (ctx.subjectSpki ? keyIdOf(ctx.subjectSpki) : undefined);
      if (!id) throw new FactoryError('subjectKeyIdentifier needs keyId or the subject public key');
      return v(octets(id));
    }
    case 'authorityKeyIdentifier': {
      const parts: Node[] = [];
      const id = e.keyId === false ? undefined : (e.keyId ?? ctx.issuerKeyId);
      if (id) parts.push(implicitPrim(0, id));
      if (e.issuer) {
        const names: GeneralNameSpec[] = Array.isArray(e.issuer) ? e.issuer : ctx.issuerName ? [{ dirName: ctx.issuerName }] : [];
        if (!names.length) throw new FactoryError('authorityKeyIdentifier issuer needs the issuer name');
        parts.push(implicitCons(1, generalNames(names, policy)));
      }
      if (e.serial !== undefined && e.serial !== false) {
        if (typeof e.serial === 'bigint') parts.push(implicitOf2(int(e.serial)));
        else if (ctx.issuerSerial) parts.push(implicitPrim(2, ctx.issuerSerial));
        else throw new FactoryError('authorityKeyIdentifier serial needs the issuer serial');
      }
      return v(seq(...parts));
    }
    case 'subjectAltName':
    case 'issuerAltName':
      return v(generalNames(e.names, policy));
    case 'nameConstraints': {
      const subtrees = (l: GeneralNameSpec[]) => seq(...l.map((g) => seq(generalName(g, policy))));
      const parts: Node[] = [];
      if (e.permitted) parts.push(implicitCons(0, subtrees(e.permitted)));
      if (e.excluded) parts.push(implicitCons(1, subtrees(e.excluded)));
      return v(seq(...parts));
    }
    case 'certificatePolicies':
      return v(
        seq(
          ...e.policies.map((p) => {
            if (typeof p === 'string') return seq(oid(p));
            const q: Node[] = [];
            for (const c of p.cps ?? []) q.push(seq(oid(OID.cps), prim(Tag.IA5String, ascii(c))));
            if (p.userNotice !== undefined) q.push(seq(oid(OID.userNotice), seq(asString('utf8', p.userNotice))));
            return q.length ? seq(oid(p.oid), seq(...q)) : seq(oid(p.oid));
          }),
        ),
      );
    case 'crlDistributionPoints':
      return v(
        seq(
          ...e.points.map((p) => {
            const dp = typeof p === 'string' ? { fullName: [{ uri: p }] as GeneralNameSpec[] } : p;
            const parts: Node[] = [];
            if (dp.fullName) parts.push(ctxCons(0, implicitCons(0, generalNames(dp.fullName, policy))));
            if ('crlIssuer' in dp && dp.crlIssuer) parts.push(implicitCons(2, generalNames(dp.crlIssuer, policy)));
            return seq(...parts);
          }),
        ),
      );
    case 'authorityInfoAccess':
      return v(
        seq(
          ...(e.ocsp ?? []).map((u) => seq(oid(OID.ocsp), generalName({ uri: u }))),
          ...(e.caIssuers ?? []).map((u) => seq(oid(OID.caIssuers), generalName({ uri: u }))),
        ),
      );
    case 'netscapeCertType':
      return v(namedBits(e.types.map((t) => NS_CERT_TYPE[t])));
    case 'inhibitAnyPolicy':
      return v(int(e.skipCerts));
    case 'policyConstraints': {
      const parts: Node[] = [];
      if (e.requireExplicitPolicy !== undefined) parts.push(implicitPrim(0, integerContent(BigInt(e.requireExplicitPolicy))));
      if (e.inhibitPolicyMapping !== undefined) parts.push(implicitPrim(1, integerContent(BigInt(e.inhibitPolicyMapping))));
      return v(seq(...parts));
    }
    case 'crlNumber':
    case 'deltaCrlIndicator':
      return v(int(e.value));
    case 'issuingDistributionPoint': {
      const parts: Node[] = [];
      if (e.fullName) parts.push(ctxCons(0, implicitCons(0, generalNames(e.fullName, policy))));
      if (e.onlyContainsUserCerts) parts.push(implicitPrim(1, Uint8Array.of(0xff)));
      if (e.onlyContainsCACerts) parts.push(implicitPrim(2, Uint8Array.of(0xff)));
      if (e.onlySomeReasons) parts.push(retagNode(namedBits(e.onlySomeReasons), 0x83));
      if (e.indirectCRL) parts.push(implicitPrim(4, Uint8Array.of(0xff)));
      return v(seq(...parts));
    }
    case 'crlReason':
      return v(enumerated(e.reason));
    case 'invalidityDate':
      return v(encodeTime({ date: e.date, type: 'generalized' }));
    case 'raw':
      return { oid: e.oid, value: e.value };
  }
}

function implicitOf2(n: Node): Node {
  return retagNode(n, 0x82);
}
function retagNode(n: Node, tag: number): Node {
  return raw(retagPrim(der(n), tag));
}

/** One Extension: SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue }. */
export function encodeExtension(e: ExtensionSpec, ctx: ExtensionContext = {}): Node {
  const { oid: o, value } = extensionValue(e, ctx);
  const critical = e.critical ?? defaultCritical(e);
  return critical ? seq(oid(o), bool(true), octets(value)) : seq(oid(o), octets(value));
}

/** Criticality when the spec does not say: OpenSSL's v3_ca (basicConstraints critical,CA:true) and RFC 5280 §5.2.5 (IDP is critical). */
function defaultCritical(e: ExtensionSpec): boolean {
  return (e.type === 'basicConstraints' && e.ca) || e.type === 'issuingDistributionPoint';
}

export const encodeExtensions = (list: ExtensionSpec[], ctx: ExtensionContext = {}): Node =>
  seq(...list.map((e) => encodeExtension(e, ctx)));

// ---------------------------------------------------------------------------------------
// Keys

const CURVE_OID: Record<EcCurve, string> = { 'P-256': OID.prime256v1, 'P-384': OID.secp384r1, 'P-521': OID.secp521r1 };
const CURVE_BYTES: Record<EcCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

const bigNode = (v: bigint): Node => int(v);

function rsaKeyAlgorithm(pss?: { restricted?: PssParams }): Node {
  if (!pss) return seq(oid(OID.rsaEncryption), nul());
  return pss.restricted ? seq(oid(OID.rsassaPss), pssParams(pss.restricted)) : seq(oid(OID.rsassaPss));
}

/** SubjectPublicKeyInfo DER: the x509 layer owns it (one encoder for the whole project). */
export { encodeSpki } from '../x509/keys.js';

/** PKCS#1 RSAPrivateKey (two-prime). */
export function encodeRsaPrivateKey(k: Extract<PrivateKey, { kind: 'rsa' }>): Uint8Array {
  return der(seq(int(0), ...[k.n, k.e, k.d, k.p, k.q, k.dp, k.dq, k.qi].map(bigNode)));
}

function fixedD(k: Extract<PrivateKey, { kind: 'ec' }>): Uint8Array {
  const n = CURVE_BYTES[k.curve];
  if (k.d.length === n) return k.d;
  const out = new Uint8Array(n);
  out.set(k.d.subarray(Math.max(0, k.d.length - n)), Math.max(0, n - k.d.length));
  return out;
}

/** SEC1 ECPrivateKey; `withCurve` adds [0] parameters (the standalone "EC PRIVATE KEY" form does, PKCS#8's inner one does not). */
export function encodeEcPrivateKey(k: Extract<PrivateKey, { kind: 'ec' }>, withCurve = true): Uint8Array {
  const parts: Node[] = [int(1), octets(fixedD(k))];
  if (withCurve) parts.push(ctxCons(0, oid(CURVE_OID[k.curve])));
  // OpenSSL always writes the public key; derive it when the key does not carry it
  const point = k.publicPoint ?? (publicKeyFromPrivate(k) as Extract<PublicKey, { kind: 'ec' }>).point;
  parts.push(ctxCons(1, bits(point)));
  return der(seq(...parts));
}

/** PKCS#8 PrivateKeyInfo (unencrypted), as `openssl genpkey`/`req -nodes` write it. */
export function encodePkcs8(k: PrivateKey): Uint8Array {
  switch (k.kind) {
    case 'rsa':
      return der(seq(int(0), rsaKeyAlgorithm(k.pss), octets(encodeRsaPrivateKey(k))));
    case 'ec':
      return der(seq(int(0), seq(oid(OID.ecPublicKey), oid(CURVE_OID[k.curve])), octets(encodeEcPrivateKey(k, false))));
    case 'ed25519':
    case 'ed448':
      return der(seq(int(0), seq(oid(k.kind === 'ed25519' ? OID.ed25519 : OID.ed448)), octets(der(octets(k.seed)))));
  }
}

export type PrivateKeyFormat = 'pkcs8' | 'pkcs1' | 'sec1';

/** PEM with OpenSSL's labels: PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY. */
export function privateKeyPem(k: PrivateKey, format: PrivateKeyFormat = 'pkcs8'): string {
  if (format === 'pkcs8') return pemEncode('PRIVATE KEY', encodePkcs8(k));
  if (format === 'pkcs1') {
    if (k.kind !== 'rsa') throw new FactoryError(`PKCS#1 holds RSA keys only, not ${k.kind}`);
    return pemEncode('RSA PRIVATE KEY', encodeRsaPrivateKey(k));
  }
  if (k.kind !== 'ec') throw new FactoryError(`SEC1 holds EC keys only, not ${k.kind}`);
  return pemEncode('EC PRIVATE KEY', encodeEcPrivateKey(k, true));
}

/** Minimal two's-complement content octets of a non-negative or negative integer. */
export function integerContent(v: bigint): Uint8Array {
  return parseDer(der(int(v))).content();
}
