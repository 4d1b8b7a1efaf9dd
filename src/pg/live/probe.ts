// `pgtls probe`'s reasoning, sans I/O: from what two live attempts saw (one TLS connection
// that captured the server's chain without checking it, using this client's certificate
// set-up, and one plaintext connection), the verdict of every sslmode. Each mode's SSL
// attempt is replayed offline in libpq's order: initialize_SSL for that mode (root file,
// CRLs, client certificate and key), the server chain checked when a root file loaded,
// the server's reaction to our certificate and the startup packet (live), verify-full's
// host check; then libpq's sslmode ladder decides which attempts run and which counts.

import type { Certificate } from '../../x509/index.js';
import { runLadder, type AttemptKind, type AttemptOutcome, type FailureStage } from '../client/ladder.js';
import type { ClientTlsResult } from '../client/libpq-ssl.js';
import { SSL_MODES, type SslMode } from '../conninfo/resolve.js';
import { clientOnSslResponse } from '../wire/ssl-negotiation.js';
import { libpqHostCheck, verifyServerChain } from './client-tls.js';
import { verifyFailureText } from '../tls-handshake.js';

/** A live attempt, reduced to what the verdicts need. */
export interface LiveOutcome {
  ok: boolean;
  stage?: string;
  message?: string;
}

export interface ProbeFacts {
  /** the server's answer to SSLRequest ('S', 'N', ...), undefined when TCP failed */
  sslResponse?: string;
  /** the TLS attempt (unverified, with the client certificate set-up); after 'N' its plaintext continuation */
  ssl?: LiveOutcome;
  /** the chain the server sent in the TLS attempt, leaf first */
  chain: Certificate[];
  /** the plaintext attempt */
  plain?: LiveOutcome;
  /** initialize_SSL per sslmode (only the root-file rules differ between modes) */
  prepare: Record<SslMode, ClientTlsResult>;
  /** the host name verify-full checks (libpq's host, never hostaddr) */
  host?: string;
  pgVersion: number;
  at: Date;
}

export interface ModeVerdict {
  sslmode: SslMode;
  ok: boolean;
  /** the attempts libpq makes, in order */
  attempts: (AttemptOutcome & { kind: AttemptKind })[];
  /** what psql prints after "connection to server at ... failed: " when !ok (first attempt's message) */
  message?: string;
  /** the connection that succeeded is encrypted */
  encrypted?: boolean;
}

/** The live stages the ladder knows; a TCP or protocol failure has none: libpq moves to the next host, never to plaintext. */
const LADDER_STAGES: ReadonlySet<string> = new Set<FailureStage>([
  'ssl-refused',
  'client-setup',
  'handshake',
  'alert-after-handshake',
  'host-name',
  'server-error',
  'client-auth',
]);
const asStage = (s?: string): AttemptOutcome['stage'] => (s !== undefined && LADDER_STAGES.has(s) ? (s as FailureStage) : undefined);

function fromLive(kind: AttemptKind, o: LiveOutcome | undefined): AttemptOutcome {
  if (!o) return { kind, ok: false, message: 'could not connect to server' };
  return o.ok ? { kind, ok: true } : { kind, ok: false, stage: asStage(o.stage), message: o.message };
}

/** One sslmode's SSL attempt, replayed from the facts. */
export function sslAttempt(f: ProbeFacts, mode: SslMode): AttemptOutcome {
  if (f.sslResponse !== undefined && f.sslResponse !== 'S') {
    const r = clientOnSslResponse(f.sslResponse.charCodeAt(0), mode);
    if (r.next === 'plaintext') return { kind: 'ssl', ok: false, stage: 'ssl-refused' };
    // an answer other than S/N is a protocol failure (fe-connect.c: error_return): no plaintext retry
    if (r.next === 'fail') return { kind: 'ssl', ok: false, stage: f.sslResponse === 'N' ? 'ssl-refused' : undefined, message: r.error };
  }
  if (f.sslResponse === undefined) return fromLive('ssl', f.ssl);
  const prep = f.prepare[mode];
  if (!prep.ok) return { kind: 'ssl', ok: false, stage: 'client-setup', message: prep.message };
  // the client checks the server's chain before it sends its own certificate (TLS 1.3)
  if (prep.tls.verifyPeer && f.chain.length) {
    const v = verifyServerChain(prep.tls, f.chain, f.at);
    if (!v.ok) return { kind: 'ssl', ok: false, stage: 'handshake', message: `SSL error: ${verifyFailureText(v)}` };
  }
  if (f.ssl && !f.ssl.ok && f.ssl.stage === 'handshake') return fromLive('ssl', f.ssl);
  if (mode === 'verify-full' && f.chain.length) {
    const h = libpqHostCheck(f.chain[0], f.host ?? '', f.pgVersion);
    if (!h.ok) return { kind: 'ssl', ok: false, stage: 'host-name', message: h.message };
  }
  return fromLive('ssl', f.ssl);
}

export function sslmodeVerdicts(f: ProbeFacts): ModeVerdict[] {
  return SSL_MODES.map((mode) => {
    let refused = false;
    const attempts = runLadder(mode, (kind) => {
      if (kind === 'ssl') {
        const a = sslAttempt(f, mode);
        refused = a.stage === 'ssl-refused' && !a.message;
        return a;
      }
      // after an 'N' the TLS attempt's socket went on in plaintext: that is the plain outcome
      return fromLive('plain', refused && f.ssl ? f.ssl : f.plain);
    });
    const last = attempts[attempts.length - 1];
    const failed = attempts.filter((a) => !a.ok && a.message);
    return {
      sslmode: mode,
      ok: last.ok,
      attempts,
      message: last.ok ? undefined : failed.map((a) => a.message).join('\n'),
      encrypted: last.ok ? last.kind === 'ssl' : undefined,
    };
  });
}
