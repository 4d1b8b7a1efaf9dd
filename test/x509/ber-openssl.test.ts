// BER-encoded certificates and CRLs against the openssl 3.0 CLI: a factory-made certificate
// and CRL are re-encoded with one BER form at one place (test/x509/ber-mutate.ts) and re-signed
// over the new TBS bytes; `openssl x509|crl` says whether d2i loads it, `openssl verify`
// whether the signature (over the TBS as received) and the rest still pass, `-outform DER`
// what OpenSSL re-emits and `-subject_hash_old/-issuer_hash_old` which name bytes it keeps.
// pgtls's loaders must agree on all four, in one shell run.
// Every input is fixed (vector keys, fixed serials and dates, deterministic ECDSA), so what
// openssl printed for each variant is recorded in vectors/oracle/ber-openssl/openssl-3.0.json
// and replayed without openssl (test/support/openssl-goldens.ts). The fast-check test below
// compares two pgtls readers and runs no openssl.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as tlsServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BerLog, bytesEqual, parseDer, parsePemBlocks, pemEncode, toHex, type PemBlock, type Tlv } from '../../src/der/index.js';
import { defaultSigner, makeCertificate, makeCrl, type ExtensionSpec } from '../../src/factory/index.js';
import { verifyChain } from '../../src/path/validator.js';
import {
  d2iCertificate,
  describeSignatureAlgorithm,
  nameHashOld,
  parseCertificate,
  parseCertificateBlock,
  parseCertificates,
  parseCrl,
  parseCrlBlock,
  parseCrls,
  loadCertificate,
  loadCrl,
} from '../../src/x509/index.js';
import { KEYS_DIR, loadKey, tempDir } from '../factory/helpers.js';
import { placeholders, useOpensslGoldens } from '../support/openssl-goldens.js';
import { at, encode, parseTree, type BerForm, type Node } from './ber-mutate.js';

const T = new Date('2030-06-15T12:00:00Z');
const caKey = loadKey('p256-1');
const leafKey = loadKey('p256-2');
const ca = makeCertificate({
  subject: '/C=US/O=BER Root/CN=BER Root CA',
  selfSigned: true,
  issuerKey: caKey,
  serial: 0x0100,
  extensions: [{ type: 'basicConstraints', ca: true, critical: true }],
  now: T,
});
const LEAF_EXT: ExtensionSpec[] = [
  { type: 'basicConstraints', ca: false, critical: true },
  { type: 'keyUsage', usages: ['digitalSignature'] },
  { type: 'extKeyUsage', usages: ['serverAuth'] },
  { type: 'subjectAltName', names: [{ dns: 'leaf.example.com' }] },
];
const leaf = makeCertificate({
  subject: '/C=US/O=Leaf Org/CN=leaf.example.com',
  subjectKey: leafKey,
  issuerCert: ca,
  issuerKey: caKey,
  serial: 0x1234,
  extensions: LEAF_EXT,
  now: T,
});
const crl = makeCrl({ issuerCert: ca, issuerKey: caKey, revoked: [{ serial: 0x1234, reason: 1 }], now: T });
const sigAlg = describeSignatureAlgorithm(parseCertificate(ca.der).signatureAlgorithm);

