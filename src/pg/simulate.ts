// `pgtls simulate`: a server data directory plus a psql connection string in, the outcome
// out — whether psql connects, the exact text psql prints, the lines the server logs, every
// step taken, and a fix. simulate() is the life of one psql connection, each phase a
// function in src/pg/simulate/ that takes and returns plain values, in the order of
// PostgreSQL 15 and libpq 15:
//   1. server start-up (simulate/server-start.ts: config files, be_tls_init, the listening
//      sockets, pg_hba; a reload when the files changed since)
//   2. client options (simulate/client-options.ts: conninfo, environment, service and password files)
//   3. libpq's host loop (simulate/reach.ts: a TCP address or a Unix socket the server listens on)
//   4. the sslmode ladder (simulate/ladder.ts over client/ladder.ts, data), each attempt (simulate/attempt.ts):
//      connect and SSLRequest (negotiation.ts), initialize_SSL, the TLS 1.3 handshake in
//      memory with both certificate checks, verify-full's host name (tls.ts), the startup
//      packet, pg_hba and authentication, the pg_stat_ssl row (authentication.ts)
//   5. the result: psql's stderr, the server log, the fix (fix.ts, from the failure's kind).
// A Unix socket never carries SSL: libpq sends no SSLRequest there whatever the sslmode, and
// the server sees host "[local]".

import type { OpensslVersion, TraceEntry } from '../tls13/index.js';
import { defaultSecurityLevel } from '../crypto/index.js';
import type { ConnTarget, ResolvedConninfo } from './conninfo/resolve.js';
import { PASS_MISS } from './conninfo/passfile.js';
import type { RolePassword } from './server/connection.js';
import type { HostsTable } from './config/hosts.js';
import { DEFAULT_SOCKET_DIR } from './server/unix-sockets.js';
import type { PgStatSslRow } from './server/stat-ssl.js';
import { formatLog, type LogLine } from './log.js';
import { fmt, messageFormatter, PSQL, type MessageFormatter } from './messages.js';
import {
  clientMessageLocale,
  english,
  makeTranslator,
  perlLocaleWarning,
  serverMessageLocale,
  type CatalogLoader,
  type LocaleEnv,
  type LocaleSystem,
  type Translator,
} from './i18n/translate.js';
import type { ProcessIdentity, SimFs } from './fs.js';
import { fixOf, type FixAdvice } from './fix.js';
import { DEFAULT_PG_VERSION } from './conninfo/options.js';
import { serverStartPhase } from './simulate/server-start.js';
import { clientOptionsPhase } from './simulate/client-options.js';
import { attemptPrefix, reachPhase, type Listening } from './simulate/reach.js';
import { connectionOf, ladderPhase } from './simulate/ladder.js';
import type { AttemptReport, Run, SimStep } from './simulate/types.js';

export type { PgStatSslRow } from './server/stat-ssl.js';
export type { AttemptReport, SimStep } from './simulate/types.js';

