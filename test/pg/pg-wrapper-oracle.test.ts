// Debian's psql is pg_wrapper, which exports PGHOST=/var/run/postgresql when psql gets no -h;
// /usr/lib/postgresql/15/bin/psql run directly does not. For a connection string with a
// hostaddr and no host the two differ: libpq's host is the socket directory or nothing, which
// is the TLS server name it sends and the name verify-full checks. simulate({ pgVersion: 15, pgWrapper })
// models both; here the real binaries decide: the server name is read off the ClientHello by
// a node:tls server that answers the SSLRequest, and verify-full runs against real
// PostgreSQL 15. Skipped without the binaries (and the PostgreSQL part without the server).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket, createSecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, privateKeyPem } from '../../src/factory/index.js';
import { memFs } from '../../src/pg/fs.js';
import { nodeFs } from '../../src/pg/fs-node.js';
import { simulate } from '../../src/pg/simulate.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { PgOracle, pgOracleUnavailable } from '../support/pg-oracle.js';
import { psqlAsGiven } from '../support/psql-as-given.js';

const DIRECT = '/usr/lib/postgresql/15/bin/psql';
const WRAPPER = spawnSync('sh', ['-c', 'command -v psql'], { encoding: 'utf8' }).stdout.trim();
const isWrapper = WRAPPER !== '' && existsSync(WRAPPER) && readFileSync(WRAPPER, 'utf8').slice(0, 200).includes('perl');
const noBinaries = !isWrapper || !existsSync(DIRECT) ? `needs Debian's pg_wrapper psql and ${DIRECT}` : '';
if (noBinaries) console.warn(`pg-wrapper-oracle: skipped, ${noBinaries}`);

const key = parsePrivateKey(readFileSync(join(import.meta.dirname, '../../vectors/keys/p256-6.pem')));
const cert = makeCertificate({
  subject: '/CN=db.test',
  selfSigned: true,
  issuerKey: key,
  extensions: [{ type: 'subjectAltName', names: [{ dns: 'db.test' }] }],
});
const BINARIES = [
  ['pg_wrapper', () => WRAPPER, true],
  ['psql run directly', () => DIRECT, false],
] as const;

/** The server name in a ClientHello psql sends to a TLS server that answers its SSLRequest with 'S'. */
async function sniOf(psql: string, conninfo: (port: number) => string): Promise<string | null> {
  const ctx = createSecureContext({ key: privateKeyPem(key, 'pkcs8'), cert: cert.pem });
  let seen: string | null = null;
  const server: Server = createServer((sock) => {
    sock.once('data', () => {
      sock.write('S');
      const t = new TLSSocket(sock, { isServer: true, secureContext: ctx, SNICallback: (_name, cb) => cb(null, ctx) });
      t.on('secure', () => {
        const name = (t as TLSSocket & { servername?: string | false }).servername; // set by SNI, missing from @types/node
        seen = typeof name === 'string' ? name : null;
        t.destroy();
      });
      t.on('error', () => undefined);
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((res) => {
    const p = spawn(psql, ['-X', '-w', '-d', conninfo(port), '-c', 'select 1'], {
      stdio: 'ignore',
      env: { PATH: process.env.PATH, HOME: '/nonexistent' },
    });
    p.on('exit', () => res());
  });
  await new Promise<void>((res) => server.close(() => res()));
  return seen;
}

describe.skipIf(!!noBinaries)('pg_wrapper or not: the TLS server name of a hostaddr-only connection', () => {
  const fs = memFs(
    {
      '/data/postgresql.conf': { content: "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n", uid: 101 },
      '/data/pg_hba.conf': { content: 'hostssl all all 127.0.0.1/32 trust\n', uid: 101 },
      '/data/server.crt': { content: cert.pem, uid: 101 },
      '/data/server.key': { content: privateKeyPem(key, 'pkcs8'), uid: 101, mode: 0o600 },
    },
    { uid: 101, gid: 104 },
  );
  const simSni = (conninfo: string, pgWrapper: boolean) => {
    const r = simulate({ pgVersion: 15, fs, pgdata: '/data', conninfo, env: { HOME: '/nonexistent' }, osUser: 'app', pgWrapper });
    const hello = r.tlsTrace.find((e) => e.message === 'ClientHello');
    const name = (hello?.fields as { server_name?: string } | undefined)?.server_name;
    expect(name).toBeDefined();
    return name === '(none)' ? null : name!; // the trace says (none) for a ClientHello without one
  };

  it.each(BINARIES)('%s', async (_name, bin, pgWrapper) => {
    for (const rest of [
      'user=app dbname=app sslmode=require',
      'user=app dbname=app sslmode=require host=db.test',
      'user=app dbname=app sslmode=require sslsni=0',
    ]) {
      const real = await sniOf(bin(), (port) => `hostaddr=127.0.0.1 port=${port} ${rest}`);
      expect({ rest, sni: simSni(`hostaddr=127.0.0.1 ${rest}`, pgWrapper) }).toEqual({ rest, sni: real });
    }
  });
});

const noServer = noBinaries || pgOracleUnavailable();
describe.skipIf(!!noServer)('pg_wrapper or not: verify-full with hostaddr alone, against PostgreSQL 15', () => {
  let o: PgOracle;
  let dir = '';
  beforeAll(async () => {
    o = await PgOracle.create({ users: ['app'], databases: ['app'] });
    dir = mkdtempSync(join(tmpdir(), 'pgtls-wrapper-'));
    writeFileSync(join(dir, 'root.crt'), cert.pem);
    const st = o.apply({
      files: { 'server.crt': { content: cert.pem }, 'server.key': { content: privateKeyPem(key, 'pkcs8') } },
      sslConf: "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
      hba: 'hostssl all all 127.0.0.1/32 trust\n',
    });
    if (!st.started) throw new Error('postgres did not start');
  }, 60_000);
  afterAll(() => {
    o?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(BINARIES)('%s', async (_name, bin, pgWrapper) => {
    for (const rest of ['sslmode=verify-full', 'sslmode=verify-full host=db.test', 'sslmode=verify-ca']) {
      const conninfo = `hostaddr=127.0.0.1 port=${o.port} user=app dbname=app sslrootcert=${dir}/root.crt ${rest}`;
      const real = await psqlAsGiven(o, conninfo, { psql: bin() });
      const sim = simulate({
        pgVersion: 15,
        fs: nodeFs(),
        pgdata: o.pgdata,
        conninfo,
        env: { HOME: '/nonexistent' },
        osUser: 'root',
        pgWrapper,
      });
      expect({ rest, ok: sim.ok, stderr: sim.psqlStderr }).toEqual({ rest, ok: real.status === 0, stderr: real.stderr.trimEnd() });
    }
  });
});
