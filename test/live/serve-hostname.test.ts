// `pgtls serve` with a pg_hba.conf line naming a host and a given hosts file, against real
// psql: the connection is accepted when the hosts file resolves 127.0.0.1 to the name and
// back, refused with the no-entry FATAL otherwise, and serve logs the same lines as the
// simulator (the DETAIL of the lookup included). Skipped when psql is missing.

import { execFile, spawnSync } from 'node:child_process';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFs } from '../../src/pg/fs-node.js';
import { parseHostsFile } from '../../src/pg/config/hosts.js';
import { startServe, type RunningServe } from '../../src/pg/live/server-node.js';
import { simulate } from '../../src/pg/simulate.js';
import { makeLivePki, writeServeDataDir } from './fixtures.js';

const noPsql = spawnSync('psql', ['--version']).status !== 0;
if (noPsql) console.warn('serve-hostname: skipped, psql not installed');

function psql(conninfo: string): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'psql',
      ['-X', '-w', '-qAt', '-d', conninfo, '-c', 'select 1'],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: '/nonexistent', LANG: 'C', LC_ALL: 'C', PGCONNECT_TIMEOUT: '10' },
        timeout: 20_000,
      },
      (e, _out, stderr) => resolve({ status: e ? Number((e as { code?: number }).code ?? -1) : 0, stderr }),
    );
  });
}

describe.skipIf(noPsql)('pgtls serve: pg_hba.conf host names from a hosts file', () => {
  const pgdata = writeServeDataDir(makeLivePki(), 'host all all db.example.com trust\n');
  appendFileSync(join(pgdata, 'postgresql.conf'), 'log_hostname = on\n');
  const running: RunningServe[] = [];
  afterAll(async () => {
    for (const s of running) await s.close();
    rmSync(pgdata, { recursive: true, force: true });
  });

  async function attempt(hostsText: string) {
    const hosts = parseHostsFile(hostsText, '/etc/hosts');
    const s = await startServe({ pgVersion: 15, pgdata, port: 0, log: () => undefined, hosts });
    if (!s.ok) throw new Error(s.fatal.message);
    running.push(s.server);
    const from = s.server.logLines.length;
    const conninfo = `host=127.0.0.1 port=${s.server.port} user=alice dbname=app sslmode=disable`;
    const r = await psql(conninfo);
    await new Promise((res) => setTimeout(res, 100));
    const log = s.server.logLines.slice(from).map((l) => l.replace(/port=\d+$/, 'port=<client port>'));
    const sim = simulate({
      pgVersion: 15,
      fs: nodeFs(),
      pgdata,
      conninfo,
      env: { HOME: '/nonexistent' },
      hosts,
      serverOverrides: { port: String(s.server.port) },
    });
    return { r, log, sim };
  }

  it('the hosts file names 127.0.0.1 db.example.com: psql connects', async () => {
    const { r, log, sim } = await attempt('127.0.0.1 db.example.com\n');
    expect(r).toEqual({ status: 0, stderr: '' });
    expect(sim.ok).toBe(true);
    expect(log[0]).toBe('LOG:  connection received: host=db.example.com port=<client port>');
    expect(log).toEqual(sim.connectionLog);
  });

  it('it names 127.0.0.1 otherwise: the no-entry FATAL, and the DETAIL in the log only', async () => {
    const { r, log, sim } = await attempt('127.0.0.1 localhost\n');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(sim.psqlStderr);
    expect(r.stderr).not.toContain('DETAIL');
    expect(log).toEqual([
      'LOG:  connection received: host=localhost port=<client port>',
      'FATAL:  no pg_hba.conf entry for host "127.0.0.1", user "alice", database "app", no encryption',
      'DETAIL:  Client IP address resolved to "localhost", forward lookup not checked.',
    ]);
    expect(log).toEqual(sim.connectionLog);
  });
});
