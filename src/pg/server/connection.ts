// What the server does with a connection once the transport is settled (a Unix socket,
// plain TCP, or TLS with the client's certificate already verified): ClientAuthentication in
// auth.c — the pg_hba line (a socket matches only `local` lines, TCP never does), the
// clientcert check, the method, CheckCertAuth (CN or DN, directly or through a pg_ident map),
// auth_peer (the client's OS user name from the kernel, directly or through a map), the
// password methods (checked against the role's password when it is known) — with the
// LOG/FATAL lines in the order PostgreSQL 15 writes them (checked against a real server: see
// test/pg/simulate-oracle.test.ts, test/pg/pgpass-oracle.test.ts and
// test/pg/socket-oracle.test.ts).

import { commonNames, formatNameRfc2253, type Certificate } from '../../x509/index.js';
import { hbaRejectSaid, matchHbaLine, noHbaEntrySaid } from '../config/hba-match.js';
import type { HbaLine } from '../config/hba-parse.js';
import { hostnameLookupDetail, type ClientHostName } from '../config/hba-hostname.js';
import type { NameResolver } from '../config/hosts.js';
import { checkUsermap, type IdentLine } from '../config/ident.js';
import { fmt, LIBPQ, said, say, SERVER, type MessageCall, type MessageDef, type MessageFormatter, type Text } from '../messages.js';
import { sayLog, type LogEntry, type LogLine } from '../log.js';

export interface ServerAuthInput {
  hba: HbaLine[];
  ident: IdentLine[];
  pgVersion: number;
  /** the client's address; unused over a Unix socket */
  clientAddr: string;
  /** the server's host-name lookups (pg_hba host-name lines): the hosts file */
  resolver?: NameResolver;
  /** what BackendInitialize already knows of the client's name (log_hostname: clientHostAtStart) */
  clientHost?: ClientHostName;
  /** the connection came in on a Unix-domain socket (pg_hba `local` lines, host "[local]") */
  local?: boolean;
  /**
   * Over a Unix socket: the client's OS user name, as getpeereid() and getpwuid() give it
   * to auth_peer
   */
  peerUser?: string;
  user: string;
  database: string;
  /** the connection runs over TLS */
  ssl: boolean;
  /** ssl_ca_file is set (ssl_loaded_verify_locations) */
  caLoaded: boolean;
  /** the client's certificate, present only when it passed verification in the handshake */
  peerCert?: Certificate;
  /** the client will answer a password request with this (psql -w without a password cannot) */
  password?: string;
  /** the role's password; undefined: unknown, and any password is taken as right */
  rolePassword?: RolePassword;
  /** write the log_connections lines */
  logConnections: boolean;
  /** TLS parameters for the "connection authorized" line */
  tlsInfo?: { protocol: string; cipher: string; bits: number };
  applicationName: string;
  /** formats (and translates, per the server's lc_messages) the messages; default English */
  msg?: MessageFormatter;
}

/**
 * A role's password as the server keeps it: what ALTER ROLE ... PASSWORD set (null: none,
 * as CREATE ROLE leaves it), stored as password_encryption said at the time (a plain
 * string: scram-sha-256, the default since PostgreSQL 14).
 */
export type RolePassword = string | null | { password: string | null; storedAs: 'scram-sha-256' | 'md5' };

/** Why a password was refused: not the role's, the role has none, or SCRAM against an MD5 hash. */
export type PasswordRefusal = 'mismatch' | 'no-password' | 'no-scram-secret';

/**
 * Why the server refused the connection, as a value (fix.ts and simulate read this, never the
 * FATAL's words): no pg_hba line matched, a `reject` line matched, clientcert without
 * ssl_ca_file or without a verified client certificate, the method refused (peer, cert,
 * a password, a clientcert=verify-full name), the client has no password to send, or a
 * method pgtls does not model.
 */
