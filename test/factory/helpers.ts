// Test helpers for the factory: keys from vectors/keys, an `openssl` runner and temp dirs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrivateKey } from '../../src/x509/types.js';
import { parsePrivateKey } from '../../src/x509/keys.js';

export const KEYS_DIR = join(import.meta.dirname, '../../vectors/keys');

/** A vector key, parsed by the x509 layer. */
export function loadKey(name: string): PrivateKey {
  return parsePrivateKey(readFileSync(join(KEYS_DIR, `${name}.pem`)));
}

export function tempDir(prefix = 'pgtls-factory-'): { dir: string; write(name: string, data: string | Uint8Array): string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write: (name, data) => {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Run openssl; returns status, stdout and stderr (never throws on a non-zero exit). */
export function openssl(args: string[], cwd?: string): { status: number; out: string; err: string } {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', env: { ...process.env, OPENSSL_CONF: '/etc/ssl/openssl.cnf' } });
  return { status: r.status ?? -1, out: r.stdout, err: r.stderr };
}

export function opensslOk(args: string[], cwd?: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', env: { ...process.env, OPENSSL_CONF: '/etc/ssl/openssl.cnf' } });
}
