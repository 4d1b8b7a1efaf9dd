// The first reason in OpenSSL's error queue after a certificate signature fails is what
// libpq and the server print ("SSL error: invalid padding", "could not accept SSL
// connection: data too large for modulus"). This table makes leaves whose signature is
// wrong in one specific way for each algorithm and asks `openssl verify` (which prints the
// queue after the verdict) and verifyChain for that first reason. Deterministic: the
// bytes are fixed, so every run covers the same branches (a random PSS salt once made
// the oracle test in test/pg land on "data too large for modulus" only some of the time).
// So openssl's output per variant is recorded in vectors/oracle/signature-reason/openssl-3.0.json
// and replayed without openssl (the error-queue thread id stored as 0, hex as the parser wants).

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { makeCertificate, type ExtensionSpec, type MadeCertificate, type SigAlgSpec } from '../../src/factory/index.js';
import { parseCertificates } from '../../src/x509/certificate.js';
import { verifyChain } from '../../src/path/validator.js';
import { signMessage } from '../../src/crypto/index.js';
import type { PrivateKey } from '../../src/x509/types.js';
import { loadKey, tempDir } from '../factory/helpers.js';
import { useOpensslGoldens } from '../support/openssl-goldens.js';

const goldens = useOpensslGoldens('signature-reason');

const T = new Date('2030-06-15T12:00:00Z');
const CA_EXT: ExtensionSpec[] = [{ type: 'basicConstraints', ca: true, critical: true }];

const fill = (n: number, b: number) => new Uint8Array(n).fill(b);
const pattern = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + 7) & 0xff);

interface Variant {
  name: string;
  caKey: string;
  alg?: SigAlgSpec;
  /** signature bytes, or sign with another key of the same kind */
  sig: Uint8Array | { wrongKey: string };
}

const PSS: SigAlgSpec = { pss: { hash: 'sha256', mgfHash: 'sha256', saltLength: 32 } };
// an ECDSA-Sig-Value whose INTEGERs are in range but wrong
const ecdsaDer = (r: number[], s: number[]) => Uint8Array.from([0x30, r.length + s.length + 4, 0x02, r.length, ...r, 0x02, s.length, ...s]);

const VARIANTS: Variant[] = [];
for (const [label, caKey, alg] of [
  ['RSA PKCS#1', 'rsa2048-1', undefined],
  ['RSA-PSS (rsaEncryption key)', 'rsa2048-1', PSS],
  ['RSA-PSS (RSASSA-PSS key)', 'rsapss2048-1', undefined],
] as const) {
  VARIANTS.push(
    { name: `${label}: signed by another key`, caKey, alg, sig: { wrongKey: 'rsa2048-6' } },
    { name: `${label}: value not below the modulus`, caKey, alg, sig: fill(256, 0xff) },
    { name: `${label}: one octet short`, caKey, alg, sig: pattern(255, 1) },
    { name: `${label}: one octet long`, caKey, alg, sig: pattern(257, 2) },
    { name: `${label}: empty`, caKey, alg, sig: new Uint8Array(0) },
    { name: `${label}: all zero`, caKey, alg, sig: fill(256, 0) },
    { name: `${label}: value one`, caKey, alg, sig: Uint8Array.from([...fill(255, 0), 1]) },
  );
}
for (const [label, caKey, other, len] of [
  ['ECDSA P-256', 'p256-1', 'p256-2', 64],
  ['ECDSA P-384', 'p384-1', 'p256-2', 96],
] as const) {
  VARIANTS.push(
    { name: `${label}: signed by another key`, caKey, sig: { wrongKey: other } },
    { name: `${label}: not DER`, caKey, sig: pattern(len, 3) },
    { name: `${label}: empty`, caKey, sig: new Uint8Array(0) },
    { name: `${label}: r and s small and wrong`, caKey, sig: ecdsaDer([0x01], [0x01]) },
    { name: `${label}: r zero`, caKey, sig: ecdsaDer([0x00], [0x01]) },
    { name: `${label}: r negative`, caKey, sig: ecdsaDer([0x80], [0x01]) },
    { name: `${label}: s zero`, caKey, sig: ecdsaDer([0x01], [0x00]) },
    { name: `${label}: s above the group order`, caKey, sig: ecdsaDer([0x01], [0x00, ...fill(len / 2, 0xff)]) },
    { name: `${label}: r with a needless leading zero`, caKey, sig: ecdsaDer([0x00, 0x01], [0x01]) },
    { name: `${label}: trailing octet after the SEQUENCE`, caKey, sig: Uint8Array.from([...ecdsaDer([0x01], [0x01]), 0x00]) },
  );
}
for (const [label, caKey, other, len] of [
  ['Ed25519', 'ed25519-1', 'ed25519-2', 64],
  ['Ed448', 'ed448-1', undefined, 114],
] as const) {
  if (other) VARIANTS.push({ name: `${label}: signed by another key`, caKey, sig: { wrongKey: other } });
  VARIANTS.push(
    { name: `${label}: one octet short`, caKey, sig: pattern(len - 1, 4) },
    { name: `${label}: wrong bytes`, caKey, sig: pattern(len, 5) },
    { name: `${label}: S not reduced`, caKey, sig: fill(len, 0xff) },
    { name: `${label}: empty`, caKey, sig: new Uint8Array(0) },
  );
}

