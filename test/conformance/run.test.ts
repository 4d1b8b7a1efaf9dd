// The runner's pure parts: shards split a fleet into disjoint parts that cover it, in plan
// order; a merge of shard reports is the report of one run; the verdict of one connection
// against its expectation (exact message, pattern, step).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  judge,
  mergeReports,
  shardServers,
  summarize,
  type CaseResult,
  type ConnOutcome,
  type Plan,
  type Report,
} from '../../src/conformance/index.js';

const plan = (n: number): Plan => ({
  file: 'f.yaml',
  pgVersion: 15,
  servers: Array.from({ length: n }, (_, i) => ({ name: `s${i}`, settings: {}, names: [], pgVersion: 15 })),
  profiles: {},
  cases: [],
});

describe('shards', () => {
  it('are disjoint, cover every server, and are balanced to within one server', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 12 }), (servers, count) => {
        const p = plan(servers);
        const parts = Array.from({ length: count }, (_, i) => [...shardServers(p, { index: i + 1, count })]);
        const all = parts.flat();
        expect(new Set(all).size).toBe(all.length);
        expect(new Set(all)).toEqual(shardServers(p));
        const sizes = parts.map((x) => x.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('merging any split of a report, in any order, gives the report back', () => {
    const kase = (i: number): CaseResult => ({
      id: String(i + 1).padStart(6, '0'),
      kind: 'connection',
      name: `c${i}`,
      server: `s${i % 3}`,
      status: i % 4 === 0 ? 'fail' : 'pass',
      expected: 'connects',
      actual: 'connects',
      steps: [],
      chain: [],
      serverLog: [],
      source: { file: 'f.yaml', line: i + 1, col: 1 },
      durationMs: 1,
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 5 }), fc.nat(), (n, k, seed) => {
        const cases = Array.from({ length: n }, (_, i) => kase(i));
        const whole: Report = {
          tool: { name: 'pgtls', version: 'x' },
          file: 'f.yaml',
          mode: 'offline',
          at: 'now',
          cases,
          summary: summarize(cases),
        };
        const parts: Report[] = Array.from({ length: k }, (_, j) => {
          const mine = cases.filter((_, i) => (i * 7 + seed) % k === j);
          return { ...whole, shard: { index: j + 1, count: k }, cases: mine, summary: summarize(mine) };
        });
        expect(mergeReports(parts.reverse())).toEqual(whole);
      }),
    );
  });
});

describe('judge', () => {
  const fails = (message: string, stage?: string): ConnOutcome => ({
    connects: false,
    message,
    stage,
    steps: [],
    serverLog: [],
    chain: [],
  });
  it('exact message, pattern and step', () => {
    const o = fails('FATAL:  no pg_hba.conf entry for host "127.0.0.1", user "a", database "a", no encryption', 'server-error');
    expect(judge({ fails: { message: o.message } }, o).ok).toBe(true);
    expect(judge({ fails: { message: `${o.message} ` } }, o)).toEqual({ ok: false, why: 'it fails with another message' });
    expect(judge({ fails: { pattern: 'no pg_hba\\.conf entry', step: 'server-error' } }, o).ok).toBe(true);
    expect(judge({ fails: { pattern: '^SSL error' } }, o).ok).toBe(false);
    expect(judge({ fails: { step: 'handshake' } }, o)).toEqual({ ok: false, why: 'it fails at step server-error, not handshake' });
    expect(judge({ connects: true }, o)).toEqual({ ok: false, why: 'expected to connect, but it fails' });
    expect(judge({ fails: {} }, { ...o, connects: true, message: '' })).toEqual({ ok: false, why: 'expected to fail, but it connects' });
    expect(judge({ connects: true }, { ...o, error: 'down' })).toEqual({ ok: false, why: 'down' });
  });
});
