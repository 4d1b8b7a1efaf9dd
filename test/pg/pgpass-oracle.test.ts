// libpq's password file against real PostgreSQL 15 + psql 15: roles with passwords (one
// stored as SCRAM, one as MD5, one for the cleartext method), pg_hba lines with
// scram-sha-256, md5 and password over hostssl and host, and ~/.pgpass, PGPASSFILE and
// passfile= files written for each case. psql (run with -w, so it never prompts) and
// simulate() over the same data directory and the same client files (nodeFs: real modes)
// must agree on the verdict, psql's whole stderr (the password file warnings included) and
// the authentication lines the server logs. Skipped, with the reason, without PostgreSQL 15.

import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, privateKeyPem } from '../../src/factory/index.js';
import { nodeFs } from '../../src/pg/fs-node.js';
import { simulate } from '../../src/pg/simulate.js';
import type { RolePassword } from '../../src/pg/server/connection.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { useGoldens } from '../support/golden-suite.js';
import { PgOracle, PG_BIN } from '../support/pg-oracle.js';

// recorded in vectors/oracle/pgpass-oracle/: replayed where PostgreSQL 15 is not installed (or with PGTLS_REPLAY=1)
const goldens = useGoldens('pgpass-oracle');
const unavailable = goldens.skip();
if (unavailable) console.warn(`pgpass-oracle: skipped, ${unavailable}`);

// what ALTER ROLE set: alice SCRAM, bob an MD5 hash, carol for the cleartext method, dave none
const BOB = 'b:\\pw';
const ROLE_PASSWORDS: Record<string, RolePassword> = { alice: 'secret', bob: { password: BOB, storedAs: 'md5' }, carol: 'c', dave: null };
const WEIRD_DB = 'a:b\\c';

const HBA = `host    all      postgres 127.0.0.1/32 trust
hostssl app      alice    127.0.0.1/32 scram-sha-256
hostnossl app    alice    127.0.0.1/32 md5
hostssl all      bob      127.0.0.1/32 md5
hostnossl all    bob      127.0.0.1/32 scram-sha-256
host    app      carol    127.0.0.1/32 password
host    app      dave     127.0.0.1/32 scram-sha-256
`;

interface Case {
  name: string;
  /** psql's connection string; PORT stands for the server's port (port and hostaddr are added when absent) */
  conninfo: string;
  /** files relative to the case's directory (its HOME is `home/`), with their modes (default 0600) */
  files?: Record<string, { content: string; mode?: number } | 'dir'>;
  /** environment; `{D}` stands for the case's directory (also in the connection string) */
  env?: Record<string, string>;
}

const pw = (lines: string[], mode = 0o600) => ({ '.pgpass': { content: lines.map((l) => `${l}\n`).join(''), mode } });
const home = (lines: string[], mode = 0o600) => Object.fromEntries(Object.entries(pw(lines, mode)).map(([k, v]) => [`home/${k}`, v]));

