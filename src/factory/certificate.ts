// makeCertificate and makeCrl: every field settable, including to values no CA would issue
// (v1 with extensions, negative or 21-octet serials, mismatched inner/outer algorithms,
// duplicate extensions, corrupted signatures), because the validator's tests and the fuzzer
// need the wrong certificates as much as the right ones. Signing goes through the crypto
// layer; this file only lays out bytes.

import { pemEncode, parseDer } from '../der/index.js';
import type { Certificate, PrivateKey, PublicKey, SignatureAlgorithm } from '../x509/types.js';
import { bits, ctxCons, der, int, intRaw, raw, seq, seqOfEncoded, tlv, type Node, implicitOf, integerContent } from './asn1.js';
import { type SigAlgSpec, defaultSigAlg, signatureAlgorithm } from './algorithms.js';
import { FactoryError } from './errors.js';
import { type ExtensionContext, type ExtensionSpec, encodeExtension, encodeExtensions, keyIdOf } from './extensions.js';
import { type NameSpec, type StringPolicy, encodeName } from './names.js';
import { type TimeSpec, encodeTime } from './times.js';
import { encodeSpki, publicKeyFromPrivate } from '../x509/keys.js';
import { defaultSigner, type Signer } from './signer.js';

/** Signs `msg` with `key` as `alg` says. The default is the crypto layer's signMessage. */
export type { Signer } from './signer.js';

/** What a certificate needs to know about its issuer. A made or parsed certificate gives all of it. */
export interface IssuerRef {
  /** DER of the issuer's subject Name */
  name: Uint8Array;
  /** DER SubjectPublicKeyInfo of the issuer */
  spki: Uint8Array;
  /** issuer's subject key identifier when it has one (AKI copies it, as OpenSSL does) */
  keyId?: Uint8Array;
  /** issuer's serial content octets and the name of the CA that issued it (AKI issuer+serial) */
  serial: Uint8Array;
  issuerName: Uint8Array;
}

export interface MadeCertificate {
  der: Uint8Array;
  pem: string;
  tbs: Uint8Array;
  /** this certificate as an issuer of others */
  ref: IssuerRef;
}

/** IssuerRef from a certificate the x509 parser produced. */
export function issuerRefOf(c: IssuerRef | Certificate | MadeCertificate): IssuerRef {
  if ('ref' in c) return c.ref;
  if (!('tbs' in c)) return c;
  return { name: c.subject.der, spki: c.spki, keyId: c.ext.subjectKeyIdentifier, serial: c.serial.bytes, issuerName: c.issuer.der };
}

export type SerialSpec = bigint | number | { raw: Uint8Array };

export interface CertificateSpec {
  /** 1, 2, 3 (default 3), or any integer: encoded as version - 1 */
  version?: number;
  /** put `[0] INTEGER 0` in a v1 certificate (DER forbids encoding the default) */
  explicitV1?: boolean;
  /** default: 20 random octets with the top bit clear, like OpenSSL 3.0 */
  serial?: SerialSpec;
  subject: NameSpec;
  /** default: the issuer certificate's subject, or the subject when self-signed */
  issuer?: NameSpec;
  stringPolicy?: StringPolicy;
  notBefore?: TimeSpec;
  notAfter?: TimeSpec;
  /** the subject public key: a key, the private key it belongs to, or raw SPKI DER */
  publicKey?: PublicKey | { spki: Uint8Array };
  subjectKey?: PrivateKey;
  /** the signing key; with `selfSigned` it is also the subject key when none is given */
  issuerKey?: PrivateKey;
  selfSigned?: boolean;
  issuerCert?: IssuerRef | Certificate | MadeCertificate;
  /** outer signatureAlgorithm; default from the issuer key (OpenSSL 3.0 defaults) */
  signatureAlgorithm?: SigAlgSpec;
  /** the tbsCertificate.signature field; default equal to signatureAlgorithm */
  tbsSignatureAlgorithm?: SigAlgSpec;
  /** in the given order, duplicates and criticality kept; `[]` writes an empty extensions field, undefined writes none */
  extensions?: ExtensionSpec[];
  issuerUniqueId?: { bytes: Uint8Array; unusedBits?: number };
  subjectUniqueId?: { bytes: Uint8Array; unusedBits?: number };
  /** flip the last bit of the signature after signing */
  corruptSignature?: boolean;
  /** use these signature bytes instead of signing */
  signature?: Uint8Array;
  /** default: the crypto layer */
  signer?: Signer;
  /** for `now`-relative defaults */
  now?: Date;
}

const DAY = 86_400_000;

/** OpenSSL 3.0's random serial: 159 random bits (20 octets, top bit clear, never zero-led). */
export function randomSerial(): Uint8Array {
  const b = new Uint8Array(20);
  globalThis.crypto.getRandomValues(b);
  b[0] &= 0x7f;
  if (b[0] === 0) b[0] = 0x01;
  return b;
}

function serialContent(s: SerialSpec | undefined): Uint8Array {
  if (s === undefined) return randomSerial();
  if (typeof s === 'object') return s.raw;
  return integerContent(BigInt(s));
}

