// Certificates and CRLs from makeCertificate/makeCrl, judged by the openssl CLI: it parses
// them, prints the fields the spec asked for, verifies the chains, checks CRLs, and reports
// the documented error for each wrong-on-purpose certificate.
import { afterAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { makeCertificate, makeCrl, type CertificateSpec, type MadeCertificate } from '../../src/factory/certificate.js';
import type { ExtensionSpec, SigAlgSpec } from '../../src/factory/index.js';
import type { PrivateKey } from '../../src/x509/types.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { loadKey, openssl, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.done());
const DAY = 86_400_000;
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);

const KEY_NAMES = ['rsa2048-1', 'rsapss2048-1', 'p256-1', 'p384-1', 'p521-1', 'ed25519-1', 'ed448-1'] as const;
const KEYS: Record<string, PrivateKey> = Object.fromEntries(KEY_NAMES.map((k) => [k, loadKey(k)]));
const rsa2 = loadKey('rsa2048-2');
const p256b = loadKey('p256-2');

/** Signature algorithms each issuer key can use, with the name openssl prints. */
function algsFor(key: string): { spec: SigAlgSpec; printed: string }[] {
  if (key.startsWith('rsapss'))
    return [
      { spec: { pss: { hash: 'sha256' } }, printed: 'rsassaPss' },
      { spec: { pss: { hash: 'sha384', saltLength: 20 } }, printed: 'rsassaPss' },
    ];
  if (key.startsWith('rsa'))
    return [
      ...(['sha224', 'sha256', 'sha384', 'sha512'] as const).map((h) => ({
        spec: `${h}WithRSAEncryption`,
        printed: `${h}WithRSAEncryption`,
      })),
      { spec: { pss: { hash: 'sha256' } }, printed: 'rsassaPss' },
      { spec: { pss: { hash: 'sha512', mgfHash: 'sha256', saltLength: 0 } }, printed: 'rsassaPss' },
    ];
  if (key.startsWith('p'))
    return (['SHA256', 'SHA384', 'SHA512'] as const).map((h) => ({ spec: `ecdsa-with-${h}`, printed: `ecdsa-with-${h}` }));
  return [{ spec: key.startsWith('ed25519') ? 'ed25519' : 'ed448', printed: key.startsWith('ed25519') ? 'ED25519' : 'ED448' }];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** openssl's ASN1_TIME_print format */
const printed = (d: Date) =>
  `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)} ${d.getUTCFullYear()} GMT`;

const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .-]{0,14}[A-Za-z0-9]$/);
const nameArb = fc.record({
  c: fc.option(fc.constantFrom('US', 'FR', 'DE'), { nil: undefined }),
  o: fc.option(word, { nil: undefined }),
  cn: word,
});
const slash = (n: { c?: string; o?: string; cn: string }) => `${(n.c ? `/C=${n.c}` : '') + (n.o ? `/O=${n.o}` : '')}/CN=${n.cn}`;

interface Case {
  rootKey: string;
  interKey: string;
  leafKey: string;
  alg: [number, number, number];
  names: { c?: string; o?: string; cn: string }[];
  serials: bigint[];
  pathLen: number | undefined;
  ku: boolean;
  sans: string[];
  eku: boolean;
  farFuture: boolean;
  back: number;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    rootKey: fc.constantFrom(...KEY_NAMES),
    interKey: fc.constantFrom(...KEY_NAMES),
    leafKey: fc.constantFrom(...KEY_NAMES),
    alg: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
    names: fc.tuple(nameArb, nameArb, nameArb).map((t) => [...t]),
    serials: fc.tuple(fc.bigInt(1n, (1n << 159n) - 1n), fc.bigInt(1n, 1n << 64n), fc.bigInt(1n, 255n)).map((t) => [...t]),
    pathLen: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    ku: fc.boolean(),
    sans: fc.array(
      fc.oneof(
        word.map((w) => `DNS:${w.replace(/ /g, '')}.example`),
        fc.ipV4().map((ip) => `IP:${ip}`),
        fc.constant('IP:2001:db8::1'),
      ),
      { maxLength: 3 },
    ),
    eku: fc.boolean(),
    farFuture: fc.boolean(),
    back: fc.integer({ min: 0, max: 1000 }),
  })
  .filter(
    // a real hierarchy has one key and one name per CA: shared keys or names make OpenSSL's issuer lookup ambiguous
    (c) =>
      new Set([c.rootKey, c.interKey, c.leafKey]).size === 3 &&
      new Set(c.names.map((n) => slash(n).toLowerCase().replace(/ +/g, ' '))).size === 3,
  );