type P = readonly (number | 'in')[];
// tbsCertificate: [0] version, serial, signature, issuer, validity, subject, spki, [3] extensions
const C = {
  cert: [],
  tbs: [0],
  version: [0, 0],
  versionInt: [0, 0, 0],
  serial: [0, 1],
  tbsAlg: [0, 2],
  tbsAlgOid: [0, 2, 0],
  issuer: [0, 3],
  issuerRdn: [0, 3, 1],
  issuerAttr: [0, 3, 1, 0],
  issuerVal: [0, 3, 1, 0, 1],
  validity: [0, 4],
  notBefore: [0, 4, 0],
  subject: [0, 5],
  subjectRdn: [0, 5, 2],
  subjectVal: [0, 5, 2, 0, 1],
  spki: [0, 6],
  spkiAlg: [0, 6, 0],
  spkiBits: [0, 6, 1],
  exts: [0, 7],
  extSeq: [0, 7, 0],
  bcExt: [0, 7, 0, 0],
  bcCrit: [0, 7, 0, 0, 1],
  bcValue: [0, 7, 0, 0, 2],
  bc: [0, 7, 0, 0, 2, 'in'],
  eku: [0, 7, 0, 2, 1, 'in'],
  ekuOid: [0, 7, 0, 2, 1, 'in', 0],
  san: [0, 7, 0, 3, 1, 'in'],
  sanName: [0, 7, 0, 3, 1, 'in', 0],
  sigAlg: [1],
  sigAlgOid: [1, 0],
  sig: [2],
} satisfies Record<string, P>;
// tbsCertList: version, signature, issuer, thisUpdate, nextUpdate, revokedCertificates, [0] crlExtensions
const L = {
  crl: [],
  tbs: [0],
  version: [0, 0],
  issuer: [0, 2],
  issuerRdn: [0, 2, 0],
  thisUpdate: [0, 3],
  revoked: [0, 5],
  entry: [0, 5, 0],
  entrySerial: [0, 5, 0, 0],
  entryExts: [0, 5, 0, 2],
  crlExts: [0, 6],
  crlExtSeq: [0, 6, 0],
  crlExt: [0, 6, 0, 0],
  crlExtValue: [0, 6, 0, 0, 1],
  sigAlg: [1],
  sig: [2],
} satisfies Record<string, P>;

interface Case {
  name: string;
  crl?: boolean;
  path: P;
  form: BerForm;
}
const cases: Case[] = [];
const add = (crl: boolean, table: Record<string, P>, spec: string) => {
  for (const item of spec.trim().split(/\s+/)) {
    const [where, what] = item.split(':');
    const form: BerForm = (
      {
        long: { len: 'long' },
        pad: { len: 'pad' },
        pad2: { len: 'pad2' },
        hi: { hi: 1 },
        hi80: { hi: 2 },
        indef: { indef: true },
        prim: { prim: true },
        seg: { seg: true },
        seg03: { seg: true, segtag: 0x03 },
        intpad: { content: [0x00, 0x12, 0x34] },
        bool01: { content: [0x01] },
        caBool01: { content: [0x01, 0x01, 0x01] },
        der: {},
      } as Record<string, BerForm>
    )[what]!;
    cases.push({ name: `${crl ? 'crl' : 'cert'} ${where} ${what}`, crl, path: table[where], form });
  }
};
add(
  false,
  C,
  `cert:der cert:pad cert:hi cert:indef cert:prim tbs:long tbs:pad tbs:hi tbs:hi80 tbs:indef tbs:prim version:hi version:indef versionInt:long
   serial:long serial:pad2 serial:hi serial:seg serial:intpad tbsAlg:long tbsAlg:indef tbsAlg:prim tbsAlgOid:seg tbsAlgOid:hi80
   issuer:long issuer:hi issuer:indef issuer:prim issuerRdn:pad issuerRdn:hi80 issuerRdn:indef issuerRdn:prim issuerAttr:hi issuerAttr:indef issuerAttr:prim
   issuerVal:long issuerVal:seg validity:pad validity:indef validity:prim notBefore:hi notBefore:seg
   subject:pad subject:indef subject:prim subjectRdn:prim subjectVal:seg spki:long spki:indef spki:prim spkiAlg:hi spkiAlg:prim
   spkiBits:pad spkiBits:seg spkiBits:seg03 exts:hi exts:pad exts:indef extSeq:long extSeq:indef extSeq:prim
   bcExt:pad bcExt:indef bcExt:prim bcCrit:bool01 bcCrit:long bcValue:long bcValue:hi bcValue:seg
   bc:hi bc:long bc:pad bc:prim bc:indef bc:caBool01 eku:prim eku:indef ekuOid:long ekuOid:seg san:prim san:pad sanName:seg sanName:hi
   sigAlg:long sigAlg:hi sigAlg:indef sigAlg:prim sigAlgOid:pad sig:long sig:hi sig:seg`,
);
add(
  true,
  L,
  `crl:der crl:pad crl:indef crl:prim tbs:hi tbs:indef version:pad version:seg issuer:prim issuer:indef issuerRdn:prim thisUpdate:seg
   revoked:prim revoked:indef entry:prim entry:hi entrySerial:pad entrySerial:seg entryExts:prim crlExts:indef crlExts:prim
   crlExtSeq:prim crlExt:indef crlExt:prim crlExtValue:seg sigAlg:pad sig:seg`,
);

