// From a CaseSpec to bytes: certificates, trust store, bundle and CRLs, with the case's
// mutations applied at three levels: semantic (fields of the factory spec, then signed
// normally), structural (parts grafted from the Frankencert corpus) and byte level (DER
// corruption inside the tbsCertificate, re-signed so the damage reaches the checks behind
// the signature, or on the whole DER without re-signing). Deterministic: serials, times and
// keys all come from the spec.

import { parseDer, type Tlv } from '../der/index.js';
import {
  defaultSigAlg,
  makeCertificate,
  makeCrl,
  signatureAlgorithm,
  type CertificateSpec,
  type CrlSpec,
  type ExtensionSpec,
  type MadeCertificate,
  type NameSpec,
  type SigAlgSpec,
  type Signer,
} from '../factory/index.js';
import { bits, der, raw, seq } from '../factory/asn1.js';
import type { PrivateKey } from '../x509/types.js';
import { pick, type Corpus } from './corpus.js';
import { deterministicSigner } from './signing.js';
import {
  FUZZ_TIME,
  KEY_NAMES,
  LEAF_HOST,
  type CaseSpec,
  type CertSpecLite,
  type CrlMutationOp,
  type KeyName,
  type KeyRing,
  type Mutation,
  type MutationOp,
} from './model.js';

export interface BuiltCase {
  spec: CaseSpec;
  time: Date;
  leaf: Uint8Array;
  /** the leaf's private key when the leaf still carries that key (the TLS oracle needs it) */
  leafKey?: KeyName;
  trusted: Uint8Array[];
  untrusted: Uint8Array[];
  crls: Uint8Array[];
  purpose?: CaseSpec['purpose'];
  hostname?: string;
  ip?: string;
}

export interface BuildContext {
  keys: KeyRing;
  corpus: Corpus;
  signer?: Signer;
}

const DAY = 86_400_000;
const T = FUZZ_TIME.getTime();
const at = (ms: number) => new Date(T + ms);
const OTHER_ROOT_KEY: KeyName = 'ed25519-4';
const UNKNOWN_EXT_OID = '1.3.6.1.4.1.55555.1.1';

function window(v: CertSpecLite['validity']): { notBefore: Date; notAfter: Date } {
  switch (v) {
    case 'ok':
      return { notBefore: at(-1826 * DAY), notAfter: at(1826 * DAY) };
    case 'expired':
      return { notBefore: at(-1000 * DAY), notAfter: at(-400 * DAY) };
    case 'future':
      return { notBefore: at(400 * DAY), notAfter: at(1000 * DAY) };
    case 'edge-nb':
      return { notBefore: at(1000), notAfter: at(1826 * DAY) };
    case 'edge-na':
      return { notBefore: at(-1826 * DAY), notAfter: at(-1000) };
    case 'at-na':
      return { notBefore: at(-1826 * DAY), notAfter: at(0) };
    case 'inverted':
      return { notBefore: at(365 * DAY), notAfter: at(-365 * DAY) };
  }
}

function caName(i: number, c: CertSpecLite): NameSpec {
  return [{ CN: c.name === 'D' ? 'CA shared' : `CA ${i} ${c.name}` }, { O: 'pgtls fuzz' }];
}

function leafName(c: CertSpecLite): NameSpec {
  return [{ CN: c.cnHost ? LEAF_HOST : 'fuzz leaf' }, { O: 'pgtls fuzz' }];
}

