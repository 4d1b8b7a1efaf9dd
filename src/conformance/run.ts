// Runs a plan: each case of this shard, connection cases through the given connector
// (offline simulate, or live) with bounded concurrency, property cases on the server's
// facts; results come back in plan order whatever order they finished in, so a report
// does not depend on timing and shards merge back into exactly the single run's report.

import { checkProperty } from './properties.js';
import { judge, type ConnOutcome } from './connect.js';
import type { Blame, ServerFacts } from './facts.js';
import type { Case, ConnectionCase, Plan, Position, ServerSpec } from './spec.js';

export type CaseStatus = 'pass' | 'fail' | 'error' | 'skip';

export interface CaseResult {
  id: string;
  kind: Case['kind'];
  name: string;
  server: string;
  status: CaseStatus;
  /** what the expectation says */
  expected: string;
  /** what happened */
  actual: string;
  /** why it fails (status fail/error) */
  why?: string;
  conninfo?: string;
  steps: string[];
  chain: string[];
  serverLog: string[];
  fix?: string;
  blame?: Blame;
  source: Position;
  durationMs: number;
}

export interface Summary {
  total: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
}

export interface Report {
  tool: { name: 'pgtls'; version: string };
  file: string;
  mode: 'offline' | 'live';
  /** the time connections and lifetimes were judged at */
  at: string;
  shard?: { index: number; count: number };
  cases: CaseResult[];
  summary: Summary;
}

export interface RunOptions {
  mode: 'offline' | 'live';
  at: Date;
  version: string;
  /** the facts of a server with a data directory (undefined: none) */
  facts: (server: ServerSpec) => ServerFacts | undefined;
  connect: (c: ConnectionCase, server: ServerSpec, facts: ServerFacts | undefined) => Promise<ConnOutcome>;
  /** connections at once (live); default 1 */
  concurrency?: number;
  /** 1-based index of N */
  shard?: { index: number; count: number };
  now?: () => number;
}

/** The servers of shard I of N: every Nth server of the plan's list, deterministic. */
export function shardServers(plan: Plan, shard?: { index: number; count: number }): Set<string> {
  return new Set(plan.servers.filter((_, i) => !shard || i % shard.count === shard.index - 1).map((s) => s.name));
}

export function summarize(cases: CaseResult[]): Summary {
  const n = (s: CaseStatus) => cases.filter((c) => c.status === s).length;
  return { total: cases.length, passed: n('pass'), failed: n('fail'), errors: n('error'), skipped: n('skip') };
}

export function expectedText(c: Case): string {
  if (c.kind === 'property') return `${c.property}: ${JSON.stringify(c.value)}`;
  if (c.expect.connects) return 'connects';
  const f = c.expect.fails ?? {};
  return [
    'fails',
    f.message !== undefined ? `with "${f.message}"` : '',
    f.pattern !== undefined ? `matching /${f.pattern}/` : '',
    f.step ? `at ${f.step}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

const actualText = (o: ConnOutcome) =>
  o.error ? `could not run: ${o.error}` : o.connects ? 'connects' : `fails${o.stage ? ` at ${o.stage}` : ''}: ${o.message}`;

export async function runPlan(plan: Plan, o: RunOptions): Promise<Report> {
  const now = o.now ?? (() => Date.now());
  const inShard = shardServers(plan, o.shard);
  const servers = new Map(plan.servers.map((s) => [s.name, s]));
  const factsCache = new Map<string, ServerFacts | undefined>();
  const factsOf = (s: ServerSpec) => {
    if (!factsCache.has(s.name)) factsCache.set(s.name, s.pgdata ? o.facts(s) : undefined);
    return factsCache.get(s.name);
  };
  const todo = plan.cases.filter((c) => inShard.has(c.server));
  const results: CaseResult[] = new Array(todo.length);

  const one = async (c: Case): Promise<CaseResult> => {
    const server = servers.get(c.server)!;
    const t0 = now();
    const base = { id: c.id, kind: c.kind, name: c.name, server: c.server, expected: expectedText(c), source: c.source };
    if (c.kind === 'property') {
      const facts = factsOf(server);
      if (!facts)
        return {
          ...base,
          status: 'skip',
          actual: 'no data directory: properties need pgdata',
          steps: [],
          chain: [],
          serverLog: [],
          durationMs: 0,
        };
      const v = checkProperty(facts, c.property, c.value, server, o.at);
      return {
        ...base,
        status: v.ok ? 'pass' : 'fail',
        actual: v.actual,
        ...(v.ok ? {} : { why: v.actual }),
        steps: [],
        chain: [],
        serverLog: [],
        fix: v.ok ? undefined : v.fix,
        blame: v.blame,
        durationMs: now() - t0,
      };
    }
    const out = await o.connect(c, server, o.mode === 'offline' ? factsOf(server) : server.pgdata ? factsOf(server) : undefined);
    const j = judge(c.expect, out);
    return {
      ...base,
      status: out.error ? 'error' : j.ok ? 'pass' : 'fail',
      actual: actualText(out),
      ...(j.ok ? {} : { why: j.why }),
      steps: out.steps,
      chain: out.chain,
      serverLog: out.serverLog,
      fix: j.ok ? undefined : out.fix,
      blame: out.blame,
      durationMs: now() - t0,
    };
  };

  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const i = next++;
      results[i] = await one(todo[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 1, todo.length)) }, worker));
  return {
    tool: { name: 'pgtls', version: o.version },
    file: plan.file,
    mode: o.mode,
    at: o.at.toISOString(),
    ...(o.shard ? { shard: o.shard } : {}),
    cases: results,
    summary: summarize(results),
  };
}

/** Reports of shards (or any reports of the same plan) as one, cases in plan order. */
export function mergeReports(reports: Report[]): Report {
  if (!reports.length) throw new Error('mergeReports: no reports');
  const [first] = reports;
  const seen = new Map<string, CaseResult>();
  for (const r of reports) for (const c of r.cases) seen.set(c.id, c);
  const cases = [...seen.values()].sort((a, b) => a.id.localeCompare(b.id));
  return { tool: first.tool, file: first.file, mode: first.mode, at: first.at, cases, summary: summarize(cases) };
}

/** The process exit code: 0 every expectation holds, 1 some do not (2, bad input, is the CLI's). */
export const exitCode = (r: Report): number => (r.summary.failed || r.summary.errors ? 1 : 0);
