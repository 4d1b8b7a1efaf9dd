// A small test PKI shaped like PostgreSQL's src/test/ssl suite (root CA, a server CA and a
// client CA under it, server and client leaves with the suite's names, CRLs), made with our
// factory from the fixed keys in vectors/keys/, so no test generates RSA. Dates are relative
// to `now` so nothing expires; serial numbers are fixed (from each certificate's name in this
// file), because PostgreSQL 16+ logs a refused client certificate's serial and the recorded
// oracle runs (vectors/oracle/) must not change from run to run. Test support only.

import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  makeCertificate,
  makeCrl,
  privateKeyPem,
  type ExtensionSpec,
  type GeneralNameSpec,
  type MadeCertificate,
  type MadeCrl,
  type NameSpec,
} from '../../src/factory/index.js';
import { nameHash, parseCertificate, parsePrivateKey, type PrivateKey } from '../../src/x509/index.js';

const DAY = 86_400_000;
const KEYS = join(import.meta.dirname, '../../vectors/keys');

export function vectorKey(name: string): { key: PrivateKey; pem: string } {
  const pem = readFileSync(join(KEYS, `${name}.pem`), 'utf8');
  return { key: parsePrivateKey(new TextEncoder().encode(pem)), pem };
}

/** A fixed positive serial number for the certificate this file calls `label` (8 octets of its SHA-256). */
export function fixedSerial(label: string): bigint {
  return BigInt(`0x${createHash('sha256').update(label).digest('hex').slice(0, 16)}`) >> 1n;
}

/** PKCS#8 encrypted with AES-256-CBC (what `openssl pkey -aes256` writes), by node:crypto. */
export function encryptedKeyPem(pem: string, passphrase: string): string {
  return createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();
}

const V3_CA: ExtensionSpec[] = [
  { type: 'subjectKeyIdentifier' },
  { type: 'authorityKeyIdentifier' },
  { type: 'basicConstraints', ca: true, critical: true },
];

export interface Leaf {
  cert: MadeCertificate;
  pem: string;
}

export interface TestPki {
  now: Date;
  keys: Record<'root' | 'serverCa' | 'clientCa' | 'server' | 'client' | 'other', { key: PrivateKey; pem: string }>;
  root: MadeCertificate;
  serverCa: MadeCertificate;
  clientCa: MadeCertificate;
  /** server leaves, all with the server key and issued by the server CA unless named otherwise */
  server: Record<
    'cnOnly' | 'altNames' | 'wildcard' | 'ipSan' | 'ipCn' | 'noNames' | 'revoked' | 'expired' | 'notYetValid' | 'selfSigned' | 'sha1',
    MadeCertificate
  >;
  client: Record<'plain' | 'dn' | 'revoked' | 'expired' | 'notYetValid' | 'selfSigned' | 'byRoot', MadeCertificate>;
  crl: Record<'root' | 'serverCa' | 'clientCa' | 'clientCaExpired', MadeCrl>;
  /** `<subject hash>.r0` file names for hashed CRL directories */
  crlHash: Record<'root' | 'serverCa' | 'clientCa', string>;
}

