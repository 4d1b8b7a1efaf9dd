// `pgtls verify` against the real `openssl verify` (OpenSSL 3.0), byte for byte on stdout,
// stderr and the exit code, over a matrix of options x chains x broken files: every option
// openssl verify 3.0 takes, usage errors (unknown options, missing values, bad numbers, bad
// purposes/policies/names), load errors (missing, directory, DER, empty, garbage, key-only,
// bad base64, truncated files as -CAfile / -untrusted / -CRLfile / -CApath / -CAstore / the
// certificate), and verification outcomes (CRLs, purposes, names, emails, IPs, partial chains,
// strict mode, depth, critical extensions, policies, no_check_time, check_ss_sig). Chains are
// made with the factory from the keys in vectors/keys, with fixed serials and dates and an
// explicit -attime where the case is not about the current time. The only normalisation:
// OpenSSL starts each error-queue line with its thread id, pgtls with a constant.
//
// Recorded (test/support/openssl-goldens.ts): what openssl printed for each case is kept in
// vectors/oracle/verify-differential/openssl-3.0.json, keyed by the case's arguments; without
// openssl (or with PGTLS_REPLAY=1) pgtls is compared with that recording. The chains openssl
// itself signs (DSA, brainpool, secp256k1, prime192v1) are fresh in a live run; a recording
// run keeps them in vectors/oracle/verify-differential/openssl-made/, which replay uses.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate, makeCrl, privateKeyPem, type ExtensionSpec, type MadeCertificate } from '../../src/factory/index.js';
import { nameHash, parseCertificate } from '../../src/x509/index.js';
import type { PrivateKey } from '../../src/x509/types.js';
import { run } from '../../src/cli/verify.js';
import { loadKey } from '../factory/helpers.js';
import { GOLDEN_ROOT, recordingForced } from '../support/golden.js';
import { useOpensslGoldens } from '../support/openssl-goldens.js';

const goldens = useOpensslGoldens('verify-differential');
/** the files openssl signed in the recording run (replay has no openssl to make them) */
const OPENSSL_MADE = join(GOLDEN_ROOT, 'verify-differential', 'openssl-made');
const OPENSSL_MADE_FILES = ['dsaroot.crt', 'bpint.crt', 'k1leaf.crt', 'p192leaf.crt', 'dsaleaf.der', 'dsaleaf-bad.der'];

/** inside every certificate's validity but the expired one's */
const T = new Date('2030-06-15T00:00:00Z');
const AT = String(T.getTime() / 1000);
const DAY = 86_400_000;
const from = new Date('2020-01-01T00:00:00Z');
const to = new Date('2040-01-01T00:00:00Z');

let dir = '';

function write(name: string, data: string | Uint8Array): void {
  writeFileSync(join(dir, name), data);
}