function resolveIssuer(spec: CertificateSpec, subjectName: Uint8Array, subjectSpki: Uint8Array, serial: Uint8Array): IssuerRef | undefined {
  if (spec.issuerCert) return issuerRefOf(spec.issuerCert);
  if (spec.selfSigned) return { name: subjectName, spki: subjectSpki, serial, issuerName: subjectName };
  return undefined;
}

function subjectSpkiOf(spec: CertificateSpec): Uint8Array {
  if (spec.publicKey) return 'spki' in spec.publicKey ? spec.publicKey.spki : encodeSpki(spec.publicKey);
  const k = spec.subjectKey ?? (spec.selfSigned ? spec.issuerKey : undefined);
  if (!k) throw new FactoryError('certificate needs publicKey, subjectKey, or selfSigned with issuerKey');
  return encodeSpki(publicKeyFromPrivate(k));
}

/** Sign `tbs` and wrap it as SEQUENCE { tbs, algorithm, BIT STRING signature }. */
function finish(
  tbs: Uint8Array,
  outer: Uint8Array,
  alg: SignatureAlgorithm,
  key: PrivateKey | undefined,
  o: { signature?: Uint8Array; corruptSignature?: boolean; signer?: Signer },
): Uint8Array {
  let sig: Uint8Array;
  if (o.signature) sig = o.signature.slice();
  else {
    if (!key) throw new FactoryError('nothing to sign with: give issuerKey (or signature bytes)');
    sig = (o.signer ?? defaultSigner())(alg, key, tbs).slice();
  }
  if (o.corruptSignature) {
    if (sig.length === 0) sig = Uint8Array.of(1);
    else sig[sig.length - 1] ^= 0x01;
  }
  return der(seq(raw(tbs), raw(outer), bits(sig)));
}

export function makeCertificate(spec: CertificateSpec): MadeCertificate {
  const now = spec.now ?? new Date();
  const policy = spec.stringPolicy ?? 'utf8only';
  const serial = serialContent(spec.serial);
  const subject = encodeName(spec.subject, policy);
  const spki = subjectSpkiOf(spec);
  const issuerRef = resolveIssuer(spec, subject, spki, serial);
  const issuerName = spec.issuer !== undefined ? encodeName(spec.issuer, policy) : issuerRef?.name;
  if (!issuerName) throw new FactoryError('certificate needs issuer, issuerCert or selfSigned');
  const signingKey = spec.issuerKey;
  const algSpec = spec.signatureAlgorithm ?? (signingKey ? defaultSigAlg(signingKey) : undefined);
  if (!algSpec) throw new FactoryError('certificate needs signatureAlgorithm or issuerKey');
  const outer = signatureAlgorithm(algSpec);
  const inner = spec.tbsSignatureAlgorithm ? signatureAlgorithm(spec.tbsSignatureAlgorithm) : outer;
  const version = spec.version ?? 3;

  const ctx: ExtensionContext = {
    subjectSpki: spki,
    issuerKeyId: issuerRef ? (issuerRef.keyId ?? keyIdOf(issuerRef.spki)) : undefined,
    issuerName: issuerRef?.issuerName ?? issuerName,
    issuerSerial: issuerRef?.serial,
    policy,
  };
  const parts: Node[] = [];
  if (version !== 1 || spec.explicitV1) parts.push(ctxCons(0, int(version - 1)));
  parts.push(
    intRaw(serial),
    raw(inner.der),
    raw(issuerName),
    seq(encodeTime(spec.notBefore ?? now), encodeTime(spec.notAfter ?? new Date(now.getTime() + 365 * DAY))),
    raw(subject),
    raw(spki),
  );
  if (spec.issuerUniqueId) parts.push(implicitOf(1, bits(spec.issuerUniqueId.bytes, spec.issuerUniqueId.unusedBits)));
  if (spec.subjectUniqueId) parts.push(implicitOf(2, bits(spec.subjectUniqueId.bytes, spec.subjectUniqueId.unusedBits)));
  if (spec.extensions) parts.push(ctxCons(3, encodeExtensions(spec.extensions, ctx)));
  const tbs = der(seq(...parts));
  const cert = finish(tbs, outer.der, outer.alg, signingKey, spec);
  const ski = spec.extensions?.find((e) => e.type === 'subjectKeyIdentifier');
  const keyId = ski ? parseDer(encodeExtensionValue(ski, ctx)).content() : undefined;
  return { der: cert, pem: pemEncode('CERTIFICATE', cert), tbs, ref: { name: subject, spki, keyId, serial, issuerName } };
}

function encodeExtensionValue(e: ExtensionSpec, ctx: ExtensionContext): Uint8Array {
  // the extnValue OCTET STRING's contents are the SKI's own OCTET STRING
  const ext = parseDer(der(encodeExtension(e, ctx)));
  const kids = ext.children();
  return kids[kids.length - 1].content();
}

// ---------------------------------------------------------------------------------------
// CRLs

