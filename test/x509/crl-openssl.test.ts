// CRLs made by `openssl ca -revoke` / `-gencrl` (fast-check picks the CA key, digest, CRL
// extensions, lifetime and the revoked serials with their reasons, compromise times and hold
// instructions), parsed by pgtls and compared with `openssl crl -text/-hash/-issuer`.
//
// Two sets go through the same checks. The fast-check sample is new on every run and openssl
// signs its CRLs with the time of the run, so it cannot be recorded: it is live-only. The
// recorded set was drawn once from the same arbitraries and made by openssl when the book was
// recorded (PGTLS_RECORD=1): its CAs and CRLs are kept in vectors/oracle/crl-openssl/openssl-made/
// and what `openssl crl` printed for each in vectors/oracle/crl-openssl/openssl-3.0.json (each key
// is the CRL's parameters). Live, openssl prints those files again and must print what the book
// says; without openssl (or with PGTLS_REPLAY=1) pgtls is compared with the book.

import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OID, der as D, oidLongName, parseDer } from '../../src/der/index.js';
import {
  CRL_REASON_NAMES,
  colonHex,
  fingerprint,
  formatNameOneline,
  formatNameRfc2253,
  formatOpensslTime,
  formatSerial,
  nameHash,
  namesEqual,
  parseCertificates,
  parseCrl,
  parseCrls,
  type Crl,
} from '../../src/x509/index.js';
import { GOLDEN_ROOT, recordingForced } from '../support/golden.js';
import { placeholders, useOpensslGoldens } from '../support/openssl-goldens.js';
import { bash, KEYS, kv, sections, sq, tempDir, textExtensions } from './openssl.js';

const goldens = useOpensslGoldens('crl-openssl');
/** the CAs and CRLs openssl made for the recorded set (replay has no openssl to make them) */
const OPENSSL_MADE = join(GOLDEN_ROOT, 'crl-openssl', 'openssl-made');

const CAS = { rsa: 'rsa2048-5', ec: 'p256-5', ed: 'ed25519-5' } as const;
type Ca = keyof typeof CAS;
const REASONS = [
  'none',
  'unspecified',
  'keyCompromise',
  'CACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'hold',
  'compromiseTime',
  'caCompromiseTime',
] as const;
type Reason = (typeof REASONS)[number];

interface CrlParams {
  ca: Ca;
  md: string;
  ext: 'none' | 'aki' | 'number' | 'both' | 'idp';
  days: number;
  revoked: { serial: bigint; reason: Reason; time: string }[];
}

