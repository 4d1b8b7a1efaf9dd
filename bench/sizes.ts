// Hostile sizes: how the cost of the operations bad input reaches grows with the input
// (issue 11). One timed run per size (these inputs are large; the harness's interleaved
// rounds are for microseconds), wall time and the heap it left, printed, never asserted:
// a PEM bundle of N certificates (100,000 is a 48 MB file), a CRL of N entries built, parsed
// and checked against (1,000,000 entries: a 21 MB CRL), a mesh of N CAs that all cross-sign
// each other (test/bench/mesh.ts), a CA whose nameConstraints list N subtrees verifying a
// leaf, and DER nested N deep through the dump `pgtls asn1` prints.

import { readFileSync } from 'node:fs';
import { dumpDer, parseDer } from '../dist/der/index.js';
import { makeCertificate, makeCrl } from '../dist/factory/index.js';
import { verifyChain } from '../dist/path/index.js';
import { parseCertificate, parseCertificates, parseCrls, parsePrivateKey } from '../dist/x509/index.js';
import { makeMesh } from '../test/bench/mesh.js';
import { deep } from '../test/support/deep-der.js';

const key = (n: string) => parsePrivateKey(readFileSync(new URL(`../vectors/keys/${n}.pem`, import.meta.url)));
const gc = (globalThis as { gc?: () => void }).gc;

function once(fn: () => unknown): { ms: number; mb: number; out: unknown } {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const out = fn();
  const ms = performance.now() - t0;
  const mb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  return { ms, mb, out };
}

const fmt = (n: number, d = 1) => n.toFixed(d).padStart(9);

export function runSizesBench(): string {
  const rows: string[] = ['input                                      size  wall ms   ms/unit   heap MB  result'];
  const row = (what: string, size: number, unit: string, r: { ms: number; mb: number }, result: string) =>
    rows.push(
      `${what.padEnd(36)} ${String(size).padStart(9)} ${fmt(r.ms)} ${fmt((r.ms * 1000) / size, 2)}µs/${unit} ${fmt(r.mb)}  ${result}`,
    );

  const caKey = key('p256-1');
  const ca = makeCertificate({
    subject: '/CN=Size CA',
    selfSigned: true,
    issuerKey: caKey,
    extensions: [{ type: 'basicConstraints', ca: true, critical: true }],
  });
  const leaf = makeCertificate({
    subject: '/CN=db.example.com',
    subjectKey: key('p256-2'),
    issuerKey: caKey,
    issuerCert: ca,
    extensions: [{ type: 'subjectAltName', names: [{ dns: 'db.example.com' }] }],
  });

  for (const n of [1_000, 10_000, 100_000]) {
    const pem = new TextEncoder().encode(leaf.pem.repeat(n));
    const r = once(() => parseCertificates(pem));
    row(`PEM bundle (${(pem.length / 2 ** 20).toFixed(1)} MB)`, n, 'cert', r, `${(r.out as unknown[]).length} parsed`);
  }

  // the leaf's serial is not listed, so every lookup reads the whole list unless indexed; the
  // first verification builds the CRL's per-entry view, the second is one more check against it
  for (const n of [10_000, 100_000, 1_000_000]) {
    const made = once(() =>
      makeCrl({ issuerCert: ca, issuerKey: caKey, revoked: Array.from({ length: n }, (_, i) => ({ serial: BigInt(i + 1) })) }),
    );
    const der = (made.out as { der: Uint8Array }).der;
    row(`CRL build, factory (${(der.length / 2 ** 20).toFixed(1)} MB)`, n, 'entry', made, 'built');
    const parsed = once(() => parseCrls(der));
    row('  parse', n, 'entry', parsed, 'parsed');
    const crl = (parsed.out as ReturnType<typeof parseCrls>)[0];
    const opts = {
      leaf: parseCertificate(leaf.der),
      trusted: [parseCertificate(ca.der)],
      crls: [crl],
      crlMode: 'leaf' as const,
      time: new Date(),
    };
    const v = once(() => verifyChain(opts));
    row('  verify leaf, first check', n, 'entry', v, (v.out as { ok: boolean }).ok ? 'ok' : 'fails');
    const again = once(() => verifyChain(opts));
    row('  verify leaf, next check', n, 'entry', again, (again.out as { ok: boolean }).ok ? 'ok' : 'fails');
  }

  for (const n of [100, 1_000, 10_000]) {
    const permitted = Array.from({ length: n }, (_, i) => ({ dns: `host${i}.example.net` }));
    permitted.push({ dns: 'example.com' });
    const nc = makeCertificate({
      subject: '/CN=Constrained CA',
      selfSigned: true,
      issuerKey: caKey,
      extensions: [
        { type: 'basicConstraints', ca: true, critical: true },
        { type: 'nameConstraints', permitted, critical: true },
      ],
    });
    const sans = Array.from({ length: 100 }, (_, i) => ({ dns: `h${i}.db.example.com` }));
    const l = makeCertificate({
      subject: '/CN=db.example.com',
      subjectKey: key('p256-2'),
      issuerKey: caKey,
      issuerCert: nc,
      extensions: [{ type: 'subjectAltName', names: sans }],
    });
    const v = once(() => verifyChain({ leaf: parseCertificate(l.der), trusted: [parseCertificate(nc.der)], time: new Date() }));
    row('nameConstraints x 100 SANs', n, 'subtree', v, (v.out as { ok: boolean }).ok ? 'ok' : 'fails');
  }

  // every CA certified by every other: the openssl profile follows one issuer per step
  // (OpenSSL's build_chain), the rfc5280 profile searches, bounded by the work budget
  for (const n of [4, 8, 16, 32]) {
    const mesh = makeMesh(n);
    const opts = {
      leaf: parseCertificate(mesh.leaf.der),
      trusted: [parseCertificate(mesh.anchor.der)],
      untrusted: [...mesh.cross, ...mesh.selfSigned.slice(0, -1)].map((c) => parseCertificate(c.der)),
      time: new Date(),
    };
    for (const profile of ['openssl', 'rfc5280'] as const) {
      const v = once(() => verifyChain({ ...opts, profile }));
      const out = v.out as { ok: boolean; chain: unknown[]; budgetExceeded?: boolean };
      const verdict = out.budgetExceeded ? 'out of budget' : out.ok ? `ok, chain of ${out.chain.length}` : 'fails';
      row(`cross-signed mesh, ${profile}`, n, 'CA', v, `${verdict} (${opts.untrusted.length} untrusted)`);
    }
  }

  for (const n of [128, 1_000, 20_000]) {
    const der = deep(n);
    const r = once(() => {
      try {
        return dumpDer(parseDer(der)).length;
      } catch (e) {
        return (e as Error).name;
      }
    });
    row('asn1 dump of DER nested N deep', n, 'level', r, String(r.out));
  }
  return ['Hostile sizes (one run each; wall time and heap growth)', ...rows].join('\n');
}
