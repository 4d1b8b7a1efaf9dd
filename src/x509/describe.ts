// Human-readable summaries of certificates, CRLs and keys (what `pgtls show` prints), and the
// OpenSSL-compatible renderings they are built from: times as ASN1_TIME_print writes them,
// fingerprints as `openssl x509 -fingerprint`, GeneralNames, key usages and extensions as
// `openssl x509 -text` shows them. A summary is plain data (JSON-ready: bigints as decimal
// strings, bytes as hex) so the CLI can print it as text or JSON.

import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { OID, oidLongName, toHex } from '../der/index.js';
import { describeSignatureAlgorithm } from './algorithms.js';
import { describePublicKey, encodeSpki, publicKeyFromPrivate } from './keys.js';
import { formatNameOneline, formatNameRfc2253, formatNameSlashes, nameHash, namesEqual } from './name.js';
import type { Certificate, Crl, GeneralName, PrivateKey, PublicKey, SignatureAlgorithm, StructureProblem } from './types.js';
import { formatIpAddress } from './ip-address.js';
import type { DecodedTime } from '../der/index.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;

/** ASN1_TIME_print: `Jan  2 03:04:05 2024 GMT`. */
export function formatOpensslTime(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}

/** A decoded time as OpenSSL prints it, or its raw text when it is not a time. */
export function formatTime(t: DecodedTime): string {
  return t.ms === null ? `(bad time "${t.text}")` : formatOpensslTime(t.ms);
}

/** Uppercase hex with colons, as OpenSSL prints key identifiers and fingerprints. */
export function colonHex(b: Uint8Array): string {
  return toHex(b)
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
}

/** `openssl x509 -fingerprint -sha256` / `-sha1` value of DER bytes. */
export function fingerprint(derBytes: Uint8Array, hash: 'sha256' | 'sha1'): string {
  return colonHex(hash === 'sha256' ? sha256(derBytes) : sha1(derBytes));
}

/** `openssl x509 -serial` form: uppercase hex of the content octets (negative serials as OpenSSL prints them, with '-'). */
export function formatSerial(serial: { bytes: Uint8Array; value: bigint }): string {
  if (serial.value < 0n) {
    const h = (-serial.value).toString(16).toUpperCase();
    return `-${h.length % 2 ? `0${h}` : h}`;
  }
  return (
    toHex(serial.bytes)
      .toUpperCase()
      .replace(/^00(?=.)/, '') || '00'
  );
}

/**
 * A name-constraint IP (address + mask) as OpenSSL 3.0's print_nc_ipadd prints it: the first 16
 * octets (or 4, or all when fewer) as the address, the rest as the mask: `10.0.0.0/255.0.0.0`.
 */
function ipWithMask(b: Uint8Array): string {
  const len1 = b.length >= 16 ? 16 : Math.min(b.length, 4);
  return `${formatIpAddress(b.subarray(0, len1), 'openssl')}/${formatIpAddress(b.subarray(len1), 'openssl')}`;
}

const utf8 = new TextDecoder();

/** otherName types i2v_GENERAL_NAME names itself. */
const OTHERNAME_LABELS: Record<string, string> = {
  '1.3.6.1.4.1.311.20.2.3': 'UPN',
  '1.3.6.1.5.5.7.8.9': 'SmtpUTF8Mailbox',
  '1.3.6.1.5.5.7.8.5': 'XmppAddr',
  '1.3.6.1.5.5.7.8.7': 'SRVName',
  '1.3.6.1.5.5.7.8.8': 'NAIRealm',
};

/**
 * A GeneralName as `openssl x509 -text` prints it in SAN/IAN/CRLDP/AIA lists (i2v_GENERAL_NAME):
 * `DNS:x`, `IP Address:1.2.3.4`, `email:x`, `URI:x`, `DirName:/CN=x`, `Registered ID:1.2.3`.
 * `constraint` switches to the name-constraint forms (`IP:a/mask`, DirName in oneline form).
 */
