// The path layer's own scenario table, in the style of PostgreSQL's src/test/ssl/t/001_ssltests.pl:
// one scenario a line, named for what it proves, with the exact error list `openssl verify`
// prints (code, depth and OpenSSL's text, in order; [] = OK). Every certificate and CRL is made
// with the factory from the keys in vectors/keys; each expectation holds for verifyChain and,
// when the `openssl` CLI is installed, is proven against the real `openssl verify` (3.0) run on
// the same files with the same options. No ../shared data needed.
// What openssl printed for each scenario is recorded in vectors/oracle/path-scenarios/openssl-3.0.json
// (test/support/openssl-goldens.ts): without openssl, or with PGTLS_REPLAY=1, the expectations
// are checked against that recording.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExtensionSpec, type MadeCertificate, type MadeCrl, makeCertificate, makeCrl } from '../../src/factory/index.js';
import { parseCertificates } from '../../src/x509/certificate.js';
import { parseCrls } from '../../src/x509/crl.js';
import { verifyChain } from '../../src/path/validator.js';
import type { VerifyOptions } from '../../src/path/context.js';
import type { Purpose } from '../../src/path/purpose.js';
import { parseIpAsc } from '../../src/path/hostname.js';
import { loadKey } from '../factory/helpers.js';
import { placeholders, useOpensslGoldens } from '../support/openssl-goldens.js';

const goldens = useOpensslGoldens('path-scenarios');
if (goldens.skip) console.warn(`test/path/scenarios: ${goldens.skip}; expectations checked against verifyChain only`);

const T = new Date('2030-06-15T12:00:00Z');
const DAY = 86_400_000;
const FROM = new Date('2020-01-01T00:00:00Z');
const TO = new Date('2040-01-01T00:00:00Z');

const key = {
  root: loadKey('rsa2048-1'),
  int: loadKey('rsa2048-2'),
  other: loadKey('rsa2048-3'),
  leaf: loadKey('p256-1'),
  sub: loadKey('p256-2'),
  alt: loadKey('p256-3'),
  weak: loadKey('rsa1024-1'),
};

const CA: ExtensionSpec[] = [
  { type: 'basicConstraints', ca: true, critical: true },
  { type: 'keyUsage', usages: ['keyCertSign', 'cRLSign'], critical: true },
  { type: 'subjectKeyIdentifier' },
  { type: 'authorityKeyIdentifier' },
];
const SERVER: ExtensionSpec[] = [
  { type: 'subjectAltName', names: [{ dns: 'db.example.com' }, { ip: '192.0.2.7' }, { email: 'dba@example.com' }] },
  { type: 'extKeyUsage', usages: ['serverAuth'] },
  { type: 'keyUsage', usages: ['digitalSignature'], critical: true },
  { type: 'subjectKeyIdentifier' },
  { type: 'authorityKeyIdentifier' },
];
const san = (...names: ({ dns: string } | { ip: string } | { email: string })[]): ExtensionSpec[] => [
  { type: 'subjectAltName', names },
  { type: 'subjectKeyIdentifier' },
  { type: 'authorityKeyIdentifier' },
];

