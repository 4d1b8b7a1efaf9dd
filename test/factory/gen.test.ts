// `pgtls gen` end to end through the real binary entry: files, modes, what it prints, and
// openssl verify on the result.
import { afterAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { openssl, tempDir } from './helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const tmp = tempDir('pgtls-gen-');
afterAll(() => tmp.done());

function pgtls(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
const mode = (f: string) => statSync(f).mode & 0o777;

describe('pgtls gen', () => {
  test('chain with a client certificate: files, modes, bundle, openssl verify', () => {
    const out = join(tmp.dir, 'chain');
    const r = pgtls([
      'gen',
      'chain',
      '--cn',
      'db.example.com',
      '--out',
      out,
      '--key',
      'p256',
      '--san',
      'DNS:db.example.com,IP:10.0.0.5',
      '--days',
      '30',
      '--client',
      'alice',
    ]);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    for (const f of ['server.crt', 'root.crt', 'intermediate.crt', 'postgresql.crt']) expect(mode(join(out, f))).toBe(0o644);
    for (const f of ['server.key', 'root.key', 'intermediate.key', 'postgresql.key']) expect(mode(join(out, f))).toBe(0o600);
    expect(readFileSync(join(out, 'server.crt'), 'utf8').match(/BEGIN CERTIFICATE/g)?.length).toBe(2);
    const v = openssl([
      'verify',
      '-CAfile',
      join(out, 'root.crt'),
      '-untrusted',
      join(out, 'server.crt'),
      '-verify_hostname',
      'db.example.com',
      join(out, 'server.crt'),
    ]);
    expect(v.out).toBe(`${join(out, 'server.crt')}: OK\n`);
    const c = openssl(['verify', '-CAfile', join(out, 'root.crt'), join(out, 'postgresql.crt')]);
    expect(c.out).toContain(': OK');
    expect(openssl(['x509', '-noout', '-subject', '-in', join(out, 'postgresql.crt')]).out).toBe('subject=CN = alice\n');
    // the keys are the certificates' keys
    const pub = (args: string[]) => openssl(args).out;
    expect(pub(['pkey', '-pubout', '-in', join(out, 'server.key')])).toBe(
      pub(['x509', '-noout', '-pubkey', '-in', join(out, 'server.crt')]),
    );
    expect(pub(['pkey', '-pubout', '-in', join(out, 'postgresql.key')])).toBe(
      pub(['x509', '-noout', '-pubkey', '-in', join(out, 'postgresql.crt')]),
    );
    expect(r.out).toContain("ssl_ca_file = 'root.crt'");
    expect(r.out).toContain('hostssl all alice all cert');
    expect(r.out).toContain('~/.postgresql/postgresql.crt');
  });

  test.each([['self-signed'], ['root-server']])('%s with the default RSA-2048 key verifies', (kind) => {
    const out = join(tmp.dir, kind);
    const r = pgtls(['gen', kind, '--cn', 'dbhost.yourdomain.com', '--out', out]);
    expect(r.status, r.err).toBe(0);
    expect(mode(join(out, 'server.key'))).toBe(0o600);
    expect(existsSync(join(out, 'root.key'))).toBe(kind === 'root-server');
    expect(openssl(['verify', '-CAfile', join(out, 'root.crt'), join(out, 'server.crt')]).out).toBe(`${join(out, 'server.crt')}: OK\n`);
    expect(openssl(['x509', '-noout', '-text', '-in', join(out, 'server.key').replace('.key', '.crt')]).out).toContain(
      'Public-Key: (2048 bit)',
    );
    expect(r.out).toContain("ssl_cert_file = 'server.crt'");
  });

  test('bad input exits 2 with a message; existing files are not overwritten without --force', () => {
    expect(pgtls(['gen', 'nope', '--cn', 'x', '--out', tmp.dir]).status).toBe(2);
    expect(pgtls(['gen', 'chain', '--out', tmp.dir]).err).toContain('--cn HOST is required');
    expect(pgtls(['gen', 'chain', '--cn', 'x', '--out', tmp.dir, '--key', 'dsa']).status).toBe(2);
    expect(pgtls(['gen', 'chain', '--cn', 'x', '--out', tmp.dir, '--san', 'IP:999.1.1.1']).err).toContain('not an IP address');
    expect(pgtls(['gen', 'chain', '--cn', 'x', '--out', tmp.dir, '--days', '0']).status).toBe(2);
    const again = pgtls(['gen', 'self-signed', '--cn', 'x', '--out', join(tmp.dir, 'self-signed')]);
    expect(again.status).toBe(2);
    expect(again.err).toContain('exists (use --force to overwrite)');
    expect(pgtls(['gen', 'self-signed', '--cn', 'x', '--out', join(tmp.dir, 'self-signed'), '--force', '--key', 'ed25519']).status).toBe(0);
  });
});
