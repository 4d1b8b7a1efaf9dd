// The proof that `pgtls test` offline tells the truth: each example's expectations run
// against a real PostgreSQL server (15, and every other installed major) set up from the
// example's own files, once offline (simulate() reading the server's data directory) and
// once --live (pgtls's libpq-like client talking to the running server). Both modes must
// agree on every connection expectation (same verdict, same stage, same message), and every
// expectation of the examples must hold in both.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort, PgOracle, PG_ORACLE_VERSIONS, pgInstall, pgOracleUnavailable, type ServerFile } from '../support/pg-oracle.js';
import { EXAMPLES, fixExampleKeyModes, ROOT } from './examples.js';

const pgtls = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'test', ...args], { encoding: 'utf8', cwd: ROOT, timeout: 120_000 });

/** The example's data directory files as the oracle writes them (modes as the example needs). */
function exampleSetup(name: string) {
  const dir = join(ROOT, 'examples', name, 'pgdata');
  const files: Record<string, ServerFile> = {};
  for (const f of ['server.crt', 'server.key', 'root.crt']) {
    try {
      files[f] = { content: readFileSync(join(dir, f)) };
    } catch {
      // not every example has a CA file
    }
  }
  return { files, sslConf: readFileSync(join(dir, 'postgresql.conf'), 'utf8'), hba: readFileSync(join(dir, 'pg_hba.conf'), 'utf8') };
}

/** The example's expectations, aimed at the oracle: its data directory and port, absolute client files, this major. */
function exampleFor(name: string, o: PgOracle, out: string): string {
  const dir = join(ROOT, 'examples', name);
  const doc = parse(readFileSync(join(dir, 'pgtls-test.yaml'), 'utf8'));
  doc.defaults = { ...(doc.defaults ?? {}), pgVersion: o.version, opensslVersion: o.install.opensslVersion };
  for (const s of Object.values(doc.servers) as Record<string, unknown>[]) {
    s.pgdata = o.pgdata;
    s.port = o.port;
  }
  for (const p of Object.values(doc.profiles ?? {}) as { files?: Record<string, string> }[])
    for (const [k, v] of Object.entries(p.files ?? {})) p.files![k] = join(dir, v);
  const file = join(out, `${name}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

interface CaseJson {
  id: string;
  kind: string;
  name: string;
  status: string;
  actual: string;
}

for (const major of PG_ORACLE_VERSIONS) {
  const why = pgOracleUnavailable(major);
  describe.skipIf(why)(`pgtls test offline and --live agree on PostgreSQL ${major}${why ? ` (${why})` : ''}`, () => {
    let o: PgOracle;
    const out = mkdtempSync(join(tmpdir(), `pgtls-test-live-${major}-`));
    beforeAll(async () => {
      fixExampleKeyModes();
      o = await PgOracle.create({ version: major, users: ['app'], databases: ['app'] });
      // the role's password, stored as SCRAM (13's default password_encryption is md5)
      const st = o.apply({ files: {}, sslConf: '', hba: 'host all all 127.0.0.1/32 trust\n' });
      expect(st.started, st.log).toBe(true);
      const r = await o.psql('user=postgres dbname=postgres sslmode=disable', {
        sql: "SET password_encryption = 'scram-sha-256'; ALTER ROLE app PASSWORD 'secret'",
      });
      expect(r.status, r.stderr).toBe(0);
    }, 120_000);
    afterAll(() => {
      o?.destroy();
      rmSync(out, { recursive: true, force: true });
    });

    it.runIf(major === 15)(
      'a live fleet: a server that is down is an error after its retries, the others still run, with a table per server',
      async () => {
        const st = o.apply(exampleSetup('root-server'));
        expect(st.started, st.log).toBe(true);
        const dead = await freePort();
        const inv = join(out, 'inventory.yaml');
        writeFileSync(
          inv,
          stringify({
            servers: [
              { name: 'up', host: 'db.example.com', hostaddr: '127.0.0.1', port: o.port, profile: 'app' },
              { name: 'down', host: 'db.example.com', hostaddr: '127.0.0.1', port: dead, profile: 'app' },
            ],
          }),
        );
        const file = join(out, 'fleet.yaml');
        const root = join(ROOT, 'examples/root-server/client/root.crt');
        writeFileSync(
          file,
          stringify({
            profiles: { app: { files: { sslrootcert: root }, env: { PGPASSWORD: 'secret' } } },
            connections: [
              { conninfo: 'dbname=app user=app sslmode=verify-full', connects: true },
              { conninfo: 'dbname=app user=app sslmode=disable', fails: { step: 'server-error' } },
            ],
          }),
        );
        const r = pgtls('--live', '--inventory', inv, '--jobs', '2', '--timeout', '3000', '--retries', '1', file);
        expect(r.status).toBe(1);
        expect(r.stdout).toMatch(/^ok {3}.* \[up\]$/m);
        expect(r.stdout.match(/^ERR {2}.* \[down\]$/gm)).toHaveLength(2);
        expect(r.stdout).toMatch(/could not run: down: .*Connection refused.* \(after 2 attempt\(s\)\)/);
        expect(r.stdout).toMatch(/^up\s+2\s+0\s+0\s+0$/m);
        expect(r.stdout).toMatch(/^down\s+0\s+0\s+2\s+0$/m);
        expect(r.stdout).toMatch(/4 expectation\(s\): 2 passed, 0 failed, 2 could not run$/m);
      },
      60_000,
    );

    it.each(EXAMPLES)(
      '%s: every expectation holds offline and live, with the same verdict, stage and message',
      (name) => {
        const st = o.apply(exampleSetup(name));
        expect(st.started, st.log).toBe(true);
        const file = exampleFor(name, o, out);
        const offline = pgtls('--format', 'json', file);
        const live = pgtls('--live', '--format', 'json', '--jobs', '4', file);
        expect(offline.stderr).toBe('');
        expect(live.stderr).toBe('');
        const off = JSON.parse(offline.stdout) as { mode: string; cases: CaseJson[] };
        const liv = JSON.parse(live.stdout) as { mode: string; cases: CaseJson[] };
        expect([off.mode, liv.mode]).toEqual(['offline', 'live']);
        const conn = (r: { cases: CaseJson[] }) => r.cases.filter((c) => c.kind === 'connection').map((c) => [c.name, c.status, c.actual]);
        expect(conn(off).length).toBeGreaterThanOrEqual(5);
        expect(conn(liv)).toEqual(conn(off));
        // and the expectations, written for PostgreSQL 15, hold on this version too, but for
        // PostgreSQL 13's wording of a refused plaintext connection ("SSL off", not "no
        // encryption"), which the examples that match the whole message catch in both modes
        const failed = [...off.cases, ...liv.cases].filter((c) => c.status !== 'pass');
        const pg13Wording = (c: CaseJson) => major === 13 && /no pg_hba\.conf entry for host .*, SSL off$/.test(c.actual);
        expect(failed.filter((c) => !pg13Wording(c)).map((c) => `${c.name}: ${c.actual}`)).toEqual([]);
        expect([offline.status, live.status]).toEqual(failed.length ? [1, 1] : [0, 0]);
      },
      120_000,
    );
  });
}

// keep the install lookup honest: the oracle's OpenSSL is what the offline run models
it('the oracle installs name their OpenSSL', () => {
  expect(pgInstall(15).opensslVersion).toBe('3.0');
});
