// A fast slice of the conformance suites: every non-BetterTLS x509-limbo case plus every
// 40th BetterTLS case, and all 249 PKITS runs, each against what OpenSSL 3.0.19 recorded
// (verdict, error string; for PKITS the whole `error N at D` sequence openssl verify
// printed). Skipped with a message when ../shared/conformance is absent. The full runs are
// scripts/limbo.ts and scripts/pkits.ts.

import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { conformanceDir, loadLimbo, loadPkits, opensslErrorPairs, runPkits } from '../../src/path/conformance-node.js';
import { runLimboCase } from '../../src/path/limbo-case.js';
import { parseCrls } from '../../src/x509/crl.js';

const dir = conformanceDir(resolve(import.meta.dirname, '../..'));
if (!dir) console.warn('test/path/conformance: ../shared/conformance not found, conformance tests skipped');

describe.skipIf(!dir)('x509-limbo: openssl profile = OpenSSL 3.0.19 (pglike)', () => {
  const data = dir ? loadLimbo(dir) : { testcases: [], openssl: {} };
  let bt = 0;
  const picked = data.testcases.filter((tc) => !tc.id.startsWith('bettertls::') || bt++ % 40 === 0);
  it(`has a few hundred cases across every prefix (${picked.length})`, () => {
    expect(picked.length).toBeGreaterThan(300);
    const prefixes = new Set(picked.map((t) => t.id.split('::')[0]));
    expect(prefixes.size).toBe(9);
  });
  it('agrees on every case OpenSSL ran', () => {
    const bad: string[] = [];
    let ran = 0;
    for (const tc of picked) {
      const rec = data.openssl[tc.id];
      if (!rec || rec.result === 'SKIPPED') continue;
      const got = runLimboCase(tc, 'openssl', undefined, parseCrls);
      ran++;
      const verdict = got.ok ? 'SUCCESS' : 'FAILURE';
      if (verdict !== rec.result || (rec.context && got.errorMessage !== rec.context)) {
        bad.push(`${tc.id}: got ${verdict} ${got.errorMessage ?? ''}, OpenSSL ${rec.result} ${rec.context ?? ''}`);
      }
    }
    expect(ran).toBeGreaterThan(300);
    expect(bad).toEqual([]);
  });
  it("pathological cases end with their own verdict, not the work budget's, in both profiles", () => {
    // the budget bounds the work of any input (test/path/validator.test.ts); here no first path
    // runs out of it (the rfc5280 profile's search for another path does, on the two
    // same-subject chains, and then reports the first path's error). Speed is measured in bench/.
    const cases = data.testcases.filter((t) => t.id.startsWith('pathological::'));
    expect(cases.length).toBeGreaterThan(5);
    for (const tc of cases)
      for (const profile of ['openssl', 'rfc5280'] as const) {
        const got = runLimboCase(tc, profile, undefined, parseCrls);
        expect({ id: tc.id, profile, budgetExceeded: got.result?.budgetExceeded ?? false }).toEqual({
          id: tc.id,
          profile,
          budgetExceeded: false,
        });
      }
  });
});

describe.skipIf(!dir)('PKITS: openssl profile = `openssl verify` 3.0.19', () => {
  const data = dir ? loadPkits(dir) : undefined;
  it('same verdict and the same printed error sequence on all 249 runs', () => {
    const bad: string[] = [];
    data!.tests.forEach((t, i) => {
      const rec = data!.openssl[i];
      expect(rec.name).toBe(t.name);
      const r = runPkits(data!, t, 'openssl');
      const mine = r.errors
        .filter((e) => !e.noCallback)
        .map((e) => `${e.code}@${e.depth}`)
        .join(' ');
      const theirs = opensslErrorPairs(rec.openssl_error).join(' ');
      if (r.ok !== rec.openssl_valid || mine !== theirs) bad.push(`${t.number} ${t.name}: [${mine}] vs [${theirs}]`);
    });
    expect(data!.tests.length).toBe(249);
    expect(bad).toEqual([]);
  });
});

describe.skipIf(!dir)('PKITS: rfc5280 profile = should_validate', () => {
  const data = dir ? loadPkits(dir) : undefined;
  it('meets PKITS on all 249 runs, policy tests included (DSA parameter inheritance, delta CRLs, a CRL issuer covering itself)', () => {
    const bad = data!.tests.filter((t) => runPkits(data!, t, 'rfc5280').ok !== t.should_validate).map((t) => `${t.number} ${t.name}`);
    expect(bad).toEqual([]);
  });
});
