// libpq's connection service files (conninfo/service.ts) against real psql 15: the same
// service definitions and environments, psql's first stderr line (an error, or where it
// tried to connect) beside what resolveConninfo makes of them.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConninfo } from '../../src/pg/conninfo/resolve.js';
import { ConninfoError } from '../../src/pg/conninfo/errors.js';
import { serviceFilesOn } from '../../src/pg/files.js';
import { nodeFs } from '../../src/pg/fs-node.js';
import { runAs } from '../support/pg-oracle.js';

const psqlMissing = spawnSync('psql', ['--version']).status !== 0;

const SERVICES = `# services for the test
[a]
host=127.0.0.1
port=1
  # indented comment
[ab]
host=127.0.0.2
port=2
[spaces]
host = x
[nested]
service=a
[noequals]
noequals
[bogus]
bogus=1
[sslbits]
  sslmode=require  
host=127.0.0.1
port=3
[empty]
[long]
host=${'h'.repeat(1030)}
`;

describe.skipIf(psqlMissing)('service files: resolveConninfo vs psql 15', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgtls-service-'));
  // psql runs as nobody, so the unreadable file is unreadable (root reads everything)
  chmodSync(dir, 0o755);
  const file = join(dir, 's.conf');
  writeFileSync(file, SERVICES);
  const home = join(dir, 'home');
  spawnSync('mkdir', ['-m', '755', '-p', home]);
  writeFileSync(join(home, '.pg_service.conf'), '[h]\nhost=127.0.0.1\nport=4\n');
  const sys = join(dir, 'sys');
  spawnSync('mkdir', ['-m', '755', '-p', sys]);
  writeFileSync(join(sys, 'pg_service.conf'), '[s]\nhost=127.0.0.1\nport=5\n[a]\nport=6\n');
  const unreadable = join(dir, 'unreadable.conf');
  writeFileSync(unreadable, '[a]\nport=1\n');
  chmodSync(unreadable, 0);

  const BASE = { HOME: home, PGSYSCONFDIR: sys, PGCONNECT_TIMEOUT: '1' };
  const cases: [string, string, Record<string, string>][] = [
    ['a group', 'service=a', { PGSERVICEFILE: file }],
    ['a group whose name prefixes another', 'service=ab', { PGSERVICEFILE: file }],
    ['PGSERVICE', '', { PGSERVICEFILE: file, PGSERVICE: 'a' }],
    ['the service beats PGPORT, the connection string beats the service', 'service=a host=127.0.0.1', { PGSERVICEFILE: file, PGPORT: '9' }],
    ['explicit port wins', 'service=a port=7', { PGSERVICEFILE: file }],
    ['spaces around = make an unknown keyword', 'service=spaces', { PGSERVICEFILE: file }],
    ['nested service', 'service=nested', { PGSERVICEFILE: file }],
    ['no =', 'service=noequals', { PGSERVICEFILE: file }],
    ['unknown keyword', 'service=bogus', { PGSERVICEFILE: file }],
    ['surrounding whitespace is trimmed', 'service=sslbits', { PGSERVICEFILE: file }],
    ['an empty group connects to the defaults', 'service=empty host=127.0.0.1 port=8', { PGSERVICEFILE: file }],
    ['a line too long', 'service=long', { PGSERVICEFILE: file }],
    ['not in the user file: the system file', 'service=s', { PGSERVICEFILE: file }],
    ['in both: the user file wins', 'service=a', { PGSERVICEFILE: file }],
    ['~/.pg_service.conf', 'service=h', {}],
    ['the system file from ~', 'service=s', {}],
    ['nowhere', 'service=zz', {}],
    ['PGSERVICEFILE missing', 'service=a', { PGSERVICEFILE: join(dir, 'nope.conf') }],
    ['PGSERVICEFILE unreadable', 'service=a', { PGSERVICEFILE: unreadable }],
  ];

  /** psql's first line, reduced to what resolveConninfo decides: an error, or host and port. */
  const psqlSays = (conninfo: string, env: Record<string, string>) => {
    // runuser resets HOME to the target user's; env puts the test's back
    const vars = Object.entries({ ...BASE, ...env }).map(([k, v]) => `${k}=${v}`);
    const r = runAs('nobody', ['env', ...vars, 'psql', `${conninfo} sslmode=disable`, '-c', 'select 1']);
    const line = r.stderr.split('\n')[0];
    const at = /connection to server at "([^"]+)", port (\d+) failed/.exec(line);
    return at ? `connect ${at[1]}:${at[2]}` : line.replace(/^psql: error: /, '');
  };
  const weSay = (conninfo: string, env: Record<string, string>) => {
    try {
      const r = resolveConninfo({
        conninfo: `${conninfo} sslmode=disable`,
        env: { ...BASE, ...env },
        osUser: 'nobody',
        serviceFiles: serviceFilesOn(nodeFs(), { uid: 65534, gids: [65534] }),
      });
      return `connect ${r.targets[0].hostaddr ?? r.targets[0].host}:${r.targets[0].port}`;
    } catch (e) {
      if (e instanceof ConninfoError) return e.message;
      throw e;
    }
  };

  it.each(cases)('%s', (_name, conninfo, env) => {
    expect(weSay(conninfo, env)).toBe(psqlSays(conninfo, env));
  });
});
