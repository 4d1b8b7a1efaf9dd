// The guidance schedule of one lane (mucert/AFL-style): which generator makes the next case
// (fresh from the arbitraries, or one of the mutation operators over pool members), which
// pool member is the parent, and what the lane learns from each case's decision path.
//
// Why it looks like this (measured with `npm run fuzz:report -- --compare-guidance`; the old
// fixed 40% of mutants of recent pool members found fewer paths than fresh cases alone):
// - most mutants of a parent take the parent's path again. A bandit over the generators
//   (fresh is one of them) moves the budget to whatever is finding new paths in this lane
//   now, with decay because yields fall as the lane saturates.
// - parents are chosen by energy, steeply favouring rare paths (few cases of the lane took
//   them), then parents whose children found new paths; each pick lowers it (AFL's "fast"
//   schedule, pushed further: measured, see `energy`).
// - operators are small and compose: a stacked ("havoc") mutant and a splice of two pool
//   members (Frankencert recombination) reach combinations of checks one step cannot;
//   changing the chain's length or the chain under the mutations moves the same defects to
//   other depths, which are other decisions in OpenSSL's order of checks.
// Everything depends only on (seed, index) and the lane's own history, so a lane replays
// exactly and shards/workers (which split whole lanes) merge to the unsharded run.

import fc from 'fast-check';
import { caseArb, caSpecArb, leafSpecArb, mutationArb } from './arbitraries.js';
import { CRL_MUTATION_OPS, MUTATION_OPS, type CaseSpec, type CertSpecLite } from './model.js';

/** The generators the bandit chooses between; 'fresh' is a new case from the arbitraries. */
export const ARMS = [
  'fresh',
  'add',
  'havoc',
  'tweak',
  'retarget',
  'drop',
  'swap-cert',
  'resize',
  'shift',
  'context',
  'splice',
  'remutate',
  'transplant',
] as const;
export type Arm = (typeof ARMS)[number];

/** Prior weight of each generator (from measured yields), scaling its observed rate. */
const PRIOR: Record<Arm, number> = {
  fresh: 2,
  add: 0.7,
  havoc: 1.5,
  tweak: 0.3,
  retarget: 0.5,
  drop: 0.3,
  'swap-cert': 1.5,
  resize: 2,
  shift: 0.5,
  context: 0.5,
  splice: 0.7,
  remutate: 1,
  transplant: 2,
};
/**
 * What a new path is worth to the bandit, by generator. Every lane draws fresh cases from the
 * same distribution, so a fresh case's lane-new path is more often one another lane already
 * has (measured: about 30% of fresh lane-new paths are new to the campaign, 40-50% of mutants').
 */
const FIND_VALUE: Partial<Record<Arm, number>> = { fresh: 0.6 };
/** least probability of any generator, so one that went quiet is still retried now and then */
const FLOOR = 0.015;
/** >1 sharpens the bandit towards the best arm */
const SHARP = 2;
/** yields decay so the bandit follows the lane's current frontier, not its first hundred cases */
const DECAY = 0.985;
const POOL_CAP = 256;
export const MAX_MUTATIONS = 6;
/** the arbitraries' longest chain (5 CAs and the leaf) */
const MAX_CHAIN = 6;

interface Entry {
  spec: CaseSpec;
  path: string;
  picks: number;
  finds: number;
}

export interface LaneSchedule {
  pool: Entry[];
  /** cases of this lane per decision path hash */
  hits: Map<string, number>;
  /** decayed tries and new-path finds per arm */
  tries: Record<Arm, number>;
  finds: Record<Arm, number>;
  /** undecayed totals, for the report */
  totals: Record<Arm, { tries: number; finds: number }>;
}

export interface Choice {
  spec: CaseSpec;
  arm: Arm;
  parent?: Entry;
}

const zeros = (): Record<Arm, number> => Object.fromEntries(ARMS.map((a) => [a, 0])) as Record<Arm, number>;

export function newSchedule(): LaneSchedule {
  return {
    pool: [],
    hits: new Map(),
    tries: zeros(),
    finds: zeros(),
    totals: Object.fromEntries(ARMS.map((a) => [a, { tries: 0, finds: 0 }])) as LaneSchedule['totals'],
  };
}

const clone = (s: CaseSpec): CaseSpec => JSON.parse(JSON.stringify(s));
const sample = <T>(arb: fc.Arbitrary<T>, seed: number): T => fc.sample(arb, { seed, numRuns: 1 })[0];

/** Index drawn with probability proportional to `w`. */
function weightedIndex(w: number[], u: number): number {
  const total = w.reduce((a, b) => a + b, 0);
  let x = u * total;
  for (let i = 0; i < w.length; i++) if ((x -= w[i]) < 0) return i;
  return w.length - 1;
}

/** Probability matching: prior times the decayed rate of new paths, squared, with a floor. */
function armWeights(s: LaneSchedule, allowed: readonly Arm[]): number[] {
  const w = allowed.map((a) => PRIOR[a] * ((s.finds[a] + 1) / (s.tries[a] + 2)) ** SHARP);
  const total = w.reduce((x, y) => x + y, 0);
  return w.map((x) => Math.max(x / total, FLOOR));
}

