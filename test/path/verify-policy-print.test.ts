// `pgtls verify -policy_print` (and the tree printed with "no explicit policy") against the
// real `openssl verify` (OpenSSL 3.0), byte for byte on stdout, stderr and the exit code:
// OpenSSL's policy tree (X509_policy_check) with its authority and user sets, critical
// flags and qualifiers (CPS pointers, user notices with and without a notice reference,
// an unknown qualifier), policy mappings (of listed policies and of policies reached only
// through anyPolicy), -policy, -explicit_policy, -inhibit_any and -inhibit_map. Two
// sources: chains made here with the factory, and the NIST PKITS runs of
// ../shared/conformance (the policy sections, with their RFC 5280 inputs and with each
// policy option).
// openssl runs once per file, in one shell script, to keep the file fast. Its output is
// recorded per argument list (vectors/oracle/verify-policy-print/openssl-3.0.json; the inputs
// are fixed: keys from vectors/keys, fixed dates and serials, -attime, relative paths), so a
// machine without openssl replays it; live, the script runs once, on the first call.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeCertificate, type ExtensionSpec, type MadeCertificate } from '../../src/factory/index.js';
import { derOid, derSequence, derSmallInteger, derTlv } from '../../src/der/writer.js';
import { OID } from '../../src/der/index.js';
import { run } from '../../src/cli/verify.js';
import { conformanceDir, loadPkits } from '../../src/path/conformance-node.js';
import { loadKey } from '../factory/helpers.js';
import { useOpensslGoldens } from '../support/openssl-goldens.js';

const goldens = useOpensslGoldens('verify-policy-print');
const T = new Date('2030-06-15T00:00:00Z');
const AT = String(T.getTime() / 1000);
const from = new Date('2020-01-01T00:00:00Z');
const to = new Date('2040-01-01T00:00:00Z');

const ANY = OID.anyPolicy;
const P = (n: number) => `1.2.3.4.${n}`;
const ascii = (s: string) => new TextEncoder().encode(s);

/** certificatePolicies written by hand: a user notice with a notice reference and UTF-8 text, an unknown qualifier */
function handPolicies(): Uint8Array {
  const notice = derSequence(
    derSequence(derTlv(0x1a, ascii('Example Org')), derSequence(derSmallInteger(1), derSmallInteger(2))),
    derTlv(0x0c, ascii('caf\u00e9 policy')),
  );
  const noticeOnlyRef = derSequence(derSequence(derTlv(0x16, ascii('Ref Only')), derSequence(derSmallInteger(7))));
  return derSequence(
    derSequence(derOid(P(3)), derSequence(derSequence(derOid(OID.userNotice), notice))),
    derSequence(
      derOid(P(1)),
      derSequence(
        derSequence(derOid(OID.userNotice), noticeOnlyRef),
        derSequence(derOid('1.3.6.1.5.5.7.2.99'), derTlv(0x16, ascii('x'))),
        derSequence(derOid(OID.cps), derTlv(0x16, ascii('http://cps.example/one'))),
      ),
    ),
    derSequence(derOid(ANY)),
  );
}

const mappings = (pairs: [string, string][]): ExtensionSpec => ({
  type: 'raw',
  oid: OID.policyMappings,
  value: derSequence(...pairs.map(([i, s]) => derSequence(derOid(i), derOid(s)))),
});

let dir = '';
const write = (name: string, data: string | Uint8Array) => writeFileSync(join(dir, name), data);

/** leaf name -> its chain file (the intermediates it needs) */
const LEAVES: [string, string][] = [];

