// `pgtls serve --pgdata DIR`: a TLS-speaking stand-in for a PostgreSQL server,
// configured from DIR like the simulator (postgresql.conf, pg_hba.conf, pg_ident.conf,
// certificates); psql and libpq can connect to it. Logs to stderr what the real server
// would log. Runs until interrupted; exit 1 when the configuration does not start.

import { formatLog } from '../pg/log.js';
import { startServe } from '../pg/live/server-node.js';
import { hostsFileOption, parseArgs, pgVersionOption, UsageError } from './args.js';
import { dataDirectory, listenErrorLines } from './fs-errors.js';

const HELP = `Usage: pgtls serve --pgdata DIR [--port P] [--host 127.0.0.1] [--pg-version N]

Listens on HOST:PORT and answers like a PostgreSQL server (of --pg-version) with DIR's configuration:
SSLRequest ('S' when ssl=on), the TLS 1.3 handshake (pgtls's engine, client certificates
checked like OpenSSL), pg_hba.conf with trust and cert authentication, then AuthenticationOk
and simple queries (\`select 1\` gives 1). Password methods ask for a password and stop.

Options:
  --pgdata DIR       the data directory (required)
  --port P           TCP port (default 5432; 0 picks a free one)
  --host ADDR        address to listen on (default 127.0.0.1)
  --passphrase P     what ssl_passphrase_command would print
  --pg-version N     server behaviour, 13-18 (default 18; 17+ also accept direct TLS with ALPN)
  --hosts-file FILE  the hosts file for pg_hba.conf lines that name hosts and log_hostname
                     (default /etc/hosts; names it lacks are taken as unresolved: no DNS)
Exit status: 1 when the server cannot start (its FATAL on stderr), 2 bad input.`;

export async function run(argv: string[]): Promise<number> {
  const { opts, positionals } = parseArgs(argv, {
    values: ['pgdata', 'port', 'host', 'passphrase', 'pg-version', 'hosts-file'],
    flags: ['help'],
  });
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (!opts.pgdata) throw new UsageError('--pgdata DIR is required (try --help)');
  const port = opts.port === undefined ? 5432 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: not a port number: ${opts.port}`);
  const pgVersion = pgVersionOption(opts);
  const pgdata = dataDirectory('pgdata', String(opts.pgdata));
  const host = (opts.host as string | undefined) ?? '127.0.0.1';
  let started: Awaited<ReturnType<typeof startServe>>;
  try {
    started = await startServe({
      pgdata,
      port,
      host,
      passphrase: opts.passphrase as string | undefined,
      pgVersion,
      hosts: hostsFileOption(opts),
    });
  } catch (e) {
    // the port is taken, the address is not this machine's, the name does not resolve
    const lines = listenErrorLines(e, host, port);
    if (!lines) throw e;
    console.error(lines.join('\n'));
    return 1;
  }
  if (!started.ok) {
    console.error(formatLog([...started.log.filter((l) => l !== started.fatal), started.fatal]));
    return 1;
  }
  const s = started.server;
  process.stderr.write(`LOG:  listening on IPv4 address "${s.host}", port ${s.port}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void s.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
