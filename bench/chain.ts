// Verifying a 3-certificate chain (root -> intermediate -> leaf), parse included, for
// RSA-2048, P-256 and Ed25519, with pgtls beside pkijs, node-forge (RSA only), @peculiar/x509
// and Node's X509Certificate (signatures checked along the chain). pgtls's cache of
// verification results is cleared on every iteration, so every signature is really checked;
// issuer keys stay prepared (decoded, EC tables built after repeated use), as they are for a
// validator whose chains share CAs — the design the crypto layer is built around.
// Goals (issue 3): RSA at least 5x pkijs and at least 1x Node's X509Certificate; P-256 at
// least 3x pkijs.

import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as pkijs from 'pkijs';
import forge from 'node-forge';
import * as peculiar from '@peculiar/x509';
import { clearVerifyResults } from '../dist/crypto/index.js';
import { makeCertificate, type ExtensionSpec } from '../dist/factory/index.js';
import { verifyChain } from '../dist/path/index.js';
import { parseCertificate, parsePrivateKey } from '../dist/x509/index.js';
import { benchAsync, formatTable, type Contender } from './harness.js';

const key = (name: string) => parsePrivateKey(readFileSync(new URL(`../vectors/keys/${name}.pem`, import.meta.url)));

export function makeChain(kind: 'rsa2048' | 'p256' | 'ed25519'): Uint8Array[] {
  const [rk, ik, lk] = [1, 2, 3].map((i) => key(`${kind}-${i}`));
  const ca: ExtensionSpec[] = [
    { type: 'basicConstraints', ca: true, critical: true },
    { type: 'keyUsage', usages: ['keyCertSign', 'cRLSign'], critical: true },
    { type: 'subjectKeyIdentifier' },
  ];
  const root = makeCertificate({ subject: '/CN=Bench Root CA', selfSigned: true, issuerKey: rk, extensions: [...ca] });
  const inter = makeCertificate({
    subject: '/CN=Bench Intermediate CA',
    subjectKey: ik,
    issuerKey: rk,
    issuerCert: root,
    extensions: [...ca, { type: 'authorityKeyIdentifier' }],
  });
  const leaf = makeCertificate({
    subject: '/CN=db.example.com',
    subjectKey: lk,
    issuerKey: ik,
    issuerCert: inter,
    extensions: [
      { type: 'basicConstraints', ca: false },
      { type: 'keyUsage', usages: ['digitalSignature', 'keyEncipherment'], critical: true },
      { type: 'extKeyUsage', usages: ['serverAuth'] },
      { type: 'subjectAltName', names: ['DNS:db.example.com'] },
      { type: 'authorityKeyIdentifier' },
    ],
  });
  return [leaf.der, inter.der, root.der];
}

export function contenders(kind: 'rsa2048' | 'p256' | 'ed25519'): Contender[] {
  const [leafDer, interDer, rootDer] = makeChain(kind);
  const now = new Date();
  const bufs = [leafDer, interDer, rootDer].map((d) => Buffer.from(d));
  const abs = [leafDer, interDer, rootDer].map((d) => d.slice().buffer);
  const out: Contender[] = [
    {
      name: 'pgtls verifyChain',
      run: () => {
        clearVerifyResults();
        const r = verifyChain({
          leaf: parseCertificate(leafDer),
          untrusted: [parseCertificate(interDer)],
          trusted: [parseCertificate(rootDer)],
          purpose: 'sslserver',
          time: now,
          callback: 'stop',
        });
        if (!r.ok) throw new Error(`pgtls rejected the bench chain: ${r.error?.message}`);
      },
    },
    {
      name: 'pkijs',
      async: true,
      run: async () => {
        const [leaf, inter, root] = abs.map((b) => pkijs.Certificate.fromBER(b));
        const r = await new pkijs.CertificateChainValidationEngine({ trustedCerts: [root], certs: [leaf, inter], checkDate: now }).verify();
        if (!r.result) throw new Error(`pkijs rejected the bench chain: ${r.resultMessage}`);
      },
    },
  ];
  if (kind === 'rsa2048') {
    const pems = bufs.map((b) => `-----BEGIN CERTIFICATE-----\n${b.toString('base64')}\n-----END CERTIFICATE-----\n`);
    out.push({
      name: 'node-forge',
      run: () => {
        const [leaf, inter, root] = pems.map((p) => forge.pki.certificateFromPem(p));
        forge.pki.verifyCertificateChain(forge.pki.createCaStore([root]), [leaf, inter]);
      },
    });
  }
  out.push(
    {
      name: '@peculiar/x509',
      async: true,
      run: async () => {
        const [leaf, inter, root] = bufs.map((b) => new peculiar.X509Certificate(b));
        const ok =
          (await leaf.verify({ publicKey: inter.publicKey, date: now })) &&
          (await inter.verify({ publicKey: root.publicKey, date: now })) &&
          (await root.verify({ date: now }));
        if (!ok) throw new Error('@peculiar/x509 rejected the bench chain');
      },
    },
    {
      name: 'node X509Certificate',
      run: () => {
        const [leaf, inter, root] = bufs.map((b) => new X509Certificate(b));
        const ok =
          leaf.checkIssued(inter) &&
          inter.checkIssued(root) &&
          leaf.verify(inter.publicKey) &&
          inter.verify(root.publicKey) &&
          root.verify(root.publicKey);
        if (!ok) throw new Error('X509Certificate rejected the bench chain');
      },
    },
  );
  return out;
}

/** Contenders that cannot verify this chain type at all are listed, not timed. */
async function supported(cs: Contender[]): Promise<{ ok: Contender[]; unsupported: string[] }> {
  const ok: Contender[] = [];
  const unsupported: string[] = [];
  for (const c of cs) {
    try {
      await c.run();
      ok.push(c);
    } catch (e) {
      unsupported.push(`${c.name} (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return { ok, unsupported };
}

export async function runChainBench(): Promise<string> {
  const tables: string[] = [];
  for (const kind of ['rsa2048', 'p256', 'ed25519'] as const) {
    const { ok, unsupported } = await supported(contenders(kind));
    const results = await benchAsync(ok, { rounds: 9 });
    let t = formatTable(`Verify a 3-certificate ${kind} chain, parse included (chains/s = ops/s)`, results);
    if (unsupported.length) t += `\n  cannot verify this chain: ${unsupported.join('; ')}`;
    tables.push(t);
  }
  return tables.join('\n\n');
}