const BC: Record<CertSpecLite['bc'], ExtensionSpec | undefined> = {
  ca: { type: 'basicConstraints', ca: true, critical: true },
  'ca-path0': { type: 'basicConstraints', ca: true, pathLen: 0, critical: true },
  'ca-path1': { type: 'basicConstraints', ca: true, pathLen: 1, critical: true },
  'ca-noncrit': { type: 'basicConstraints', ca: true, critical: false },
  none: undefined,
  'not-ca': { type: 'basicConstraints', ca: false, critical: true },
};
const KU: Record<CertSpecLite['ku'], ExtensionSpec | undefined> = {
  none: undefined,
  ca: { type: 'keyUsage', usages: ['keyCertSign', 'cRLSign'], critical: true },
  certsign: { type: 'keyUsage', usages: ['keyCertSign'], critical: true },
  crlsign: { type: 'keyUsage', usages: ['cRLSign', 'digitalSignature'], critical: true },
  ds: { type: 'keyUsage', usages: ['digitalSignature'], critical: true },
  ke: { type: 'keyUsage', usages: ['keyEncipherment'], critical: true },
};
const EKU: Record<CertSpecLite['eku'], string[] | undefined> = {
  none: undefined,
  server: ['serverAuth'],
  client: ['clientAuth'],
  any: ['anyExtendedKeyUsage'],
  code: ['codeSigning'],
  'server-client': ['serverAuth', 'clientAuth'],
};
const SAN: Record<CertSpecLite['san'], string[] | undefined> = {
  none: undefined,
  dns: [`DNS:${LEAF_HOST}`],
  'dns-other': ['DNS:other.example.com'],
  wild: ['DNS:*.example.com'],
  ip: ['IP:10.1.2.3'],
  email: ['email:db@example.com'],
};
const NC: Record<CertSpecLite['nc'], ExtensionSpec | undefined> = {
  none: undefined,
  'permit-dns': { type: 'nameConstraints', permitted: ['DNS:example.com'], critical: true },
  'exclude-dns': { type: 'nameConstraints', excluded: ['DNS:db.example.com'], critical: true },
  'permit-ip': { type: 'nameConstraints', permitted: ['IP:10.0.0.0/8'], critical: true },
  'permit-dirname': { type: 'nameConstraints', permitted: ['dirName:/O=pgtls fuzz'], critical: true },
  'exclude-other': { type: 'nameConstraints', excluded: ['DNS:other.example.com', 'IP:192.168.0.0/16'], critical: false },
};

function extensionsOf(c: CertSpecLite): ExtensionSpec[] | undefined {
  if (c.version === 'v1') return undefined;
  const out: ExtensionSpec[] = [];
  if (BC[c.bc]) out.push(BC[c.bc]!);
  if (KU[c.ku]) out.push(KU[c.ku]!);
  if (EKU[c.eku]) out.push({ type: 'extKeyUsage', usages: EKU[c.eku]! });
  if (SAN[c.san]) out.push({ type: 'subjectAltName', names: SAN[c.san]! });
  if (NC[c.nc]) out.push(NC[c.nc]!);
  if (c.ids) out.push({ type: 'subjectKeyIdentifier' }, { type: 'authorityKeyIdentifier' });
  return out;
}

/** The key `n` names among the ring, different from `not` */
function otherKey(n: number, not: KeyName): KeyName {
  const k = KEY_NAMES[n % KEY_NAMES.length];
  return k === not ? KEY_NAMES[(n + 1) % KEY_NAMES.length] : k;
}

function sha1Alg(k: PrivateKey): SigAlgSpec | undefined {
  if (k.kind === 'rsa') return k.pss ? undefined : 'sha1WithRSAEncryption';
  if (k.kind === 'ec') return 'ecdsa-with-SHA1';
  return undefined;
}

function otherFamilyAlg(k: PrivateKey): SigAlgSpec {
  return k.kind === 'ec' ? 'sha256WithRSAEncryption' : k.kind === 'rsa' ? 'ecdsaWithSHA256' : 'ecdsaWithSHA256';
}

/** A signer that always signs as the key's own default algorithm, whatever the identifier says. */
function keyDefaultSigner(s: Signer): Signer {
  return (_alg, key, msg) => s(signatureAlgorithm(defaultSigAlg(key)).alg, key, msg);
}

interface Draft {
  spec: CertificateSpec;
  exts: ExtensionSpec[] | undefined;
  keyName: KeyName;
  issuerKeyName: KeyName;
}

type Ctx = BuildContext & { signer: Signer };

function replaceExt(d: Draft, type: ExtensionSpec['type'], e: ExtensionSpec | undefined): void {
  const list = d.exts ?? [];
  const i = list.findIndex((x) => x.type === type);
  if (i >= 0) {
    if (e) list[i] = e;
    else list.splice(i, 1);
  } else if (e) list.unshift(e);
  d.exts = list;
}