export function formatGeneralName(g: GeneralName, constraint = false): string {
  switch (g.type) {
    case 'dns':
      return `DNS:${g.value}`;
    case 'email':
      return `email:${g.value}`;
    case 'uri':
      return `URI:${g.value}`;
    case 'ip':
      return constraint ? `IP:${ipWithMask(g.bytes)}` : `IP Address:${formatIpAddress(g.bytes, 'openssl')}`;
    case 'dirName':
      return constraint ? `DirName:${formatNameOneline(g.name)}` : `DirName:${formatNameSlashes(g.name)}`;
    case 'registeredID':
      return `Registered ID:${oidLongName(g.oid)}`;
    case 'otherName': {
      const name = OTHERNAME_LABELS[g.oid] ?? oidLongName(g.oid);
      const tag = g.value[0];
      if (tag === 0x0c || tag === 0x16) {
        // the value's content octets: skip the identifier and length of the inner string
        const lenByte = g.value[1];
        const off = lenByte < 0x80 ? 2 : 2 + (lenByte & 0x7f);
        return `othername: ${name}::${utf8.decode(g.value.subarray(off))}`;
      }
      return `othername: ${name}::<unsupported>`;
    }
    case 'x400Address':
      return 'X400Name:<unsupported>';
    case 'ediPartyName':
      return 'EdiPartyName:<unsupported>';
  }
}

/** keyUsage bit names in X.509 bit order, as OpenSSL prints them. */
export const KEY_USAGE_NAMES = [
  'Digital Signature',
  'Non Repudiation',
  'Key Encipherment',
  'Data Encipherment',
  'Key Agreement',
  'Certificate Sign',
  'CRL Sign',
  'Encipher Only',
  'Decipher Only',
];

/** Netscape cert type bits (OpenSSL's byte value: SSL Client = 0x80 ... Object Signing CA = 0x01). */
const NS_CERT_TYPE_NAMES = ['SSL Client', 'SSL Server', 'S/MIME', 'Object Signing', 'Unused', 'SSL CA', 'S/MIME CA', 'Object Signing CA'];

export function keyUsageNames(bits: number): string[] {
  return KEY_USAGE_NAMES.filter((_, i) => bits & (1 << i));
}

export function nsCertTypeNames(v: number): string[] {
  return NS_CERT_TYPE_NAMES.filter((_, i) => v & (0x80 >> i));
}

/** CRLReason names as `openssl crl -text` prints them. */
export const CRL_REASON_NAMES: Record<number, string> = {
  0: 'Unspecified',
  1: 'Key Compromise',
  2: 'CA Compromise',
  3: 'Affiliation Changed',
  4: 'Superseded',
  5: 'Cessation Of Operation',
  6: 'Certificate Hold',
  8: 'Remove From CRL',
  9: 'Privilege Withdrawn',
  10: 'AA Compromise',
};

/** The signature algorithm as OpenSSL names it (long name), with PSS parameters spelled out. */
export function formatSignatureAlgorithm(s: SignatureAlgorithm): string {
  const name = oidLongName(s.oid);
  if (s.kind === 'rsa-pss') return `${name} (hash ${s.pss.hash}, MGF1 ${s.pss.mgfHash}, salt ${s.pss.saltLength})`;
  if (s.kind === 'unknown') return `${name} (${s.reason})`;
  return name;
}

/** "expires in 12 days" / "expired 3 days ago" / "not valid for another 2 days". */
export function relativeValidity(notBefore: number | null, notAfter: number | null, now: number): string {
  if (notBefore !== null && now < notBefore) return `not yet valid: starts in ${Math.ceil((notBefore - now) / DAY_MS)} days`;
  if (notAfter === null) return 'expiry unknown';
  const days = (notAfter - now) / DAY_MS;
  return days >= 0 ? `expires in ${Math.floor(days)} days` : `expired ${Math.ceil(-days)} days ago`;
}

function problemText(p: StructureProblem): string {
  return `${p.code}: ${p.message}${p.opensslInvalid ? ' [OpenSSL rejects]' : ''}`;
}