/**
 * AFL-fast-like energy: the rarest paths first, then parents whose children found new paths,
 * and less for each pick. The steep power on rarity is measured: a path's count also grows
 * each time a child of it falls back onto it, so a parent that only reproduces itself fades
 * fast (10,000 cases, seed 3: 1,421 paths with uniform choice, 1,644 with hits^-0.5,
 * 1,741 with hits^-1, 1,947 with hits^-3, 2,167 with hits^-5).
 */
function energy(s: LaneSchedule, e: Entry): number {
  const hits = s.hits.get(e.path) ?? 1;
  return (1 + 2 * e.finds) / hits ** 5 / (1 + e.picks);
}

/** Keeps `at` indices inside the chain after it changed length (build.ts ignores strays, but they would waste the mutation). */
function fitMutations(spec: CaseSpec): void {
  const n = spec.chain.length;
  spec.mutations = spec.mutations.map((m) => ('crl' in m ? { ...m, at: m.at % Math.max(1, n - 1) } : { ...m, at: m.at % n }));
  if (spec.mutations.length > MAX_MUTATIONS) spec.mutations.splice(0, spec.mutations.length - MAX_MUTATIONS);
  if (spec.crl.revoke !== undefined) spec.crl.revoke %= n + 1;
}

type Op = (spec: CaseSpec, r: () => number, seed: number, pool: Entry[]) => void;

const CERT_FIELDS = [
  'key',
  'name',
  'validity',
  'bc',
  'ku',
  'eku',
  'san',
  'nc',
  'ids',
  'cnHost',
  'version',
] as const satisfies readonly (keyof CertSpecLite)[];
const CONTEXT_FIELDS = ['anchor', 'bundle', 'crl', 'purpose', 'hostname', 'ip'] as const satisfies readonly (keyof CaseSpec)[];

const certArb = (spec: CaseSpec, k: number) => (k === spec.chain.length - 1 ? leafSpecArb : caSpecArb);

/** The single-step operators; 'havoc' stacks several, 'splice' needs a second parent. */
const OPS: Record<Exclude<Arm, 'fresh' | 'havoc'>, Op> = {
  // one more mutation: the classic mucert step
  add: (spec, _r, seed) => {
    spec.mutations.push(sample(mutationArb(spec.chain.length), seed ^ 0x5bd1));
    fitMutations(spec);
  },
  // one field of one certificate: a finer step than replacing the certificate
  tweak: (spec, r, seed) => {
    const k = Math.floor(r() * spec.chain.length);
    const f = CERT_FIELDS[Math.floor(r() * CERT_FIELDS.length)];
    (spec.chain[k] as unknown as Record<string, unknown>)[f] = sample(certArb(spec, k), seed ^ 0x7e3a)[f];
  },
  // the same mutation elsewhere, or another operator, or another parameter (bytes flipped, part grafted)
  retarget: (spec, r, seed) => {
    if (!spec.mutations.length) return OPS.add(spec, r, seed, []);
    const i = Math.floor(r() * spec.mutations.length);
    const m = spec.mutations[i];
    const how = Math.floor(r() * 3);
    if (how === 0) m.at = Math.floor(r() * spec.chain.length);
    else if (how === 1) m.n = Math.floor(r() * (1 << 16));
    else if ('crl' in m) m.op = CRL_MUTATION_OPS[Math.floor(r() * CRL_MUTATION_OPS.length)];
    else m.op = MUTATION_OPS[Math.floor(r() * MUTATION_OPS.length)];
    fitMutations(spec);
  },
  // back towards a valid chain, where the next mutation reaches deeper checks
  drop: (spec, r, seed) => {
    if (!spec.mutations.length) return OPS.tweak(spec, r, seed, []);
    spec.mutations.splice(Math.floor(r() * spec.mutations.length), 1);
  },
  'swap-cert': (spec, r, seed) => {
    const k = Math.floor(r() * spec.chain.length);
    spec.chain[k] = sample(certArb(spec, k), seed ^ 0x3c3c);
  },
  // one CA more or less: the same defects at other depths
  resize: (spec, r, seed) => {
    const n = spec.chain.length;
    const k = Math.floor(r() * Math.max(1, n - 1));
    if (r() < 0.2) {
      // the leaf alone, or the whole chain under a new root
      if (n > 1 && (r() < 0.5 || n === MAX_CHAIN)) spec.chain.splice(0, n - 1);
      else spec.chain.splice(0, 0, sample(caSpecArb, seed ^ 0x4e4e));
      spec.mutations = spec.mutations.map((m) => ({ ...m, at: m.at + spec.chain.length - n }));
      spec.mutations = spec.mutations.filter((m) => m.at >= 0);
    } else if ((r() < 0.5 && n < MAX_CHAIN) || n === 1) {
      spec.chain.splice(k, 0, sample(caSpecArb, seed ^ 0x4d4d));
      spec.mutations = spec.mutations.map((m) => (m.at >= k ? { ...m, at: m.at + 1 } : m));
    } else {
      spec.chain.splice(k, 1);
      spec.mutations = spec.mutations.filter((m) => m.at !== k).map((m) => (m.at > k ? { ...m, at: m.at - 1 } : m));
    }
    fitMutations(spec);
  },
  // the same defects on other certificates: every mutation of one kind moves up or down the chain
  shift: (spec, r) => {
    const d = r() < 0.5 ? 1 : spec.chain.length - 1;
    const which = Math.floor(r() * 3);
    spec.mutations = spec.mutations.map((m, i) => (which === 2 || i % 2 === which ? { ...m, at: m.at + d } : m));
    fitMutations(spec);
  },
  // trust store, bundle, CRLs, purpose or names from a fresh case
  context: (spec, r, seed) => {
    const other = sample(caseArb(0), seed ^ 0x1f2e);
    const f = CONTEXT_FIELDS[Math.floor(r() * CONTEXT_FIELDS.length)];
    (spec as unknown as Record<string, unknown>)[f] = other[f];
    fitMutations(spec);
  },
  // the parent's chain and context under a fresh list of mutations
  remutate: (spec, _r, seed) => {
    spec.mutations = sample(caseArb(3), seed ^ 0x6a6a).mutations;
    fitMutations(spec);
  },
  // the parent's mutations and context on a fresh chain
  transplant: (spec, _r, seed) => {
    spec.chain = sample(caseArb(0), seed ^ 0x2b2b).chain;
    fitMutations(spec);
  },
  // Frankencert recombination of two pool members: the other's mutations, one of its
  // certificates, or its whole context around this chain
  splice: (spec, r, seed, pool) => {
    if (pool.length < 2) return OPS.add(spec, r, seed, pool);
    const other = pool[Math.floor(r() * pool.length)].spec;
    const how = Math.floor(r() * 3);
    if (how === 0) spec.mutations.push(...other.mutations);
    else if (how === 1) {
      const k = Math.floor(r() * spec.chain.length);
      const fromLeaf = k === spec.chain.length - 1;
      const src = fromLeaf ? other.chain[other.chain.length - 1] : other.chain[Math.floor(r() * Math.max(1, other.chain.length - 1))];
      if (fromLeaf || other.chain.length > 1) spec.chain[k] = { ...src };
    } else {
      const f = CONTEXT_FIELDS[Math.floor(r() * CONTEXT_FIELDS.length)];
      (spec as unknown as Record<string, unknown>)[f] = clone(other)[f];
    }
    fitMutations(spec);
  },
};
const STACKABLE = ['add', 'tweak', 'retarget', 'drop', 'swap-cert', 'resize', 'shift', 'context', 'splice'] as const;

