// The end of a connection attempt, after the startup packet: the server's pg_hba match and
// authentication (server/connection.ts, decided once and printed in English for the steps
// and in the server's language for its log and the FATAL psql shows), then, when it
// accepts, libpq 16+'s sslcertmode=require check and the backend's pg_stat_ssl row
// (pgstat_bestart), which can still end the session.

import { hostnameLookupDetail, type ClientHostName } from '../config/hba-hostname.js';
import { ELOG, fmt, LIBPQ, say } from '../messages.js';
import { clientAuthentication, sayAuth } from '../server/connection.js';
import { pgStatSslRow, type PgStatSslRow } from '../server/stat-ssl.js';
import type { Connection, PhaseEnd, SimStep, Transport } from './types.js';

export function authenticationPhase(
  c: Connection,
  n: number,
  transport: Transport,
  clientHost: ClientHostName | undefined,
): PhaseEnd & { statRow?: PgStatSslRow } {
  const { conn, server, run } = c;
  const { pgVersion, clientAddr, osUser } = run;
  const decision = clientAuthentication({
    hba: server.hba.lines,
    ident: server.ident.lines,
    pgVersion,
    clientAddr,
    resolver: c.resolver,
    clientHost,
    local: c.local,
    peerUser: osUser,
    user: conn.user,
    database: conn.dbname,
    ssl: transport.ssl,
    caLoaded: server.tls?.requestClientCert ?? false,
    peerCert: transport.peerCert,
    password: c.password,
    rolePassword: c.rolePassword,
    logConnections: server.logConnections,
    tlsInfo: transport.tlsInfo,
    applicationName: conn.values.application_name ?? conn.values.fallback_application_name ?? 'psql',
  });
  // the server's words for its log and the FATAL it sends; English for the steps and the fix
  const english = sayAuth(decision);
  const auth = c.lang.server === fmt ? english : sayAuth(decision, c.lang.server);
  const steps: SimStep[] = [];
  const log = [...auth.log];
  const h = auth.clientHost;
  if (h?.lookups.length) {
    const detail = hostnameLookupDetail(h);
    const found = detail && say(fmt, detail);
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
      : `${auth.line ? `pg_hba.conf line ${auth.line.lineNum} (${auth.line.rawLine}): ` : ''}${english.ok ? '' : english.fatal}`,
  });
  if (auth.ok) return backendStart(c, n, transport, auth.line.rawLine, { steps, log });
  const facts = {
    kind: 'auth' as const,
    failure: auth.failure,
    method: auth.line?.method,
    message: english.ok ? auth.fatal : english.fatal,
    line: auth.line?.rawLine,
    ssl: transport.ssl,
    user: conn.user,
    database: conn.dbname,
    clientAddr,
    local: c.local,
    osUser,
    usermap: auth.line?.usermap,
    peerCert: transport.peerCert,
    passfile: c.target.passLookup,
    passwordRefused: auth.passwordRefused,
  };
  // libpq gives up on the password request: no FATAL reaches it
  if (auth.failure === 'no-password')
    return { steps, log, failure: { stage: 'client-auth', message: c.lang.client(LIBPQ.noPasswordSupplied), facts } };
  // pqGetErrorNotice3: the server's (localized) severity, then its message as it sent it
  const message = `${c.lang.server(ELOG.FATAL)}:  ${auth.fatal}${auth.sqlstate === '28P01' ? c.retrieved : ''}`;
  return { steps, log, failure: { stage: 'server-error', message, facts } };
}

/** After AuthenticationOk: libpq's sslcertmode=require check, then the backend's pg_stat_ssl row. */
function backendStart(
  c: Connection,
  n: number,
  transport: Transport,
  hbaLine: string,
  sofar: { steps: SimStep[]; log: PhaseEnd['log'] },
): PhaseEnd & { statRow?: PgStatSslRow } {
  const { steps, log } = sofar;
  const { pgVersion, clientAddr } = c.run;
  // fe-auth.c (libpq 16+): sslcertmode=require wants proof a certificate was sent
  if (transport.ssl && pgVersion >= 16 && c.conn.sslcertmode === 'require' && !transport.certSent)
    return { steps, log, failure: { stage: 'client-cert-not-sent', message: c.lang.client(LIBPQ.certNotAccepted) } };
  // pgstat_bestart, the end of backend start: the pg_stat_ssl row
  const tlsInfo = transport.tlsInfo;
  const peerCert = transport.peerCert;
  const stat = pgStatSslRow(tlsInfo && { version: tlsInfo.protocol, cipher: tlsInfo.cipher, bits: tlsInfo.bits, peerCert }, pgVersion);
  if (!stat.ok) {
    log.push({ level: 'FATAL', message: stat.error });
    steps.push({
      step: 'pg-stat-ssl',
      who: 'server',
      attempt: n,
      result: 'fail',
      detail: `building the pg_stat_ssl row raises ERROR "${stat.error}" (a client certificate name attribute OpenSSL has no name for): the backend exits`,
    });
    const facts = {
      kind: 'auth' as const,
      failure: 'stat-ssl' as const,
      message: stat.error,
      line: hbaLine,
      ssl: true,
      user: c.conn.user,
      database: c.conn.dbname,
      clientAddr,
      peerCert,
    };
    // after AuthenticationOk: libpq does not retry in plaintext
    const message = `${c.lang.server(ELOG.FATAL)}:  ${stat.error}`;
    return { steps, log, failure: { stage: 'alert-after-handshake', message, facts } };
  }
  for (const t of stat.truncated) {
    steps.push({
      step: 'pg-stat-ssl',
      who: 'server',
      attempt: n,
      result: 'info',
      detail: `${t.column} "${t.full}" is ${t.bytes} bytes: pg_stat_ssl keeps the first 63 (strlcpy into NAMEDATALEN)${t.split ? ', ending inside a UTF-8 character whose partial bytes psql does not print' : ''}`,
    });
  }
  return { steps, log, statRow: stat.row };
}
