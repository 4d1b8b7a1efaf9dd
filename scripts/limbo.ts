// x509-limbo conformance runner: every testcase through verifyChain in both profiles.
//  - `openssl` profile vs OpenSSL 3.0.19 configured like PostgreSQL (openssl-3.0.19-pglike.json):
//    same verdict, and the same error string where OpenSSL recorded one;
//  - `rfc5280` profile vs limbo's expected_result.
// Usage: node --import tsx scripts/limbo.ts [limbo.json(.gz)] [--out FILE] [--only PREFIX] [--id ID -v] [--node-crypto]
// Reads ../shared/conformance/x509-limbo by default; prints a table per id prefix and writes
// every disagreement to the --out file (default $TMPDIR/pgtls-limbo-disagreements.txt).

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLimboCase, type LimboCase } from '../dist/path/limbo-case.js';
import { nodeVerifier } from '../dist/path/verify-node.js';
import { parseCrls } from '../dist/x509/crl.js';
import type { Verifier } from '../dist/path/signature.js';

const here = dirname(fileURLToPath(import.meta.url));
const defaultDir = resolve(here, '../../shared/conformance/x509-limbo');

function main(): number {
  const args = process.argv.slice(2);
  let file = join(defaultDir, 'limbo.json.gz');
  let out = join(tmpdir(), 'pgtls-limbo-disagreements.txt');
  let only: string | undefined;
  let id: string | undefined;
  let verbose = false;
  // signatures: src/crypto; --node-crypto uses node:crypto instead (a cross-check of src/crypto, never the default)
  let verifier: Verifier | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') out = args[++i];
    else if (args[i] === '--only') only = args[++i];
    else if (args[i] === '--id') id = args[++i];
    else if (args[i] === '-v') verbose = true;
    else if (args[i] === '--node-crypto') verifier = nodeVerifier;
    else file = args[i];
  }
  if (!existsSync(file)) {
    console.error(`limbo: ${file} not found (pass the path to limbo.json.gz)`);
    return 2;
  }
  const raw = readFileSync(file);
  const json = JSON.parse((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')) as { testcases: LimboCase[] };
  const osslFile = join(dirname(file), 'openssl-3.0.19-pglike.json');
  const ossl = existsSync(osslFile)
    ? (JSON.parse(readFileSync(osslFile, 'utf8')) as { results: Record<string, { result: string; context: string | null }> }).results
    : {};
  type Row = {
    n: number;
    osslAgree: number;
    osslSkip: number;
    osslErrAgree: number;
    osslErrN: number;
    rfcAgree: number;
    osslVsLimbo: number;
  };
  const rows = new Map<string, Row>();
  const lines: string[] = [];
  const t0 = Date.now();
  let slowest = { id: '', ms: 0 };
  for (const tc of json.testcases) {
    if (only && !tc.id.startsWith(only)) continue;
    if (id && tc.id !== id) continue;
    const prefix = tc.id.split('::')[0];
    const row = rows.get(prefix) ?? { n: 0, osslAgree: 0, osslSkip: 0, osslErrAgree: 0, osslErrN: 0, rfcAgree: 0, osslVsLimbo: 0 };
    rows.set(prefix, row);
    row.n++;
    const s = Date.now();
    const a = runLimboCase(tc, 'openssl', verifier, parseCrls);
    const b = runLimboCase(tc, 'rfc5280', verifier, parseCrls);
    const ms = Date.now() - s;
    if (ms > slowest.ms) slowest = { id: tc.id, ms };
    const o = ossl[tc.id];
    if (verbose) {
      console.log(
        JSON.stringify({ id: tc.id, openssl: a.summary, rfc5280: b.summary, recorded: o, expected: tc.expected_result }, null, 1),
      );
      for (const st of a.result?.trace ?? [])
        console.log(`  [${st.step}] ${st.result} d=${st.depth ?? ''} ${st.subject ?? ''}: ${st.detail}`);
    }
    if (!o || o.result === 'SKIPPED' || a.skipped) row.osslSkip++;
    else {
      if (o.result === tc.expected_result) row.osslVsLimbo++;
      const verdict = a.ok ? 'SUCCESS' : 'FAILURE';
      const sameVerdict = verdict === o.result;
      let sameErr = true;
      if (o.result === 'FAILURE' && o.context) {
        row.osslErrN++;
        sameErr = a.errorMessage === o.context;
        if (sameVerdict && sameErr) row.osslErrAgree++;
      }
      if (sameVerdict) row.osslAgree++;
      if (!sameVerdict || !sameErr)
        lines.push(`openssl\t${tc.id}\tgot ${verdict} ${a.errorMessage ?? ''}\trecorded ${o.result} ${o.context ?? ''}`);
    }
    const rv = b.ok ? 'SUCCESS' : 'FAILURE';
    if (rv === tc.expected_result) row.rfcAgree++;
    else lines.push(`rfc5280\t${tc.id}\tgot ${rv} ${b.errorMessage ?? ''}\texpected ${tc.expected_result}`);
  }
  const tot: Row = { n: 0, osslAgree: 0, osslSkip: 0, osslErrAgree: 0, osslErrN: 0, rfcAgree: 0, osslVsLimbo: 0 };
  console.log('prefix           cases  openssl-profile=OpenSSL (of run)  same error (of recorded)  rfc5280=limbo  [OpenSSL=limbo]');
  for (const [k, r] of [...rows.entries()].sort()) {
    for (const f of Object.keys(tot) as (keyof Row)[]) tot[f] += r[f];
    print(k, r);
  }
  print('TOTAL', tot);
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s; slowest case ${slowest.id} ${slowest.ms} ms; disagreements -> ${out}`);
  writeFileSync(out, `${lines.join('\n')}\n`);
  return 0;

  function print(k: string, r: Row) {
    const ran = r.n - r.osslSkip;
    console.log(
      `${k.padEnd(16)} ${String(r.n).padStart(5)}  ${`${r.osslAgree}/${ran}`.padStart(12)}                      ${`${r.osslErrAgree}/${r.osslErrN}`.padStart(11)}  ${`${r.rfcAgree}/${r.n}`.padStart(13)}  [${r.osslVsLimbo}]`,
    );
  }
}

process.exitCode = main();
