// The stored findings (vectors/fuzz/): `openssl verify` still says what an openssl vector
// records, and our validator either still says what it said (a classified known difference;
// vectors/fuzz/unexplained/ holds the ones not understood yet) or now agrees with OpenSSL
// (the bug was fixed: drop its known-differences entry and the vector).

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { classify, compareVerify, runOurs } from '../../src/fuzz/index.js';
import { opensslProcessOracle } from '../../src/fuzz/oracles-node.js';
import { readVector } from '../../src/fuzz/setup-node.js';

const ROOT = join(import.meta.dirname, '../../vectors/fuzz');
const dirs = (d: string): string[] =>
  readdirSync(d)
    .map((n) => join(d, n))
    .filter((p) => statSync(p).isDirectory())
    .flatMap((p) => [...(existsSync(join(p, 'case.json')) ? [p] : []), ...dirs(p)]);
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('fuzz vectors', () => {
  const all = existsSync(ROOT) ? dirs(ROOT) : [];
  it('exist', () => expect(all.length).toBeGreaterThan(0));

  it.skipIf(!hasOpenssl)('replay as recorded: OpenSSL unchanged, pgtls unchanged or fixed, never unexplained', async () => {
    const vs = all.map((d) => ({ d, ...readVector(d) }));
    const theirs = await opensslProcessOracle().run(vs.map((v) => v.built));
    vs.forEach((v, i) => {
      const ours = runOurs(v.built, undefined);
      expect(ours.crash).toBeUndefined();
      const kind = compareVerify(ours.verify, theirs[i]!);
      if (!kind) return; // fixed
      expect({ dir: v.d, ours: ours.verify.errors }).toEqual({ dir: v.d, ours: v.meta.ours.errors });
      if (v.meta.oracle !== 'openssl') return; // a TLS-oracle vector: openssl verify judges it differently
      expect({ dir: v.d, status: theirs[i]!.status, errors: theirs[i]!.errors }).toEqual({
        dir: v.d,
        status: v.meta.theirs!.status,
        errors: v.meta.theirs!.errors,
      });
      if (!v.d.includes('/unexplained/'))
        expect(classify({ oracle: 'openssl', kind, ours: ours.verify, theirs: theirs[i]!, spec: v.meta.spec })?.id, v.d).toBeDefined();
    });
  });
});
