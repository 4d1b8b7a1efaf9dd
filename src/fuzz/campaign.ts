// The campaign: generate (fresh from the arbitraries, or a guided mutant of a pool member:
// schedule.ts chooses), build, run our validator, keep the case when its decision path is new
// to its lane (mucert-style guidance: coverage of validator decisions, not volume), send
// batches to the oracles, compare, classify, and shrink each new unexplained disagreement to
// a minimal case.
//
// Determinism and sharding: the case sequence is split into `lanes`; lane l owns global case
// indices l, l+L, l+2L... and keeps its own pool, so a lane's cases depend only on (seed,
// lane). Shards and workers take whole lanes; merging their summaries gives exactly the
// unsharded summary. Oracle verdicts never feed back into generation.

import type { Verifier } from '../path/signature.js';
import { buildCase, type BuildContext, type BuiltCase } from './build.js';
import { classify, type Disagreement } from './known-differences.js';
import type { CaseSpec } from './model.js';
import { compareTls, compareVerify, runOurs, type DiffKind, type OracleName, type Ours, type Verdict } from './verdict.js';
import { shrinkCase } from './shrink.js';
import { ARMS, choose, newSchedule, record, type Choice, type LaneSchedule } from './schedule.js';
import { findingFiles } from './vector.js';

export interface Oracle {
  name: OracleName;
  /** judge a batch (same order); a verdict of undefined means "cannot judge this case" */
  run(cases: BuiltCase[]): Promise<(Verdict | undefined)[]>;
}

export interface CampaignOptions {
  seed: number;
  /** total cases of the whole campaign (all shards) */
  iterations: number;
  /** stop early after this many milliseconds (the count then depends on speed) */
  timeLimitMs?: number;
  /** default 64; shards and workers split lanes, so it bounds their number */
  lanes?: number;
  shard?: { index: number; count: number };
  /** which lanes this process runs, beyond the shard (workers) */
  laneFilter?: (lane: number) => boolean;
  build: BuildContext;
  verifier?: Verifier;
  oracles: Oracle[];
  /** fraction of cases sent to each oracle (default 1); the choice is a function of (seed, index) */
  sample?: Partial<Record<OracleName, number>>;
  /** keep and mutate cases that take new decision paths (default true); false = fresh cases only, for comparison */
  guided?: boolean;
  /** cases per lane per round: oracle batches are one round of all lanes (default 4) */
  batch?: number;
  /**
   * how many distinct unexplained disagreement signatures (oracle, kind, first codes) are shrunk,
   * each from its first case (smallest index); default 20. Shard + merge equals the whole run
   * as long as no run hits this cap (the summary says when one did).
   */
  maxShrinks?: number;
  onProgress?: (p: Progress) => void;
  /** a clock for rates and the time limit (default Date.now) */
  clock?: () => number;
}

export interface Progress {
  cases: number;
  elapsedMs: number;
  rate: number;
  paths: number;
  disagreements: number;
  unexplained: number;
  crashes: number;
}

export interface Finding {
  id: string;
  /** oracle|kind|our first code|their first code (or crash|message): one finding per signature */
  signature: string;
  oracle: OracleName | 'ours';
  kind: DiffKind | 'crash';
  /** a KNOWN_DIFFERENCES id, or 'unexplained' */
  class: string;
  index: number;
  spec: CaseSpec;
  original: CaseSpec;
  ours: Verdict;
  theirs?: Verdict;
  crash?: string;
  /** the replayable vector: file name -> contents */
  files: Record<string, string>;
}

export interface Summary {
  seed: number;
  lanes: number;
  iterations: number;
  shard: string;
  cases: number;
  /** hashes of every decision path seen (sorted), so shard summaries merge exactly */
  pathHashes: string[];
  ourVerdicts: Record<string, number>;
  errorCodes: Record<string, number>;
  oracles: Record<string, { compared: number; agreed: number; skipped: number }>;
  /** by class: `<known id>` or `unexplained:<oracle>:<kind>` */
  disagreements: Record<string, number>;
  /** the first few disagreements of each class (smallest case index first), to see what a class holds */
  samples: Record<string, Sample[]>;
  crashes: number;
  findings: Finding[];
  /** set when more signatures disagreed than were shrunk (--max-shrinks) */
  shrinkCapHit?: boolean;
  poolSize: number;
  mutants: number;
  /** per generator (schedule.ts ARMS): cases made and cases that took a path new to their lane */
  arms: Record<string, { tries: number; finds: number }>;
  corpus: string[];
  elapsedMs: number;
}

