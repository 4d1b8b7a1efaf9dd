// `pgtls probe`'s network side: resolve the connection string like libpq, run
// initialize_SSL for each sslmode against this machine's files, make the two live
// connections the verdicts need (TLS with this client's certificate set-up, chain captured
// unchecked; plaintext), and hand the facts to probe.ts.

import { serviceFilesOn } from '../files.js';
import type { Certificate } from '../../x509/index.js';
import type { NegotiatedInfo } from '../../tls13/index.js';
import { nodeFs } from '../fs-node.js';
import type { ProcessIdentity, SimFs } from '../fs.js';
import { libpqSslOptions, prepareClientTls, type ClientTlsResult } from '../client/libpq-ssl.js';
import { resolveConninfo, SSL_MODES, type ResolvedConninfo, type SslMode } from '../conninfo/resolve.js';
import { ConninfoError } from '../conninfo/errors.js';
import { attemptConnection, type AttemptResult } from './connect-node.js';
import { sslmodeVerdicts, type ModeVerdict, type ProbeFacts } from './probe.js';
import { DEFAULT_PG_VERSION } from '../conninfo/options.js';

export interface ProbeOptions {
  conninfo: string;
  env?: Record<string, string | undefined>;
  osUser: string;
  clientUser: ProcessIdentity;
  pgVersion?: number;
  at?: Date;
  fs?: SimFs;
  timeoutMs?: number;
}

export interface ProbeReport {
  address: string;
  port: number;
  host?: string;
  user: string;
  dbname: string;
  sslmode: SslMode;
  sslResponse?: string;
  negotiated?: NegotiatedInfo;
  chain: Certificate[];
  /** the live attempts: TLS (chain captured, unchecked) and plaintext */
  ssl: AttemptResult;
  plain: AttemptResult;
  /** the client certificate set-up could not be loaded: the TLS attempt ran without one */
  clientSetupError?: string;
  verdicts: ModeVerdict[];
  /** the given sslmode connects */
  ok: boolean;
}

const isIp = (h: string) => /^[0-9.]+$/.test(h) || h.includes(':');

export async function runProbe(o: ProbeOptions): Promise<ProbeReport> {
  const pgVersion = o.pgVersion ?? DEFAULT_PG_VERSION;
  const at = o.at ?? new Date();
  const fs = o.fs ?? nodeFs();
  const conn: ResolvedConninfo = resolveConninfo({
    conninfo: o.conninfo,
    env: o.env ?? {},
    osUser: o.osUser,
    pgVersion,
    serviceFiles: serviceFilesOn(fs, o.clientUser),
  });
  const t = conn.targets[0];
  if (t.fatal || t.error) throw new ConninfoError('BAD_VALUE', t.fatal ?? t.error!);
  if (t.type === 'socket') throw new ConninfoError('BAD_VALUE', `probe needs a TCP host, not the Unix socket directory "${t.host}"`);
  const address = t.hostaddr ?? t.host!;
  const port = t.port ?? 5432;
  const home = o.env?.HOME;
  const prepare = Object.fromEntries(
    SSL_MODES.map((m) => [
      m,
      prepareClientTls(libpqSslOptions(conn, m), {
        fs,
        home,
        user: o.clientUser,
        pgVersion,
        sslCertFile: o.env?.SSL_CERT_FILE,
        sslCertDir: o.env?.SSL_CERT_DIR,
      }),
    ]),
  ) as Record<SslMode, ClientTlsResult>;
  // require never fails on a missing root file: its set-up is the client certificate's alone
  const setup = prepare.require;
  const params = { user: conn.user, database: conn.dbname, application_name: conn.values.application_name ?? 'pgtls' };
  const serverName = conn.values.sslsni !== '0' && t.host && !isIp(t.host) ? t.host : undefined;
  const common = { address, port, params, timeoutMs: o.timeoutMs };
  const ssl = await attemptConnection({
    ...common,
    kind: 'ssl',
    sslmode: 'prefer',
    negotiation: conn.sslnegotiation,
    tls: { tls: setup.ok ? setup.tls : undefined, verify: false, serverName, at },
  });
  const plain = await attemptConnection({ ...common, kind: 'plain' });
  const facts: ProbeFacts = {
    sslResponse: ssl.sslResponse ?? (ssl.negotiated ? 'S' : undefined),
    ssl: { ok: ssl.ok, stage: ssl.stage, message: ssl.message },
    chain: ssl.serverChain ?? [],
    plain: { ok: plain.ok, stage: plain.stage, message: plain.message },
    prepare,
    host: t.host ?? (t.type === 'address' ? '/var/run/postgresql' : undefined),
    pgVersion,
    at,
  };
  if (ssl.stage === 'connect') facts.sslResponse = undefined;
  const verdicts = sslmodeVerdicts(facts);
  return {
    address,
    port,
    host: t.host,
    user: conn.user,
    dbname: conn.dbname,
    sslmode: conn.sslmode,
    sslResponse: ssl.sslResponse,
    negotiated: ssl.negotiated,
    chain: facts.chain,
    ssl,
    plain,
    clientSetupError: setup.ok ? undefined : setup.message,
    verdicts,
    ok: verdicts.find((v) => v.sslmode === conn.sslmode)!.ok,
  };
}
