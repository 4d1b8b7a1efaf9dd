// A small differential campaign against the real oracles: `openssl verify` (3.0, with
// PostgreSQL's flags, batched in one shell per round) and OpenSSL inside Node's `tls` (an
// in-memory TLS 1.3 handshake). Every disagreement must be a classified known difference
// (src/fuzz/known-differences.ts); an unexplained one fails the test with its minimized case.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { runCampaign, formatSummary } from '../../src/fuzz/index.js';
import { nodeTlsOracle, opensslProcessOracle, parseOpensslVerify } from '../../src/fuzz/oracles-node.js';
import { fuzzContext } from './helpers.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('differential campaign against OpenSSL', () => {
  it('reads openssl verify transcripts', () => {
    expect(
      parseOpensslVerify(
        'CN = x\nerror 20 at 0 depth lookup: unable to get local issuer certificate\nerror leaf.pem: verification failed\n',
        2,
      ),
    ).toEqual({ status: 'fail', errors: ['20@0'] });
    expect(parseOpensslVerify('leaf.pem: OK\n', 0)).toEqual({ status: 'ok', errors: [] });
    expect(parseOpensslVerify('Could not read certificate from leaf.pem\n', 1).status).toBe('load');
  });

  it.skipIf(!hasOpenssl)('has no unexplained disagreement on a few hundred cases', async () => {
    const { build, pems } = fuzzContext();
    const s = await runCampaign({
      seed: Number(process.env.PGTLS_FUZZ_SEED ?? 20261129),
      iterations: Number(process.env.PGTLS_FUZZ_RUNS ?? 300),
      lanes: 8,
      build,
      verifier: undefined,
      oracles: [opensslProcessOracle(), nodeTlsOracle(pems)],
      maxShrinks: 1,
    });
    expect(s.crashes).toBe(0);
    expect(s.oracles.openssl.compared).toBe(s.cases);
    expect(s.oracles['node-tls'].compared).toBeGreaterThan(s.cases / 4);
    const unexplained = Object.keys(s.disagreements).filter((k) => k.startsWith('unexplained'));
    expect(
      unexplained,
      `${formatSummary(s)}\n${s.findings.map((f) => JSON.stringify({ spec: f.spec, ours: f.ours, theirs: f.theirs })).join('\n')}`,
    ).toEqual([]);
  });
});
