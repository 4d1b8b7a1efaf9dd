// The guidance schedule (src/fuzz/schedule.ts): a choice depends only on the lane's history
// and the case seed, every mutant is a case the builder accepts (indices inside the chain,
// chains of 1-6, bounded mutation lists), the bandit moves the budget to the generator that
// finds new paths, and parents on rare paths are picked before parents on common ones.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ARMS, MAX_MUTATIONS, choose, newSchedule, record, type Arm, type LaneSchedule } from '../../src/fuzz/schedule.js';
import { buildCase, caseArb, caseSeed, type CaseSpec } from '../../src/fuzz/index.js';
import { fuzzContext } from './helpers.js';

/** A deterministic uniform stream (the campaign's own rng is private; any will do here). */
function stream(seed: number): () => number {
  let i = 0;
  return () => caseSeed(seed, i++) / 4294967296;
}

/** A lane that has seen `n` fresh cases, each on its own path. */
function laneWith(n: number, seed = 1): LaneSchedule {
  const s = newSchedule();
  for (let i = 0; i < n; i++) {
    const c = choose(s, caseSeed(seed, i), stream(i), false);
    record(s, c, `p${i}`, caseSeed(seed ^ 7, i));
  }
  return s;
}

function wellFormed(spec: CaseSpec): void {
  const n = spec.chain.length;
  expect(n).toBeGreaterThanOrEqual(1);
  expect(n).toBeLessThanOrEqual(6);
  expect(spec.mutations.length).toBeLessThanOrEqual(MAX_MUTATIONS);
  for (const m of spec.mutations) {
    expect(m.at).toBeGreaterThanOrEqual(0);
    expect(m.at).toBeLessThan('crl' in m ? Math.max(1, n - 1) : n);
  }
  expect(spec.chain[n - 1].name).toBe('leaf');
  for (const c of spec.chain.slice(0, -1)) expect(c.name).not.toBe('leaf');
}

describe('guidance schedule', () => {
  it('replays: the same lane history and case seed give the same case', () => {
    const a = laneWith(20);
    const b = laneWith(20);
    for (let i = 100; i < 140; i++) expect(choose(a, caseSeed(5, i), stream(i), true)).toEqual(choose(b, caseSeed(5, i), stream(i), true));
    // unguided (--no-guidance): always the fresh case of that seed, whatever the pool holds
    for (let i = 100; i < 110; i++)
      expect(choose(a, caseSeed(5, i), stream(i), false)).toEqual(choose(newSchedule(), caseSeed(5, i), stream(i + 1), true));
  });

  it('makes only mutants the builder lays out, through every generator', () => {
    const { build } = fuzzContext();
    const seen = new Set<Arm>();
    fc.assert(
      fc.property(fc.array(caseArb(3), { minLength: 2, maxLength: 6 }), fc.nat(), fc.nat(100), (pool, seed, steps) => {
        const s = newSchedule();
        pool.forEach((spec, i) => {
          record(s, { spec, arm: 'fresh' }, `p${i}`, i);
        });
        // stack several rounds: mutants of mutants must stay well formed too
        for (let k = 0; k <= steps % 4; k++) {
          const c = choose(s, seed + k, stream(seed + k), true);
          seen.add(c.arm);
          wellFormed(c.spec);
          record(s, c, `q${seed}-${k}`, seed + k);
        }
      }),
      { numRuns: 300 },
    );
    expect([...seen].sort()).toEqual([...ARMS].sort());
    // and a sample of them actually builds
    const s = laneWith(8);
    for (let i = 0; i < 30; i++) expect(() => buildCase(choose(s, caseSeed(9, i), stream(i), true).spec, build)).not.toThrow();
  });

  it('moves the budget to the generator that finds new paths', () => {
    const s = laneWith(10);
    const count = (): Record<string, number> => {
      const n: Record<string, number> = {};
      for (let i = 0; i < 400; i++) {
        const c = choose(s, caseSeed(3, i), stream(i), true);
        n[c.arm] = (n[c.arm] ?? 0) + 1;
      }
      return n;
    };
    const before = count();
    // 'resize' always finds a new path, every other generator never does
    for (let i = 0; i < 300; i++) {
      const c = choose(s, caseSeed(4, i), stream(1000 + i), true);
      record(s, c, c.arm === 'resize' ? `new${i}` : 'old', i);
    }
    const after = count();
    expect(after.resize).toBeGreaterThan(2 * before.resize);
    expect(after.resize).toBeGreaterThan(200);
    // the others keep a floor: a quiet generator is still retried
    for (const a of ARMS) if (a !== 'resize') expect(after[a] ?? 0).toBeGreaterThan(0);
  });

  it('picks parents on rare paths before parents on common ones', () => {
    const s = laneWith(10);
    // every member but the last took a path many cases of the lane also took
    s.pool.slice(0, -1).forEach((e) => {
      s.hits.set(e.path, 4);
    });
    const rare = s.pool[s.pool.length - 1];
    let picked = 0;
    let mutants = 0;
    for (let i = 0; i < 200; i++) {
      const c = choose(s, caseSeed(6, i), stream(i), true);
      if (!c.parent) continue;
      mutants++;
      if (c.parent === rare) picked++;
    }
    expect(mutants).toBeGreaterThan(100);
    expect(picked / mutants).toBeGreaterThan(0.9);
  });
});