/** Every certificate and CRL the scenarios name, made once. */
function makePki(): Record<string, MadeCertificate | MadeCrl> {
  let serial = 1;
  const cert = (
    subject: string,
    issuer: MadeCertificate | 'self',
    issuerKey: typeof key.root,
    more: Partial<Parameters<typeof makeCertificate>[0]>,
  ) =>
    makeCertificate({
      subject,
      serial: serial++,
      notBefore: FROM,
      notAfter: TO,
      ...(issuer === 'self' ? { selfSigned: true } : { issuerCert: issuer }),
      issuerKey,
      ...more,
    });
  const root = cert('/CN=Scenario Root', 'self', key.root, { extensions: CA.slice(0, 3) });
  const int = cert('/CN=Scenario Int', root, key.root, { subjectKey: key.int, extensions: CA });
  const leafBy = (
    issuer: MadeCertificate,
    issuerKey: typeof key.root,
    extensions: ExtensionSpec[],
    more: Partial<Parameters<typeof makeCertificate>[0]> = {},
  ) => cert('/CN=scenario leaf', issuer, issuerKey, { subjectKey: key.leaf, extensions, ...more });
  const intLike = (extensions: ExtensionSpec[], more: Partial<Parameters<typeof makeCertificate>[0]> = {}) =>
    cert('/CN=Scenario Int', root, key.root, { subjectKey: key.int, extensions, ...more });
  const rootLike = (more: Partial<Parameters<typeof makeCertificate>[0]>) =>
    cert('/CN=Scenario Root', 'self', key.root, { extensions: CA.slice(0, 3), ...more });
  const ncInt = cert('/CN=Scenario NC Int', root, key.root, {
    subjectKey: key.sub,
    extensions: [
      ...CA,
      {
        type: 'nameConstraints',
        critical: true,
        permitted: [{ dns: 'example.com' }, { ip: '192.0.2.0/24' }, { email: 'example.com' }],
        excluded: [{ dns: 'bad.example.com' }],
      },
    ],
  });
  const pathLen0 = cert('/CN=Scenario PathLen0', root, key.root, {
    subjectKey: key.sub,
    extensions: [{ type: 'basicConstraints', ca: true, pathLen: 0, critical: true }, ...CA.slice(1)],
  });
  const underPathLen0 = cert('/CN=Scenario Sub', pathLen0, key.sub, { subjectKey: key.alt, extensions: CA });
  const policyInt = intLike([...CA, { type: 'certificatePolicies', policies: ['1.2.3.4'] }]);
  const requireInt = intLike([...CA, { type: 'policyConstraints', requireExplicitPolicy: 0, critical: true }]);
  const weakInt = cert('/CN=Scenario Weak Int', root, key.root, { subjectKey: key.weak, extensions: CA });
  const leaf = leafBy(int, key.int, SERVER);
  const revoked = leafBy(int, key.int, SERVER);
  const crl = (more: Partial<Parameters<typeof makeCrl>[0]>) =>
    makeCrl({
      issuerCert: int,
      issuerKey: key.int,
      thisUpdate: new Date(T.getTime() - 10 * DAY),
      nextUpdate: new Date(T.getTime() + 10 * DAY),
      ...more,
    });
  const revokedSerial = parseCertificates(revoked.der)[0].serial.value;
  const expiredLeaf = { notBefore: new Date(T.getTime() - 400 * DAY), notAfter: new Date(T.getTime() - DAY) };
  const futureLeaf = { notBefore: new Date(T.getTime() + DAY), notAfter: new Date(T.getTime() + 400 * DAY) };
  return {
    root,
    int,
    leaf,
    revoked,
    'other-root': cert('/CN=Other Root', 'self', key.other, { extensions: CA.slice(0, 3) }),
    'root-expired': rootLike(expiredLeaf),
    'root-future': rootLike(futureLeaf),
    'int-expired': intLike(CA, expiredLeaf),
    'int-future': intLike(CA, futureLeaf),
    'leaf-expired': leafBy(int, key.int, SERVER, expiredLeaf),
    'leaf-future': leafBy(int, key.int, SERVER, futureLeaf),
    'leaf-by-root': leafBy(root, key.root, SERVER),
    'self-signed': cert('/CN=self.example.com', 'self', key.alt, { extensions: san({ dns: 'self.example.com' }) }),
    'int-ca-false': intLike([{ type: 'basicConstraints', ca: false, critical: true }, ...CA.slice(1)]),
    'int-no-bc': intLike(CA.slice(1)),
    'int-no-certsign': intLike([CA[0], { type: 'keyUsage', usages: ['digitalSignature', 'cRLSign'], critical: true }, ...CA.slice(2)]),
    'int-client-only': intLike([...CA, { type: 'extKeyUsage', usages: ['clientAuth'] }]),
    'path-len-0': pathLen0,
    'under-path-len-0': underPathLen0,
    'leaf-under-sub': cert('/CN=scenario leaf', underPathLen0, key.alt, { subjectKey: key.leaf, extensions: SERVER }),
    'leaf-by-path-len-0': cert('/CN=scenario leaf', pathLen0, key.sub, { subjectKey: key.leaf, extensions: SERVER }),
    'leaf-client': leafBy(int, key.int, [{ type: 'extKeyUsage', usages: ['clientAuth'] }, ...san({ dns: 'client' })]),
    'leaf-no-eku': leafBy(int, key.int, san({ dns: 'db.example.com' })),
    'leaf-key-encipherment': leafBy(int, key.int, [
      { type: 'keyUsage', usages: ['keyEncipherment'], critical: true },
      ...san({ dns: 'x' }),
    ]),
    'nc-int': ncInt,
    'nc-ok': cert('/CN=nc ok', ncInt, key.sub, {
      subjectKey: key.leaf,
      extensions: san({ dns: 'db.example.com' }, { ip: '192.0.2.9' }, { email: 'a@example.com' }),
    }),
    'nc-dns-outside': cert('/CN=nc dns', ncInt, key.sub, { subjectKey: key.leaf, extensions: san({ dns: 'db.example.org' }) }),
    'nc-dns-excluded': cert('/CN=nc excluded', ncInt, key.sub, { subjectKey: key.leaf, extensions: san({ dns: 'db.bad.example.com' }) }),
    'nc-ip-outside': cert('/CN=nc ip', ncInt, key.sub, { subjectKey: key.leaf, extensions: san({ ip: '198.51.100.1' }) }),
    'nc-email-outside': cert('/CN=nc email', ncInt, key.sub, { subjectKey: key.leaf, extensions: san({ email: 'a@example.org' }) }),
    'nc-cn-outside': cert('/CN=db.example.net', ncInt, key.sub, { subjectKey: key.leaf, extensions: san({ email: 'a@example.com' }) }),
    'leaf-bad-signature': leafBy(int, key.int, SERVER, { corruptSignature: true }),
    'int-bad-signature': intLike(CA, { corruptSignature: true }),
    'leaf-weak-key': cert('/CN=scenario leaf', int, key.int, { subjectKey: key.weak, extensions: SERVER }),
    'int-weak-key': weakInt,
    'leaf-by-weak-int': cert('/CN=scenario leaf', weakInt, key.weak, { subjectKey: key.leaf, extensions: SERVER }),
    'leaf-sha1': leafBy(int, key.int, SERVER, { signatureAlgorithm: 'sha1WithRSAEncryption' }),
    // RSA over SHA-3 (id-rsassa-pkcs1-v1_5-with-sha3-*, 2.16.840.1.101.3.4.3.13-16) and PSS over it
    'leaf-sha3-256': leafBy(int, key.int, SERVER, {
      signatureAlgorithm: {
        oid: '2.16.840.1.101.3.4.3.14',
        params: 'null',
        sign: { kind: 'rsa-pkcs1', oid: '2.16.840.1.101.3.4.3.14', hash: 'sha3-256' },
      },
    }),
    'leaf-sha3-224': leafBy(int, key.int, SERVER, {
      signatureAlgorithm: {
        oid: '2.16.840.1.101.3.4.3.13',
        params: 'null',
        sign: { kind: 'rsa-pkcs1', oid: '2.16.840.1.101.3.4.3.13', hash: 'sha3-224' },
      },
    }),
    'leaf-pss-sha3-384': leafBy(int, key.int, SERVER, {
      signatureAlgorithm: { pss: { hash: 'sha3-384', mgfHash: 'sha3-384', saltLength: 48 } },
    }),
    'leaf-critical-unknown': leafBy(int, key.int, [
      ...SERVER,
      { type: 'raw', oid: '1.2.3.4.5.6', value: Uint8Array.of(5, 0), critical: true },
    ]),
    'policy-int': policyInt,
    'require-int': requireInt,
    'leaf-policy': leafBy(int, key.int, [...SERVER, { type: 'certificatePolicies', policies: ['1.2.3.4'] }]),
    'leaf-other-policy': leafBy(int, key.int, [...SERVER, { type: 'certificatePolicies', policies: ['1.2.3.5'] }]),
    'int-crl': crl({ revoked: [{ serial: revokedSerial, date: new Date(T.getTime() - 20 * DAY) }] }),
    'int-crl-expired': crl({ thisUpdate: new Date(T.getTime() - 100 * DAY), nextUpdate: new Date(T.getTime() - 50 * DAY) }),
    'int-crl-future': crl({ thisUpdate: new Date(T.getTime() + 5 * DAY), nextUpdate: new Date(T.getTime() + 50 * DAY) }),
    'int-crl-bad-signature': crl({ corruptSignature: true }),
    'root-crl': makeCrl({
      issuerCert: root,
      issuerKey: key.root,
      thisUpdate: new Date(T.getTime() - 10 * DAY),
      nextUpdate: new Date(T.getTime() + 10 * DAY),
    }),
  };
}