/** The case at `index` of a lane: `seed` is the per-case seed (caseSeed(seed, index)). */
export function choose(s: LaneSchedule, seed: number, r: () => number, guided: boolean): Choice {
  const fresh = (): Choice => ({ spec: sample(caseArb(3), seed), arm: 'fresh' });
  if (!guided || !s.pool.length) return fresh();
  const arm = ARMS[weightedIndex(armWeights(s, ARMS), r())];
  if (arm === 'fresh') return fresh();
  const parent =
    s.pool[
      weightedIndex(
        s.pool.map((e) => energy(s, e)),
        r(),
      )
    ];
  const spec = clone(parent.spec);
  if (arm === 'havoc') {
    const steps = 2 + Math.floor(r() * 3);
    for (let i = 0; i < steps; i++) OPS[STACKABLE[Math.floor(r() * STACKABLE.length)]](spec, r, seed + 0x9e37 * (i + 1), s.pool);
  } else OPS[arm](spec, r, seed, s.pool);
  return { spec, arm, parent };
}

/** What the lane learns from a case: its path's count, the arm's and parent's yield, the pool. */
export function record(s: LaneSchedule, c: Choice, path: string, evictSeed: number): boolean {
  const hits = s.hits.get(path) ?? 0;
  s.hits.set(path, hits + 1);
  const found = hits === 0;
  for (const a of ARMS) {
    s.tries[a] *= DECAY;
    s.finds[a] *= DECAY;
  }
  s.tries[c.arm]++;
  s.totals[c.arm].tries++;
  if (c.parent) c.parent.picks++;
  if (!found) return false;
  s.finds[c.arm] += FIND_VALUE[c.arm] ?? 1;
  s.totals[c.arm].finds++;
  if (c.parent) c.parent.finds++;
  const e: Entry = { spec: c.spec, path, picks: 0, finds: 0 };
  if (s.pool.length < POOL_CAP) s.pool.push(e);
  else {
    // evict the weakest of a few: keeps the pool's energy up without a full scan bias
    let worst = evictSeed % POOL_CAP;
    for (let i = 1; i < 4; i++) {
      const j = (evictSeed >>> (i * 8)) % POOL_CAP;
      if (energy(s, s.pool[j]) < energy(s, s.pool[worst])) worst = j;
    }
    s.pool[worst] = e;
  }
  return true;
}
