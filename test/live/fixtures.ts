// Shared set-up for the live tests: one small PKI from the factory (vector keys only): a
// root CA, a server leaf for "localhost" (SAN DNS:localhost, IP:127.0.0.1), client
// certificates for alice, bob and a revoked carol, a wrong root, and the root's CRL; plus a
// writer for a data directory (postgresql.conf + pg_hba + certificates) and a client file
// directory with libpq's permissions. Test support only.

import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { startServe, type RunningServe } from '../../src/pg/live/server-node.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate, makeCrl, type ExtensionSpec, type MadeCertificate } from '../../src/factory/index.js';
import { vectorKey } from '../support/pki.js';

const DAY = 86_400_000;
const V3_CA: ExtensionSpec[] = [
  { type: 'subjectKeyIdentifier' },
  { type: 'authorityKeyIdentifier' },
  { type: 'basicConstraints', ca: true, critical: true },
];

export function makeLivePki(now = new Date()) {
  const t = (d: number) => new Date(Math.floor(now.getTime() / 1000) * 1000 + d * DAY);
  const k = {
    root: vectorKey('rsa2048-1'),
    server: vectorKey('rsa2048-4'),
    client: vectorKey('p256-1'),
    wrong: vectorKey('rsa2048-6'),
  };
  const root = makeCertificate({
    subject: [{ CN: 'pgtls live root' }],
    selfSigned: true,
    issuerKey: k.root.key,
    notBefore: t(-2),
    notAfter: t(3650),
    extensions: V3_CA,
  });
  const wrongRoot = makeCertificate({
    subject: [{ CN: 'pgtls other root' }],
    selfSigned: true,
    issuerKey: k.wrong.key,
    notBefore: t(-2),
    notAfter: t(3650),
    extensions: V3_CA,
  });
  const server = makeCertificate({
    subject: [{ CN: 'localhost' }],
    subjectKey: k.server.key,
    issuerCert: root,
    issuerKey: k.root.key,
    notBefore: t(-1),
    notAfter: t(365),
    extensions: [{ type: 'subjectAltName', names: [{ dns: 'localhost' }, { ip: '127.0.0.1' }] }],
  });
  const client = (cn: string): MadeCertificate =>
    makeCertificate({
      version: 1,
      subject: [{ CN: cn }],
      subjectKey: k.client.key,
      issuerCert: root,
      issuerKey: k.root.key,
      notBefore: t(-1),
      notAfter: t(365),
    });
  const alice = client('alice');
  const bob = client('bob');
  const carol = client('carol');
  const crl = makeCrl({
    issuerCert: root,
    issuerKey: k.root.key,
    thisUpdate: t(-1),
    nextUpdate: t(30),
    revoked: [{ serial: { raw: carol.ref.serial }, date: t(-1) }],
  });
  return { keys: k, root, wrongRoot, server, alice, bob, carol, crl };
}
export type LivePki = ReturnType<typeof makeLivePki>;

export const LIVE_HBA = `hostssl app all 127.0.0.1/32 cert
hostssl trustdb all 127.0.0.1/32 trust
host plaindb all 127.0.0.1/32 trust
`;

/** The server side of the PKI as data-directory files (PgOracle.apply's shape). */
export function serverFiles(pki: LivePki) {
  return {
    'server.crt': { content: pki.server.pem },
    'server.key': { content: pki.keys.server.pem, mode: 0o600 },
    'root.crt': { content: pki.root.pem },
    'root.crl': { content: pki.crl.pem },
  };
}
export const SSL_CONF = `ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
ssl_ca_file = 'root.crt'
ssl_crl_file = 'root.crl'
`;

/** A data directory for `pgtls serve` (owned by the current user). */
export function writeServeDataDir(pki: LivePki, hba = LIVE_HBA): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgtls-serve-'));
  writeFileSync(join(dir, 'postgresql.conf'), `log_connections = on\n${SSL_CONF}`);
  writeFileSync(join(dir, 'pg_hba.conf'), hba);
  writeFileSync(join(dir, 'pg_ident.conf'), '');
  for (const [name, f] of Object.entries(serverFiles(pki))) {
    writeFileSync(join(dir, name), f.content);
    chmodSync(join(dir, name), 'mode' in f ? f.mode : 0o644);
  }
  return dir;
}

export interface ClientDir {
  dir: string;
  root: string;
  wrongRoot: string;
  crt: Record<'alice' | 'bob' | 'carol', string>;
  key: string;
}

/** Client files readable by `owner` (root by default; psql runs as root in the tests). */
export function writeClientDir(pki: LivePki, owner?: { uid: number; gid: number }): ClientDir {
  const dir = mkdtempSync(join(tmpdir(), 'pgtls-client-'));
  chmodSync(dir, 0o755);
  const put = (name: string, content: string, mode = 0o644) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    chmodSync(p, mode);
    if (owner) chownSync(p, owner.uid, owner.gid);
    return p;
  };
  mkdirSync(join(dir, 'home'), { recursive: true });
  return {
    dir,
    root: put('root.crt', pki.root.pem),
    wrongRoot: put('wrong-root.crt', pki.wrongRoot.pem),
    crt: { alice: put('alice.crt', pki.alice.pem), bob: put('bob.crt', pki.bob.pem), carol: put('carol.crt', pki.carol.pem) },
    key: put('client.key', pki.keys.client.pem, 0o600),
  };
}

/**
 * Call inside a describe: `pgtls serve` in this process on a free port, with the live PKI's
 * data directory and client files, started before the tests and closed after them.
 */
export function useServe(): { readonly pki: LivePki; readonly pgdata: string; readonly c: ClientDir; readonly serve: RunningServe } {
  const pki = makeLivePki();
  let pgdata = '';
  let c: ClientDir | undefined;
  let serve: RunningServe | undefined;
  beforeAll(async () => {
    pgdata = writeServeDataDir(pki);
    c = writeClientDir(pki);
    const s = await startServe({ pgVersion: 15, pgdata, log: () => undefined });
    if (!s.ok) throw new Error(`serve did not start: ${s.fatal.message}`);
    serve = s.server;
  });
  afterAll(async () => {
    await serve?.close();
    rmSync(pgdata, { recursive: true, force: true });
    if (c) rmSync(c.dir, { recursive: true, force: true });
  });
  return {
    pki,
    get pgdata() {
      return pgdata;
    },
    get c() {
      return c!;
    },
    get serve() {
      return serve!;
    },
  };
}