function makePki(): void {
  const rootKey = loadKey('rsa2048-1');
  const intKey = loadKey('p256-1');
  const leafKey = loadKey('p256-2');
  const ca: ExtensionSpec[] = [
    { type: 'basicConstraints', ca: true, critical: true },
    { type: 'keyUsage', usages: ['keyCertSign', 'cRLSign'] },
    { type: 'subjectKeyIdentifier' },
    { type: 'authorityKeyIdentifier' },
  ];
  const root = makeCertificate({
    subject: [{ CN: 'Policy Root' }],
    selfSigned: true,
    issuerKey: rootKey,
    notBefore: from,
    notAfter: to,
    extensions: ca,
    serial: 1,
  });
  write('root.crt', root.pem);
  let serial = 10;
  const cert = (name: string, issuer: MadeCertificate, ext: ExtensionSpec[], isCa: boolean) =>
    makeCertificate({
      subject: [{ CN: name }],
      subjectKey: isCa ? intKey : leafKey,
      issuerCert: issuer,
      issuerKey: issuer === root ? rootKey : intKey,
      notBefore: from,
      notAfter: to,
      serial: serial++,
      extensions: [...(isCa ? ca : [{ type: 'subjectKeyIdentifier' as const }, { type: 'authorityKeyIdentifier' as const }]), ...ext],
    });
  // intermediates: their policies (in no particular OID order), mappings, constraints
  const ints: Record<string, MadeCertificate> = {
    // critical policies with qualifiers, anyPolicy with a CPS; 1 -> 5 (listed), 9 -> 6 and 9 -> 7 (only through anyPolicy)
    crit: cert(
      'Int Critical',
      root,
      [
        {
          type: 'certificatePolicies',
          critical: true,
          policies: [
            { oid: P(10), cps: ['http://cps.example/ten', 'http://cps.example/ten-b'] },
            { oid: P(2), userNotice: 'two' },
            P(1),
            { oid: ANY, cps: ['http://cps.example/any'] },
          ],
        },
        mappings([
          [P(1), P(5)],
          [P(9), P(6)],
          [P(9), P(7)],
        ]),
      ],
      true,
    ),
    // anyPolicy only, then a second CA with policies written by hand
    any: cert('Int Any', root, [{ type: 'certificatePolicies', policies: [ANY] }], true),
    // explicit policy required from here, anyPolicy inhibited below
    strict: cert(
      'Int Strict',
      root,
      [
        { type: 'certificatePolicies', policies: [P(2), P(1), ANY] },
        { type: 'policyConstraints', requireExplicitPolicy: 0 },
        { type: 'inhibitAnyPolicy', skipCerts: 0 },
      ],
      true,
    ),
  };
  ints.hand = cert('Int Hand', ints.any, [{ type: 'raw', oid: OID.certificatePolicies, value: handPolicies() }], true);
  for (const [n, c] of Object.entries(ints)) write(`int-${n}.crt`, c.pem);
  write('chain-hand.crt', ints.hand.pem + ints.any.pem);
  const leaves: [string, string, ExtensionSpec[]][] = [
    ['any', 'crit', [{ type: 'certificatePolicies', policies: [{ oid: ANY, userNotice: 'leaf any' }] }]],
    ['mix', 'crit', [{ type: 'certificatePolicies', policies: [P(6), P(2), { oid: P(5), cps: ['http://cps.example/five'] }] }]],
    ['seven', 'crit', [{ type: 'certificatePolicies', critical: true, policies: [P(7), P(100), P(10)] }]],
    ['none', 'crit', []],
    ['anyhand', 'hand', [{ type: 'certificatePolicies', policies: [ANY] }]],
    ['threehand', 'hand', [{ type: 'certificatePolicies', policies: [P(3), P(1)] }]],
    ['strict-any', 'strict', [{ type: 'certificatePolicies', policies: [ANY] }]],
    ['strict-two', 'strict', [{ type: 'certificatePolicies', policies: [P(2), P(8)] }]],
  ];
  for (const [name, int, ext] of leaves) {
    write(`${name}.crt`, cert(`leaf ${name}`, ints[int], ext, false).pem);
    LEAVES.push([name, int === 'hand' ? 'chain-hand.crt' : `int-${int}.crt`]);
  }
}