function build(c: Case) {
  const pick = (k: string, i: number) => {
    const a = algsFor(k);
    return a[c.alg[i] % a.length];
  };
  const rootAlg = pick(c.rootKey, 0);
  const interAlg = pick(c.rootKey, 1);
  const leafAlg = pick(c.interKey, 2);
  const notBefore = new Date(NOW.getTime() - c.back * DAY);
  const notAfter = c.farFuture ? new Date(Date.UTC(2051, 5, 1, 12, 0, 0)) : new Date(NOW.getTime() + 400 * DAY);
  const caExt = (pathLen?: number): ExtensionSpec[] => [
    { type: 'basicConstraints', ca: true, pathLen, critical: true },
    ...(c.ku ? [{ type: 'keyUsage', usages: ['keyCertSign', 'cRLSign'], critical: true } as ExtensionSpec] : []),
    { type: 'subjectKeyIdentifier' },
    { type: 'authorityKeyIdentifier' },
  ];
  const root = makeCertificate({
    subject: slash(c.names[0]),
    selfSigned: true,
    issuerKey: KEYS[c.rootKey],
    serial: c.serials[0],
    notBefore,
    notAfter,
    signatureAlgorithm: rootAlg.spec,
    extensions: caExt(c.pathLen === undefined ? undefined : c.pathLen + 1),
  });
  const inter = makeCertificate({
    subject: slash(c.names[1]),
    subjectKey: KEYS[c.interKey],
    issuerCert: root,
    issuerKey: KEYS[c.rootKey],
    serial: c.serials[1],
    notBefore,
    notAfter,
    signatureAlgorithm: interAlg.spec,
    extensions: caExt(c.pathLen),
  });
  const leafExt: ExtensionSpec[] = [
    { type: 'basicConstraints', ca: false },
    ...(c.sans.length ? [{ type: 'subjectAltName', names: c.sans } as ExtensionSpec] : []),
    ...(c.eku ? [{ type: 'extKeyUsage', usages: ['serverAuth', 'clientAuth'] } as ExtensionSpec] : []),
    { type: 'authorityKeyIdentifier', issuer: true, serial: true },
  ];
  const leafSpec: CertificateSpec = {
    subject: slash(c.names[2]),
    subjectKey: KEYS[c.leafKey],
    issuerCert: inter,
    issuerKey: KEYS[c.interKey],
    serial: c.serials[2],
    notBefore,
    notAfter: new Date(NOW.getTime() + 30 * DAY),
    signatureAlgorithm: leafAlg.spec,
    extensions: leafExt,
  };
  return { root, inter, leaf: makeCertificate(leafSpec), rootAlg, interAlg, leafAlg, notBefore, notAfter };
}

