// One real PostgreSQL (15 unless a version is given) for a describe block, and the comparison the oracle tests make:
// the same connection string through real psql and through simulate() over the same data
// directory, reduced to verdict, psql's stderr (port normalised) and the server log lines
// a test cares about. A suite that calls useGoldens (golden-suite.ts) first records the real
// runs, or replays them where PostgreSQL is not installed.

import { afterAll, beforeAll } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate, privateKeyPem } from '../../src/factory/index.js';
import { nodeFs } from '../../src/pg/fs-node.js';
import { parsePrivateKey, type PrivateKey } from '../../src/x509/index.js';
import { simulate } from '../../src/pg/simulate.js';
import type { HostsTable } from '../../src/pg/config/hosts.js';
import { PgOracle } from './pg-oracle.js';

export interface Seen {
  ok: boolean;
  stderr: string;
  log: string[];
}

export interface SimVsReal {
  /** the running server (valid inside tests) */
  readonly oracle: PgOracle;
  /** a 0755 temp directory for client files (HOME of the simulated client) */
  readonly dir: string;
  /** `clientAddr`: the address psql connects from as the server sees it; `hosts`: the server's hosts file for simulate() */
  compare(conninfo: string, opts?: { clientAddr?: string; hosts?: HostsTable }): Promise<{ real: Seen; sim: Seen }>;
  /**
   * A server with a P-256 self-signed certificate, `caPem` as ssl_ca_file and `cert` auth;
   * psql (and simulate) connect as alice with the given client certificate and key.
   */
  compareCertAuth(clientPem: string, clientKey: PrivateKey, caPem: string): Promise<{ started: boolean; real: Seen; sim: Seen }>;
}

/** Call inside a describe: starts the server before its tests, stops it after. */
export function useSimVsReal(opts: { logLines: RegExp; users?: string[]; databases?: string[]; version?: number }): SimVsReal {
  let o: PgOracle | undefined;
  let dir = '';
  const serverUser = { uid: 0, gids: [0] };
  beforeAll(async () => {
    o = await PgOracle.create({ users: opts.users ?? ['alice'], databases: opts.databases ?? ['app'], version: opts.version });
    dir = mkdtempSync(join(tmpdir(), 'pgtls-client-'));
    chmodSync(dir, 0o755);
    o.alias(dir, 'client dir');
    Object.assign(serverUser, o.serverIdentity);
  });
  afterAll(() => {
    o?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const norm = (s: string) => s.trim().replace(/port \d+/, 'port N');
  return {
    get oracle() {
      if (!o) throw new Error('the oracle starts in beforeAll');
      return o;
    },
    get dir() {
      return dir;
    },
    async compareCertAuth(clientPem, clientKey, caPem) {
      const serverKey = parsePrivateKey(readFileSync(join(import.meta.dirname, '../../vectors/keys/p256-6.pem')));
      const server = makeCertificate({ subject: '/CN=db.example.com', selfSigned: true, issuerKey: serverKey });
      writeFileSync(join(dir, 'client.crt'), clientPem);
      writeFileSync(join(dir, 'client.key'), privateKeyPem(clientKey, 'pkcs8'));
      chmodSync(join(dir, 'client.key'), 0o600);
      const st = this.oracle.apply({
        files: {
          'server.crt': { content: server.pem },
          'server.key': { content: privateKeyPem(serverKey, 'pkcs8') },
          'ca.crt': { content: caPem },
        },
        sslConf: "ssl=on\nssl_cert_file='server.crt'\nssl_key_file='server.key'\nssl_ca_file='ca.crt'\n",
        hba: 'hostssl all all 127.0.0.1/32 cert\n',
      });
      const r = await this.compare(
        `host=db.example.com user=alice dbname=app sslmode=require sslcert=${join(dir, 'client.crt')} sslkey=${join(dir, 'client.key')}`,
      );
      return { started: st.started, ...r };
    },
    async compare(conninfo, more = {}) {
      const server = this.oracle;
      const real = await server.psql(conninfo);
      const { major, pgWrapper, opensslVersion } = server.install;
      const sim = simulate({
        fs: nodeFs(),
        pgdata: server.pgdata,
        conninfo: `port=${server.port} hostaddr=127.0.0.1 ${conninfo}`,
        env: { HOME: dir },
        osUser: 'root',
        clientUser: { uid: 0, gids: [0] },
        serverUser,
        pgVersion: major,
        pgWrapper,
        opensslVersion,
        clientAddr: more.clientAddr,
        hosts: more.hosts,
      });
      return {
        real: { ok: real.status === 0, stderr: norm(real.stderr), log: real.serverLog.split('\n').filter((l) => opts.logLines.test(l)) },
        sim: { ok: sim.ok, stderr: norm(sim.psqlStderr), log: sim.serverLog.filter((l) => opts.logLines.test(l)) },
      };
    },
  };
}