/** What a scenario asks for, in `openssl verify`'s terms. */
interface Opts {
  purpose?: Purpose;
  /** -crl_check (leaf) or -crl_check_all (all) */
  crl?: 'leaf' | 'all';
  /** -auth_level; default none (openssl verify's default, no security level check) */
  level?: number;
  partial?: boolean;
  host?: string;
  ip?: string;
  email?: string;
  strict?: boolean;
  /** -policy_check, -explicit_policy, -policy OID */
  policyCheck?: boolean;
  explicitPolicy?: boolean;
  policy?: string;
  depth?: number;
  ignoreCritical?: boolean;
}

/** [what it proves, 'trusted | untrusted | leaf' (comma-separated names, CRLs after a second |), options, the errors openssl verify prints] */
type Scenario = [name: string, files: string, opts: Opts, expected: string[]];

const E = {
  expired: 'certificate has expired',
  notYet: 'certificate is not yet valid',
  localIssuer: 'unable to get local issuer certificate',
  issuer: 'unable to get issuer certificate',
  selfSigned: 'self-signed certificate',
  selfSignedInChain: 'self-signed certificate in certificate chain',
  invalidCa: 'invalid CA certificate',
  pathLength: 'path length constraint exceeded',
  purpose: 'unsuitable certificate purpose',
  noCertSign: 'key usage does not include certificate signing',
  permitted: 'permitted subtree violation',
  excluded: 'excluded subtree violation',
  revoked: 'certificate revoked',
  noCrl: 'unable to get certificate CRL',
  crlExpired: 'CRL has expired',
  crlNotYet: 'CRL is not yet valid',
  crlSignature: 'CRL signature failure',
  signature: 'certificate signature failure',
  eeKey: 'EE certificate key too weak',
  caKey: 'CA certificate key too weak',
  caMd: 'CA signature digest algorithm too weak',
  host: 'hostname mismatch',
  ip: 'IP address mismatch',
  email: 'email address mismatch',
  critical: 'unhandled critical extension',
  policy: 'no explicit policy',
  tooLong: 'certificate chain too long',
};

