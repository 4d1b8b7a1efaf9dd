// The campaign itself: a seed replays exactly (cases, decision paths, disagreements,
// minimized findings), shards merged equal the unsharded run, worker-style lane filters
// too, and shrinking reaches a minimal case. A deterministic fake oracle stands in for
// OpenSSL so the disagreement and shrinking paths run without processes.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash64, mergeSummaries, runCampaign, candidates, type Oracle, type Summary, type CampaignOptions } from '../../src/fuzz/index.js';
import { run as fuzzCli } from '../../src/cli/fuzz.js';
import { fuzzContext } from './helpers.js';

const { build } = fuzzContext();

/** Says what we say, except that it rejects every case whose leaf uses a P-256 key and has a mutation. */
const fakeOracle: Oracle = {
  name: 'openssl',
  async run(cases) {
    return cases.map((b) => {
      const leaf = b.spec.chain[b.spec.chain.length - 1];
      if (leaf.key.startsWith('p256') && b.spec.mutations.length) return { status: 'fail', errors: ['50@0'] };
      return undefined;
    });
  },
};

const base = (o: Partial<CampaignOptions> = {}): CampaignOptions => ({
  seed: 99,
  iterations: 100,
  lanes: 4,
  build,
  oracles: [fakeOracle],
  maxShrinks: 20,
  ...o,
});
const stable = (s: Summary) => ({ ...s, elapsedMs: 0, shard: '' });
let wholeRun: Promise<Summary> | undefined;
const whole = () => (wholeRun ??= runCampaign(base()));

// bound against a hang, not a timing check: each campaign runs openssl on 100 cases, and a loaded
// 2-core machine takes several times the ~20 s they need alone
describe('campaign', { timeout: 300_000 }, () => {
  it('is deterministic for a seed', async () => {
    const a = await whole();
    const b = await runCampaign(base());
    expect(stable(b)).toEqual(stable(a));
    expect(a.cases).toBe(100);
    expect(a.pathHashes.length).toBeGreaterThan(10);
    expect(a.mutants).toBeGreaterThan(0);
    const other = await runCampaign(base({ seed: 100, iterations: 30, oracles: [] }));
    expect(other.pathHashes).not.toEqual(a.pathHashes.slice(0, other.pathHashes.length));
  });

  it('shards merged (and lane-split workers) equal the unsharded run', async () => {
    const all = await whole();
    // merging is exact only while no run hit --max-shrinks (each shard would shrink its own first signatures)
    expect(all.shrinkCapHit).toBeUndefined();
    const shards = await Promise.all([0, 1, 2].map((index) => runCampaign(base({ shard: { index, count: 3 } }))));
    expect(shards.map((s) => s.cases).reduce((x, y) => x + y, 0)).toBe(all.cases);
    expect(stable(mergeSummaries(shards))).toEqual(stable(all));
    const workers = await Promise.all([0, 1].map((w) => runCampaign(base({ laneFilter: (l) => l % 2 === w }))));
    expect(stable(mergeSummaries(workers))).toEqual(stable(all));
    expect(() => mergeSummaries([all, { ...all, seed: 1 }])).toThrow(/different campaigns/);
  });

  it('shrinks a disagreement to a minimal case and writes a replayable vector', async () => {
    const s = await whole();
    expect(s.disagreements['unexplained:openssl:first-error'] ?? 0).toBeGreaterThan(0);
    expect(s.findings.length).toBeGreaterThan(0);
    for (const f of s.findings) {
      // minimal: one mutation left, nothing simpler still disagrees
      expect(f.spec.mutations.length).toBe(1);
      expect(f.spec.chain[f.spec.chain.length - 1].key.startsWith('p256')).toBe(true);
      expect(JSON.stringify(f.spec).length).toBeLessThanOrEqual(JSON.stringify(f.original).length);
      // no simpler variant that keeps the mutation and the P-256 leaf is left untried: shrinking reached a fixpoint
      expect(candidates(f.spec).length).toBeGreaterThan(0);
      expect(Object.keys(f.files)).toEqual(expect.arrayContaining(['case.json', 'leaf.pem', 'replay.sh']));
      expect(JSON.parse(f.files['case.json']).replay).toMatch(/^openssl verify -no-CApath -no-CAstore .*-attime 1780272000 -auth_level 2/);
    }
    expect(hash64('a')).not.toBe(hash64('b'));
  });

  it('pgtls fuzz --shard + pgtls fuzz merge print one report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-fuzz-cli-'));
    const log = console.log;
    const out: string[] = [];
    console.log = (...a: unknown[]) => void out.push(a.join(' '));
    try {
      for (const i of [0, 1]) {
        const code = await fuzzCli([
          '--iterations',
          '30',
          '--seed',
          '3',
          '--oracle',
          'none',
          '--no-corpus',
          '--quiet',
          '--lanes',
          '4',
          '--shard',
          `${i}/2`,
          '--out',
          join(dir, `s${i}`),
        ]);
        expect(code).toBe(0);
      }
      expect(await fuzzCli(['merge', join(dir, 's0'), join(dir, 's1'), '--out', join(dir, 'm')])).toBe(0);
      const merged = JSON.parse(readFileSync(join(dir, 'm', 'summary.json'), 'utf8')) as Summary;
      expect(merged.cases).toBe(30);
      expect(out.join('\n')).toMatch(/distinct decision paths/);
      await expect(fuzzCli(['--shard', '3/2'])).rejects.toThrow(/--shard/);
      expect(existsSync(join(dir, 's0', 'summary.json'))).toBe(true);
    } finally {
      console.log = log;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
