// Behaviours of verifyChain worth pinning on their own, each checked against `openssl verify`
// (3.0) on the same files: v1 roots accepted but v1 intermediates not, a non-self-signed
// trust anchor, self-issued intermediates and path length, the work budget, revocation of the
// trust anchor itself under CRL_CHECK_ALL.
// What openssl printed for each call is recorded in vectors/oracle/path-validator/openssl-3.0.json
// (keyed by test name and call number; certificates from vector keys at a fixed time, their
// random serials play no part in what openssl prints here) and replayed without openssl.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate, makeCrl, type MadeCertificate, type MadeCrl } from '../../src/factory/index.js';
import { parseCertificates } from '../../src/x509/certificate.js';
import { parseCrls } from '../../src/x509/crl.js';
import { verifyChain } from '../../src/path/validator.js';
import { defaultVerifier } from '../../src/path/signature.js';
import { loadKey } from '../factory/helpers.js';
import { placeholders, useOpensslGoldens } from '../support/openssl-goldens.js';

const goldens = useOpensslGoldens('path-validator');
/** openssl calls so far per test: the key of a test's nth call */
const calls = new Map<string, number>();

const T = new Date('2030-06-15T12:00:00Z');
const k1 = loadKey('p256-1');
const k2 = loadKey('p256-2');
const k3 = loadKey('p256-3');
const CA = [{ type: 'basicConstraints' as const, ca: true, critical: true }];
const parse = (m: MadeCertificate) => parseCertificates(m.der)[0];

