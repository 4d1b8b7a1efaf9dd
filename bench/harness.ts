// A tiny benchmark harness: runs each contender on the same input, interleaved in rounds so
// machine noise hits all of them alike, and reports medians and ratios in one table. Used by
// every bench in this folder; numbers are printed, never asserted.

export interface Contender {
  name: string;
  /** one operation; the harness calls it many times (awaited when it returns a promise) */
  run: () => unknown;
  /** the operation is asynchronous (WebCrypto-based peers) */
  async?: boolean;
}

export interface BenchResult {
  name: string;
  medianUs: number;
  p90Us: number;
  opsPerSec: number;
}

const gc = (globalThis as { gc?: (o?: { type: 'minor' | 'major' }) => void }).gc;

/** One timed batch; garbage left by the previous batch (maybe another contender's) is collected first. */
function timeBatch(fn: () => unknown, n: number): number {
  gc?.({ type: 'minor' });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t0) * 1000) / n;
}

async function timeBatchAsync(fn: () => unknown, n: number): Promise<number> {
  gc?.({ type: 'minor' });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return ((performance.now() - t0) * 1000) / n;
}

/** bench() for contenders of which some are asynchronous. */
export async function benchAsync(contenders: Contender[], opts: { rounds?: number; batchMs?: number } = {}): Promise<BenchResult[]> {
  const rounds = opts.rounds ?? 15;
  const batchMs = opts.batchMs ?? 40;
  const time = (c: Contender, n: number) => (c.async ? timeBatchAsync(c.run, n) : Promise.resolve(timeBatch(c.run, n)));
  const sizes: number[] = [];
  for (const c of contenders) {
    const until = performance.now() + 100;
    while (performance.now() < until) await time(c, 1);
    const probe = await time(c, 10);
    sizes.push(Math.max(1, Math.round((batchMs * 1000) / Math.max(probe, 0.01))));
  }
  const samples: number[][] = contenders.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of contenders.entries()) samples[i].push(await time(c, sizes[i]));
  }
  return summarize(contenders, samples);
}

/** Median and p90 of per-op time over `rounds` batches, each batch sized to take ~`batchMs`. */
export function bench(contenders: Contender[], opts: { rounds?: number; batchMs?: number } = {}): BenchResult[] {
  const rounds = opts.rounds ?? 15;
  const batchMs = opts.batchMs ?? 40;
  const sizes = contenders.map((c) => {
    // Warm up until the JIT has settled (~100 ms of calls), then size batches from a
    // probe of the warm function: a cold probe makes batches tiny and noisy.
    const until = performance.now() + 100;
    while (performance.now() < until) c.run();
    const probe = timeBatch(c.run, 20);
    return Math.max(1, Math.round((batchMs * 1000) / Math.max(probe, 0.01)));
  });
  const samples: number[][] = contenders.map(() => []);
  for (let r = 0; r < rounds; r++) {
    contenders.forEach((c, i) => {
      samples[i].push(timeBatch(c.run, sizes[i]));
    });
  }
  return summarize(contenders, samples);
}

function summarize(contenders: Contender[], samples: number[][]): BenchResult[] {
  return contenders.map((c, i) => {
    const s = samples[i].sort((a, b) => a - b);
    const median = s[Math.floor(s.length / 2)];
    return { name: c.name, medianUs: median, p90Us: s[Math.floor(s.length * 0.9)], opsPerSec: 1e6 / median };
  });
}

/** A table with each contender's time and its speed relative to the first row (pgtls). */
export function formatTable(title: string, results: BenchResult[], opts: { ratios?: boolean } = {}): string {
  const ratios = opts.ratios ?? true;
  const base = results[0];
  const w = Math.max(...results.map((r) => r.name.length), 10);
  const lines = [
    title,
    `  ${'contender'.padEnd(w)}  ${'median'.padStart(11)}  ${'p90'.padStart(11)}  ${'ops/s'.padStart(10)}${ratios ? `  ${base.name.split(' ')[0]} (row 1) is` : ''}`,
  ];
  for (const r of results) {
    const x = r.medianUs / base.medianUs;
    const ratio = !ratios || r === base ? '' : x >= 1 ? `${x.toFixed(2)}x faster` : `${(1 / x).toFixed(2)}x slower`;
    lines.push(
      `  ${r.name.padEnd(w)}  ${fmtUs(r.medianUs).padStart(11)}  ${fmtUs(r.p90Us).padStart(11)}  ${Math.round(r.opsPerSec).toString().padStart(10)}  ${ratio}`,
    );
  }
  return lines.join('\n');
}

function fmtUs(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`;
}
