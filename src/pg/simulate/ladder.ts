// Phase 4 of simulate(): the sslmode ladder on the target libpq reached. Builds what the
// attempts share (the Connection: password, sslmode, the server's name lookups), runs the
// ladder (client/ladder.ts, data) with one attempt value per step (attempt.ts), and folds
// the attempts into what psql and the server show.

import type { TraceEntry } from '../../tls13/index.js';
import { runLadder, type AttemptOutcome } from '../client/ladder.js';
import type { ConnTarget, ResolvedConninfo } from '../conninfo/resolve.js';
import { hostsResolver, loadHostsFile } from '../config/hosts.js';
import type { FailureFacts } from '../fix.js';
import type { LogLine } from '../log.js';
import { LIBPQ } from '../messages.js';
import type { ServerState } from '../server/postmaster.js';
import type { PgStatSslRow } from '../server/stat-ssl.js';
import { runAttempt } from './attempt.js';
import type { AttemptReport, AttemptRun, Connection, Languages, Run, SimStep } from './types.js';

export function connectionOf(run: Run, lang: Languages, server: ServerState, conn: ResolvedConninfo, target: ConnTarget): Connection {
  const { input } = run;
  const local = target.type === 'socket';
  return {
    run,
    lang,
    server,
    conn,
    target,
    local,
    // fe-connect.c: no SSLRequest (nor GSSENCRequest) over a Unix socket, whatever the sslmode
    sslmode: local ? 'disable' : conn.sslmode,
    resolver: hostsResolver(input.hosts ?? loadHostsFile(input.fs)),
    // fe-auth.c: the host's password from the file, else password=/PGPASSWORD; empty is none
    password: (target.password ?? conn.values.password) || undefined,
    rolePassword: input.rolePasswords && Object.hasOwn(input.rolePasswords, conn.user) ? input.rolePasswords[conn.user] : undefined,
    // pgpassfileWarning names the file after a 28P01 when this host's password came from it
    retrieved:
      target.password !== undefined && conn.passfile.kind === 'read' ? `\n${lang.client(LIBPQ.passfileRetrieved, conn.passfile.path)}` : '',
  };
}

export interface LadderEnd {
  /** the outcomes the ladder kept, last one deciding (an 'N' answer's attempt is not among them) */
  outcomes: AttemptOutcome[];
  /** every attempt made */
  attempts: AttemptReport[];
  steps: SimStep[];
  log: LogLine[];
  /** what the fix answers: the SSL attempt's failure when there was one */
  facts?: FailureFacts;
  /** the trace of the last attempt that ran a handshake */
  trace: TraceEntry[];
  /** OpenSSL's pass phrase prompts, printed before psql's error */
  prompts: string;
  /** libpq's own warnings during the attempts, in order */
  warnings: string[];
  statRow?: PgStatSslRow;
}

export function ladderPhase(c: Connection): LadderEnd {
  const runs: AttemptRun[] = [];
  // each attempt a value; the next one knows only whether it continues the same socket
  const outcomes = runLadder(c.sslmode, (kind) => {
    const r = runAttempt(c, kind, runs.length + 1, runs[runs.length - 1]?.sameSocketNext ?? false);
    runs.push(r);
    return r.outcome;
  });
  let facts: FailureFacts | undefined;
  let sslFacts: FailureFacts | undefined;
  for (const r of runs) {
    if (r.facts) facts = r.facts;
    // under prefer/allow the plaintext attempt's error is only the fallback's
    if (r.report.kind === 'ssl' && !r.outcome.ok && facts) sslFacts = facts;
  }
  const withTrace = runs.filter((r) => r.trace);
  return {
    outcomes,
    attempts: runs.map((r) => r.report),
    steps: runs.flatMap((r) => r.steps),
    log: runs.flatMap((r) => r.log),
    facts: sslFacts ?? facts,
    trace: withTrace.length ? withTrace[withTrace.length - 1].trace! : [],
    prompts: runs.reduce((p, r) => r.prompts ?? p, ''),
    warnings: runs.flatMap((r) => r.warnings),
    statRow: runs.find((r) => r.outcome.ok)?.statRow,
  };
}