const MALFORMED_TIMES: { text: string; type: 'utc' | 'generalized' }[] = [
  { text: '2701011200Z', type: 'utc' },
  { text: '270101120000+0100', type: 'utc' },
  { text: '20270101120000.5Z', type: 'generalized' },
  { text: '991301000000Z', type: 'utc' },
  { text: '', type: 'utc' },
  { text: '20270101120000', type: 'generalized' },
];

/** Semantic and structural mutations: edit the draft before signing. Returns false when the op is byte level. */
function applySemantic(
  d: Draft,
  op: MutationOp,
  n: number,
  c: Ctx,
  parentSerial: number | undefined,
  parentName: NameSpec | undefined,
): void {
  const s = d.spec;
  const issuerKey = c.keys[d.issuerKeyName];
  const ext = (type: ExtensionSpec['type']) => d.exts?.find((e) => e.type === type);
  switch (op) {
    case 'validity-edge-nb':
      s.notBefore = at(1000);
      return;
    case 'validity-edge-na':
      s.notAfter = at(-1000);
      return;
    case 'validity-at-na':
      s.notAfter = at(0);
      return;
    case 'validity-inverted':
      [s.notBefore, s.notAfter] = [s.notAfter, s.notBefore];
      return;
    case 'time-generalized':
      if (s.notBefore instanceof Date) s.notBefore = { date: s.notBefore, type: 'generalized' };
      return;
    case 'time-malformed':
      if (n & 1) s.notBefore = MALFORMED_TIMES[n % MALFORMED_TIMES.length];
      else s.notAfter = MALFORMED_TIMES[n % MALFORMED_TIMES.length];
      return;
    case 'bc-drop':
      return replaceExt(d, 'basicConstraints', undefined);
    case 'bc-ca-false':
      return replaceExt(d, 'basicConstraints', { type: 'basicConstraints', ca: false, critical: true });
    case 'bc-pathlen-0':
      return replaceExt(d, 'basicConstraints', { type: 'basicConstraints', ca: true, pathLen: 0, critical: true });
    case 'bc-pathlen-big':
      return replaceExt(d, 'basicConstraints', { type: 'basicConstraints', ca: n % 3 !== 0, pathLen: 2 + (n % 200), critical: true });
    case 'bc-noncrit': {
      const e = ext('basicConstraints');
      if (e) e.critical = !(e.critical ?? true);
      return;
    }
    case 'bc-explicit-false':
      return replaceExt(d, 'basicConstraints', { type: 'basicConstraints', ca: false, explicitFalse: true, critical: (n & 1) === 0 });
    case 'bc-negative-pathlen':
      // basicConstraints { cA TRUE, pathLenConstraint -1 }
      d.exts = (d.exts ?? []).filter((e) => e.type !== 'basicConstraints');
      d.exts.unshift({
        type: 'raw',
        oid: '2.5.29.19',
        value: Uint8Array.of(0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0xff),
        critical: true,
      });
      return;
    case 'ku-drop':
      return replaceExt(d, 'keyUsage', undefined);
    case 'ku-certsign-only':
      return replaceExt(d, 'keyUsage', { type: 'keyUsage', usages: ['keyCertSign'], critical: true });
    case 'ku-ds-only':
      return replaceExt(d, 'keyUsage', { type: 'keyUsage', usages: ['digitalSignature'], critical: true });
    case 'ku-empty':
      return replaceExt(d, 'keyUsage', { type: 'keyUsage', usages: [], critical: true });
    case 'ku-critical-flip': {
      const e = ext('keyUsage');
      if (e) e.critical = !(e.critical ?? false);
      return;
    }
    case 'eku-server':
    case 'eku-client':
    case 'eku-any':
    case 'eku-code': {
      const u = { 'eku-server': 'serverAuth', 'eku-client': 'clientAuth', 'eku-any': 'anyExtendedKeyUsage', 'eku-code': 'codeSigning' }[op];
      return replaceExt(d, 'extKeyUsage', { type: 'extKeyUsage', usages: [u], critical: (n & 3) === 0 });
    }
    case 'eku-drop':
      return replaceExt(d, 'extKeyUsage', undefined);
    case 'crit-unknown':
    case 'noncrit-unknown':
      (d.exts ??= []).push({ type: 'raw', oid: UNKNOWN_EXT_OID, value: Uint8Array.of(0x05, 0x00), critical: op === 'crit-unknown' });
      return;
    case 'crit-flip': {
      const e = pick(d.exts ?? [], n);
      if (e) e.critical = !(e.critical ?? (e.type === 'basicConstraints' && 'ca' in e && e.ca));
      return;
    }
    case 'san-dns-other':
      return replaceExt(d, 'subjectAltName', { type: 'subjectAltName', names: ['DNS:other.example.com'] });
    case 'san-empty':
      return replaceExt(d, 'subjectAltName', { type: 'subjectAltName', names: [] });
    case 'san-ip':
      return replaceExt(d, 'subjectAltName', { type: 'subjectAltName', names: [n & 1 ? 'IP:10.1.2.3' : 'IP:192.168.1.1'] });
    case 'san-wild':
      return replaceExt(d, 'subjectAltName', {
        type: 'subjectAltName',
        names: [['DNS:*.example.com', 'DNS:d*.example.com', 'DNS:*', 'DNS:*.com'][n % 4]],
      });
    case 'san-critical': {
      const e = ext('subjectAltName');
      if (e) e.critical = !e.critical;
      return;
    }
    case 'nc-permit-dns':
      return replaceExt(d, 'nameConstraints', NC['permit-dns']);
    case 'nc-exclude-dns':
      return replaceExt(d, 'nameConstraints', NC['exclude-dns']);
    case 'nc-permit-ip':
      return replaceExt(d, 'nameConstraints', NC['permit-ip']);
    case 'serial-zero':
      s.serial = 0;
      return;
    case 'serial-negative':
      s.serial = { raw: Uint8Array.of(0xff, 0x01 + (n & 0x7f)) };
      return;
    case 'serial-long':
      s.serial = { raw: Uint8Array.from({ length: 21 }, (_, i) => (i === 0 ? 0x01 : (n + i) & 0xff)) };
      return;
    case 'serial-dup':
      if (parentSerial !== undefined) s.serial = parentSerial;
      return;
    case 'version-1':
      s.version = 1;
      return;
    case 'version-2':
      s.version = 2;
      return;
    case 'version-4':
      s.version = 4;
      return;
    case 'version-1-explicit':
      s.version = 1;
      s.explicitV1 = true;
      return;
    case 'dup-ext': {
      const e = pick(d.exts ?? [], n);
      if (e) d.exts!.push({ ...e });
      return;
    }
    case 'ext-empty-list':
      d.exts = [];
      return;
    case 'sigalg-sha1': {
      const a = sha1Alg(issuerKey);
      if (a) s.signatureAlgorithm = a;
      return;
    }
    case 'sigalg-inner-differs':
      s.tbsSignatureAlgorithm = issuerKey.kind === 'rsa' && !issuerKey.pss ? 'sha384WithRSAEncryption' : 'ecdsaWithSHA384';
      return;
    case 'sigalg-wrong-family':
      s.signatureAlgorithm = otherFamilyAlg(issuerKey);
      s.signer = keyDefaultSigner(c.signer);
      return;
    case 'sigalg-unknown':
      s.signatureAlgorithm = { oid: '1.3.6.1.4.1.55555.2.1', params: n & 1 ? 'null' : 'absent' };
      s.signer = keyDefaultSigner(c.signer);
      return;
    case 'sigalg-pss':
      if (issuerKey.kind === 'rsa' && !issuerKey.pss)
        s.signatureAlgorithm = { pss: { hash: (['sha256', 'sha384', 'sha512'] as const)[n % 3] } };
      return;
    case 'corrupt-sig':
      s.corruptSignature = true;
      return;
    case 'wrong-issuer-key':
      d.issuerKeyName = otherKey(n, d.issuerKeyName);
      s.issuerKey = c.keys[d.issuerKeyName];
      if (s.selfSigned) s.subjectKey = c.keys[d.keyName];
      return;
    case 'key-swap':
      d.keyName = otherKey(n, d.keyName);
      s.subjectKey = c.keys[d.keyName];
      return;
    case 'subject-is-issuer':
      if (parentName) s.subject = parentName;
      return;
    case 'issuer-name-printable':
      // the issuer's name re-encoded with PrintableString values: OpenSSL's canonical comparison says equal
      if (parentName) {
        s.issuer = parentName;
        s.stringPolicy = 'printable';
      }
      return;
    case 'subject-empty':
      s.subject = [];
      return;
    case 'aki-wrong':
      return replaceExt(d, 'authorityKeyIdentifier', {
        type: 'authorityKeyIdentifier',
        keyId: Uint8Array.from({ length: 20 }, (_, i) => (n * 7 + i) & 0xff),
      });
    case 'ski-drop':
      return replaceExt(d, 'subjectKeyIdentifier', undefined);
    case 'aki-drop':
      return replaceExt(d, 'authorityKeyIdentifier', undefined);
    case 'aki-issuer-serial':
      if (!s.selfSigned)
        replaceExt(d, 'authorityKeyIdentifier', {
          type: 'authorityKeyIdentifier',
          issuer: true,
          serial: true,
          keyId: n & 1 ? undefined : false,
        });
      return;
    case 'graft-ext': {
      const e = pick(c.corpus.extensions, n);
      if (e) (d.exts ??= []).push({ type: 'raw', oid: e.oid, value: e.value, critical: e.critical });
      return;
    }
    case 'graft-exts': {
      const set = pick(c.corpus.extensionSets, n);
      if (set) d.exts = set.map((e) => ({ type: 'raw', oid: e.oid, value: e.value, critical: e.critical }));
      return;
    }
    case 'graft-subject': {
      const nm = pick(c.corpus.names, n);
      if (nm) s.subject = nm;
      return;
    }
    case 'graft-issuer': {
      const nm = pick(c.corpus.names, n);
      if (nm) s.issuer = nm;
      return;
    }
    case 'graft-validity': {
      const v = pick(c.corpus.validities, n);
      if (v) {
        s.notBefore = v.notBefore;
        s.notAfter = v.notAfter;
      }
      return;
    }
    default:
      return;
  }
}

