// The corpus of parts made by the factory itself, always available even without the
// conformance suites: the chains of fixed-seed cases and one certificate with every extension.

import fc from 'fast-check';
import { makeCertificate, type ExtensionSpec } from '../factory/index.js';
import { parseCertificate } from '../x509/certificate.js';
import type { Certificate } from '../x509/types.js';
import { caseArb } from './arbitraries.js';
import { buildCase } from './build.js';
import { addToCorpus, emptyCorpus, type Corpus } from './corpus.js';
import { FUZZ_TIME, type KeyRing } from './model.js';

const RICH: ExtensionSpec[] = [
  { type: 'basicConstraints', ca: true, pathLen: 3, critical: true },
  { type: 'keyUsage', usages: ['keyCertSign', 'cRLSign', 'digitalSignature'], critical: true },
  { type: 'extKeyUsage', usages: ['serverAuth', 'clientAuth', 'OCSPSigning'] },
  {
    type: 'subjectAltName',
    names: ['DNS:db.example.com', 'IP:10.1.2.3', 'email:a@example.com', 'URI:https://example.com/', 'RID:1.2.3.4'],
  },
  { type: 'issuerAltName', names: ['DNS:ca.example.com'] },
  {
    type: 'nameConstraints',
    permitted: ['DNS:.example.com', 'IP:10.0.0.0/8', 'email:example.com'],
    excluded: ['DNS:bad.example.com', 'dirName:/CN=evil'],
  },
  {
    type: 'certificatePolicies',
    policies: ['2.5.29.32.0', { oid: '1.3.6.1.4.1.55555.9', cps: ['https://example.com/cps'], userNotice: 'fuzz' }],
  },
  { type: 'policyConstraints', requireExplicitPolicy: 0, inhibitPolicyMapping: 1, critical: true },
  { type: 'inhibitAnyPolicy', skipCerts: 0, critical: true },
  { type: 'crlDistributionPoints', points: ['http://example.com/ca.crl'] },
  { type: 'authorityInfoAccess', ocsp: ['http://ocsp.example.com'], caIssuers: ['http://example.com/ca.crt'] },
  { type: 'netscapeCertType', types: ['server', 'sslCA'] },
  { type: 'subjectKeyIdentifier' },
  { type: 'authorityKeyIdentifier', issuer: true, serial: true },
];

/** Parts of factory-made certificates: the chains of 24 fixed-seed cases and one certificate with every extension. */
export function generatedCorpus(keys: KeyRing): Corpus {
  const corpus = emptyCorpus();
  const certs: Certificate[] = [];
  for (const spec of fc.sample(caseArb(0), { seed: 0xc0 ^ 0x5eed, numRuns: 24 })) {
    const b = buildCase(spec, { keys, corpus: emptyCorpus() });
    for (const d of [b.leaf, ...b.untrusted, ...b.trusted]) certs.push(parseCertificate(d));
  }
  certs.push(
    parseCertificate(
      makeCertificate({
        subject: '/C=DE/O=pgtls fuzz/OU=corpus/CN=rich+serialNumber=42',
        serial: 0x5151,
        selfSigned: true,
        issuerKey: keys['ed25519-1'],
        extensions: RICH,
        now: FUZZ_TIME,
      }).der,
    ),
  );
  return addToCorpus(corpus, certs, 'generated');
}
