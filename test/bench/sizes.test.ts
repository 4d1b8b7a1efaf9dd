// Hostile sizes (issue 11), the correctness half of bench/sizes.ts: a CRL of hundreds of
// thousands of entries builds (no stack overflow) and parses back entry for entry, OpenSSL
// accepts one of 10,000 and agrees on revocation; a cross-signed mesh gets OpenSSL's verdict
// and stays within the work budget. Timing is the bench's, never asserted here.
import { afterAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import * as asn1js from 'asn1js';
import { integerContent } from '../../src/factory/asn1.js';
import { makeCertificate, makeCrl } from '../../src/factory/index.js';
import { verifyChain } from '../../src/path/index.js';
import { formatNameOneline, parseCertificate, parseCrls } from '../../src/x509/index.js';
import { loadKey, openssl, tempDir } from '../factory/helpers.js';
import { makeMesh } from './mesh.js';

const tmp = tempDir('pgtls-sizes-');
afterAll(() => tmp.done());

const caKey = loadKey('p256-1');
const ca = makeCertificate({
  subject: '/CN=Size CA',
  selfSigned: true,
  issuerKey: caKey,
  extensions: [
    { type: 'basicConstraints', ca: true, critical: true },
    { type: 'keyUsage', usages: ['keyCertSign', 'cRLSign'], critical: true },
  ],
});
const serials = (n: number, from = 1) => Array.from({ length: n }, (_, i) => ({ serial: BigInt(from + i * 7919) }));

test("integerContent is the minimal two's complement asn1js writes", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(1n << 200n), max: 1n << 200n }), (v) => {
      const d = new Uint8Array(asn1js.Integer.fromBigInt(v).toBER(false));
      expect(integerContent(v)).toEqual(d.slice(d[1] & 0x80 ? 2 + (d[1] & 0x7f) : 2));
    }),
  );
});

describe('a CRL of many entries', () => {
  test('200,000 entries build and parse back in order', () => {
    const n = 200_000;
    const made = makeCrl({ issuerCert: ca, issuerKey: caKey, revoked: serials(n) });
    const [crl] = parseCrls(made.der);
    expect(crl.revoked).toHaveLength(n);
    for (const i of [0, 1, 127, 128, 65_535, n - 1]) expect(crl.revoked[i].serial.value).toBe(BigInt(1 + i * 7919));
  });

  test('OpenSSL accepts one of 10,000 entries and agrees on which certificate is revoked', () => {
    const revokedSerial = 1n + 4321n * 7919n;
    const made = makeCrl({
      issuerCert: ca,
      issuerKey: caKey,
      // a few entries with a reason and a date of their own, so entry extensions go through the same layout
      revoked: serials(10_000).map((r, i) => (i % 1000 === 3 ? { ...r, reason: 1, date: new Date(Date.now() - 86_400_000) } : r)),
    });
    const caFile = tmp.write('ca.pem', ca.pem);
    const crlFile = tmp.write('big.pem', made.pem);
    const c = openssl(['crl', '-in', crlFile, '-noout', '-CAfile', caFile]);
    expect(c.err + c.out).toContain('verify OK');
    expect(c.status).toBe(0);
    const count = openssl(['crl', '-in', crlFile, '-noout', '-text']).out.match(/Serial Number:/g)?.length;
    expect(count).toBe(10_000);

    for (const serial of [revokedSerial, revokedSerial + 1n]) {
      const leaf = makeCertificate({
        subject: '/CN=db.example.com',
        serial,
        subjectKey: loadKey('p256-2'),
        issuerKey: caKey,
        issuerCert: ca,
      });
      const v = openssl(['verify', '-crl_check', '-CRLfile', crlFile, '-CAfile', caFile, tmp.write(`l${serial}.pem`, leaf.pem)]);
      const theirs =
        /error (\d+) at (\d+) depth/
          .exec(v.out + v.err)
          ?.slice(1, 3)
          .join(' ') ?? (v.status === 0 ? 'ok' : `status ${v.status}`);
      const r = verifyChain({
        leaf: parseCertificate(leaf.der),
        trusted: [parseCertificate(ca.der)],
        crls: parseCrls(made.der),
        crlMode: 'leaf',
      });
      const ours = r.ok ? 'ok' : `${r.error?.code} ${r.error?.depth}`;
      expect(ours).toBe(theirs);
      expect(ours).toBe(serial === revokedSerial ? '23 0' : 'ok');
    }
  });
});

describe('a cross-signed mesh', () => {
  test.each([3, 5])("%i CAs: our verdict is OpenSSL's, in both profiles within the budget, and a starved budget stops both", (n) => {
    const mesh = makeMesh(n);
    const untrusted = [...mesh.cross, ...mesh.selfSigned.slice(0, -1)];
    const v = openssl([
      'verify',
      '-show_chain',
      '-CAfile',
      tmp.write(`a${n}.pem`, mesh.anchor.pem),
      '-untrusted',
      tmp.write(`u${n}.pem`, untrusted.map((c) => c.pem).join('')),
      tmp.write(`leaf${n}.pem`, mesh.leaf.pem),
    ]);
    const theirs =
      /error (\d+) at (\d+) depth/
        .exec(v.out + v.err)
        ?.slice(1, 3)
        .join(' ') ?? (v.status === 0 ? 'ok' : `status ${v.status}`);
    const opts = {
      leaf: parseCertificate(mesh.leaf.der),
      trusted: [parseCertificate(mesh.anchor.der)],
      untrusted: untrusted.map((c) => parseCertificate(c.der)),
    };
    const r = verifyChain(opts);
    expect(r.ok ? 'ok' : `${r.error?.code} ${r.error?.depth}`).toBe(theirs);
    // the same path through the mesh: OpenSSL's -show_chain subjects, depth by depth
    const theirChain = [...v.out.matchAll(/^depth=\d+: (.*?)(?: \(untrusted\))?$/gm)].map((m) => m[1]);
    expect(theirChain.length).toBeGreaterThan(2);
    expect(r.chain.map((c) => formatNameOneline(c.subject))).toEqual(theirChain);
    const strict = verifyChain({ ...opts, profile: 'rfc5280' });
    expect(strict.budgetExceeded).toBeFalsy();
    expect(strict.ok).toBe(true);
    // a budget too small for the search ends it as a failure, never a hang
    for (const profile of ['openssl', 'rfc5280'] as const) {
      const starved = verifyChain({ ...opts, profile, workBudget: 5 });
      expect(starved.ok).toBe(false);
      expect(starved.budgetExceeded).toBe(true);
    }
  });
});
