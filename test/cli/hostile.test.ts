import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_DUMP_DEPTH } from '../../src/der/index.js';
import { deep } from '../support/deep-der.js';
import { writeRootServerPki } from '../support/cli-pki.js';
import { PG_BIN, PgOracle, pgOracleUnavailable, runAs } from '../support/pg-oracle.js';

// Bad input given to the pgtls binary (dist/cli/main.js, as users run it) is a first-class
// path: a usage error (exit 2) or the verdict (exit 1) worded as the real tool words it —
// `postgres -D`, `openssl asn1parse`, psql, the postmaster's bind failure — checked against
// those tools here; never "internal error", a stack trace or a hang.

const ROOT = join(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/cli/main.js');
const pgtls = (args: string[], cwd?: string) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', cwd, timeout: 30_000 });
/** The binary run without blocking this process (the test's own sockets keep answering). */
const pgtlsAsync = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    ),
  );
const psqlAsync = (conninfo: string) =>
  new Promise<{ status: number | null; stderr: string }>((resolve) =>
    execFile(
      'psql',
      ['-X', '-w', '-d', conninfo, '-c', 'select 1'],
      {
        encoding: 'utf8',
        timeout: 30_000,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', LANG: 'C', LC_ALL: 'C' },
      },
      (err, _out, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr }),
    ),
  );
const noTrace = (r: { stderr: string }) => {
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
};
const why = pgOracleUnavailable();
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const hasPsql = spawnSync('psql', ['--version']).status === 0;
/** postgres -D DIR's own complaint (it refuses before anything else happens), as the postgres user. */
const postgresD = (dir: string) => runAs('postgres', [join(PG_BIN, 'postgres'), '-D', dir]);

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'pgtls-hostile-'));
  chmodSync(tmp, 0o755);
  writeRootServerPki(join(tmp, 'pki'), 'hostssl all all 127.0.0.1/32 trust\n');
  mkdirSync(join(tmp, 'empty'));
  chmodSync(join(tmp, 'empty'), 0o755);
  writeFileSync(join(tmp, 'afile'), 'not a directory\n');
  chmodSync(join(tmp, 'afile'), 0o644);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('--pgdata', () => {
  it('a relative path resolves against the working directory, like postgres -D (simulate, check)', () => {
    const conninfo = 'host=localhost hostaddr=127.0.0.1 user=app dbname=app sslmode=require';
    const abs = pgtls(['simulate', '--json', '--at', '2030-01-01T00:00:00Z', '--pgdata', join(tmp, 'pki'), conninfo]);
    expect(abs.status).toBe(0);
    for (const [cwd, dir] of [
      [tmp, 'pki'],
      [join(tmp, 'pki'), '.'],
      [join(tmp, 'empty'), '../pki/'],
    ]) {
      const rel = pgtls(['simulate', '--json', '--at', '2030-01-01T00:00:00Z', '--pgdata', dir, conninfo], cwd);
      expect(rel.stdout).toBe(abs.stdout);
      expect(rel.status).toBe(0);
      const check = pgtls(['check', '--json', '--at', '2030-01-01T00:00:00Z', '--pgdata', dir], cwd);
      expect(check.status).toBe(0);
      expect(JSON.parse(check.stdout).starts).toBe(true);
    }
  });

  it.each(['simulate', 'check', 'serve'])('%s: a missing directory or a file is a usage error worded as postgres -D words it', (cmd) => {
    const extra = cmd === 'simulate' ? ['host=localhost'] : [];
    for (const dir of ['/nonexistent-pgtls', join(tmp, 'afile')]) {
      const r = pgtls([cmd, '--pgdata', dir, ...extra]);
      expect(r.status).toBe(2);
      noTrace(r);
      expect(r.stderr).toContain(dir);
      if (why) continue;
      // postgres: could not access directory "/nonexistent-pgtls": No such file or directory
      const real = postgresD(dir)
        .stderr.split('\n')[0]
        .replace(/^postgres: /, '');
      expect(r.stderr.trim().split('\n')[0]).toBe(`pgtls ${cmd}: --pgdata: ${real}`);
    }
  });

  it.skipIf(why !== undefined)("a directory without postgresql.conf: the server does not start, with postgres -D's words", () => {
    const dir = join(tmp, 'empty');
    const r = pgtls(['simulate', '--json', '--pgdata', dir, 'host=localhost']);
    expect(r.status).toBe(1);
    const real = postgresD(dir)
      .stderr.split('\n')[0]
      .replace(/^postgres: /, '');
    expect(real).toMatch(/could not access the server configuration file/);
    // the FATAL belongs to the server; psql itself meets nothing listening
    const out = JSON.parse(r.stdout);
    expect(out.serverFatal).toBe(real);
    expect(out.message).toMatch(/^Connection refused\n/);
  });
});