export type AuthFailure =
  | 'no-hba-entry'
  | 'hba-reject'
  | 'cert-store-missing'
  | 'cert-required'
  | 'method-failed'
  | 'no-password'
  | 'not-simulated';

/**
 * ClientAuthentication's verdict with its texts still messages (clientAuthentication):
 * printed once per language, English for the steps, the server's lc_messages for its log.
 */
export type AuthDecision =
  | { ok: true; log: LogEntry[]; line: HbaLine; clientHost?: ClientHostName }
  | {
      ok: false;
      failure: AuthFailure;
      /** what check_hba's host-name lookups found (undefined over a Unix socket) */
      clientHost?: ClientHostName;
      log: LogEntry[];
      /** the FATAL the client receives (psql prints `FATAL:  <message>`) */
      fatal: Text;
      sqlstate: string;
      /** why the server refused the password the client sent */
      passwordRefused?: PasswordRefusal;
      line?: HbaLine;
    };

/** The decision printed in one language (`authenticate`). */
export type ServerAuthResult =
  | { ok: true; log: LogLine[]; line: HbaLine; clientHost?: ClientHostName }
  | {
      ok: false;
      failure: AuthFailure;
      clientHost?: ClientHostName;
      log: LogLine[];
      fatal: string;
      sqlstate: string;
      /** the client cannot go on without a password (no FATAL is sent: libpq gives up) */
      needsPassword?: boolean;
      passwordRefused?: PasswordRefusal;
      line?: HbaLine;
    };

/** auth.c auth_failed(): the message per method. */
const AUTH_FAILED: Partial<Record<HbaLine['method'], { message: MessageDef; sqlstate: string }>> = {
  trust: { message: SERVER.authFailedTrust, sqlstate: '28000' },
  cert: { message: SERVER.authFailedCert, sqlstate: '28000' },
  password: { message: SERVER.authFailedPassword, sqlstate: '28P01' },
  md5: { message: SERVER.authFailedPassword, sqlstate: '28P01' },
  'scram-sha-256': { message: SERVER.authFailedPassword, sqlstate: '28P01' },
  peer: { message: SERVER.authFailedPeer, sqlstate: '28000' },
};

const PASSWORD_METHODS = new Set<HbaLine['method']>(['password', 'md5', 'scram-sha-256']);

/**
 * How the password is checked (CheckPasswordAuth; CheckPWChallengeAuth: an md5 line does
 * the MD5 exchange only for an MD5 verifier, SCRAM otherwise) and the DETAIL logged when it
 * is wrong: the plain and MD5 comparisons say so, a failed SCRAM proof says nothing.
 */
const EXCHANGE: Record<'plain' | 'md5' | 'scram', { mismatch?: MessageDef }> = {
  plain: { mismatch: SERVER.passwordMismatch },
  md5: { mismatch: SERVER.passwordMismatch },
  scram: {},
};

/** The server's verdict on the password the client sent, with the DETAIL line when it refuses. */
function checkPassword(
  method: HbaLine['method'],
  user: string,
  sent: string,
  role: RolePassword,
): { refused?: PasswordRefusal; detail?: MessageCall } {
  const { password, storedAs } = typeof role === 'object' && role !== null ? role : { password: role, storedAs: 'scram-sha-256' as const };
  if (password === null) return { refused: 'no-password', detail: said(SERVER.noPasswordAssigned, user) };
  const exchange = method === 'password' ? 'plain' : method === 'md5' && storedAs === 'md5' ? 'md5' : 'scram';
  // SCRAM cannot use an MD5 hash: the mock exchange fails whatever the password
  if (exchange === 'scram' && storedAs !== 'scram-sha-256') return { refused: 'no-scram-secret', detail: said(SERVER.noScramSecret, user) };
  if (sent === password) return {};
  const mismatch = EXCHANGE[exchange].mismatch;
  return { refused: 'mismatch', detail: mismatch && said(mismatch, user) };
}

