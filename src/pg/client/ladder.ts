// The sslmode ladder of libpq (fe-connect.c, PQconnectPoll): which connection attempts
// libpq makes for one host, in which order, and which failure lets it try the next. As a
// table, because the rules are few and each was checked against psql 15:
//   prefer + SSL failure (client set-up, handshake, or an ErrorResponse inside TLS) -> plain retry
//   allow + ErrorResponse on the plain connection -> SSL retry
//   no password to answer the server's request -> no retry
//   server answers 'N' to SSLRequest -> plain on the same socket, unless SSL is required
// Every failed attempt's message is kept; psql prints them all, one per line, when the last
// attempt fails too, and none when a later attempt succeeds.

import type { SslMode } from '../conninfo/resolve.js';

export type AttemptKind = 'ssl' | 'plain';

/** Where an attempt failed; decides whether libpq moves on to the next attempt. */
export type FailureStage =
  | 'ssl-refused' // server answered 'N'
  | 'client-setup' // initialize_SSL error (root file, client key...)
  | 'handshake' // TLS alert / verify failure
  // TLS 1.3: the client has finished its handshake when the server rejects the client
  // certificate, so the alert arrives while libpq awaits the server's response: past the
  // SSL start-up, where prefer no longer retries in plaintext (observed with psql 15)
  | 'alert-after-handshake'
  // libpq 16+ sslcertmode=require: checked at AuthenticationOk, no retry
  | 'client-cert-not-sent'
  | 'host-name' // verify-full name check after the handshake
  | 'server-error' // ErrorResponse (pg_hba, authentication) after the startup packet
  // pg_fe_sendauth fails on the client's side ("fe_sendauth: no password supplied"):
  // error_return, no retry in either direction (observed with psql 15)
  | 'client-auth'
  // libpq refuses the Unix socket it reached before the startup packet (requirepeer,
  // gssencmode=require): error_return
  | 'connection-check';

export interface LadderRule {
  /** attempts in order */
  attempts: AttemptKind[];
  /** failures of the first attempt after which libpq goes on to the second */
  fallbackOn: FailureStage[];
  /** on 'N' from the server: continue in plaintext (true) or fail with "SSL was required" */
  plainOnRefusal: boolean;
}

export const LADDER: Record<SslMode, LadderRule> = {
  disable: { attempts: ['plain'], fallbackOn: [], plainOnRefusal: false },
  allow: { attempts: ['plain', 'ssl'], fallbackOn: ['server-error'], plainOnRefusal: true },
  prefer: { attempts: ['ssl', 'plain'], fallbackOn: ['client-setup', 'handshake', 'server-error'], plainOnRefusal: true },
  require: { attempts: ['ssl'], fallbackOn: [], plainOnRefusal: false },
  'verify-ca': { attempts: ['ssl'], fallbackOn: [], plainOnRefusal: false },
  'verify-full': { attempts: ['ssl'], fallbackOn: [], plainOnRefusal: false },
};

export interface AttemptOutcome {
  kind: AttemptKind;
  ok: boolean;
  stage?: FailureStage;
  /** libpq's message for this attempt (without psql's prefix) */
  message?: string;
}

/**
 * Run the ladder: `attempt(kind)` performs one connection attempt (SSL or plain) and says
 * how it ended. Returns every attempt made, last one deciding.
 */
export function runLadder(mode: SslMode, attempt: (kind: AttemptKind) => AttemptOutcome): AttemptOutcome[] {
  const rule = LADDER[mode];
  const done: AttemptOutcome[] = [];
  for (let i = 0; i < rule.attempts.length; i++) {
    const kind = rule.attempts[i];
    const r = attempt(kind);
    if (r.stage === 'ssl-refused' && rule.plainOnRefusal && i === 0) {
      // 'N' is not a failure for allow/prefer: the same socket goes on in plaintext, and
      // that outcome is final (there is nothing left to fall back to).
      done.push(attempt('plain'));
      return done;
    }
    done.push(r);
    if (r.ok) return done;
    if (i + 1 < rule.attempts.length && r.stage && rule.fallbackOn.includes(r.stage)) continue;
    return done;
  }
  return done;
}
