// Extension contents: GeneralName(s) and the decoder of every certificate and CRL extension
// pgtls understands, plus the list of extensions OpenSSL itself decodes when it caches a
// certificate's extensions (ossl_x509v3_cache_extensions): a duplicate or undecodable one of
// those sets EXFLAG_INVALID, so the validator must know which they are.

import { OID, Tag, der, type BitString, type Tlv } from '../der/index.js';
import { parseName, parseRdn } from './name.js';
import type {
  CertExtensions,
  DistributionPoint,
  GeneralName,
  GeneralSubtree,
  IssuingDistributionPoint,
  NameAttribute,
  PolicyInformation,
} from './types.js';
import { booleanTagged, ia5Tagged } from './implicit-values.js';

// Plain local copies: imported namespaces cost a getter call per access under the TS
// loaders (tsx, vitest), and these are used on the certificate-parsing hot path.
const D = { ...der };
const T = { ...Tag };
/** GeneralName alternatives that are IMPLICIT strings: in BER they may come segmented (constructed). */
const STRING_GENERAL_NAMES = new Set([0x81, 0x82, 0x86, 0x87]);

export function parseGeneralName(t: Tlv): GeneralName {
  switch (t.ber && STRING_GENERAL_NAMES.has(t.tag & ~0x20) ? t.tag & ~0x20 : t.tag) {
    case 0xa0: {
      const r = t.reader();
      const oid = D.oid(r.expect(T.OID, 'type-id'));
      const v = r.expect(0xa0, 'value');
      r.end();
      return { type: 'otherName', oid, value: v.inner('value').bytes() };
    }
    case 0x81:
      return { type: 'email', value: ia5Tagged(t, 0x81, 'rfc822Name') };
    case 0x82:
      return { type: 'dns', value: ia5Tagged(t, 0x82, 'dNSName') };
    case 0xa3:
      return { type: 'x400Address', der: t.bytes() };
    case 0xa4:
      return { type: 'dirName', name: parseName(t.inner('directoryName')) };
    case 0xa5:
      return { type: 'ediPartyName', der: t.bytes() };
    case 0x86:
      return { type: 'uri', value: ia5Tagged(t, 0x86, 'uniformResourceIdentifier') };
    case 0x87:
      return { type: 'ip', bytes: D.octetString(t, 0x87) };
    case 0x88:
      return { type: 'registeredID', oid: D.oid(t, 0x88) };
    default:
      throw t.error('UNEXPECTED_TAG', `not a GeneralName (tag 0x${t.tag.toString(16)})`);
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName, under any (IMPLICIT) tag. */
export function parseGeneralNames(t: Tlv, tag: number = T.SEQUENCE): GeneralName[] {
  t = t.expectOf(tag, 'GeneralNames');
  const out: GeneralName[] = [];
  const r = t.reader();
  while (!r.done()) out.push(parseGeneralName(r.next()));
  return out;
}

// SEQUENCE OF / SET OF sites use expectOf / optionalOf: OpenSSL's template decoder accepts
// them in primitive form (BER-tolerant mode only; strict DER otherwise).
function seqOf<T>(t: Tlv, what: string, item: (x: Tlv) => T): T[] {
  t = t.expectOf(T.SEQUENCE, what);
  const out: T[] = [];
  const r = t.reader();
  while (!r.done()) out.push(item(r.next()));
  return out;
}

function keyIdentifier(t: Tlv): CertExtensions['authorityKeyIdentifier'] {
  t.expect(T.SEQUENCE, 'AuthorityKeyIdentifier');
  const r = t.reader();
  const out: NonNullable<CertExtensions['authorityKeyIdentifier']> = {};
  const k = r.optional(0x80, 'keyIdentifier');
  if (k) out.keyId = D.octetString(k, 0x80);
  const i = r.optionalOf(0xa1, 'authorityCertIssuer');
  if (i) out.issuer = parseGeneralNames(i, 0xa1);
  const s = r.optional(0x82, 'authorityCertSerialNumber');
  if (s) out.serial = D.integerBytes(s, 0x82);
  r.end();
  return out;
}

function distributionPointName(t: Tlv): { fullName?: GeneralName[]; relativeName?: NameAttribute[] } {
  const n = t.inner('distributionPoint');
  const tag = n.ber ? n.tag | 0x20 : n.tag;
  if (tag === 0xa0) return { fullName: parseGeneralNames(n, 0xa0) };
  if (tag === 0xa1) return { relativeName: parseRdn(n.expectOf(0xa1, 'nameRelativeToCRLIssuer')) };
  throw n.error('UNEXPECTED_TAG', `not a DistributionPointName (tag 0x${n.tag.toString(16)})`);
}

function distributionPoint(t: Tlv): DistributionPoint {
  t.expect(T.SEQUENCE, 'DistributionPoint');
  const r = t.reader();
  const out: DistributionPoint = {};
  const dp = r.optional(0xa0, 'distributionPoint');
  if (dp) Object.assign(out, distributionPointName(dp));
  const reasons = r.optional(0x81, 'reasons');
  if (reasons) out.reasons = D.bitString(reasons, 0x81);
  const issuer = r.optionalOf(0xa2, 'cRLIssuer');
  if (issuer) out.crlIssuer = parseGeneralNames(issuer, 0xa2);
  r.end();
  return out;
}

function subtrees(t: Tlv, tag: number): GeneralSubtree[] {
  t = t.expectOf(tag, 'GeneralSubtrees');
  const out: GeneralSubtree[] = [];
  const r = t.reader();
  while (!r.done()) {
    const st = r.expect(T.SEQUENCE, `[${out.length}]`);
    const sr = st.reader();
    const base = parseGeneralName(sr.next('base'));
    const min = sr.optional(0x80, 'minimum');
    const max = sr.optional(0x81, 'maximum');
    sr.end();
    const sub: GeneralSubtree = { base, minimum: min ? D.smallInteger(min, 0x80) : 0 };
    if (max) sub.maximum = D.smallInteger(max, 0x81);
    out.push(sub);
  }
  return out;
}

function policyInformation(t: Tlv): PolicyInformation {
  t.expect(T.SEQUENCE, 'PolicyInformation');
  const r = t.reader();
  const oid = D.oid(r.expect(T.OID, 'policyIdentifier'));
  const qualifiers: PolicyInformation['qualifiers'] = [];
  const q = r.optionalOf(T.SEQUENCE, 'policyQualifiers');
  if (q) {
    const qr = q.reader();
    while (!qr.done()) {
      const pq = qr.expect(T.SEQUENCE, `[${qualifiers.length}]`);
      const pr = pq.reader();
      const qid = D.oid(pr.expect(T.OID, 'policyQualifierId'));
      const qv = pr.next('qualifier');
      pr.end();
      qualifiers.push({ oid: qid, der: qv.bytes() });
    }
  }
  r.end();
  return { oid, qualifiers };
}

/**
 * A named-bit list as OpenSSL holds it after c2i_ASN1_BIT_STRING: the bits the unused-bits
 * octet declares unused are cleared (a keyUsage `03 02 07 20` is empty for OpenSSL).
 */
function opensslBits(t: Tlv): BitString {
  const bs = D.bitString(t);
  if (bs.unusedBits === 0 || bs.bytes.length === 0) return bs;
  const bytes = Uint8Array.from(bs.bytes);
  bytes[bytes.length - 1] &= 0xff << bs.unusedBits;
  return { unusedBits: bs.unusedBits, bytes };
}

function bitsOf(bs: { bytes: Uint8Array }, count: number): number {
  let v = 0;
  for (let i = 0; i < count; i++) {
    const byte = i >> 3;
    if (byte < bs.bytes.length && (bs.bytes[byte] >> (7 - (i & 7))) & 1) v |= 1 << i;
  }
  return v;
}

/** Decoders for certificate extensions, keyed by OID; each fills its field of CertExtensions. */
export const CERT_EXTENSION_DECODERS: Record<string, (t: Tlv, critical: boolean, ext: CertExtensions) => void> = {
  [OID.basicConstraints]: (t, critical, ext) => {
    t.expect(T.SEQUENCE, 'BasicConstraints');
    const r = t.reader();
    const ca = r.optional(T.BOOLEAN, 'cA');
    const pl = r.optional(T.INTEGER, 'pathLenConstraint');
    r.end();
    const bc: NonNullable<CertExtensions['basicConstraints']> = { ca: ca ? D.boolean(ca) : false, critical };
    if (pl) bc.pathLen = D.smallInteger(pl);
    ext.basicConstraints = bc;
  },
  [OID.keyUsage]: (t, critical, ext) => {
    const raw = opensslBits(t);
    ext.keyUsage = { bits: bitsOf(raw, 9), raw, critical };
  },
  [OID.extKeyUsage]: (t, critical, ext) => {
    ext.extKeyUsage = { oids: seqOf(t, 'ExtKeyUsageSyntax', (x) => D.oid(x)), critical };
  },
  [OID.subjectKeyIdentifier]: (t, _c, ext) => {
    ext.subjectKeyIdentifier = D.octetString(t);
  },
  [OID.authorityKeyIdentifier]: (t, _c, ext) => {
    ext.authorityKeyIdentifier = keyIdentifier(t);
  },
  [OID.subjectAltName]: (t, critical, ext) => {
    ext.subjectAltName = { names: parseGeneralNames(t), critical };
  },
  [OID.issuerAltName]: (t, _c, ext) => {
    ext.issuerAltName = parseGeneralNames(t);
  },
  [OID.nameConstraints]: (t, critical, ext) => {
    t.expect(T.SEQUENCE, 'NameConstraints');
    const r = t.reader();
    const p = r.optionalOf(0xa0, 'permittedSubtrees');
    const x = r.optionalOf(0xa1, 'excludedSubtrees');
    r.end();
    const nc: NonNullable<CertExtensions['nameConstraints']> = { critical };
    if (p) nc.permitted = subtrees(p, 0xa0);
    if (x) nc.excluded = subtrees(x, 0xa1);
    ext.nameConstraints = nc;
  },
  [OID.certificatePolicies]: (t, _c, ext) => {
    ext.certificatePolicies = seqOf(t, 'CertificatePolicies', policyInformation);
  },
  [OID.policyMappings]: (t, _c, ext) => {
    ext.policyMappings = seqOf(t, 'PolicyMappings', (m) => {
      m.expect(T.SEQUENCE, 'PolicyMapping');
      const r = m.reader();
      const issuerDomainPolicy = D.oid(r.expect(T.OID, 'issuerDomainPolicy'));
      const subjectDomainPolicy = D.oid(r.expect(T.OID, 'subjectDomainPolicy'));
      r.end();
      return { issuerDomainPolicy, subjectDomainPolicy };
    });
  },
  [OID.policyConstraints]: (t, _c, ext) => {
    t.expect(T.SEQUENCE, 'PolicyConstraints');
    const r = t.reader();
    const req = r.optional(0x80, 'requireExplicitPolicy');
    const inh = r.optional(0x81, 'inhibitPolicyMapping');
    r.end();
    const pc: NonNullable<CertExtensions['policyConstraints']> = {};
    if (req) pc.requireExplicitPolicy = D.smallInteger(req, 0x80);
    if (inh) pc.inhibitPolicyMapping = D.smallInteger(inh, 0x81);
    ext.policyConstraints = pc;
  },
  [OID.inhibitAnyPolicy]: (t, _c, ext) => {
    ext.inhibitAnyPolicy = D.smallInteger(t);
  },
  [OID.cRLDistributionPoints]: (t, _c, ext) => {
    ext.crlDistributionPoints = seqOf(t, 'CRLDistributionPoints', distributionPoint);
  },
  [OID.authorityInfoAccess]: (t, _c, ext) => {
    ext.authorityInfoAccess = seqOf(t, 'AuthorityInfoAccessSyntax', (a) => {
      a.expect(T.SEQUENCE, 'AccessDescription');
      const r = a.reader();
      const method = D.oid(r.expect(T.OID, 'accessMethod'));
      const location = parseGeneralName(r.next('accessLocation'));
      r.end();
      return { method, location };
    });
  },
  [OID.netscapeCertType]: (t, _c, ext) => {
    const bs = opensslBits(t);
    ext.netscapeCertType = bs.bytes.length > 0 ? bs.bytes[0] : 0;
  },
};

/**
 * Extensions OpenSSL 3.0 decodes in ossl_x509v3_cache_extensions; a duplicate or undecodable
 * one sets EXFLAG_INVALID (verification then fails). Others are only decoded when used.
 */
export const OPENSSL_CACHED_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.proxyCertInfo,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.netscapeCertType,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.subjectAltName,
  OID.nameConstraints,
  OID.cRLDistributionPoints,
  OID.sbgpIpAddrBlock,
  OID.sbgpAutonomousSysNum,
]);