export interface SimulateInput {
  fs: SimFs;
  /** the server's data directory (postgresql.conf, pg_hba.conf, certificates) */
  pgdata: string;
  /** what is given to psql: a connection string, a URI, or a database name */
  conninfo: string;
  /** the client's environment (HOME, PGSSLMODE, PGSSLROOTCERT, PGPASSWORD, PGPASSFILE...) */
  env?: Record<string, string | undefined>;
  /** the client's OS user name (libpq's default user; over a Unix socket, who peer authentication sees) */
  osUser?: string;
  /** the server process's OS user name, which libpq's requirepeer= checks over a Unix socket (default postgres) */
  serverOsUser?: string;
  /** the client process, for file readability */
  clientUser?: ProcessIdentity;
  /** the server process (postgres); default: the owner of the data directory */
  serverUser?: ProcessIdentity;
  pgVersion?: number;
  /**
   * The major of the client's libpq (psql's), when it is not the server's: which options it
   * knows, its messages, 17+'s direct TLS. Default: pgVersion.
   */
  libpqVersion?: number;
  at?: Date;
  /** the client's address as the server sees it (pg_hba matching) */
  clientAddr?: string;
  /** the address a host name resolves to (default: 127.0.0.1) */
  serverAddr?: string;
  /**
   * The server machine's hosts file, which answers the server's host-name lookups (pg_hba
   * lines naming hosts, log_hostname); default: /etc/hosts read through `fs`. Names it does
   * not hold would go to DNS: taken as unresolved, and the steps say so.
   */
  hosts?: HostsTable;
  opensslVersion?: OpensslVersion;
  /**
   * OpenSSL's security level on both sides (what openssl.cnf gives a new SSL_CTX): it judges
   * server.crt at start-up and the client certificate when libpq loads it, and is the auth
   * level of both chain checks (the server's after `@SECLEVEL=n` in ssl_ciphers). Default:
   * defaultSecurityLevel(opensslVersion), 2 for Debian's OpenSSL 3.
   */
  securityLevel?: number;
  /** what ssl_passphrase_command would print (the simulator runs no commands) */
  passphrase?: string;
  /**
   * Each role's password, as ALTER ROLE ... PASSWORD set it (null: the role has none; a
   * plain string is stored as SCRAM, `{ password, storedAs: 'md5' }` as an MD5 hash): a
   * password-method connection (password, md5, scram-sha-256) with another password fails
   * with "password authentication failed". Without it (or for a role not in it) any
   * password is assumed right.
   */
  rolePasswords?: Record<string, RolePassword>;
  /**
   * psql is Debian's pg_wrapper (default, as on the PostgreSQL 15 machines pgtls is checked
   * on), which exports PGHOST=/var/run/postgresql when psql gets no -h; false for a psql
   * binary run directly (other systems). Only a target given by hostaddr alone tells them
   * apart: the host verify-full checks, the TLS server name, the password file's key.
   */
  pgWrapper?: boolean;
  /**
   * The C library and perl whose locale rules the client, pg_wrapper and the server follow:
   * 'debian12' (default; glibc 2.36, perl 5.36) or 'debian13' (glibc 2.41: LANGUAGE is ignored
   * under C.UTF-8; perl 5.40's locale warning lists every category)
   */
  system?: LocaleSystem;
  /** run the server start-up only */
  startupOnly?: boolean;
  /** the server's command-line settings (`postgres -p 5433 -c ssl=on`): they win over postgresql.conf */
  serverOverrides?: Record<string, string>;
  /**
   * The files as they were when the running server started: it starts from these, then
   * `pg_ctl reload` reads `fs` (what you changed). Without it the server starts from `fs`.
   */
  startedWith?: SimFs;
  /**
   * The gettext catalogs psql, libpq and the server read (catalogs-node.ts reads
   * /usr/share/locale): with them, psql's and libpq's messages follow the client's locale in
   * `env` (LANGUAGE, LC_ALL, LC_MESSAGES, LANG) and the server's its lc_messages. Without
   * them every message is English.
   */
  catalogs?: CatalogLoader;
  /**
   * The server process's locale environment: LC_CTYPE's codeset is the one its messages are
   * written in (an ASCII one prints '?' for each character it cannot show), lc_messages ''
   * takes LC_MESSAGES/LANG, and LANGUAGE applies. Default { LANG: 'C.UTF-8' }.
   */
  serverEnv?: LocaleEnv;
  /**
   * Which locales exist on the client: setlocale fails for the others (psql speaks English)
   * and pg_wrapper's perl warns about them on stderr. Default: all exist.
   */
  localeInstalled?: (name: string) => boolean;
}

export interface SimulateResult {
  ok: boolean;
  /**
   * What psql prints after `connection to server at "…", port N failed: ` (further attempts'
   * lines follow verbatim); for option errors, what follows `psql: error: `. When the server
   * cannot start, psql's too ("Connection refused"...): the FATAL is in serverFatal.
   */
  message: string;
  /** the FATAL message that stopped the server's start-up (its whole log: serverLog) */
  serverFatal?: string;
  /** psql's whole stderr (on success: libpq's password file warnings, if any, else empty) */
  psqlStderr: string;
  /** the lines this connection makes the server log, after its start-up lines */
  connectionLog: string[];
  /** the lines the server would log, start-up first (log_connections as configured) */
  serverLog: string[];
  serverStarted: boolean;
  steps: SimStep[];
  attempts: AttemptReport[];
  /** the concrete change that would make it connect, in English (renderFix(fixes, 'en')) */
  fix?: string;
  /** the same advice as values, to put in another language with renderFix */
  fixes?: FixAdvice[];
  /** the TLS trace of the last attempt that ran a handshake */
  tlsTrace: TraceEntry[];
  /**
   * When psql connects: what `SELECT * FROM pg_stat_ssl WHERE pid = pg_backend_pid()` shows
   * for its backend (pid unknowable, so null). Assumes a UTF8 or SQL_ASCII database.
   */
  pgStatSsl?: PgStatSslRow;
  /** why some messages stay English although a language was asked for (a catalog absent...) */
  languageNotes?: string[];
}

