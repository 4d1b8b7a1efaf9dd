// What the PostgreSQL 13-18 oracle (test/support/version-oracle.ts) measured, checked without
// PostgreSQL on an in-memory file system: each major's parameters, 18's sslkeylogfile
// warnings, direct TLS to a server without SSL, and the reload's per-version lines. The
// expected texts are the ones the real 13-18 printed there.

import { describe, expect, it } from 'vitest';
import { memFs, type MemFile } from '../../src/pg/fs.js';
import { simulate, type SimulateInput } from '../../src/pg/simulate.js';
import { findGuc } from '../../src/pg/config/guc-table.js';
import { keylogOpenError } from '../../src/pg/client/keylog.js';
import { makeTestPki } from '../support/pki.js';

const pki = makeTestPki();
const PG = { uid: 101, gid: 104 };
const SERVER = { uid: 101, gids: [104] };
const PFX = 'psql: error: connection to server at "127.0.0.1", port 5432 failed: ';

function files(conf: string, extra: Record<string, MemFile> = {}): Record<string, MemFile> {
  return {
    '/pg/postgresql.conf': { content: `log_connections = on\n${conf}`, ...PG, mode: 0o600 },
    '/pg/pg_hba.conf': { content: 'hostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n', ...PG },
    '/pg/pg_ident.conf': { content: '', ...PG },
    '/pg/server.crt': { content: pki.server.cnOnly.pem, ...PG },
    '/pg/server.key': { content: pki.keys.server.pem, mode: 0o600, ...PG },
    '/home/': { content: '' },
    '/tmp/': { content: '' },
    ...extra,
  };
}
const SSL = "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n";
const run = (fs: ReturnType<typeof memFs>, conninfo: string, more: Partial<SimulateInput>) =>
  simulate({
    fs,
    pgdata: '/pg',
    conninfo: `hostaddr=127.0.0.1 port=5432 user=u dbname=d ${conninfo}`,
    env: { HOME: '/home' },
    osUser: 'u',
    serverUser: SERVER,
    ...more,
  });

describe('each major recognizes its own parameters', () => {
  it('ssl_groups and ssl_tls13_ciphers from 18, ssl_ecdh_curve still; ssl_crl_dir from 14; stats_temp_directory up to 14', () => {
    expect([13, 14, 15, 16, 17, 18].map((v) => Boolean(findGuc('ssl_groups', v)))).toEqual([false, false, false, false, false, true]);
    expect([13, 17, 18].map((v) => Boolean(findGuc('ssl_tls13_ciphers', v)))).toEqual([false, false, true]);
    expect([13, 15, 18].map((v) => Boolean(findGuc('ssl_ecdh_curve', v)))).toEqual([true, true, true]);
    expect([13, 14].map((v) => Boolean(findGuc('ssl_crl_dir', v)))).toEqual([false, true]);
    expect([13, 14, 15].map((v) => Boolean(findGuc('stats_temp_directory', v)))).toEqual([true, true, false]);
  });
  it('an 18 server starts with ssl_groups; a 17 one stops at it', () => {
    const fs = memFs(files(`${SSL}ssl_groups = 'X25519'\n`));
    expect(run(fs, 'sslmode=require', { pgVersion: 18 }).ok).toBe(true);
    const r17 = run(fs, 'sslmode=require', { pgVersion: 17 });
    expect(r17.serverStarted).toBe(false);
    expect(r17.serverLog).toContain('LOG:  unrecognized configuration parameter "ssl_groups" in file "/pg/postgresql.conf" line 5');
  });
});