const BYTE_OPS = new Set<MutationOp>([
  'tbs-bit-flip',
  'tbs-len-corrupt',
  'tbs-tag-corrupt',
  'tbs-byte-insert',
  'tbs-truncate-ext',
  'der-bit-flip',
  'der-truncate',
  'der-trailing',
]);

/** Header offsets of every element inside `buf` (a DER walk that stops where the DER breaks). */
export function tlvOffsets(buf: Uint8Array): number[] {
  const out: number[] = [];
  const walk = (t: Tlv, depth: number) => {
    out.push(t.start);
    if (!t.constructed || depth > 12) return;
    try {
      for (const k of t.children()) walk(k, depth + 1);
    } catch {
      /* malformed below here: keep what we have */
    }
  };
  try {
    walk(parseDer(buf), 0);
  } catch {
    out.push(0);
  }
  return out;
}

/** A byte-level mutation of a TBS (or CRL TBS). */
export function mutateTbs(tbs: Uint8Array, op: MutationOp, n: number): Uint8Array {
  const b = tbs.slice();
  switch (op) {
    case 'tbs-bit-flip': {
      // skip the outer header so the damage lands inside
      const pos = 4 + (n % Math.max(1, b.length - 4));
      if (pos < b.length) b[pos] ^= 1 << (n % 8);
      return b;
    }
    case 'tbs-len-corrupt': {
      const offs = tlvOffsets(b).filter((o) => o > 0);
      const o = pick(offs, n);
      if (o === undefined || o + 1 >= b.length) return b;
      const l = b[o + 1];
      if (l < 0x80) b[o + 1] = n & 1 ? Math.min(0x7f, l + 1) : Math.max(0, l - 1);
      else if (l === 0x81)
        b[o + 1] = 0x82; // non-minimal or wrong length-of-length
      else b[o + 1] = 0x80; // indefinite length
      return b;
    }
    case 'tbs-tag-corrupt': {
      const offs = tlvOffsets(b).filter((o) => o > 0);
      const o = pick(offs, n);
      if (o !== undefined) b[o] = [0x04, 0x0c, 0x13, 0x30, 0x31, 0x02, 0xa0, 0x1f][(n >> 3) % 8] ?? b[o];
      return b;
    }
    case 'tbs-byte-insert': {
      const pos = 2 + (n % Math.max(1, b.length - 2));
      const out = new Uint8Array(b.length + 1);
      out.set(b.subarray(0, pos));
      out[pos] = n & 0xff;
      out.set(b.subarray(pos), pos + 1);
      return out;
    }
    case 'tbs-truncate-ext':
      return b.subarray(0, Math.max(2, b.length - 1 - (n % 24)));
    default:
      return b;
  }
}

