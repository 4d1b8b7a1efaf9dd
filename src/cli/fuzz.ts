// `pgtls fuzz`: differential fuzzing of certificate chains against OpenSSL (Frankencert /
// mucert style): a campaign of generated and mutated cases judged by our validator and by
// `openssl verify` (a process, PostgreSQL's flags) and/or OpenSSL through Node's `tls`, with
// disagreements shrunk into replayable vectors. `--workers K` runs lanes in worker threads
// (this module is also the worker's entry point); `--shard I/N` runs one slice of a campaign
// and `pgtls fuzz merge DIR...` combines the slices' summaries into one report.

import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { parseArgs, UsageError } from './args.js';
import {
  DEFAULT_LANES,
  formatSummary,
  mergeSummaries,
  runCampaign,
  cachedSigner,
  type Oracle,
  type Progress,
  type Summary,
} from '../fuzz/index.js';
import { fastSigner, loadCorpus, loadKeys, readSummary, readVector, writeOutput } from '../fuzz/setup-node.js';
import { classify, compareVerify, describeVerdict, runOurs } from '../fuzz/index.js';
import { nodeTlsOracle, opensslProcessOracle } from '../fuzz/oracles-node.js';

const HELP = `Usage: pgtls fuzz [--iterations N | --time S] [--seed S] [--oracle node-tls|openssl|both|none]
                  [--workers K] [--shard I/N] [--out DIR] [options]
       pgtls fuzz merge DIR... [--out DIR]
       pgtls fuzz replay VECTOR_DIR...

Generates certificate chains (depth 1-6, fixed RSA/EC/Ed25519 keys, trust stores, bundles,
CRLs, purposes, host names), mutates them (semantic, Frankencert recombination from a
corpus, byte level with re-signing), keeps mutants that take a new decision path in the
validator, and compares every verdict, error code and depth with OpenSSL. Disagreements
are shrunk and written as vectors to DIR/findings/<id>/ (PEM files, case.json, replay.sh).

Options:
  --iterations N     cases in the whole campaign (default 1000)
  --time S           stop after S seconds (then the count depends on speed)
  --seed S           campaign seed (default 1); a seed replays exactly
  --oracle O         openssl (process), node-tls (in-process handshake), both (default), none
  --sample-openssl P fraction of cases sent to openssl verify (default 1)
  --sample-tls P     fraction of cases sent to the TLS oracle (default 1)
  --workers K        worker threads (default 1)
  --shard I/N        run slice I (0-based) of N; merge the slices with 'pgtls fuzz merge'
  --lanes L          independent lanes of the campaign (default ${DEFAULT_LANES}; N must not exceed it)
  --out DIR          write summary.json and findings/ there
  --max-shrinks N    distinct unexplained disagreements shrunk (default 20)
  --conformance DIR  x509-limbo/PKITS folder for the corpus (default ../shared/conformance)
  --no-corpus        generated corpus only
  --no-guidance      fresh cases only (no pool of mutants), to measure what guidance adds
  --pure-crypto      accepted for old scripts: signatures are always verified by src/crypto
  --quiet            no progress line

Exit status: 0 when every disagreement is a known difference and nothing crashed, 1
otherwise, 2 for bad usage.`;

interface RunConfig {
  seed: number;
  iterations: number;
  timeLimitMs?: number;
  lanes: number;
  shard: { index: number; count: number };
  oracle: 'openssl' | 'node-tls' | 'both' | 'none';
  sample: { openssl?: number; 'node-tls'?: number };
  maxShrinks: number;
  conformance?: string | false;
  pureCrypto: boolean;
  guided?: boolean;
}

const num = (v: unknown, name: string, min = 0): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`${name} needs a number >= ${min}, got '${String(v)}'`);
  return n;
};

/** One campaign (or this worker's lanes of it) in this thread. */
async function runHere(cfg: RunConfig, laneFilter?: (l: number) => boolean, onProgress?: (p: Progress) => void): Promise<Summary> {
  const { keys, pems } = loadKeys();
  const corpus = loadCorpus(keys, cfg.conformance);
  const oracles: Oracle[] = [];
  if (cfg.oracle === 'openssl' || cfg.oracle === 'both') oracles.push(opensslProcessOracle());
  if (cfg.oracle === 'node-tls' || cfg.oracle === 'both') oracles.push(nodeTlsOracle(pems));
  return runCampaign({
    seed: cfg.seed,
    iterations: cfg.iterations,
    timeLimitMs: cfg.timeLimitMs,
    lanes: cfg.lanes,
    shard: cfg.shard,
    laneFilter,
    build: { keys, corpus, signer: cachedSigner(fastSigner(pems, keys)) },
    verifier: undefined,
    oracles,
    sample: cfg.sample,
    maxShrinks: cfg.maxShrinks,
    guided: cfg.guided,
    onProgress,
  });
}

