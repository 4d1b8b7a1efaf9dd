// A root + server data directory for CLI tests (the docs' root-server recipe, P-256 keys from
// vectors/keys): server.crt, server.key (0600), root.crt, postgresql.conf with SSL on, and the
// pg_hba.conf given. Test support only.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeHierarchy } from '../../src/factory/index.js';
import { parsePrivateKey } from '../../src/x509/index.js';

const ROOT = join(import.meta.dirname, '../..');

/** Writes the data directory `dir` (created) and returns it. */
export function writeRootServerPki(dir: string, hba: string): string {
  const key = (n: string) => parsePrivateKey(readFileSync(join(ROOT, `vectors/keys/${n}.pem`)));
  const h = makeHierarchy('root-server', { cn: 'localhost', keys: { root: key('p256-1'), server: key('p256-2') } });
  mkdirSync(dir);
  writeFileSync(join(dir, 'server.crt'), h.serverCrtPem);
  writeFileSync(join(dir, 'server.key'), h.server.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'root.crt'), h.rootCrtPem);
  writeFileSync(join(dir, 'postgresql.conf'), "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
  writeFileSync(join(dir, 'pg_hba.conf'), hba);
  return dir;
}
