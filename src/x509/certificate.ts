// Certificate parsing (RFC 5280 §4.1). parseCertificate wants strict DER (DerError with
// offset and path otherwise); the loaders (loadCertificate, parseCertificates,
// parseCertificateBlock) read as OpenSSL's d2i_X509 does, in the BER-tolerant mode of the
// der layer, each deviation from DER a BER_ENCODING problem (ber.ts). Everything OpenSSL would
// load but reject later (odd serials, bad extension contents, duplicate extensions, lenient
// times, algorithm mismatch) becomes a StructureProblem so the path validator can give
// OpenSSL's verdict.

import {
  BerLog,
  DerError,
  OID,
  Tag,
  bytesEqual,
  decodePemOrDer,
  der,
  parseDer,
  parseDerAt,
  readTlv,
  type PemBlock,
  type Tlv,
} from '../der/index.js';
import { parseAlgorithmIdentifier } from './algorithms.js';
import { berProblems, opensslReencoded } from './ber.js';
import { CERT_EXTENSION_DECODERS, OPENSSL_CACHED_EXTENSIONS } from './extensions.js';
import { WrongPemLabelError } from './errors.js';
import { parseSpkiTlv } from './keys.js';
import { attributeTag, parseName } from './name.js';
import type { CertExtensions, Certificate, Extension, Name, NameAttribute, StructureProblem } from './types.js';
import { Problems } from './problems.js';

// Plain local copies: imported namespaces cost a getter call per access under the TS
// loaders (tsx, vitest), and these are used on the certificate-parsing hot path.
const D = { ...der };
const T = { ...Tag };
/** PEM labels OpenSSL reads as a certificate (PEM_read_bio_X509_AUX). */
export const CERTIFICATE_LABELS = ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'] as const;

/** Parse one DER certificate; the input must be exactly one Certificate. */
export function parseCertificate(bytes: Uint8Array): Certificate {
  return certificateFrom(parseDer(bytes, ''));
}

/** The problem for which OpenSSL 3.0 cannot load this certificate or CRL at all (d2i fails), if any. */
export function opensslLoadRefusal(x: { problems: readonly StructureProblem[] }): StructureProblem | undefined {
  return x.problems.find((p) => p.opensslInvalid === 'load');
}

/** Throws the DerError OpenSSL's d2i would fail with when it cannot load `x`; returns `x` otherwise. */
export function refuseUnloadable<T extends { problems: readonly StructureProblem[] }>(x: T, what: string): T {
  const p = opensslLoadRefusal(x);
  if (p) throw p.error ?? new DerError('BAD_STRING', `OpenSSL 3.0 cannot load this ${what}: ${p.message}`, 0, '');
  return x;
}

/**
 * The first element of `bytes`, as d2i reads it from a decoded PEM block or a DER file
 * (PEM_read_bio_X509, PEM_X509_INFO_read_bio, d2i_X509_bio): bytes after it are ignored. The
 * element is read as BER the way OpenSSL reads it (deviations logged in `ber`), or as strict
 * DER without a log.
 */
export function firstElement(bytes: Uint8Array, ber?: BerLog): Tlv {
  const first = readTlv(bytes, 0, bytes.length, '', ber);
  return parseDerAt(bytes, 0, first.after, '', ber);
}

/**
 * How OpenSSL reads the decoded block:
 * - 'X509': d2i_X509 (PEM_X509_INFO_read_bio for a CERTIFICATE block: CA files, `openssl
 *   verify -CAfile`, ssl_ca_file, sslrootcert; PEM_read_bio_X509 for the chain after the first
 *   certificate of SSL_CTX_use_certificate_chain_file; OSSL_STORE falls back to it): bytes after
 *   the certificate are ignored;
 * - 'X509_AUX': d2i_X509_AUX (PEM_read_bio_X509_AUX: the first certificate of
 *   SSL_CTX_use_certificate_chain_file, i.e. ssl_cert_file and sslcert; a TRUSTED CERTIFICATE
 *   block anywhere): bytes after the certificate must start with X509_CERT_AUX trust settings.
 */
