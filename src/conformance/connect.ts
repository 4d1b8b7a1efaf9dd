// One connection expectation, run: the connection string a case's server and profile make,
// the outcome of running it offline through simulate() (this file) or live (live-node.ts),
// reduced to what both modes can say the same way (connects; psql's message without its
// per-attempt prefix; libpq's failure stage), and the verdict against the expectation.

import { simulate, type SimulateInput, type SimulateResult } from '../pg/simulate.js';
import type { OpensslVersion } from '../tls13/index.js';
import { formatNameOneline } from '../x509/index.js';
import { hbaBlame, settingBlame, type Blame, type ServerFacts } from './facts.js';
import type { ConnectionCase, Outcome, Plan, ProfileSpec, ServerSpec } from './spec.js';

export interface ConnOutcome {
  connects: boolean;
  /** psql's message, each attempt's line without "connection to server at ... failed: " */
  message: string;
  /** libpq's failure stage of the last attempt (FailureStage), 'server-start' or 'connect' */
  stage?: string;
  /** each step taken (offline), or each live attempt */
  steps: string[];
  fix?: string;
  serverLog: string[];
  /** the server certificate chain, subjects leaf first */
  chain: string[];
  blame?: Blame;
  /** the case could not be run at all (a network error after retries) */
  error?: string;
}

const PREFIX = /^connection to server (?:at|on) .*? failed: /;

/** psql's stderr lines -> the message an expectation compares with. */
export function normalizeMessage(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/^psql: error: /, '').replace(PREFIX, ''))
    .join('\n')
    .trimEnd();
}

const quote = (v: string) => (/^[^\s'\\]+$/.test(v) ? v : `'${v.replace(/(['\\])/g, '\\$1')}'`);

/** The connection string of a case: the server's host/hostaddr/port, the profile's files, then the case's own (later keys win in libpq). */
export function caseConninfo(c: ConnectionCase, server: ServerSpec, profile?: ProfileSpec): string {
  const parts: string[] = [];
  if (server.host) parts.push(`host=${quote(server.host)}`);
  if (server.hostaddr) parts.push(`hostaddr=${quote(server.hostaddr)}`);
  if (server.port !== undefined) parts.push(`port=${server.port}`);
  for (const [k, v] of Object.entries(profile?.files ?? {})) parts.push(`${k}=${quote(v)}`);
  parts.push(c.conninfo);
  return parts.join(' ');
}

/** The client's environment: only what the profile says (nothing of the machine running the test), HOME as given or none. */
export function profileEnv(profile?: ProfileSpec): Record<string, string | undefined> {
  return { HOME: profile?.home ?? '/nonexistent', ...(profile?.env ?? {}) };
}

export function judge(expect: Outcome, o: ConnOutcome): { ok: boolean; why?: string } {
  if (o.error) return { ok: false, why: o.error };
  if (expect.connects) return o.connects ? { ok: true } : { ok: false, why: 'expected to connect, but it fails' };
  const f = expect.fails ?? {};
  if (o.connects) return { ok: false, why: 'expected to fail, but it connects' };
  if (f.message !== undefined && o.message !== f.message) return { ok: false, why: 'it fails with another message' };
  if (f.pattern !== undefined && !new RegExp(f.pattern).test(o.message))
    return { ok: false, why: `it fails with a message that does not match /${f.pattern}/` };
  if (f.step !== undefined && o.stage !== f.step) return { ok: false, why: `it fails at step ${o.stage ?? '(none)'}, not ${f.step}` };
  return { ok: true };
}

/** What the simulation blames: the pg_hba.conf line that decided, else the setting behind a TLS failure. */
function blameOf(r: SimulateResult, facts: ServerFacts, stage?: string): Blame | undefined {
  if (!facts.starts) return settingBlame(facts, 'ssl');
  const auth = r.steps.filter((s) => s.step === 'authentication').pop();
  const n = auth && /pg_hba\.conf line (\d+)/.exec(auth.detail)?.[1];
  if (n) return hbaBlame(facts, Number(n));
  if (/no pg_hba\.conf entry/.test(r.message)) return hbaBlame(facts);
  if (stage === 'handshake' || stage === 'alert-after-handshake' || stage === 'host-name')
    return settingBlame(
      facts,
      r.attempts.some((a) => a.handshake?.clientVerify && !a.handshake.clientVerify.ok) ? 'ssl_ca_file' : 'ssl_cert_file',
    );
  if (stage === 'ssl-refused') return settingBlame(facts, 'ssl');
  return undefined;
}

/** The simulate() inputs every case shares: the file system, identities, catalogs... */
export type OfflineBase = Pick<
  SimulateInput,
  'fs' | 'clientUser' | 'serverUser' | 'catalogs' | 'localeInstalled' | 'hosts' | 'pgWrapper'
> & {
  /** the client's OS user when a profile names none */
  osUser: string;
};

export function connectOffline(
  plan: Plan,
  base: OfflineBase,
  c: ConnectionCase,
  server: ServerSpec,
  facts: ServerFacts,
  at: Date,
): ConnOutcome {
  const profile = c.profile ? plan.profiles[c.profile] : undefined;
  if (!server.pgdata)
    return {
      connects: false,
      message: '',
      steps: [],
      serverLog: [],
      chain: [],
      error: `server "${server.name}" has no pgdata: it can only be tested --live`,
    };
  const r = simulate({
    ...base,
    pgdata: server.pgdata,
    conninfo: caseConninfo(c, server, profile),
    env: profileEnv(profile),
    osUser: profile?.osUser ?? base.osUser,
    pgVersion: server.pgVersion,
    at,
    clientAddr: profile?.address,
    serverAddr: server.hostaddr,
    opensslVersion: plan.opensslVersion as OpensslVersion | undefined,
    securityLevel: plan.securityLevel,
    passphrase: server.passphrase,
    serverOverrides: server.settings,
  });
  const last = r.attempts[r.attempts.length - 1];
  const failedStep = r.steps.find((s) => s.result === 'fail')?.step;
  const stage = r.ok
    ? undefined
    : !r.serverStarted
      ? 'server-start'
      : (last?.stage ?? (r.attempts.length ? undefined : failedStep === 'conninfo' ? 'conninfo' : 'connect'));
  const withChain = [...r.attempts].reverse().find((a) => a.handshake?.serverChain.length);
  return {
    connects: r.ok,
    message: r.ok ? '' : normalizeMessage(r.message),
    stage,
    steps: r.steps.map(
      (s) => `${s.result === 'fail' ? 'FAIL' : s.result} ${s.attempt ? `[attempt ${s.attempt}] ` : ''}${s.step} (${s.who}): ${s.detail}`,
    ),
    fix: r.fix,
    serverLog: r.serverLog,
    chain: (withChain?.handshake?.serverChain ?? []).map((c) => formatNameOneline(c.subject)),
    blame: blameOf(r, facts, stage),
  };
}
