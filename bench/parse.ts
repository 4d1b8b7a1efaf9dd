// Parsing a typical RSA-2048 leaf (the docs' root+server recipe shape, v3 with SAN, SKI,
// AKI, basicConstraints, keyUsage, EKU) with pgtls beside asn1js, pkijs, node-forge,
// @peculiar/x509 and Node's X509Certificate. Target (issue 2): pgtls median below 40 µs.

import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import forge from 'node-forge';
import * as peculiar from '@peculiar/x509';
import { parsePrivateKey, parseCertificate } from '../dist/x509/index.js';
import { makeCertificate } from '../dist/factory/index.js';
import { bench, formatTable } from './harness.js';

export function typicalLeaf(): Uint8Array {
  const key = parsePrivateKey(readFileSync(new URL('../vectors/keys/rsa2048-1.pem', import.meta.url)));
  const caKey = parsePrivateKey(readFileSync(new URL('../vectors/keys/rsa2048-2.pem', import.meta.url)));
  const ca = makeCertificate({
    subject: '/CN=Example Root CA/O=Example',
    selfSigned: true,
    issuerKey: caKey,
    extensions: [{ type: 'basicConstraints', ca: true, critical: true }, { type: 'subjectKeyIdentifier' }],
  });
  return makeCertificate({
    subject: '/C=US/O=Example Inc/CN=db.example.com',
    subjectKey: key,
    issuerKey: caKey,
    issuerCert: ca,
    extensions: [
      { type: 'basicConstraints', ca: false, critical: true },
      { type: 'keyUsage', usages: ['digitalSignature', 'keyEncipherment'], critical: true },
      { type: 'extKeyUsage', usages: ['serverAuth', 'clientAuth'] },
      { type: 'subjectKeyIdentifier' },
      { type: 'authorityKeyIdentifier' },
      { type: 'subjectAltName', names: ['DNS:db.example.com', 'DNS:db', 'IP:10.0.0.5'] },
    ],
  }).der;
}

export function runParseBench(): string {
  const der = typicalLeaf();
  const buf = Buffer.from(der);
  const ab = der.slice().buffer;
  const forgeBytes = forge.util.createBuffer(buf.toString('binary'));
  const results = bench([
    { name: 'pgtls parseCertificate', run: () => parseCertificate(der) },
    { name: 'asn1js fromBER', run: () => asn1js.fromBER(ab) },
    { name: 'pkijs Certificate', run: () => pkijs.Certificate.fromBER(ab) },
    { name: 'node-forge', run: () => forge.pki.certificateFromAsn1(forge.asn1.fromDer(forgeBytes.copy())) },
    { name: '@peculiar/x509', run: () => new peculiar.X509Certificate(buf) },
    { name: 'node X509Certificate', run: () => new X509Certificate(buf) },
  ]);
  return formatTable(`Parse a typical RSA-2048 leaf (${der.length} bytes); target: pgtls median < 40 µs`, results);
}