export interface CertificateSummary {
  type: 'certificate';
  subject: string;
  subjectRfc2253: string;
  issuer: string;
  selfIssued: boolean;
  serial: string;
  serialDecimal: string;
  version: number;
  notBefore: string;
  notAfter: string;
  validity: string;
  publicKey: string;
  signatureAlgorithm: string;
  ca: string;
  keyUsage?: string;
  extendedKeyUsage?: string;
  subjectAltName?: string[];
  nameConstraints?: { permitted: string[]; excluded: string[] };
  subjectKeyIdentifier?: string;
  authorityKeyIdentifier?: string;
  crlDistributionPoints?: string[];
  authorityInfoAccess?: string[];
  netscapeCertType?: string;
  otherExtensions: string[];
  subjectHash: string;
  issuerHash: string;
  sha256: string;
  sha1: string;
  problems: string[];
}

const CERT_EXTENSIONS_SHOWN = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.nameConstraints,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.cRLDistributionPoints,
  OID.authorityInfoAccess,
  OID.netscapeCertType,
]);

const crit = (c: boolean) => (c ? ' (critical)' : '');

export function summarizeCertificate(cert: Certificate, now: number): CertificateSummary {
  const e = cert.ext;
  const s: CertificateSummary = {
    type: 'certificate',
    subject: formatNameOneline(cert.subject),
    subjectRfc2253: formatNameRfc2253(cert.subject),
    issuer: formatNameOneline(cert.issuer),
    selfIssued: safeNamesEqual(cert),
    serial: formatSerial(cert.serial),
    serialDecimal: cert.serial.value.toString(),
    version: cert.version,
    notBefore: formatTime(cert.notBefore),
    notAfter: formatTime(cert.notAfter),
    validity: relativeValidity(cert.notBefore.ms, cert.notAfter.ms, now),
    publicKey: describePublicKey(cert.publicKey),
    signatureAlgorithm: formatSignatureAlgorithm(describeSignatureAlgorithm(cert.signatureAlgorithm)),
    ca: e.basicConstraints
      ? e.basicConstraints.ca
        ? `yes${e.basicConstraints.pathLen !== undefined ? `, pathlen ${e.basicConstraints.pathLen}` : ''}${crit(e.basicConstraints.critical)}`
        : `no${crit(e.basicConstraints.critical)}`
      : `no basicConstraints${cert.version === 1 ? ' (v1 certificate)' : ''}`,
    otherExtensions: cert.extensions
      .filter((x) => !CERT_EXTENSIONS_SHOWN.has(x.oid))
      .map((x) => `${oidLongName(x.oid)}${crit(x.critical)}`),
    subjectHash: safe(() => nameHash(cert.subject)),
    issuerHash: safe(() => nameHash(cert.issuer)),
    sha256: fingerprint(cert.der, 'sha256'),
    sha1: fingerprint(cert.der, 'sha1'),
    problems: cert.problems.map(problemText),
  };
  if (e.keyUsage) s.keyUsage = keyUsageNames(e.keyUsage.bits).join(', ') + crit(e.keyUsage.critical);
  if (e.extKeyUsage) s.extendedKeyUsage = e.extKeyUsage.oids.map(oidLongName).join(', ') + crit(e.extKeyUsage.critical);
  if (e.subjectAltName) s.subjectAltName = e.subjectAltName.names.map((g) => formatGeneralName(g));
  if (e.nameConstraints) {
    s.nameConstraints = {
      permitted: (e.nameConstraints.permitted ?? []).map((t) => formatGeneralName(t.base, true)),
      excluded: (e.nameConstraints.excluded ?? []).map((t) => formatGeneralName(t.base, true)),
    };
  }
  if (e.subjectKeyIdentifier) s.subjectKeyIdentifier = colonHex(e.subjectKeyIdentifier);
  if (e.authorityKeyIdentifier) {
    const a = e.authorityKeyIdentifier;
    const parts: string[] = [];
    if (a.keyId) parts.push(colonHex(a.keyId));
    if (a.issuer) parts.push(...a.issuer.map((g) => formatGeneralName(g)));
    if (a.serial) parts.push(`serial:${colonHex(a.serial)}`);
    s.authorityKeyIdentifier = parts.join(', ');
  }
  if (e.crlDistributionPoints) {
    s.crlDistributionPoints = e.crlDistributionPoints.flatMap((dp) => (dp.fullName ?? []).map((g) => formatGeneralName(g)));
  }
  if (e.authorityInfoAccess) {
    s.authorityInfoAccess = e.authorityInfoAccess.map((a) => `${oidLongName(a.method)} - ${formatGeneralName(a.location)}`);
  }
  if (e.netscapeCertType !== undefined) s.netscapeCertType = nsCertTypeNames(e.netscapeCertType).join(', ');
  return s;
}