/** set_authn_id's line (log_connections): who the method says the client is. */
function authenticatedAs(identity: string, line: HbaLine): MessageCall {
  return said(SERVER.connectionAuthenticated, identity, line.method, line.file, line.lineNum);
}

/**
 * auth_peer: the kernel's user name for the client's uid is the identity (set_authn_id, 14+),
 * then check_usermap compares it with the requested role, or maps it with map=.
 */
function checkPeerAuth(input: ServerAuthInput, line: HbaLine, log: LogEntry[]): boolean {
  const osUser = input.peerUser ?? '';
  if (input.logConnections && input.pgVersion >= 14) log.push({ level: 'LOG', message: authenticatedAs(osUser, line) });
  const r = checkUsermap(input.ident, line.usermap, input.user, osUser, false, { pgVersion: input.pgVersion });
  if (!r.ok) log.push(...r.log);
  return r.ok;
}

function connectionMatched(line: HbaLine, version: number): MessageCall {
  return version >= 16
    ? said(SERVER.connectionMatchedFile, line.file, line.lineNum, line.rawLine)
    : said(SERVER.connectionMatched, line.lineNum, line.rawLine);
}

/** CheckCertAuth: the certificate's CN or DN must be (or map to) the user. */
function checkCertAuth(input: ServerAuthInput, line: HbaLine, log: LogEntry[]): boolean {
  const cert = input.peerCert!;
  const name = line.clientname === 'DN' ? formatNameRfc2253(cert.subject) : (commonNames(cert.subject)[0] ?? '');
  if (!name) {
    log.push({ level: 'LOG', message: said(SERVER.certNoUserName, input.user) });
    return false;
  }
  if (line.method === 'cert' && input.logConnections && input.pgVersion >= 14) {
    // set_authn_id (14+): the identity is the full DN, whatever clientname says
    log.push({ level: 'LOG', message: authenticatedAs(formatNameRfc2253(cert.subject), line) });
  }
  const r = checkUsermap(input.ident, line.usermap, input.user, name, false, { pgVersion: input.pgVersion });
  if (r.ok) return true;
  log.push(...r.log);
  if (line.method !== 'cert') {
    log.push({ level: 'LOG', message: said(SERVER.certValidationFailed, input.user, line.clientname) });
  }
  return false;
}