// biome-ignore format: one scenario a line
const SCENARIOS: Scenario[] = [
  ['a valid chain', 'root | int | leaf', {}, []],
  ['a leaf issued by the root directly', 'root | | leaf-by-root', {}, []],
  ['expired leaf', 'root | int | leaf-expired', {}, [`10@0 ${E.expired}`]],
  ['expired intermediate', 'root | int-expired | leaf', {}, [`10@1 ${E.expired}`]],
  ['expired root', 'root-expired | int | leaf', {}, [`10@2 ${E.expired}`]],
  ['leaf not yet valid', 'root | int | leaf-future', {}, [`9@0 ${E.notYet}`]],
  ['intermediate not yet valid', 'root | int-future | leaf', {}, [`9@1 ${E.notYet}`]],
  ['root not yet valid', 'root-future | int | leaf', {}, [`9@2 ${E.notYet}`]],
  ['missing intermediate: no local issuer for the leaf', 'root | | leaf', {}, [`20@0 ${E.localIssuer}`]],
  ['missing root: the intermediate has no local issuer', 'other-root | int | leaf', {}, [`20@1 ${E.localIssuer}`]],
  ['self-signed leaf not in the trust store', 'root | | self-signed', {}, [`18@0 ${E.selfSigned}`]],
  ['self-signed leaf in the trust store', 'self-signed | | self-signed', {}, []],
  ['untrusted root sent with the chain', 'other-root | int,root | leaf', {}, [`19@2 ${E.selfSignedInChain}`]],
  ['issuer with CA:FALSE', 'root | int-ca-false | leaf', {}, [`79@1 ${E.invalidCa}`]],
  ['issuer without basicConstraints', 'root | int-no-bc | leaf', {}, [`79@1 ${E.invalidCa}`]],
  ['issuer keyUsage without keyCertSign', 'root | int-no-certsign | leaf', {}, [`79@1 ${E.invalidCa}`, `32@1 ${E.noCertSign}`]],
  ['pathLen 0 with a leaf right below: allowed', 'root | path-len-0 | leaf-by-path-len-0', {}, []],
  ['pathLen 0 with another CA below', 'root | path-len-0,under-path-len-0 | leaf-under-sub', {}, [`25@2 ${E.pathLength}`]],
  ['serverAuth leaf for sslserver', 'root | int | leaf', { purpose: 'sslserver' }, []],
  ['serverAuth leaf for sslclient', 'root | int | leaf', { purpose: 'sslclient' }, [`26@0 ${E.purpose}`]],
  ['clientAuth leaf for sslclient', 'root | int | leaf-client', { purpose: 'sslclient' }, []],
  ['clientAuth leaf for sslserver', 'root | int | leaf-client', { purpose: 'sslserver' }, [`26@0 ${E.purpose}`]],
  ['leaf without EKU for sslserver', 'root | int | leaf-no-eku', { purpose: 'sslserver' }, []],
  ['leaf keyUsage keyEncipherment only, for sslclient', 'root | int | leaf-key-encipherment', { purpose: 'sslclient' }, [`26@0 ${E.purpose}`]],
  ['intermediate limited to clientAuth, for sslserver', 'root | int-client-only | leaf', { purpose: 'sslserver' }, [`26@1 ${E.purpose}`]],
  ['name constraints: DNS, IP and email inside', 'root | nc-int | nc-ok', {}, []],
  ['name constraints: DNS outside the permitted subtree', 'root | nc-int | nc-dns-outside', {}, [`47@0 ${E.permitted}`]],
  ['name constraints: DNS in the excluded subtree', 'root | nc-int | nc-dns-excluded', {}, [`48@0 ${E.excluded}`]],
  ['name constraints: IP outside the permitted range', 'root | nc-int | nc-ip-outside', {}, [`47@0 ${E.permitted}`]],
  ['name constraints: email outside the permitted domain', 'root | nc-int | nc-email-outside', {}, [`47@0 ${E.permitted}`]],
  ['name constraints: a SAN-less DNS-like CN is checked too', 'root | nc-int | nc-cn-outside', {}, [`47@0 ${E.permitted}`]],
  ['CRL: leaf not revoked', 'root | int | leaf | int-crl', { crl: 'leaf' }, []],
  ['CRL: leaf revoked', 'root | int | revoked | int-crl', { crl: 'leaf' }, [`23@0 ${E.revoked}`]],
  ['CRL: none for the leaf', 'root | int | leaf', { crl: 'leaf' }, [`3@0 ${E.noCrl}`]],
  ['CRL: expired', 'root | int | leaf | int-crl-expired', { crl: 'leaf' }, [`12@0 ${E.crlExpired}`]],
  ['CRL: not yet valid', 'root | int | leaf | int-crl-future', { crl: 'leaf' }, [`11@0 ${E.crlNotYet}`]],
  ['CRL: bad signature', 'root | int | leaf | int-crl-bad-signature', { crl: 'leaf' }, [`8@0 ${E.crlSignature}`]],
  ['CRL check all: no CRL from the root', 'root | int | leaf | int-crl', { crl: 'all' }, [`3@1 ${E.noCrl}`]],
  ['CRL check all: every CRL there, the root needs its own', 'root | int | leaf | int-crl,root-crl', { crl: 'all' }, []],
  ['CRL check all: revoked leaf', 'root | int | revoked | int-crl,root-crl', { crl: 'all' }, [`23@0 ${E.revoked}`]],
  ['policy check: no policy anywhere is fine', 'root | int | leaf', { policyCheck: true }, []],
  ['explicit policy required, none in the chain', 'root | int | leaf', { explicitPolicy: true }, [`43@0 ${E.policy}`]],
  ['explicit policy: the leaf asserts it, the intermediate does not', 'root | int | leaf-policy', { explicitPolicy: true }, [`43@0 ${E.policy}`]],
  ['explicit policy met through the whole chain', 'root | policy-int | leaf-policy', { explicitPolicy: true, policy: '1.2.3.4' }, []],
  ['explicit policy: a different policy in the leaf', 'root | policy-int | leaf-other-policy', { explicitPolicy: true }, [`43@0 ${E.policy}`]],
  ['policyConstraints requireExplicitPolicy 0 in the intermediate', 'root | require-int | leaf', { policyCheck: true }, [`43@0 ${E.policy}`]],
  ['leaf signature does not verify', 'root | int | leaf-bad-signature', {}, [`7@0 ${E.signature}`]],
  ['intermediate signature does not verify', 'root | int-bad-signature | leaf', {}, [`7@1 ${E.signature}`]],
  ['RSA 1024 leaf at security level 1', 'root | int | leaf-weak-key', { level: 1 }, []],
  ['RSA 1024 leaf at security level 2', 'root | int | leaf-weak-key', { level: 2 }, [`66@0 ${E.eeKey}`]],
  ['RSA 1024 intermediate at security level 2', 'root | int-weak-key | leaf-by-weak-int', { level: 2 }, [`67@1 ${E.caKey}`]],
  ['SHA-1 signature at security level 0', 'root | int | leaf-sha1', { level: 0 }, []],
  ['SHA-1 signature at security level 1', 'root | int | leaf-sha1', { level: 1 }, [`68@0 ${E.caMd}`]],
  ['RSA with SHA3-256 verifies', 'root | int | leaf-sha3-256', {}, []],
  ['RSA with SHA3-224 passes level 2 (112 bits)', 'root | int | leaf-sha3-224', { level: 2 }, []],
  ['RSA-PSS over SHA3-384 verifies', 'root | int | leaf-pss-sha3-384', {}, []],
  ['intermediate as the only anchor', 'int | | leaf', {}, [`2@1 ${E.issuer}`]],
  ['intermediate as the only anchor, partial chain allowed', 'int | | leaf', { partial: true }, []],
  ['the leaf itself trusted, partial chain allowed', 'leaf | | leaf', { partial: true }, []],
  ['host name in the SAN', 'root | int | leaf', { host: 'db.example.com' }, []],
  ['host name not in the SAN', 'root | int | leaf', { host: 'other.example.com' }, [`62@0 ${E.host}`]],
  ['IP address in the SAN', 'root | int | leaf', { ip: '192.0.2.7' }, []],
  ['IP address not in the SAN', 'root | int | leaf', { ip: '192.0.2.8' }, [`64@0 ${E.ip}`]],
  ['email in the SAN', 'root | int | leaf', { email: 'dba@example.com' }, []],
  ['email not in the SAN', 'root | int | leaf', { email: 'other@example.com' }, [`63@0 ${E.email}`]],
  ['unknown critical extension in the leaf', 'root | int | leaf-critical-unknown', {}, [`34@0 ${E.critical}`]],
  ['unknown critical extension ignored on request', 'root | int | leaf-critical-unknown', { ignoreCritical: true }, []],
  ['verify depth 1 leaves no room for the root', 'root | int | leaf', { depth: 0 }, [`22@1 ${E.tooLong}`]],
  ['expired leaf under a CRL check: the expiry reported, the CRL passes', 'root | int | leaf-expired | int-crl', { crl: 'leaf' }, [`10@0 ${E.expired}`]],
];