function mutateDer(d: Uint8Array, op: MutationOp, n: number): Uint8Array {
  switch (op) {
    case 'der-bit-flip': {
      const b = d.slice();
      const pos = n % b.length;
      b[pos] ^= 1 << ((n >> 8) % 8);
      return b;
    }
    case 'der-truncate':
      return d.subarray(0, n % d.length);
    case 'der-trailing': {
      const b = new Uint8Array(d.length + 1 + (n % 3));
      b.set(d);
      return b;
    }
    default:
      return d;
  }
}

/** SEQUENCE { tbs, algorithm, BIT STRING sig } around a (possibly malformed) TBS, re-signed. */
function resign(certDer: Uint8Array, tbs: Uint8Array, key: PrivateKey, signer: Signer): Uint8Array {
  const kids = parseDer(certDer).children();
  const algDer = kids[1].bytes();
  const alg = signatureAlgorithm(defaultSigAlg(key)).alg;
  let sig: Uint8Array;
  try {
    sig = signer(alg, key, tbs);
  } catch {
    sig = new Uint8Array(64);
  }
  return der(seq(raw(tbs), raw(algDer), bits(sig)));
}

function applyBytes(made: Uint8Array, tbs: Uint8Array, muts: Mutation[], key: PrivateKey, signer: Signer): Uint8Array {
  // TBS damage first (each re-signed), then damage to the whole DER, which no signature covers
  let curTbs = tbs;
  let out = made;
  for (const m of muts) if (m.op.startsWith('tbs-')) curTbs = mutateTbs(curTbs, m.op as MutationOp, m.n);
  if (curTbs !== tbs) out = resign(made, curTbs, key, signer);
  for (const m of muts) if (m.op.startsWith('der-')) out = mutateDer(out, m.op as MutationOp, m.n);
  return out;
}