function safe(f: () => string): string {
  try {
    return f();
  } catch (e) {
    return `(${e instanceof Error ? e.message : String(e)})`;
  }
}

function safeNamesEqual(cert: Certificate): boolean {
  try {
    return namesEqual(cert.subject, cert.issuer);
  } catch {
    return false;
  }
}

export interface CrlSummary {
  type: 'crl';
  issuer: string;
  version: number;
  thisUpdate: string;
  nextUpdate?: string;
  freshness: string;
  signatureAlgorithm: string;
  crlNumber?: string;
  deltaCrlIndicator?: string;
  authorityKeyIdentifier?: string;
  issuingDistributionPoint?: string;
  revoked: { serial: string; date: string; reason?: string; invalidityDate?: string }[];
  issuerHash: string;
  sha256: string;
  problems: string[];
}

export function summarizeCrl(crl: Crl, now: number): CrlSummary {
  const next = crl.nextUpdate?.ms ?? null;
  const s: CrlSummary = {
    type: 'crl',
    issuer: formatNameOneline(crl.issuer),
    version: crl.version,
    thisUpdate: formatTime(crl.thisUpdate),
    freshness:
      next === null
        ? 'no nextUpdate'
        : now > next
          ? `stale: nextUpdate was ${Math.ceil((now - next) / DAY_MS)} days ago`
          : `next update in ${Math.floor((next - now) / DAY_MS)} days`,
    signatureAlgorithm: formatSignatureAlgorithm(describeSignatureAlgorithm(crl.signatureAlgorithm)),
    revoked: crl.revoked.map((r) => {
      const out: CrlSummary['revoked'][number] = { serial: formatSerial(r.serial), date: formatTime(r.revocationDate) };
      if (r.reason !== undefined) out.reason = CRL_REASON_NAMES[r.reason] ?? `reason ${r.reason}`;
      if (r.invalidityDate) out.invalidityDate = formatTime(r.invalidityDate);
      return out;
    }),
    issuerHash: safe(() => nameHash(crl.issuer)),
    sha256: fingerprint(crl.der, 'sha256'),
    problems: crl.problems.map(problemText),
  };
  if (crl.nextUpdate) s.nextUpdate = formatTime(crl.nextUpdate);
  if (crl.ext.crlNumber !== undefined) s.crlNumber = crl.ext.crlNumber.toString();
  if (crl.ext.deltaCrlIndicator !== undefined) s.deltaCrlIndicator = crl.ext.deltaCrlIndicator.toString();
  if (crl.ext.authorityKeyIdentifier?.keyId) s.authorityKeyIdentifier = colonHex(crl.ext.authorityKeyIdentifier.keyId);
  const idp = crl.ext.issuingDistributionPoint;
  if (idp) {
    const flags = (['onlyContainsUserCerts', 'onlyContainsCACerts', 'indirectCRL', 'onlyContainsAttributeCerts'] as const).filter(
      (k) => idp[k],
    );
    const names = (idp.distributionPoint?.fullName ?? []).map((g) => formatGeneralName(g));
    s.issuingDistributionPoint = [...names, ...flags].join(', ') || '(empty)';
  }
  return s;
}