/** ClientAuthentication, its texts kept as messages: print them with `sayAuth` in each language. */
export function clientAuthentication(input: ServerAuthInput): AuthDecision {
  const log: LogEntry[] = [];
  const conn = input.local
    ? { connType: 'local' as const, ssl: false, database: input.database, user: input.user }
    : {
        connType: 'host' as const,
        ssl: input.ssl,
        addr: input.clientAddr,
        database: input.database,
        user: input.user,
        resolver: input.resolver,
        clientHost: input.clientHost,
      };
  const m = matchHbaLine(input.hba, conn, { pgVersion: input.pgVersion });
  const clientHost = input.local ? undefined : m.clientHost;
  if (!m.matched) {
    const fatal = noHbaEntrySaid(conn, input.pgVersion);
    // only the implicit reject says what the host-name lookups found (errdetail_log)
    log.push({ level: 'FATAL', message: fatal, detail: clientHost && hostnameLookupDetail(clientHost) });
    return { ok: false, failure: 'no-hba-entry', log, fatal, sqlstate: m.sqlstate, clientHost };
  }
  const line = m.line;
  const fail = (failure: AuthFailure, message: Text, sqlstate: string, detail?: Text, passwordRefused?: PasswordRefusal): AuthDecision => {
    log.push({ level: 'FATAL', message, detail });
    return { ok: false, failure, log, fatal: message, sqlstate, line, clientHost, ...(passwordRefused ? { passwordRefused } : {}) };
  };
  if (line.method === 'reject') return fail('hba-reject', hbaRejectSaid(conn, input.pgVersion), '28000');

  const clientcert = line.method === 'cert' ? 'verify-full' : line.clientcert;
  if (clientcert !== 'off') {
    if (!input.caLoaded) return fail('cert-store-missing', said(SERVER.certStoreMissing), '28000');
    if (!input.peerCert) return fail('cert-required', said(SERVER.certRequired), '28000');
  }

  let ok: boolean;
  let passwordRefused: PasswordRefusal | undefined;
  // what auth_failed logs before "Connection matched ..."
  let logdetail: MessageCall | undefined;
  if (line.method === 'trust') ok = true;
  else if (line.method === 'cert') ok = checkCertAuth(input, line, log);
  else if (line.method === 'peer') ok = checkPeerAuth(input, line, log);
  else if (PASSWORD_METHODS.has(line.method)) {
    if (input.password === undefined) {
      // libpq closes the connection on the password request; the backend logs nothing more.
      return { ok: false, failure: 'no-password', log, fatal: said(LIBPQ.noPasswordSupplied), sqlstate: '', line, clientHost };
    }
    const verdict = input.rolePassword === undefined ? {} : checkPassword(line.method, input.user, input.password, input.rolePassword);
    passwordRefused = verdict.refused;
    logdetail = verdict.detail;
    ok = !passwordRefused;
    // set_authn_id (14+): the identity of a password method is the user name
    if (ok && input.logConnections && input.pgVersion >= 14) {
      log.push({ level: 'LOG', message: authenticatedAs(input.user, line) });
    }
  } else {
    return fail('not-simulated', `authentication method "${line.method}" is not simulated by pgtls`, '28000');
  }
  if (ok && clientcert === 'verify-full' && line.method !== 'cert') ok = checkCertAuth(input, line, log);
  if (!ok) {
    const failed = AUTH_FAILED[line.method];
    const matched = connectionMatched(line, input.pgVersion);
    const message = failed ? said(failed.message, input.user) : said(SERVER.authFailed, line.method, input.user);
    return fail('method-failed', message, failed?.sqlstate ?? '28000', logdetail ? [logdetail, matched] : matched, passwordRefused);
  }
  // auth.c ClientAuthentication (17+): a method that set no authenticated identity (trust)
  // is logged here, with the requested user name (real 17 and 18 log
  // `connection authenticated: user="alice" method=trust (/path/pg_hba.conf:1)`; 16 does not)
  if (input.logConnections && input.pgVersion >= 17 && line.method === 'trust') {
    log.push({ level: 'LOG', message: said(SERVER.connectionAuthenticatedUser, input.user, line.method, line.file, line.lineNum) });
  }
  if (input.logConnections) {
    // 13 also says compression=off (SSL compression was removed in 14)
    const ssl = !input.tlsInfo
      ? ''
      : input.pgVersion < 14
        ? said(SERVER.sslInfoCompression, input.tlsInfo.protocol, input.tlsInfo.cipher, input.tlsInfo.bits, 'off')
        : said(SERVER.sslInfo, input.tlsInfo.protocol, input.tlsInfo.cipher, input.tlsInfo.bits);
    log.push({ level: 'LOG', message: said(SERVER.connectionAuthorized, input.user, input.database, input.applicationName, ssl) });
  }
  return { ok: true, log, line, clientHost };
}

/** The decision in the language of `f` (English by default). */
export function sayAuth(d: AuthDecision, f: MessageFormatter = fmt): ServerAuthResult {
  if (d.ok) return { ...d, log: sayLog(d.log, f) };
  return { ...d, log: sayLog(d.log, f), fatal: say(f, d.fatal), ...(d.failure === 'no-password' ? { needsPassword: true } : {}) };
}

/** ClientAuthentication printed in one language: `input.msg`, English by default. */
export function authenticate(input: ServerAuthInput): ServerAuthResult {
  return sayAuth(clientAuthentication(input), input.msg);
}