/** the options each factory leaf runs with (all with -policy_print unless the case is about it) */
const OPTIONS: string[][] = [
  ['-policy_check'],
  ['-explicit_policy'],
  ['-inhibit_any'],
  ['-inhibit_map'],
  ['-inhibit_any', '-inhibit_map', '-explicit_policy'],
  ['-policy', P(5)],
  ['-policy', P(99), '-policy', P(2), '-policy', P(99)],
  ['-policy', P(7), '-explicit_policy'],
  ['-policy', P(6), '-policy', P(1), '-inhibit_map'],
  ['-policy', 'anyPolicy'],
  ['-policy', P(3), '-policy', P(10), '-explicit_policy', '-inhibit_any'],
];

interface Run {
  args: string[];
  code: number | null;
  out: string;
  err: string;
}

const norm = (t: string) => t.replace(/^[0-9A-F]+:error:/gm, 'X:error:');

/** openssl verify once per argument list, all in one shell script */
function opensslAllLive(cwd: string, all: string[][]): Run[] {
  const q = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
  const script = all.map((args, i) => `openssl verify ${args.map(q).join(' ')} >o.${i} 2>e.${i}; echo $? >c.${i}`).join('\n');
  const r = spawnSync('sh', ['-c', script], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return all.map((args, i) => ({
    args,
    code: Number(readFileSync(join(cwd, `c.${i}`), 'utf8')),
    out: readFileSync(join(cwd, `o.${i}`), 'utf8'),
    err: norm(readFileSync(join(cwd, `e.${i}`), 'utf8')),
  }));
}

/** openssl's runs, one recorded scenario per argument list (the live script runs at most once) */
function opensslAll(cwd: string, all: string[][]): Run[] {
  let live: Run[] | undefined;
  return all.map((args, i) => {
    const { code, out, err } = goldens.call(`verify ${args.join(' ')}`, () => {
      const { code, out, err } = (live ??= opensslAllLive(cwd, all))[i];
      return { code, out, err };
    });
    return { args, code, out, err };
  });
}

async function pgtls(cwd: string, args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const back = process.cwd();
  process.chdir(cwd);
  try {
    const code = await run(args, {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
      stdin: () => new Uint8Array(),
      env: process.env,
    });
    return { args, code, out, err: norm(err) };
  } finally {
    process.chdir(back);
  }
}

describe.skipIf(goldens.skip)('pgtls verify -policy_print = openssl verify (factory chains)', () => {
  const cases: string[][] = [];
  let theirs: Run[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgtls-policy-print-'));
    makePki();
    const base = ['-attime', AT, '-no-CApath', '-no-CAstore', '-CAfile', 'root.crt'];
    for (const [leaf, chain] of LEAVES)
      for (const o of OPTIONS) cases.push([...base, '-untrusted', chain, '-policy_print', ...o, `${leaf}.crt`]);
    // the tree printed with NO_EXPLICIT_POLICY without -policy_print; several files in one run
    cases.push([...base, '-untrusted', 'int-crit.crt', '-explicit_policy', '-policy', P(99), 'any.crt', 'mix.crt', 'none.crt']);
    cases.push([...base, '-untrusted', 'int-strict.crt', 'strict-any.crt', 'strict-two.crt']);
    cases.push([...base, '-untrusted', 'int-strict.crt', '-policy_print', '-policy_check', 'strict-any.crt', 'strict-two.crt']);
    // an earlier error (forgiven) keeps -policy_print quiet; a trusted leaf alone has no tree
    cases.push([
      '-no-CApath',
      '-no-CAstore',
      '-CAfile',
      'root.crt',
      '-untrusted',
      'int-crit.crt',
      '-policy_print',
      '-policy_check',
      'mix.crt',
    ]);
    cases.push(['-attime', AT, '-no-CApath', '-no-CAstore', '-CAfile', 'root.crt', '-policy_print', '-explicit_policy', 'root.crt']);
    // -policy_print alone does not turn policy checking on
    cases.push([...base, '-untrusted', 'int-crit.crt', '-policy_print', 'mix.crt']);
    theirs = opensslAll(dir, cases);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints what openssl prints for every leaf and option', async () => {
    const differ: string[] = [];
    for (const t of theirs) {
      const mine = await pgtls(dir, t.args);
      if (mine.code !== t.code || mine.out !== t.out || mine.err !== t.err)
        differ.push(`${t.args.join(' ')}\n--- openssl ${t.code}\n${t.out}${t.err}--- pgtls ${mine.code}\n${mine.out}${mine.err}`);
    }
    expect(differ).toEqual([]);
  });

  it('covers non-empty trees: qualifiers, critical nodes, user policies, mapped policies', () => {
    const all = theirs.map((t) => t.err).join('\n');
    for (const s of [
      'Authority Policies:\n  Policy:',
      'User Policies:\n  Policy:',
      '    Critical\n',
      '    CPS: http://cps.example/ten\n    CPS: http://cps.example/ten-b\n',
      '      Explicit Text: two\n',
      '      Organization: Example Org\n      Numbers: 1, 2\n      Explicit Text: caf\u00e9 policy\n',
      '      Unknown Qualifier: 1.3.6.1.5.5.7.2.99\n',
      'Policy: X509v3 Any Policy\n',
      `Policy: ${P(6)}\n`,
      'Require explicit Policy: True\nAuthority Policies:\n',
    ])
      expect(all).toContain(s);
  });
});