/**
 * Extensions OpenSSL 3.0 can process when critical (X509_supported_extension); a critical
 * extension outside this list makes OpenSSL fail verification with
 * X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION.
 */
export const OPENSSL_SUPPORTED_CRITICAL_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.netscapeCertType,
  OID.keyUsage,
  OID.subjectAltName,
  OID.basicConstraints,
  OID.certificatePolicies,
  OID.cRLDistributionPoints,
  OID.extKeyUsage,
  OID.sbgpIpAddrBlock,
  OID.sbgpAutonomousSysNum,
  OID.policyConstraints,
  OID.proxyCertInfo,
  OID.nameConstraints,
  OID.policyMappings,
  OID.inhibitAnyPolicy,
]);

/** CRL extensions. */
export const CRL_EXTENSION_DECODERS: Record<string, (t: Tlv, ext: import('./types.js').Crl['ext']) => void> = {
  [OID.cRLNumber]: (t, ext) => {
    ext.crlNumber = integerValue(t);
  },
  [OID.deltaCRLIndicator]: (t, ext) => {
    ext.deltaCrlIndicator = integerValue(t);
  },
  [OID.authorityKeyIdentifier]: (t, ext) => {
    ext.authorityKeyIdentifier = keyIdentifier(t);
  },
  [OID.issuingDistributionPoint]: (t, ext) => {
    ext.issuingDistributionPoint = issuingDistributionPoint(t);
  },
};

