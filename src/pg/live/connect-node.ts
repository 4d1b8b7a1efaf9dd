// One live connection attempt the way libpq makes it, over node:net: TCP, SSLRequest and
// the one-byte answer (or, PostgreSQL 17's sslnegotiation=direct, the ClientHello at once
// with ALPN "postgresql"), the TLS 1.3 handshake with pgtls's engine (TlsEngineSocket),
// verify-full's host check, then the StartupMessage and the server's answer, and an
// optional simple Query. Failures carry libpq's stage and wording so the sslmode ladder
// (ladder.ts) can decide what comes next, like PQconnectPoll.

import { connect, type Socket } from 'node:net';
import { concatBytes } from '../../der/bytes.js';
import type { Certificate } from '../../x509/index.js';
import type { VerifyResult } from '../../path/index.js';
import { TlsClient, type NegotiatedInfo, type TraceEntry } from '../../tls13/index.js';
import { TlsAlertReceivedError, TlsAlertSentError, TlsEngineSocket } from '../../tls13/socket-node.js';
import { encodeFrontendMessage } from '../wire/frontend.js';
import { clientOnSslResponse } from '../wire/ssl-negotiation.js';
import type { FailureStage } from '../client/ladder.js';
import { fmt, LIBPQ } from '../messages.js';
import { directAlpnRefusal, PG_ALPN_PROTOCOL } from '../alpn.js';
import { handshakeFailureMessage, libpqHostCheck, liveClientTls, type LiveClientTlsOptions } from './client-tls.js';
import { ClientSession, type SessionResult } from './session.js';

export interface AttemptOptions {
  /** the address to connect to (hostaddr, else host) */
  address: string;
  port: number;
  kind: 'ssl' | 'plain';
  /** the sslmode, for what libpq does with an 'N' (default require) */
  sslmode?: string;
  /** 'direct': PostgreSQL 17 direct TLS, no SSLRequest */
  negotiation?: 'postgres' | 'direct';
  /** the TLS side (kind ssl); alpn is set for direct negotiation */
  tls?: Omit<LiveClientTlsOptions, 'alpn' | 'onTrace'>;
  /** verify-full: the host name to check the certificate against */
  hostCheck?: { host: string; pgVersion?: number };
  /** StartupMessage parameters (user, database, application_name...) */
  params: Record<string, string>;
  /** a simple Query to run once ready */
  sql?: string;
  timeoutMs?: number;
  /**
   * Bytes written in the same packet as the SSLRequest, as a man-in-the-middle would inject
   * them (CVE-2021-23214). A fixed server answers 'S', completes the handshake, then
   * refuses with a FATAL inside TLS (it checks its buffer only after secure_open_server).
   */
  injectAfterSslRequest?: Uint8Array;
}

export interface AttemptResult {
  kind: 'ssl' | 'plain';
  ok: boolean;
  stage?: FailureStage | 'connect' | 'protocol';
  /** libpq's message for the failure (psql prints it after its "connection to server" prefix) */
  message?: string;
  /** the server's answer to SSLRequest */
  sslResponse?: string;
  negotiated?: NegotiatedInfo;
  /** the chain the server sent, leaf first */
  serverChain?: Certificate[];
  serverVerify?: VerifyResult;
  alert?: { direction: 'sent' | 'received'; alert: string; code: number; reason?: string };
  session?: SessionResult;
  /** the server answered the SSLRequest, then went on in plaintext (kind ssl, 'N') */
  plainAfterRefusal?: boolean;
  trace: TraceEntry[];
}

class Failure extends Error {
  constructor(
    readonly stage: AttemptResult['stage'],
    message: string,
  ) {
    super(message);
  }
}

/** Read from a socket until `want` says it has enough; resolves with everything read. */
function readUntil(sock: Socket, want: (buf: Uint8Array) => boolean, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let buf = new Uint8Array(0);
    const done = (err?: Error) => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('end', onEnd);
      sock.off('error', onErr);
      if (err) reject(err);
      else resolve(buf);
    };
    const onData = (c: Buffer) => {
      const next = new Uint8Array(buf.length + c.length);
      next.set(buf);
      next.set(c, buf.length);
      buf = next;
      if (want(buf)) done();
    };
    const onEnd = () => done(new Failure('protocol', fmt(LIBPQ.serverClosedFirstLine)));
    const onErr = (e: Error) => done(new Failure('connect', e.message));
    const timer = setTimeout(() => done(new Failure('connect', fmt(LIBPQ.timeoutExpired))), timeoutMs);
    sock.on('data', onData);
    sock.on('end', onEnd);
    sock.on('error', onErr);
  });
}

function tcpConnect(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: address, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Failure('connect', fmt(LIBPQ.timeoutExpired)));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.setNoDelay(true);
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // fe-connect.c: the errno text, then libpq's hint for a refused TCP connection
      reject(new Failure('connect', e.code === 'ECONNREFUSED' ? fmt(LIBPQ.tcpConnectFailed, 'Connection refused') : e.message));
    });
  });
}

/**
 * Run the startup conversation over a plaintext Duplex (socket or TLS). Alerts that end
 * the TLS connection now (TLS 1.3: the server rejects our certificate after our Finished)
 * are libpq's "SSL error: ..." at this point.
 */
