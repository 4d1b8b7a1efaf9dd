// The postmaster's configuration life: start-up (postgresql.conf, be_tls_init, pg_hba,
// pg_ident) and a reload (pg_ctl reload / SIGHUP: postmaster.c's SIGHUP handler). A reload
// logs what it changed or refused, and keeps the old state for whatever failed: the old
// settings when postgresql.conf has a syntax error or an unknown name, the old value of a
// bad or restart-only setting, the old pg_hba / pg_ident lines, and the old SSL context
// ("SSL configuration was not reloaded"), which new connections keep using. Checked
// against PostgreSQL 15's log for each case (test/pg/reload-oracle.test.ts).

import { findGuc, type GucDef } from '../config/guc-table.js';
import { loadHbaFile } from '../config/hba-parse.js';
import { loadIdentFile } from '../config/ident.js';
import { parsePgBool, parsePostgresqlConf, type ParsedConf } from '../config/postgresql-conf.js';
import { serverSettings, type ServerSettings } from '../config/server-settings.js';
import type { LogLine } from '../log.js';
import { CONFIG, fmt, SERVER } from '../messages.js';
import type { ProcessIdentity, SimFs } from '../fs.js';
import { startServerTls, type ServerTls, type StartupCause } from './startup.js';
import { DEFAULT_PG_VERSION } from '../conninfo/options.js';

export interface PostmasterInput {
  fs: SimFs;
  /** the data directory (postgresql.conf, pg_hba.conf, certificates) */
  pgdata: string;
  /** the postgres process; default: the owner of the data directory */
  serverUser?: ProcessIdentity;
  /** what ssl_passphrase_command would print (the simulator runs no commands) */
  passphrase?: string;
  pgVersion?: number;
  /** the server's command-line settings: they win over postgresql.conf */
  serverOverrides?: Record<string, string>;
  /** the security level of a new SSL_CTX (default: Debian's OpenSSL 3.0, 2) */
  securityLevel?: number;
  /** the OpenSSL build, whose security bits the levels compare (default 3.0) */
  opensslVersion?: string;
}

export interface ServerState {
  /** postgresql.conf as last applied (a reload compares the new file with it) */
  conf: ParsedConf;
  settings: ServerSettings;
  /** the SSL context connections get; undefined when SSL is off (or never loaded) */
  tls?: ServerTls;
  hba: ReturnType<typeof loadHbaFile>;
  ident: ReturnType<typeof loadIdentFile>;
  logConnections: boolean;
  /** log_hostname: the client is looked up by name for the log (and the lookup reused by pg_hba) */
  logHostname: boolean;
}

/** A failed start: the log, its FATAL, and (for be_tls_init's failures) why, as a value. */
export type StartOutcome =
  | { ok: true; server: ServerState; log: LogLine[] }
  | { ok: false; log: LogLine[]; fatal: LogLine; cause?: StartupCause };

/**
 * Processes besides the postmaster that re-read the configuration at SIGHUP in a default
 * server with no client connected: checkpointer, background writer, walwriter, autovacuum
 * launcher, logical replication launcher (no archiver: archive_mode is off); up to 14 also
 * the stats collector; from 18 the I/O workers (io_method = worker, io_workers = 3 by
 * default), counted as the server started them. Checked by process title against real 15
 * (test/pg/reload-oracle.test.ts) and by their lines on 13, 14, 16, 17, 18
 * (test/support/version-oracle.ts).
 */
function auxProcesses(pgVersion: number, conf: ParsedConf): number {
  const setting = (name: string) => conf.settings.get(name)?.value;
  const ioWorkers = pgVersion < 18 || (setting('io_method') ?? 'worker') !== 'worker' ? 0 : Number(setting('io_workers') ?? 3);
  return 5 + (pgVersion <= 14 ? 1 : 0) + (Number.isInteger(ioWorkers) ? ioWorkers : 3);
}

const confPath = (pgdata: string) => `${pgdata.replace(/\/+$/, '')}/postgresql.conf`;

