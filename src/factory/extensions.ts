// Certificate, CRL and CRL entry extensions from specs: every extension PostgreSQL setups and
// the conformance suites use, OpenSSL's default criticality, key identifiers computed as
// OpenSSL computes them, and raw extensions for anything else.

import { hash } from '../crypto/index.js';
import { OID, Tag, parseDer } from '../der/index.js';
import {
  type Node,
  bits,
  bool,
  ctxCons,
  der,
  enumerated,
  implicitCons,
  implicitOf,
  implicitPrim,
  int,
  octets,
  oid,
  prim,
  seq,
} from './asn1.js';
import { FactoryError } from './errors.js';
import { type GeneralNameSpec, ascii, generalName, generalNames } from './general-names.js';
import { type StringPolicy, asString } from './names.js';
import { encodeTime } from './times.js';

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

/** Contents of the subjectPublicKey BIT STRING of a SubjectPublicKeyInfo. */
export function spkiKeyBits(spki: Uint8Array): Uint8Array {
  const t = parseDer(spki, 'subjectPublicKeyInfo');
  const kids = t.children();
  const bs = kids[1];
  if (!bs || bs.tag !== Tag.BIT_STRING) throw new FactoryError('SubjectPublicKeyInfo has no BIT STRING');
  return bs.content().subarray(1);
}

/** OpenSSL's `subjectKeyIdentifier=hash`: SHA-1 of the public key bits (RFC 5280 §4.2.1.2 method 1). */
export const keyIdOf = (spki: Uint8Array): Uint8Array => hash('sha1', spkiKeyBits(spki));

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
        if (typeof e.serial === 'bigint') parts.push(implicitOf(2, int(e.serial)));
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
      if (e.requireExplicitPolicy !== undefined) parts.push(implicitOf(0, int(e.requireExplicitPolicy)));
      if (e.inhibitPolicyMapping !== undefined) parts.push(implicitOf(1, int(e.inhibitPolicyMapping)));
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
      if (e.onlySomeReasons) parts.push(implicitOf(3, namedBits(e.onlySomeReasons)));
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