const time = fc
  .date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`);

const crlParams: fc.Arbitrary<CrlParams> = fc.record({
  ca: fc.constantFrom<Ca>('rsa', 'ec', 'ed'),
  md: fc.constantFrom('sha256', 'sha384', 'sha512', 'sha1'),
  ext: fc.constantFrom('none', 'aki', 'number', 'both', 'idp'),
  days: fc.integer({ min: 1, max: 9000 }),
  revoked: fc.uniqueArray(fc.record({ serial: fc.bigInt(1n, (1n << 100n) - 1n), reason: fc.constantFrom(...REASONS), time }), {
    maxLength: 6,
    selector: (r) => r.serial,
  }),
});

// Besides the random sample, members that make the coverage the tests count on certain: a v1
// CRL (no CRL extensions, no crlnumber, revoked entries without reasons: openssl ca writes v1
// only then) and a v2 CRL with one entry for every reason kind.
const serials = (n: number) => fc.uniqueArray(fc.bigInt(1n, (1n << 100n) - 1n), { minLength: n, maxLength: n });
const v1Crl: fc.Arbitrary<CrlParams> = fc
  .tuple(crlParams, serials(6), time)
  .map(([p, ss, t]) => ({ ...p, ext: 'none', revoked: ss.map((serial) => ({ serial, reason: 'none' as const, time: t })) }));
const v2EveryReason: fc.Arbitrary<CrlParams> = fc
  .tuple(crlParams, fc.constantFrom<CrlParams['ext']>('aki', 'number', 'both', 'idp'), serials(REASONS.length), time)
  .map(([p, ext, ss, t]) => ({ ...p, ext, revoked: ss.map((serial, i) => ({ serial, reason: REASONS[i], time: t })) }));

const N = 40;
const tmp = tempDir('x509-crls');
afterAll(() => tmp.cleanup());

/** CRLs made by openssl in `dir` (d<j>/crl.pem, ca-<ca>.pem) and what `openssl crl` printed for each */
interface CrlSet {
  all: CrlParams[];
  dir: string;
  out: Map<string, string[]>;
}
let liveSet: CrlSet | undefined;
let recordedSet: CrlSet | undefined;

/** the sample the property draws: a v1 CRL, a v2 CRL with every reason, N random ones */
const sample = () => [...fc.sample(v1Crl, 1), ...fc.sample(v2EveryReason, 1), ...fc.sample(crlParams, N)];

/** a recorded CRL's key: its parameters, serials in hex */
const CRL = 'crl ';
const crlKey = (p: CrlParams) => `${CRL}${JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`;
const paramsOf = (key: string): CrlParams =>
  JSON.parse(key.slice(CRL.length), (k, v) => (k === 'serial' ? BigInt(v as string) : v)) as CrlParams;

const caConfig = (p: CrlParams) => `[ca]
default_ca = d
[d]
dir = .
database = index.txt
new_certs_dir = .
certificate = ../ca-${p.ca}.pem
private_key = ${KEYS}/${CAS[p.ca]}.pem
default_md = ${p.ca === 'ed' ? 'default' : p.md}
default_crl_days = ${p.days}
${p.ext === 'number' || p.ext === 'both' || p.ext === 'idp' ? 'crlnumber = crlnumber' : ''}
${p.ext === 'none' || p.ext === 'number' ? '' : 'crl_extensions = crl_ext'}
[crl_ext]
authorityKeyIdentifier = keyid:always
${p.ext === 'idp' ? 'issuingDistributionPoint = critical, @idp\n2.5.29.27 = critical,ASN1:INTEGER:5' : ''}
[idp]
fullname = URI:http://crl.example/ca.crl
onlyuser = TRUE
onlysomereasons = keyCompromise, CACompromise
`;

const reasonArgs = (r: CrlParams['revoked'][number]): string[] => {
  switch (r.reason) {
    case 'none':
      return [];
    case 'hold':
      return ['-crl_hold', 'holdInstructionCallIssuer'];
    case 'compromiseTime':
      return ['-crl_compromise', r.time];
    case 'caCompromiseTime':
      return ['-crl_CA_compromise', r.time];
    default:
      return ['-crl_reason', r.reason];
  }
};

/** the shell lines that print CRL j: -text with RFC 2253 issuer and hash, then the oneline issuer */
const printLines = (j: number) =>
  `echo "=====${j}"; openssl crl -in d${j}/crl.pem -noout -nameopt RFC2253 -issuer -hash -text; echo "=====${j}.oneline"; openssl crl -in d${j}/crl.pem -noout -issuer`;

/** openssl makes the CAs and every CRL of `all` in dir, and prints each */
function makeWithOpenssl(all: CrlParams[], dir: string): Map<string, string[]> {
  const s: string[] = ['set -e', `printf '[req]\\ndistinguished_name=dn\\n[dn]\\n' > req.cnf`];
  for (const [ca, key] of Object.entries(CAS)) {
    s.push(
      `openssl req -x509 -new -config req.cnf -key ${sq(`${KEYS}/${key}.pem`)} -subj ${sq(`/O=Test CRLs/CN=${ca} CA`)} -days 3650 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign -out ca-${ca}.pem 2>/dev/null`,
    );
  }
  all.forEach((p, j) => {
    s.push(`mkdir d${j}; cd d${j}; touch index.txt; echo 1000 > crlnumber; cat > ca.cnf <<'EOF'\n${caConfig(p)}EOF`);
    p.revoked.forEach((r, k) => {
      s.push(
        `openssl req -x509 -new -config ../req.cnf -key ${sq(`${KEYS}/p256-4.pem`)} -subj /CN=r${k} -set_serial 0x${r.serial.toString(16)} -days 30 -out r${k}.pem 2>/dev/null`,
      );
      s.push(`openssl ca -config ca.cnf -revoke r${k}.pem ${reasonArgs(r).map(sq).join(' ')} 2>/dev/null`);
    });
    s.push(`openssl ca -config ca.cnf -gencrl -out crl.pem 2>/dev/null; cd ..`);
    s.push(printLines(j));
  });
  return sections(bash(s.join('\n'), dir, 240_000));
}

beforeAll(() => {
  if (goldens.live) {
    const dir = join(tmp.dir, 'live');
    mkdirSync(dir);
    const all = sample();
    liveSet = { all, dir, out: makeWithOpenssl(all, dir) };
  }
  if (goldens.skip) return;
  const dir = join(tmp.dir, 'recorded');
  mkdirSync(dir);
  let keys = goldens.recorded(CRL);
  let made: Map<string, string[]> | undefined;
  if (goldens.live && recordingForced()) {
    // a recording makes the recorded set again (drawn anew when the book has none): openssl
    // signs with the time of the run, so the files are kept with the book
    if (!keys.length) keys = [...new Set(sample().map(crlKey))].sort();
    made = makeWithOpenssl(keys.map(paramsOf), dir);
    rmSync(OPENSSL_MADE, { recursive: true, force: true });
    mkdirSync(OPENSSL_MADE, { recursive: true });
    for (const ca of Object.keys(CAS)) copyFileSync(join(dir, `ca-${ca}.pem`), join(OPENSSL_MADE, `ca-${ca}.pem`));
    for (const j of keys.keys()) copyFileSync(join(dir, `d${j}/crl.pem`), join(OPENSSL_MADE, `d${j}.crl.pem`));
  } else {
    for (const f of readdirSync(OPENSSL_MADE)) {
      const m = /^d(\d+)\.crl\.pem$/.exec(f);
      if (m) mkdirSync(join(dir, `d${m[1]}`));
      copyFileSync(join(OPENSSL_MADE, f), join(dir, m ? `d${m[1]}/crl.pem` : f));
    }
  }
  const all = keys.map(paramsOf);
  let printed = made;
  const where = placeholders([[dir, 'tmp']]);
  const out = new Map<string, string[]>();
  keys.forEach((k, j) => {
    const said = goldens.call(
      k,
      () => {
        printed ??= sections(bash(all.map((_p, i) => printLines(i)).join('\n'), dir, 240_000));
        return { text: printed.get(String(j))!, oneline: printed.get(`${j}.oneline`)! };
      },
      where,
    );
    out.set(String(j), said.text);
    out.set(`${j}.oneline`, said.oneline);
  });
  recordedSet = { all, dir, out };
}, 300_000);

const crlOf = (set: CrlSet, j: number): Crl => parseCrls(readFileSync(join(set.dir, `d${j}/crl.pem`)))[0];

const SETS: [string, boolean, () => CrlSet][] = [
  // live-only: fast-check draws new parameters and openssl stamps the time of the run
  ['a fresh sample (live-only)', !goldens.live, () => liveSet!],
  ['the recorded set (openssl live, or its recording)', !!goldens.skip, () => recordedSet!],
];
describe.each(SETS)('CRLs made by openssl ca, parsed by pgtls, compared with openssl crl: %s', (_title, skip, set) => {
  it.skipIf(skip)('header fields, issuer (both forms), hash, extensions', () => {
    const { all, out } = set();
    const bad: string[] = [];
    all.forEach((p, j) => {
      const crl = crlOf(set(), j);
      const lines = out.get(String(j))!;
      const oneline = out.get(`${j}.oneline`)!;
      const ext = textExtensions(lines, 'CRL extensions:');
      const get = (oid: string) => ext.find((e) => e.name === oidLongName(oid));
      const rows: [string, unknown, unknown][] = [
        ['issuer', formatNameRfc2253(crl.issuer), kv(lines, 'issuer')],
        ['issuer oneline', formatNameOneline(crl.issuer), kv(oneline, 'issuer')],
        ['hash', nameHash(crl.issuer), kv(lines, 'issuer name hash')],
        ['version', `Version ${crl.version} (0x${crl.version - 1})`, lines.find((l) => l.trim().startsWith('Version'))?.trim()],
        [
          'sig',
          oidLongName(crl.signatureAlgorithm.oid),
          lines
            .find((l) => l.trim().startsWith('Signature Algorithm:'))
            ?.trim()
            .slice(21),
        ],
        ['last', `Last Update: ${formatOpensslTime(crl.thisUpdate.ms!)}`, lines.find((l) => l.includes('Last Update:'))?.trim()],
        ['next', `Next Update: ${formatOpensslTime(crl.nextUpdate!.ms!)}`, lines.find((l) => l.includes('Next Update:'))?.trim()],
        [
          'ext list',
          crl.extensions.map((e) => `${oidLongName(e.oid)}${e.critical ? '!' : ''}`),
          ext.map((e) => `${e.name}${e.critical ? '!' : ''}`),
        ],
        ['crl number', crl.ext.crlNumber?.toString(), get(OID.cRLNumber)?.lines[0]],
        ['delta', crl.ext.deltaCrlIndicator?.toString(), get(OID.deltaCRLIndicator)?.lines[0]],
        [
          'aki',
          crl.ext.authorityKeyIdentifier?.keyId && colonHex(crl.ext.authorityKeyIdentifier.keyId),
          get(OID.authorityKeyIdentifier)?.lines[0],
        ],
        ['problems', crl.problems, []],
      ];
      if (p.ext === 'idp') {
        const idp = crl.ext.issuingDistributionPoint!;
        rows.push(
          ['idp uri', idp.distributionPoint?.fullName, [{ type: 'uri', value: 'http://crl.example/ca.crl' }]],
          [
            'idp flags',
            [idp.onlyContainsUserCerts, idp.onlyContainsCACerts, idp.indirectCRL, idp.onlyContainsAttributeCerts],
            [true, false, false, false],
          ],
          ['idp reasons', idp.onlySomeReasons && [...idp.onlySomeReasons.bytes], [0x60]],
        );
      }
      for (const [name, got, want] of rows)
        if (JSON.stringify(got) !== JSON.stringify(want))
          bad.push(`crl ${j} (${p.ca}/${p.ext}) ${name}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
    });
    expect(bad).toEqual([]);
  });

  it.skipIf(skip)('revoked entries: serial, date, reason, invalidity date, unknown entry extensions kept', () => {
    const { all, out } = set();
    const bad: string[] = [];
    let entries = 0;
    all.forEach((p, j) => {
      const crl = crlOf(set(), j);
      const lines = out.get(String(j))!;
      // openssl crl -text: "Serial Number: X", "Revocation Date: D", then entry extensions
      const want: string[] = [];
      for (
        let i = lines.findIndex((l) => l.startsWith('Revoked Certificates:')) + 1;
        i > 0 && i < lines.length && !lines[i].startsWith('    Signature Algorithm');
        i++
      ) {
        const t = lines[i].trim();
        if (t.startsWith('Serial Number:') || t.startsWith('Revocation Date:')) want.push(t);
        else if (lines[i - 1]?.trim() === 'X509v3 CRL Reason Code:') want.push(`reason ${t}`);
        else if (lines[i - 1]?.trim() === 'Invalidity Date:') want.push(`invalid ${t}`);
      }
      const got = crl.revoked.flatMap((r) => [
        `Serial Number: ${formatSerial(r.serial)}`,
        `Revocation Date: ${formatOpensslTime(r.revocationDate.ms!)}`,
        ...(r.reason !== undefined ? [`reason ${CRL_REASON_NAMES[r.reason]}`] : []),
        ...(r.invalidityDate ? [`invalid ${formatOpensslTime(r.invalidityDate.ms!)}`] : []),
      ]);
      if (JSON.stringify(got) !== JSON.stringify(want)) bad.push(`crl ${j}: got ${JSON.stringify(got)}\nwant ${JSON.stringify(want)}`);
      entries += crl.revoked.length;
      expect(new Set(crl.revoked.map((r) => r.serial.value))).toEqual(new Set(p.revoked.map((r) => r.serial)));
      for (const r of crl.revoked) {
        const hold = r.extensions.find((e) => e.oid === OID.holdInstructionCode);
        if (hold) expect(D.oid(parseDer(hold.value))).toBe('1.2.840.10040.2.2');
      }
    });
    expect(bad).toEqual([]);
    expect(entries).toBe(all.reduce((n, p) => n + p.revoked.length, 0));
    expect(entries).toBeGreaterThanOrEqual(6 + REASONS.length);
  });

  it.skipIf(skip)('v1 CRLs (no extensions anywhere) and v2 CRLs both occur; the issuer is the CA subject', () => {
    const { all, dir } = set();
    const versions = new Set(all.map((_, j) => crlOf(set(), j).version));
    expect(versions).toEqual(new Set([1, 2]));
    for (const ca of Object.keys(CAS)) {
      const caCert = parseCertificates(readFileSync(join(dir, `ca-${ca}.pem`)))[0];
      all.forEach((p, j) => {
        if (p.ca === ca) expect(namesEqual(crlOf(set(), j).issuer, caCert.subject)).toBe(true);
      });
    }
  });

  it.skipIf(skip)('DER and PEM give the same CRL; fingerprints are over the DER', () => {
    const crl = crlOf(set(), 0);
    const again = parseCrl(crl.der);
    expect(again.tbs).toEqual(crl.tbs);
    expect(fingerprint(crl.der, 'sha256')).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });
});