function serverUserOf(input: PostmasterInput): ProcessIdentity {
  const st = input.fs.stat(input.pgdata);
  return input.serverUser ?? { uid: st?.uid ?? 0, gids: [st?.gid ?? 0] };
}

const logConnectionsOf = (conf: ParsedConf) => parsePgBool(conf.settings.get('log_connections')?.value ?? 'off') === true;
const logHostnameOf = (conf: ParsedConf) => parsePgBool(conf.settings.get('log_hostname')?.value ?? 'off') === true;

/** Postmaster start-up: configuration files, then be_tls_init, then pg_hba/pg_ident. */
export function startServer(input: PostmasterInput): StartOutcome {
  const pgVersion = input.pgVersion ?? DEFAULT_PG_VERSION;
  const conf = parsePostgresqlConf(input.fs, confPath(input.pgdata), { dataDir: input.pgdata, pgVersion });
  // Includes "skipping missing configuration file .../postgresql.auto.conf" when there is
  // none: the real server logs that at start-up too (checked on PostgreSQL 15).
  const log: LogLine[] = [...conf.log];
  if (!conf.ok) {
    // no postgresql.conf at all: postgres says so on stderr ("postgres: could not access the
    // server configuration file ...") and exits before it logs anything
    const fatal = conf.log.find((l) => l.level === 'FATAL') ?? {
      level: 'FATAL' as const,
      message: conf.stderr?.replace(/^postgres: /, '') ?? 'configuration file contains errors',
    };
    return { ok: false, log, fatal };
  }
  const settings = serverSettings(conf, { configDir: input.pgdata, overrides: input.serverOverrides });
  const tls = startServerTls({
    fs: input.fs,
    pgdata: settings.dataDirectory || input.pgdata,
    settings: settings.ssl,
    server: serverUserOf(input),
    passphrase: input.passphrase,
    securityLevel: input.securityLevel,
    opensslVersion: input.opensslVersion,
    pgVersion,
  });
  log.push(...tls.log);
  if (!tls.ok) return { ok: false, log, fatal: tls.fatal, cause: tls.cause };
  const hba = loadHbaFile(input.fs, settings.hbaFile, { pgVersion, ssl: settings.ssl.ssl, mode: 'startup' });
  log.push(...hba.log);
  if (!hba.ok) {
    const fatal = hba.log.find((l) => l.level === 'FATAL') ?? { level: 'FATAL' as const, message: SERVER.hbaLoadFailed.format };
    return { ok: false, log, fatal, cause: { kind: 'hba-load' } };
  }
  const ident = loadIdentFile(input.fs, settings.identFile, { pgVersion, mode: 'startup' });
  log.push(...ident.log);
  return {
    ok: true,
    log,
    server: { conf, settings, tls: tls.tls, hba, ident, logConnections: logConnectionsOf(conf), logHostname: logHostnameOf(conf) },
  };
}

/**
 * pg_ctl reload of a running server whose files are now those of `input.fs`: the lines the
 * postmaster logs and the state it keeps (postmaster.c SIGHUP_handler: ProcessConfigFile,
 * load_hba, load_ident, then secure_initialize).
 */