const CASES: Case[] = [
  // where the file is
  {
    name: '~/.pgpass, right password (hostssl scram-sha-256)',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['db.test:PORT:app:alice:secret']),
  },
  {
    name: '~/.pgpass, right password (hostnossl md5)',
    conninfo: 'host=db.test user=alice dbname=app sslmode=disable',
    files: home(['db.test:PORT:app:alice:secret']),
  },
  {
    name: 'PGPASSFILE',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: { 'pf-env': { content: 'db.test:PORT:app:alice:secret\n' } },
    env: { PGPASSFILE: '{D}/pf-env' },
  },
  {
    name: 'passfile=',
    conninfo: 'host=db.test user=alice dbname=app sslmode=prefer passfile={D}/pf',
    files: { pf: { content: 'db.test:PORT:app:alice:secret\n' } },
  },
  {
    name: 'passfile= beats PGPASSFILE and ~/.pgpass',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require passfile={D}/pf',
    files: { pf: { content: '*:*:*:*:secret\n' }, 'pf-env': { content: '*:*:*:*:wrong\n' }, ...home(['*:*:*:*:wrong']) },
    env: { PGPASSFILE: '{D}/pf-env' },
  },
  {
    name: 'PGPASSFILE beats ~/.pgpass',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: { 'pf-env': { content: '*:*:*:*:wrong\n' }, ...home(['*:*:*:*:secret']) },
    env: { PGPASSFILE: '{D}/pf-env' },
  },
  {
    name: 'PGPASSFILE names no file: nothing said',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    env: { PGPASSFILE: '{D}/nope' },
  },
  // no password
  {
    name: 'no matching line',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['other.test:PORT:app:alice:secret', 'db.test:PORT:other:alice:secret']),
  },
  {
    name: 'no matching line under prefer: no plaintext retry',
    conninfo: 'host=db.test user=alice dbname=app sslmode=prefer',
    files: home(['db.test:PORT:app:bob:secret']),
  },
  {
    name: 'no matching line under allow: no SSL retry',
    conninfo: 'host=db.test user=alice dbname=app sslmode=allow',
    files: home(['db.test:PORT:app:bob:secret']),
  },
  {
    name: 'a matching line with an empty password',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['*:*:*:alice:']),
  },
  {
    name: 'comments and short lines do not match',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['#db.test:PORT:app:alice:secret', 'db.test:PORT:app:alice', '*:*:*']),
  },
  {
    name: 'the port compares as a string',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['db.test:0PORT:app:alice:secret']),
  },
  // the wrong password
  {
    name: 'wrong password from the file (require)',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['db.test:PORT:app:alice:wrong']),
  },
  {
    name: 'wrong password from the file (prefer: both attempts name the file)',
    conninfo: 'host=db.test user=alice dbname=app sslmode=prefer',
    files: home(['db.test:PORT:app:alice:wrong']),
  },
  {
    name: 'wrong password from the file (allow)',
    conninfo: 'host=db.test user=alice dbname=app sslmode=allow',
    files: home(['db.test:PORT:app:alice:wrong']),
  },
  {
    name: 'wrong password from PGPASSFILE names that file',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: { 'pf-env': { content: '*:*:*:*:wrong\n' } },
    env: { PGPASSFILE: '{D}/pf-env' },
  },
  {
    name: 'wrong password, cleartext method',
    conninfo: 'host=db.test user=carol dbname=app sslmode=disable',
    files: home(['*:*:*:carol:wrong']),
  },
  {
    name: 'right password, cleartext method',
    conninfo: 'host=db.test user=carol dbname=app sslmode=disable',
    files: home(['*:*:*:carol:c']),
  },
  {
    name: 'wrong password, MD5 exchange (an MD5 hash on an md5 line)',
    conninfo: 'host=db.test user=bob dbname=app sslmode=require',
    files: home(['*:*:*:bob:wrong']),
  },
  {
    name: 'an MD5 hash on a scram-sha-256 line fails even with the right password',
    conninfo: 'host=db.test user=bob dbname=app sslmode=disable',
    files: home(['*:*:*:bob:b\\:\\\\pw']),
  },
  {
    name: 'a role without a password',
    conninfo: 'host=db.test user=dave dbname=app sslmode=require',
    files: home(['*:*:*:dave:anything']),
  },
  // permissions and file types
  {
    name: 'mode 0644: the warning, no password',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['db.test:PORT:app:alice:secret'], 0o644),
  },
  {
    name: 'mode 0640: the warning, no password',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['db.test:PORT:app:alice:secret'], 0o640),
  },
  {
    name: 'mode 0644 on a connection needing no password: warning, then connected',
    conninfo: 'host=db.test user=postgres dbname=app sslmode=require',
    files: home(['*:*:*:*:x'], 0o644),
  },
  {
    name: 'mode 0644 and an invalid sslmode: the warning comes first',
    conninfo: 'host=db.test user=alice dbname=app sslmode=bogus',
    files: home(['*:*:*:*:x'], 0o644),
  },
  {
    name: 'a directory as the password file',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require passfile={D}/adir',
    files: { adir: 'dir' },
  },
  // escapes, wildcards, order
  {
    name: "escaped ':' and '\\' in the database and the password (md5)",
    conninfo: `host=db.test user=bob dbname='a:b\\\\c' sslmode=require`,
    files: home(['db.test:PORT:a\\:b\\\\c:bob:b\\:\\\\pw']),
  },
  {
    name: 'an unescaped database field does not match',
    conninfo: `host=db.test user=bob dbname='a:b\\\\c' sslmode=require`,
    files: home(['db.test:PORT:a:b\\c:bob:b\\:\\\\pw']),
  },
  // a ':' in the value matches an unescaped ':' too, as long as the value is not used up (pwdfMatchesString)
  {
    name: "an unescaped ':' inside a value still matches",
    conninfo: `host=db.test user=bob dbname='a:b\\\\c' sslmode=require`,
    files: home(['db.test:PORT:a:b\\\\c:bob:b\\:\\\\pw']),
  },
  { name: 'wildcards', conninfo: 'host=db.test user=alice dbname=app sslmode=require', files: home(['*:PORT:*:alice:secret']) },
  {
    name: 'only a whole-field * is a wildcard',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['*.test:PORT:app:alice:wrong', 'db.*:PORT:app:alice:wrong']),
  },
  {
    name: 'first match wins (a wildcard line first)',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['*:*:*:alice:wrong', 'db.test:PORT:app:alice:secret']),
  },
  {
    name: 'first match wins (the exact line first)',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['db.test:PORT:app:alice:secret', '*:*:*:alice:wrong']),
  },
  {
    name: 'a password with an unescaped colon ends there',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['*:*:*:alice:secret:extra']),
  },
  // the host key
  {
    name: 'hostaddr only: psql (pg_wrapper) looks up localhost',
    conninfo: 'user=alice dbname=app sslmode=require',
    files: home(['localhost:PORT:app:alice:secret']),
  },
  {
    name: 'hostaddr only: a line for the address does not match under pg_wrapper',
    conninfo: 'user=alice dbname=app sslmode=require',
    files: home(['127.0.0.1:PORT:app:alice:secret']),
  },
  {
    name: 'host is a socket directory other than the default: looked up as written',
    conninfo: 'host=SOCKDIR user=alice dbname=app sslmode=require',
    files: home(['localhost:PORT:app:alice:wrong', 'SOCKDIR:PORT:app:alice:secret']),
  },
  {
    name: 'host names compare exactly (no case folding)',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['DB.TEST:PORT:app:alice:secret']),
  },
  // a password given
  {
    name: 'password= beats the file',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require password=secret',
    files: home(['*:*:*:*:wrong']),
  },
  {
    name: 'a wrong password= does not name the file',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require password=wrong',
    files: home(['*:*:*:*:secret']),
  },
  {
    name: 'password= with a 0644 file: the file is not looked at',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require password=secret',
    files: home(['*:*:*:*:x'], 0o644),
  },
  {
    name: 'PGPASSWORD beats the file',
    conninfo: 'host=db.test user=alice dbname=app sslmode=require',
    files: home(['*:*:*:*:wrong']),
    env: { PGPASSWORD: 'secret' },
  },
  {
    name: 'an empty password= falls back to the file',
    conninfo: "host=db.test user=alice dbname=app sslmode=require password=''",
    files: home(['*:*:*:*:secret']),
  },
  // several hosts
  {
    name: 'two hosts, only the second has a line (the first refuses)',
    conninfo: 'host=h1.test,h2.test hostaddr=127.0.0.1,127.0.0.1 port=1,PORT user=alice dbname=app sslmode=require',
    files: home(['h2.test:PORT:app:alice:secret']),
  },
  {
    name: 'two hosts, only the first has a line (the first refuses)',
    conninfo: 'host=h1.test,h2.test hostaddr=127.0.0.1,127.0.0.1 port=1,PORT user=alice dbname=app sslmode=require',
    files: home(['h1.test:1:app:alice:secret']),
  },
  {
    name: 'two hosts, mode 0644: one warning per host',
    conninfo: 'host=h1.test,h2.test hostaddr=127.0.0.1,127.0.0.1 port=1,PORT user=alice dbname=app sslmode=require',
    files: home(['*:*:*:*:secret'], 0o644),
  },
];