/** A deterministic serial for chain position `i` (distinct per position, stable per case). */
const serialOf = (i: number, salt: number) => 0x1000 + i * 0x100 + salt;

export function buildCase(spec: CaseSpec, bc: BuildContext): BuiltCase {
  const signer = bc.signer ?? deterministicSigner();
  const c: Ctx = { ...bc, signer };
  const n = spec.chain.length;
  const muts = (i: number) => spec.mutations.filter((m) => m.at === i && !('crl' in m));
  const made: MadeCertificate[] = [];
  const ders: Uint8Array[] = [];
  const keyNames: KeyName[] = [];
  const spkiKeys: KeyName[] = [];
  const names: NameSpec[] = [];
  const serials: number[] = [];
  spec.chain.forEach((cs, i) => {
    const isLeaf = i === n - 1;
    const root = i === 0;
    const subject = isLeaf ? leafName(cs) : caName(i, cs);
    const w = window(cs.validity);
    const serial = serialOf(i, cs.name.charCodeAt(0) & 0x3f);
    const d: Draft = {
      keyName: cs.key,
      issuerKeyName: root ? cs.key : keyNames[i - 1],
      exts: extensionsOf(cs)?.map((e) => ({ ...e })),
      spec: {
        subject,
        serial,
        notBefore: w.notBefore,
        notAfter: w.notAfter,
        now: FUZZ_TIME,
        version: cs.version === 'v1' ? 1 : 3,
        signer,
      },
    };
    if (root) {
      d.spec.selfSigned = true;
      d.spec.issuerKey = c.keys[cs.key];
    } else {
      d.spec.subjectKey = c.keys[cs.key];
      d.spec.issuerKey = c.keys[keyNames[i - 1]];
      d.spec.issuerCert = made[i - 1];
    }
    const mine = muts(i);
    for (const m of mine)
      if (!BYTE_OPS.has(m.op as MutationOp))
        applySemantic(d, m.op as MutationOp, m.n, c, i > 0 ? serials[i - 1] : undefined, i > 0 ? names[i - 1] : undefined);
    let m: MadeCertificate;
    try {
      m = makeCertificate({ ...d.spec, extensions: d.exts });
    } catch {
      // a combination the factory refuses (e.g. a malformed time text it cannot lay out): leave the mutation out
      m = makeCertificate({
        ...d.spec,
        notBefore: w.notBefore,
        notAfter: w.notAfter,
        extensions: d.exts,
        signatureAlgorithm: undefined,
        tbsSignatureAlgorithm: undefined,
        signer,
      });
    }
    made.push(m);
    // children are signed with the key the spec gave this certificate, whatever key it now carries
    keyNames.push(cs.key);
    spkiKeys.push(d.keyName);
    names.push(d.spec.subject);
    serials.push(typeof d.spec.serial === 'number' ? d.spec.serial : serial);
    const byteMuts = mine.filter((x) => BYTE_OPS.has(x.op as MutationOp));
    ders.push(byteMuts.length ? applyBytes(m.der, m.tbs, byteMuts, c.keys[d.issuerKeyName], signer) : m.der);
  });

  // extra certificates: an unrelated root, an impostor root, a cross-signed intermediate
  const otherRoot = makeCertificate({
    subject: [{ CN: 'CA other root' }, { O: 'pgtls fuzz' }],
    serial: 0x77,
    selfSigned: true,
    issuerKey: c.keys[OTHER_ROOT_KEY],
    notBefore: at(-1826 * DAY),
    notAfter: at(1826 * DAY),
    extensions: [{ type: 'basicConstraints', ca: true, critical: true }, { type: 'subjectKeyIdentifier' }],
    now: FUZZ_TIME,
    signer,
  });
  const leaf = ders[n - 1];
  const intermediates = ders.slice(1, n - 1);
  let bundle = [...intermediates];
  const b = spec.bundle;
  if (b.drop !== undefined && bundle.length) bundle.splice(b.drop % bundle.length, 1);
  if (b.dup && bundle.length) bundle.push(bundle[0]);
  if (b.leafInBundle) bundle.push(leaf);
  if (b.impostor) {
    bundle.push(
      makeCertificate({
        subject: names[0],
        serial: 0x78,
        selfSigned: true,
        issuerKey: c.keys[otherKey(3, keyNames[0])],
        notBefore: at(-1826 * DAY),
        notAfter: at(1826 * DAY),
        extensions: [{ type: 'basicConstraints', ca: true, critical: true }],
        now: FUZZ_TIME,
        signer,
      }).der,
    );
  }
  const trustedExtra: Uint8Array[] = [];
  if (b.cross !== 'none' && n >= 3) {
    const cs = spec.chain[1];
    const cross = makeCertificate({
      subject: names[1],
      serial: 0x79,
      subjectKey: c.keys[keyNames[1]],
      issuerKey: c.keys[OTHER_ROOT_KEY],
      issuerCert: otherRoot,
      ...window(cs.validity),
      extensions: extensionsOf(cs),
      now: FUZZ_TIME,
      signer,
    });
    bundle.push(cross.der);
    if (b.cross === 'trusted') trustedExtra.push(otherRoot.der);
  }
  if (b.shuffle && bundle.length > 1) {
    const r = b.shuffle % bundle.length;
    bundle = [...bundle.slice(r), ...bundle.slice(0, r)];
    if (b.shuffle & 1) bundle.reverse();
  }
  const anchors: Record<CaseSpec['anchor'], Uint8Array[]> = {
    root: [ders[0]],
    'root+intermediate': n >= 3 ? [ders[0], ders[1]] : [ders[0]],
    intermediate: n >= 3 ? [ders[1]] : [ders[0]],
    leaf: [leaf],
    none: [],
    other: [otherRoot.der],
    'root-dup': [ders[0], ders[0]],
  };
  const trusted = [...anchors[spec.anchor], ...trustedExtra];

  // CRLs: one per CA (all), or all but one (missing-one)
  const crls: Uint8Array[] = [];
  if (spec.crl.mode !== 'none') {
    const victim = spec.crl.revoke !== undefined ? spec.crl.revoke % n : undefined;
    const cas = n === 1 ? [0] : spec.chain.slice(0, n - 1).map((_, i) => i);
    const skip = spec.crl.mode === 'missing-one' ? cas[(spec.crl.revoke ?? 0) % cas.length] : -1;
    for (const i of cas) {
      if (i === skip) continue;
      const cm = spec.mutations.filter((m): m is Extract<Mutation, { crl: true }> => 'crl' in m && m.at === i);
      const revoked: number[] = [];
      if (victim !== undefined && (victim === i + 1 || (victim === 0 && i === 0))) revoked.push(serials[victim]);
      const crlSpec: CrlSpec = {
        issuerCert: made[i],
        issuerKey: c.keys[keyNames[i]],
        thisUpdate: at(-30 * DAY),
        nextUpdate: at(1826 * DAY),
        crlNumber: 1 + i,
        now: FUZZ_TIME,
        signer,
      };
      let flip: { n: number } | undefined;
      for (const m of cm) {
        const r = applyCrlMutation(crlSpec, m.op, m.n, c, keyNames[i], serials, i);
        if (r) flip = r;
      }
      crlSpec.revoked = [...(crlSpec.revoked ?? []), ...revoked.map((s) => ({ serial: s, date: at(-10 * DAY) }))];
      const crl = makeCrl(crlSpec);
      crls.push(flip ? resign(crl.der, mutateTbs(crl.tbs, 'tbs-bit-flip', flip.n), crlSpec.issuerKey!, signer) : crl.der);
    }
  }
  return {
    spec,
    time: FUZZ_TIME,
    leaf,
    leafKey: spkiKeys[n - 1],
    trusted,
    untrusted: bundle,
    crls,
    purpose: spec.purpose,
    hostname: spec.hostname,
    ip: spec.ip,
  };
}

