// `npm run fuzz:report`: the fixed-seed campaign that stands for the fuzzer's health: at
// least 20,000 cases on 2 worker threads, every case through our validator, a sample through
// `openssl verify` (a process per case: the expensive oracle) and a larger sample through
// the in-process TLS oracle. Prints cases/s, distinct decision paths, disagreements by class
// and crashes, and fails when anything crashed. Extra arguments go to the campaign:
// `npm run fuzz:report -- --iterations 50000 --workers 4 --out fuzz-out` (`--no-guidance`
// for fresh cases only).
//
// `npm run fuzz:report -- --compare-guidance --seeds 1,2,3 --iterations 10000` measures what
// guidance adds instead: for each seed, the same number of cases guided and fresh-only, our
// validator only (no oracles: decision paths do not depend on them), one table. Fails when
// guidance does not find more distinct decision paths than fresh generation on every seed.

import { cpus } from 'node:os';
import { parseArgs } from '../dist/cli/args.js';
import { runWorkers } from '../dist/cli/fuzz.js';
import { DEFAULT_LANES, formatSummary, KNOWN_DIFFERENCES } from '../dist/fuzz/index.js';
import { writeOutput } from '../dist/fuzz/setup-node.js';

const { opts } = parseArgs(process.argv.slice(2), {
  values: ['iterations', 'workers', 'seed', 'seeds', 'out', 'sample-openssl', 'sample-tls'],
  flags: ['no-guidance', 'compare-guidance'],
});
const iterations = Number(opts.iterations ?? 20_000);
const workers = Number(opts.workers ?? Math.min(2, cpus().length));
const cfg = {
  seed: Number(opts.seed ?? 20261129),
  iterations,
  lanes: DEFAULT_LANES,
  shard: { index: 0, count: 1 },
  oracle: 'both' as 'both' | 'none',
  sample: { openssl: Number(opts['sample-openssl'] ?? 0.4), 'node-tls': Number(opts['sample-tls'] ?? 1) },
  maxShrinks: 20,
  pureCrypto: false,
  guided: !opts['no-guidance'],
};

if (opts['compare-guidance']) await compareGuidance();
else await report();

async function report(): Promise<void> {
  console.log(
    `fuzz report: ${iterations} cases, seed ${cfg.seed}, ${workers} workers, ${cfg.guided ? 'guided' : 'fresh cases only'}, openssl verify on ${cfg.sample.openssl * 100}% and the TLS oracle on ${cfg.sample['node-tls'] * 100}% of the cases`,
  );
  const t0 = Date.now();
  const s = await runWorkers(cfg, workers, (p) =>
    process.stderr.write(
      `\r${p.cases}/${iterations} cases, ${p.rate.toFixed(1)}/s, ${p.disagreements} disagreements (${p.unexplained} unexplained), ${p.crashes} crashes   `,
    ),
  );
  process.stderr.write('\n');
  const wall = (Date.now() - t0) / 1000;
  if (typeof opts.out === 'string') writeOutput(opts.out, s);
  console.log(formatSummary(s));
  console.log('');
  console.log(`wall clock ${wall.toFixed(1)} s (setup included): ${(s.cases / wall).toFixed(1)} cases/s`);
  console.log('known differences (src/fuzz/known-differences.ts):');
  for (const k of KNOWN_DIFFERENCES)
    console.log(`  ${k.id.padEnd(40)} ${k.kind.padEnd(18)} ${s.disagreements[k.id] ?? 0}${k.vector ? `  (${k.vector})` : ''}`);
  if (s.crashes) {
    console.error(`FAIL: ${s.crashes} crashes`);
    process.exitCode = 1;
  }
}

async function compareGuidance(): Promise<void> {
  const seeds = String(opts.seeds ?? '1,2,3')
    .split(',')
    .map(Number);
  console.log(`guided vs fresh-only: ${iterations} cases per run, our validator only, ${workers} workers`);
  console.log('seed        mode    cases  decision paths  crashes  time');
  let worse = 0;
  for (const seed of seeds) {
    const paths: number[] = [];
    for (const guided of [true, false]) {
      const t0 = Date.now();
      const s = await runWorkers({ ...cfg, seed, oracle: 'none', guided }, workers);
      paths.push(s.pathHashes.length);
      console.log(
        `${String(seed).padEnd(11)} ${(guided ? 'guided' : 'fresh').padEnd(7)} ${String(s.cases).padStart(5)}  ${String(s.pathHashes.length).padStart(14)}  ${String(s.crashes).padStart(7)}  ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      if (s.crashes) process.exitCode = 1;
    }
    console.log(`${''.padEnd(11)} guided/fresh ${(paths[0] / paths[1]).toFixed(2)}`);
    if (paths[0] <= paths[1]) worse++;
  }
  if (worse) {
    console.error(`FAIL: guidance found no more decision paths than fresh generation on ${worse} of ${seeds.length} seeds`);
    process.exitCode = 1;
  }
}
