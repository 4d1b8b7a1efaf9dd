// `pgtls simulate`: a server data directory plus a psql connection string in, the outcome
// out — whether psql connects, the exact text psql prints, the lines the server logs, every
// step taken, and a fix. Order of events follows PostgreSQL 15 and libpq 15: server start-up
// (config files, be_tls_init, the listening sockets), libpq's host loop (a TCP address or a
// Unix socket the server listens on), then per connection attempt of the sslmode ladder:
// SSLRequest and the 'S'/'N' answer, libpq's initialize_SSL, the TLS 1.3 handshake (in
// memory, both sides' real certificates), verify-full's host-name check, the startup packet,
// pg_hba and authentication (the password from password=, PGPASSWORD or the password file,
// checked against the role's when it is given; peer on a socket); for a connection that
// succeeds, its pg_stat_ssl row. A Unix socket never carries SSL: libpq sends no SSLRequest
// there whatever the sslmode, and the server sees host "[local]".

import { formatNameOneline, type Certificate } from '../x509/index.js';
import { libpqVerifyHost, type PgMajor } from '../path/index.js';
import type { OpensslVersion, TraceEntry } from '../tls13/index.js';
import type { ServerSettings } from './config/server-settings.js';
import { resolvePsql, type ConnTarget, type ResolvedConninfo } from './conninfo/resolve.js';
import { ConninfoError } from './conninfo/errors.js';
import { certificatesIn, passFileOn, serviceFilesOn } from './files.js';
import { PASS_MISS, type PassLookup } from './conninfo/passfile.js';
import { libpqSslOptions, prepareClientTls, type ClientTls } from './client/libpq-ssl.js';
import { runLadder, type AttemptKind, type AttemptOutcome } from './client/ladder.js';
import { clientAuthentication, sayAuth, type RolePassword } from './server/connection.js';
import { clientHostAtStart, hostnameLookupDetail } from './config/hba-hostname.js';
import { hostsResolver, loadHostsFile, type HostsTable } from './config/hosts.js';
import type { ServerTls, StartupCause, TlsVersionName } from './server/startup.js';
import { reloadServer, startServer } from './server/postmaster.js';
import {
  createServerSockets,
  DEFAULT_SOCKET_DIR,
  reachSocket,
  socketDirectoriesSetting,
  type ServerSockets,
} from './server/unix-sockets.js';
import { pgStatSslRow, tls12Cipher, type PgStatSslRow } from './server/stat-ssl.js';
import { clientCertErrorDetail } from './server/cert-errdetail.js';
import { runPgHandshake, type HandshakeOutcome } from './tls-handshake.js';
import { formatLog, type LogLine } from './log.js';
import { ELOG, fmt, LIBPQ, messageFormatter, PSQL, say, SERVER, type MessageDef, type MessageFormatter } from './messages.js';
import {
  clientMessageLocale,
  english,
  makeTranslator,
  perlLocaleWarning,
  serverMessageLocale,
  type CatalogLoader,
  type LocaleEnv,
  type Translator,
} from './i18n/translate.js';
import type { ProcessIdentity, SimFs } from './fs.js';
import { suggestFix, type FailureFacts } from './fix.js';
import { defaultSecurityLevel } from '../crypto/index.js';

export type { PgStatSslRow } from './server/stat-ssl.js';

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

export interface SimStep {
  /** server-start, ssl-request, client-ssl-setup, tls-handshake, host-name, startup-packet, authentication... */
  step: string;
  who: 'server' | 'client' | 'both';
  attempt?: number;
  result: 'ok' | 'fail' | 'info' | 'skip';
  detail: string;
}