describe('generated chains (fast-check) pass openssl x509, crl and verify', () => {
  test('~100 varied chains', () => {
    let n = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const b = build(c);
        const id = n++;
        const files = {
          root: tmp.write(`r${id}.pem`, b.root.pem),
          inter: tmp.write(`i${id}.pem`, b.inter.pem),
          leaf: tmp.write(`l${id}.pem`, b.leaf.pem),
        };
        // the three certificates in one openssl call: fields printed equal the spec
        for (const [which, file, alg, name, serial] of [
          ['root', files.root, b.rootAlg, c.names[0], c.serials[0]],
          ['inter', files.inter, b.interAlg, c.names[1], c.serials[1]],
          ['leaf', files.leaf, b.leafAlg, c.names[2], c.serials[2]],
        ] as const) {
          const r = openssl(['x509', '-in', file, '-noout', '-nameopt', 'compat', '-serial', '-subject', '-dates', '-text']);
          expect(r.status, `${which}: ${r.err}`).toBe(0);
          expect(r.out).toContain(`subject=${slash(name)}\n`);
          expect(BigInt(`0x${/serial=([0-9A-F]+)/.exec(r.out)![1]}`)).toBe(serial);
          expect(r.out).toContain(`Signature Algorithm: ${alg.printed}`);
          expect(r.out).toContain(`notBefore=${printed(b.notBefore)}`);
          if (which === 'leaf') {
            if (c.sans.length) expect(r.out).toContain('X509v3 Subject Alternative Name');
            for (const s of c.sans)
              expect(r.out).toContain(
                s.startsWith('DNS:') ? s : s.replace('IP:', 'IP Address:').replace('2001:db8::1', '2001:DB8:0:0:0:0:0:1'),
              );
            expect(r.out).toContain(`DirName:${slash(c.names[0])}`);
            expect(r.out.includes('TLS Web Server Authentication')).toBe(c.eku);
            expect(r.out).toMatch(/X509v3 Basic Constraints: \n\s+CA:FALSE/);
          } else {
            expect(r.out).toContain(`notAfter=${printed(b.notAfter)}`);
            const pl = which === 'root' ? (c.pathLen === undefined ? undefined : c.pathLen + 1) : c.pathLen;
            expect(r.out).toContain(
              `X509v3 Basic Constraints: critical\n                CA:TRUE${pl === undefined ? '\n' : `, pathlen:${pl}\n`}`,
            );
            expect(r.out.includes('Certificate Sign, CRL Sign')).toBe(c.ku);
          }
        }
        const v = openssl(['verify', '-CAfile', files.root, '-untrusted', files.inter, files.leaf]);
        expect(v.out + v.err).toBe(`${files.leaf}: OK\n`);
        // CRLs from both CAs, nothing revoked: still OK with full CRL checking
        const crls = [
          makeCrl({
            issuerCert: b.root,
            issuerKey: KEYS[c.rootKey],
            signatureAlgorithm: b.interAlg.spec,
            thisUpdate: new Date(NOW.getTime() - DAY),
          }),
          makeCrl({
            issuerCert: b.inter,
            issuerKey: KEYS[c.interKey],
            signatureAlgorithm: b.leafAlg.spec,
            thisUpdate: new Date(NOW.getTime() - DAY),
            revoked: [{ serial: 12345n, reason: 4 }],
          }),
        ];
        const crlFile = tmp.write(`c${id}.pem`, crls[0].pem + crls[1].pem);
        const t = openssl(['crl', '-in', tmp.write(`c1${id}.pem`, crls[1].pem), '-noout', '-text', '-CAfile', files.inter]);
        expect(t.status, t.err).toBe(0);
        expect(t.err).toContain('verify OK');
        expect(t.out).toMatch(
          /Serial Number: 3039\n\s+Revocation Date: .*\n\s+CRL entry extensions:\n\s+X509v3 CRL Reason Code: \n\s+Superseded/,
        );
        const vc = openssl(['verify', '-crl_check_all', '-CRLfile', crlFile, '-CAfile', files.root, '-untrusted', files.inter, files.leaf]);
        expect(vc.out + vc.err).toBe(`${files.leaf}: OK\n`);
      }),
      { numRuns: 100 },
    );
    // a bound against a hang, not a timing check: ~500 openssl runs take ~50 s alone on 2 cores
    // and several times that while the oracle files run beside it
  }, 300_000);
});

/** openssl verify's error line for a chain, e.g. "error 10 at 0 depth lookup: certificate has expired". */
function verifyError(certs: { root: MadeCertificate; inter?: MadeCertificate; leaf: MadeCertificate }, extra: string[] = []): string {
  const id = Math.random().toString(36).slice(2);
  const args = ['verify', ...extra, '-CAfile', tmp.write(`vr${id}.pem`, certs.root.pem)];
  if (certs.inter) args.push('-untrusted', tmp.write(`vi${id}.pem`, certs.inter.pem));
  args.push(tmp.write(`vl${id}.pem`, certs.leaf.pem));
  const r = openssl(args);
  return (
    /error (\d+) at (\d+) depth lookup: (.*)/
      .exec(r.out + r.err)
      ?.slice(1, 4)
      .join(' ') ?? `status ${r.status}: ${r.out}${r.err}`
  );
}

