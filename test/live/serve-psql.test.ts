// Real psql against `pgtls serve` (in-process, free port, certificates from the factory):
// what psql prints for success, a wrong root, a revoked client certificate and a cert-auth
// user mismatch, and whether serve logs the lines the simulator predicts for the same data
// directory and connection string. psql runs asynchronously: the server shares this
// process's event loop. Skipped when psql is missing.

import { execFile, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { nodeFs } from '../../src/pg/fs-node.js';
import { startServe } from '../../src/pg/live/server-node.js';
import { runProbe } from '../../src/pg/live/probe-node.js';
import { attemptConnection } from '../../src/pg/live/connect-node.js';
import { simulate } from '../../src/pg/simulate.js';
import { useServe, writeServeDataDir } from './fixtures.js';

const noPsql = spawnSync('psql', ['--version']).status !== 0;
if (noPsql) console.warn('serve-psql: skipped, psql not installed');

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function psql(conninfo: string, home: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'psql',
      ['-X', '-w', '-qAt', '-d', conninfo, '-c', 'select 1'],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home, LANG: 'C', LC_ALL: 'C', PGCONNECT_TIMEOUT: '10' }, timeout: 20_000 },
      (e, stdout, stderr) => resolve({ status: e ? Number((e as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(noPsql)('psql against pgtls serve', () => {
  const live = useServe();
  const base = () => `host=localhost hostaddr=127.0.0.1 port=${live.serve.port}`;
  const files = (who: 'alice' | 'bob' | 'carol', root = live.c.root) =>
    `sslrootcert=${root} sslcert=${live.c.crt[who]} sslkey=${live.c.key}`;

  /** psql once; serve's log lines for that connection (client port normalized); the simulator's prediction. */
  async function connect(conninfo: string) {
    const from = live.serve.logLines.length;
    const r = await psql(conninfo, `${live.c.dir}/home`);
    await new Promise((res) => setTimeout(res, 100));
    const log = live.serve.logLines.slice(from).map((l) => l.replace(/port=\d+$/, 'port=<client port>'));
    const sim = simulate({
      pgVersion: 15,
      fs: nodeFs(),
      pgdata: live.pgdata,
      conninfo,
      env: { HOME: `${live.c.dir}/home` },
      clientUser: { uid: process.getuid!(), gids: [process.getgid!()] },
      serverOverrides: { port: String(live.serve.port) },
    });
    return { r, log, sim };
  }

  it('verify-full with the right root and a client certificate: select 1 prints 1', async () => {
    const { r, log, sim } = await connect(`${base()} sslmode=verify-full ${files('alice')} user=alice dbname=app`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1\n');
    expect(r.status).toBe(0);
    expect(sim.ok).toBe(true);
    expect(log).toEqual(sim.connectionLog);
    expect(log.at(-1)).toMatch(
      /^LOG: {2}connection authorized: user=alice database=app application_name=psql SSL enabled \(protocol=TLSv1\.3, cipher=TLS_AES_256_GCM_SHA384, bits=256\)$/,
    );
  });

  it('a wrong root: psql fails with certificate verify failed, serve logs the alert psql sent', async () => {
    const { r, log, sim } = await connect(`${base()} sslmode=verify-full ${files('alice', live.c.wrongRoot)} user=alice dbname=app`);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('SSL error: certificate verify failed');
    expect(r.stderr.trim()).toBe(sim.psqlStderr);
    expect(log).toEqual(sim.connectionLog);
    expect(log).toContain('LOG:  could not accept SSL connection: tlsv1 alert unknown ca');
  });

  it('a revoked client certificate: psql prints the alert serve sent', async () => {
    const { r, log, sim } = await connect(`${base()} sslmode=verify-full ${files('carol')} user=carol dbname=app`);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('SSL error: sslv3 alert certificate revoked');
    expect(r.stderr.trim()).toBe(sim.psqlStderr);
    expect(log).toEqual(sim.connectionLog);
    expect(log).toContain('LOG:  could not accept SSL connection: certificate verify failed');
  });

  it("cert auth with another user's certificate: psql prints the FATAL", async () => {
    const { r, log, sim } = await connect(`${base()} sslmode=verify-full ${files('bob')} user=alice dbname=app`);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('FATAL:  certificate authentication failed for user "alice"');
    expect(r.stderr.trim()).toBe(sim.psqlStderr);
    expect(log).toEqual(sim.connectionLog);
  });

  it('plaintext (sslmode=disable) on a host line', async () => {
    const { r, log, sim } = await connect(`${base()} sslmode=disable user=alice dbname=plaindb`);
    expect(r.stdout).toBe('1\n');
    expect(log).toEqual(sim.connectionLog);
  });

  it('sslmode=prefer without certificates on a cert line falls back to plaintext, which pg_hba refuses', async () => {
    const { r, log, sim } = await connect(`${base()} sslmode=prefer user=alice dbname=app`);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(sim.psqlStderr);
    expect(log).toEqual(sim.connectionLog);
  });

  it('pgtls probe against serve agrees with psql for every sslmode', async () => {
    for (const setup of [
      `${files('alice')} user=alice dbname=app`,
      `${files('alice', live.c.wrongRoot)} user=alice dbname=trustdb`,
      'user=alice dbname=plaindb',
    ]) {
      const report = await runProbe({
        pgVersion: 15,
        conninfo: `${base()} ${setup}`,
        env: { HOME: `${live.c.dir}/home` },
        osUser: 'root',
        clientUser: { uid: process.getuid!(), gids: [process.getgid!()] },
      });
      expect(report.negotiated?.version).toBe('TLSv1.3');
      for (const v of report.verdicts) {
        const r = await psql(`${base()} ${setup} sslmode=${v.sslmode}`, `${live.c.dir}/home`);
        expect({ setup, mode: v.sslmode, ok: v.ok }).toEqual({ setup, mode: v.sslmode, ok: r.status === 0 });
        if (!v.ok) expect(r.stderr).toContain(v.message!.split('\n')[0]);
      }
    }
  });

  it('ssl = off: the SSLRequest is answered N; prefer goes on in plaintext, require fails; probe agrees with psql', async () => {
    const dir = writeServeDataDir(live.pki);
    writeFileSync(join(dir, 'postgresql.conf'), 'log_connections = on\nssl = off\n');
    const off = await startServe({ pgVersion: 15, pgdata: dir, log: () => undefined });
    if (!off.ok) throw new Error(off.fatal.message);
    try {
      const ci = `host=localhost hostaddr=127.0.0.1 port=${off.server.port} user=alice dbname=plaindb`;
      const report = await runProbe({
        pgVersion: 15,
        conninfo: ci,
        env: { HOME: `${live.c.dir}/home` },
        osUser: 'root',
        clientUser: { uid: process.getuid!(), gids: [process.getgid!()] },
      });
      expect(report.sslResponse).toBe('N');
      expect(report.negotiated).toBeUndefined();
      const verdicts = Object.fromEntries(report.verdicts.map((v) => [v.sslmode, v]));
      expect(verdicts.prefer).toMatchObject({ ok: true, encrypted: false });
      expect(verdicts.require).toMatchObject({ ok: false, message: 'server does not support SSL, but SSL was required' });
      for (const v of report.verdicts) {
        const r = await psql(`${ci} sslmode=${v.sslmode}`, `${live.c.dir}/home`);
        expect({ mode: v.sslmode, ok: v.ok }).toEqual({ mode: v.sslmode, ok: r.status === 0 });
        if (!v.ok) expect(r.stderr).toContain(v.message!);
      }
    } finally {
      await off.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL 17 direct TLS: our client sends the ClientHello at once with ALPN postgresql; a 15 server refuses it', async () => {
    const s17 = await startServe({ pgdata: live.pgdata, log: () => undefined, pgVersion: 17 });
    if (!s17.ok) throw new Error(s17.fatal.message);
    try {
      const opts = (port: number) => ({
        address: '127.0.0.1',
        port,
        kind: 'ssl' as const,
        negotiation: 'direct' as const,
        tls: { verify: false, at: new Date() },
        params: { user: 'alice', database: 'trustdb' },
        sql: 'select 1',
        timeoutMs: 3000,
      });
      const ok = await attemptConnection(opts(s17.server.port));
      expect(ok.message).toBeUndefined();
      expect(ok.sslResponse).toBeUndefined();
      expect(ok.negotiated).toMatchObject({ version: 'TLSv1.3', alpn: 'postgresql' });
      expect(ok.session?.parameters.server_version).toMatch(/^17\./);
      expect(ok.session?.query?.rows).toEqual([['1']]);
      const old = await attemptConnection(opts(live.serve.port));
      expect(old.ok).toBe(false);
      expect(old.stage).toBe('handshake');
    } finally {
      await s17.server.close();
    }
  });

  it('the probe command: exit 0 when the given sslmode connects, 1 when not, --json output', async () => {
    const { run } = await import('../../src/cli/probe.js');
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((x: unknown) => void lines.push(String(x)));
    try {
      const good = await run([
        '--pg-version',
        '15',
        '--home',
        `${live.c.dir}/home`,
        `${base()} sslmode=verify-full ${files('alice')} user=alice dbname=app`,
      ]);
      expect(good).toBe(0);
      // serve allows what a PostgreSQL 15 with ssl_ecdh_curve = prime256v1 allows: P-256 only,
      // so libpq's x25519 share gets a HelloRetryRequest (test/pg/groups-oracle.test.ts)
      expect(lines.join('\n')).toMatch(/TLS: TLSv1\.3, TLS_AES_256_GCM_SHA384, group secp256r1, .*, HelloRetryRequest$/m);
      expect(lines.join('\n')).toContain('0 subject: CN = localhost');
      lines.length = 0;
      const bad = await run([
        '--pg-version',
        '15',
        '--json',
        '--home',
        `${live.c.dir}/home`,
        `${base()} sslmode=verify-ca ${files('alice', live.c.wrongRoot)} user=alice dbname=app`,
      ]);
      expect(bad).toBe(1);
      const j = JSON.parse(lines.join('\n'));
      expect(j.tls.version).toBe('TLSv1.3');
      expect(j.chain[0]).toMatchObject({ subject: 'CN = localhost', issuer: 'CN = pgtls live root', key: 'RSA 2048 bits' });
      expect(j.verdicts.find((v: { sslmode: string }) => v.sslmode === 'verify-ca')).toMatchObject({
        ok: false,
        message: 'SSL error: certificate verify failed',
      });
      await expect(run(['a', 'b'])).rejects.toThrow(/exactly one connection string/);
    } finally {
      spy.mockRestore();
    }
  });
});