interface Sample {
  index: number;
  ours: Verdict;
  theirs: Verdict;
  mutations: string[];
}

const SAMPLES = 3;
function addSample(to: Record<string, Sample[]>, k: string, x: Sample): void {
  const l = (to[k] ??= []);
  l.push(x);
  l.sort((a, b) => a.index - b.index);
  if (l.length > SAMPLES) l.length = SAMPLES;
}

export const DEFAULT_LANES = 64;

/** splitmix32 of (seed, index): the per-case seed */
export function caseSeed(seed: number, index: number): number {
  let z = (seed ^ Math.imul(index + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a 64 of a string, as hex (decision path and finding ids). */
export function hash64(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

interface Lane {
  id: number;
  sched: LaneSchedule;
  next: number;
}

/** The case at global index `index` of a lane: fresh, or a guided mutant of a pool member (schedule.ts decides). */
export function nextSpec(seed: number, index: number, sched: LaneSchedule, guided = true): Choice {
  const s = caseSeed(seed, index);
  return choose(sched, s, rng(s), guided);
}

const sampled = (seed: number, index: number, oracle: OracleName, p: number | undefined) =>
  p === undefined || p >= 1 || (caseSeed(seed ^ (oracle === 'openssl' ? 0x0b5e : 0x7157), index) % 10000) / 10000 < p;

interface Pending {
  lane: Lane;
  index: number;
  built: BuiltCase;
  ours: Ours;
}

function signatureOf(d: Disagreement): string {
  const fc1 = d.ours.errors[0]?.split('@')[0] ?? d.ours.status;
  const fc2 = d.theirs.errors[0]?.split('@')[0] ?? d.theirs.status;
  return `${d.oracle}|${d.kind}|${fc1}|${fc2}`;
}

function compareWith(oracle: OracleName, ours: Ours, theirs: Verdict): DiffKind | undefined {
  if (oracle === 'openssl') return compareVerify(ours.verify, theirs);
  return compareTls(ours.tls ?? ours.verify, theirs);
}

export async function runCampaign(o: CampaignOptions): Promise<Summary> {
  const clock = o.clock ?? Date.now;
  const t0 = clock();
  const L = o.lanes ?? DEFAULT_LANES;
  const batch = o.batch ?? 4;
  const shard = o.shard ?? { index: 0, count: 1 };
  if (shard.count > L) throw new RangeError(`${shard.count} shards need at least as many lanes (have ${L})`);
  const lanes: Lane[] = [];
  for (let l = 0; l < L; l++)
    if (l % shard.count === shard.index && (o.laneFilter?.(l) ?? true)) lanes.push({ id: l, sched: newSchedule(), next: l });
  const sum: Summary = {
    seed: o.seed,
    lanes: L,
    iterations: o.iterations,
    shard: `${shard.index}/${shard.count}`,
    cases: 0,
    pathHashes: [],
    ourVerdicts: {},
    errorCodes: {},
    oracles: Object.fromEntries(o.oracles.map((x) => [x.name, { compared: 0, agreed: 0, skipped: 0 }])),
    disagreements: {},
    samples: {},
    crashes: 0,
    findings: [],
    poolSize: 0,
    mutants: 0,
    arms: {},
    corpus: o.build.corpus.sources,
    elapsedMs: 0,
  };
  const paths = new Set<string>();
  const firstBySig = new Map<string, { d: Disagreement; index: number; sig: string }>();
  const crashes: { index: number; spec: CaseSpec; ours: Ours }[] = [];
  const bump = (r: Record<string, number>, k: string) => (r[k] = (r[k] ?? 0) + 1);
  let unexplained = 0;
  let disagreements = 0;
  const maxShrinks = o.maxShrinks ?? 20;

  const progress = () =>
    o.onProgress?.({
      cases: sum.cases,
      elapsedMs: clock() - t0,
      rate: (sum.cases * 1000) / Math.max(1, clock() - t0),
      paths: paths.size,
      disagreements,
      unexplained,
      crashes: sum.crashes,
    });

  while (lanes.some((l) => l.next < o.iterations)) {
    if (o.timeLimitMs !== undefined && clock() - t0 > o.timeLimitMs) break;
    const pending: Pending[] = [];
    for (const lane of lanes) {
      for (let k = 0; k < batch && lane.next < o.iterations; k++, lane.next += L) {
        const index = lane.next;
        const choice = nextSpec(o.seed, index, lane.sched, o.guided !== false);
        const spec = choice.spec;
        if (choice.arm !== 'fresh') sum.mutants++;
        let built: BuiltCase;
        try {
          built = buildCase(spec, o.build);
        } catch (e) {
          // the generator asked the factory for something it cannot lay out: a fuzzer bug, reported as a crash
          const ours: Ours = {
            verify: { status: 'fail', errors: [], note: 'build' },
            pathKey: 'build-crash',
            crash: `build: ${e instanceof Error ? e.stack : String(e)}`,
            timeStable: false,
          };
          sum.crashes++;
          crashes.push({ index, spec, ours });
          continue;
        }
        const ours = runOurs(built, o.verifier);
        sum.cases++;
        bump(sum.ourVerdicts, ours.verify.status);
        for (const e of ours.verify.errors.slice(0, 1)) bump(sum.errorCodes, e.split('@')[0]);
        if (ours.crash) {
          sum.crashes++;
          crashes.push({ index, spec, ours });
          continue;
        }
        const h = hash64(ours.pathKey);
        paths.add(h);
        record(lane.sched, choice, h, caseSeed(o.seed ^ 0x9001, index));
        pending.push({ lane, index, built, ours });
      }
    }
    for (const oracle of o.oracles) {
      const mine = pending.filter(
        (p) =>
          sampled(o.seed, p.index, oracle.name, o.sample?.[oracle.name]) &&
          (oracle.name !== 'node-tls' || (p.ours.timeStable && !!p.ours.tls)),
      );
      const st = sum.oracles[oracle.name];
      if (!mine.length) continue;
      const verdicts = await oracle.run(mine.map((p) => p.built));
      mine.forEach((p, i) => {
        const theirs = verdicts[i];
        if (!theirs) {
          st.skipped++;
          return;
        }
        st.compared++;
        const kind = compareWith(oracle.name, p.ours, theirs);
        if (!kind) {
          st.agreed++;
          return;
        }
        disagreements++;
        const d: Disagreement = {
          oracle: oracle.name,
          kind,
          ours: oracle.name === 'openssl' ? p.ours.verify : (p.ours.tls ?? p.ours.verify),
          theirs,
          spec: p.built.spec,
        };
        const known = classify(d);
        const cls = known ? known.id : `unexplained:${oracle.name}:${kind}`;
        bump(sum.disagreements, cls);
        addSample(sum.samples, cls, {
          index: p.index,
          ours: d.ours,
          theirs,
          mutations: p.built.spec.mutations.map((m) => `${m.op}@${m.at}`),
        });
        if (known) return;
        unexplained++;
        // each signature is shrunk from its smallest case index: the same case whether the run is whole or sharded
        const sig = signatureOf(d);
        const prev = firstBySig.get(sig);
        if (!prev || p.index < prev.index) firstBySig.set(sig, { d, index: p.index, sig });
      });
    }
    progress();
  }

  // shrink new unexplained disagreements and crashes, in index order (deterministic)
  const toShrink = [...firstBySig.values()].sort((a, b) => a.index - b.index);
  if (toShrink.length > maxShrinks) sum.shrinkCapHit = true;
  for (const t of toShrink.slice(0, maxShrinks)) {
    const oracle = o.oracles.find((x) => x.name === t.d.oracle)!;
    const still = async (specs: CaseSpec[]): Promise<(Disagreement | undefined)[]> => {
      const built: (BuiltCase | undefined)[] = specs.map((s) => {
        try {
          return buildCase(s, o.build);
        } catch {
          return undefined;
        }
      });
      const ours = built.map((b) => (b ? runOurs(b, o.verifier) : undefined));
      const ok = built.map((b, i) => !!b && !ours[i]!.crash && (oracle.name !== 'node-tls' || ours[i]!.timeStable));
      const vs = await oracle.run(built.filter((_, i) => ok[i]) as BuiltCase[]);
      let j = 0;
      return specs.map((s, i) => {
        if (!ok[i]) return undefined;
        const theirs = vs[j++];
        if (!theirs) return undefined;
        const kind = compareWith(oracle.name, ours[i]!, theirs);
        if (!kind) return undefined;
        const d: Disagreement = {
          oracle: oracle.name,
          kind,
          ours: oracle.name === 'openssl' ? ours[i]!.verify : (ours[i]!.tls ?? ours[i]!.verify),
          theirs,
          spec: s,
        };
        return signatureOf(d) === t.sig && !classify(d) ? d : undefined;
      });
    };
    const min = await shrinkCase(t.d, still);
    sum.findings.push({ ...makeFinding(o, t.index, t.d.spec, min), signature: t.sig });
  }
  const crashBySig = new Map<string, (typeof crashes)[number]>();
  for (const c of crashes) {
    const sig = `crash|${(c.ours.crash ?? '').split('\n')[0]}`;
    const prev = crashBySig.get(sig);
    if (!prev || c.index < prev.index) crashBySig.set(sig, c);
  }
  for (const [sig, c] of [...crashBySig.entries()].sort((a, b) => a[1].index - b[1].index).slice(0, maxShrinks)) {
    type CrashD = Disagreement & { crash?: string };
    const still = async (specs: CaseSpec[]): Promise<(CrashD | undefined)[]> =>
      specs.map((s): CrashD | undefined => {
        try {
          const r = runOurs(buildCase(s, o.build), o.verifier);
          return r.crash
            ? { oracle: 'openssl' as const, kind: 'first-error' as const, ours: r.verify, theirs: r.verify, spec: s, crash: r.crash }
            : undefined;
        } catch (e) {
          return c.ours.pathKey === 'build-crash'
            ? {
                oracle: 'openssl' as const,
                kind: 'first-error' as const,
                ours: c.ours.verify,
                theirs: c.ours.verify,
                spec: s,
                crash: String(e),
              }
            : undefined;
        }
      });
    const min = await shrinkCase<CrashD>(
      { oracle: 'openssl', kind: 'first-error', ours: c.ours.verify, theirs: c.ours.verify, spec: c.spec, crash: c.ours.crash },
      still,
    );
    const f = makeFinding(o, c.index, c.spec, min);
    f.oracle = 'ours';
    f.kind = 'crash';
    f.class = 'crash';
    f.crash = min.crash ?? c.ours.crash;
    f.theirs = undefined;
    f.id = `crash-${hash64(JSON.stringify(min.spec)).slice(0, 10)}`;
    f.signature = sig;
    sum.findings.push(f);
  }
  sum.findings = firstPerSignature(sum.findings);
  sum.pathHashes = [...paths].sort();
  sum.poolSize = lanes.reduce((n, l) => n + l.sched.pool.length, 0);
  for (const a of ARMS) {
    const t = { tries: 0, finds: 0 };
    for (const l of lanes) {
      t.tries += l.sched.totals[a].tries;
      t.finds += l.sched.totals[a].finds;
    }
    if (t.tries) sum.arms[a] = t;
  }
  sum.elapsedMs = clock() - t0;
  return sum;
}

function makeFinding(o: CampaignOptions, index: number, original: CaseSpec, d: Disagreement): Finding {
  const id = `${d.oracle}-${d.kind}-${hash64(JSON.stringify(d.spec)).slice(0, 10)}`;
  let files: Record<string, string>;
  try {
    files = findingFiles(buildCase(d.spec, o.build), {
      id,
      seed: o.seed,
      index,
      oracle: d.oracle,
      kind: d.kind,
      ours: d.ours,
      theirs: d.theirs,
      original,
    });
  } catch (e) {
    files = { 'case.json': `${JSON.stringify({ id, seed: o.seed, index, spec: d.spec, original, buildError: String(e) }, null, 2)}\n` };
  }
  return {
    id,
    signature: '',
    oracle: d.oracle,
    kind: d.kind,
    class: 'unexplained',
    index,
    spec: d.spec,
    original,
    ours: d.ours,
    theirs: d.theirs,
    files,
  };
}

/** One finding per signature: the one found at the smallest case index. */
function firstPerSignature(fs: Finding[]): Finding[] {
  const best = new Map<string, Finding>();
  for (const f of fs) {
    const b = best.get(f.signature);
    if (!b || f.index < b.index) best.set(f.signature, f);
  }
  return [...best.values()].sort((x, y) => x.index - y.index || x.id.localeCompare(y.id));
}

/** Combines shard (or worker) summaries of one campaign into the summary of the whole. */
export function mergeSummaries(parts: Summary[]): Summary {
  if (!parts.length) throw new RangeError('nothing to merge');
  const a = parts[0];
  for (const p of parts) {
    if (p.seed !== a.seed || p.lanes !== a.lanes || p.iterations !== a.iterations) {
      throw new RangeError(
        `summaries of different campaigns: seed ${p.seed}/${a.seed}, lanes ${p.lanes}/${a.lanes}, iterations ${p.iterations}/${a.iterations}`,
      );
    }
  }
  const add = (dst: Record<string, number>, src: Record<string, number>) => {
    for (const [k, v] of Object.entries(src)) dst[k] = (dst[k] ?? 0) + v;
  };
  const out: Summary = {
    ...a,
    shard: parts.length === 1 ? a.shard : `merged(${parts.map((p) => p.shard).join(',')})`,
    cases: 0,
    pathHashes: [],
    ourVerdicts: {},
    errorCodes: {},
    oracles: {},
    disagreements: {},
    samples: {},
    crashes: 0,
    findings: [],
    poolSize: 0,
    mutants: 0,
    arms: {},
    elapsedMs: 0,
  };
  const paths = new Set<string>();
  const findings: Finding[] = [];
  for (const p of parts) {
    out.cases += p.cases;
    p.pathHashes.forEach((h) => {
      paths.add(h);
    });
    add(out.ourVerdicts, p.ourVerdicts);
    add(out.errorCodes, p.errorCodes);
    add(out.disagreements, p.disagreements);
    for (const [k, l] of Object.entries(p.samples ?? {})) for (const x of l) addSample(out.samples, k, x);
    for (const [k, v] of Object.entries(p.oracles)) {
      const d = (out.oracles[k] ??= { compared: 0, agreed: 0, skipped: 0 });
      d.compared += v.compared;
      d.agreed += v.agreed;
      d.skipped += v.skipped;
    }
    out.crashes += p.crashes;
    out.poolSize += p.poolSize;
    out.mutants += p.mutants;
    for (const [k, v] of Object.entries(p.arms ?? {})) {
      const d = (out.arms[k] ??= { tries: 0, finds: 0 });
      d.tries += v.tries;
      d.finds += v.finds;
    }
    out.elapsedMs = Math.max(out.elapsedMs, p.elapsedMs);
    findings.push(...p.findings);
  }
  out.pathHashes = [...paths].sort();
  out.findings = firstPerSignature(findings);
  out.shrinkCapHit = parts.some((p) => p.shrinkCapHit) || undefined;
  if (!out.shrinkCapHit) delete out.shrinkCapHit;
  return out;
}

/** The end-of-run table. */
export function formatSummary(s: Summary): string {
  const rate = s.elapsedMs ? ((s.cases * 1000) / s.elapsedMs).toFixed(1) : '-';
  const lines = [
    `campaign seed ${s.seed}, ${s.iterations} planned, lanes ${s.lanes}, shard ${s.shard}`,
    `  cases                    ${s.cases}  (${rate}/s over ${(s.elapsedMs / 1000).toFixed(1)} s; ${s.mutants} guided mutants, pool ${s.poolSize})`,
    `  distinct decision paths  ${s.pathHashes.length}`,
    `  our verdicts             ${Object.entries(s.ourVerdicts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  first error codes        ${Object.keys(s.errorCodes).length} distinct`,
  ];
  // what each generator made and how many of those took a path new to their lane (schedule.ts)
  const arms = Object.entries(s.arms ?? {}).sort((a, b) => b[1].tries - a[1].tries);
  if (arms.length > 1) lines.push(`  generators (new/made)    ${arms.map(([k, v]) => `${k} ${v.finds}/${v.tries}`).join(', ')}`);
  for (const [k, v] of Object.entries(s.oracles))
    lines.push(`  oracle ${k.padEnd(17)} compared ${v.compared}, agreed ${v.agreed}, could not judge ${v.skipped}`);
  const dis = Object.entries(s.disagreements).sort();
  lines.push(`  disagreements            ${dis.reduce((n, [, v]) => n + v, 0)}${dis.length ? '' : ' (none)'}`);
  for (const [k, v] of dis) lines.push(`    ${k.padEnd(45)} ${v}`);
  lines.push(`  crashes                  ${s.crashes}`);
  lines.push(`  findings (minimized)     ${s.findings.length}`);
  for (const f of s.findings)
    lines.push(`    ${f.id}  ours: ${short(f.ours)}  ${f.oracle}: ${f.theirs ? short(f.theirs) : f.crash?.split('\n')[0]}`);
  if (s.corpus.length) lines.push(`  corpus                   ${s.corpus.join('; ')}`);
  return lines.join('\n');
}

const short = (v: Verdict) => (v.status === 'ok' ? 'OK' : v.status === 'load' ? 'load error' : v.errors.join(',') || 'fail');
