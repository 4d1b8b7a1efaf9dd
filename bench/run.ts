// `npm run bench`: every benchmark, each a table of pgtls beside its peers measured in the
// same run. Pass names to run a subset: `npm run bench -- parse`.

import { runBinaryBench } from './binary-sm2.js';
import { runChainBench } from './chain.js';
import { runHandshakeBench } from './handshake.js';
import { runParseBench } from './parse.js';
import { runSimulateBench } from './simulate.js';
import { runSizesBench } from './sizes.js';
import { runX25519Bench } from './x25519.js';

const BENCHES: Record<string, () => string | Promise<string>> = {
  parse: runParseBench,
  chain: runChainBench,
  handshake: runHandshakeBench,
  simulate: runSimulateBench,
  sizes: runSizesBench,
  x25519: runX25519Bench,
  binary: runBinaryBench,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const [name, fn] of Object.entries(BENCHES)) {
  if (wanted.length && !wanted.includes(name)) continue;
  console.log(await fn());
  console.log('');
}
