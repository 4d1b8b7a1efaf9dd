// `pgtls test` as CI runs it (dist/cli/main.js): every example passes offline, a broken
// expectation fails with what happened instead and the line to blame, bad input exits 2
// with file:line:col, the JUnit report validates against Ant's JUnit XSD (xmllint) and the
// SARIF report against the SARIF 2.1.0 schema (ajv), and three shards merged equal one run.

import { describe, expect, it, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { EXAMPLES, fixExampleKeyModes } from './examples.js';

const ROOT = join(import.meta.dirname, '../..');
const AT = '2027-06-01T00:00:00Z';
const pgtls = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'test', ...args], { encoding: 'utf8', cwd: ROOT });

const tmp = mkdtempSync(join(tmpdir(), 'pgtls-test-cmd-'));
/** The root-server example with two expectations broken: one connection, one property. */
function brokenExample(): string {
  const text = readFileSync(join(ROOT, 'examples/root-server/pgtls-test.yaml'), 'utf8')
    .replace('conninfo: dbname=app user=app sslmode=disable', 'conninfo: dbname=app user=app sslmode=require')
    .replace('minRsaBits: 2048', 'minRsaBits: 3072')
    .replace('pgdata: pgdata', `pgdata: ${join(ROOT, 'examples/root-server/pgdata')}`)
    .replace('sslrootcert: client/root.crt', `sslrootcert: ${join(ROOT, 'examples/root-server/client/root.crt')}`);
  const p = join(tmp, '.broken.yaml');
  writeFileSync(p, text);
  return p;
}

beforeAll(fixExampleKeyModes);

describe('pgtls test: the examples', () => {
  it.each(EXAMPLES)('%s passes offline (exit 0)', (e) => {
    const r = pgtls('--at', AT, `examples/${e}/pgtls-test.yaml`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/expectation\(s\): (\d+) passed, 0 failed$/m);
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(r.status).toBe(0);
  });

  it('the fleet passes with its inventory, with a summary table per server', () => {
    const r = pgtls('--at', AT, '--inventory', 'examples/fleet/inventory.yaml', 'examples/fleet/pgtls-test.yaml');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^server\s+passed\s+failed\s+errors\s+skipped$/m);
    for (const s of ['billing', 'orders', 'reports', 'vault']) expect(r.stdout).toMatch(new RegExp(`^${s}\\s+7\\s+0\\s+0\\s+0$`, 'm'));
  });
});

describe("pgtls test: the README's example", () => {
  it('passes against the root-server example setup', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Testing a setup in CI'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-readme-'));
    cpSync(join(ROOT, 'examples/root-server'), dir, { recursive: true });
    writeFileSync(join(dir, 'pgtls-test.yaml'), yaml);
    const r = pgtls('--at', AT, join(dir, 'pgtls-test.yaml'));
    expect(r.stdout).toMatch(/7 expectation\(s\): 7 passed, 0 failed$/m);
    expect(r.status).toBe(0);
  });
});