function build(c: Case): Uint8Array {
  const root = parseTree(c.crl ? crl.der : leaf.der)[0];
  at(root, c.path).form = c.form;
  const tbs = encode(root.children![0]);
  const sig = defaultSigner()(sigAlg, caKey, tbs);
  root.children![2] = { tag: 0x03, content: Uint8Array.from([0, ...sig]), form: root.children![2].form };
  return encode(root);
}

const goldens = useOpensslGoldens('ber-openssl');
const toHexOrEmpty = (b: Uint8Array | undefined) => (b ? toHex(b) : '');

describe('BER certificates and CRLs: pgtls loaders vs openssl 3.0', () => {
  it.skipIf(goldens.skip)('load, verify verdict, re-encoding and name bytes agree on every variant', () => {
    const tmp = tempDir('pgtls-ber-');
    try {
      tmp.write('ca.pem', ca.pem);
      tmp.write('leaf.pem', leaf.pem);
      const attime = Math.floor(T.getTime() / 1000);
      const hexOut = "od -An -v -tx1 | tr -d ' \\n'";
      const built = cases.map((c) => build(c));
      const script = cases.map((c, i) => {
        const f = tmp.write(`${i}.pem`, pemEncode(c.crl ? 'X509 CRL' : 'CERTIFICATE', built[i]));
        const lines = [`echo "@@CASE ${i}"`];
        if (c.crl) {
          lines.push(
            `echo "load=$(openssl crl -in ${f} -noout -hash_old 2>/dev/null || echo no)"`,
            `echo "der=$(openssl crl -in ${f} -outform DER 2>/dev/null | ${hexOut})"`,
            `openssl verify -attime ${attime} -crl_check -CRLfile ${f} -CAfile ca.pem leaf.pem 2>&1`,
          );
        } else {
          lines.push(
            `echo "load=$(openssl x509 -in ${f} -noout -subject_hash_old -issuer_hash_old 2>/dev/null | tr '\\n' ' ' || echo no)"`,
            `echo "der=$(openssl x509 -in ${f} -outform DER 2>/dev/null | ${hexOut})"`,
            `openssl verify -attime ${attime} -CAfile ca.pem ${f} 2>&1`,
          );
        }
        return lines.join('\n');
      });
      // live: one shell run for every variant, each variant's part recorded under its name
      let live: string[] | undefined;
      const runAll = () => {
        const r = spawnSync('sh', ['-c', script.join('\n')], { cwd: tmp.dir, encoding: 'utf8', maxBuffer: 64 << 20 });
        return r.stdout.split(/^@@CASE \d+\n/m).slice(1);
      };
      const where = placeholders([[tmp.dir, 'tmp']]);
      const outs = cases.map((c, i) => goldens.call(`ber ${c.name}`, () => (live ??= runAll())[i], where));
      expect(outs).toHaveLength(cases.length);
      const trusted = parseCertificates(ca.der);
      const goodLeaf = parseCertificates(leaf.der)[0];
      const rows = cases.map((c, i) => {
        const out = outs[i];
        const load = /^load=(.*)$/m.exec(out)![1].trim();
        const theirs = {
          load: load !== 'no' && load !== '',
          names: load === 'no' ? '' : load,
          der: load === 'no' ? '' : /^der=(.*)$/m.exec(out)![1],
          verdict: !/^load=(no)?$/m.test(out) ? (/: OK$/m.test(out) ? 'OK' : (/^error (\d+) at/m.exec(out)?.[1] ?? '?')) : '-',
        };
        let mine: typeof theirs;
        const pem = new TextEncoder().encode(pemEncode(c.crl ? 'X509 CRL' : 'CERTIFICATE', built[i]));
        try {
          if (c.crl) {
            const x = parseCrls(pem)[0];
            const res = verifyChain({ leaf: goodLeaf, trusted, crls: [x], crlMode: 'leaf', time: T });
            mine = { load: true, names: nameHashOld(x.issuer), der: toHex(x.der), verdict: res.ok ? 'OK' : String(res.error?.code) };
          } else {
            const x = parseCertificates(pem)[0];
            const res = verifyChain({ leaf: x, trusted, time: T });
            mine = {
              load: true,
              names: `${nameHashOld(x.subject)} ${nameHashOld(x.issuer)}`,
              der: toHex(x.der),
              verdict: res.ok ? 'OK' : String(res.error?.code),
            };
          }
        } catch {
          mine = { load: false, names: '', der: '', verdict: '-' };
        }
        return { name: c.name, mine, theirs };
      });
      const differ = rows.filter((x) => JSON.stringify(x.mine) !== JSON.stringify(x.theirs));
      expect(differ).toEqual([]);
      // the table exercises every outcome: refused, loaded and verified, loaded but invalid, revoked
      const verdicts = new Set(rows.map((x) => `${x.theirs.load}/${x.theirs.verdict}`));
      expect([...verdicts].sort()).toEqual(expect.arrayContaining(['false/-', 'true/OK', 'true/20', 'true/23']));
      // and it is BER that loaded: most loaded variants differ from DER
      expect(rows.filter((x) => x.theirs.load && x.mine.load).length).toBeGreaterThan(80);
    } finally {
      tmp.done();
    }
  });
});

