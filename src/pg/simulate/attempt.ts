// One connection attempt of libpq's sslmode ladder, as the phases it goes through:
// connect (and libpq's Unix-socket checks) -> SSLRequest -> initialize_SSL -> TLS handshake
// with both certificate checks -> verify-full's host name -> startup packet, pg_hba and
// authentication -> backend start. The first phase that fails ends the attempt; the ladder
// (client/ladder.ts, data) decides whether another attempt follows.

import type { AttemptKind } from '../client/ladder.js';
import { authenticationPhase } from './authentication.js';
import { connectPhase, sslRequestPhase } from './negotiation.js';
import { clientTlsPhase, handshakePhase, hostNamePhase, tlsTransport } from './tls.js';
import type { AttemptReport, AttemptRun, Connection, PhaseEnd, Transport } from './types.js';

/** Attempt `n` of kind `kind`; `sameSocket`: it continues the previous one's socket after an 'N'. */
export function runAttempt(c: Connection, kind: AttemptKind, n: number, sameSocket: boolean): AttemptRun {
  const run: Omit<AttemptRun, 'outcome' | 'report'> = { steps: [], log: [], warnings: [] };
  const report: AttemptReport = { kind, ok: false };
  const take = (p: PhaseEnd): boolean => {
    run.steps.push(...p.steps);
    run.log.push(...p.log);
    run.warnings.push(...(p.warnings ?? []));
    if (p.failure?.facts) run.facts = p.failure.facts;
    return !p.failure;
  };
  const end = (p: PhaseEnd): AttemptRun => {
    const f = p.failure;
    Object.assign(report, { ok: !f, stage: f?.stage, message: f?.message });
    return { ...run, report, outcome: { kind, ok: !f, stage: f?.stage, message: f?.message } };
  };

  const connected = connectPhase(c, n, sameSocket);
  if (!take(connected)) return end(connected);
  let transport: Transport = { ssl: false, certSent: false };
  if (kind === 'ssl') {
    // 17+ direct TLS: libpq sets up its SSL context before it sends anything, so a failure
    // there closes a connection the server saw no byte on (it logs nothing more; real 13..18
    // with libpq 18); on the SSLRequest path the server had answered 'S' and sees EOF
    const direct = c.run.libpqVersion >= 17 && c.conn.sslnegotiation === 'direct';
    const setup = clientTlsPhase(c, n);
    if (direct && setup.failure) setup.log = [];
    const answer = direct && setup.failure ? undefined : sslRequestPhase(c, n, kind);
    // direct: the set-up's step comes before the ClientHello's
    if (direct && answer) [answer.steps, setup.steps] = [[...setup.steps, ...answer.steps], []];
    if (answer && !take(answer)) return { ...end(answer), sameSocketNext: answer.plainOnSameSocket };
    run.prompts = setup.prompts;
    if (!take(setup) || !setup.tls) return end(setup);
    const hs = handshakePhase(c, n, setup.tls);
    report.handshake = hs.handshake;
    run.trace = hs.handshake.trace;
    if (!take(hs)) return end(hs);
    const name = hostNamePhase(c, n, hs.handshake);
    if (!take(name)) return end(name);
    transport = tlsTransport(c, setup.tls, hs.handshake);
  }
  const auth = authenticationPhase(c, n, transport, connected.clientHost);
  take(auth);
  run.statRow = auth.statRow;
  return end(auth);
}