describe('wrong on purpose: openssl verify reports the matching error', () => {
  const rootKey = KEYS['rsa2048-1'];
  const interKey = KEYS['p256-1'];
  const leafKey = KEYS['ed25519-1'];
  const V3_CA: ExtensionSpec[] = [
    { type: 'subjectKeyIdentifier' },
    { type: 'authorityKeyIdentifier' },
    { type: 'basicConstraints', ca: true, critical: true },
  ];
  const mkRoot = (ext: ExtensionSpec[] = V3_CA) =>
    makeCertificate({
      subject: '/CN=Root',
      selfSigned: true,
      issuerKey: rootKey,
      extensions: ext,
      notBefore: new Date(NOW.getTime() - DAY),
    });
  const mkInter = (root: MadeCertificate, ext: ExtensionSpec[] | null = V3_CA, over: Partial<CertificateSpec> = {}) =>
    makeCertificate({
      subject: '/CN=Inter',
      version: ext ? 3 : 1,
      subjectKey: interKey,
      issuerCert: root,
      issuerKey: rootKey,
      extensions: ext ?? undefined,
      notBefore: new Date(NOW.getTime() - DAY),
      ...over,
    });
  const mkLeaf = (inter: MadeCertificate, over: Partial<CertificateSpec> = {}) =>
    makeCertificate({
      version: 1,
      subject: '/CN=db.example.com',
      subjectKey: leafKey,
      issuerCert: inter,
      issuerKey: interKey,
      notBefore: new Date(NOW.getTime() - DAY),
      ...over,
    });

  const root = mkRoot();
  const inter = mkInter(root);

  test('baseline chain is OK', () => {
    expect(verifyError({ root, inter, leaf: mkLeaf(inter) })).toMatch(/^status 0/);
  });
  test('expired leaf: error 10', () => {
    const leaf = mkLeaf(inter, { notBefore: new Date(NOW.getTime() - 400 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
    expect(verifyError({ root, inter, leaf })).toBe('10 0 certificate has expired');
  });
  test('not yet valid leaf: error 9', () => {
    const leaf = mkLeaf(inter, { notBefore: new Date(NOW.getTime() + DAY) });
    expect(verifyError({ root, inter, leaf })).toBe('9 0 certificate is not yet valid');
  });
  test('corrupted signature: error 7', () => {
    expect(verifyError({ root, inter, leaf: mkLeaf(inter, { corruptSignature: true }) })).toBe('7 0 certificate signature failure');
    expect(verifyError({ root, inter: mkInter(root, V3_CA, { corruptSignature: true }), leaf: mkLeaf(inter) })).toBe(
      '7 1 certificate signature failure',
    );
  });
  test('intermediate with CA:FALSE: OpenSSL 3.0 reports error 79 (X509_V_ERR_INVALID_CA), not 24', () => {
    const bad = mkInter(root, [{ type: 'basicConstraints', ca: false, critical: true }]);
    expect(verifyError({ root, inter: bad, leaf: mkLeaf(bad) })).toBe('79 1 invalid CA certificate');
  });
  test('v1 intermediate (signed without v3_ca): error 79; a v1 certificate carrying v3_ca extensions is still a CA', () => {
    const v1 = mkInter(root, null);
    expect(verifyError({ root, inter: v1, leaf: mkLeaf(v1) })).toBe('79 1 invalid CA certificate');
    const v1ext = mkInter(root, V3_CA, { version: 1 });
    expect(verifyError({ root, inter: v1ext, leaf: mkLeaf(v1ext) })).toMatch(/^status 0: .*: OK/);
    expect(verifyError({ root, inter: v1ext, leaf: mkLeaf(v1ext) }, ['-x509_strict'])).toMatch(/^92 1 CA cert does not include key usage/);
  });
  test('pathLen exceeded: error 25', () => {
    const r0 = mkRoot([{ type: 'basicConstraints', ca: true, pathLen: 0, critical: true }]);
    const i0 = mkInter(r0);
    expect(verifyError({ root: r0, inter: i0, leaf: mkLeaf(i0) })).toBe('25 2 path length constraint exceeded');
  });
  test('revoked: error 23; missing CRL: error 3; expired CRL: error 12', () => {
    const leaf = mkLeaf(inter, { serial: 4242n });
    const crlI = makeCrl({ issuerCert: inter, issuerKey: interKey, revoked: [{ serial: 4242n, reason: 1 }] });
    const crlR = makeCrl({ issuerCert: root, issuerKey: rootKey });
    const f = tmp.write('rev.pem', crlI.pem + crlR.pem);
    expect(verifyError({ root, inter, leaf }, ['-crl_check_all', '-CRLfile', f])).toBe('23 0 certificate revoked');
    expect(verifyError({ root, inter, leaf }, ['-crl_check_all', '-CRLfile', tmp.write('r.pem', crlR.pem)])).toBe(
      '3 0 unable to get certificate CRL',
    );
    const old = makeCrl({
      issuerCert: inter,
      issuerKey: interKey,
      thisUpdate: new Date(NOW.getTime() - 60 * DAY),
      nextUpdate: new Date(NOW.getTime() - 30 * DAY),
    });
    expect(verifyError({ root, inter, leaf }, ['-crl_check', '-CRLfile', tmp.write('old.pem', old.pem)])).toBe('12 0 CRL has expired');
    const badSig = makeCrl({ issuerCert: inter, issuerKey: interKey, corruptSignature: true });
    expect(verifyError({ root, inter, leaf }, ['-crl_check', '-CRLfile', tmp.write('bad.pem', badSig.pem)])).toBe(
      '8 0 CRL signature failure',
    );
  });
  test('tbs and outer signature algorithms differ: OpenSSL 3.0 reports a signature failure', () => {
    const leaf = mkLeaf(inter, { signatureAlgorithm: 'ecdsa-with-SHA256', tbsSignatureAlgorithm: 'ecdsa-with-SHA384' });
    expect(verifyError({ root, inter, leaf })).toBe('7 0 certificate signature failure');
  });
});

describe('odd structures openssl still parses', () => {
  const key = rsa2;
  const parse = (spec: Partial<CertificateSpec>) => {
    const c = makeCertificate({ subject: '/CN=odd', selfSigned: true, issuerKey: key, ...spec });
    const r = openssl(['x509', '-in', tmp.write(`odd${Math.random()}.pem`, c.pem), '-noout', '-text']);
    return r;
  };
  test('negative, zero and 21-octet serials, raw serial bytes', () => {
    expect(parse({ serial: -5n }).out).toContain('Serial Number: -5 (-0x5)');
    expect(parse({ serial: 0n }).out).toContain('Serial Number: 0 (0x0)');
    const long = parse({ serial: { raw: new Uint8Array(21).fill(0x11) } });
    expect(long.out).toContain('11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11');
  });
  test('v1 with extensions, version 5, unique IDs, duplicate extensions', () => {
    expect(parse({ version: 1, extensions: [{ type: 'basicConstraints', ca: true }] }).out).toContain('Version: 1 (0x0)');
    expect(parse({ version: 5 }).out).toContain('Version: Unknown (4)');
    const u = parse({ version: 2, issuerUniqueId: { bytes: Uint8Array.of(0xab) }, subjectUniqueId: { bytes: Uint8Array.of(0xcd) } });
    expect(u.out).toContain('Issuer Unique ID');
    expect(u.out).toContain('Subject Unique ID');
    const d = parse({
      extensions: [
        { type: 'keyUsage', usages: ['digitalSignature'] },
        { type: 'keyUsage', usages: ['keyCertSign'] },
      ],
    });
    expect(d.out.match(/X509v3 Key Usage/g)?.length).toBe(2);
  });
  test('arbitrary raw extension with a critical flag', () => {
    const r = parse({
      extensions: [{ type: 'raw', oid: '1.3.6.1.4.1.99999.1', critical: true, value: Uint8Array.of(0x0c, 0x02, 0x68, 0x69) }],
    });
    expect(r.out).toMatch(/1\.3\.6\.1\.4\.1\.99999\.1: critical\n\s+\.\.hi/);
    const v = openssl([
      'verify',
      '-CAfile',
      tmp.write(
        'crit.pem',
        makeCertificate({
          subject: '/CN=c',
          selfSigned: true,
          issuerKey: p256b,
          extensions: [{ type: 'raw', oid: '1.3.6.1.4.1.99999.1', critical: true, value: Uint8Array.of(5, 0) }],
        }).pem,
      ),
      `${tmp.dir}/crit.pem`,
    ]);
    expect(v.out + v.err).toContain('error 34 at 0 depth lookup: unhandled critical extension');
  });
  test('malformed time text and GeneralizedTime before 2050', () => {
    const g = parse({ notBefore: { date: new Date(Date.UTC(2020, 0, 1)), type: 'generalized' } });
    expect(g.out).toContain('Not Before: Jan  1 00:00:00 2020 GMT');
    const bad = parse({ notAfter: { type: 'utc', text: '99999999' } });
    expect(bad.out + bad.err).toMatch(/Bad time value|error/i);
  });
});

describe('CRL variants openssl reads', () => {
  const key = KEYS['p384-1'];
  const ca = makeCertificate({
    subject: '/CN=CRL CA',
    selfSigned: true,
    issuerKey: key,
    extensions: [{ type: 'basicConstraints', ca: true, critical: true }, { type: 'subjectKeyIdentifier' }],
  });
  const text = (crl: { pem: string }) => {
    const r = openssl([
      'crl',
      '-in',
      tmp.write(`crl${Math.random()}.pem`, crl.pem),
      '-noout',
      '-text',
      '-CAfile',
      tmp.write('crlca.pem', ca.pem),
    ]);
    expect(r.err).toContain('verify OK');
    return r.out;
  };
  test('v1 without extensions or nextUpdate', () => {
    const t = text(
      makeCrl({
        issuerCert: ca,
        issuerKey: key,
        crlNumber: null,
        authorityKeyIdentifier: false,
        nextUpdate: null,
        revoked: [{ serial: 7n }],
      }),
    );
    expect(t).toContain('Version 1 (0x0)');
    expect(t).toContain('Next Update: NONE');
    expect(t).not.toContain('CRL extensions');
  });
  test('v2 with number, IDP, invalidity date and a raw entry extension', () => {
    const t = text(
      makeCrl({
        issuerCert: ca,
        issuerKey: key,
        crlNumber: 4096n,
        extensions: [{ type: 'issuingDistributionPoint', fullName: ['URI:http://crl.example/ca.crl'], onlyContainsUserCerts: true }],
        revoked: [
          {
            serial: 1n,
            reason: 1,
            invalidityDate: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
            extensions: [{ type: 'raw', oid: '1.2.3.4', value: Uint8Array.of(5, 0) }],
          },
        ],
      }),
    );
    expect(t).toMatch(/X509v3 CRL Number: \n\s+4096/);
    expect(t).toContain('X509v3 Issuing Distribution Point: critical');
    expect(t).toContain('URI:http://crl.example/ca.crl');
    expect(t).toContain('Only User Certificates');
    expect(t).toContain('Key Compromise');
    expect(t).toContain('Jan  2 03:04:05 2024 GMT');
    expect(t).toContain('1.2.3.4:');
  });
  test('missing inputs are typed FactoryErrors', () => {
    expect(() => makeCertificate({ subject: '/CN=x', selfSigned: true })).toThrow(/publicKey, subjectKey, or selfSigned with issuerKey/);
    expect(() => makeCertificate({ subject: '/CN=x', subjectKey: key, issuerKey: key })).toThrow(/needs issuer/);
    expect(() => makeCertificate({ subject: 'CN=x', selfSigned: true, issuerKey: key })).toThrow(/must start with '\/'/);
    expect(() => makeCrl({ issuerKey: key })).toThrow(/CRL needs issuer/);
  });
});

describe('the x509 parser reads back what the factory writes', () => {
  test('fields round-trip; wrong-on-purpose specs are flagged as structure problems', () => {
    const key = KEYS['p256-1'];
    const good = makeCertificate({
      subject: '/O=Acme/CN=db',
      selfSigned: true,
      issuerKey: key,
      serial: 77n,
      extensions: [
        { type: 'basicConstraints', ca: true, pathLen: 2 },
        { type: 'subjectAltName', names: ['DNS:db', 'IP:::1'] },
      ],
    });
    const p = parseCertificate(good.der);
    expect(p.problems).toEqual([]);
    expect(p.serial.value).toBe(77n);
    expect(p.ext.basicConstraints).toEqual({ ca: true, pathLen: 2, critical: true });
    expect(p.ext.subjectAltName?.names[0]).toEqual({ type: 'dns', value: 'db' });
    expect(p.tbs).toEqual(good.tbs);
    const bad = makeCertificate({
      subject: '/CN=x',
      selfSigned: true,
      issuerKey: key,
      serial: -1n,
      version: 1,
      extensions: [
        { type: 'keyUsage', usages: ['digitalSignature'] },
        { type: 'keyUsage', usages: ['digitalSignature'] },
      ],
      tbsSignatureAlgorithm: 'ecdsa-with-SHA384',
    });
    expect(
      parseCertificate(bad.der)
        .problems.map((x) => x.code)
        .sort(),
    ).toEqual(['DUPLICATE_EXTENSION', 'EXTENSIONS_IN_V1', 'NEGATIVE_SERIAL', 'SIGNATURE_ALGORITHM_MISMATCH']);
  });
});
