// `pgtls verify` as a drop-in for `openssl verify`: on PostgreSQL's own test PKI
// (../shared/reference/pg-ssl-testdata) both must print the same lines and exit the same.
// openssl's output per case is recorded in vectors/oracle/cli-verify/openssl-3.0.json and
// replayed without openssl (test/support/openssl-goldens.ts); the test PKI itself stays in
// ../shared, so without it the suite is skipped as before.

import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { run } from '../../src/cli/verify.js';
import { useOpensslGoldens } from '../support/openssl-goldens.js';

const goldens = useOpensslGoldens('cli-verify');

const TESTDATA = resolve(import.meta.dirname, '../../../shared/reference/pg-ssl-testdata');
const have = existsSync(TESTDATA);

// OpenSSL starts its error-queue lines with its thread id (`40F7...:error:...`), pgtls with a constant
const lines = (t: string) =>
  t
    .split('\n')
    .filter((l) => l)
    .map((l) => l.replace(/^[0-9A-F]+:error:/, 'X:error:'));

async function pgtls(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  let out = '';
  let err = '';
  const code = await run(args, {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: () => new Uint8Array(0),
    env: process.env,
  });
  return { code, out: lines(out), err: lines(err) };
}

function openssl(args: string[]): { code: number; out: string[]; err: string[] } {
  return goldens.call(`verify ${args.join(' ')}`, () => {
    const r = spawnSync('openssl', ['verify', ...args], { cwd: TESTDATA, encoding: 'utf8' });
    return { code: r.status ?? -1, out: lines(r.stdout), err: lines(r.stderr) };
  });
}

// 2030-01-01: inside every test certificate's validity
const AT = ['-attime', '1893456000'];
const CASES: string[][] = [
  ['-CAfile', 'root+server_ca.crt', 'server-cn-only.crt'],
  ['-CAfile', 'root_ca.crt', 'server-cn-only.crt'],
  ['-CAfile', 'server_ca.crt', 'server-cn-only.crt'],
  ['-CAfile', 'root_ca.crt', '-untrusted', 'server_ca.crt', 'server-cn-only.crt'],
  ['-CAfile', 'root+server_ca.crt', '-CRLfile', 'root+server.crl', '-crl_check_all', 'server-revoked.crt'],
  ['-CAfile', 'root+server_ca.crt', '-CRLfile', 'server.crl', '-crl_check', 'server-revoked.crt'],
  ['-CAfile', 'root+server_ca.crt', '-CRLfile', 'server.crl', '-crl_check_all', 'server-cn-only.crt'],
  ['-CAfile', 'root+server_ca.crt', '-CApath', 'root+server-crldir', '-crl_check_all', 'server-revoked.crt'],
  ['-CAfile', 'root+client_ca.crt', '-CRLfile', 'root+client.crl', '-crl_check_all', 'client-revoked.crt', 'client.crt'],
  ['-CAfile', 'root+client_ca.crt', '-purpose', 'sslclient', 'client_ext.crt'],
  ['-CAfile', 'root+client_ca.crt', '-purpose', 'sslserver', 'client_ext.crt'],
  ['-CAfile', 'root+server_ca.crt', '-verify_hostname', 'wronghost.test', 'server-cn-only.crt'],
  ['-CAfile', 'root+server_ca.crt', '-verify_hostname', 'common-name.pg-ssltest.test', 'server-cn-only.crt'],
  ['-CAfile', 'root+server_ca.crt', '-verify_ip', '192.0.2.1', 'server-ip-alt-names.crt'],
  ['-CAfile', 'root+server_ca.crt', '-verify_depth', '0', 'server-cn-only.crt'],
  ['-CAfile', 'root+server_ca.crt', 'server-rsapss.crt'],
  ['server-rsapss.crt'],
  ['-CAfile', 'both-cas-1.crt', 'server-multiple-alt-names.crt', 'client-dn.crt'],
];

describe.skipIf(!have || goldens.skip)('pgtls verify = openssl verify on the PostgreSQL test PKI', () => {
  const cwd = process.cwd();
  afterEach(() => process.chdir(cwd));
  for (const args of CASES) {
    it(args.join(' '), async () => {
      process.chdir(TESTDATA);
      const mine = await pgtls([...AT, ...args]);
      const theirs = openssl([...AT, ...args]);
      expect(mine.out).toEqual(theirs.out);
      expect(mine.err).toEqual(theirs.err);
      expect(mine.code).toBe(theirs.code);
    });
  }
});