describe('input files (asn1, show)', () => {
  it.skipIf(!hasOpenssl)("a missing file: openssl asn1parse's words, exit 2", () => {
    const file = join(tmp, 'missing.pem');
    const real = spawnSync('openssl', ['asn1parse', '-in', file], { encoding: 'utf8' }).stderr.split('\n')[0];
    expect(real).toBe(`Can't open "${file}" for reading, No such file or directory`);
    for (const cmd of ['asn1', 'show']) {
      const r = pgtls([cmd, file]);
      expect(r.status).toBe(2);
      noTrace(r);
      expect(r.stderr).toContain(real);
    }
  });

  it.each(['asn1', 'show'])('%s: a directory, an empty file and random bytes are bad input naming the file', (cmd) => {
    writeFileSync(join(tmp, 'zero'), '');
    writeFileSync(
      join(tmp, 'random'),
      Uint8Array.from({ length: 999 }, (_, i) => (i * 151 + 7) & 0xff),
    );
    for (const f of [join(tmp, 'empty'), join(tmp, 'zero'), join(tmp, 'random')]) {
      const r = pgtls([cmd, f]);
      expect(r.status).toBe(2);
      noTrace(r);
      expect(r.stderr).toContain(f);
    }
  });

  it("DER nested 20,000 deep: a DerError at asn1parse's depth limit, not a stack overflow", () => {
    const der = deep(20_000);
    const file = join(tmp, 'deep.der');
    writeFileSync(file, der);
    for (const args of [
      ['asn1', file],
      ['asn1', '--json', file],
      ['show', file],
    ]) {
      const r = pgtls(args);
      expect(r.status).toBe(2);
      noTrace(r);
      expect(r.stderr).toContain(file);
    }
    expect(pgtls(['asn1', file]).stderr).toContain(`nested more than ${MAX_DUMP_DEPTH} deep`);
    if (hasOpenssl) {
      // openssl asn1parse prints down to the same depth, then gives up
      const real = spawnSync('openssl', ['asn1parse', '-inform', 'DER', '-in', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
      const depths = [...real.stdout.matchAll(/d=(\d+)/g)].map((m) => Number(m[1]));
      expect(Math.max(...depths)).toBe(MAX_DUMP_DEPTH);
      expect(real.stdout + real.stderr).toMatch(/BAD RECURSION DEPTH/);
    }
  });
});

describe('gen --out', () => {
  it('an existing file, a path through a file, and a directory that cannot be made: exit 2 at once, naming it', () => {
    writeFileSync(join(tmp, 'taken'), 'x');
    for (const out of [join(tmp, 'taken'), join(tmp, 'taken', 'sub'), '/proc/pgtls-cannot-exist']) {
      const r = pgtls(['gen', 'self-signed', '--cn', 'x', '--key', 'p256', '--out', out]);
      expect(r.error).toBeUndefined(); // no timeout: /proc made Node's recursive mkdir loop forever
      expect(r.status).toBe(2);
      noTrace(r);
      expect(r.stderr).toContain(out);
    }
  });
});

describe('sockets', () => {
  let busy: Server;
  let port = 0;
  beforeAll(async () => {
    // something that answers like an HTTP server on a port of its own
    busy = createServer((s) => {
      s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const a = busy.address();
    port = typeof a === 'object' && a ? a.port : 0;
  });
  afterAll(() => new Promise<void>((r) => busy.close(() => r())));

  it("serve on a port in use: the postmaster's lines, exit 1", async () => {
    const r = await pgtlsAsync(['serve', '--pgdata', join(tmp, 'pki'), '--port', String(port)]);
    expect(r.status).toBe(1);
    noTrace(r);
    const ours = r.stderr.trim().split('\n').slice(-5);
    expect(ours[0]).toBe(`LOG:  could not bind IPv4 address "127.0.0.1": Address already in use`);
    if (why) return;
    // the real postmaster on the same busy port, logging to stderr without a prefix
    const o = await PgOracle.create();
    try {
      o.stop();
      const real = runAs('postgres', [
        join(PG_BIN, 'postgres'),
        '-D',
        o.pgdata,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'logging_collector=off',
        '-c',
        'log_line_prefix=',
        '-c',
        'log_destination=stderr',
      ]);
      const lines = real.stderr.trim().split('\n');
      expect(lines.slice(lines.findIndex((l) => l.startsWith('LOG:  could not bind')))).toEqual(ours);
    } finally {
      o.destroy();
    }
  });

  it.skipIf(!hasPsql)("probe against a port that answers like HTTP: each sslmode fails with psql's words", async () => {
    const r = await pgtlsAsync(['probe', '--json', `host=127.0.0.1 port=${port} user=u dbname=d`]);
    expect(r.status).toBe(1);
    noTrace(r);
    const verdicts = JSON.parse(r.stdout).verdicts as { sslmode: string; ok: boolean; message: string }[];
    for (const mode of ['disable', 'allow', 'prefer', 'require', 'verify-full']) {
      const real = await psqlAsync(`host=127.0.0.1 port=${port} user=u dbname=d sslmode=${mode} sslrootcert=/nonexistent/root.crt`);
      expect(real.status).toBe(2);
      const said = real.stderr
        .trim()
        .split('\n')
        .map((l) => l.replace(/^(psql: error: )?connection to server at "127\.0\.0\.1", port \d+ failed: /, ''));
      const v = verdicts.find((x) => x.sslmode === mode)!;
      expect(v.ok).toBe(false);
      expect(v.message.split('\n')).toEqual(said);
    }
  });

  it('probe against a closed port: exit 1 with "Connection refused", no trace', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const a = closed.address();
    const p = typeof a === 'object' && a ? a.port : 0;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await pgtlsAsync(['probe', `host=127.0.0.1 port=${p}`]);
    expect(r.status).toBe(1);
    noTrace(r);
    expect(r.stdout).toMatch(/Connection refused/);
  });
});