function applyCrlMutation(
  s: CrlSpec,
  op: CrlMutationOp,
  n: number,
  c: Ctx,
  issuerKey: KeyName,
  serials: number[],
  i: number,
): { n: number } | undefined {
  switch (op) {
    case 'crl-expired':
      s.thisUpdate = at(-60 * DAY);
      s.nextUpdate = at(-1 * DAY);
      return;
    case 'crl-future':
      s.thisUpdate = at(DAY);
      return;
    case 'crl-no-next':
      s.nextUpdate = null;
      return;
    case 'crl-bad-sig':
      s.corruptSignature = true;
      return;
    case 'crl-wrong-key':
      s.issuerKey = c.keys[otherKey(n, issuerKey)];
      return;
    case 'crl-unknown-critical':
      s.extensions = [...(s.extensions ?? []), { type: 'raw', oid: UNKNOWN_EXT_OID, value: Uint8Array.of(0x05, 0x00), critical: true }];
      return;
    case 'crl-v1':
      s.version = 1;
      s.crlNumber = null;
      s.authorityKeyIdentifier = false;
      return;
    case 'crl-tbs-bit-flip':
      return { n };
    case 'crl-idp-ca-only':
      s.extensions = [...(s.extensions ?? []), { type: 'issuingDistributionPoint', onlyContainsCACerts: true }];
      return;
    case 'crl-idp-user-only':
      s.extensions = [...(s.extensions ?? []), { type: 'issuingDistributionPoint', onlyContainsUserCerts: true }];
      return;
    case 'crl-revoke-all':
      s.revoked = serials.slice(i + 1, i + 2).map((x) => ({ serial: x, date: at(-10 * DAY), reason: n % 11 === 7 ? 1 : n % 11 }));
      return;
  }
}
