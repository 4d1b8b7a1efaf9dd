// `pgtls serve`: a TLS-speaking stand-in for a PostgreSQL 15 server on a real TCP port,
// configured from a data directory through the simulator's start-up (startServer: the
// config files, be_tls_init, pg_hba, pg_ident). Per connection it does what the postmaster
// and a backend do up to the first query: the SSLRequest answer, the CVE-2021-23214 refusal
// of bytes sent behind it, the TLS 1.3 handshake with pgtls's engine (CertificateRequest
// with the ssl_ca_file names, the client chain checked with purpose sslclient and the CRLs,
// OpenSSL's alert for a failure), the StartupMessage, pg_hba and cert/trust
// authentication (authenticate), AuthenticationOk and the ParameterStatus set, and a
// minimal answer to simple queries. It logs what the real server logs.

import { createServer, type Server, type Socket } from 'node:net';
import { concatBytes } from '../../der/bytes.js';
import type { Certificate, PrivateKey } from '../../x509/index.js';
import { d2iCertificate } from '../../x509/index.js';
import { opensslAlertText, TlsServer, type ServerConfig } from '../../tls13/index.js';
import { TlsAlertReceivedError, TlsAlertSentError, TlsEngineSocket } from '../../tls13/socket-node.js';
import { nodeFs } from '../fs-node.js';
import type { ProcessIdentity, SimFs } from '../fs.js';
import { formatLog, type LogLine } from '../log.js';
import { fmt, SERVER } from '../messages.js';
import { authenticate } from '../server/connection.js';
import type { ServerTls } from '../server/startup.js';
import { startServer } from '../server/postmaster.js';
import { clientHostAtStart } from '../config/hba-hostname.js';
import { hostsResolver, loadHostsFile, type HostsTable, type NameResolver } from '../config/hosts.js';
import { chainToSend, serverNegotiation, verifyFailureText } from '../tls-handshake.js';
import type { VerifyResult } from '../../path/index.js';
import { encodeBackendMessage, errorResponse } from '../wire/backend.js';
import { unsupportedProtocolMessage } from '../wire/frontend.js';
import { FrontendMessageReader } from '../wire/reader.js';
import { serverSslResponse, unexpectedDataAfterSslRequest } from '../wire/ssl-negotiation.js';
import { chainVerdict, verifyClientChain } from './client-tls.js';
import { authenticationOkBytes, serverParameters, simpleQueryResponse } from './session.js';
import { DEFAULT_PG_VERSION } from '../conninfo/options.js';
import { PG_ALPN_PROTOCOL, serverAlpn } from '../alpn.js';

export interface ServeOptions {
  pgdata: string;
  host?: string;
  /** 0 (default): any free port */
  port?: number;
  fs?: SimFs;
  /** the server process identity for file checks (default: the data directory's owner) */
  serverUser?: ProcessIdentity;
  passphrase?: string;
  /** where log lines go, one formatted line at a time (default stderr) */
  log?: (line: string) => void;
  /** the clock for certificate checks */
  now?: () => Date;
  serverVersion?: string;
  /** 15 (default) or 16/17: 17 also accepts direct TLS (sslnegotiation=direct, ALPN "postgresql") */
  pgVersion?: number;
  /** the hosts file that answers host-name lookups (pg_hba host names, log_hostname); default /etc/hosts through `fs` */
  hosts?: HostsTable;
}

export interface RunningServe {
  port: number;
  host: string;
  /** every log line written since start, formatted as the server writes them */
  logLines: string[];
  close(): Promise<void>;
}

export type ServeStart = { ok: true; server: RunningServe; startupLog: LogLine[] } | { ok: false; log: LogLine[]; fatal: LogLine };

type Started = Extract<ReturnType<typeof startServer>, { ok: true }>['server'];

function cipherBits(suite: string): number {
  return suite.includes('128') ? 128 : 256;
}