describe('pgtls test: failures and reports', () => {
  it('a broken expectation exits 1 and says what happened instead, the line to blame and the fix', () => {
    const file = brokenExample();
    const r = pgtls('--at', AT, file);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /^FAILED: nothing connects without TLS\n {2}at .*\.broken\.yaml:24:5\n {2}expected: fails with "FATAL: {2}no pg_hba\.conf entry/m,
    );
    expect(r.stdout).toMatch(/^ {2}actual: {3}connects$/m);
    expect(r.stdout).toMatch(
      /^ {2}blame: {4}.*examples\/root-server\/pgdata\/pg_hba\.conf:3: hostssl all +all +127\.0\.0\.1\/32 +scram-sha-256$/m,
    );
    expect(r.stdout).toMatch(/^FAILED: keys\n[\s\S]*actual: {3}"CN = db\.example\.com" has a 2048-bit RSA key/m);
    expect(r.stdout).toMatch(/blame: {4}.*postgresql\.conf:3: ssl_cert_file = 'server\.crt'/);
    expect(r.stdout).toMatch(/14 expectation\(s\): 12 passed, 2 failed$/m);
  });

  it('bad input exits 2 naming the file, line and column; a missing file too', () => {
    const p = join(tmp, 'typo.yaml');
    writeFileSync(p, 'servers:\n  db:\n    pgdata: .\n    hots: x\n');
    const r = pgtls(p);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${p}:4:5: servers.db.hots: unknown key "hots" (did you mean "host"?)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const m = pgtls(join(tmp, 'missing.yaml'));
    expect(m.status).toBe(2);
    expect(m.stderr).toBe(`pgtls test: Can't open "${join(tmp, 'missing.yaml')}" for reading, No such file or directory\n`);
    expect(pgtls('--format', 'xml', 'examples/chain/pgtls-test.yaml').status).toBe(2);
    expect(pgtls('--shard', '4/3', 'examples/chain/pgtls-test.yaml').status).toBe(2);
  });

  it('JUnit output is valid against the JUnit XML schema (xmllint --schema), passing and failing', () => {
    for (const [file, status] of [
      ['examples/client-cert/pgtls-test.yaml', 0],
      [brokenExample(), 1],
    ] as const) {
      const out = join(tmp, 'junit.xml');
      const r = pgtls('--at', AT, '--format', 'junit', '--output', out, file);
      expect(r.status).toBe(status);
      const x = spawnSync('xmllint', ['--noout', '--schema', join(ROOT, 'test/fixtures/conformance/junit.xsd'), out], { encoding: 'utf8' });
      expect(x.stderr).toMatch(/ validates$/m);
      expect(x.status).toBe(0);
      const xml = readFileSync(out, 'utf8');
      expect((xml.match(/<failure /g) ?? []).length).toBe(status ? 2 : 0);
    }
    // the schema does reject what it should: a testsuite without its timestamp
    const bad = join(tmp, 'bad.xml');
    writeFileSync(bad, readFileSync(join(tmp, 'junit.xml'), 'utf8').replace(/ timestamp="[^"]*"/, ''));
    expect(spawnSync('xmllint', ['--noout', '--schema', join(ROOT, 'test/fixtures/conformance/junit.xsd'), bad]).status).not.toBe(0);
  });

  it('SARIF output is valid SARIF 2.1.0 and points at the pg_hba.conf / postgresql.conf line responsible', () => {
    const r = pgtls('--at', AT, '--format', 'sarif', brokenExample());
    expect(r.status).toBe(1);
    const log = JSON.parse(r.stdout);
    const ajv = new Ajv.default({ strict: false, unicodeRegExp: false, validateFormats: false });
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/conformance/sarif-schema-2.1.0.json'), 'utf8')));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const locs = log.runs[0].results.map((x: any) => [
      x.ruleId,
      x.locations[0].physicalLocation.artifactLocation.uri,
      x.locations[0].physicalLocation.region?.startLine,
    ]);
    expect(locs).toEqual([
      ['PGTLS-CONNECTION', 'examples/root-server/pgdata/pg_hba.conf', 3],
      ['PGTLS-PROPERTY', 'examples/root-server/pgdata/postgresql.conf', 3],
    ]);
    // and the schema rejects a broken log
    expect(validate({ ...log, runs: [{ ...log.runs[0], results: [{ message: {}, level: 'fatal' }] }] })).toBe(false);
  });

  it('TAP, HTML and JSON', () => {
    const file = brokenExample();
    const tap = pgtls('--at', AT, '--format', 'tap', file).stdout.split('\n');
    expect(tap.slice(0, 2)).toEqual(['TAP version 13', '1..14']);
    expect(tap.filter((l) => /^ok \d+ - /.test(l))).toHaveLength(12);
    expect(tap.filter((l) => /^not ok \d+ - /.test(l))).toHaveLength(2);
    const html = pgtls('--at', AT, '--format', 'html', file).stdout;
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect((html.match(/<tr class="fail">/g) ?? []).length).toBe(2);
    expect(html).toContain('Fix: reissue it with a stronger key');
    const json = JSON.parse(pgtls('--at', AT, '--format', 'json', file).stdout);
    expect(json.summary).toEqual({ total: 14, passed: 12, failed: 2, errors: 0, skipped: 0 });
  });
});

describe('pgtls test: shards', () => {
  it('three shards of the fleet, merged, equal a single run', () => {
    const args = ['--at', AT, '--format', 'json', '--inventory', 'examples/fleet/inventory.yaml', 'examples/fleet/pgtls-test.yaml'];
    const single = JSON.parse(pgtls(...args).stdout);
    const parts = [1, 2, 3].map((i) => {
      const out = join(tmp, `shard-${i}.json`);
      const r = pgtls(...args, '--shard', `${i}/3`, '--output', out);
      expect(r.status).toBe(0);
      return out;
    });
    const sizes = parts.map((p) => JSON.parse(readFileSync(p, 'utf8')).cases.length);
    expect(sizes.every((n) => n > 0)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(single.cases.length);
    const merged = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'test', 'merge', '--format', 'json', ...parts], {
      encoding: 'utf8',
      cwd: ROOT,
    });
    expect(merged.status).toBe(0);
    const strip = (r: any) => ({ ...r, shard: undefined, cases: r.cases.map((c: any) => ({ ...c, durationMs: 0 })) });
    expect(strip(JSON.parse(merged.stdout))).toEqual(strip(single));
  });
});