/** The 'password' step: where the password for this target comes from, or why none. */
function passwordStep(conn: ResolvedConninfo, t: ConnTarget): SimStep | undefined {
  const step = (result: SimStep['result'], detail: string): SimStep => ({ step: 'password', who: 'client', result, detail });
  const use = conn.passfile;
  if (use.kind === 'password-given') return step('info', 'given (password= or PGPASSWORD): no password file is read');
  if (use.kind === 'no-home')
    return step(
      'skip',
      "none given, and no HOME: libpq would look for .pgpass in the OS user's home directory (getpwuid), which pgtls does not know",
    );
  const l = t.passLookup;
  if (use.kind !== 'read' || !l) return undefined;
  const key = l.key ? ` (${[l.key.host, l.key.port, l.key.dbname, l.key.user].join(':')})` : '';
  const wrapper =
    t.type === 'address' && !t.host && l.key && l.key.host !== t.hostaddr
      ? `; Debian's psql (pg_wrapper) sets PGHOST=${DEFAULT_SOCKET_DIR}, so libpq looks up "${l.key.host}", not the hostaddr`
      : '';
  if (l.found) return step('ok', `from ${l.file} line ${l.lineNo}${key}${wrapper}`);
  const warned = l.reason === 'group-world' || l.reason === 'not-regular';
  const mode = l.mode !== undefined && l.reason === 'group-world' ? ` (mode 0${l.mode.toString(8)})` : '';
  return step(warned ? 'fail' : 'skip', `none from ${l.file}${mode}: ${PASS_MISS[l.reason]}${key}${wrapper}`);
}

/** The translators of one run: the client's (psql, libpq) and the server's, English without catalogs. */
function translators(
  input: SimulateInput,
  pgVersion: number,
  libpqVersion: number,
): { client: Translator; server: (lcMessages: string | undefined) => Translator } {
  const none = (): Translator => ({ translate: english, notes: [], locale: { locale: 'C', languages: [], ascii: false } });
  if (!input.catalogs) return { client: none(), server: none };
  const env = input.env ?? {};
  const client = makeTranslator(clientMessageLocale(env, input.localeInstalled, input.system), input.catalogs, libpqVersion);
  return {
    client,
    server: (lc) =>
      makeTranslator(serverMessageLocale(input.serverEnv ?? { LANG: 'C.UTF-8' }, lc, input.system), input.catalogs, pgVersion),
  };
}

function logLines(lines: LogLine[], f: MessageFormatter = fmt): string[] {
  return lines.length ? formatLog(lines, f).split('\n') : [];
}

/** The input with its defaults. */
function runOf(input: SimulateInput): Run {
  const opensslVersion = input.opensslVersion ?? '3.0';
  return {
    input,
    pgVersion: input.pgVersion ?? DEFAULT_PG_VERSION,
    libpqVersion: input.libpqVersion ?? input.pgVersion ?? DEFAULT_PG_VERSION,
    at: input.at ?? new Date(),
    opensslVersion,
    securityLevel: input.securityLevel ?? defaultSecurityLevel(opensslVersion),
    pgWrapper: input.pgWrapper ?? true,
    osUser: input.osUser ?? input.env?.USER ?? 'postgres',
    clientUser: input.clientUser ?? { uid: 0, gids: [0] },
    serverAddr: input.serverAddr ?? '127.0.0.1',
    clientAddr: input.clientAddr ?? '127.0.0.1',
    serverOsUser: input.serverOsUser ?? 'postgres',
  };
}