const keys = new Map<string, PrivateKey>();
const key = (n: string): PrivateKey => {
  if (!keys.has(n)) keys.set(n, loadKey(n));
  return keys.get(n)!;
};

function build(v: Variant): { ca: MadeCertificate; leaf: MadeCertificate } {
  const ca = makeCertificate({
    subject: `/CN=Reason CA ${v.caKey}`,
    selfSigned: true,
    issuerKey: key(v.caKey),
    extensions: CA_EXT,
    serial: 1,
    now: T,
  });
  const common = {
    subject: '/CN=leaf',
    subjectKey: key('p256-3'),
    issuerCert: ca,
    serial: 2,
    now: T,
    ...(v.alg ? { signatureAlgorithm: v.alg } : {}),
  };
  const leaf =
    v.sig instanceof Uint8Array
      ? makeCertificate({ ...common, issuerKey: key(v.caKey), signature: v.sig })
      : makeCertificate({
          ...common,
          issuerKey: key(v.sig.wrongKey),
          signatureAlgorithm: v.alg ?? (key(v.caKey).kind === 'ec' ? 'ecdsaWithSHA256' : undefined),
          // a fixed PSS salt: with a random one, the wrong key's signature decrypts to a value
          // at or above the CA's modulus in some runs ("data too large for modulus") and to a
          // bad last octet in others, so the recorded queue held only some of the time
          signer: (alg, k, msg) => signMessage(alg, k, msg, { pssSalt: fill(32, 0x5a) }),
        });
  return { ca, leaf };
}

/** The reason field of the first `error:...` line openssl prints (lib:func:reason:file:line). */
function firstQueuedReason(out: string): string | undefined {
  const line = out.split('\n').find((l) => /^[0-9A-F]+:error:[0-9A-F]+:/.test(l));
  return line?.split(':')[5];
}

describe('signature failures: the first OpenSSL queued reason (openssl verify as the oracle)', () => {
  it.skipIf(goldens.skip)('matches on every variant', () => {
    const tmp = tempDir('pgtls-sigreason-');
    try {
      const script: string[] = [];
      const built = VARIANTS.map((v, i) => {
        const b = build(v);
        tmp.write(`${i}-ca.pem`, b.ca.pem);
        tmp.write(`${i}-leaf.pem`, b.leaf.pem);
        script.push(`echo "@@CASE ${i}"; openssl verify -attime ${Math.floor(T.getTime() / 1000)} -CAfile ${i}-ca.pem ${i}-leaf.pem 2>&1`);
        return b;
      });
      let live: string[] | undefined;
      const runAll = () => {
        const r = spawnSync('sh', ['-c', script.join('\n')], { cwd: tmp.dir, encoding: 'utf8', maxBuffer: 16 << 20 });
        return r.stdout.split(/^@@CASE \d+\n/m).slice(1);
      };
      // the thread id as 0 (still hex: firstQueuedReason reads the line by its shape)
      const threadless = { norm: (t: string) => t.replace(/^[0-9A-F]+:error:/gm, '0:error:'), denorm: (t: string) => t };
      const outs = VARIANTS.map((v, i) => goldens.call(`variant ${v.name}`, () => (live ??= runAll())[i], threadless));
      expect(outs).toHaveLength(VARIANTS.length);
      const rows = VARIANTS.map((v, i) => {
        const res = verifyChain({ leaf: parseCertificates(built[i].leaf.der)[0], trusted: parseCertificates(built[i].ca.der), time: T });
        const theirs = {
          verdict: /: OK$/m.test(outs[i]) ? 'OK' : (/^error (\d+) at/m.exec(outs[i])?.[1] ?? '?'),
          reason: firstQueuedReason(outs[i]) ?? null,
        };
        const mine = { verdict: res.ok ? 'OK' : String(res.error?.code), reason: res.error?.opensslReason ?? null };
        return { name: v.name, mine, theirs };
      });
      const differ = rows.filter((x) => JSON.stringify(x.mine) !== JSON.stringify(x.theirs));
      expect(differ).toEqual([]);
      // the table must exercise more than the catch-all
      expect(new Set(rows.map((x) => x.theirs.reason)).size).toBeGreaterThan(5);
    } finally {
      tmp.done();
    }
  });
});
