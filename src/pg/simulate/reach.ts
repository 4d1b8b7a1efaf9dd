// Phase 3 of simulate(): libpq's host loop (fe-connect.c). A target with a bad port or
// hostaddr, or one where nothing listens (the port or address is not the server's:
// "Connection refused"; a socket path the server has no socket at, or one too long for
// sun_path), sends libpq on to the next target, each failure adding its lines. A reachable
// target ends the loop: SSL, host-name and authentication failures do not move on
// (error_return; checked against psql 15 in simulate-oracle.test.ts and
// socket-oracle.test.ts). Every reachable target is the one simulated server. Also the
// "connection to server at ..." prefix libpq puts before each target's error.

import type { ConnTarget, ResolvedConninfo } from '../conninfo/resolve.js';
import type { ServerSettings } from '../config/server-settings.js';
import type { FailureFacts } from '../fix.js';
import { fmt, LIBPQ, type MessageFormatter } from '../messages.js';
import { DEFAULT_SOCKET_DIR, reachSocket, type ServerSockets } from '../server/unix-sockets.js';
import type { SimStep } from './types.js';

/** The server's listening ends, or undefined when it did not start. */
export type Listening = { settings: ServerSettings; sockets: ServerSockets } | undefined;

export type Reach =
  | { ok: true; target: ConnTarget; skipped: string[]; steps: SimStep[] }
  /** `lines`: what psql prints after "psql: error: "; `message`: SimulateResult.message */
  | { ok: false; message: string; lines: string; steps: SimStep[]; unreachable?: Extract<FailureFacts, { kind: 'unreachable' }> };

const isIpLiteral = (h: string): boolean => /^[0-9.]+$/.test(h) || h.includes(':');

/**
 * The host libpq has for a target. A target given only a hostaddr has none in libpq; but
 * psql on Debian is pg_wrapper, which exports PGHOST=<the cluster's socket directory> when
 * psql gets no -h, and libpq then has that directory as the host: verify-full checks the
 * certificate against it, the ClientHello names it as the server (SNI "/var/run/postgresql"),
 * and the password file looks it up as "localhost" (all observed with psql 15 via
 * pg_wrapper; /usr/lib/postgresql/15/bin/psql itself has no host: test/pg/pg-wrapper-oracle.test.ts).
 */
export function psqlHost(t: ConnTarget, pgWrapper: boolean): string | undefined {
  return t.host ?? (pgWrapper && t.type === 'address' ? DEFAULT_SOCKET_DIR : undefined);
}

/**
 * libpq's "connection to server at ..." prefix for one target (fe-connect.c
 * emitHostIdentityInfo, 14+). libpq 13 has none: its errors follow "psql: error: " bare
 * (real libpq 13.23: `psql: error: SSL error: certificate verify failed`). libpq 13's own
 * wording for a refused TCP connection or a missing socket is not modelled.
 */
export function attemptPrefix(t: ConnTarget, serverAddr: string, port: number, pgVersion: number, f: MessageFormatter = fmt): string {
  if (pgVersion < 14) return '';
  if (t.type === 'socket') return f(LIBPQ.attemptPrefixSocket, `${t.host}/.s.PGSQL.${port}`);
  if (t.type === 'address' || !t.host) return f(LIBPQ.attemptPrefixNoAddr, t.hostaddr ?? '', port);
  const addr = isIpLiteral(t.host) ? t.host : serverAddr;
  return addr === t.host ? f(LIBPQ.attemptPrefixNoAddr, t.host, port) : f(LIBPQ.attemptPrefix, t.host, addr, port);
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

export function reachPhase(
  conn: ResolvedConninfo,
  listening: Listening,
  serverAddr: string,
  pgVersion: number,
  fc: MessageFormatter,
): Reach {
  const steps: SimStep[] = [];
  const skipped: string[] = [];
  const unreachable = { tcp: false, socket: false };
  const prefix = (t: ConnTarget) => attemptPrefix(t, serverAddr, t.port ?? 5432, pgVersion, fc);
  for (const t of conn.targets) {
    if (t.fatal) {
      const lines = [...skipped, t.fatal].join('\n');
      return { ok: false, message: lines, lines, steps };
    }
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
      if (reach.ok) return { ok: true, target: t, skipped, steps };
      unreachable.socket = true;
      // the too-long message stands alone, without the "connection to server" prefix
      skipped.push(reach.kind === 'too-long' ? reach.message : `${prefix(t)}${reach.message}`);
      continue;
    }
    const refused = listening ? refusedBy(t, listening.settings, serverAddr) : 'the server is not running';
    if (!refused) return { ok: true, target: t, skipped, steps };
    steps.push({
      step: 'connect',
      who: 'client',
      result: 'fail',
      detail: `${t.hostaddr ?? t.host ?? ''} port ${t.port ?? 5432}: ${refused}`,
    });
    skipped.push(`${prefix(t)}${fc(LIBPQ.tcpConnectFailed, 'Connection refused')}`);
    unreachable.tcp = true;
  }
  // psql prints the first line after "psql: error: "; SimulateResult.message drops the first prefix
  const lines = skipped.join('\n');
  const first = conn.targets.find((t) => !t.error);
  const pfx = first ? prefix(first) : '';
  return {
    ok: false,
    message: lines.startsWith(pfx) ? lines.slice(pfx.length) : lines,
    lines,
    steps,
    unreachable:
      unreachable.tcp || unreachable.socket
        ? {
            kind: 'unreachable',
            ...unreachable,
            listenAddresses: listening?.settings.listenAddresses ?? '',
            port: listening?.settings.port ?? 5432,
            socketPaths: listening?.sockets.sockets.map((x) => x.path) ?? [],
          }
        : undefined,
  };
}