export type CertificateReader = 'X509' | 'X509_AUX';

/** X509_CERT_AUX ::= SEQUENCE { trust SEQUENCE OF OID OPT, reject [0] SEQUENCE OF OID OPT, alias UTF8String OPT, keyid OCTET STRING OPT, other [1] OPT } */
const CERT_AUX_FIELDS = [0x30, 0xa0, 0x0c, 0x04, 0xa1];

/** d2i_X509_CERT_AUX on the bytes after a certificate (they must hold one; what follows it is ignored). */
function checkCertAux(bytes: Uint8Array, at: number): void {
  const aux = readTlv(bytes, at, bytes.length, 'X509_CERT_AUX').expect(T.SEQUENCE, 'X509_CERT_AUX');
  const r = aux.reader();
  let next = 0;
  while (!r.done()) {
    const f = r.next('X509_CERT_AUX field');
    const i = CERT_AUX_FIELDS.indexOf(f.tag, next);
    if (i < 0) throw f.error('UNEXPECTED_TAG', `0x${f.tag.toString(16)} is not an X509_CERT_AUX field here`);
    if (i <= 1) for (const o of f.children()) o.expect(T.OID, 'trust OID');
    next = i + 1;
  }
}

/**
 * A certificate as OpenSSL loads it from a file (see CertificateReader): one strict DER
 * Certificate, what follows it as `reader` says, and a DerError when OpenSSL 3.0 cannot load
 * it (opensslLoadRefusal). `der` is the certificate's own encoding. TLS messages are not
 * files: certificates received in a handshake go through parseCertificate (OpenSSL checks
 * their length).
 */
export function loadCertificate(bytes: Uint8Array, reader: CertificateReader = 'X509'): Certificate {
  const root = firstElement(bytes, new BerLog());
  if (reader === 'X509_AUX' && root.after < bytes.length) checkCertAux(bytes, root.after);
  return refuseUnloadable(certificateFrom(root), 'certificate');
}

/**
 * A certificate from a TLS Certificate message as OpenSSL's client or server reads it
 * (tls_process_server_certificate / tls_process_client_certificate): d2i_X509, so BER is read
 * as in loadCertificate, and it must use exactly the entry's bytes (SSL_R_CERT_LENGTH_MISMATCH
 * otherwise). An OpenSSL peer sends i2d_X509 of what it loaded (`der` here): a certificate
 * loaded from BER keeps its BER tbsCertificate on the wire.
 */
export function d2iCertificate(bytes: Uint8Array): Certificate {
  return refuseUnloadable(certificateFrom(parseDer(bytes, '', new BerLog())), 'certificate');
}

/** A certificate block of a CA file as PEM_X509_INFO_read_bio reads it (TRUSTED CERTIFICATE with d2i_X509_AUX). */
export function loadCertificateBlock(block: PemBlock): Certificate {
  return loadCertificate(block.der, block.label === 'TRUSTED CERTIFICATE' ? 'X509_AUX' : 'X509');
}

export interface ParseCertificatesOptions {
  /** skip PEM blocks that are not certificates (as OpenSSL does when reading a chain file) instead of throwing WrongPemLabelError */
  ignoreOtherBlocks?: boolean;
}

/**
 * Every certificate in a PEM file (several blocks, text around them) or a DER file, loaded as
 * OpenSSL loads them (loadCertificate: trailing bytes in a block ignored, a certificate OpenSSL
 * cannot load is a DerError). A block with another label is a WrongPemLabelError unless
 * `ignoreOtherBlocks`. `TRUSTED CERTIFICATE` blocks are read like OpenSSL reads them: the
 * certificate, then trust settings (ignored).
 */
