// NIST PKITS runner: the 249 runs of ../shared/conformance/pkits through verifyChain.
//  - `openssl` profile vs the recorded `openssl verify` transcripts (openssl-3.0.19-pg.json):
//    same verdict and the same `error N at D` sequence;
//  - `rfc5280` profile vs PKITS's should_validate.
// Usage: node --import tsx scripts/pkits.ts [CONFORMANCE_DIR] [--out FILE] [-v]

import { tmpdir } from 'node:os';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conformanceDir, loadPkits, opensslErrorPairs, runPkits } from '../dist/path/conformance-node.js';

function main(): number {
  const args = process.argv.slice(2);
  let out = join(tmpdir(), 'pgtls-pkits-disagreements.txt');
  let verbose = false;
  let dir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') out = args[++i];
    else if (args[i] === '-v') verbose = true;
    else dir = args[i];
  }
  dir ??= conformanceDir(resolve(dirname(fileURLToPath(import.meta.url)), '..'));
  if (!dir) {
    console.error('pkits: ../shared/conformance not found (pass its path)');
    return 2;
  }
  const data = loadPkits(dir);
  let verdict = 0;
  let errs = 0;
  let rfc = 0;
  let osslVsPkits = 0;
  const lines: string[] = [];
  data.tests.forEach((t, i) => {
    const rec = data.openssl[i];
    if (rec.name !== t.name) throw new Error(`record ${i} is ${rec.name}, test is ${t.name}`);
    const a = runPkits(data, t, 'openssl');
    const b = runPkits(data, t, 'rfc5280');
    const mine = a.errors.filter((e) => !e.noCallback).map((e) => `${e.code}@${e.depth}`);
    const theirs = opensslErrorPairs(rec.openssl_error);
    const sameVerdict = a.ok === rec.openssl_valid;
    const sameErrs = mine.join(' ') === theirs.join(' ');
    if (sameVerdict) verdict++;
    if (sameVerdict && sameErrs) errs++;
    if (rec.openssl_valid === t.should_validate) osslVsPkits++;
    if (b.ok === t.should_validate) rfc++;
    if (!sameVerdict || !sameErrs)
      lines.push(
        `openssl\t${t.number} ${t.name}\tgot ${a.ok ? 'OK' : 'FAIL'} [${mine.join(' ')}]\trecorded ${rec.openssl_valid ? 'OK' : 'FAIL'} [${theirs.join(' ')}]`,
      );
    if (b.ok !== t.should_validate)
      lines.push(
        `rfc5280\t${t.number} ${t.name}\tgot ${b.ok ? 'OK' : 'FAIL'} ${b.error?.message ?? ''}\texpected ${t.should_validate ? 'OK' : 'FAIL'}`,
      );
    if (verbose) console.log(t.number, t.name, a.ok, mine.join(' '), '|', theirs.join(' '));
  });
  const n = data.tests.length;
  console.log(`PKITS runs: ${n}`);
  console.log(`openssl profile = OpenSSL verdict: ${verdict}/${n}; same verdict and error sequence: ${errs}/${n}`);
  console.log(`rfc5280 profile = should_validate: ${rfc}/${n}   [OpenSSL = should_validate: ${osslVsPkits}/${n}]`);
  writeFileSync(out, `${lines.join('\n')}\n`);
  console.log(`disagreements -> ${out}`);
  return 0;
}

process.exitCode = main();