function makePki(): void {
  const k = (n: string): PrivateKey => loadKey(n);
  const rootKey = k('rsa2048-1');
  const intKey = k('rsa2048-2');
  const leafKey = k('p256-1');
  const ca: ExtensionSpec[] = [
    { type: 'basicConstraints', ca: true, critical: true },
    { type: 'keyUsage', usages: ['keyCertSign', 'cRLSign'], critical: true },
    { type: 'subjectKeyIdentifier' },
    { type: 'authorityKeyIdentifier' },
  ];
  const root = makeCertificate({
    subject: [{ CN: 'Diff Root' }],
    selfSigned: true,
    issuerKey: rootKey,
    notBefore: from,
    notAfter: to,
    extensions: ca,
    serial: 1,
  });
  const int = makeCertificate({
    subject: [{ O: 'pgtls' }, { CN: 'Diff Intermediate' }],
    subjectKey: intKey,
    issuerCert: root,
    issuerKey: rootKey,
    notBefore: from,
    notAfter: to,
    serial: 2,
    extensions: [...ca, { type: 'certificatePolicies', policies: ['1.2.3.4'] }],
  });
  const leafExt = (more: ExtensionSpec[] = []): ExtensionSpec[] => [
    { type: 'subjectKeyIdentifier' },
    { type: 'authorityKeyIdentifier' },
    ...more,
  ];
  let serial = 10;
  const leaf = (
    name: string,
    ext: ExtensionSpec[],
    o: {
      key?: PrivateKey;
      issuer?: MadeCertificate;
      issuerKey?: PrivateKey;
      nb?: Date;
      na?: Date;
      corrupt?: boolean;
      subject?: Record<string, string>[];
    } = {},
  ) => {
    const c = makeCertificate({
      subject: o.subject ?? [{ CN: name }],
      subjectKey: o.key ?? leafKey,
      issuerCert: o.issuer ?? int,
      issuerKey: o.issuerKey ?? intKey,
      notBefore: o.nb ?? from,
      notAfter: o.na ?? to,
      serial: serial++,
      extensions: leafExt(ext),
      corruptSignature: o.corrupt,
    });
    write(`${name}.crt`, c.pem);
    return c;
  };
  write('root.crt', root.pem);
  write('root.der', root.der);
  write('int.crt', int.pem);
  write('root+int.crt', root.pem + int.pem);
  const san: ExtensionSpec = {
    type: 'subjectAltName',
    names: [{ dns: 'db.example.com' }, { ip: '192.0.2.7' }, { email: 'dba@Example.com' }],
  };
  leaf('server', [
    san,
    { type: 'extKeyUsage', usages: ['serverAuth'] },
    { type: 'keyUsage', usages: ['digitalSignature'], critical: true },
  ]);
  leaf('client', [{ type: 'extKeyUsage', usages: ['clientAuth'] }]);
  leaf('smime', [
    { type: 'subjectAltName', names: [{ email: 'alice@example.org' }] },
    { type: 'extKeyUsage', usages: ['emailProtection'] },
    { type: 'keyUsage', usages: ['digitalSignature', 'keyEncipherment'] },
  ]);
  leaf('tsa', [
    { type: 'extKeyUsage', usages: ['timeStamping'], critical: true },
    { type: 'keyUsage', usages: ['digitalSignature'] },
  ]);
  leaf('tsa-noncrit', [{ type: 'extKeyUsage', usages: ['timeStamping'] }]);
  leaf('ocsp', [{ type: 'extKeyUsage', usages: ['OCSPSigning'] }]);
  leaf('crlsigner', [{ type: 'keyUsage', usages: ['cRLSign'] }]);
  leaf('nokeyenc', [{ type: 'keyUsage', usages: ['digitalSignature'] }]);
  leaf('subjemail', [], { subject: [{ CN: 'mail' }, { emailAddress: 'Bob@example.net' }] });
  leaf('critical', [{ type: 'raw', oid: '1.2.3.4.5.6', value: Uint8Array.of(5, 0), critical: true }]);
  leaf('policy', [{ type: 'certificatePolicies', policies: ['1.2.3.4'] }]);
  leaf('expired', [], { nb: new Date(T.getTime() - 400 * DAY), na: new Date(T.getTime() - DAY) });
  leaf('future', [], { nb: new Date(T.getTime() + DAY), na: new Date(T.getTime() + 400 * DAY) });
  const revoked = leaf('revoked', []);
  leaf('badsig', [], { corrupt: true });
  leaf('rsaleaf', [], { key: k('rsa2048-3') });
  leaf('ed', [], { key: k('ed25519-1') });
  leaf('byroot', [], { issuer: root, issuerKey: rootKey });
  // a root whose self-signature is broken
  const badRoot = makeCertificate({
    subject: [{ CN: 'Diff Root' }],
    selfSigned: true,
    issuerKey: rootKey,
    notBefore: from,
    notAfter: to,
    extensions: ca,
    serial: 1,
    corruptSignature: true,
  });
  write('badroot.crt', badRoot.pem);
  // CAs OpenSSL accepts only outside X509_STRICT: a v1 root, a root with keyUsage but no basicConstraints
  const v1Root = makeCertificate({
    version: 1,
    subject: [{ CN: 'V1 Root' }],
    selfSigned: true,
    issuerKey: k('rsa2048-5'),
    notBefore: from,
    notAfter: to,
    serial: 20,
  });
  const kuRoot = makeCertificate({
    subject: [{ CN: 'KU Root' }],
    selfSigned: true,
    issuerKey: k('rsa2048-6'),
    notBefore: from,
    notAfter: to,
    serial: 21,
    extensions: [{ type: 'keyUsage', usages: ['keyCertSign'] }, { type: 'subjectKeyIdentifier' }],
  });
  write('v1root.crt', v1Root.pem);
  write('kuroot.crt', kuRoot.pem);
  leaf('byv1', [{ type: 'extKeyUsage', usages: ['serverAuth'] }], { issuer: v1Root, issuerKey: k('rsa2048-5') });
  leaf('byku', [{ type: 'extKeyUsage', usages: ['serverAuth'] }], { issuer: kuRoot, issuerKey: k('rsa2048-6') });
  const self = makeCertificate({
    subject: [{ CN: 'self.example.com' }],
    selfSigned: true,
    issuerKey: k('p256-2'),
    notBefore: from,
    notAfter: to,
    serial: 99,
  });
  write('self.crt', self.pem);
  // CRLs: the intermediate revokes `revoked`; the root revokes nothing
  const revokedSerial = parseCertificate(revoked.der).serial.value;
  const intCrl = makeCrl({
    issuerCert: int,
    issuerKey: intKey,
    thisUpdate: new Date(T.getTime() - 10 * DAY),
    nextUpdate: new Date(T.getTime() + 10 * DAY),
    revoked: [{ serial: revokedSerial, date: new Date(T.getTime() - 20 * DAY) }],
  });
  const rootCrl = makeCrl({
    issuerCert: root,
    issuerKey: rootKey,
    thisUpdate: new Date(T.getTime() - 10 * DAY),
    nextUpdate: new Date(T.getTime() + 10 * DAY),
  });
  const staleCrl = makeCrl({
    issuerCert: int,
    issuerKey: intKey,
    thisUpdate: new Date(T.getTime() - 100 * DAY),
    nextUpdate: new Date(T.getTime() - 50 * DAY),
  });
  write('int.crl', intCrl.pem);
  write('int.crl.der', intCrl.der);
  write('root.crl', rootCrl.pem);
  write('stale.crl', staleCrl.pem);
  write('all.crl', intCrl.pem + rootCrl.pem);
  write('root+crls.crt', root.pem + intCrl.pem + rootCrl.pem);
  // a hashed directory with the root and the CRLs
  mkdirSync(join(dir, 'hashed'));
  const rootHash = nameHash(parseCertificate(root.der).subject);
  const intHash = nameHash(parseCertificate(int.der).subject);
  write(`hashed/${rootHash}.0`, root.pem);
  write(`hashed/${rootHash}.r0`, rootCrl.pem);
  write(`hashed/${intHash}.r0`, intCrl.pem);
  write('hashed/README', 'not a certificate');
  // a directory with the intermediate only, and one with a gap before the root
  mkdirSync(join(dir, 'hashed-int'));
  write(`hashed-int/${intHash}.0`, int.pem);
  mkdirSync(join(dir, 'hashed-gap'));
  write(`hashed-gap/${rootHash}.1`, root.pem);
  symlinkSync('root.crt', join(dir, 'root-link.crt'));
  // an EC hierarchy (P-384 root, P-256 intermediate and leaves) for Suite B and ECDSA signature failures
  const ecRootKey = k('p384-1');
  const ecIntKey = k('p256-3');
  const ecRoot = makeCertificate({
    subject: [{ CN: 'EC Root' }],
    selfSigned: true,
    issuerKey: ecRootKey,
    notBefore: from,
    notAfter: to,
    extensions: ca,
    serial: 3,
    signatureAlgorithm: 'ecdsaWithSHA384',
  });
  const ecInt = makeCertificate({
    subject: [{ CN: 'EC Int' }],
    subjectKey: ecIntKey,
    issuerCert: ecRoot,
    issuerKey: ecRootKey,
    notBefore: from,
    notAfter: to,
    extensions: ca,
    serial: 4,
    signatureAlgorithm: 'ecdsaWithSHA384',
  });
  write('ecroot.crt', ecRoot.pem);
  write('ecint.crt', ecInt.pem);
  leaf('ecleaf', [], { issuer: ecInt, issuerKey: ecIntKey, key: k('p256-4') });
  leaf('ecleaf-bad', [], { issuer: ecInt, issuerKey: ecIntKey, key: k('p256-4'), corrupt: true });
  leaf('ecleaf-rsa', [], { issuer: ecInt, issuerKey: ecIntKey, key: k('rsa2048-4') });
  leaf('ecleaf-384', [], { issuer: ecInt, issuerKey: ecIntKey, key: k('p384-1') });
  // an Ed25519 intermediate under the RSA root
  const edIntKey = k('ed25519-2');
  const edInt = makeCertificate({
    subject: [{ CN: 'Ed Int' }],
    subjectKey: edIntKey,
    issuerCert: root,
    issuerKey: rootKey,
    notBefore: from,
    notAfter: to,
    extensions: ca,
    serial: 5,
  });
  write('edint.crt', edInt.pem);
  leaf('edleaf-bad', [], { issuer: edInt, issuerKey: edIntKey, corrupt: true });
  const badCrl = makeCrl({
    issuerCert: int,
    issuerKey: intKey,
    thisUpdate: new Date(T.getTime() - 10 * DAY),
    nextUpdate: new Date(T.getTime() + 10 * DAY),
    corruptSignature: true,
  });
  write('badsig.crl', badCrl.pem);
  // broken files
  mkdirSync(join(dir, 'emptydir'));
  write('empty', '');
  write('garbage.txt', 'this is not a certificate\n');
  write('key.pem', privateKeyPem(leafKey));
  write('badb64.pem', '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n');
  write('notder.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  const b64 = (b: Uint8Array) =>
    Buffer.from(b)
      .toString('base64')
      .replace(/(.{64})/g, '$1\n');
  write('trunc.pem', `-----BEGIN CERTIFICATE-----\n${b64(root.der.subarray(0, 300))}\n-----END CERTIFICATE-----\n`);
  write('trunc.der', root.der.subarray(0, 300));
  write('foo.pem', '-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n');
  write('bad-then-root.crt', `-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n${root.pem}`);
  write('text-then-int.crt', `Certificate:\n  some text\n${int.pem}`);
}

/**
 * Chains pgtls's factory cannot sign, made by openssl itself: a DSA root, a brainpoolP256r1
 * intermediate, a secp256k1 leaf and a prime192v1 leaf, and a leaf whose DSA signature is broken.
 */
function makeOpensslChains(): void {
  const sh = (cmd: string) => {
    const r = spawnSync('sh', ['-c', cmd], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  };
  write(
    'ca.ext',
    'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  );
  write('leaf.ext', 'basicConstraints=CA:FALSE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  sh(
    'openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:1024 -out dsa.param 2>/dev/null && openssl genpkey -paramfile dsa.param -out dsa.key',
  );
  sh(
    `openssl req -x509 -new -key dsa.key -subj /CN=DSA-Root -sha256 -out dsaroot.crt -days 7000 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign`,
  );
  sh(
    'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP256r1 -out bp.key && openssl req -new -key bp.key -subj /CN=BP-Int -out bp.csr',
  );
  sh(
    `openssl x509 -req -in bp.csr -CA dsaroot.crt -CAkey dsa.key -set_serial 7 -days 5000 -sha256 -extfile ca.ext -out bpint.crt 2>/dev/null`,
  );
  for (const [name, curve] of [
    ['k1leaf', 'secp256k1'],
    ['p192leaf', 'prime192v1'],
  ]) {
    sh(
      `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:${curve} -out ${name}.key && openssl req -new -key ${name}.key -subj /CN=${name} -out ${name}.csr`,
    );
    sh(
      `openssl x509 -req -in ${name}.csr -CA bpint.crt -CAkey bp.key -set_serial 8 -days 4000 -sha256 -extfile leaf.ext -out ${name}.crt 2>/dev/null`,
    );
  }
  sh(
    'openssl req -new -key bp.key -subj /CN=dsaleaf -out dl.csr && openssl x509 -req -in dl.csr -CA dsaroot.crt -CAkey dsa.key -set_serial 9 -days 4000 -sha256 -extfile leaf.ext -outform DER -out dsaleaf.der 2>/dev/null',
  );
  const der = new Uint8Array(readFileSync(join(dir, 'dsaleaf.der')));
  der[der.length - 3] ^= 1;
  write('dsaleaf-bad.der', der);
  if (recordingForced()) {
    rmSync(OPENSSL_MADE, { recursive: true, force: true });
    mkdirSync(OPENSSL_MADE, { recursive: true });
    for (const f of OPENSSL_MADE_FILES) copyFileSync(join(dir, f), join(OPENSSL_MADE, f));
  }
}

/** Replay: the chains openssl made when the book was recorded. */
function copyOpensslChains(): void {
  for (const f of readdirSync(OPENSSL_MADE)) copyFileSync(join(OPENSSL_MADE, f), join(dir, f));
}

const A = ['-attime', AT];
const CHAIN = ['-CAfile', 'root.crt', '-untrusted', 'int.crt'];
/** [arguments, stdin] — every invocation runs with -no-CApath/-no-CAstore unless it is about them, so the machine's store plays no part */
const NOSYS = ['-no-CApath', '-no-CAstore'];
const CASES: string[][] = [
  // plain outcomes
  [...A, ...NOSYS, ...CHAIN, 'server.crt'],
  [...A, ...NOSYS, '-CAfile', 'root+int.crt', 'server.crt'],
  [...A, ...NOSYS, '-CAfile', 'root.crt', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, 'server.crt', 'client.crt', 'expired.crt', 'future.crt', 'badsig.crt', 'rsaleaf.crt', 'ed.crt', 'byroot.crt'],
  [...A, ...NOSYS, ...CHAIN, 'self.crt'],
  [...A, ...NOSYS, '-CAfile', 'self.crt', 'self.crt'],
  [...NOSYS, ...CHAIN, 'server.crt'],
  [...NOSYS, ...CHAIN, 'expired.crt'],
  // -show_chain, -verbose, -trusted, -partial_chain
  [...A, ...NOSYS, '-show_chain', ...CHAIN, 'server.crt'],
  [...A, ...NOSYS, '-show_chain', '-CAfile', 'root+int.crt', 'server.crt'],
  [...A, ...NOSYS, '-show_chain', '-CAfile', 'self.crt', 'self.crt'],
  [...A, ...NOSYS, '-verbose', ...CHAIN, 'server.crt', 'badsig.crt'],
  [...A, '-trusted', 'root.crt', '-untrusted', 'int.crt', 'server.crt'],
  [...A, '-trusted', 'root.crt', '-trusted', 'int.crt', '-show_chain', 'server.crt'],
  [...A, '-trusted', 'root.crt', '-CAfile', 'root.crt', 'server.crt'],
  [...A, '-trusted', 'root.crt', '-CApath', 'hashed', 'server.crt'],
  [...A, ...NOSYS, '-CAfile', 'int.crt', 'server.crt'],
  [...A, ...NOSYS, '-partial_chain', '-show_chain', '-CAfile', 'int.crt', 'server.crt'],
  [...A, ...NOSYS, '-partial_chain', '-show_chain', '-CAfile', 'server.crt', 'server.crt'],
  [...A, ...NOSYS, '-partial_chain', '-CAfile', 'int.crt', '-crl_check_all', '-CRLfile', 'int.crl', 'server.crt'],
  // -purpose, all of them, and -verify_name
  ...['sslclient', 'sslserver', 'nssslserver', 'smimesign', 'smimeencrypt', 'crlsign', 'any', 'ocsphelper', 'timestampsign'].map((p) => [
    ...A,
    ...NOSYS,
    ...CHAIN,
    '-purpose',
    p,
    'server.crt',
    'client.crt',
    'smime.crt',
    'tsa.crt',
    'tsa-noncrit.crt',
    'ocsp.crt',
    'crlsigner.crt',
    'nokeyenc.crt',
    'subjemail.crt',
  ]),
  [...A, ...NOSYS, ...CHAIN, '-purpose', 'help', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-purpose', 'SSLserver', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-purpose', 'ssl_server', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_name', 'ssl_client', 'server.crt', 'client.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_name', 'smime_sign', 'smime.crt', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_name', 'default', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_name', 'nope', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-purpose', 'sslserver', '-x509_strict', 'server.crt', 'client.crt'],
  // names, emails, IPs
  [...A, ...NOSYS, ...CHAIN, '-verify_hostname', 'db.example.com', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_hostname', 'other.example.com', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_hostname', '', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_email', 'dba@example.COM', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_email', 'DBA@example.com', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_email', '', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_email', 'bob@EXAMPLE.net', 'subjemail.crt', 'smime.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_ip', '192.0.2.7', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_ip', '192.0.2.8', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_ip', '192.0.2', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_ip', '::1', 'server.crt'],
  // CRLs: files, CA file, hashed directory
  [...A, ...NOSYS, ...CHAIN, '-crl_check', '-CRLfile', 'int.crl', 'server.crt', 'revoked.crt'],
  [...A, ...NOSYS, ...CHAIN, '-crl_check_all', '-CRLfile', 'int.crl', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-crl_check_all', '-CRLfile', 'int.crl', '-CRLfile', 'root.crl', 'server.crt', 'revoked.crt'],
  [...A, ...NOSYS, ...CHAIN, '-crl_check_all', '-CRLfile', 'all.crl', 'revoked.crt'],
  [...A, ...NOSYS, ...CHAIN, '-crl_check', '-CRLfile', 'stale.crl', 'server.crt'],
  [...A, ...NOSYS, '-CAfile', 'root+crls.crt', '-untrusted', 'int.crt', '-crl_check_all', 'revoked.crt', 'server.crt'],
  [
    ...A,
    '-no-CAfile',
    '-no-CAstore',
    '-CApath',
    'hashed',
    '-untrusted',
    'int.crt',
    '-crl_check_all',
    '-show_chain',
    'revoked.crt',
    'server.crt',
  ],
  [...A, '-no-CAfile', '-no-CAstore', '-CApath', 'hashed-gap', '-untrusted', 'int.crt', 'server.crt'],
  [...A, '-no-CAfile', '-no-CAstore', '-CApath', 'hashed-int', '-partial_chain', '-show_chain', 'server.crt'],
  [...A, '-no-CAfile', '-no-CApath', '-CAstore', 'hashed', '-untrusted', 'int.crt', '-show_chain', 'server.crt'],
  [...A, '-no-CAfile', '-no-CApath', '-CAstore', 'root.crt', '-untrusted', 'int.crt', 'server.crt'],
  [...A, '-no-CAfile', '-no-CApath', '-CAstore', 'root-link.crt', '-untrusted', 'int.crt', 'server.crt'],
  [...A, ...NOSYS, '-CAfile', 'root-link.crt', '-untrusted', 'int.crt', 'server.crt'],
  // depth, critical extensions, strictness, time, self-signatures, auth level
  [...A, ...NOSYS, ...CHAIN, '-verify_depth', '0', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_depth', '1', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_depth', '-5', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-verify_depth', '0x1', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, 'critical.crt'],
  [...A, ...NOSYS, ...CHAIN, '-ignore_critical', 'critical.crt'],
  [...A, ...NOSYS, ...CHAIN, '-x509_strict', 'server.crt', 'critical.crt', 'byroot.crt'],
  [...NOSYS, ...CHAIN, '-no_check_time', 'expired.crt', 'future.crt'],
  [...A, ...NOSYS, ...CHAIN, '-no_check_time', 'expired.crt'],
  [...A, ...NOSYS, ...CHAIN, '-attime', '0', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-attime', '-5', 'server.crt'],
  [...A, ...NOSYS, '-CAfile', 'badroot.crt', '-untrusted', 'int.crt', 'server.crt'],
  [...A, ...NOSYS, '-CAfile', 'badroot.crt', '-untrusted', 'int.crt', '-check_ss_sig', 'server.crt'],
  [...A, ...NOSYS, '-CAfile', 'root.crt', '-untrusted', 'int.crt', '-check_ss_sig', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-auth_level', '2', 'server.crt', 'rsaleaf.crt'],
  [...A, ...NOSYS, ...CHAIN, '-auth_level', '4', 'server.crt'],
  // policies
  [...A, ...NOSYS, ...CHAIN, '-policy_check', 'policy.crt', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-explicit_policy', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-policy', '1.2.3.4', '-explicit_policy', 'policy.crt'],
  [...A, ...NOSYS, ...CHAIN, '-policy', 'nope', 'policy.crt'],
  // v1 and keyUsage-only CAs, with and without a purpose and X509_STRICT
  ...[
    [],
    ['-purpose', 'sslserver'],
    ['-x509_strict'],
    ['-x509_strict', '-purpose', 'sslserver'],
    ['-purpose', 'smimesign'],
    ['-purpose', 'crlsign'],
    ['-purpose', 'timestampsign', '-x509_strict'],
  ].map((o) => [...A, ...NOSYS, '-CAfile', 'v1root.crt', '-CAfile', 'kuroot.crt', ...o, 'byku.crt']),
  ...[[], ['-purpose', 'sslserver'], ['-x509_strict', '-purpose', 'sslserver'], ['-purpose', 'ocsphelper', '-x509_strict']].map((o) => [
    ...A,
    ...NOSYS,
    '-CAfile',
    'v1root.crt',
    ...o,
    'byv1.crt',
  ]),
  [...A, ...NOSYS, '-CAfile', 'root.crt', '-untrusted', 'int.crt', '-crl_check', '-CRLfile', 'int.crl.der', 'revoked.crt'],
  // Suite B
  ...['-suiteB_128_only', '-suiteB_128', '-suiteB_192'].map((f) => [
    ...A,
    ...NOSYS,
    '-CAfile',
    'ecroot.crt',
    '-untrusted',
    'ecint.crt',
    f,
    'ecleaf.crt',
    'ecleaf-rsa.crt',
    'ecleaf-384.crt',
  ]),
  [...A, ...NOSYS, ...CHAIN, '-suiteB_128', 'server.crt'],
  [...A, ...NOSYS, '-CAfile', 'ecroot.crt', '-untrusted', 'ecint.crt', '-suiteB_128_only', '-suiteB_192', 'ecleaf.crt'],
  // signature failures with each issuer key type
  [...A, ...NOSYS, '-CAfile', 'ecroot.crt', '-untrusted', 'ecint.crt', 'ecleaf-bad.crt', 'ecleaf.crt'],
  [...A, ...NOSYS, '-CAfile', 'root.crt', '-untrusted', 'edint.crt', 'edleaf-bad.crt'],
  [...A, ...NOSYS, ...CHAIN, '-crl_check', '-CRLfile', 'badsig.crl', 'server.crt'],
  [...A, ...NOSYS, '-verbose', ...CHAIN, '-crl_check', '-CRLfile', 'badsig.crl', 'server.crt'],
  [...A, ...NOSYS, '-CAfile', 'ecroot.crt', '-untrusted', 'ecint.crt', '-verbose', 'ecleaf-bad.crt'],
  // the machine's default store (SSL_CERT_FILE / SSL_CERT_DIR) in play
  [...A, ...CHAIN, 'server.crt'],
  [...A, 'server.crt'],
  [...A, '-no-CAfile', 'server.crt'],
  [...A, '-CApath', '/etc/ssl/certs', '-untrusted', 'int.crt', 'server.crt'],
  // DSA, brainpool, secp256k1 and prime192v1 signatures (made by openssl)
  [
    ...NOSYS,
    '-CAfile',
    'dsaroot.crt',
    '-untrusted',
    'bpint.crt',
    '-show_chain',
    'k1leaf.crt',
    'p192leaf.crt',
    'dsaleaf.der',
    'dsaleaf-bad.der',
  ],
  [...NOSYS, '-CAfile', 'dsaroot.crt', '-untrusted', 'bpint.crt', '-check_ss_sig', '-suiteB_128', 'k1leaf.crt'],
  [...NOSYS, '-CAfile', 'dsaroot.crt', '-untrusted', 'bpint.crt', '-auth_level', '1', 'k1leaf.crt', 'p192leaf.crt'],
  [...NOSYS, '-CAfile', 'dsaroot.crt', '-untrusted', 'k1leaf.crt', 'bpint.crt'],
  // options that change nothing for these chains
  [
    ...A,
    ...NOSYS,
    ...CHAIN,
    '-issuer_checks',
    '-trusted_first',
    '-no_alt_chains',
    '-allow_proxy_certs',
    '-extended_crl',
    '-use_deltas',
    '-crl_download',
    '-inhibit_any',
    '-inhibit_map',
    'server.crt',
  ],
  [...A, ...NOSYS, ...CHAIN, '-provider', 'default', '-provider', 'legacy', '-propquery', 'provider=default', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-nameopt', 'RFC2253', '-show_chain', 'server.crt', 'expired.crt'],
  [...A, ...NOSYS, ...CHAIN, '--show_chain', `-attime=${AT}`, 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '--', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, 'server.crt', '-show_chain'],
  [...A, ...NOSYS, ...CHAIN, '-vfyopt', 'a:b', 'server.crt'],
  // usage errors (exit 1)
  ['-bogus', 'server.crt'],
  ['-', 'server.crt'],
  ['-CAfile'],
  ['-show_chain=yes', 'server.crt'],
  ['-verify_depth', 'abc', 'server.crt'],
  ['-verify_depth', '1.5', 'server.crt'],
  ['-verify_depth', '0x', 'server.crt'],
  ['-verify_depth', '09', 'server.crt'],
  ['-verify_depth', '99999999999', 'server.crt'],
  ['-auth_level', 'x', 'server.crt'],
  ['-attime', 'x', 'server.crt'],
  ['-attime', '99999999999999999999', 'server.crt'],
  ['-nameopt', 'nope', 'server.crt'],
  ['-engine', 'nope', 'server.crt'],
  ['-provider', 'nope', 'server.crt'],
  ['-CApath', 'nope', 'server.crt'],
  ['-CApath', 'root.crt', 'server.crt'],
  // load errors
  ['-CAfile', 'nope', 'server.crt'],
  ['-CAfile', 'emptydir', 'server.crt'],
  ['-CAfile', 'root.der', 'server.crt'],
  ['-CAfile', 'empty', 'server.crt'],
  ['-CAfile', 'garbage.txt', 'server.crt'],
  ['-CAfile', 'key.pem', 'server.crt'],
  ['-CAfile', 'badb64.pem', 'server.crt'],
  ['-CAfile', 'notder.pem', 'server.crt'],
  ['-CAfile', 'trunc.pem', 'server.crt'],
  ['-CAfile', 'bad-then-root.crt', 'server.crt'],
  ['-untrusted', 'nope', 'server.crt'],
  ['-untrusted', 'emptydir', 'server.crt'],
  ['-untrusted', 'empty', 'server.crt'],
  ['-untrusted', 'key.pem', 'server.crt'],
  ['-untrusted', 'badb64.pem', 'server.crt'],
  ['-untrusted', 'root.crl', 'server.crt'],
  ['-untrusted', 'nope', '-bogus', 'server.crt'],
  ['-trusted', 'nope', 'server.crt'],
  ['-CRLfile', 'nope', 'server.crt'],
  ['-CRLfile', 'emptydir', 'server.crt'],
  ['-CRLfile', 'server.crt', 'server.crt'],
  ['-CRLfile', 'key.pem', 'server.crt'],
  ['-CAstore', 'nope', 'server.crt'],
  [...A, ...NOSYS, '-CAfile', 'bad-then-root.crt', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, 'nope.crt', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, 'emptydir'],
  [...A, ...NOSYS, ...CHAIN, 'empty', 'garbage.txt', 'key.pem', 'badb64.pem', 'notder.pem', 'trunc.der', 'foo.pem', 'root.crl'],
  [...A, ...NOSYS, '-CAfile', 'root.crt', '-untrusted', 'text-then-int.crt', 'server.crt'],
  [...A, ...NOSYS, '-CAfile', 'root.crt', '-untrusted', 'bad-then-root.crt', 'int.crt'],
  [...A, ...NOSYS, '-CAfile', 'root.crt', 'root.der', 'bad-then-root.crt'],
];
/** stdin cases: [arguments, file fed to stdin] */
const STDIN_CASES: [string[], string][] = [
  [[...A, ...NOSYS, ...CHAIN], 'server.crt'],
  [[...A, ...NOSYS, ...CHAIN], 'garbage.txt'],
];

const norm = (t: string) => t.replace(/^[0-9A-F]+:error:/gm, 'X:error:');

/** openssl verify in a live run (recorded under the case's name), its recording in replay */
function openssl(args: string[], stdin?: string) {
  return goldens.call(`verify ${args.join(' ')}${stdin ? ` < ${stdin}` : ''}`, () => realOpenssl(args, stdin));
}

function realOpenssl(args: string[], stdin?: string) {
  const r = spawnSync('sh', ['-c', `exec openssl verify "$@"${stdin ? ` < '${stdin}'` : ''}`, 'sh', ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: norm(r.stderr) };
}

async function pgtls(args: string[], stdin?: string) {
  let out = '';
  let err = '';
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const code = await run(args, {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
      stdin: () => new Uint8Array(readFileSync(join(dir, stdin!))),
      env: process.env,
    });
    return { code, out, err: norm(err) };
  } finally {
    process.chdir(cwd);
  }
}

describe.skipIf(goldens.skip)('pgtls verify = openssl verify (stdout, stderr, exit code)', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgtls-verify-diff-'));
    makePki();
    if (goldens.live) makeOpensslChains();
    else copyOpensslChains();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // a case on the machine's own store replays only where that store exists as it did
  const machineStore = (c: string[]) => c.includes('/etc/ssl/certs') && !goldens.live && !existsSync('/etc/ssl/certs');
  for (const c of CASES.filter(machineStore)) console.warn(`verify-differential: skipped (replay without /etc/ssl/certs): ${c.join(' ')}`);
  it.each(CASES.filter((c) => !machineStore(c)).map((c) => [c.join(' '), c]))('%s', async (_name, args) => {
    const theirs = openssl(args as string[]);
    const mine = await pgtls(args as string[]);
    expect(mine).toEqual(theirs);
  });

  it.each(STDIN_CASES.map(([a, f]) => [`${a.join(' ')} < ${f}`, a, f]))('%s', async (_name, args, file) => {
    const theirs = openssl(args as string[], file as string);
    const mine = await pgtls(args as string[], file as string);
    expect(mine).toEqual(theirs);
  });

  it('-help prints the summary on stderr and exits 0, as openssl does', async () => {
    const theirs = openssl(['-help']);
    const mine = await pgtls(['-help']);
    expect(mine.code).toBe(0);
    expect(theirs.code).toBe(0);
    expect(mine.out).toBe('');
    // the same text, with pgtls's own options added before the purposes
    const pgtlsOnly = /pgtls options:\n(?: .*\n)+\n/;
    expect(mine.err).toMatch(pgtlsOnly);
    expect(mine.err.replace(pgtlsOnly, '')).toBe(theirs.err);
  });
});

/** -policy_print over this file's chains (the tree, its sets and when OpenSSL prints them: test/path/verify-policy-print.test.ts goes further) */
const POLICY_PRINT_CASES: string[][] = [
  [...A, ...NOSYS, ...CHAIN, '-policy_print', '-policy_check', 'policy.crt', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-policy_print', '-policy', '1.2.3.4', 'policy.crt', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-policy_print', '-explicit_policy', 'policy.crt', 'server.crt'],
  [...A, ...NOSYS, ...CHAIN, '-policy_print', '-inhibit_any', '-inhibit_map', '-policy', '1.2.3.4', '-policy', '1.2.3.5', 'policy.crt'],
  [...A, ...NOSYS, ...CHAIN, '-policy_print', '-policy_check', 'expired.crt', 'badsig.crt', 'rsaleaf.crt'],
  [...A, ...NOSYS, ...CHAIN, '-policy_print', 'policy.crt'],
  [...A, ...NOSYS, ...CHAIN, '-nameopt', 'RFC2253', '-explicit_policy', '-policy', '1.2.3.4', 'server.crt', 'policy.crt'],
  [...A, ...NOSYS, '-CAfile', 'self.crt', '-policy_print', '-explicit_policy', 'self.crt'],
];

describe.skipIf(goldens.skip)('pgtls verify -policy_print = openssl verify (stdout, stderr, exit code)', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgtls-verify-policy-'));
    makePki();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(POLICY_PRINT_CASES.map((c) => [c.join(' '), c]))('%s', async (_name, args) => {
    const theirs = openssl(args as string[]);
    const mine = await pgtls(args as string[]);
    expect(mine).toEqual(theirs);
  });
});