export function parseCertificates(bytes: Uint8Array, opts: ParseCertificatesOptions = {}): Certificate[] {
  const out: Certificate[] = [];
  const blocks = decodePemOrDer(bytes);
  for (const block of blocks) {
    if (block.label !== '' && !(CERTIFICATE_LABELS as readonly string[]).includes(block.label)) {
      if (opts.ignoreOtherBlocks) continue;
      throw new WrongPemLabelError(block.label, CERTIFICATE_LABELS, block.line);
    }
    out.push(loadCertificateBlock(block));
  }
  if (out.length === 0) throw new WrongPemLabelError(blocks[0].label, CERTIFICATE_LABELS, blocks[0].line);
  return out;
}

/**
 * One PEM block (or DER, label '') holding a certificate, read as d2i_X509 reads it: the first
 * element (in a `TRUSTED CERTIFICATE` block X509_AUX trust settings follow it; in any block
 * other bytes after it are ignored). Certificates OpenSSL would refuse are returned with
 * their problems (`pgtls show` describes them); loaders use loadCertificate.
 */
export function parseCertificateBlock(block: PemBlock): Certificate {
  return certificateFrom(firstElement(block.der, new BerLog()));
}

const SERIAL_MAX_OCTETS = 20;

/**
 * Attribute value tags OpenSSL 3.0 loads in a name (ASN1_PRINTABLE's B_ASN1_PRINTABLE mask
 * through tag2bit): UTF8, Numeric, Printable, T61, IA5, Universal and BMP strings, plus BIT
 * STRING, SEQUENCE and the "unknown" universal tags. VisibleString, GeneralString,
 * GraphicString, VideotexString, OCTET STRING, INTEGER, times... make d2i_X509 fail, so such
 * a certificate never loads.
 */
const NAME_TAGS_OK = new Set([0x03, 0x07, 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x12, 0x13, 0x14, 0x16, 0x1c, 0x1d, 0x1e, 0x30]);

/** Why OpenSSL cannot load this attribute value (x509_name_ex_d2i / x509_name_canon fail), or undefined. */
function nameValueRejected(a: NameAttribute): string | undefined {
  const v = a.value;
  const tag = attributeTag(a);
  if (!NAME_TAGS_OK.has(tag)) return `a value of tag 0x${tag.toString(16)}${v.type === 'non-string' ? '' : ` (${v.type})`}`;
  if (v.type === 'UTF8String' || v.type === 'UniversalString') return v.valid ? undefined : `an invalid ${v.type}`;
  if (v.type === 'BMPString') {
    const r = v.raw;
    if (r.length % 2) return 'a BMPString of odd length';
    for (let i = 0; i < r.length; i += 2) if (r[i] >= 0xd8 && r[i] <= 0xdf) return 'a BMPString with a surrogate code unit';
  }
  return undefined;
}

/** Attribute values OpenSSL cannot load (d2i_X509_NAME fails, so the whole certificate fails to load). */
export function nameProblems(at: Tlv, name: Name, which: string, problems: Problems): void {
  for (const rdn of name.rdns) {
    for (const a of rdn) {
      const why = nameValueRejected(a);
      if (!why) continue;
      const message = `${which}: attribute ${a.oid} has ${why}, which OpenSSL refuses to load`;
      problems.add('OTHER', message, {
        opensslInvalid: 'load',
        error: new DerError('BAD_STRING', `OpenSSL 3.0 cannot load this: ${message}`, at.start, at.path),
      });
    }
  }
}