export interface AttemptReport {
  kind: AttemptKind;
  ok: boolean;
  stage?: AttemptOutcome['stage'];
  message?: string;
  handshake?: HandshakeOutcome;
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
  /** the concrete change that would make it connect */
  fix?: string;
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

/**
 * The host libpq has for a target. A target given only a hostaddr has none in libpq; but
 * psql on Debian is pg_wrapper, which exports PGHOST=<the cluster's socket directory> when
 * psql gets no -h, and libpq then has that directory as the host: verify-full checks the
 * certificate against it, the ClientHello names it as the server (SNI "/var/run/postgresql"),
 * and the password file looks it up as "localhost" (all observed with psql 15 via
 * pg_wrapper; /usr/lib/postgresql/15/bin/psql itself has no host: test/pg/pg-wrapper-oracle.test.ts).
 */
function psqlHost(t: ConnTarget, pgWrapper: boolean): string | undefined {
  return t.host ?? (pgWrapper && t.type === 'address' ? DEFAULT_SOCKET_DIR : undefined);
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

function logLines(lines: LogLine[], f: MessageFormatter = fmt): string[] {
  return lines.length ? formatLog(lines, f).split('\n') : [];
}

/**
 * libpq's "connection to server at ..." prefix for one target (fe-connect.c
 * emitHostIdentityInfo, 14+). libpq 13 has none: its errors follow "psql: error: " bare
 * (real libpq 13.23: `psql: error: SSL error: certificate verify failed`). libpq 13's own
 * wording for a refused TCP connection or a missing socket is not modelled.
 */
function attemptPrefix(t: ConnTarget, serverAddr: string, port: number, pgVersion: number, f: MessageFormatter = fmt): string {
  if (pgVersion < 14) return '';
  if (t.type === 'socket') return f(LIBPQ.attemptPrefixSocket, `${t.host}/.s.PGSQL.${port}`);
  if (t.type === 'address' || !t.host) return f(LIBPQ.attemptPrefixNoAddr, t.hostaddr ?? '', port);
  const addr = isIpLiteral(t.host) ? t.host : serverAddr;
  return addr === t.host ? f(LIBPQ.attemptPrefixNoAddr, t.host, port) : f(LIBPQ.attemptPrefix, t.host, addr, port);
}

/** path/hostname.ts's messages as libpq's table entries, to translate them */
const HOST_MESSAGE_DEFS: Record<string, MessageDef> = {
  noName: LIBPQ.noNameInCert,
  one: LIBPQ.nameMismatch1,
  manyOne: LIBPQ.nameMismatchN1,
  manyMore: LIBPQ.nameMismatchN,
  noHost: LIBPQ.hostNameMissing,
};

/** The translators of one run: the client's (psql, libpq) and the server's, English without catalogs. */
function translators(
  input: SimulateInput,
  pgVersion: number,
): { client: Translator; server: (lcMessages: string | undefined) => Translator } {
  const none = (): Translator => ({ translate: english, notes: [], locale: { locale: 'C', languages: [], ascii: false } });
  if (!input.catalogs) return { client: none(), server: none };
  const env = input.env ?? {};
  const client = makeTranslator(clientMessageLocale(env, input.localeInstalled), input.catalogs, pgVersion);
  return {
    client,
    server: (lc) => makeTranslator(serverMessageLocale(input.serverEnv ?? { LANG: 'C.UTF-8' }, lc), input.catalogs, pgVersion),
  };
}

/**
 * Why a TCP target reaches no server: another port, or an address outside listen_addresses
 * ('*' = every address, 'localhost' = the loopback addresses; other names are assumed to
 * match). Unix sockets: see reachSocket.
 */
function refusedBy(t: ConnTarget, settings: ServerSettings, serverAddr: string): string | undefined {
  if ((t.port ?? 5432) !== settings.port) return `the server listens on port ${settings.port}`;
  const addr = t.hostaddr ?? (t.host && isIpLiteral(t.host) ? t.host : serverAddr);
  const listen = settings.listenAddresses
    .split(',')
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
  if (!listen.length) return 'listen_addresses is empty: no TCP connections';
  const ok = listen.some(
    (l) =>
      l === '*' ||
      (l === '0.0.0.0' && !addr.includes(':')) ||
      (l === '::' && addr.includes(':')) ||
      l === addr.toLowerCase() ||
      (l === 'localhost' && (addr === '::1' || addr === '127.0.0.1')) ||
      (!isIpLiteral(l) && l !== 'localhost'),
  );
  return ok ? undefined : `the server listens on ${settings.listenAddresses}, not ${addr}`;
}

function isIpLiteral(h: string): boolean {
  return /^[0-9.]+$/.test(h) || h.includes(':');
}

/** SNI is sent for libpq's host unless it is an IP literal (fe-secure-openssl.c), whatever it looks like. */
function sniFor(t: ConnTarget, values: ResolvedConninfo['values'], pgWrapper: boolean): string | undefined {
  const host = psqlHost(t, pgWrapper);
  if (values.sslsni === '0' || !host || t.type === 'socket') return undefined;
  return /^[0-9.]+$/.test(host) || host.includes(':') ? undefined : host;
}

export function simulate(input: SimulateInput): SimulateResult {
  const pgVersion = input.pgVersion ?? 15;
  const at = input.at ?? new Date();
  const opensslVersion = input.opensslVersion ?? '3.0';
  const securityLevel = input.securityLevel ?? defaultSecurityLevel(opensslVersion);
  const pgWrapper = input.pgWrapper ?? true;
  const steps: SimStep[] = [];
  const serverLog: LogLine[] = [];
  let startupLines = 0;
  // messages in the client's and the server's languages (the server's once its lc_messages is known)
  const tr = translators(input, pgVersion);
  const fc = messageFormatter(tr.client.translate, pgVersion);
  let serverTr: Translator | undefined;
  let fsv: MessageFormatter = fmt;
  const result = (r: Omit<SimulateResult, 'steps' | 'serverLog' | 'connectionLog'>): SimulateResult => {
    const all = logLines(serverLog, fsv);
    const notes = [...tr.client.notes, ...(serverTr?.notes ?? [])].filter((n, i, a) => a.indexOf(n) === i);
    return { ...r, steps, serverLog: all, connectionLog: all.slice(startupLines), ...(notes.length ? { languageNotes: notes } : {}) };
  };
  const psqlError = () => `psql: ${fc(PSQL.errorPrefix)}`;

  // 2. psql hands the connection string to libpq, which tries its targets in turn until one
  // reaches a listening server (`listening` undefined: the server did not start).
  // libpq prints its password file warnings itself, before anything psql prints
  const warnings: string[] = [];
  // pg_wrapper's perl complains about a locale that is not installed before psql starts
  const perl = pgWrapper && input.localeInstalled ? perlLocaleWarning(input.env ?? {}, input.localeInstalled) : undefined;
  if (perl) warnings.push(perl);
  const stderr = (text: string) => warnings.map((w) => `${w}\n`).join('') + text;
  const osUser = input.osUser ?? input.env?.USER ?? 'postgres';
  const clientUser = input.clientUser ?? { uid: 0, gids: [0] };
  const connectTo = (
    listening: { settings: ServerSettings; sockets: ServerSockets } | undefined,
  ): { done: SimulateResult } | { conn: ResolvedConninfo; target: ConnTarget; serverAddr: string; skipped: string[] } => {
    let conn: ResolvedConninfo;
    try {
      conn = resolvePsql({
        dbname: input.conninfo,
        env: input.env ?? {},
        osUser,
        pgVersion,
        serviceFiles: serviceFilesOn(input.fs, clientUser),
        passFile: passFileOn(input.fs, clientUser),
        onWarning: (w, call) => warnings.push(call ? say(fc, call) : w),
        pgWrapperHost: pgWrapper ? DEFAULT_SOCKET_DIR : undefined,
      });
    } catch (e) {
      if (e instanceof ConninfoError) {
        steps.push({ step: 'conninfo', who: 'client', result: 'fail', detail: e.message });
        const said = e.said ? say(fc, e.said) : e.message;
        return {
          done: result({
            ok: false,
            message: said,
            psqlStderr: stderr(`${psqlError()}${said}`),
            serverStarted: true,
            attempts: [],
            fix: suggestFix({ kind: 'conninfo', message: e.message }),
            tlsTrace: [],
          }),
        };
      }
      throw e;
    }
    // libpq's host loop (fe-connect.c): a target with a bad port/hostaddr, or one where nothing
    // listens (the port or address is not the server's: "Connection refused"; a socket path the
    // server has no socket at, or one too long for sun_path), sends libpq on to the next
    // target, each failure adding its lines. A reachable target ends the loop: SSL, host-name
    // and authentication failures do not move on (error_return; checked against psql 15 in
    // simulate-oracle.test.ts and socket-oracle.test.ts). Every reachable target is the one
    // simulated server.
    const serverAddr = input.serverAddr ?? '127.0.0.1';
    const skipped: string[] = [];
    const unreachable = { tcp: false, socket: false };
    let target: ConnTarget | undefined;
    for (const t of conn.targets) {
      if (t.fatal)
        return {
          done: result({
            ok: false,
            message: [...skipped, t.fatal].join('\n'),
            psqlStderr: stderr(`${psqlError()}${[...skipped, t.fatal].join('\n')}`),
            serverStarted: true,
            attempts: [],
            tlsTrace: [],
          }),
        };
      if (t.error) {
        skipped.push(t.error);
        continue;
      }
      if (t.type === 'socket') {
        const reach = reachSocket(t.host ?? DEFAULT_SOCKET_DIR, t.port ?? 5432, listening?.sockets, fc);
        steps.push({
          step: 'connect',
          who: 'client',
          result: reach.ok ? 'ok' : 'fail',
          detail: reach.ok
            ? `Unix socket ${reach.path}`
            : reach.kind === 'too-long'
              ? `Unix socket ${reach.path}: longer than sun_path holds`
              : `Unix socket ${reach.path}: no such socket (${listening ? `the server's: ${listening.sockets.sockets.map((x) => x.path).join(', ') || 'none, unix_socket_directories is empty'}` : 'the server is not running'})`,
        });
        if (reach.ok) {
          target = t;
          break;
        }
        unreachable.socket = true;
        // the too-long message stands alone, without the "connection to server" prefix
        skipped.push(
          reach.kind === 'too-long' ? reach.message : `${attemptPrefix(t, serverAddr, t.port ?? 5432, pgVersion, fc)}${reach.message}`,
        );
        continue;
      }
      const refused = listening ? refusedBy(t, listening.settings, serverAddr) : 'the server is not running';
      if (refused) {
        steps.push({
          step: 'connect',
          who: 'client',
          result: 'fail',
          detail: `${t.hostaddr ?? t.host ?? ''} port ${t.port ?? 5432}: ${refused}`,
        });
        skipped.push(`${attemptPrefix(t, serverAddr, t.port ?? 5432, pgVersion, fc)}${fc(LIBPQ.tcpConnectFailed, 'Connection refused')}`);
        unreachable.tcp = true;
        continue;
      }
      target = t;
      break;
    }
    if (!target) {
      // psql prints the first line after "psql: error: "; SimulateResult.message drops the first prefix
      const all = skipped.join('\n');
      const first = conn.targets.find((t) => !t.error);
      const pfx = first ? attemptPrefix(first, serverAddr, first.port ?? 5432, pgVersion, fc) : '';
      return {
        done: result({
          ok: false,
          message: all.startsWith(pfx) ? all.slice(pfx.length) : all,
          psqlStderr: stderr(`${psqlError()}${all}`),
          serverStarted: true,
          attempts: [],
          fix:
            unreachable.tcp || unreachable.socket
              ? suggestFix({
                  kind: 'unreachable',
                  ...unreachable,
                  listenAddresses: listening?.settings.listenAddresses ?? '',
                  port: listening?.settings.port ?? 5432,
                  socketPaths: listening?.sockets.sockets.map((x) => x.path) ?? [],
                })
              : undefined,
          tlsTrace: [],
        }),
      };
    }
    return { conn, target, serverAddr, skipped };
  };

  // 1. The server starts (or does not), and is reloaded with the current files if asked.
  const start = startServer({ ...input, securityLevel, ...(input.startedWith ? { fs: input.startedWith } : {}) });
  // When the server does not start, psql finds nothing listening on any target ("Connection
  // refused", or no socket file): its stderr says so, and the FATAL is the server log's alone.
  const startFailed = (fatal: LogLine, cause?: StartupCause): SimulateResult => {
    startupLines = logLines(serverLog).length;
    steps.push({
      step: 'server-start',
      who: 'server',
      result: 'fail',
      detail: `${fatal.message}${fatal.detail ? ` (${fatal.detail})` : ''}`,
    });
    const fix = suggestFix({ kind: 'server-start', message: fatal.message, cause });
    if (input.startupOnly)
      return result({
        ok: false,
        message: '',
        psqlStderr: '',
        serverStarted: false,
        serverFatal: fatal.message,
        attempts: [],
        fix,
        tlsTrace: [],
      });
    const reached = connectTo(undefined);
    if ('done' in reached) return { ...reached.done, serverStarted: false, serverFatal: fatal.message, fix };
    throw new Error('unreachable: no target reaches a server that did not start');
  };
  if (!start.ok) {
    serverLog.push(...start.log);
    return startFailed(start.fatal, start.cause);
  }
  // PostmasterMain makes its sockets after be_tls_init and before load_hba, so their lines go
  // between the configuration's and pg_hba's (be_tls_init logs nothing when it succeeds).
  // Restart-only settings: a reload keeps them.
  const started = start.server.settings;
  const sockets: ServerSockets = createServerSockets(socketDirectoriesSetting(start.server.conf, input.serverOverrides), {
    port: started.port,
    dataDirectory: started.dataDirectory || input.pgdata,
    listenAddresses: started.listenAddresses,
  });
  const confLines = start.server.conf.log.length;
  serverLog.push(...start.log.slice(0, confLines), ...sockets.log);
  if (sockets.fatal) return startFailed(sockets.fatal);
  serverLog.push(...start.log.slice(confLines));
  const describeTls = (tls: ServerTls | undefined) =>
    tls
      ? `SSL on: ${tls.chain.length} certificate(s) in ${tls.certFile}, ${tls.requestClientCert ? `client certificates requested (${tls.caCerts.length} CA certificate(s))` : 'no ssl_ca_file: client certificates not requested'}${tls.crlCheckAll ? `, CRL checks on (${tls.crls.length} CRL(s))` : ''}`
      : 'SSL off';
  const listening = sockets.sockets.length
    ? `Unix sockets ${sockets.sockets.map((x) => x.path).join(', ')}`
    : 'no Unix socket (unix_socket_directories is empty)';
  steps.push({ step: 'server-start', who: 'server', result: 'ok', detail: `${describeTls(start.server.tls)}; ${listening}` });
  let server = start.server;
  // the postmaster sets LC_MESSAGES from lc_messages once it has read the configuration
  const lcMessages = () => input.serverOverrides?.lc_messages ?? server.conf.settings.get('lc_messages')?.value;
  serverTr = tr.server(lcMessages());
  fsv = messageFormatter(serverTr.translate, pgVersion);
  if (input.startedWith) {
    const reload = reloadServer(server, { ...input, securityLevel });
    serverLog.push(...reload.log);
    server = reload.server;
    steps.push({
      step: 'server-reload',
      who: 'server',
      result: reload.partial ? 'fail' : 'ok',
      detail: `pg_ctl reload: ${reload.partial ? 'partly refused, see the log' : 'applied'}; now ${describeTls(server.tls)}`,
    });
  }
  if (input.startedWith && lcMessages() !== serverTr.locale.locale) {
    // lc_messages changed by the reload
    serverTr = tr.server(lcMessages());
    fsv = messageFormatter(serverTr.translate, pgVersion);
  }
  startupLines = logLines(serverLog).length;
  if (input.startupOnly) return result({ ok: true, message: '', psqlStderr: '', serverStarted: true, attempts: [], tlsTrace: [] });

  const reached = connectTo({ settings: server.settings, sockets });
  if ('done' in reached) return reached.done;
  const { conn, target, serverAddr, skipped } = reached;
  const port = target.port ?? 5432;
  const clientAddr = input.clientAddr ?? '127.0.0.1';
  const resolver = hostsResolver(input.hosts ?? loadHostsFile(input.fs));
  const home = input.env?.HOME;
  // fe-connect.c: no SSLRequest (nor GSSENCRequest) over a Unix socket, whatever the sslmode
  const local = target.type === 'socket';
  const sslmode = local ? 'disable' : conn.sslmode;
  const serverOsUser = input.serverOsUser ?? 'postgres';
  const gssRequired = local && conn.values.gssencmode === 'require';
  steps.push({
    step: 'conninfo',
    who: 'client',
    result: 'info',
    detail: `user=${conn.user} dbname=${conn.dbname} sslmode=${conn.sslmode}${target.type === 'socket' ? ' (Unix socket: never SSL)' : ''} host=${target.host ?? ''}${target.hostaddr ? ` hostaddr=${target.hostaddr}` : ''}`,
  });
  const pwStep = passwordStep(conn, target);
  if (pwStep) steps.push(pwStep);
  // fe-auth.c: the host's password from the file, else password=/PGPASSWORD; empty is none
  const password = (target.password ?? conn.values.password) || undefined;
  const passfileUsed: PassLookup | undefined = target.passLookup;
  // pgpassfileWarning names the file after a 28P01 when this host's password came from it
  const retrieved =
    target.password !== undefined && conn.passfile.kind === 'read' ? `\n${fc(LIBPQ.passfileRetrieved, conn.passfile.path)}` : '';
  const rolePassword = input.rolePasswords && Object.hasOwn(input.rolePasswords, conn.user) ? input.rolePasswords[conn.user] : undefined;

  const attempts: AttemptReport[] = [];
  let lastTrace: TraceEntry[] = [];
  // The fix answers the SSL attempt's failure when there was one: under prefer/allow the
  // plaintext attempt's error is only the fallback's.
  let facts: FailureFacts | undefined;
  let sslFacts: FailureFacts | undefined;
  let n = 0;
  // after an 'N' answer libpq goes on in plaintext on the same socket: no new connection
  let sameSocket = false;
  // OpenSSL's default password callback prompts (twice, on stderr without a terminal)
  // when a client key is encrypted and no sslpassword is given
  let prompts = '';
  // the pg_stat_ssl row of the attempt that connected
  let statRow: PgStatSslRow | undefined;

  const attempt = (kind: AttemptKind): AttemptOutcome => {
    n++;
    const report: AttemptReport = { kind, ok: false };
    attempts.push(report);
    const done = (o: AttemptOutcome): AttemptOutcome => {
      if (kind === 'ssl' && !o.ok && facts) sslFacts = facts;
      report.ok = o.ok;
      report.stage = o.stage;
      report.message = o.message;
      return o;
    };
    // libpq's checks on a Unix socket (fe-connect.c): from 17 gssencmode=require fails before
    // connect(); before 17, requirepeer then the GSS check come after it, before the startup packet
    const refuse = (why: 'requirepeer' | 'gss', def: MessageDef, ...args: string[]): AttemptOutcome => {
      const message = fmt(def, ...args);
      steps.push({ step: 'socket-check', who: 'client', attempt: n, result: 'fail', detail: message });
      facts = { kind: 'local-refused', why, message, serverOsUser };
      return done({ kind, ok: false, stage: 'connection-check', message: fc(def, ...args) });
    };
    if (gssRequired && pgVersion >= 17) return refuse('gss', LIBPQ.gssRequiredLocal);
    // BackendInitialize: with log_hostname the client is looked up by name for the log
    const atStart = local ? undefined : clientHostAtStart(clientAddr, resolver, server.logHostname);
    if (server.logConnections && !sameSocket) {
      serverLog.push({
        level: 'LOG',
        message: local
          ? fsv(SERVER.connectionReceivedLocal, '[local]')
          : fsv(SERVER.connectionReceived, atStart!.remoteHost, '<client port>'),
      });
    }
    sameSocket = false;
    if (local) {
      const requirepeer = conn.values.requirepeer;
      if (requirepeer && requirepeer !== serverOsUser) return refuse('requirepeer', LIBPQ.requirePeerMismatch, requirepeer, serverOsUser);
      if (gssRequired) return refuse('gss', LIBPQ.gssRequiredImpossible);
    }
    let peerCert: Certificate | undefined;
    let certSent = false;
    let tlsInfo: { protocol: string; cipher: string; bits: number } | undefined;
    if (kind === 'ssl') {
      steps.push({
        step: 'ssl-request',
        who: 'both',
        attempt: n,
        result: server.tls ? 'ok' : 'fail',
        detail: server.tls ? "SSLRequest answered 'S'" : "SSLRequest answered 'N' (ssl = off)",
      });
      if (!server.tls) {
        if (sslmode === 'require' || sslmode === 'verify-ca' || sslmode === 'verify-full') {
          facts = { kind: 'ssl-refused' };
          return done({ kind, ok: false, stage: 'ssl-refused', message: fc(LIBPQ.serverNoSsl) });
        }
        sameSocket = true;
        return done({ kind, ok: false, stage: 'ssl-refused' });
      }
      const prep = prepareClientTls(libpqSslOptions(conn, sslmode), {
        fs: input.fs,
        home,
        user: clientUser,
        pgVersion,
        sslCertFile: input.env?.SSL_CERT_FILE,
        sslCertDir: input.env?.SSL_CERT_DIR,
        securityLevel,
      });
      if (!prep.ok) {
        steps.push({ step: 'client-ssl-setup', who: 'client', attempt: n, result: 'fail', detail: prep.message });
        serverLog.push({ level: 'LOG', message: fsv(SERVER.acceptSslEof) });
        facts = { kind: 'client-setup', message: prep.message, cause: prep.cause };
        const c = prep.cause;
        if (!conn.values.sslpassword && c.kind === 'file' && c.option === 'sslkey' && c.why === 'processingError')
          prompts = 'Enter PEM pass phrase:\n'.repeat(2);
        return done({ kind, ok: false, stage: 'client-setup', message: fc(prep.said.def, ...prep.said.args) });
      }
      describeClientTls(prep.tls, steps, n);
      const hs = runPgHandshake({
        client: prep.tls,
        server: server.tls,
        serverName: sniFor(target, conn.values, pgWrapper),
        clientMinVersion: (conn.sslMinProtocolVersion || 'TLSv1.2') as TlsVersionName,
        clientMaxVersion: (conn.sslMaxProtocolVersion || 'TLSv1.3') as TlsVersionName,
        at,
        opensslVersion,
        seed: `${input.conninfo}|${n}`,
      });
      report.handshake = hs;
      lastTrace = hs.trace;
      describeHandshake(hs, steps, n);
      if (!hs.ok) {
        const noProtocol = hs.serverReason === 'unsupported protocol';
        serverLog.push({
          level: 'LOG',
          message: hs.serverReason === undefined || hs.serverEof ? fsv(SERVER.acceptSslEof) : fsv(SERVER.acceptSsl, hs.serverReason),
          // 16+: which client certificate failed verification, and why
          detail: clientCertErrorDetail(hs.clientVerify, pgVersion, opensslVersion),
          // be-secure-openssl.c: the server's configured range, OpenSSL's limits when unset
          hint: noProtocol
            ? fsv(SERVER.acceptSslProtoHint, server.settings.ssl.minProtocol || 'TLSv1', server.settings.ssl.maxProtocol || 'TLSv1.3')
            : undefined,
        });
        // libpq's own words translated, OpenSSL's reason as OpenSSL prints it (English)
        let printed = hs.clientSslError !== undefined ? fc(LIBPQ.sslError, hs.clientSslError) : fc(LIBPQ.sslSyscallEof);
        if (noProtocol && hs.clientMessage) {
          const hint = [conn.sslMinProtocolVersion || 'TLSv1.2', conn.sslMaxProtocolVersion || 'TLSv1.3'];
          hs.clientMessage += `\n${fmt(LIBPQ.protoHint, ...hint)}`;
          printed += `\n${fc(LIBPQ.protoHint, ...hint)}`;
        }
        facts = {
          kind: 'handshake',
          handshake: hs,
          clientTls: prep.tls,
          certFile: server.tls.certFile,
          serverHas: [
            ...server.tls.caCerts.map((c) => ({ cert: c, source: server.settings.ssl.caFile })),
            ...certificatesIn(input.fs, server.settings.dataDirectory || input.pgdata),
          ],
        };
        const late = !hs.tls12 && hs.clientVerify !== undefined && !hs.clientVerify.ok;
        return done({ kind, ok: false, stage: late ? 'alert-after-handshake' : 'handshake', message: printed });
      }
      // verify-full: libpq checks the name after the handshake (host, never hostaddr).
      if (sslmode === 'verify-full') {
        // hostaddr without host: psql's pg_wrapper gives libpq the socket directory as host
        const host = psqlHost(target, pgWrapper) ?? '';
        if (!host) {
          facts = { kind: 'host-name', message: LIBPQ.hostNameMissing.format };
          return done({ kind, ok: false, stage: 'host-name', message: fc(LIBPQ.hostNameMissing) });
        }
        const hr = libpqVerifyHost(hs.serverChain[0], host, Math.min(18, Math.max(13, pgVersion)) as PgMajor);
        steps.push({
          step: 'host-name',
          who: 'client',
          attempt: n,
          result: hr.ok ? 'ok' : 'fail',
          detail: hr.ok ? `"${host}" matches the certificate (${hr.namesExamined} name(s) examined)` : hr.message!,
        });
        if (!hr.ok) {
          facts = { kind: 'host-name', message: hr.message!, host, cert: hs.serverChain[0] };
          return done({
            kind,
            ok: false,
            stage: 'host-name',
            message: hr.why ? fc(HOST_MESSAGE_DEFS[hr.why.id] ?? hr.message!, ...hr.why.args) : hr.message,
          });
        }
      }
      peerCert = hs.peerCert;
      certSent = server.tls.requestClientCert && prep.tls.certChain.length > 0;
      tlsInfo = hs.negotiated
        ? { protocol: 'TLSv1.3', cipher: hs.negotiated.cipherSuite, bits: hs.negotiated.bits }
        : { protocol: 'TLSv1.2', ...tls12Cipher(server.tls.key) };
    }
    // Startup packet: pg_hba and authentication.
    const authInput = {
      hba: server.hba.lines,
      ident: server.ident.lines,
      pgVersion,
      clientAddr,
      resolver,
      clientHost: atStart?.clientHost,
      local,
      peerUser: osUser,
      user: conn.user,
      database: conn.dbname,
      ssl: kind === 'ssl',
      caLoaded: server.tls?.requestClientCert ?? false,
      peerCert,
      password,
      rolePassword,
      logConnections: server.logConnections,
      tlsInfo,
      applicationName: conn.values.application_name ?? conn.values.fallback_application_name ?? 'psql',
    };
    // the server's words for its log and the FATAL it sends; English for the steps and the fix
    const decision = clientAuthentication(authInput);
    const authEn = sayAuth(decision);
    const auth = fsv === fmt ? authEn : sayAuth(decision, fsv);
    serverLog.push(...auth.log);
    if (auth.clientHost?.lookups.length) {
      const h = auth.clientHost;
      const found = hostnameLookupDetail(h);
      const unmatched = h.resolv === 0 && h.name !== undefined ? ` (no host name in pg_hba.conf matches "${h.name}")` : '';
      steps.push({
        step: 'client-host-name',
        who: 'server',
        attempt: n,
        result: 'info',
        detail: `${h.lookups.join('; ')}${found ? ` => ${found}${unmatched}` : ''}`,
      });
    }
    steps.push({
      step: 'authentication',
      who: 'server',
      attempt: n,
      result: auth.ok ? 'ok' : 'fail',
      detail: auth.ok
        ? `pg_hba.conf line ${auth.line.lineNum} (${auth.line.rawLine}) accepts ${conn.user}@${conn.dbname}`
        : `${auth.line ? `pg_hba.conf line ${auth.line.lineNum} (${auth.line.rawLine}): ` : ''}${authEn.ok ? '' : authEn.fatal}`,
    });
    if (auth.ok) {
      // fe-auth.c (libpq 16+): sslcertmode=require wants proof a certificate was sent
      if (kind === 'ssl' && pgVersion >= 16 && conn.sslcertmode === 'require' && !certSent) {
        return done({ kind, ok: false, stage: 'client-cert-not-sent', message: fc(LIBPQ.certNotAccepted) });
      }
      // pgstat_bestart, the end of backend start: the pg_stat_ssl row
      const stat = pgStatSslRow(tlsInfo && { version: tlsInfo.protocol, cipher: tlsInfo.cipher, bits: tlsInfo.bits, peerCert }, pgVersion);
      if (!stat.ok) {
        serverLog.push({ level: 'FATAL', message: stat.error });
        steps.push({
          step: 'pg-stat-ssl',
          who: 'server',
          attempt: n,
          result: 'fail',
          detail: `building the pg_stat_ssl row raises ERROR "${stat.error}" (a client certificate name attribute OpenSSL has no name for): the backend exits`,
        });
        facts = {
          kind: 'auth',
          failure: 'stat-ssl',
          message: stat.error,
          line: auth.line.rawLine,
          ssl: true,
          user: conn.user,
          database: conn.dbname,
          clientAddr,
          peerCert,
        };
        // after AuthenticationOk: libpq does not retry in plaintext
        return done({ kind, ok: false, stage: 'alert-after-handshake', message: `${fsv(ELOG.FATAL)}:  ${stat.error}` });
      }
      statRow = stat.row;
      for (const t of stat.truncated) {
        steps.push({
          step: 'pg-stat-ssl',
          who: 'server',
          attempt: n,
          result: 'info',
          detail: `${t.column} "${t.full}" is ${t.bytes} bytes: pg_stat_ssl keeps the first 63 (strlcpy into NAMEDATALEN)${t.split ? ', ending inside a UTF-8 character whose partial bytes psql does not print' : ''}`,
        });
      }
      return done({ kind, ok: true });
    }
    facts = {
      kind: 'auth',
      failure: auth.failure,
      method: auth.line?.method,
      message: authEn.ok ? auth.fatal : authEn.fatal,
      line: auth.line?.rawLine,
      ssl: kind === 'ssl',
      user: conn.user,
      database: conn.dbname,
      clientAddr,
      local,
      osUser,
      usermap: auth.line?.usermap,
      peerCert,
      passfile: passfileUsed,
      passwordRefused: auth.passwordRefused,
    };
    if (auth.needsPassword) return done({ kind, ok: false, stage: 'client-auth', message: fc(LIBPQ.noPasswordSupplied) });
    // pqGetErrorNotice3: the server's (localized) severity, then its message as it sent it
    return done({
      kind,
      ok: false,
      stage: 'server-error',
      message: `${fsv(ELOG.FATAL)}:  ${auth.fatal}${auth.sqlstate === '28P01' ? retrieved : ''}`,
    });
  };

  const outcomes = runLadder(sslmode, attempt);
  const last = outcomes[outcomes.length - 1];
  if (last.ok) {
    return result({
      ok: true,
      message: '',
      psqlStderr: warnings.join('\n'),
      serverStarted: true,
      attempts,
      tlsTrace: lastTrace,
      pgStatSsl: statRow,
    });
  }
  const prefix = attemptPrefix(target, serverAddr, port, pgVersion, fc);
  const failed = outcomes.filter((o) => !o.ok && o.message);
  const own = failed.map((o) => `${prefix}${o.message!}`);
  const full = [...skipped, ...own].join('\n');
  const message = skipped.length ? full : own.join('\n').slice(prefix.length);
  return result({
    ok: false,
    message,
    psqlStderr: stderr(`${prompts}${psqlError()}${full}`),
    serverStarted: true,
    attempts,
    fix: sslFacts || facts ? suggestFix((sslFacts ?? facts)!) : undefined,
    tlsTrace: lastTrace,
  });
}

function describeClientTls(tls: ClientTls, steps: SimStep[], n: number): void {
  steps.push({
    step: 'client-ssl-setup',
    who: 'client',
    attempt: n,
    result: 'ok',
    detail: [
      tls.verifyPeer
        ? `verifies the server against ${tls.rootFile === 'system' ? "OpenSSL's default trust store (sslrootcert=system)" : tls.rootFile} (${tls.trusted.length} certificate(s))`
        : 'no root certificate file: the server certificate is not verified',
      tls.crlCheckAll ? `CRL checks on (${tls.crls.length} CRL(s))` : undefined,
      tls.certChain.length
        ? `client certificate ${formatNameOneline(tls.certChain[0].subject)} from ${tls.certFile}`
        : 'no client certificate',
    ]
      .filter(Boolean)
      .join('; '),
  });
}

function describeHandshake(hs: HandshakeOutcome, steps: SimStep[], n: number): void {
  const chain = hs.serverChain.map((c) => formatNameOneline(c.subject)).join(' <- ');
  steps.push({
    step: 'server-certificate',
    who: 'server',
    attempt: n,
    result: 'info',
    detail: `sent ${hs.serverChain.length} certificate(s): ${chain}`,
  });
  if (hs.serverVerify) {
    const e = hs.serverVerify.error;
    steps.push({
      step: 'verify-server-chain',
      who: 'client',
      attempt: n,
      result: hs.serverVerify.ok ? 'ok' : 'fail',
      detail: hs.serverVerify.ok
        ? `chain of ${hs.serverVerify.chain.length} verified (purpose sslserver)`
        : `error ${e!.code} at depth ${e!.depth}: ${e!.message}`,
    });
  }
  if (hs.clientVerify) {
    const e = hs.clientVerify.error;
    steps.push({
      step: 'verify-client-chain',
      who: 'server',
      attempt: n,
      result: hs.clientVerify.ok ? 'ok' : 'fail',
      detail: hs.clientVerify.ok ? `client chain verified (purpose sslclient)` : `error ${e!.code} at depth ${e!.depth}: ${e!.message}`,
    });
  }
  steps.push({
    step: 'tls-handshake',
    who: 'both',
    attempt: n,
    result: hs.ok ? 'ok' : 'fail',
    detail: hs.ok
      ? hs.negotiated
        ? `TLSv1.3 ${hs.negotiated.cipherSuite}, ${hs.negotiated.group}${hs.negotiated.helloRetryRequest ? ` after a HelloRetryRequest (${hs.groupsSource} allows no group of libpq's key share)` : ''}, server signature ${hs.negotiated.peerSignatureScheme ?? '?'}${hs.negotiated.clientCertificateRequested ? ', client certificate requested' : ''}`
        : 'TLSv1.2 would be negotiated (certificate checks applied; no TLS 1.2 handshake is run)'
      : `${hs.clientMessage ?? ''}${hs.serverReason ? ` / server: ${hs.serverReason}` : ''}`,
  });
}