/** The campaign over K worker threads (lanes dealt round-robin), summaries merged. */
export async function runWorkers(cfg: RunConfig, k: number, onProgress?: (p: Progress) => void): Promise<Summary> {
  if (k <= 1) return runHere(cfg, undefined, onProgress);
  const latest: Progress[] = [];
  const parts = await Promise.all(
    Array.from(
      { length: k },
      (_, w) =>
        new Promise<Summary>((resolve, reject) => {
          const worker = spawnWorker({ pgtlsFuzz: true, cfg, w, k });
          worker.on('message', (m: { progress?: Progress; summary?: Summary }) => {
            if (m.progress) {
              latest[w] = m.progress;
              const all = latest.filter(Boolean);
              onProgress?.({
                cases: all.reduce((n, p) => n + p.cases, 0),
                elapsedMs: Math.max(...all.map((p) => p.elapsedMs)),
                rate: all.reduce((n, p) => n + p.rate, 0),
                paths: Math.max(...all.map((p) => p.paths)),
                disagreements: all.reduce((n, p) => n + p.disagreements, 0),
                unexplained: all.reduce((n, p) => n + p.unexplained, 0),
                crashes: all.reduce((n, p) => n + p.crashes, 0),
              });
            }
            if (m.summary) resolve(m.summary);
          });
          worker.on('error', reject);
          worker.on('exit', (code) => code !== 0 && reject(new Error(`fuzz worker ${w} exited with ${code}`)));
        }),
    ),
  );
  const merged = mergeSummaries(parts);
  merged.shard = `${cfg.shard.index}/${cfg.shard.count}`;
  return merged;
}