export function makeTestPki(now = new Date()): TestPki {
  const t = (days: number) => new Date(Math.floor(now.getTime() / 1000) * 1000 + days * DAY);
  const keys = {
    root: vectorKey('rsa2048-1'),
    serverCa: vectorKey('rsa2048-2'),
    clientCa: vectorKey('rsa2048-3'),
    server: vectorKey('rsa2048-4'),
    client: vectorKey('rsa2048-5'),
    other: vectorKey('rsa2048-6'),
  };
  const ca = (cn: string, key: PrivateKey, issuer?: MadeCertificate, issuerKey?: PrivateKey) =>
    makeCertificate({
      subject: [{ CN: cn }],
      serial: fixedSerial(cn),
      ...(issuer ? { subjectKey: key, issuerCert: issuer, issuerKey } : { selfSigned: true, issuerKey: key }),
      notBefore: t(-2),
      notAfter: t(3650),
      extensions: V3_CA,
    });
  const root = ca('Test root CA for pgtls', keys.root.key);
  const serverCa = ca('Test CA for pgtls server certs', keys.serverCa.key, root, keys.root.key);
  const clientCa = ca('Test CA for pgtls client certs', keys.clientCa.key, root, keys.root.key);
  const ou = { OU: 'pgtls test suite' };
  const leaf = (
    label: string,
    subject: NameSpec,
    o: {
      sans?: GeneralNameSpec[];
      from?: number;
      to?: number;
      issuer?: MadeCertificate;
      issuerKey?: PrivateKey;
      key?: PrivateKey;
      sigAlg?: string;
    } = {},
  ) =>
    makeCertificate({
      version: o.sans ? 3 : 1,
      serial: fixedSerial(label),
      subject,
      subjectKey: o.key ?? keys.server.key,
      issuerCert: o.issuer ?? serverCa,
      issuerKey: o.issuerKey ?? keys.serverCa.key,
      notBefore: t(o.from ?? -1),
      notAfter: t(o.to ?? 365),
      extensions: o.sans ? [{ type: 'subjectAltName', names: o.sans }] : undefined,
      ...(o.sigAlg ? { signatureAlgorithm: o.sigAlg as never } : {}),
    });
  const CN = 'common-name.pg-ssltest.test';
  const server = {
    cnOnly: leaf('server.cnOnly', [{ CN }, ou]),
    altNames: leaf('server.altNames', [{ CN }, ou], {
      sans: [{ dns: 'dns1.alt-name.pg-ssltest.test' }, { dns: 'dns2.alt-name.pg-ssltest.test' }],
    }),
    wildcard: leaf('server.wildcard', [ou], { sans: [{ dns: 'single.alt-name.pg-ssltest.test' }, { dns: '*.wildcard.pg-ssltest.test' }] }),
    ipSan: leaf('server.ipSan', [ou], { sans: [{ ip: '192.0.2.1' }, { ip: '127.0.0.1' }, { ip: '2001:DB8::1' }] }),
    ipCn: leaf('server.ipCn', [{ CN: '192.0.2.1' }, ou]),
    noNames: leaf('server.noNames', [ou]),
    revoked: leaf('server.revoked', [{ CN }, ou]),
    expired: leaf('server.expired', [{ CN }, ou], { from: -400, to: -30 }),
    notYetValid: leaf('server.notYetValid', [{ CN }, ou], { from: 2, to: 400 }),
    selfSigned: makeCertificate({
      subject: [{ CN }],
      serial: fixedSerial('server.selfSigned'),
      selfSigned: true,
      issuerKey: keys.server.key,
      notBefore: t(-1),
      notAfter: t(365),
      extensions: V3_CA,
    }),
    sha1: leaf('server.sha1', [{ CN }, ou], { sigAlg: 'sha1WithRSAEncryption' }),
  };
  const cl = (label: string, subject: NameSpec, o: { from?: number; to?: number; issuer?: MadeCertificate; issuerKey?: PrivateKey } = {}) =>
    leaf(`client.${label}`, subject, {
      issuer: o.issuer ?? clientCa,
      issuerKey: o.issuerKey ?? keys.clientCa.key,
      key: keys.client.key,
      from: o.from,
      to: o.to,
    });
  const client = {
    plain: cl('plain', [{ CN: 'ssltestuser' }]),
    dn: cl('dn', [{ O: 'PGDG' }, { OU: 'Engineering' }, { OU: 'Testing' }, { CN: 'ssltestuser-dn' }]),
    revoked: cl('revoked', [{ CN: 'ssltestuser' }]),
    expired: cl('expired', [{ CN: 'ssltestuser' }], { from: -400, to: -30 }),
    notYetValid: cl('notYetValid', [{ CN: 'ssltestuser' }], { from: 2, to: 400 }),
    selfSigned: makeCertificate({
      version: 1,
      serial: fixedSerial('client.selfSigned'),
      subject: [{ CN: 'ssltestuser' }],
      selfSigned: true,
      issuerKey: keys.client.key,
      notBefore: t(-1),
      notAfter: t(365),
    }),
    byRoot: cl('byRoot', [{ CN: 'ssltestuser' }], { issuer: root, issuerKey: keys.root.key }),
  };
  const crl = (issuer: MadeCertificate, key: PrivateKey, revoked: MadeCertificate[], from = -1, to = 30) =>
    makeCrl({
      issuerCert: issuer,
      issuerKey: key,
      thisUpdate: t(from),
      nextUpdate: t(to),
      revoked: revoked.map((c) => ({ serial: { raw: c.ref.serial }, date: t(from) })),
    });
  const hash = (c: MadeCertificate) => `${nameHash(parseCertificate(c.der).subject)}.r0`;
  return {
    now,
    keys,
    root,
    serverCa,
    clientCa,
    server,
    client,
    crl: {
      root: crl(root, keys.root.key, []),
      serverCa: crl(serverCa, keys.serverCa.key, [server.revoked]),
      clientCa: crl(clientCa, keys.clientCa.key, [client.revoked]),
      clientCaExpired: crl(clientCa, keys.clientCa.key, [client.revoked], -60, -30),
    },
    crlHash: { root: hash(root), serverCa: hash(serverCa), clientCa: hash(clientCa) },
  };
}

export { privateKeyPem };