function integerValue(t: Tlv): bigint {
  return der.bytesToBigInt(D.integerBytes(t));
}

function issuingDistributionPoint(t: Tlv): IssuingDistributionPoint {
  t.expect(T.SEQUENCE, 'IssuingDistributionPoint');
  const r = t.reader();
  const out: IssuingDistributionPoint = {
    onlyContainsUserCerts: false,
    onlyContainsCACerts: false,
    indirectCRL: false,
    onlyContainsAttributeCerts: false,
  };
  const dp = r.optional(0xa0, 'distributionPoint');
  if (dp) out.distributionPoint = distributionPointName(dp);
  const u = r.optional(0x81, 'onlyContainsUserCerts');
  if (u) out.onlyContainsUserCerts = booleanTagged(u, 0x81);
  const c = r.optional(0x82, 'onlyContainsCACerts');
  if (c) out.onlyContainsCACerts = booleanTagged(c, 0x82);
  const s = r.optional(0x83, 'onlySomeReasons');
  if (s) out.onlySomeReasons = D.bitString(s, 0x83);
  const i = r.optional(0x84, 'indirectCRL');
  if (i) out.indirectCRL = booleanTagged(i, 0x84);
  const a = r.optional(0x85, 'onlyContainsAttributeCerts');
  if (a) out.onlyContainsAttributeCerts = booleanTagged(a, 0x85);
  r.end();
  return out;
}