function certificateFrom(root: Tlv): Certificate {
  root.expect(T.SEQUENCE, 'Certificate');
  const buf = root.buf;
  const problems = new Problems();
  const r = root.reader();
  const tbsT = r.expect(T.SEQUENCE, 'tbsCertificate');
  const sigAlgT = r.expect(T.SEQUENCE, 'signatureAlgorithm');
  const sigT = r.expect(T.BIT_STRING, 'signatureValue');
  r.end();

  const tr = tbsT.reader();
  const verT = tr.optional(0xa0, 'version');
  let versionRaw = 0;
  if (verT) {
    const vi = verT.inner('version');
    const v = D.integer(vi);
    versionRaw = v > 1000n || v < -1000n ? -1 : Number(v);
    if (versionRaw === 0) problems.add('OTHER', 'version v1 is encoded explicitly (DER omits the DEFAULT)');
  }
  if (versionRaw < 0 || versionRaw > 2) problems.add('BAD_VERSION', `version field ${versionRaw} is not 0, 1 or 2 (v1-v3)`);

  const serialT = tr.expect(T.INTEGER, 'serialNumber');
  const serialBytes = D.integerBytes(serialT);
  const serial = { bytes: serialBytes, value: der.bytesToBigInt(serialBytes) };
  if (serial.value < 0n) problems.add('NEGATIVE_SERIAL', `serial number is negative (${serial.value})`);
  else if (serial.value === 0n) problems.add('ZERO_SERIAL', 'serial number is zero');
  if (serialBytes.length > SERIAL_MAX_OCTETS)
    problems.add('LONG_SERIAL', `serial number is ${serialBytes.length} octets (RFC 5280 allows 20)`);

  const tbsSignatureAlgorithm = parseAlgorithmIdentifier(tr.expect(T.SEQUENCE, 'signature'));
  const issuerT = tr.expectOf(T.SEQUENCE, 'issuer');
  const issuer = parseName(issuerT);
  const valT = tr.expect(T.SEQUENCE, 'validity');
  const vr = valT.reader();
  const notBefore = D.time(vr.next('notBefore'));
  const notAfter = D.time(vr.next('notAfter'));
  vr.end();
  const subjectT = tr.expectOf(T.SEQUENCE, 'subject');
  const subject = parseName(subjectT);
  const spkiT = tr.expect(T.SEQUENCE, 'subjectPublicKeyInfo');
  const iuT = tr.optional(0x81, 'issuerUniqueID');
  const suT = tr.optional(0x82, 'subjectUniqueID');
  const extT = tr.optional(0xa3, 'extensions');
  tr.end();

  const signatureAlgorithm = parseAlgorithmIdentifier(sigAlgT);
  const signature = D.bitString(sigT);
  if (!bytesEqual(tbsSignatureAlgorithm.bytes, signatureAlgorithm.bytes)) {
    problems.add(
      'SIGNATURE_ALGORITHM_MISMATCH',
      `tbsCertificate.signature (${tbsSignatureAlgorithm.oid}) differs from signatureAlgorithm (${signatureAlgorithm.oid})`,
    );
  }
  for (const [t, what] of [
    [notBefore, 'notBefore'],
    [notAfter, 'notAfter'],
  ] as const) {
    if (!t.strict)
      problems.add(
        'BAD_TIME',
        `${what} "${t.text}" is not in RFC 5280 form (${t.kind === 'UTCTime' ? 'YYMMDDHHMMSSZ' : 'YYYYMMDDHHMMSSZ'})`,
      );
  }
  nameProblems(issuerT, issuer, 'issuer', problems);
  nameProblems(subjectT, subject, 'subject', problems);

  const spki = parseSpkiTlv(spkiT);
  if (spki.problem) problems.add('BAD_PUBLIC_KEY', spki.problem);

  const cert: Certificate = {
    der: root.bytes(),
    tbs: tbsT.bytes(),
    version: versionRaw + 1,
    versionRaw,
    serial,
    tbsSignatureAlgorithm,
    signatureAlgorithm,
    signature,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: spkiT.bytes(),
    publicKey: spki.publicKey,
    extensions: [],
    ext: {},
    problems: problems.list,
  };
  if (iuT) cert.issuerUniqueId = D.bitString(iuT, 0x81);
  if (suT) cert.subjectUniqueId = D.bitString(suT, 0x82);
  if ((iuT || suT) && versionRaw < 1) problems.add('EXTENSIONS_IN_V1', 'unique identifiers need version 2 or 3');
  if (extT) {
    if (versionRaw < 2) problems.add('EXTENSIONS_IN_V1', 'extensions need version 3');
    const seq = parseDerAt(buf, extT.contentStart, extT.end, extT.path, extT.ber).expectOf(T.SEQUENCE, 'Extensions');
    cert.extensions = readExtensions(seq, problems);
    decodeCertExtensions(buf, cert.extensions, cert.ext, problems, root.ber);
  }
  if (root.ber && root.ber.deviations.length > 0) {
    berProblems(root.ber, 'certificate', problems);
    cert.der = opensslReencoded(tbsT, signatureAlgorithm, signature);
  }
  return cert;
}

