import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli/registry.js';
import { makeCertificate, makeHierarchy, privateKeyPem } from '../../src/factory/index.js';
import { parsePrivateKey } from '../../src/x509/index.js';

// The pgtls binary as npx runs it (dist/, built by `pretest`): help, version, dispatch and
// the exit codes the issues ask for.

const ROOT = join(import.meta.dirname, '../..');
const pgtls = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), ...args], { encoding: 'utf8' });
const pgtlsWith = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('pgtls (dist/cli/main.js)', () => {
  it('--help lists every command with its one-line summary', () => {
    const r = pgtls('--help');
    expect(r.status).toBe(0);
    for (const [name, c] of Object.entries(COMMANDS))
      expect(r.stdout).toMatch(new RegExp(`^  ${name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });
  it("--version prints package.json's version", () => {
    const r = pgtls('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
  it('an unknown command exits 2 with the usage; bad input to a command exits 2 with one line', () => {
    const u = pgtls('nope');
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/^pgtls: unknown command 'nope'/);
    const b = pgtls('show', join(ROOT, 'package.json'));
    expect(b.status).toBe(2);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('pgtls simulate --started-with (pg_ctl reload)', () => {
  it('a reload that breaks the certificate path keeps the old SSL setup: still connects, and the log says why', () => {
    const key = (n: string) => parsePrivateKey(readFileSync(join(ROOT, `vectors/keys/${n}.pem`)));
    const h = makeHierarchy('root-server', { cn: 'db.example.com', keys: { root: key('p256-1'), server: key('p256-2') } });
    const before = mkdtempSync(join(tmpdir(), 'pgtls-before-'));
    const after = mkdtempSync(join(tmpdir(), 'pgtls-after-'));
    try {
      for (const dir of [before, after]) {
        writeFileSync(join(dir, 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 trust\n');
        writeFileSync(join(dir, 'server.crt'), h.serverCrtPem);
        writeFileSync(join(dir, 'server.key'), h.server.keyPem, { mode: 0o600 });
        writeFileSync(join(dir, 'root.crt'), h.rootCrtPem);
      }
      writeFileSync(join(before, 'postgresql.conf'), "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
      writeFileSync(join(after, 'postgresql.conf'), "ssl = on\nssl_cert_file = 'nope.crt'\nssl_key_file = 'server.key'\n");
      const conninfo = `host=db.example.com hostaddr=127.0.0.1 user=app dbname=app sslmode=verify-full sslrootcert=${join(after, 'root.crt')}`;
      const r = pgtls('simulate', '--pgdata', after, '--started-with', before, '--json', conninfo);
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout) as { ok: boolean; serverLog: string[] };
      expect(out.ok).toBe(true);
      expect(out.serverLog).toContain('LOG:  SSL configuration was not reloaded');
      // sslrootcert=system (16+) finds the root through SSL_CERT_FILE in pgtls's own environment
      const system = 'host=db.example.com hostaddr=127.0.0.1 user=app dbname=app sslrootcert=system';
      expect(
        pgtlsWith({ SSL_CERT_FILE: join(after, 'root.crt') }, 'simulate', '--pgdata', before, '--pg-version', '16', system).status,
      ).toBe(0);
      expect(
        pgtlsWith(
          { SSL_CERT_FILE: join(after, 'nope.pem'), SSL_CERT_DIR: join(after, 'nope') },
          'simulate',
          '--pgdata',
          before,
          '--pg-version',
          '16',
          system,
        ).status,
      ).toBe(1);
      // without --started-with the same directory does not start
      expect(pgtls('simulate', '--pgdata', after, conninfo).status).toBe(1);
      expect(pgtls('simulate', '--pgdata', after, '--started-with', join(after, 'nope'), conninfo).status).toBe(2);
    } finally {
      rmSync(before, { recursive: true, force: true });
      rmSync(after, { recursive: true, force: true });
    }
  });
});

describe('pgtls simulate and the password file', () => {
  it('reads PGPASSFILE from the environment, checks its mode through the real file system, and --role-password', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-pgpass-'));
    try {
      writeFileSync(join(dir, 'postgresql.conf'), 'log_connections = on\n');
      writeFileSync(join(dir, 'pg_hba.conf'), 'host app alice 127.0.0.1/32 scram-sha-256\n');
      const file = join(dir, 'pgpass');
      writeFileSync(file, 'localhost:5432:app:alice:secret\n', { mode: 0o644 });
      const conninfo = 'hostaddr=127.0.0.1 user=alice dbname=app';
      const env = { HOME: dir, PGPASSFILE: file, PGPASSWORD: '' };
      const open = pgtlsWith(env, 'simulate', '--pgdata', dir, conninfo);
      expect(open.status).toBe(1);
      expect(open.stdout).toContain(
        `WARNING: password file "${file}" has group or world access; permissions should be u=rw (0600) or less`,
      );
      expect(open.stdout).toContain(`fix: chmod 0600 ${file}`);
      chmodSync(file, 0o600);
      expect(pgtlsWith(env, 'simulate', '--pgdata', dir, '--role-password', 'alice=secret', conninfo).status).toBe(0);
      const wrong = pgtlsWith(env, 'simulate', '--pgdata', dir, '--role-password', 'alice=other', '--json', conninfo);
      expect(wrong.status).toBe(1);
      expect((JSON.parse(wrong.stdout) as { psqlStderr: string }).psqlStderr).toMatch(
        new RegExp(`password authentication failed for user "alice"\npassword retrieved from file "${file}"$`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("pgtls simulate's fix in the client's language", () => {
  it('prints the advice in Japanese when LANGUAGE/LANG ask for it as they would for psql, English otherwise; --json gives it and its values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-fix-lang-'));
    try {
      writeFileSync(join(dir, 'postgresql.conf'), '');
      writeFileSync(join(dir, 'pg_hba.conf'), 'host app alice 127.0.0.1/32 scram-sha-256\n');
      const file = join(dir, 'pgpass');
      writeFileSync(file, 'localhost:5432:app:alice:secret\n', { mode: 0o644 });
      chmodSync(file, 0o644);
      const conninfo = 'hostaddr=127.0.0.1 user=alice dbname=app';
      const locale = (l: Record<string, string>) => ({ LANGUAGE: '', LC_ALL: '', LC_MESSAGES: '', LANG: '', ...l });
      const run = (l: Record<string, string>, ...extra: string[]) =>
        pgtlsWith({ HOME: dir, PGPASSFILE: file, PGPASSWORD: '', ...locale(l) }, 'simulate', '--pgdata', dir, ...extra, conninfo);
      const en = `chmod 0600 ${file} (libpq ignores a password file that group or others can access)`;
      const ja = `chmod 0600 ${file} を実行してください（libpq はグループや他のユーザがアクセスできるパスワードファイルを無視します）`;
      expect(run({ LANG: 'C.UTF-8' }).stdout).toContain(`\nfix: ${en}\n`);
      expect(run({ LANGUAGE: 'ja', LANG: 'C.UTF-8' }).stdout).toContain(`\nfix: ${ja}\n`);
      // LANGUAGE is ignored under the C locale, by gettext and so by pgtls
      expect(run({ LANGUAGE: 'ja', LC_ALL: 'C' }).stdout).toContain(`\nfix: ${en}\n`);
      const json = JSON.parse(run({ LANGUAGE: 'ja', LANG: 'C.UTF-8' }, '--json').stdout) as { fix: string; fixes: unknown };
      expect(json).toMatchObject({ fix: ja, fixes: [{ kind: 'passfile-perms', args: { file } }] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the node:crypto accelerator the CLI installs', () => {
  it('changes no byte of `simulate --json --explain` (PGTLS_CRYPTO=pure runs the TypeScript crypto alone)', () => {
    const key = (n: string) => parsePrivateKey(readFileSync(join(ROOT, `vectors/keys/${n}.pem`)));
    const h = makeHierarchy('chain', {
      cn: 'db.example.com',
      clientUser: 'app',
      keys: {
        root: key('rsa2048-1'),
        intermediate: key('rsa2048-2'),
        server: key('rsa2048-3'),
        client: key('rsa2048-4'),
        other: key('rsa2048-5'),
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-accel-'));
    try {
      writeFileSync(
        join(dir, 'postgresql.conf'),
        "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nssl_ca_file = 'root.crt'\n",
      );
      writeFileSync(join(dir, 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 cert\n');
      writeFileSync(join(dir, 'server.crt'), h.serverCrtPem);
      writeFileSync(join(dir, 'server.key'), h.server.keyPem, { mode: 0o600 });
      writeFileSync(join(dir, 'root.crt'), h.rootCrtPem);
      writeFileSync(join(dir, 'client.crt'), h.client!.cert.pem);
      writeFileSync(join(dir, 'client.key'), h.client!.keyPem, { mode: 0o600 });
      const conninfo = `host=db.example.com hostaddr=127.0.0.1 user=app dbname=app sslmode=verify-full sslrootcert=${dir}/root.crt sslcert=${dir}/client.crt sslkey=${dir}/client.key`;
      // a fixed clock: the trace names the verification time
      const args = ['simulate', '--pgdata', dir, '--at', new Date(Date.now() + 3_600_000).toISOString(), '--json', '--explain', conninfo];
      const native = pgtlsWith({}, ...args);
      const pure = pgtlsWith({ PGTLS_CRYPTO: 'pure' }, ...args);
      expect(native.stderr).toBe('');
      expect(JSON.parse(native.stdout).message).toBe('');
      expect(native.status).toBe(0);
      expect(native.stdout).toContain('CertificateVerify');
      expect(native.stdout).toBe(pure.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pgtls simulate / check with a relative --pgdata and --security-level', () => {
  it('a relative data directory is made absolute, as postgres -D does: the log names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-rel-'));
    try {
      writeFileSync(join(dir, 'postgresql.conf'), 'ssl_bogus = 1\n');
      writeFileSync(join(dir, 'pg_hba.conf'), 'host all all 127.0.0.1/32 trust\n');
      const r = spawnSync(
        process.execPath,
        [join(ROOT, 'dist/cli/main.js'), 'simulate', '--pgdata', '.', 'host=127.0.0.1 user=app dbname=app'],
        { encoding: 'utf8', cwd: dir },
      );
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(`LOG:  unrecognized configuration parameter "ssl_bogus" in file "${dir}/postgresql.conf" line 1`);
      const c = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'check', '--pgdata', '.'], { encoding: 'utf8', cwd: dir });
      expect(c.status).toBe(1);
      expect(c.stdout).toContain(`FATAL:  configuration file "${dir}/postgresql.conf" contains errors`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('--security-level outside 0..5 is bad input (exit 2)', () => {
    for (const cmd of ['simulate', 'check']) {
      const r = pgtls(cmd, '--pgdata', ROOT, '--security-level', '7', ...(cmd === 'simulate' ? ['host=x'] : []));
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--security-level must be 0\.\.5/);
    }
  });
  it('check --openssl-version: 1.1.1 rates a SHA-1 server.crt 80 bits (starts at its level 1), 3.0 63 (does not start); a bad value is exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-check-ov-'));
    try {
      const key = parsePrivateKey(readFileSync(join(ROOT, 'vectors/keys/rsa2048-2.pem')));
      // signed by a CA (a self-signed certificate's own signature is not rated)
      const crt = makeCertificate({
        subject: '/CN=localhost',
        issuer: '/CN=Level Root',
        subjectKey: key,
        issuerKey: parsePrivateKey(readFileSync(join(ROOT, 'vectors/keys/rsa2048-1.pem'))),
        signatureAlgorithm: 'sha1WithRSAEncryption',
      });
      writeFileSync(join(dir, 'postgresql.conf'), 'ssl = on\n');
      writeFileSync(join(dir, 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 trust\n');
      writeFileSync(join(dir, 'pg_ident.conf'), '');
      writeFileSync(join(dir, 'server.crt'), crt.pem);
      writeFileSync(join(dir, 'server.key'), privateKeyPem(key, 'pkcs8'), { mode: 0o600 });
      const v30 = pgtls('check', '--pgdata', dir, '--openssl-version', '3.0');
      expect([v30.status, v30.stdout]).toEqual([1, expect.stringContaining('ca md too weak')]);
      const v11 = pgtls('check', '--pgdata', dir, '--openssl-version', '1.1');
      expect(v11.status, v11.stdout + v11.stderr).toBe(0);
      const bad = pgtls('check', '--pgdata', dir, '--openssl-version', '2.0');
      expect([bad.status, bad.stderr]).toEqual([2, expect.stringMatching(/--openssl-version must be one of 1\.1, 3\.0/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('--libpq-version outside 13..18 is bad input (exit 2), named as given', () => {
    for (const v of ['12', '19', 'x']) {
      const r = pgtls('simulate', '--pgdata', ROOT, '--libpq-version', v, 'host=x');
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--libpq-version must be 13\.\.18/);
    }
  });
});