export async function startServe(o: ServeOptions): Promise<ServeStart> {
  const pgVersion = o.pgVersion ?? DEFAULT_PG_VERSION;
  const fs = o.fs ?? nodeFs();
  const resolver = hostsResolver(o.hosts ?? loadHostsFile(fs));
  const start = startServer({ fs, pgdata: o.pgdata.replace(/\/+$/, ''), serverUser: o.serverUser, passphrase: o.passphrase, pgVersion });
  if (!start.ok) return { ok: false, log: start.log, fatal: start.fatal };
  const cfg = start.server;
  const logLines: string[] = [];
  const sink = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const log = (lines: LogLine[]) => {
    if (!lines.length) return;
    for (const l of formatLog(lines).split('\n')) {
      logLines.push(l);
      sink(l);
    }
  };
  log(start.log);
  const host = o.host ?? '127.0.0.1';
  let pid = 40000;
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    handleConnection(sock, cfg, {
      log,
      now: o.now ?? (() => new Date()),
      serverVersion: o.serverVersion ?? `${pgVersion}.0 (pgtls serve)`,
      processId: pid++,
      pgVersion,
      resolver,
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (o.port ?? 0);
  return {
    ok: true,
    startupLog: start.log,
    server: {
      port,
      host,
      logLines,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    },
  };
}

interface ConnCtx {
  log: (lines: LogLine[]) => void;
  now: () => Date;
  serverVersion?: string;
  processId: number;
  pgVersion: number;
  resolver: NameResolver;
}

function serverTlsConfig(
  tls: ServerTls,
  at: Date,
  alpn: string[] | undefined,
  onPeer: (c: Certificate) => void,
  onVerifyFail: (r: VerifyResult) => void,
): ServerConfig {
  const chain = chainToSend(tls.chain, tls.caCerts, tls.crls, at);
  return {
    minVersion: tls.minVersion === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    certificate: { chain: chain.map((c) => c.der), privateKey: tls.key as PrivateKey },
    clientAuth: tls.requestClientCert ? 'request' : 'none',
    clientCANames: tls.requestClientCert ? tls.caCerts.map((c) => c.subject.der) : undefined,
    ...serverNegotiation(tls),
    alpn,
    verifyPeerChain: (der) => {
      if (der.length === 0) return { ok: true }; // no FAIL_IF_NO_PEER_CERT
      const certs = der.map((d) => d2iCertificate(d));
      const r = verifyClientChain(tls, certs, at);
      if (r.ok) onPeer(certs[0]);
      else onVerifyFail(r);
      return chainVerdict(r);
    },
  };
}

/** The cancel key's secret: 32 bits from the crypto RNG, as the postmaster draws it (pg_strong_random). */
export function cancelSecret(): number {
  return new DataView(globalThis.crypto.getRandomValues(new Uint8Array(4)).buffer).getInt32(0);
}

function handleConnection(sock: Socket, cfg: Started, ctx: ConnCtx): void {
  sock.setNoDelay(true);
  const clientAddr = (sock.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  // BackendInitialize: with log_hostname the client is looked up by name for the log
  const atStart = clientHostAtStart(clientAddr, ctx.resolver, cfg.logHostname);
  if (cfg.logConnections) ctx.log([{ level: 'LOG', message: fmt(SERVER.connectionReceived, atStart.remoteHost, sock.remotePort ?? 0) }]);
  let stream: Socket | TlsEngineSocket = sock;
  let reader = new FrontendMessageReader();
  let sslDone = false;
  let peerCert: Certificate | undefined;
  let tlsInfo: { protocol: string; cipher: string; bits: number } | undefined;
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    stream.end();
    setTimeout(() => sock.destroy(), 200).unref();
  };
  /** `detail` goes to the client too; `logDetail` only to the log (errdetail_log) */
  const fatal = (message: string, sqlstate: string, detail?: string, logDetail?: string) => {
    ctx.log([{ level: 'FATAL', message, detail: detail ?? logDetail }]);
    stream.write(
      encodeBackendMessage(errorResponse({ severity: 'FATAL', severityNonLocalized: 'FATAL', code: sqlstate, message, detail })),
    );
    close();
  };

  let first = true;
  const onData = (chunk: Buffer) => {
    if (closed) return;
    // PostgreSQL 17 ProcessSSLStartup: a first byte 0x16 is a ClientHello (direct TLS); with
    // SSL off the connection is closed without a word (real 17 and 18)
    if (first && chunk[0] === 0x16 && ctx.pgVersion >= 17) {
      first = false;
      if (!cfg.tls) return close();
      sock.off('data', onData);
      sock.unshift(chunk);
      return startTls(undefined, true);
    }
    first = false;
    let msgs: ReturnType<typeof reader.push>;
    try {
      msgs = reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (e) {
      ctx.log([{ level: 'LOG', message: e instanceof Error ? e.message : String(e) }]);
      return close();
    }
    for (const m of msgs) {
      if (closed) return;
      switch (m.type) {
        case 'SSLRequest':
        case 'GSSENCRequest': {
          const answer = m.type === 'SSLRequest' && !sslDone ? serverSslResponse({ sslLoaded: !!cfg.tls, unixSocket: false }) : 'N';
          if (m.type === 'SSLRequest' && sslDone) {
            // ssl_done: a second SSLRequest is read as a startup packet of protocol 1234.5679
            return fatal(unsupportedProtocolMessage(80877103)!, '0A000');
          }
          sock.write(Uint8Array.of(answer.charCodeAt(0)));
          // ProcessStartupPacket checks its buffer after secure_open_server: with 'S' the
          // refusal comes once the handshake is done, inside TLS; with 'N' at once
          const bad = unexpectedDataAfterSslRequest(reader.buffered, { request: m.type });
          const refuse = bad ? () => fatal(bad.server.message!, bad.server.code!, bad.server.detail) : undefined;
          if (answer === 'S') return startTls(refuse);
          if (refuse) return refuse();
          break;
        }
        case 'CancelRequest':
          return close();
        case 'StartupMessage':
          return startup(m.protocol, new Map(m.params));
        case 'Query':
          stream.write(concatBytes(...simpleQueryResponse(m.sql)));
          break;
        case 'Terminate':
          return close();
        default:
          break;
      }
    }
  };

  const startTls = (afterHandshake?: () => void, direct = false) => {
    sslDone = true;
    sock.off('data', onData);
    let verifyFailure: VerifyResult | undefined;
    const at = ctx.now();
    const engine = new TlsServer(
      // ALPN (17+): selected when offered, any other list refused (alpn.ts); required for direct TLS
      serverTlsConfig(
        cfg.tls!,
        at,
        serverAlpn(ctx.pgVersion),
        (c) => (peerCert = c),
        (r) => (verifyFailure = r),
      ),
    );
    const ts = new TlsEngineSocket(engine, sock);
    stream = ts;
    reader = new FrontendMessageReader();
    let secure = false;
    const acceptFailed = (reason: string) => {
      if (secure || closed) return;
      closed = true;
      ctx.log([{ level: 'LOG', message: fmt(SERVER.acceptSsl, reason) }]);
    };
    ts.on('secure', (n) => {
      secure = true;
      tlsInfo = { protocol: 'TLSv1.3', cipher: n.cipherSuite, bits: cipherBits(n.cipherSuite) };
      if (direct && n.alpn !== PG_ALPN_PROTOCOL) {
        // COMMERROR: logged, nothing sent to the client
        ctx.log([{ level: 'LOG', message: fmt(SERVER.directSslNoAlpn) }]);
        return close();
      }
      afterHandshake?.();
    });
    ts.on('data', onData);
    ts.on('error', (e) => {
      if (e instanceof TlsAlertSentError) acceptFailed(verifyFailure ? verifyFailureText(verifyFailure) : (e.opensslReason ?? e.reason));
      else if (e instanceof TlsAlertReceivedError) acceptFailed(opensslAlertText(e.code, { received: true, opensslVersion: '3.0' }));
      else acceptFailed('EOF detected');
      sock.destroy();
    });
    ts.on('end', () => {
      acceptFailed('EOF detected');
      close();
    });
  };

  const startup = (protocol: number, params: Map<string, string>) => {
    const bad = unsupportedProtocolMessage(protocol);
    if (bad) return fatal(bad, '0A000');
    const user = params.get('user') ?? '';
    if (!user) return fatal(fmt(SERVER.noUserName), '28000');
    const database = params.get('database') || user;
    const applicationName = params.get('application_name') ?? '';
    const auth = authenticate({
      hba: cfg.hba.lines,
      ident: cfg.ident.lines,
      pgVersion: ctx.pgVersion,
      clientAddr,
      resolver: ctx.resolver,
      clientHost: atStart.clientHost,
      user,
      database,
      ssl: sslDone,
      caLoaded: cfg.tls?.requestClientCert ?? false,
      peerCert,
      logConnections: cfg.logConnections,
      tlsInfo,
      applicationName,
    });
    if (auth.ok) {
      ctx.log(auth.log);
      const key = { processId: ctx.processId, secretKey: cancelSecret() };
      stream.write(
        concatBytes(...authenticationOkBytes(serverParameters({ user, applicationName, serverVersion: ctx.serverVersion }), key)),
      );
      return;
    }
    if (auth.needsPassword) {
      // the password request; psql -w then closes without answering
      ctx.log(auth.log);
      stream.write(encodeBackendMessage({ type: 'Authentication', method: 'CleartextPassword' }));
      return;
    }
    const last = auth.log[auth.log.length - 1];
    ctx.log(auth.log.slice(0, -1));
    fatal(auth.fatal, auth.sqlstate, undefined, last?.level === 'FATAL' ? last.detail : undefined);
  };

  sock.on('data', onData);
  sock.on('error', () => undefined);
  sock.on('end', () => close());
}