/** Extensions ::= SEQUENCE OF Extension, structure only (contents are decoded separately). */
export function readExtensions(seq: Tlv, problems: Problems): Extension[] {
  const out: Extension[] = [];
  const r = seq.reader();
  if (r.done()) problems.add('OTHER', 'empty extensions list (RFC 5280 requires at least one)');
  while (!r.done()) {
    const e = r.expect(T.SEQUENCE, `[${out.length}]`);
    const er = e.reader();
    const oid = D.oid(er.expect(T.OID, 'extnID'));
    const c = er.optional(T.BOOLEAN, 'critical');
    const critical = c ? D.boolean(c) : false;
    const v = er.expect(T.OCTET_STRING, 'extnValue');
    er.end();
    // a segmented extnValue (BER) is joined; its contents are then read on their own (offset -1)
    out.push({ oid, critical, value: D.octetString(v), offset: v.constructed ? -1 : v.contentStart });
  }
  return out;
}

/**
 * The element inside an extension's extnValue, with a path naming the extension. Bytes after
 * it are reported but do not stop decoding: OpenSSL's X509V3_EXT_d2i ignores them too.
 */
export function extensionContent(buf: Uint8Array, e: Extension, path: string, problems: Problems, ber?: BerLog): Tlv {
  const [src, at] = e.offset < 0 ? [e.value, 0] : [buf, e.offset];
  const end = at + e.value.length;
  const t = readTlv(src, at, end, path, ber);
  if (t.after !== end)
    problems.add(
      'BAD_EXTENSION',
      `extension ${e.oid}: ${end - t.after} bytes after its contents at byte ${t.after} (${path}); OpenSSL ignores them`,
      { oid: e.oid },
    );
  return t;
}

function decodeCertExtensions(buf: Uint8Array, exts: Extension[], ext: CertExtensions, problems: Problems, ber: BerLog | undefined): void {
  const seen = new Set<string>();
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i];
    const opensslInvalid = OPENSSL_CACHED_EXTENSIONS.has(e.oid);
    if (seen.has(e.oid)) {
      problems.add('DUPLICATE_EXTENSION', `extension ${e.oid} appears more than once`, { oid: e.oid, opensslInvalid });
      continue;
    }
    seen.add(e.oid);
    const decode = CERT_EXTENSION_DECODERS[e.oid];
    if (!decode) continue;
    const path = `tbsCertificate.extensions[${i}].extnValue`;
    problems.attempt('BAD_EXTENSION', `extension ${e.oid}`, () => decode(extensionContent(buf, e, path, problems, ber), e.critical, ext), {
      oid: e.oid,
      opensslInvalid,
    });
  }
  if (ext.basicConstraints?.pathLen !== undefined && ext.basicConstraints.pathLen < 0) {
    problems.add('BAD_EXTENSION', `negative basicConstraints pathLenConstraint ${ext.basicConstraints.pathLen}`, {
      oid: OID.basicConstraints,
      opensslInvalid: true,
    });
  }
  if (ext.keyUsage) {
    const b = ext.keyUsage.raw.bytes;
    if ((b[0] ?? 0) === 0 && (b[1] ?? 0) === 0)
      problems.add('BAD_EXTENSION', 'keyUsage has no bit set', { oid: OID.keyUsage, opensslInvalid: true });
  }
}