/** The scenario's options as verifyChain takes them. */
function verifyOptions(o: Opts): Partial<VerifyOptions> {
  return {
    purpose: o.purpose,
    crlMode: o.crl ?? 'none',
    authLevel: o.level ?? 0,
    partialChain: o.partial,
    hostname: o.host,
    ip: o.ip === undefined ? undefined : (parseIpAsc(o.ip) ?? undefined),
    email: o.email,
    x509Strict: o.strict,
    policyCheck: o.policyCheck || o.explicitPolicy || o.policy !== undefined,
    policy: { initialExplicitPolicy: o.explicitPolicy, initialPolicySet: o.policy === undefined ? undefined : [o.policy] },
    maxDepth: o.depth,
    ignoreCritical: o.ignoreCritical,
  };
}

/** The same options as `openssl verify` arguments. */
function opensslArgs(o: Opts): string[] {
  const a: string[] = [];
  if (o.purpose) a.push('-purpose', o.purpose);
  if (o.crl) a.push(o.crl === 'all' ? '-crl_check_all' : '-crl_check');
  if (o.level !== undefined) a.push('-auth_level', String(o.level));
  if (o.partial) a.push('-partial_chain');
  if (o.host !== undefined) a.push('-verify_hostname', o.host);
  if (o.ip !== undefined) a.push('-verify_ip', o.ip);
  if (o.email !== undefined) a.push('-verify_email', o.email);
  if (o.strict) a.push('-x509_strict');
  if (o.policyCheck) a.push('-policy_check');
  if (o.explicitPolicy) a.push('-explicit_policy');
  if (o.policy !== undefined) a.push('-policy', o.policy);
  if (o.depth !== undefined) a.push('-verify_depth', String(o.depth));
  if (o.ignoreCritical) a.push('-ignore_critical');
  return a;
}

