// vitest setup: fast-check's seed. A developer's run draws new inputs every time (that is how
// the property tests find bugs); CI (CI set) uses one seed per commit, taken from the commit
// hash, so a commit that passed CI passes again and a failure replays. PGTLS_FC_SEED=N picks
// the seed by hand (fast-check prints the one it used when a property fails).

import { execFileSync } from 'node:child_process';
import fc from 'fast-check';

function commitSeed(): number | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    return parseInt(head.slice(0, 8), 16) | 0;
  } catch {
    return undefined; // not a git checkout: random, as on a developer's machine
  }
}

const seed = process.env.PGTLS_FC_SEED !== undefined ? Number(process.env.PGTLS_FC_SEED) : process.env.CI ? commitSeed() : undefined;
if (seed !== undefined && Number.isFinite(seed)) fc.configureGlobal({ seed });