export function simulate(input: SimulateInput): SimulateResult {
  const run = runOf(input);
  const { pgVersion, libpqVersion, pgWrapper } = run;
  const steps: SimStep[] = [];
  const serverLog: LogLine[] = [];
  // messages in the client's and the server's languages (the server's once its lc_messages is known)
  const tr = translators(input, pgVersion, libpqVersion);
  const fc = messageFormatter(tr.client.translate, libpqVersion);
  let serverTr: Translator | undefined;
  let fsv: MessageFormatter = fmt;
  let startupLines = 0;
  const result = (r: Omit<SimulateResult, 'steps' | 'serverLog' | 'connectionLog'>): SimulateResult => {
    const all = logLines(serverLog, fsv);
    const notes = [...tr.client.notes, ...(serverTr?.notes ?? [])].filter((n, i, a) => a.indexOf(n) === i);
    return { ...r, steps, serverLog: all, connectionLog: all.slice(startupLines), ...(notes.length ? { languageNotes: notes } : {}) };
  };
  const psqlError = () => `psql: ${fc(PSQL.errorPrefix)}`;
  // libpq prints its password file warnings itself, before anything psql prints; pg_wrapper's
  // perl complains about a locale that is not installed before psql starts
  const warnings: string[] = [];
  const perl = pgWrapper && input.localeInstalled ? perlLocaleWarning(input.env ?? {}, input.localeInstalled, input.system) : undefined;
  if (perl) warnings.push(perl);
  const stderr = (text: string) => warnings.map((w) => `${w}\n`).join('') + text;
  const noConnection = { serverStarted: true, attempts: [], tlsTrace: [] };

  // 2 and 3: libpq's options, then the first target that reaches a listening server
  const connectTo = (listening: Listening): SimulateResult | { conn: ResolvedConninfo; target: ConnTarget; skipped: string[] } => {
    const opts = clientOptionsPhase(run, fc);
    warnings.push(...opts.warnings);
    if (!opts.ok) {
      steps.push(...opts.steps);
      const fix = fixOf({ kind: 'conninfo', message: opts.english });
      return result({ ok: false, message: opts.message, psqlStderr: stderr(`${psqlError()}${opts.message}`), ...noConnection, ...fix });
    }
    const reach = reachPhase(opts.conn, listening, run.serverAddr, libpqVersion, fc);
    steps.push(...reach.steps);
    if (reach.ok) return { conn: opts.conn, target: reach.target, skipped: reach.skipped };
    const fix = fixOf(reach.unreachable);
    return result({ ok: false, message: reach.message, psqlStderr: stderr(`${psqlError()}${reach.lines}`), ...noConnection, ...fix });
  };

  // 1. The server starts (or does not), and is reloaded with the current files if asked.
  const start = serverStartPhase(run);
  serverLog.push(...start.log);
  steps.push(...start.steps);
  if (!start.ok) {
    // psql finds nothing listening on any target ("Connection refused", or no socket file):
    // its stderr says so, and the FATAL is the server log's alone
    startupLines = logLines(serverLog).length;
    const fix = fixOf({ kind: 'server-start', message: start.fatal.message, cause: start.cause });
    // the start-up's fix (or none) replaces the one of psql's failure to reach it
    const stopped = { serverStarted: false, serverFatal: start.fatal.message, fix: fix.fix, fixes: fix.fixes };
    if (input.startupOnly) return result({ ok: false, message: '', psqlStderr: '', attempts: [], tlsTrace: [], ...stopped });
    const reached = connectTo(undefined);
    if ('steps' in reached) return { ...reached, ...stopped };
    throw new Error('unreachable: no target reaches a server that did not start');
  }
  const server = start.server;
  // the postmaster sets LC_MESSAGES from lc_messages once it has read the configuration (again at a reload)
  const lcMessages = (s: typeof server) => input.serverOverrides?.lc_messages ?? s.conf.settings.get('lc_messages')?.value;
  serverTr = tr.server(lcMessages(start.started));
  if (input.startedWith && lcMessages(server) !== serverTr.locale.locale) serverTr = tr.server(lcMessages(server));
  fsv = messageFormatter(serverTr.translate, pgVersion);
  startupLines = logLines(serverLog).length;
  if (input.startupOnly) return result({ ok: true, message: '', psqlStderr: '', ...noConnection });

  const reached = connectTo({ settings: server.settings, sockets: start.sockets });
  if ('steps' in reached) return reached;
  const { conn, target, skipped } = reached;
  steps.push({
    step: 'conninfo',
    who: 'client',
    result: 'info',
    detail: `user=${conn.user} dbname=${conn.dbname} sslmode=${conn.sslmode}${target.type === 'socket' ? ' (Unix socket: never SSL)' : ''} host=${target.host ?? ''}${target.hostaddr ? ` hostaddr=${target.hostaddr}` : ''}`,
  });
  const pwStep = passwordStep(conn, target);
  if (pwStep) steps.push(pwStep);
  // 4. The sslmode ladder, each attempt a phase pipeline of its own.
  const tried = ladderPhase(connectionOf(run, { client: fc, server: fsv }, server, conn, target));
  steps.push(...tried.steps);
  serverLog.push(...tried.log);
  warnings.push(...tried.warnings);
  const { outcomes, attempts } = tried;

  // 5. What psql prints: nothing but libpq's warnings on success; else every failed attempt's line.
  const last = outcomes[outcomes.length - 1];
  if (last.ok) {
    return result({
      ok: true,
      message: '',
      psqlStderr: warnings.join('\n'),
      serverStarted: true,
      attempts,
      tlsTrace: tried.trace,
      pgStatSsl: tried.statRow,
    });
  }
  const prefix = attemptPrefix(target, run.serverAddr, target.port ?? 5432, libpqVersion, fc);
  const own = outcomes.filter((o) => !o.ok && o.message).map((o) => `${prefix}${o.message!}`);
  const full = [...skipped, ...own].join('\n');
  return result({
    ok: false,
    message: skipped.length ? full : own.join('\n').slice(prefix.length),
    psqlStderr: stderr(`${tried.prompts}${psqlError()}${full}`),
    serverStarted: true,
    attempts,
    ...fixOf(tried.facts),
    tlsTrace: tried.trace,
  });
}