describe("libpq 18's sslkeylogfile", () => {
  it('open() fails as strerror says: missing directory, a directory, a file on the way', () => {
    const fs = memFs(files(SSL, { '/k/file': { content: '' } }));
    expect(keylogOpenError(fs, '/nonexistent/keylog')).toBe('No such file or directory');
    expect(keylogOpenError(fs, '/tmp')).toBe('Is a directory');
    expect(keylogOpenError(fs, '/k/file/keylog')).toBe('Not a directory');
    expect(keylogOpenError(fs, '/tmp/keylog')).toBeUndefined();
  });
  it('one WARNING per TLS 1.3 secret (five) before the outcome; nothing when the file opens; libpq 17 does not know the option', () => {
    const fs = memFs(files(SSL));
    const w = 'WARNING: could not open SSL key logging file "/nonexistent/keylog": No such file or directory';
    const bad = run(fs, 'sslmode=require sslkeylogfile=/nonexistent/keylog', { pgVersion: 18 });
    expect(bad.ok).toBe(true);
    expect(bad.psqlStderr).toBe(Array(5).fill(w).join('\n'));
    const good = run(fs, 'sslmode=require sslkeylogfile=/tmp/keylog', { pgVersion: 18 });
    expect(good.psqlStderr).toBe('');
    expect(good.steps.find((s) => s.step === 'ssl-key-log')?.detail).toBe('libpq appends 5 key log line(s) to /tmp/keylog');
    expect(run(fs, 'sslmode=require sslkeylogfile=/tmp/keylog', { pgVersion: 17 }).psqlStderr).toBe(
      'psql: error: invalid connection option "sslkeylogfile"',
    );
  });
});

describe('sslnegotiation=direct to a server with ssl = off (17+)', () => {
  it('the server closes the connection: SSL SYSCALL error, no fallback to an SSLRequest', () => {
    const fs = memFs(files('ssl = off\n'));
    // libpq 18 on OpenSSL 3.x reports the EOF as OpenSSL's error (seen with forky's 18.6 on 3.6)
    for (const [v, openssl, said] of [
      [17, '3.0', 'SSL SYSCALL error: EOF detected'],
      [18, '1.1', 'SSL SYSCALL error: EOF detected'],
      [18, '3.0', 'SSL error: unexpected eof while reading'],
    ] as const) {
      const r = run(fs, 'sslmode=require sslnegotiation=direct', { pgVersion: v, opensslVersion: openssl });
      expect(r.psqlStderr).toBe(`${PFX}${said}`);
      expect(r.connectionLog).toEqual(['LOG:  connection received: host=127.0.0.1 port=<client port>']);
    }
    expect(run(fs, 'sslmode=require', { pgVersion: 18 }).psqlStderr).toBe(`${PFX}server does not support SSL, but SSL was required`);
  });
});

describe('pg_ctl reload, per version', () => {
  const reload = (v: number) => {
    const before = memFs(files(SSL));
    const after = memFs(files('ssl = off\n'));
    const r = simulate({
      fs: after,
      startedWith: before,
      pgdata: '/pg',
      conninfo: '',
      env: {},
      osUser: 'u',
      serverUser: SERVER,
      pgVersion: v,
      startupOnly: true,
    });
    const from = r.serverLog.indexOf('LOG:  received SIGHUP, reloading configuration files');
    return r.serverLog.slice(from);
  };
  it("removed settings reset in name order up to 15, in the GUC hash table's order from 16", () => {
    const removed = (v: number) => reload(v).filter((l) => l.includes('removed from configuration file'));
    expect(removed(15)).toEqual([
      'LOG:  parameter "ssl_cert_file" removed from configuration file, reset to default',
      'LOG:  parameter "ssl_key_file" removed from configuration file, reset to default',
    ]);
    expect(removed(16)).toEqual([...removed(15)].reverse());
    expect(removed(18)).toEqual(removed(16));
  });
  it('the auxiliary processes re-read the files: 6 up to 14, 5 in 15-17, 8 in 18 (three I/O workers)', () => {
    const children = (v: number) => reload(v).filter((l) => l.includes('skipping missing configuration file')).length - 1;
    expect([13, 14, 15, 16, 17, 18].map(children)).toEqual([6, 6, 5, 5, 5, 8]);
  });
});