const confDir = conformanceDir(resolve(import.meta.dirname, '../..'));

describe.skipIf(!!goldens.skip || !confDir)('pgtls verify -policy_print = openssl verify (NIST PKITS)', () => {
  let work = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'pgtls-policy-pkits-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('prints the same on the policy sections (4.8 to 4.12), with their inputs and with each policy option', async () => {
    const data = loadPkits(confDir!);
    const pem = (der: Uint8Array) =>
      `-----BEGIN CERTIFICATE-----\n${Buffer.from(der)
        .toString('base64')
        .replace(/(.{64})(?!$)/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    const certDer = (n: string) => new Uint8Array(readFileSync(join(data.dir, 'certs', `${n}.crt`)));
    const cases: string[][] = [];
    data.tests.forEach((t, i) => {
      if (!/^4\.(8|9|10|11|12)\./.test(t.number)) return;
      const d = join(work, String(i));
      mkdirSync(d);
      writeFileSync(join(d, 'ta.pem'), pem(certDer(t.certs[0])));
      writeFileSync(
        join(d, 'un.pem'),
        t.certs
          .slice(1, -1)
          .map((n) => pem(certDer(n)))
          .join(''),
      );
      writeFileSync(join(d, 'ee.pem'), pem(certDer(t.certs[t.certs.length - 1])));
      const base = ['-attime', '1302825600', '-no-CApath', '-no-CAstore', '-CAfile', `${i}/ta.pem`];
      if (t.certs.length > 2) base.push('-untrusted', `${i}/un.pem`);
      const inputs: string[] = [];
      for (const p of t.initial_policy_set ?? ['anyPolicy']) inputs.push('-policy', data.policyOids[p] ?? p);
      if (t.initial_explicit_policy) inputs.push('-explicit_policy');
      if (t.initial_policy_mapping_inhibit) inputs.push('-inhibit_map');
      if (t.initial_inhibit_any_policy) inputs.push('-inhibit_any');
      cases.push([...base, '-policy_print', ...inputs, `${i}/ee.pem`]);
      for (const o of [['-policy_check'], ['-explicit_policy', '-inhibit_map'], ['-inhibit_any']])
        cases.push([...base, '-policy_print', ...o, `${i}/ee.pem`]);
    });
    const theirs = opensslAll(work, cases);
    const differ: string[] = [];
    for (const t of theirs) {
      const mine = await pgtls(work, t.args);
      if (mine.code !== t.code || mine.out !== t.out || mine.err !== t.err)
        differ.push(`${t.args.join(' ')}\n--- openssl ${t.code}\n${t.out}${t.err}--- pgtls ${mine.code}\n${mine.out}${mine.err}`);
    }
    expect(differ).toEqual([]);
    // the runs print trees, not only "<empty>"
    expect(theirs.filter((t) => /Authority Policies:\n {2}Policy/.test(t.err)).length).toBeGreaterThan(50);
  });
});