export interface RevokedSpec {
  serial: SerialSpec;
  date?: TimeSpec;
  /** CRLReason code; adds the reasonCode entry extension */
  reason?: number;
  invalidityDate?: Date;
  /** more entry extensions, in order after reason and invalidity date */
  extensions?: ExtensionSpec[];
}

export interface CrlSpec {
  /** 1 or 2 (default 2 when there are extensions, as OpenSSL does); any integer allowed */
  version?: number;
  issuer?: NameSpec;
  /** the CA certificate that issues the CRL: issuer name and AKI come from it */
  issuerCert?: IssuerRef | Certificate | MadeCertificate;
  issuerKey?: PrivateKey;
  stringPolicy?: StringPolicy;
  thisUpdate?: TimeSpec;
  /** default thisUpdate + 30 days; `null` leaves the field out */
  nextUpdate?: TimeSpec | null;
  revoked?: RevokedSpec[];
  /** CRL number; default 1; `null` leaves it out */
  crlNumber?: bigint | number | null;
  /** add AKI (keyid of the issuer), default true when the issuer certificate is known */
  authorityKeyIdentifier?: boolean;
  /** more CRL extensions after crlNumber and AKI (issuingDistributionPoint, raw...) */
  extensions?: ExtensionSpec[];
  signatureAlgorithm?: SigAlgSpec;
  tbsSignatureAlgorithm?: SigAlgSpec;
  corruptSignature?: boolean;
  signature?: Uint8Array;
  signer?: Signer;
  now?: Date;
}

export interface MadeCrl {
  der: Uint8Array;
  pem: string;
  tbs: Uint8Array;
}

export function makeCrl(spec: CrlSpec): MadeCrl {
  const now = spec.now ?? new Date();
  const policy = spec.stringPolicy ?? 'utf8only';
  const ref = spec.issuerCert ? issuerRefOf(spec.issuerCert) : undefined;
  const issuerName = spec.issuer !== undefined ? encodeName(spec.issuer, policy) : ref?.name;
  if (!issuerName) throw new FactoryError('CRL needs issuer or issuerCert');
  const algSpec = spec.signatureAlgorithm ?? (spec.issuerKey ? defaultSigAlg(spec.issuerKey) : undefined);
  if (!algSpec) throw new FactoryError('CRL needs signatureAlgorithm or issuerKey');
  const outer = signatureAlgorithm(algSpec);
  const inner = spec.tbsSignatureAlgorithm ? signatureAlgorithm(spec.tbsSignatureAlgorithm) : outer;
  const ctx: ExtensionContext = {
    issuerKeyId: ref ? (ref.keyId ?? keyIdOf(ref.spki)) : undefined,
    issuerName: ref?.issuerName ?? issuerName,
    issuerSerial: ref?.serial,
    policy,
  };
  const exts: ExtensionSpec[] = [];
  if ((spec.authorityKeyIdentifier ?? !!ref) && ctx.issuerKeyId) exts.push({ type: 'authorityKeyIdentifier' });
  if (spec.crlNumber !== null) exts.push({ type: 'crlNumber', value: spec.crlNumber ?? 1 });
  exts.push(...(spec.extensions ?? []));
  const thisUpdate = spec.thisUpdate ?? now;
  const version =
    spec.version ?? (exts.length || spec.revoked?.some((r) => r.reason !== undefined || r.invalidityDate || r.extensions?.length) ? 2 : 1);

  const parts: Node[] = [];
  if (version !== 1) parts.push(int(version - 1));
  parts.push(raw(inner.der), raw(issuerName), encodeTime(thisUpdate));
  if (spec.nextUpdate !== null) {
    const base = thisUpdate instanceof Date ? thisUpdate : 'date' in thisUpdate ? thisUpdate.date : now;
    parts.push(encodeTime(spec.nextUpdate ?? new Date(base.getTime() + 30 * DAY)));
  }
  const revoked = spec.revoked ?? [];
  if (revoked.length) {
    // entries encoded one by one and laid out in one pass (seqOfEncoded): linear, no spread,
    // so a CRL of a million entries builds; the common revocation date is encoded once
    const nowTime = der(encodeTime(now));
    const entries = new Array<Uint8Array>(revoked.length);
    for (let i = 0; i < revoked.length; i++) {
      const r = revoked[i];
      const entryExts: ExtensionSpec[] = [];
      if (r.reason !== undefined) entryExts.push({ type: 'crlReason', reason: r.reason });
      if (r.invalidityDate) entryExts.push({ type: 'invalidityDate', date: r.invalidityDate });
      if (r.extensions) entryExts.push(...r.extensions);
      const e = [tlv(0x02, [serialContent(r.serial)]), r.date ? der(encodeTime(r.date)) : nowTime];
      if (entryExts.length) e.push(der(encodeExtensions(entryExts, ctx)));
      entries[i] = tlv(0x30, e);
    }
    parts.push(seqOfEncoded(entries));
  }
  if (exts.length) parts.push(ctxCons(0, encodeExtensions(exts, ctx)));
  const tbs = der(seq(...parts));
  const crl = finish(tbs, outer.der, outer.alg, spec.issuerKey, spec);
  return { der: crl, pem: pemEncode('X509 CRL', crl), tbs };
}
