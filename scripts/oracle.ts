// `npm run oracle`: simulate() against every installed PostgreSQL major (15 from Debian; 13,
// 14, 16, 17, 18 from scripts/install-pg-versions.sh; 17-trixie, Debian 13's 17 with OpenSSL
// 3.5, and 18-forky, Debian testing's 18 with OpenSSL 3.6, from scripts/install-debian-root.sh:
// one column per entry of PG_BUILD_TABLE), the scenario set of
// test/support/version-oracle.ts, and a table: version x (cases, verdicts agreed, psql
// messages agreed, server logs agreed), then one of version x suite (setups, reload,
// pg_stat_ssl, service/passfile, sockets, pg_hba 16+, sslrootcert=system: cases where all
// three agreed / cases). Each disagreement, with the real and the simulated text, goes to a
// file (default $TMPDIR/pgtls-oracle-disagreements.txt; -v prints them too).
// Usage: node --import tsx scripts/oracle.ts [--versions 13,17,17-trixie] [--out FILE] [-v]
// Exit 0 when every version agreed on everything, 1 when any disagreed, 2 for bad usage.

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG_BUILDS, PG_ORACLE_VERSIONS, type PgBuild, pgOracleUnavailable } from '../test/support/pg-oracle.js';
import { VERSION_SETUPS, VersionOracle, type CaseOutcome, type VersionSuite } from '../test/support/version-oracle.js';

/** a markdown table, columns padded */
function table(head: string[], body: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  return [line(head), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let out = join(tmpdir(), 'pgtls-oracle-disagreements.txt');
  let verbose = false;
  // a major, or a build of one (`17-trixie`)
  const known = [...[...PG_ORACLE_VERSIONS].sort((a, b) => a - b).map(String), ...Object.entries(PG_BUILDS).map(([b, m]) => `${m}-${b}`)];
  let versions = known;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--out' && args[i + 1]) out = args[++i];
    else if (a === '-v') verbose = true;
    else if (a === '--versions' && args[i + 1]) {
      versions = args[++i].split(',');
      const bad = versions.find((v) => !known.includes(v));
      if (bad !== undefined) {
        console.error(`oracle: --versions: no oracle for ${bad} (known: ${known.join(', ')})`);
        return 2;
      }
    } else {
      console.error(`oracle: unknown argument ${a}\nusage: npm run oracle -- [--versions 13,17,17-trixie] [--out FILE] [-v]`);
      return 2;
    }
  }
  const rows: { version: string; cases: number; verdict: number; psql: number; log: number }[] = [];
  const suites = [...new Set(VERSION_SETUPS.map((s) => s.suite ?? 'setups'))];
  const bySuite: { version: string; cells: Map<VersionSuite, { cases: number; agreed: number }> }[] = [];
  const report: string[] = [];
  for (const v of versions) {
    const [major, build] = [Number(v.split('-')[0]), v.split('-')[1] as PgBuild | undefined];
    const why = pgOracleUnavailable(major, build);
    if (why) {
      console.log(`PostgreSQL ${v}: skipped, ${why}`);
      rows.push({ version: `${v} (not installed)`, cases: 0, verdict: 0, psql: 0, log: 0 });
      bySuite.push({ version: `${v} (not installed)`, cells: new Map() });
      continue;
    }
    process.stdout.write(`PostgreSQL ${v}: `);
    const vo = await VersionOracle.create(major, build);
    const all: CaseOutcome[] = [];
    try {
      for (const s of VERSION_SETUPS) {
        all.push(...(await vo.run(s)));
        process.stdout.write('.');
      }
    } finally {
      vo.destroy();
    }
    process.stdout.write(
      ` ${all.length} cases${vo.races ? ` (${vo.races} with libpq's "could not send startup packet" race, compared without that line)` : ''}\n`,
    );
    for (const r of vo.retried) console.log(`  run twice (disagreed the first time): ${r}`);
    const cells = new Map<VersionSuite, { cases: number; agreed: number }>();
    for (const c of all) {
      const cell = cells.get(c.suite) ?? { cases: 0, agreed: 0 };
      cell.cases++;
      if (c.verdict && c.psql && c.log) cell.agreed++;
      cells.set(c.suite, cell);
    }
    bySuite.push({ version: String(v), cells });
    rows.push({
      version: String(v),
      cases: all.length,
      verdict: all.filter((c) => c.verdict).length,
      psql: all.filter((c) => c.psql).length,
      log: all.filter((c) => c.log).length,
    });
    for (const c of all.filter((x) => !x.verdict || !x.psql || !x.log)) {
      const what = [!c.verdict && 'verdict', !c.psql && 'psql', !c.log && 'log'].filter(Boolean).join(', ');
      report.push(
        `== PostgreSQL ${v}: ${c.setup} / ${c.name} (${what})`,
        `real: ${JSON.stringify(c.real, null, 1)}`,
        `sim:  ${JSON.stringify(c.sim, null, 1)}`,
        '',
      );
    }
  }
  writeFileSync(out, report.join('\n'));
  if (verbose) console.log(report.join('\n'));
  const head = ['version', 'cases', 'verdicts agreed', 'psql messages agreed', 'server logs agreed'];
  const body = rows.map((r) => [r.version, String(r.cases), String(r.verdict), String(r.psql), String(r.log)]);
  console.log(`\n${table(head, body)}`);
  const cell = (c: { cases: number; agreed: number } | undefined) => (c ? `${c.agreed}/${c.cases}` : '-');
  console.log(
    `\ncases where verdict, psql and server log all agreed, by suite:\n${table(
      ['version', ...suites],
      bySuite.map((r) => [r.version, ...suites.map((s) => cell(r.cells.get(s)))]),
    )}`,
  );
  const bad = rows.some((r) => r.verdict < r.cases || r.psql < r.cases || r.log < r.cases);
  console.log(bad ? `\ndisagreements: ${out}` : '\nevery version agreed on every case');
  return bad ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`oracle: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