export interface KeySummary {
  type: 'private-key' | 'public-key';
  key: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo (the usual public key pin) */
  spkiSha256: string;
  encrypted?: string;
}

export function summarizePublicKey(pub: PublicKey): KeySummary {
  return { type: 'public-key', key: describePublicKey(pub), spkiSha256: toHex(sha256(encodeSpki(pub))) };
}

export function summarizePrivateKey(priv: PrivateKey, encrypted?: string): KeySummary {
  const pub = publicKeyFromPrivate(priv);
  const s: KeySummary = { type: 'private-key', key: describePublicKey(pub), spkiSha256: toHex(sha256(encodeSpki(pub))) };
  if (encrypted) s.encrypted = encrypted;
  return s;
}

/** A summary as indented "Label: value" lines. */
export function formatSummary(s: CertificateSummary | CrlSummary | KeySummary): string {
  const rows: [string, string | undefined][] = [];
  if (s.type === 'certificate') {
    rows.push(
      ['Subject', s.subject],
      ['Subject (RFC 2253)', s.subjectRfc2253],
      ['Issuer', s.issuer + (s.selfIssued ? ' (self-issued)' : '')],
      ['Serial', `${s.serial} (${s.serialDecimal})`],
      ['Version', String(s.version)],
      ['Not before', s.notBefore],
      ['Not after', `${s.notAfter} (${s.validity})`],
      ['Public key', s.publicKey],
      ['Signature', s.signatureAlgorithm],
      ['CA', s.ca],
      ['Key usage', s.keyUsage],
      ['Extended key usage', s.extendedKeyUsage],
      ['Subject alt names', s.subjectAltName?.join(', ')],
      [
        'Name constraints',
        s.nameConstraints &&
          `permitted: ${s.nameConstraints.permitted.join(', ') || '-'}; excluded: ${s.nameConstraints.excluded.join(', ') || '-'}`,
      ],
      ['Netscape cert type', s.netscapeCertType],
      ['Subject key id', s.subjectKeyIdentifier],
      ['Authority key id', s.authorityKeyIdentifier],
      ['CRL distribution', s.crlDistributionPoints?.join(', ')],
      ['Authority info', s.authorityInfoAccess?.join(', ')],
      ['Other extensions', s.otherExtensions.join(', ') || undefined],
      ['Subject hash', `${s.subjectHash} (issuer hash ${s.issuerHash})`],
      ['SHA-256 fingerprint', s.sha256],
      ['SHA-1 fingerprint', s.sha1],
    );
  } else if (s.type === 'crl') {
    rows.push(
      ['Issuer', s.issuer],
      ['Version', String(s.version)],
      ['This update', s.thisUpdate],
      ['Next update', `${s.nextUpdate ?? '-'} (${s.freshness})`],
      ['Signature', s.signatureAlgorithm],
      ['CRL number', s.crlNumber],
      ['Delta CRL indicator', s.deltaCrlIndicator],
      ['Authority key id', s.authorityKeyIdentifier],
      ['Issuing dist. point', s.issuingDistributionPoint],
      ['Issuer hash', s.issuerHash],
      ['SHA-256 fingerprint', s.sha256],
      ['Revoked', `${s.revoked.length} certificate${s.revoked.length === 1 ? '' : 's'}`],
    );
    for (const r of s.revoked) {
      rows.push([
        `  ${r.serial}`,
        `${r.date}${r.reason ? `, ${r.reason}` : ''}${r.invalidityDate ? `, invalid since ${r.invalidityDate}` : ''}`,
      ]);
    }
  } else {
    rows.push(['Key', s.key], ['Encrypted', s.encrypted], ['SPKI SHA-256', s.spkiSha256]);
  }
  const problems = 'problems' in s ? s.problems : [];
  for (const p of problems) rows.push(['Problem', p]);
  const width = Math.max(...rows.filter(([, v]) => v !== undefined).map(([k]) => k.length));
  return rows
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  ${(`${k}:`).padEnd(width + 1)} ${v}`)
    .join('\n');
}
