// Real psql against a PgOracle server with the connection string exactly as given, and the
// server log lines it caused. PgOracle.psql adds hostaddr=127.0.0.1 (and the port) to every
// connection string, which turns a Unix-socket connection into a TCP one; the socket tests
// need psql to see no host at all, or a socket directory. The log is read from the file
// PgOracle's pg_ctl writes (<root>/server.log), from where it ended before psql ran.
// `psql` picks the binary: Debian's pg_wrapper (default) or one run directly. Recorded in
// the suite's goldens like PgOracle.psql (replayed where PostgreSQL is not installed).
// A chroot build's psql runs in its root (PgOracle.command).
// Test support only: never imported by src/.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupByProcess, psqlEnv, type PgOracle, type PsqlResult } from './pg-oracle.js';

const logSize = (file: string) => (existsSync(file) ? readFileSync(file).length : 0);

export async function psqlAsGiven(
  o: PgOracle,
  conninfo: string,
  opts: { home?: string; env?: Record<string, string>; sql?: string; psql?: string } = {},
): Promise<PsqlResult> {
  const home = opts.home ?? join(o.root, 'empty-home');
  mkdirSync(home, { recursive: true });
  const input = [
    JSON.stringify(conninfo),
    ...(opts.psql ? [`psql=${opts.psql}`] : []),
    ...(opts.sql && opts.sql !== 'select 1' ? [`-c ${JSON.stringify(opts.sql)}`] : []),
    ...(opts.home ? [`HOME=${home}`] : []),
    ...Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
  ].join(' ');
  return o.recordPsql('psql as given', input, () => run(o, conninfo, home, opts));
}

async function run(o: PgOracle, conninfo: string, home: string, opts: { env?: Record<string, string>; sql?: string; psql?: string }) {
  const logFile = join(o.root, 'server.log');
  let offset = logSize(logFile);
  const [cmd, ...args] = o.command([opts.psql ?? 'psql', '-X', '-w', '-qAt', '-d', conninfo, '-c', opts.sql ?? 'select 1']);
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: psqlEnv(home, opts.env),
    timeout: 30_000,
  });
  // the backend writes its last lines as it exits: wait until the log has been quiet for 150 ms (at most 3 s)
  let raw = '';
  for (let quiet = 0, waited = 0; quiet < 150 && waited < 3000; waited += 50) {
    await new Promise((res) => setTimeout(res, 50));
    const size = logSize(logFile);
    if (size > offset) {
      raw += readFileSync(logFile).subarray(offset, size).toString('utf8');
      offset = size;
      quiet = 0;
    } else quiet += 50;
  }
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, serverLog: groupByProcess(raw) };
}