function converse(stream: Socket | TlsEngineSocket, session: ClientSession, timeoutMs: number, res: AttemptResult): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Failure('protocol', fmt(LIBPQ.timeoutExpired))), timeoutMs);
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!stream.destroyed) stream.end();
      if (err) reject(err);
      else resolve();
    };
    stream.on('data', (c: Buffer) => {
      const out = session.push(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
      for (const o of out) stream.write(o);
      if (session.done) finish();
    });
    stream.on('end', () => {
      session.eof();
      finish();
    });
    stream.on('error', (e) => {
      if (e instanceof TlsAlertReceivedError) {
        res.alert = { direction: 'received', alert: e.alert, code: e.code };
        // TLS 1.3: the server's verdict on our certificate arrives after our Finished, when
        // libpq reads the answer to its startup packet: not a handshake failure, no plaintext retry
        return finish(new Failure('alert-after-handshake', handshakeFailureMessage({ received: { code: e.code } })));
      }
      if (settled) return;
      session.eof();
      finish();
    });
    stream.write(session.start());
  });
}

/** Start TLS on a connected socket; resolves once the handshake is done (client side). */
function handshake(
  sock: Socket,
  engine: TlsClient,
  res: AttemptResult,
  seen: { verify?: VerifyResult },
  timeoutMs: number,
): Promise<TlsEngineSocket> {
  return new Promise((resolve, reject) => {
    const ts = new TlsEngineSocket(engine, sock);
    const timer = setTimeout(() => fail(new Failure('handshake', 'SSL SYSCALL error: timeout')), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      ts.off('secure', onSecure);
      reject(e);
    };
    const onSecure = (n: NegotiatedInfo) => {
      clearTimeout(timer);
      ts.off('error', onError);
      ts.off('end', onEnd);
      res.negotiated = n;
      resolve(ts);
    };
    const onError = (e: Error) => {
      if (e instanceof TlsAlertSentError) {
        res.alert = { direction: 'sent', alert: e.alert, code: e.code, reason: e.reason };
        return fail(new Failure('handshake', handshakeFailureMessage({ sent: e, verify: seen.verify })));
      }
      if (e instanceof TlsAlertReceivedError) {
        res.alert = { direction: 'received', alert: e.alert, code: e.code };
        return fail(new Failure('handshake', handshakeFailureMessage({ received: e })));
      }
      fail(new Failure('handshake', /TLSv1\.2/.test(e.message) ? fmt(LIBPQ.sslError, e.message) : fmt(LIBPQ.sslSyscallEof)));
    };
    const onEnd = () => fail(new Failure('handshake', fmt(LIBPQ.sslSyscallEof)));
    ts.once('secure', onSecure);
    ts.on('error', onError);
    ts.once('end', onEnd);
    ts.resume();
  });
}

/** One connection attempt. Never throws for network or server trouble: see `stage`/`message`. */
export async function attemptConnection(o: AttemptOptions): Promise<AttemptResult> {
  const res: AttemptResult = { kind: o.kind, ok: false, trace: [] };
  const timeoutMs = o.timeoutMs ?? 10_000;
  let sock: Socket | undefined;
  try {
    sock = await tcpConnect(o.address, o.port, timeoutMs);
    let stream: Socket | TlsEngineSocket = sock;
    if (o.kind === 'ssl') {
      const direct = o.negotiation === 'direct';
      if (!direct) {
        sock.write(concatBytes(encodeFrontendMessage({ type: 'SSLRequest' }), o.injectAfterSslRequest ?? new Uint8Array(0)));
        const answer = await readUntil(sock, (b) => b.length >= 1, timeoutMs);
        res.sslResponse = String.fromCharCode(answer[0]);
        const next = clientOnSslResponse(answer[0], o.sslmode ?? 'require');
        if (next.next === 'fail') throw new Failure(res.sslResponse === 'N' ? 'ssl-refused' : 'protocol', next.error);
        if (next.next === 'plaintext') {
          res.plainAfterRefusal = true;
        } else if (answer.length > 1) {
          throw new Failure('protocol', fmt(LIBPQ.unencryptedAfterSsl));
        }
      }
      if (!res.plainAfterRefusal) {
        const tls = liveClientTls({
          ...(o.tls ?? { verify: false, at: new Date() }),
          alpn: direct ? [PG_ALPN_PROTOCOL] : undefined,
          onTrace: (e) => res.trace.push(e),
        });
        const engine = new TlsClient(tls.config);
        try {
          stream = await handshake(sock, engine, res, tls.seen, timeoutMs);
        } finally {
          res.serverChain = tls.seen.chain;
          res.serverVerify = tls.seen.verify;
        }
        // libpq 17+'s open_client_SSL: a direct connection needs the server's ALPN postgresql
        const alpnRefused = direct ? directAlpnRefusal(res.negotiated?.alpn) : undefined;
        if (alpnRefused) {
          stream.end();
          throw new Failure('handshake', fmt(alpnRefused));
        }
        if (o.hostCheck && res.serverChain?.length) {
          const h = libpqHostCheck(res.serverChain[0], o.hostCheck.host, o.hostCheck.pgVersion);
          if (!h.ok) {
            stream.end();
            throw new Failure('host-name', h.message!);
          }
        }
      }
    }
    const session = new ClientSession(o.params, o.sql);
    res.session = session.result;
    await converse(stream, session, timeoutMs, res);
    const s = session.result;
    if (s.ok) res.ok = true;
    else if (s.protocolError) {
      res.stage = 'protocol';
      res.message = s.protocolError;
    } else if (s.error) {
      res.stage = 'server-error';
      res.message = `${s.error.severity}:  ${s.error.message}`;
    } else if (s.authRequest) {
      // pg_fe_sendauth gives up on the client's side: no retry in either direction
      res.stage = 'client-auth';
      res.message = fmt(LIBPQ.noPasswordSupplied);
    } else {
      res.stage = 'protocol';
      res.message = fmt(LIBPQ.serverClosedFirstLine);
    }
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    res.stage = e.stage;
    res.message = e.message;
  } finally {
    sock?.destroy();
  }
  return res;
}