function both(
  trusted: MadeCertificate[],
  untrusted: MadeCertificate[],
  leaf: MadeCertificate,
  crls: MadeCrl[] = [],
): { mine: string; theirs: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pgtls-path-v-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), trusted.map((c) => c.pem).join(''));
    writeFileSync(join(dir, 'leaf.pem'), leaf.pem);
    const args = ['verify', '-attime', String(T.getTime() / 1000), '-CAfile', join(dir, 'ca.pem')];
    if (untrusted.length) {
      writeFileSync(join(dir, 'un.pem'), untrusted.map((c) => c.pem).join(''));
      args.push('-untrusted', join(dir, 'un.pem'));
    }
    if (crls.length) {
      writeFileSync(join(dir, 'crls.pem'), crls.map((c) => c.pem).join(''));
      args.push('-CRLfile', join(dir, 'crls.pem'), '-crl_check_all');
    }
    const test = expect.getState().currentTestName ?? '(outside a test)';
    const n = (calls.get(test) ?? 0) + 1;
    calls.set(test, n);
    const r = goldens.call(
      `${test} #${n}`,
      () => {
        const { stdout, stderr, status } = spawnSync('openssl', [...args, join(dir, 'leaf.pem')], { encoding: 'utf8' });
        return { status, stdout, stderr };
      },
      placeholders([[dir, 'tmp']]),
    );
    const theirs = [...(r.stdout + r.stderr).matchAll(/error (\d+) at (\d+) depth/g)].map((m) => `${m[1]}@${m[2]}`).join(' ') || 'OK';
    const crlOpts = crls.length ? { crls: crls.flatMap((c) => parseCrls(new TextEncoder().encode(c.pem))), crlMode: 'all' as const } : {};
    const res = verifyChain({
      leaf: parse(leaf),
      trusted: trusted.map(parse),
      untrusted: untrusted.length ? untrusted.map(parse) : undefined,
      time: T,
      authLevel: 0,
      ...crlOpts,
    });
    const mine = res.ok ? 'OK' : res.errors.map((e) => `${e.code}@${e.depth}`).join(' ');
    return { mine, theirs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(goldens.skip)('verifyChain edge cases = openssl verify', () => {
  const root = makeCertificate({ subject: '/CN=root', issuerKey: k1, selfSigned: true, extensions: CA, now: T });
  const v1root = makeCertificate({ version: 1, subject: '/CN=v1 root', issuerKey: k1, selfSigned: true, now: T });

  it('a v1 self-signed root is a CA', () => {
    const leaf = makeCertificate({ subject: '/CN=leaf', subjectKey: k2, issuerKey: k1, issuerCert: v1root, now: T });
    const r = both([v1root], [], leaf);
    expect(r.mine).toBe(r.theirs);
    expect(r.mine).toBe('OK');
  });

  it('a v1 intermediate is not a CA (INVALID_CA)', () => {
    const v1int = makeCertificate({ version: 1, subject: '/CN=v1 int', subjectKey: k2, issuerKey: k1, issuerCert: root, now: T });
    const leaf = makeCertificate({ subject: '/CN=leaf', subjectKey: k3, issuerKey: k2, issuerCert: v1int, now: T });
    const r = both([root], [v1int], leaf);
    expect(r.mine).toBe(r.theirs);
    expect(r.mine).toBe('79@1');
  });

  it('an intermediate as the only trusted certificate: unable to get issuer certificate', () => {
    const int = makeCertificate({ subject: '/CN=int', subjectKey: k2, issuerKey: k1, issuerCert: root, extensions: CA, now: T });
    const leaf = makeCertificate({ subject: '/CN=leaf', subjectKey: k3, issuerKey: k2, issuerCert: int, now: T });
    const r = both([int], [], leaf);
    expect(r.mine).toBe(r.theirs);
    expect(r.mine).toBe('2@1');
  });

  it('self-issued intermediates do not count against pathLen', () => {
    const p0 = makeCertificate({
      subject: '/CN=p0',
      subjectKey: k2,
      issuerKey: k1,
      issuerCert: root,
      extensions: [{ type: 'basicConstraints', ca: true, pathLen: 0, critical: true }],
      now: T,
    });
    const si = makeCertificate({ subject: '/CN=p0', subjectKey: k3, issuerKey: k2, issuerCert: p0, extensions: CA, now: T });
    const leaf = makeCertificate({ subject: '/CN=leaf', subjectKey: k1, issuerKey: k3, issuerCert: si, now: T });
    const r = both([root], [p0, si], leaf);
    expect(r.mine).toBe(r.theirs);
  });

  it('CRL_CHECK_ALL checks the trust anchor against its own CRL (check_revocation runs to the top of the chain)', () => {
    const ca = makeCertificate({ subject: '/CN=crl root', serial: 7, issuerKey: k1, selfSigned: true, extensions: CA, now: T });
    const leaf = makeCertificate({ subject: '/CN=leaf', serial: 8, subjectKey: k2, issuerKey: k1, issuerCert: ca, now: T });
    const crl = (serials: number[]) =>
      makeCrl({ issuerCert: ca, issuerKey: k1, revoked: serials.map((serial) => ({ serial })), now: new Date(T.getTime() - 86400e3) });
    const cases: [MadeCrl[], string][] = [
      [[crl([])], 'OK'],
      [[crl([7])], '23@1'], // the root revoked by its own CRL
    ];
    for (const [crls, want] of cases) {
      const r = both([ca], [], leaf, crls);
      expect(r.mine).toBe(r.theirs);
      expect(r.mine).toBe(want);
    }
    // a self-signed trusted leaf needs a CRL of its own
    const ss = makeCertificate({ subject: '/CN=self', serial: 9, subjectKey: k3, issuerKey: k3, selfSigned: true, now: T });
    const r = both([ss], [], ss, [crl([])]);
    expect(r.mine).toBe(r.theirs);
    expect(r.mine).toBe('3@0');
  });

  it('the work budget ends verification with an error, not a hang', () => {
    const leaf = makeCertificate({ subject: '/CN=leaf', subjectKey: k2, issuerKey: k1, issuerCert: root, now: T });
    const res = verifyChain({ leaf: parse(leaf), trusted: [parse(root)], time: T, workBudget: 0 });
    expect(res.ok).toBe(false);
    expect(res.budgetExceeded).toBe(true);
    expect(res.errors.map((e) => `${e.code}@${e.depth} ${e.name}`)).toEqual(['1@0 UNSPECIFIED']);
    expect(res.trace.some((s) => s.step === 'budget')).toBe(true);
  });
});

describe('one work budget for the whole verification', () => {
  // five intermediates share a name; only the last one's key signed the leaf. The openssl
  // profile builds through the first and fails; the rfc5280 profile searches on, each attempt
  // verifying signatures again, all of it drawing on the same budget.
  const root = makeCertificate({
    subject: '/CN=budget root',
    issuerKey: k1,
    selfSigned: true,
    extensions: [...CA, { type: 'subjectKeyIdentifier' }],
    now: T,
  });
  // one key identifier for all five, so that only the signatures tell them apart
  const keyId = Uint8Array.of(1, 2, 3, 4);
  const keys = ['p256-2', 'p256-3', 'p256-4', 'p256-5', 'p256-6'].map(loadKey);
  const ints = keys.map((k, i) =>
    makeCertificate({
      subject: '/CN=same name',
      serial: 100 + i,
      subjectKey: k,
      issuerKey: k1,
      issuerCert: root,
      extensions: [...CA, { type: 'subjectKeyIdentifier', keyId }, { type: 'authorityKeyIdentifier' }],
      now: T,
    }),
  );
  const leaf = makeCertificate({
    subject: '/CN=leaf',
    subjectKey: k1,
    issuerKey: keys[4],
    issuerCert: ints[4],
    extensions: [{ type: 'authorityKeyIdentifier' }],
    now: T,
  });
  const run = (workBudget?: number) => {
    let signatures = 0;
    const res = verifyChain({
      leaf: parse(leaf),
      trusted: [parse(root)],
      untrusted: ints.map(parse),
      time: T,
      authLevel: 0,
      profile: 'rfc5280',
      workBudget,
      verifier: (alg, key, msg, sig) => {
        signatures++;
        return defaultVerifier(alg, key, msg, sig);
      },
    });
    return { res, signatures };
  };

  it('the search finds the path through the last intermediate', () => {
    const { res } = run();
    expect(res.ok).toBe(true);
    expect(res.chain.map((c) => c.serial.value)).toEqual([parse(leaf).serial.value, 104n, parse(root).serial.value]);
  });

  it('never verifies more signatures than the budget, however many paths it tries', () => {
    for (const workBudget of [3, 8, 15, 30]) {
      const { res, signatures } = run(workBudget);
      expect(signatures).toBeLessThanOrEqual(workBudget);
      // the first path's own failure (CERT_SIGNATURE_FAILURE at the leaf), or the budget's (UNSPECIFIED)
      expect(res.ok).toBe(false);
      expect([['CERT_SIGNATURE_FAILURE'], ['UNSPECIFIED']]).toContainEqual(res.errors.map((e) => e.name));
    }
    const { res } = run(15);
    expect(res.trace.at(-1)).toMatchObject({ step: 'path-search', result: 'fail' });
  });
});
