// Phase 1 of simulate(): the server starts (PostmasterMain: configuration files, be_tls_init,
// the listening sockets, pg_hba and pg_ident), then, when the files it started from are
// given, `pg_ctl reload` applies the current ones. Returns the running server or the FATAL
// that stopped it, with the log lines in the order the postmaster writes them.

import type { LogLine } from '../log.js';
import { reloadServer, startServer, type ServerState } from '../server/postmaster.js';
import type { ServerTls, StartupCause } from '../server/startup.js';
import { createServerSockets, socketDirectoriesSetting, type ServerSockets } from '../server/unix-sockets.js';
import type { Run, SimStep } from './types.js';

export type ServerStart =
  | {
      ok: true;
      /** the running server (after the reload, if any) */
      server: ServerState;
      /** the server as it started, before a reload */
      started: ServerState;
      sockets: ServerSockets;
      log: LogLine[];
      steps: SimStep[];
    }
  | { ok: false; fatal: LogLine; cause?: StartupCause; log: LogLine[]; steps: SimStep[] };

const describeTls = (tls: ServerTls | undefined) =>
  tls
    ? `SSL on: ${tls.chain.length} certificate(s) in ${tls.certFile}, ${tls.requestClientCert ? `client certificates requested (${tls.caCerts.length} CA certificate(s))` : 'no ssl_ca_file: client certificates not requested'}${tls.crlCheckAll ? `, CRL checks on (${tls.crls.length} CRL(s))` : ''}`
    : 'SSL off';

const failed = (log: LogLine[], fatal: LogLine, cause?: StartupCause): ServerStart => ({
  ok: false,
  fatal,
  cause,
  log,
  steps: [{ step: 'server-start', who: 'server', result: 'fail', detail: `${fatal.message}${fatal.detail ? ` (${fatal.detail})` : ''}` }],
});

export function serverStartPhase(run: Run): ServerStart {
  const { input, securityLevel, opensslVersion } = run;
  const start = startServer({ ...input, securityLevel, opensslVersion, ...(input.startedWith ? { fs: input.startedWith } : {}) });
  if (!start.ok) return failed(start.log, start.fatal, start.cause);
  // PostmasterMain makes its sockets after be_tls_init and before load_hba, so their lines go
  // between the configuration's and pg_hba's (be_tls_init logs nothing when it succeeds).
  // Restart-only settings: a reload keeps them.
  const started = start.server.settings;
  const sockets = createServerSockets(socketDirectoriesSetting(start.server.conf, input.serverOverrides), {
    port: started.port,
    dataDirectory: started.dataDirectory || input.pgdata,
    listenAddresses: started.listenAddresses,
  });
  const confLines = start.server.conf.log.length;
  const log = [...start.log.slice(0, confLines), ...sockets.log];
  if (sockets.fatal) return failed(log, sockets.fatal);
  log.push(...start.log.slice(confLines));
  const listening = sockets.sockets.length
    ? `Unix sockets ${sockets.sockets.map((x) => x.path).join(', ')}`
    : 'no Unix socket (unix_socket_directories is empty)';
  const steps: SimStep[] = [
    { step: 'server-start', who: 'server', result: 'ok', detail: `${describeTls(start.server.tls)}; ${listening}` },
  ];
  if (!input.startedWith) return { ok: true, server: start.server, started: start.server, sockets, log, steps };
  const reload = reloadServer(start.server, { ...input, securityLevel, opensslVersion });
  steps.push({
    step: 'server-reload',
    who: 'server',
    result: reload.partial ? 'fail' : 'ok',
    detail: `pg_ctl reload: ${reload.partial ? 'partly refused, see the log' : 'applied'}; now ${describeTls(reload.server.tls)}`,
  });
  return { ok: true, server: reload.server, started: start.server, sockets, log: [...log, ...reload.log], steps };
}