let pki: Record<string, MadeCertificate | MadeCrl> = {};
let dir = '';
const pem = (names: string[]) => names.map((n) => pki[n].pem).join('');
const certsOf = (names: string[]) => names.map((n) => parseCertificates(pki[n].der)[0]);

function parseFiles(files: string): { trusted: string[]; untrusted: string[]; leaf: string; crls: string[] } {
  const [trusted, untrusted, leaf, crls = ''] = files.split('|').map((p) => p.trim());
  const list = (s: string) => s.split(',').filter((x) => x !== '');
  return { trusted: list(trusted), untrusted: list(untrusted), leaf, crls: list(crls) };
}

function ours(files: string, o: Opts): string[] {
  const f = parseFiles(files);
  const r = verifyChain({
    leaf: certsOf([f.leaf])[0],
    trusted: certsOf(f.trusted),
    untrusted: f.untrusted.length ? certsOf(f.untrusted) : undefined,
    crls: f.crls.flatMap((n) => parseCrls(pki[n].der)),
    time: T,
    ...verifyOptions(o),
  });
  const errors = r.errors.filter((e) => !e.noCallback).map((e) => `${e.code}@${e.depth} ${e.message}`);
  expect(r.ok).toBe(errors.length === 0);
  return errors;
}

function theirs(i: number, name: string, files: string, o: Opts): string[] {
  const f = parseFiles(files);
  const at = (name: string) => join(dir, `${i}-${name}.pem`);
  writeFileSync(at('trusted'), pem(f.trusted));
  writeFileSync(at('leaf'), pki[f.leaf].pem);
  const args = ['verify', '-attime', String(T.getTime() / 1000), '-no-CApath', '-no-CAstore', '-CAfile', at('trusted')];
  if (f.untrusted.length) {
    writeFileSync(at('untrusted'), pem(f.untrusted));
    args.push('-untrusted', at('untrusted'));
  }
  if (f.crls.length) {
    writeFileSync(at('crls'), pem(f.crls));
    args.push('-CRLfile', at('crls'));
  }
  const r = goldens.call(
    `scenario ${name}`,
    () => {
      const { status, stdout, stderr } = spawnSync('openssl', [...args, ...opensslArgs(o), at('leaf')], { encoding: 'utf8' });
      return { status, stdout, stderr };
    },
    placeholders([[dir, 'tmp']]),
  );
  const errors = [...(r.stdout + r.stderr).matchAll(/^error (\d+) at (\d+) depth lookup: (.*)$/gm)].map((m) => `${m[1]}@${m[2]} ${m[3]}`);
  // openssl verify's verdict agrees with its error lines
  expect({ status: r.status, ok: /: OK$/m.test(r.stdout) }).toEqual({ status: errors.length ? 2 : 0, ok: errors.length === 0 });
  return errors;
}

describe('path scenarios: verifyChain = openssl verify 3.0', () => {
  beforeAll(() => {
    pki = makePki();
    dir = mkdtempSync(join(tmpdir(), 'pgtls-path-scenarios-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has a few dozen scenarios with distinct names', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(SCENARIOS.map((s) => s[0])).size).toBe(SCENARIOS.length);
  });

  it.each(SCENARIOS.map((s, i) => [i, ...s] as const))('%i %s', (i, name, files, o, expected) => {
    // both at once, so that a failure shows what each printed
    const got = { verifyChain: ours(files, o), opensslVerify: goldens.skip ? expected : theirs(i, name, files, o) };
    expect(got).toEqual({ verifyChain: expected, opensslVerify: expected });
  });
});