describe('BER-tolerant mode', () => {
  it('records each deviation with its kind, offset and path', () => {
    const pick = (path: P, form: BerForm) => {
      const root = parseTree(leaf.der)[0];
      at(root, path).form = form;
      return encode(root);
    };
    const kinds = (b: Uint8Array) =>
      loadCertificate(b)
        .problems.filter((p) => p.code === 'BER_ENCODING')
        .map((p) => [p.deviation!.kind, p.deviation!.path]);
    expect(kinds(pick(C.subjectRdn, { prim: true }))).toEqual([['primitive-sequence-of', 'tbsCertificate.subject[2]']]);
    expect(kinds(pick(C.serial, { hi: 2 }))).toEqual([['high-tag-form', 'tbsCertificate.serialNumber']]);
    expect(kinds(pick(C.validity, { indef: true }))).toEqual([['indefinite-length', 'tbsCertificate.validity']]);
    expect(kinds(pick(C.notBefore, { seg: true }))).toEqual([['constructed-string', 'tbsCertificate.validity.notBefore']]);
    expect(kinds(pick(C.bcCrit, { content: [0x01] }))).toEqual([['boolean-value', 'tbsCertificate.extensions[0].critical']]);
    expect(kinds(pick(C.issuer, { len: 'pad' })).map((k) => k[0])).toEqual(['padded-length', 'long-length']);
  });

  it('keeps parseCertificate / parseCrl strict', () => {
    const root = parseTree(leaf.der)[0];
    at(root, C.issuerRdn).form = { prim: true };
    const b = encode(root);
    expect(() => parseCertificate(b)).toThrow(/found tag 0x11/);
    expect(loadCertificate(b).issuer.rdns).toHaveLength(3);
    const lr = parseTree(crl.der)[0];
    at(lr, L.revoked).form = { indef: true };
    expect(() => parseCrl(encode(lr))).toThrow(/indefinite length/);
    expect(loadCrl(encode(lr)).revoked).toHaveLength(1);
  });

  it('reads DER exactly as the strict reader does (any element tree)', () => {
    // random DER trees: the BER-tolerant walk yields the same elements and no deviation
    const leafNode: fc.Arbitrary<Node> = fc.record({
      tag: fc.constantFrom(0x02, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x80, 0x81),
      content: fc.uint8Array({ maxLength: 300 }),
    });
    const tree = fc.letrec<{ node: Node }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leafNode,
        fc.record({
          tag: fc.constantFrom(0x30, 0x31, 0xa0, 0xa3),
          children: fc.array(tie('node'), { maxLength: 4 }),
          content: fc.constant(new Uint8Array(0)),
        }),
      ),
    })).node;
    const walk = (t: Tlv): unknown[] => [
      t.tag,
      t.tagNumber,
      t.start,
      t.contentStart,
      t.end,
      t.after,
      t.path,
      t.constructed ? t.children().map(walk) : toHexOrEmpty(t.content()),
    ];
    fc.assert(
      fc.property(tree, (n) => {
        const bytes = encode(n);
        const log = new BerLog();
        const strict = walk(parseDer(bytes, 'x'));
        expect(walk(parseDer(bytes, 'x', log))).toEqual(strict);
        expect(log.deviations).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('loads DER certificates and CRLs exactly as the strict parsers do (every one under vectors/)', () => {
    const blocks: { label: string; der: Uint8Array }[] = [
      { label: 'CERTIFICATE', der: ca.der },
      { label: 'CERTIFICATE', der: leaf.der },
      { label: 'X509 CRL', der: crl.der },
    ];
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.pem') ? [join(d, e.name)] : [],
      );
    for (const f of walk(join(import.meta.dirname, '../../vectors'))) {
      for (const b of parsePemBlocks(readFileSync(f, 'latin1'))) if (b.label === 'CERTIFICATE' || b.label === 'X509 CRL') blocks.push(b);
    }
    let compared = 0;
    for (const b of blocks) {
      const crlBlock = b.label === 'X509 CRL';
      let strict: ReturnType<typeof parseCrl> | ReturnType<typeof parseCertificate>;
      try {
        strict = crlBlock ? parseCrl(b.der) : parseCertificate(b.der);
      } catch {
        continue; // not DER: nothing to compare
      }
      expect(crlBlock ? parseCrlBlock(b as PemBlock) : parseCertificateBlock(b as PemBlock)).toEqual(strict);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });
});

/** The bytes an OpenSSL server (Node's tls) sends from the server side of a TLS 1.2 handshake, where Certificate is in clear. */
async function serverBytes(certPem: string): Promise<Uint8Array> {
  const server = tlsServer({ cert: certPem, key: readFileSync(join(KEYS_DIR, 'p256-2.pem')), maxVersion: 'TLSv1.2' }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const seen: Buffer[] = [];
  const proxy = createServer((c) => {
    const up = netConnect((server.address() as AddressInfo).port, '127.0.0.1');
    c.pipe(up);
    up.on('data', (d: Buffer) => seen.push(d)).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  try {
    await new Promise<void>((resolve, reject) => {
      const s = tlsConnect(
        { port: (proxy.address() as AddressInfo).port, host: '127.0.0.1', rejectUnauthorized: false, maxVersion: 'TLSv1.2' },
        () => s.end(),
      );
      s.on('close', () => resolve()).on('error', reject);
    });
  } finally {
    proxy.close();
    server.close();
  }
  return new Uint8Array(Buffer.concat(seen));
}

describe('what an OpenSSL peer sends for a certificate it loaded from BER', () => {
  const contains = (hay: Uint8Array, needle: Uint8Array) => Buffer.from(hay).indexOf(Buffer.from(needle)) >= 0;
  it.each([
    ['outer length zero-padded', C.cert, { len: 'pad' }],
    ['signature segmented', C.sig, { seg: true }],
    ['issuer RDN in primitive form', C.issuerRdn, { prim: true }],
    ['subject in indefinite form', C.subject, { indef: true }],
  ] as [string, P, BerForm][])('%s: i2d_X509 of it, as Certificate.der says', async (_n, path, form) => {
    const bytes = build({ name: '', path, form });
    const cert = loadCertificate(bytes);
    const wire = await serverBytes(pemEncode('CERTIFICATE', bytes));
    expect(contains(wire, cert.der)).toBe(true);
    expect(contains(wire, cert.tbs)).toBe(true); // the TBS travels as received
    expect(contains(wire, bytes)).toBe(bytesEqual(bytes, cert.der));
    // and a peer reading it with d2iCertificate gets the same certificate
    expect(d2iCertificate(cert.der).tbs).toEqual(cert.tbs);
  });

  it('d2iCertificate reads BER but wants exactly the entry', () => {
    const bytes = build({ name: '', path: C.subjectRdn, form: { prim: true } });
    expect(d2iCertificate(bytes).problems.some((p) => p.code === 'BER_ENCODING')).toBe(true);
    expect(() => d2iCertificate(Uint8Array.from([...bytes, 0]))).toThrow(/bytes after the element/);
    expect(() => parseCertificate(bytes)).toThrow();
  });
});