export function reloadServer(
  running: ServerState,
  input: PostmasterInput,
): { log: LogLine[]; server: ServerState /** something was refused and kept as before */; partial: boolean } {
  const pgVersion = input.pgVersion ?? DEFAULT_PG_VERSION;
  const log: LogLine[] = [{ level: 'LOG', message: fmt(CONFIG.sighupReload) }];
  const parsed = parsePostgresqlConf(input.fs, confPath(input.pgdata), { dataDir: input.pgdata, mode: 'reload', pgVersion });
  const { conf, complete } = applyReloadedConf(running.conf, parsed, log, pgVersion);
  // SignalChildren, right after the postmaster's own ProcessConfigFile: each auxiliary
  // process re-reads the files too, at DEBUG2 (IsUnderPostmaster), so only what
  // ParseConfigFile logs at LOG whatever the level shows up from them: "skipping missing
  // configuration file", once per child and file, also when the file then has an unknown
  // name (but not after a syntax error in postgresql.conf, which stops the parse before
  // postgresql.auto.conf). Their lines interleave with the postmaster's pg_hba/SSL lines
  // in real logs; here they come after all of its lines (grouped by process).
  const childLines = parsed.log.filter((l) => l.message.startsWith('skipping missing configuration file'));
  const settings = serverSettings(conf, { configDir: input.pgdata, overrides: input.serverOverrides });
  // hba_file and ident_file are postmaster-context settings: conf kept their old values
  const hba = loadHbaFile(input.fs, settings.hbaFile, { pgVersion, ssl: settings.ssl.ssl, mode: 'reload' });
  log.push(...hba.log);
  const ident = loadIdentFile(input.fs, settings.identFile, { pgVersion, mode: 'reload' });
  log.push(...ident.log);
  let tls = running.tls;
  let sslRefused = false;
  if (settings.ssl.ssl) {
    const r = startServerTls({
      fs: input.fs,
      pgdata: settings.dataDirectory || input.pgdata,
      settings: settings.ssl,
      server: serverUserOf(input),
      passphrase: input.passphrase,
      reload: true,
      securityLevel: input.securityLevel,
      opensslVersion: input.opensslVersion,
      pgVersion,
    });
    // be_tls_init reports at LOG when it is not the server start (isServerStart false)
    log.push(...r.log.map((l) => (l.level === 'FATAL' ? { ...l, level: 'LOG' as const } : l)));
    if (r.ok) tls = r.tls;
    else log.push({ level: 'LOG', message: fmt(SERVER.sslNotReloaded) });
    sslRefused = !r.ok;
  } else {
    tls = undefined; // secure_destroy: LoadedSSL = false
  }
  for (let child = 0, n = auxProcesses(pgVersion, running.conf); child < n; child++) log.push(...childLines);
  return {
    log,
    partial: !complete || !hba.ok || !ident.ok || sslRefused,
    server: {
      conf,
      settings,
      tls,
      hba: hba.ok ? hba : running.hba,
      ident: ident.ok ? ident : running.ident,
      logConnections: logConnectionsOf(conf),
      logHostname: logHostnameOf(conf),
    },
  };
}

/**
 * ProcessConfigFileInternal at PGC_SIGHUP. A syntax error or an unknown name changes
 * nothing. Otherwise, in the server's order: settings no longer in the files go back to
 * their defaults (GUCs in name order; a restart-only one is refused instead), then each
 * line in file order is applied and logged when its value changed, or refused and kept
 * (a bad value, restart-only or not; else a changed restart-only setting); any refusal,
 * even when every line was refused, ends with "...; unaffected changes were applied"
 * (a bad value superseded by a later line for the same setting is never checked).
 * A setting that newly appears is logged as changed: pgtls does not know every default, and
 * the server stays silent only when the new line repeats the default.
 */
/**
 * guc_name_hash (guc.c, 16+): rotate left 5, xor the case-folded character. The GUC hash
 * table has next_pow2(1.25 x the built-in settings) buckets: 512 for 16, 17 and 18 (330..409
 * settings each), and hash_seq_search visits them in bucket order.
 */
function gucBucket(name: string): number {
  let h = 0;
  for (const ch of name.toLowerCase()) h = (((h << 5) | (h >>> 27)) ^ ch.charCodeAt(0)) >>> 0;
  return h & 511;
}

/**
 * The order ProcessConfigFile walks the settings in to reset those removed from the file:
 * up to 15 the sorted array of GUCs (name order), from 16 the GUC hash table's (bucket
 * order; names compared within a bucket). Checked on real 15, 16, 17, 18 (version-oracle.ts).
 */
function gucWalkOrder(pgVersion: number): (x: string, y: string) => number {
  const byName = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return pgVersion >= 16 ? (x, y) => gucBucket(x) - gucBucket(y) || byName(x, y) : byName;
}