describe.skipIf(unavailable)('password file: simulate() vs PostgreSQL 15 + psql', () => {
  let o: PgOracle;
  let dir = '';
  let serverUser = { uid: 0, gids: [0] };
  beforeAll(async () => {
    o = await PgOracle.create({ users: ['alice', 'bob', 'carol', 'dave'], databases: ['app', WEIRD_DB] });
    dir = mkdtempSync(join(tmpdir(), 'pgtls-pgpass-'));
    chmodSync(dir, 0o755);
    o.alias(dir, 'client dir');
    serverUser = o.serverIdentity;
    const serverKey = parsePrivateKey(readFileSync(join(import.meta.dirname, '../../vectors/keys/p256-6.pem')));
    const cert = makeCertificate({ subject: '/CN=db.test', selfSigned: true, issuerKey: serverKey });
    const st = o.apply({
      files: { 'server.crt': { content: cert.pem }, 'server.key': { content: privateKeyPem(serverKey, 'pkcs8') } },
      sslConf: "ssl=on\nssl_cert_file='server.crt'\nssl_key_file='server.key'\n",
      hba: HBA,
    });
    if (!st.started) throw new Error(`the server did not start:\n${st.log}`);
    const sql = [
      `ALTER ROLE alice PASSWORD 'secret'`,
      `SET password_encryption = 'md5'`,
      `ALTER ROLE bob PASSWORD '${BOB}'`,
      `RESET password_encryption`,
      `ALTER ROLE carol PASSWORD 'c'`,
    ].join('; ');
    const r = await o.psql('user=postgres dbname=postgres sslmode=disable', { sql });
    if (r.status !== 0) throw new Error(`setting the role passwords failed: ${r.stderr}`);
  }, 60_000);
  afterAll(() => {
    o?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const AUTH_LOG = /FATAL|DETAIL|Connection matched|connection authenticated|connection authorized/;

  /** the case's files in a directory of its own; returns it */
  const writeCase = (c: Case, n: number): string => {
    const d = join(dir, `case-${n}`);
    mkdirSync(join(d, 'home'), { recursive: true, mode: 0o755 });
    for (const [name, f] of Object.entries(c.files ?? {})) {
      const p = join(d, name);
      if (f === 'dir') {
        mkdirSync(p, { recursive: true });
        continue;
      }
      writeFileSync(p, fill(f.content));
      chmodSync(p, f.mode ?? 0o600);
    }
    return d;
  };
  const fill = (s: string, d = '') =>
    s
      .replace(/PORT/g, String(o.port))
      .replace(/SOCKDIR/g, o.root)
      .replace(/\{D\}/g, d);

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const d = writeCase(c, i);
    const conninfo = fill(c.conninfo, d);
    const env = Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, fill(v, d)]));
    const real = await o.psql(conninfo, { home: join(d, 'home'), env });
    // what PgOracle.psql adds
    const full = `${/\bport=/.test(conninfo) ? '' : `port=${o.port} `}${/\bhostaddr=/.test(conninfo) ? '' : 'hostaddr=127.0.0.1 '}${conninfo}`;
    const sim = simulate({
      pgVersion: 15,
      fs: nodeFs(),
      pgdata: o.pgdata,
      conninfo: full,
      env: { HOME: join(d, 'home'), ...env },
      osUser: 'root',
      clientUser: { uid: 0, gids: [0] },
      serverUser,
      rolePasswords: ROLE_PASSWORDS,
    });
    expect({ ok: sim.ok, stderr: sim.psqlStderr }).toEqual({ ok: real.status === 0, stderr: real.stderr.replace(/\n$/, '') });
    expect(sim.connectionLog.filter((l) => AUTH_LOG.test(l))).toEqual(real.serverLog.split('\n').filter((l) => AUTH_LOG.test(l)));
  });

  it('pg_wrapper, not libpq, makes a hostaddr-only target "localhost": the psql binary itself looks up the address', async () => {
    const d = writeCase({ name: 'raw', conninfo: '', files: home(['127.0.0.1:PORT:app:alice:secret']) }, CASES.length);
    const bin = join(d, 'bin');
    mkdirSync(bin);
    symlinkSync(join(PG_BIN, 'psql'), join(bin, 'psql'));
    const viaBinary = await o.psql('user=alice dbname=app sslmode=require', {
      home: join(d, 'home'),
      env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    const viaWrapper = await o.psql('user=alice dbname=app sslmode=require', { home: join(d, 'home') });
    expect([viaBinary.status, viaWrapper.status]).toEqual([0, 2]);
    expect(viaWrapper.stderr).toMatch(/fe_sendauth: no password supplied/);
  });
});
