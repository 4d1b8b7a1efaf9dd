// A libpq-like live connection from a connection string: libpq's option resolution (with
// the PG* environment and ~/.postgresql defaults), initialize_SSL on this machine's files,
// then the sslmode ladder of PQconnectPoll run for real (attempts in order, fallback on
// the stages libpq falls back on, plaintext on the same socket after an 'N'), each attempt
// a real TCP connection (connect-node.ts). The result carries what psql would print.

import { serviceFilesOn } from '../files.js';
import { nodeFs } from '../fs-node.js';
import type { ProcessIdentity, SimFs } from '../fs.js';
import { LADDER, type AttemptKind } from '../client/ladder.js';
import { libpqSslOptions, prepareClientTls } from '../client/libpq-ssl.js';
import { resolveConninfo, type ConnTarget } from '../conninfo/resolve.js';
import { ConninfoError } from '../conninfo/errors.js';
import { fmt, LIBPQ } from '../messages.js';
import { attemptConnection, type AttemptResult } from './connect-node.js';
import type { SessionResult } from './session.js';
import { DEFAULT_PG_VERSION } from '../conninfo/options.js';

export interface LibpqConnectOptions {
  conninfo: string;
  env?: Record<string, string | undefined>;
  osUser: string;
  clientUser: ProcessIdentity;
  pgVersion?: number;
  /** a simple Query to run once connected */
  sql?: string;
  at?: Date;
  fs?: SimFs;
  timeoutMs?: number;
}

export interface LibpqConnectResult {
  ok: boolean;
  attempts: AttemptResult[];
  /** psql's stderr line on failure: `connection to server at ... failed: <message>` (more lines per attempt) */
  error?: string;
  session?: SessionResult;
}

const isIp = (h: string) => /^[0-9.]+$/.test(h) || h.includes(':');

/** fe-connect.c emitHostIdentityInfo: with hostaddr given, only the address is shown (as psql 15 prints it). */
function prefix(t: ConnTarget, address: string, port: number): string {
  if (t.type === 'address' || !t.host || t.host === address) return fmt(LIBPQ.attemptPrefixNoAddr, address, port);
  return fmt(LIBPQ.attemptPrefix, t.host, address, port);
}

export async function connectLibpq(o: LibpqConnectOptions): Promise<LibpqConnectResult> {
  const pgVersion = o.pgVersion ?? DEFAULT_PG_VERSION;
  const at = o.at ?? new Date();
  const conn = resolveConninfo({
    conninfo: o.conninfo,
    env: o.env ?? {},
    osUser: o.osUser,
    pgVersion,
    serviceFiles: serviceFilesOn(o.fs ?? nodeFs(), o.clientUser),
  });
  const t = conn.targets[0];
  if (t.fatal || t.error) throw new ConninfoError('BAD_VALUE', t.fatal ?? t.error!);
  if (t.type === 'socket') throw new ConninfoError('BAD_VALUE', `a TCP host is needed, not the Unix socket directory "${t.host}"`);
  const address = t.hostaddr ?? t.host!;
  const port = t.port ?? 5432;
  const params: Record<string, string> = {
    user: conn.user,
    database: conn.dbname,
    application_name: conn.values.application_name ?? conn.values.fallback_application_name ?? 'pgtls',
  };
  const attempts: AttemptResult[] = [];

  const attempt = async (kind: AttemptKind): Promise<AttemptResult> => {
    if (kind === 'plain') return attemptConnection({ address, port, kind, params, sql: o.sql, timeoutMs: o.timeoutMs });
    const prep = prepareClientTls(libpqSslOptions(conn, conn.sslmode), {
      fs: o.fs ?? nodeFs(),
      home: o.env?.HOME,
      user: o.clientUser,
      pgVersion,
      sslCertFile: o.env?.SSL_CERT_FILE,
      sslCertDir: o.env?.SSL_CERT_DIR,
    });
    // libpq 15 runs initialize_SSL after the 'S': a server answering 'N' never sees these
    // errors; approximated by failing before connecting (the message is the same)
    if (!prep.ok) return { kind, ok: false, stage: 'client-setup', message: prep.message, trace: [] };
    const verifyFull = conn.sslmode === 'verify-full';
    return attemptConnection({
      address,
      port,
      kind,
      sslmode: conn.sslmode,
      negotiation: conn.sslnegotiation,
      tls: {
        tls: prep.tls,
        verify: prep.tls.verifyPeer,
        serverName: conn.values.sslsni !== '0' && t.host && !isIp(t.host) ? t.host : undefined,
        at,
      },
      hostCheck: verifyFull ? { host: t.host ?? (t.type === 'address' ? '/var/run/postgresql' : ''), pgVersion } : undefined,
      params,
      sql: o.sql,
      timeoutMs: o.timeoutMs,
    });
  };

  const rule = LADDER[conn.sslmode];
  for (let i = 0; i < rule.attempts.length; i++) {
    const r = await attempt(rule.attempts[i]);
    attempts.push(r);
    if (r.ok || r.plainAfterRefusal) break;
    if (!(i + 1 < rule.attempts.length && r.stage && (rule.fallbackOn as string[]).includes(r.stage))) break;
  }
  const last = attempts[attempts.length - 1];
  if (last.ok) return { ok: true, attempts, session: last.session };
  const p = prefix(t, address, port);
  const lines = attempts.filter((a) => !a.ok && a.message).map((a) => `${p}${a.message}`);
  return { ok: false, attempts, error: lines.join('\n'), session: last.session };
}