function applyReloadedConf(
  old: ParsedConf,
  parsed: ParsedConf,
  log: LogLine[],
  pgVersion: number,
): { conf: ParsedConf; complete: boolean } {
  // a failed parse without bad values is a syntax error or an unknown name (the parser stops
  // there); bad values are the only errors that leave the other lines applied
  if (!parsed.ok && !parsed.items.some((i) => i.errorLine)) {
    log.push(...parsed.log); // the parser's lines end with "...; no changes were applied"
    return { conf: old, complete: false };
  }
  // what the parse itself logged ("skipping missing configuration file"), without the
  // bad-value lines (logged below, in file order) and its closing "contains errors" line
  const badLines = new Set(parsed.items.flatMap((i) => (i.errorLine ? [i.errorLine] : [])));
  log.push(...parsed.log.slice(0, parsed.ok ? undefined : -1).filter((l) => !badLines.has(l)));

  const settings = new Map(old.settings);
  let errorFile: string | undefined;
  const inFile = new Set(parsed.items.flatMap((i) => (i.name === undefined ? [] : [i.name.toLowerCase()])));
  const order = gucWalkOrder(pgVersion);
  for (const [key, s] of [...old.settings].sort(([x], [y]) => order(x, y))) {
    const def = findGuc(s.name, pgVersion);
    if (inFile.has(key) || def?.context === 'internal') continue;
    if (def?.context === 'postmaster') {
      log.push({ level: 'LOG', message: fmt(CONFIG.restartNeeded, s.name) });
      errorFile = parsed.file;
      continue;
    }
    log.push({ level: 'LOG', message: fmt(CONFIG.parameterRemoved, s.name) });
    settings.delete(key);
  }
  for (const item of parsed.items) {
    if (item.name === undefined || item.ignored) continue;
    const key = item.name.toLowerCase();
    const def = findGuc(item.name, pgVersion);
    const before = old.settings.get(key)?.value;
    const value = item.value ?? '';
    const changed = before === undefined || !def || !sameValue(def, before, value);
    // set_config_option parses and checks the value before it compares a restart-only
    // setting with the running one: a bad value is reported as such, restart-only or not
    if (item.errorLine) {
      log.push(item.errorLine);
      errorFile = item.file ?? parsed.file;
      continue;
    }
    if (def?.context === 'postmaster') {
      if (changed) {
        log.push({ level: 'LOG', message: fmt(CONFIG.restartNeeded, item.name) });
        errorFile = item.file ?? parsed.file;
      }
      continue;
    }
    if (changed) log.push({ level: 'LOG', message: fmt(CONFIG.parameterChanged, item.name, value) });
    settings.set(key, { name: item.name, value, file: item.file, line: item.line });
  }
  if (errorFile) log.push({ level: 'LOG', message: fmt(CONFIG.configFileErrorsApplied, errorFile, 'unaffected') });
  return { conf: { ...parsed, ok: true, settings }, complete: errorFile === undefined };
}

/** GetConfigOption's normalised values compared: booleans and enums by meaning, units by size. */
function sameValue(def: GucDef, a: string, b: string): boolean {
  if (a === b) return true;
  if (def.type === 'bool') return parsePgBool(a) !== undefined && parsePgBool(a) === parsePgBool(b);
  if (def.type === 'enum') return a.toLowerCase() === b.toLowerCase();
  if (def.type === 'integer' || def.type === 'real') {
    const x = withUnit(a);
    const y = withUnit(b);
    return x !== undefined && y !== undefined && x === y;
  }
  return false;
}

const UNITS: Record<string, number> = {
  B: 1,
  kB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
  us: 1e-3,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A number with an optional unit, in bytes or milliseconds (unitless numbers as they are). */
function withUnit(v: string): number | undefined {
  const m = /^\s*([+-]?[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
  if (!m) return undefined;
  const unit = m[2] ? UNITS[m[2]] : 1;
  return unit === undefined ? undefined : Number(m[1]) * unit;
}
