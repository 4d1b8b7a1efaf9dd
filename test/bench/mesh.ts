// A cross-signed mesh of CAs for the hostile-sizes bench and its OpenSSL check (issue 11):
// N CAs, each with its own key and a self-signed certificate, and every CA's key certified by
// every other CA (N·(N-1) cross certificates), a leaf under CA 0 and the anchor at CA N-1.
// Built here (factory, from src) and handed out as DER/PEM so the bench parses with dist.

import { generateKeyPairSync } from 'node:crypto';
import { type MadeCertificate, makeCertificate } from '../../src/factory/index.js';
import { parsePrivateKey } from '../../src/x509/keys.js';

export interface Mesh {
  /** self-signed certificate of each CA */
  selfSigned: MadeCertificate[];
  /** every cross certificate: subject CA i, issuer CA j, i ≠ j */
  cross: MadeCertificate[];
  /** issued by CA 0 */
  leaf: MadeCertificate;
  /** the self-signed certificate of CA N-1 */
  anchor: MadeCertificate;
}

const CA_EXTS = [
  { type: 'basicConstraints' as const, ca: true, critical: true },
  { type: 'keyUsage' as const, usages: ['keyCertSign' as const, 'cRLSign' as const], critical: true },
  { type: 'subjectKeyIdentifier' as const },
  { type: 'authorityKeyIdentifier' as const },
];

const newKey = () =>
  parsePrivateKey(
    new TextEncoder().encode(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    ),
  );

export function makeMesh(n: number): Mesh {
  const keys = Array.from({ length: n }, newKey);
  const name = (i: number) => `/O=Mesh/CN=Mesh CA ${i}`;
  const selfSigned = keys.map((k, i) => makeCertificate({ subject: name(i), selfSigned: true, issuerKey: k, extensions: CA_EXTS }));
  const cross: MadeCertificate[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      if (i !== j)
        cross.push(
          makeCertificate({ subject: name(i), subjectKey: keys[i], issuerKey: keys[j], issuerCert: selfSigned[j], extensions: CA_EXTS }),
        );
  const leaf = makeCertificate({
    subject: '/CN=db.example.com',
    subjectKey: newKey(),
    issuerKey: keys[0],
    issuerCert: selfSigned[0],
    extensions: [{ type: 'subjectAltName', names: [{ dns: 'db.example.com' }] }, { type: 'authorityKeyIdentifier' }],
  });
  return { selfSigned, cross, leaf, anchor: selfSigned[n - 1] };
}