/** This module in a worker thread; from source (tsx), the worker registers tsx first, as Node 20 workers do not inherit loaders. */
function spawnWorker(data: unknown): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL(self), { workerData: data });
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(self)}); })`;
  return new Worker(code, { eval: true, workerData: data });
}

/** Lanes of this shard, dealt to worker w of k. */
const workerLanes = (cfg: RunConfig, w: number, k: number) => (l: number) => Math.floor(l / cfg.shard.count) % k === w;

if (!isMainThread && (workerData as { pgtlsFuzz?: boolean } | null)?.pgtlsFuzz) {
  const { cfg, w, k } = workerData as { cfg: RunConfig; w: number; k: number };
  runHere(cfg, workerLanes(cfg, w, k), (progress) => parentPort!.postMessage({ progress })).then(
    (summary) => parentPort!.postMessage({ summary }),
    (e) => {
      throw e;
    },
  );
}

function progressLine(p: Progress, planned: number): string {
  return `\rfuzz: ${p.cases}/${planned} cases, ${p.rate.toFixed(1)}/s, ${p.paths} decision paths, ${p.disagreements} disagreements (${p.unexplained} unexplained), ${p.crashes} crashes   `;
}

const unexplainedOf = (s: Summary) =>
  Object.entries(s.disagreements)
    .filter(([k]) => k.startsWith('unexplained'))
    .reduce((n, [, v]) => n + v, 0);

async function merge(argv: string[]): Promise<number> {
  const { opts, positionals } = parseArgs(argv, { values: ['out'], flags: ['help'] });
  if (opts.help || !positionals.length) {
    console.log('Usage: pgtls fuzz merge DIR... [--out DIR]\n\nCombines the summary.json of each shard of one campaign into one report.');
    return opts.help ? 0 : 2;
  }
  let merged: Summary;
  try {
    merged = mergeSummaries(positionals.map(readSummary));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (typeof opts.out === 'string') writeOutput(opts.out, merged);
  console.log(formatSummary(merged));
  return merged.crashes || unexplainedOf(merged) ? 1 : 0;
}

/** Re-judges stored vectors (findings/<id>/, vectors/fuzz/<name>/) with our validator and openssl verify. */
async function replay(argv: string[]): Promise<number> {
  const { opts, positionals } = parseArgs(argv, { flags: ['help'] });
  if (opts.help || !positionals.length) {
    console.log(
      'Usage: pgtls fuzz replay VECTOR_DIR...\n\nRuns each stored case through pgtls and openssl verify again and says whether they still disagree.',
    );
    return opts.help ? 0 : 2;
  }
  let bad = 0;
  const oracle = opensslProcessOracle();
  for (const dir of positionals) {
    const { built, meta } = readVector(dir);
    const ours = runOurs(built, undefined);
    const [theirs] = await oracle.run([built]);
    const kind = compareVerify(ours.verify, theirs!);
    const known = kind ? classify({ oracle: 'openssl', kind, ours: ours.verify, theirs: theirs!, spec: meta.spec }) : undefined;
    console.log(
      `${dir}\n  pgtls:   ${describeVerdict(ours.verify)}\n  openssl: ${describeVerdict(theirs!)}\n  ${kind ? `disagree (${kind})${known ? `: known difference ${known.id} (${known.kind})` : ': UNEXPLAINED'}` : 'agree'}`,
    );
    if (kind && !known) bad++;
  }
  return bad ? 1 : 0;
}

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'merge') return merge(argv.slice(1));
  if (argv[0] === 'replay') return replay(argv.slice(1));
  const { opts, positionals } = parseArgs(argv, {
    values: [
      'iterations',
      'time',
      'seed',
      'oracle',
      'workers',
      'shard',
      'lanes',
      'out',
      'max-shrinks',
      'conformance',
      'sample-openssl',
      'sample-tls',
    ],
    flags: ['help', 'no-corpus', 'quiet', 'pure-crypto', 'no-guidance'],
  });
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (see pgtls fuzz --help)`);
  const oracle = (opts.oracle ?? 'both') as RunConfig['oracle'];
  if (!['openssl', 'node-tls', 'both', 'none'].includes(oracle))
    throw new UsageError(`--oracle must be openssl, node-tls, both or none, got '${oracle}'`);
  let shard = { index: 0, count: 1 };
  if (typeof opts.shard === 'string') {
    const m = /^(\d+)\/(\d+)$/.exec(opts.shard);
    if (!m || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard must be I/N with 0 <= I < N, got '${opts.shard}'`);
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  const lanes = opts.lanes !== undefined ? num(opts.lanes, '--lanes', 1) : DEFAULT_LANES;
  if (shard.count > lanes) throw new UsageError(`--shard ${shard.index}/${shard.count}: at most --lanes (${lanes}) shards`);
  const timeLimitMs = opts.time !== undefined ? num(opts.time, '--time') * 1000 : undefined;
  const cfg: RunConfig = {
    seed: opts.seed !== undefined ? num(opts.seed, '--seed') : 1,
    iterations:
      opts.iterations !== undefined ? num(opts.iterations, '--iterations', 1) : timeLimitMs !== undefined ? Number.MAX_SAFE_INTEGER : 1000,
    timeLimitMs,
    lanes,
    shard,
    oracle,
    sample: {
      ...(opts['sample-openssl'] !== undefined ? { openssl: num(opts['sample-openssl'], '--sample-openssl') } : {}),
      ...(opts['sample-tls'] !== undefined ? { 'node-tls': num(opts['sample-tls'], '--sample-tls') } : {}),
    },
    maxShrinks: opts['max-shrinks'] !== undefined ? num(opts['max-shrinks'], '--max-shrinks') : 20,
    conformance: opts['no-corpus'] ? false : typeof opts.conformance === 'string' ? opts.conformance : undefined,
    pureCrypto: !!opts['pure-crypto'],
    guided: !opts['no-guidance'],
  };
  const workers = opts.workers !== undefined ? num(opts.workers, '--workers', 1) : 1;
  const planned = cfg.iterations === Number.MAX_SAFE_INTEGER ? Infinity : cfg.iterations;
  const show = opts.quiet ? undefined : (p: Progress) => process.stderr.write(progressLine(p, planned));
  const s = await runWorkers(cfg, Math.floor(workers), show);
  if (show) process.stderr.write('\n');
  if (typeof opts.out === 'string') writeOutput(opts.out, s);
  console.log(formatSummary(s));
  return s.crashes || unexplainedOf(s) ? 1 : 0;
}
