// The start of each connection attempt: libpq's checks on a Unix socket (fe-connect.c:
// requirepeer, gssencmode=require), the server's "connection received" line
// (BackendInitialize, with log_hostname's lookup), then the SSLRequest and the server's
// 'S' or 'N' (ProcessStartupPacket), or 17+'s direct TLS, where the ClientHello comes
// first. A Unix socket never sends an SSLRequest.

import type { AttemptKind } from '../client/ladder.js';
import { clientHostAtStart, type ClientHostName } from '../config/hba-hostname.js';
import { fmt, LIBPQ, SERVER, type MessageDef } from '../messages.js';
import type { LogLine } from '../log.js';
import { clientEofMessage } from './eof.js';
import type { Connection, PhaseEnd, SimStep } from './types.js';

/**
 * connect() and what both ends do before any byte is read: from 17 gssencmode=require fails
 * before connect(); before 17, requirepeer then the GSS check come after it, before the
 * startup packet. `clientHost`: what BackendInitialize learnt of the client's name.
 */
export function connectPhase(c: Connection, n: number, sameSocket: boolean): PhaseEnd & { clientHost?: ClientHostName } {
  const pgVersion = c.run.pgVersion;
  const serverOsUser = c.run.serverOsUser;
  const steps: SimStep[] = [];
  const log: LogLine[] = [];
  // libpq refuses the socket it reached: its message in English for the step and the fix
  const refuse = (why: 'requirepeer' | 'gss', def: MessageDef, ...args: string[]): PhaseEnd => {
    const message = fmt(def, ...args);
    steps.push({ step: 'socket-check', who: 'client', attempt: n, result: 'fail', detail: message });
    const facts = { kind: 'local-refused' as const, why, message, serverOsUser };
    return { steps, log, failure: { stage: 'connection-check', message: c.lang.client(def, ...args), facts } };
  };
  const gssRequired = c.local && c.conn.values.gssencmode === 'require';
  if (gssRequired && pgVersion >= 17) return refuse('gss', LIBPQ.gssRequiredLocal);
  // BackendInitialize: with log_hostname the client is looked up by name for the log
  const atStart = c.local ? undefined : clientHostAtStart(c.run.clientAddr, c.resolver, c.server.logHostname);
  if (c.server.logConnections && !sameSocket) {
    log.push({
      level: 'LOG',
      message: atStart
        ? c.lang.server(SERVER.connectionReceived, atStart.remoteHost, '<client port>')
        : c.lang.server(SERVER.connectionReceivedLocal, '[local]'),
    });
  }
  if (c.local) {
    const requirepeer = c.conn.values.requirepeer;
    if (requirepeer && requirepeer !== serverOsUser) return refuse('requirepeer', LIBPQ.requirePeerMismatch, requirepeer, serverOsUser);
    if (gssRequired) return refuse('gss', LIBPQ.gssRequiredImpossible);
  }
  return { steps, log, clientHost: atStart?.clientHost };
}

/**
 * SSLRequest: 'S' when the server has SSL on. On 'N', an sslmode that requires SSL fails;
 * the others go on in plaintext on the same socket (`plainOnSameSocket`, no message).
 */
export function sslRequestPhase(c: Connection, n: number, kind: AttemptKind): PhaseEnd & { plainOnSameSocket?: boolean } {
  if (kind !== 'ssl') return { steps: [], log: [] };
  const tls = c.server.tls;
  // 17+ sslnegotiation=direct: a ClientHello instead of the SSLRequest; a server without
  // SSL closes the connection without a word (checked on real 17 and 18); a server before 17
  // reads the ClientHello as a startup packet, logs its length as invalid and closes (real
  // 13, 14, 15 and 16 with libpq 17 and 18)
  const direct = c.run.libpqVersion >= 17 && c.conn.sslnegotiation === 'direct';
  if (direct && c.run.pgVersion < 17) {
    return {
      steps: [
        {
          step: 'direct-tls',
          who: 'both',
          attempt: n,
          result: 'fail',
          detail: `direct TLS: a PostgreSQL ${c.run.pgVersion} server reads the ClientHello as a startup packet and closes the connection (direct TLS needs 17+)`,
        },
      ],
      log: [{ level: 'LOG', message: c.lang.server(SERVER.invalidStartupLength) }],
      failure: {
        stage: 'ssl-refused',
        message: c.lang.client(LIBPQ.sslSyscallEof),
        facts: { kind: 'ssl-refused', directServer: c.run.pgVersion },
      },
    };
  }
  // direct TLS has no SSLRequest step: the ClientHello is the first byte on the socket
  const steps: SimStep[] = [
    {
      step: direct ? 'direct-tls' : 'ssl-request',
      who: 'both',
      attempt: n,
      result: tls ? 'ok' : 'fail',
      detail: direct
        ? tls
          ? 'no SSLRequest: the ClientHello goes first, offering ALPN postgresql (a 17+ server refuses a direct ClientHello without it)'
          : 'no SSLRequest: the server (ssl = off) closes the connection on the ClientHello'
        : tls
          ? "SSLRequest answered 'S'"
          : "SSLRequest answered 'N' (ssl = off)",
    },
  ];
  if (tls) return { steps, log: [] };
  if (direct)
    return {
      steps,
      log: [],
      failure: { stage: 'ssl-refused', message: clientEofMessage(c), facts: { kind: 'ssl-refused' } },
    };
  if (c.sslmode === 'require' || c.sslmode === 'verify-ca' || c.sslmode === 'verify-full') {
    return {
      steps,
      log: [],
      failure: { stage: 'ssl-refused', message: c.lang.client(LIBPQ.serverNoSsl), facts: { kind: 'ssl-refused' } },
    };
  }
  return { steps, log: [], failure: { stage: 'ssl-refused' }, plainOnSameSocket: true };
}
