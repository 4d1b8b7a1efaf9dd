// simulate() without PostgreSQL: the same logic simulate-oracle.test.ts checks against a real
// server, on an in-memory file system, so CI without postgres still tests the sslmode ladder,
// server start-up failures, both sides' certificate checks, pg_hba/auth, the fixes and the
// pg_stat_ssl row. The
// expected texts are the ones psql 15 / postgres 15 printed in the oracle test.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { memFs, type MemFile } from '../../src/pg/fs.js';
import { simulate, type SimulateInput } from '../../src/pg/simulate.js';
import { LADDER, runLadder, type AttemptKind, type AttemptOutcome, type FailureStage } from '../../src/pg/client/ladder.js';
import { namedataCut, pgStatSslRow, psqlUnaligned } from '../../src/pg/server/stat-ssl.js';
import { makeCertificate, type NameSpec } from '../../src/factory/index.js';
import { encryptedKeyPem, makeTestPki, vectorKey } from '../support/pki.js';
import { nameHash, parseCertificate } from '../../src/x509/index.js';

const pki = makeTestPki();
const K = pki.keys;
const PG = { uid: 101, gid: 104 };
const SERVER = { uid: 101, gids: [104, 103] };
const CN = 'common-name.pg-ssltest.test';
const PFX = 'psql: error: connection to server at "127.0.0.1", port 5432 failed: ';

const HBA = `hostssl trustdb all 127.0.0.1/32 trust
hostssl certdb all 127.0.0.1/32 cert
hostssl verifydb all 127.0.0.1/32 trust clientcert=verify-full
hostnossl nossldb all 127.0.0.1/32 trust
host rejectdb all 127.0.0.1/32 reject
`;

function setup(o: { conf?: string; files?: Record<string, MemFile>; hba?: string; ident?: string } = {}) {
  const files: Record<string, MemFile> = {
    '/pg/postgresql.conf': {
      content: `log_connections = on\nssl = on\nssl_ca_file = 'root+client_ca.crt'\n${o.conf ?? ''}`,
      ...PG,
      mode: 0o600,
    },
    '/pg/pg_hba.conf': { content: o.hba ?? HBA, ...PG },
    '/pg/pg_ident.conf': { content: o.ident ?? '', ...PG },
    '/pg/server.crt': { content: pki.server.cnOnly.pem, ...PG },
    '/pg/server.key': { content: K.server.pem, mode: 0o600, ...PG },
    '/pg/root+client_ca.crt': { content: pki.root.pem + pki.clientCa.pem, ...PG },
    '/c/root+server_ca.crt': { content: pki.root.pem + pki.serverCa.pem },
    '/c/client_ca.crt': { content: pki.clientCa.pem },
    '/c/client.crt': { content: pki.client.plain.pem },
    '/c/client.key': { content: K.client.pem, mode: 0o600 },
    '/c/client-enc.key': { content: encryptedKeyPem(K.client.pem, 'pw'), mode: 0o600 },
    '/c/client-revoked.crt': { content: pki.client.revoked.pem },
    '/c/root+server.crl': { content: pki.crl.root.pem + pki.crl.serverCa.pem },
    '/home/': { content: '' },
  };
  for (const [k, v] of Object.entries(o.files ?? {})) files[k] = { ...PG, ...v };
  return memFs(files);
}

const run = (fs: ReturnType<typeof setup>, conninfo: string, extra: Partial<SimulateInput> = {}) =>
  simulate({
    fs,
    pgdata: '/pg',
    conninfo: `hostaddr=127.0.0.1 port=5432 ${conninfo}`,
    env: { HOME: '/home' },
    osUser: 'u',
    serverUser: SERVER,
    pgVersion: 15,
    ...extra,
  });

const conn = (body: string) => `LOG:  connection received: host=127.0.0.1 port=<client port>${body}`;

describe('sslmode ladder (table)', () => {
  const script = (outcomes: Partial<Record<AttemptKind, FailureStage | 'ok'>>) => {
    const made: AttemptKind[] = [];
    const attempt = (kind: AttemptKind): AttemptOutcome => {
      made.push(kind);
      const o = outcomes[kind] ?? 'ok';
      return o === 'ok' ? { kind, ok: true } : { kind, ok: false, stage: o, message: o };
    };
    return { made, attempt };
  };
  it.each([
    ['prefer', { ssl: 'handshake' }, ['ssl', 'plain'], true],
    ['prefer', { ssl: 'client-setup' }, ['ssl', 'plain'], true],
    ['prefer', { ssl: 'server-error', plain: 'server-error' }, ['ssl', 'plain'], false],
    ['prefer', { ssl: 'ssl-refused' }, ['ssl', 'plain'], true],
    ['prefer', { ssl: 'host-name' }, ['ssl'], false],
    ['prefer', { ssl: 'alert-after-handshake' }, ['ssl'], false],
    ['prefer', { ssl: 'client-cert-not-sent' }, ['ssl'], false],
    ['allow', { plain: 'server-error' }, ['plain', 'ssl'], true],
    ['allow', { plain: 'handshake' }, ['plain'], false],
    ['require', { ssl: 'handshake' }, ['ssl'], false],
    ['require', { ssl: 'ssl-refused' }, ['ssl'], false],
    ['disable', {}, ['plain'], true],
    ['verify-full', {}, ['ssl'], true],
  ] as const)('%s with %j makes %j', (mode, outcomes, attempts, ok) => {
    const s = script(outcomes);
    const r = runLadder(mode, s.attempt);
    expect(s.made).toEqual(attempts);
    expect(r[r.length - 1].ok).toBe(ok);
  });
  it('covers every sslmode', () => {
    expect(Object.keys(LADDER).sort()).toEqual(['allow', 'disable', 'prefer', 'require', 'verify-ca', 'verify-full']);
  });
});

describe('server start-up failures', () => {
  const fatal = (files: Record<string, MemFile>, conf = '', passphrase?: string) => {
    const r = run(setup({ files, conf }), 'sslmode=require', { passphrase });
    expect(r.serverStarted).toBe(false);
    return r.serverLog.slice(r.serverLog.findIndex((l) => l.startsWith('FATAL')));
  };
  it.each([
    [
      'missing certificate',
      {},
      "ssl_cert_file = 'nope.crt'",
      ['FATAL:  could not load server certificate file "nope.crt": No such file or directory'],
    ],
    [
      'certificate not PEM',
      { '/pg/server.crt': { content: 'x' } },
      '',
      ['FATAL:  could not load server certificate file "server.crt": no start line'],
    ],
    [
      'key mismatch',
      { '/pg/server.key': { content: K.other.pem, mode: 0o600 } },
      '',
      ['FATAL:  could not load private key file "server.key": key values mismatch'],
    ],
    [
      'key perms',
      { '/pg/server.key': { content: K.server.pem, mode: 0o640 } },
      '',
      [
        'FATAL:  private key file "server.key" has group or world access',
        'DETAIL:  File must have permissions u=rw (0600) or less if owned by the database user, or permissions u=rw,g=r (0640) or less if owned by root.',
      ],
    ],
    [
      'root-owned 0640 key, postgres not in group root',
      { '/pg/server.key': { content: K.server.pem, mode: 0o640, uid: 0, gid: 0 } },
      '',
      ['FATAL:  could not load private key file "server.key": Permission denied'],
    ],
    [
      'encrypted key, no passphrase command',
      { '/pg/server.key': { content: encryptedKeyPem(K.server.pem, 's'), mode: 0o600 } },
      '',
      ['FATAL:  could not load private key file "server.key": processing error'],
    ],
    [
      'protocol range',
      {},
      "ssl_min_protocol_version = 'TLSv1.3'\nssl_max_protocol_version = 'TLSv1.2'",
      [
        'FATAL:  could not set SSL protocol version range',
        'DETAIL:  "ssl_min_protocol_version" cannot be higher than "ssl_max_protocol_version"',
      ],
    ],
    ['unknown curve', {}, "ssl_ecdh_curve = 'nope'", ['FATAL:  ECDH: unrecognized curve name: nope']],
    [
      'CRL file missing',
      {},
      "ssl_crl_file = 'nope.crl'",
      ['FATAL:  could not load SSL certificate revocation list file "nope.crl": No such file or directory'],
    ],
  ] as const)('%s', (_n, files, conf, want) => {
    expect(fatal(files as Record<string, MemFile>, conf)).toEqual(want);
  });
  it('wrong passphrase: bad decrypt', () => {
    expect(
      fatal({ '/pg/server.key': { content: encryptedKeyPem(K.server.pem, 's'), mode: 0o600 } }, "ssl_passphrase_command = 'echo x'", 'x'),
    ).toEqual(['FATAL:  could not load private key file "server.key": bad decrypt']);
  });
  it('right passphrase from an `echo` command starts', () => {
    const r = run(
      setup({
        files: { '/pg/server.key': { content: encryptedKeyPem(K.server.pem, 's3'), mode: 0o600 } },
        conf: "ssl_passphrase_command = 'echo s3'",
      }),
      'sslmode=require dbname=trustdb',
    );
    expect(r.ok).toBe(true);
  });
  it('a missing ssl_crl_dir starts; a missing postgresql.auto.conf is logged, as the real server does', () => {
    const r = run(setup({ conf: "ssl_crl_dir = 'nodir'" }), 'sslmode=require dbname=trustdb');
    expect(r.ok).toBe(true);
    expect(r.serverLog.filter((l) => /auto\.conf/.test(l))).toEqual([
      'LOG:  skipping missing configuration file "/pg/postgresql.auto.conf"',
    ]);
  });
  it('the fix for a start-up failure', () => {
    const r = run(setup({ files: { '/pg/server.key': { content: K.server.pem, mode: 0o644 } } }), 'sslmode=require');
    expect(r.fix).toMatch(/chmod 0600 server\.key/);
  });
});

describe('connections', () => {
  const fs = setup({ hba: HBA });
  it('require connects and logs the SSL parameters', () => {
    const r = run(fs, 'sslmode=require dbname=trustdb user=u');
    expect(r.ok).toBe(true);
    expect(r.serverLog.slice(-2)).toEqual([
      conn(''),
      'LOG:  connection authorized: user=u database=trustdb application_name=psql SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)',
    ]);
  });
  it('verify-ca without a root file', () => {
    const r = run(fs, 'sslmode=verify-ca dbname=trustdb');
    expect(r.psqlStderr).toBe(
      `${PFX}root certificate file "/home/.postgresql/root.crt" does not exist\nEither provide the file or change sslmode to disable server certificate verification.`,
    );
    expect(r.serverLog.slice(-1)).toEqual(['LOG:  could not accept SSL connection: EOF detected']);
  });
  it('verify-ca against the wrong CA, with its fix', () => {
    const r = run(fs, 'sslmode=verify-ca sslrootcert=/c/client_ca.crt dbname=trustdb');
    expect(r.psqlStderr).toBe(`${PFX}SSL error: certificate verify failed`);
    expect(r.serverLog.slice(-1)).toEqual(['LOG:  could not accept SSL connection: tlsv1 alert unknown ca']);
    expect(r.fix).toMatch(/sslrootcert/);
  });
  it('prefer with the wrong CA prints both attempts, then fails on hostssl-only', () => {
    const r = run(fs, 'sslmode=prefer sslrootcert=/c/client_ca.crt dbname=trustdb user=u');
    expect(r.psqlStderr).toBe(
      `${PFX}SSL error: certificate verify failed\n${PFX.slice('psql: error: '.length)}FATAL:  no pg_hba.conf entry for host "127.0.0.1", user "u", database "trustdb", no encryption`,
    );
    expect(r.attempts.map((a) => a.kind)).toEqual(['ssl', 'plain']);
  });
  it('verify-full name mismatch and the suggested host', () => {
    const r = run(fs, `host=wrong.test sslmode=verify-full sslrootcert=/c/root+server_ca.crt dbname=trustdb`);
    expect(r.message).toBe(`server certificate for "${CN}" does not match host name "wrong.test"`);
    expect(r.fix).toMatch(new RegExp(`host=${CN}`));
  });
  it('verify-full with hostaddr only checks the default socket directory', () => {
    const r = run(fs, `sslmode=verify-full sslrootcert=/c/root+server_ca.crt dbname=trustdb`);
    expect(r.message).toBe(`server certificate for "${CN}" does not match host name "/var/run/postgresql"`);
  });
  it('client CRL revoking nothing connects; cert auth checks the CN', () => {
    expect(run(fs, `sslmode=verify-ca sslrootcert=/c/root+server_ca.crt sslcrl=/c/root+server.crl dbname=trustdb`).ok).toBe(true);
    const r = run(fs, 'sslmode=require sslcert=/c/client.crt sslkey=/c/client.key dbname=certdb user=other');
    expect(r.ok).toBe(false);
    expect(r.serverLog.slice(-4)).toEqual([
      'LOG:  connection authenticated: identity="CN=ssltestuser" method=cert (/pg/pg_hba.conf:2)',
      'LOG:  provided user name (other) and authenticated user name (ssltestuser) do not match',
      'FATAL:  certificate authentication failed for user "other"',
      'DETAIL:  Connection matched pg_hba.conf line 2: "hostssl certdb all 127.0.0.1/32 cert"',
    ]);
    expect(r.fix).toMatch(/user=ssltestuser/);
  });
  it('encrypted client key: prompts without a terminal, then processing error; sslpassword works', () => {
    const r = run(fs, 'sslmode=require sslcert=/c/client.crt sslkey=/c/client-enc.key dbname=certdb user=ssltestuser');
    expect(r.psqlStderr).toBe(
      `Enter PEM pass phrase:\nEnter PEM pass phrase:\n${PFX}could not load private key file "/c/client-enc.key": processing error`,
    );
    expect(
      run(fs, 'sslmode=require sslcert=/c/client.crt sslkey=/c/client-enc.key sslpassword=bad dbname=certdb user=ssltestuser').message,
    ).toMatch(/bad decrypt$/);
    expect(run(fs, 'sslmode=require sslcert=/c/client.crt sslkey=/c/client-enc.key sslpassword=pw dbname=certdb user=ssltestuser').ok).toBe(
      true,
    );
  });
  it('allow: plaintext refused by pg_hba, then SSL', () => {
    const r = run(fs, 'sslmode=allow dbname=trustdb user=u');
    expect(r.ok).toBe(true);
    expect(r.attempts.map((a) => [a.kind, a.ok])).toEqual([
      ['plain', false],
      ['ssl', true],
    ]);
  });
  it('reject line', () => {
    const r = run(fs, 'sslmode=disable dbname=rejectdb user=u');
    expect(r.message).toBe('FATAL:  pg_hba.conf rejects connection for host "127.0.0.1", user "u", database "rejectdb", no encryption');
  });
});

describe('client certificates rejected by the server', () => {
  const fs = setup({
    conf: "ssl_crl_file = 'root+client.crl'",
    files: { '/pg/root+client.crl': { content: pki.crl.root.pem + pki.crl.clientCa.pem } },
  });
  it('revoked under prefer: the TLS 1.3 alert arrives after the handshake, no plaintext retry', () => {
    const r = run(fs, 'sslmode=prefer sslcert=/c/client-revoked.crt sslkey=/c/client.key dbname=certdb user=ssltestuser');
    expect(r.psqlStderr).toBe(`${PFX}SSL error: sslv3 alert certificate revoked`);
    expect(r.attempts.map((a) => a.stage)).toEqual(['alert-after-handshake']);
    expect(r.serverLog.slice(-1)).toEqual(['LOG:  could not accept SSL connection: certificate verify failed']);
  });
  it('libpq 16+ sslcertmode=require without a certificate', () => {
    const r = run(fs, 'sslmode=require sslcertmode=require dbname=trustdb user=u', { pgVersion: 16 });
    expect(r.psqlStderr).toBe(`${PFX}server accepted connection without a valid SSL certificate`);
    expect(
      run(fs, 'sslmode=require sslcertmode=require sslcert=/c/client.crt sslkey=/c/client.key dbname=trustdb user=u', { pgVersion: 16 }).ok,
    ).toBe(true);
  });
});

describe("libpq's host list", () => {
  const fs = setup({ conf: "listen_addresses = '127.0.0.1'" });
  const REFUSED = 'Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?';
  it('a port nothing listens on is refused, and libpq moves on to the next host', () => {
    const r = run(fs, 'host=a.test,b.test hostaddr=127.0.0.1,127.0.0.1 port=1,5432 sslmode=require dbname=trustdb user=u');
    expect(r.ok).toBe(true);
    const bad = run(fs, 'host=a.test,b.test hostaddr=127.0.0.2,127.0.0.1 sslmode=disable dbname=trustdb user=u');
    expect(bad.psqlStderr).toBe(
      `psql: error: connection to server at "127.0.0.2", port 5432 failed: ${REFUSED}\nconnection to server at "127.0.0.1", port 5432 failed: FATAL:  no pg_hba.conf entry for host "127.0.0.1", user "u", database "trustdb", no encryption`,
    );
  });
  it('the first reachable host decides, even when it fails', () => {
    const r = run(
      fs,
      `host=wrong.test,${CN} hostaddr=127.0.0.1,127.0.0.1 sslmode=verify-full sslrootcert=/c/root+server_ca.crt dbname=trustdb`,
    );
    expect(r.ok).toBe(false);
    expect(r.attempts).toHaveLength(1);
  });
  it('no reachable host', () => {
    const r = run(fs, 'port=1 sslmode=prefer dbname=trustdb');
    expect(r.psqlStderr).toBe(`psql: error: connection to server at "127.0.0.1", port 1 failed: ${REFUSED}`);
    expect(r.fix).toMatch(/listens on 127\.0\.0\.1 port 5432/);
  });
});

describe('protocol versions and ssl off', () => {
  it('no shared version: both sides add their hint', () => {
    const r = run(
      setup({ conf: "ssl_min_protocol_version = 'TLSv1.3'" }),
      'sslmode=require ssl_max_protocol_version=TLSv1.2 dbname=trustdb',
    );
    expect(r.psqlStderr).toBe(
      `${PFX}SSL error: tlsv1 alert protocol version\nThis may indicate that the server does not support any SSL protocol version between TLSv1.2 and TLSv1.2.`,
    );
    expect(r.serverLog.slice(-2)).toEqual([
      'LOG:  could not accept SSL connection: unsupported protocol',
      'HINT:  This may indicate that the client does not support any SSL protocol version between TLSv1.3 and TLSv1.3.',
    ]);
  });
  it("ssl off: prefer goes on in plaintext on the same connection (one 'connection received')", () => {
    const fs = setup({ conf: 'ssl = off', hba: 'host all all 127.0.0.1/32 trust\n' });
    const r = run(fs, 'sslmode=prefer dbname=x user=u');
    expect(r.ok).toBe(true);
    expect(r.serverLog.filter((l) => l.includes('connection received'))).toHaveLength(1);
    expect(run(fs, 'sslmode=require dbname=x user=u').message).toBe('server does not support SSL, but SSL was required');
  });
});

describe('sslrootcert=system (PostgreSQL 16+): OpenSSL default trust store, moved by SSL_CERT_FILE / SSL_CERT_DIR', () => {
  const rootHash = nameHash(parseCertificate(pki.root.der).subject);
  const caHash = nameHash(parseCertificate(pki.serverCa.der).subject);
  const fs = setup({
    files: {
      '/sys/bundle.pem': { content: pki.root.pem + pki.serverCa.pem, uid: 0, gid: 0 },
      [`/sys/certs/${rootHash}.0`]: { content: pki.root.pem, uid: 0, gid: 0 },
      [`/sys/certs/${caHash}.0`]: { content: pki.serverCa.pem, uid: 0, gid: 0 },
      [`/sys/misnamed/${rootHash}.0`]: { content: pki.serverCa.pem, uid: 0, gid: 0 },
      [`/sys/misnamed/${caHash}.0`]: { content: pki.root.pem, uid: 0, gid: 0 },
    },
  });
  const sys = (env: Record<string, string>, conninfo = `host=${CN} sslrootcert=system dbname=trustdb user=u`, pgVersion = 16) =>
    simulate({
      fs,
      pgdata: '/pg',
      conninfo: `hostaddr=127.0.0.1 port=5432 ${conninfo}`,
      env: { HOME: '/home', ...env },
      osUser: 'u',
      serverUser: SERVER,
      pgVersion,
    });

  it('SSL_CERT_FILE with the roots: verify-full (the default with system) connects', () => {
    const r = sys({ SSL_CERT_FILE: '/sys/bundle.pem' });
    expect(r.ok).toBe(true);
    expect(r.steps.find((s) => s.step === 'client-ssl-setup')?.detail).toMatch(
      /default trust store \(sslrootcert=system\) \(2 certificate\(s\)\)/,
    );
  });
  it('SSL_CERT_DIR: a hashed directory is found by subject hash, a misnamed one is not', () => {
    expect(sys({ SSL_CERT_FILE: '/nope', SSL_CERT_DIR: '/nowhere:/sys/certs' }).ok).toBe(true);
    const r = sys({ SSL_CERT_FILE: '/nope', SSL_CERT_DIR: '/sys/misnamed' });
    expect(r.psqlStderr).toBe(`${PFX}SSL error: certificate verify failed`);
  });
  it('an empty default store (no /usr/lib/ssl here) loads without error and the handshake fails', () => {
    expect(sys({}).psqlStderr).toBe(`${PFX}SSL error: certificate verify failed`);
  });
  it('is verify-full: the host name is checked; weaker modes are refused', () => {
    expect(sys({ SSL_CERT_FILE: '/sys/bundle.pem' }, 'host=wrong.test sslrootcert=system dbname=trustdb').message).toBe(
      `server certificate for "${CN}" does not match host name "wrong.test"`,
    );
    expect(sys({ SSL_CERT_FILE: '/sys/bundle.pem' }, `host=${CN} sslrootcert=system sslmode=require dbname=trustdb`).message).toBe(
      'weak sslmode "require" may not be used with sslrootcert=system (use "verify-full")',
    );
  });
  it('before 16, "system" is a file name like any other', () => {
    const r = sys({ SSL_CERT_FILE: '/sys/bundle.pem' }, `host=${CN} sslrootcert=system sslmode=verify-full dbname=trustdb`, 15);
    expect(r.message).toBe(
      'root certificate file "system" does not exist\nEither provide the file or change sslmode to disable server certificate verification.',
    );
  });
});

describe('service= (pg_service.conf)', () => {
  it('fills what the connection string leaves unset, read as the client user', () => {
    const fs = setup({
      files: {
        '/home/.pg_service.conf': {
          content: `[prod]\nhost=${CN}\nsslmode=verify-full\nsslrootcert=/c/root+server_ca.crt\ndbname=trustdb\n`,
          uid: 1000,
          gid: 1000,
          mode: 0o600,
        },
      },
    });
    const as = (uid: number) => run(fs, 'service=prod user=u', { clientUser: { uid, gids: [uid] } });
    expect(as(1000).ok).toBe(true);
    expect(as(1000).steps.find((s) => s.step === 'conninfo')?.detail).toMatch(/sslmode=verify-full host=common-name/);
    expect(as(2000).message).toBe('service file "/home/.pg_service.conf" not found');
  });
});

describe('pg_ctl reload (startedWith: the files the running server loaded)', () => {
  const before = setup();
  it('a broken certificate path keeps the old SSL context; unchanged settings log nothing', () => {
    const after = setup({ conf: "ssl_cert_file = 'nope.crt'\n" });
    const r = run(after, 'sslmode=require dbname=trustdb user=u', { startedWith: before });
    expect(r.ok).toBe(true);
    const from = r.serverLog.indexOf('LOG:  received SIGHUP, reloading configuration files');
    const skipping = 'LOG:  skipping missing configuration file "/pg/postgresql.auto.conf"';
    expect(r.serverLog.slice(from, r.serverLog.length - r.connectionLog.length)).toEqual([
      'LOG:  received SIGHUP, reloading configuration files',
      skipping,
      'LOG:  parameter "ssl_cert_file" changed to "nope.crt"',
      'LOG:  could not load server certificate file "nope.crt": No such file or directory',
      'LOG:  SSL configuration was not reloaded',
      // the five auxiliary processes re-read the files too (seen on PostgreSQL 15)
      ...Array(5).fill(skipping),
    ]);
    expect(
      run(before, 'sslmode=require dbname=trustdb user=u', { startedWith: before }).serverLog.filter((l) =>
        /SIGHUP|changed|reloaded/.test(l),
      ),
    ).toEqual(['LOG:  received SIGHUP, reloading configuration files']);
  });
  it('ssl = off takes effect at once; a server that did not start is not reloaded', () => {
    expect(run(setup({ conf: 'ssl = off\n' }), 'sslmode=require dbname=trustdb user=u', { startedWith: before }).message).toBe(
      'server does not support SSL, but SSL was required',
    );
    const broken = setup({ conf: "ssl_cert_file = 'nope.crt'\n" });
    const r = run(before, 'sslmode=require dbname=trustdb', { startedWith: broken });
    expect(r.serverStarted).toBe(false);
    expect(r.serverLog.some((l) => l.includes('SIGHUP'))).toBe(false);
  });
});

describe('hostile input to simulate() gives a result, never an exception', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 120 }),
    fc.constantFrom(
      "ssl = on\nssl_cert_file = 'nope.crt'\n",
      'ssl = off\n',
      "ssl_ca_file = 'x\n",
      'port = 1\n',
      "ssl_min_protocol_version = 'TLSv9'\n",
      'bogus = 1\n',
      "include_dir '/'\n",
    ),
  );
  const hba = fc.oneof(
    fc.string({ maxLength: 120 }),
    fc.constantFrom(
      'hostssl all all 127.0.0.1/32 trust\n',
      'hostssl all all 127.0.0.1/32 bogus\n',
      'host all all 0.0.0.0/0 cert clientcert=verify-full\n',
    ),
  );
  const conninfo = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.constantFrom(
      'service=prod',
      'sslmode=verify-full sslrootcert=system',
      'postgresql://%zz@/?sslmode=require',
      "host='a b' port=70000",
      'sslcert=/c/client.crt sslkey=/nope',
    ),
  );
  it('random postgresql.conf, pg_hba.conf, service file, conninfo, and a reload between two of them', () => {
    fc.assert(
      fc.property(text, text, hba, fc.string({ maxLength: 80 }), conninfo, fc.boolean(), (c1, c2, h, svc, ci, reload) => {
        const files = (conf: string) =>
          setup({ conf, hba: h, files: { '/home/.pg_service.conf': { content: `[prod]\n${svc}\n`, uid: 0, gid: 0 } } });
        const r = run(files(c2), ci, reload ? { startedWith: files(c1), pgVersion: 16 } : { pgVersion: 16 });
        expect(typeof r.ok).toBe('boolean');
        expect(Array.isArray(r.serverLog)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe('pg_stat_ssl row of the connection (pgstat_bestart; checked against PostgreSQL 15 in stat-ssl-oracle.test.ts)', () => {
  const DAY = 86_400_000;
  const clientCert = (subject: NameSpec, serial?: bigint) =>
    makeCertificate({
      version: 1,
      subject,
      ...(serial !== undefined ? { serial } : {}),
      subjectKey: K.client.key,
      issuerCert: pki.clientCa,
      issuerKey: K.clientCa.key,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 30 * DAY),
    });
  const longCert = clientCert([{ O: 'PGDG' }, { CN: `${'x'.repeat(51)}é${'y'.repeat(20)}` }], 2n ** 64n + 1n);
  const unknownCert = clientCert([{ type: '1.3.6.1.4.1.55555.1', value: 'x' }, { CN: 'ssltestuser' }]);
  const fs = setup({ files: { '/c/long.crt': { content: longCert.pem }, '/c/unknown.crt': { content: unknownCert.pem } } });
  const CLIENT = 'sslcert=/c/client.crt sslkey=/c/client.key sslrootcert=invalid';
  const serialOf = (pem: string) =>
    parseCertificate(new Uint8Array(Buffer.from(pem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64'))).serial.value.toString();

  it('SSL without a client certificate: the TLS 1.3 parameters, NULL certificate columns', () => {
    const r = run(fs, 'sslmode=require dbname=trustdb user=u');
    expect(r.pgStatSsl).toEqual({
      pid: null,
      ssl: true,
      version: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      bits: 256,
      client_dn: null,
      client_serial: null,
      issuer_dn: null,
    });
    expect(Object.keys(r.pgStatSsl!)).toEqual(['pid', 'ssl', 'version', 'cipher', 'bits', 'client_dn', 'client_serial', 'issuer_dn']);
  });
  it('a client certificate: subject and issuer in /CN= form, serial in decimal', () => {
    const r = run(fs, `sslmode=require dbname=certdb user=ssltestuser ${CLIENT}`);
    expect(r.ok).toBe(true);
    expect(r.pgStatSsl).toMatchObject({
      ssl: true,
      client_dn: '/CN=ssltestuser',
      client_serial: serialOf(pki.client.plain.pem),
      issuer_dn: '/CN=Test CA for pgtls client certs',
    });
  });
  it('a DN over 63 bytes is cut there (here inside "é", which psql does not print); a serial past 2^64 stays exact', () => {
    const r = run(fs, 'sslmode=require dbname=trustdb user=u sslcert=/c/long.crt sslkey=/c/client.key sslrootcert=invalid');
    expect(r.pgStatSsl!.client_dn).toBe(`/O=PGDG/CN=${'x'.repeat(51)}`);
    expect(r.pgStatSsl!.client_serial).toBe('18446744073709551617');
    expect(r.steps.find((s) => s.step === 'pg-stat-ssl')?.detail).toMatch(
      /^client_dn ".*" is 84 bytes: pg_stat_ssl keeps the first 63 .*inside a UTF-8 character/,
    );
  });
  it('plain connections: ssl = false, everything else NULL', () => {
    for (const ci of ['sslmode=disable dbname=nossldb user=u', 'sslmode=prefer dbname=nossldb user=u']) {
      const r = run(fs, ci);
      expect(r.ok, ci).toBe(true);
      expect(r.pgStatSsl, ci).toEqual({
        pid: null,
        ssl: false,
        version: null,
        cipher: null,
        bits: null,
        client_dn: null,
        client_serial: null,
        issuer_dn: null,
      });
    }
  });
  it('no row when psql does not connect', () => {
    expect(run(fs, 'sslmode=require dbname=rejectdb user=u').pgStatSsl).toBeUndefined();
  });
  it('TLS 1.2 (server ssl_max_protocol_version): the cipher an RSA or an ECDSA server key gets', () => {
    const rsa = run(setup({ conf: "ssl_max_protocol_version = 'TLSv1.2'\n" }), 'sslmode=require dbname=trustdb user=u');
    expect(rsa.pgStatSsl).toMatchObject({ version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-GCM-SHA384', bits: 256 });
    const ec = vectorKey('p256-1');
    const ecCert = makeCertificate({
      version: 1,
      subject: [{ CN }],
      subjectKey: ec.key,
      issuerCert: pki.serverCa,
      issuerKey: K.serverCa.key,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 30 * DAY),
    });
    const ecFs = setup({
      conf: "ssl_max_protocol_version = 'TLSv1.2'\n",
      files: { '/pg/server.crt': { content: ecCert.pem }, '/pg/server.key': { content: ec.pem, mode: 0o600 } },
    });
    const r = run(ecFs, 'sslmode=require dbname=trustdb user=u');
    expect(r.pgStatSsl).toMatchObject({ version: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384', bits: 256 });
    expect(r.serverLog.at(-1)).toContain('SSL enabled (protocol=TLSv1.2, cipher=ECDHE-ECDSA-AES256-GCM-SHA384, bits=256)');
  });
  it('PostgreSQL 13 still has the compression column', () => {
    const r = run(fs, 'sslmode=require dbname=trustdb user=u', { pgVersion: 13 });
    expect(Object.keys(r.pgStatSsl!)).toEqual([
      'pid',
      'ssl',
      'version',
      'cipher',
      'bits',
      'compression',
      'client_dn',
      'client_serial',
      'issuer_dn',
    ]);
    expect(r.pgStatSsl!.compression).toBe(false);
  });
  it('a name attribute OpenSSL has no NID for: FATAL at backend start, and prefer does not retry in plaintext', () => {
    for (const mode of ['require', 'prefer']) {
      const r = run(fs, `sslmode=${mode} dbname=trustdb user=u sslcert=/c/unknown.crt sslkey=/c/client.key sslrootcert=invalid`);
      expect(r.ok).toBe(false);
      expect(r.psqlStderr).toBe(`${PFX}FATAL:  could not get NID for ASN1_OBJECT object`);
      expect(r.connectionLog.slice(-2)).toEqual([
        expect.stringContaining('connection authorized'),
        'FATAL:  could not get NID for ASN1_OBJECT object',
      ]);
      expect(r.fix).toMatch(/reissue the client certificate without the name attribute/);
      expect(r.attempts).toHaveLength(1);
      expect(r.pgStatSsl).toBeUndefined();
    }
  });
});

describe('Unix-domain sockets (texts from psql 15 / postgres 15 in socket-oracle.test.ts)', () => {
  const LOCAL_HBA = `local app app trust
local rejectdb all reject
local peerdb all peer
local identdb all ident
local mapdb all peer map=m
local pwdb all scram-sha-256
hostssl all all 127.0.0.1/32 trust
`;
  const fs = setup({ hba: LOCAL_HBA, ident: 'm u app\n' });
  // psql with no host, or host=<directory>: no hostaddr added
  const local = (f: ReturnType<typeof setup>, conninfo: string, extra: Partial<SimulateInput> = {}) =>
    simulate({ fs: f, pgdata: '/pg', conninfo, env: { HOME: '/home' }, osUser: 'u', serverUser: SERVER, pgVersion: 15, ...extra });
  const SOCK = '/var/run/postgresql/.s.PGSQL.5432';
  const LPFX = `psql: error: connection to server on socket "${SOCK}" failed: `;
  const NOENT = 'No such file or directory\n\tIs the server running locally and accepting connections on that socket?';

  it('no host: the default directory; a local line matches, host "[local]", no SSL whatever the sslmode', () => {
    for (const sslmode of ['disable', 'prefer', 'require', 'verify-full']) {
      const r = local(fs, `user=app dbname=app sslmode=${sslmode} sslrootcert=/nonexistent`);
      expect(r.ok).toBe(true);
      expect(r.attempts.map((a) => a.kind)).toEqual(['plain']);
      expect(r.connectionLog).toEqual([
        'LOG:  connection received: host=[local]',
        'LOG:  connection authorized: user=app database=app application_name=psql',
      ]);
      expect(r.pgStatSsl?.ssl).toBe(false);
    }
  });
  it('hostssl and host lines never match a socket: the FATAL names [local], the fix a local line', () => {
    const r = local(fs, 'user=app dbname=other sslmode=require');
    expect(r.psqlStderr).toBe(`${LPFX}FATAL:  no pg_hba.conf entry for host "[local]", user "app", database "other", no encryption`);
    expect(r.fix).toMatch(/^add a line to pg_hba\.conf: local other app <method>/);
    // hostaddr makes the same target TCP: the hostssl line
    expect(local(fs, 'host=/var/run/postgresql hostaddr=127.0.0.1 user=app dbname=other sslmode=require').ok).toBe(true);
  });
  it('local reject', () => {
    expect(local(fs, 'user=app dbname=rejectdb').message).toBe(
      'FATAL:  pg_hba.conf rejects connection for host "[local]", user "app", database "rejectdb", no encryption',
    );
  });
  it('peer (and ident on a local line): the OS user against the role, directly or through the map', () => {
    for (const db of ['peerdb', 'identdb']) {
      const r = local(fs, `user=app dbname=${db}`);
      expect(r.message).toBe('FATAL:  Peer authentication failed for user "app"');
      expect(r.connectionLog).toEqual([
        'LOG:  connection received: host=[local]',
        `LOG:  connection authenticated: identity="u" method=peer (/pg/pg_hba.conf:${db === 'peerdb' ? 3 : 4})`,
        'LOG:  provided user name (app) and authenticated user name (u) do not match',
        'FATAL:  Peer authentication failed for user "app"',
        `DETAIL:  Connection matched pg_hba.conf line ${db === 'peerdb' ? 3 : 4}: "local ${db} all ${db === 'peerdb' ? 'peer' : 'ident'}"`,
      ]);
      expect(r.fix).toMatch(/connect with user=u/);
    }
    expect(local(fs, 'user=u dbname=peerdb').ok).toBe(true);
    expect(local(fs, 'user=app dbname=mapdb').ok).toBe(true);
    const unmapped = local(fs, 'user=other dbname=mapdb');
    expect(unmapped.connectionLog).toContain('LOG:  no match in usermap "m" for user "other" authenticated as "u"');
    expect(unmapped.fix).toMatch(/add the line "m u other" to pg_ident\.conf/);
    // before 14 there is no "connection authenticated" line
    expect(local(fs, 'user=app dbname=peerdb', { pgVersion: 13 }).connectionLog[1]).toBe(
      'LOG:  provided user name (app) and authenticated user name (u) do not match',
    );
  });
  it('password methods over a socket; the default directory is "localhost" in the password file', () => {
    expect(local(fs, 'user=app dbname=pwdb').psqlStderr).toBe(`${LPFX}fe_sendauth: no password supplied`);
    const withFile = setup({
      hba: LOCAL_HBA,
      files: { '/home/.pgpass': { content: 'localhost:5432:pwdb:app:pw\n', mode: 0o600, uid: 0, gid: 0 } },
    });
    expect(local(withFile, 'user=app dbname=pwdb', { rolePasswords: { app: 'pw' } }).ok).toBe(true);
    expect(
      local(withFile, 'host=/tmp user=app dbname=pwdb', {
        rolePasswords: { app: 'pw' },
        serverOverrides: { unix_socket_directories: '/tmp' },
      }).psqlStderr,
    ).toMatch(/fe_sendauth: no password supplied$/);
  });
  it('a socket the server does not have: another port, directory or abstract name; a path too long', () => {
    const port = local(fs, 'port=5433 user=app dbname=app');
    expect(port.psqlStderr).toBe(`psql: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5433" failed: ${NOENT}`);
    expect(port.message).toBe(NOENT);
    expect(port.fix).toBe(
      'nothing listens there: the server listens on the Unix socket /var/run/postgresql/.s.PGSQL.5432 (connect with host=<that directory> port=5432)',
    );
    expect(local(fs, 'host=@nothing user=app dbname=app').psqlStderr).toBe(
      'psql: error: connection to server on socket "@nothing/.s.PGSQL.5432" failed: Connection refused\n\tIs the server running locally and accepting connections on that socket?',
    );
    const long = `/${'d'.repeat(100)}`;
    expect(local(fs, `host=${long} user=app dbname=app`).psqlStderr).toBe(
      `psql: error: Unix-domain socket path "${long}/.s.PGSQL.5432" is too long (maximum 107 bytes)`,
    );
    // libpq moves on to the next host
    const next = local(fs, `host=/tmp,${long},/run/postgresql/ user=app dbname=app`);
    expect(next.ok).toBe(true);
    expect(next.steps.filter((x) => x.step === 'connect').map((x) => x.result)).toEqual(['fail', 'fail', 'ok']);
  });
  it('unix_socket_directories: a list, quotes, a relative directory, an abstract name, empty', () => {
    const conf = (v: string) => setup({ hba: LOCAL_HBA, conf: `unix_socket_directories = '${v}'\n` });
    const several = conf('/tmp, "/my dir",sock , @abs');
    for (const host of ['/tmp', '/my dir', '/pg/sock', '@abs']) expect(local(several, `host='${host}' user=app dbname=app`).ok).toBe(true);
    expect(local(several, 'user=app dbname=app').message).toBe(NOENT);
    const none = conf('');
    expect(local(none, 'user=app dbname=app').fix).toMatch(/no Unix socket \(unix_socket_directories is empty\)/);
    // -c wins over the file
    expect(local(none, 'user=app dbname=app', { serverOverrides: { Unix_Socket_Directories: '/var/run/postgresql' } }).ok).toBe(true);
  });
  it('start-up failures of the socket settings', () => {
    const start = (conf: string) => local(setup({ hba: LOCAL_HBA, conf }), 'user=app dbname=app');
    const quote = start(`unix_socket_directories = '"/tmp'\n`);
    expect([quote.serverStarted, quote.serverFatal]).toEqual([false, 'invalid list syntax in parameter "unix_socket_directories"']);
    const long = `/${'d'.repeat(100)}`;
    const tooLong = start(`unix_socket_directories = '${long}'\n`);
    expect(tooLong.serverLog.slice(-3)).toEqual([
      `LOG:  Unix-domain socket path "${long}/.s.PGSQL.5432" is too long (maximum 107 bytes)`,
      `WARNING:  could not create Unix-domain socket in directory "${long}"`,
      'FATAL:  could not create any Unix-domain sockets',
    ]);
    expect(start(`unix_socket_directories = '${long}, /var/run/postgresql'\n`).ok).toBe(true);
    expect(start("unix_socket_directories = ''\nlisten_addresses = ''\n").serverFatal).toBe('no socket created for listening');
  });
  it('requirepeer and gssencmode=require: libpq gives up before the startup packet', () => {
    const peer = local(fs, 'user=app dbname=app requirepeer=nobody');
    expect(peer.psqlStderr).toBe(`${LPFX}requirepeer specifies "nobody", but actual peer user name is "postgres"`);
    expect(peer.connectionLog).toEqual(['LOG:  connection received: host=[local]']);
    expect(peer.fix).toMatch(/requirepeer=postgres/);
    expect(local(fs, 'user=app dbname=app requirepeer=pgsrv', { serverOsUser: 'pgsrv' }).ok).toBe(true);
    const gss = local(fs, 'user=app dbname=app gssencmode=require');
    expect(gss.message).toBe(
      'GSSAPI encryption required but was impossible (possibly no credential cache, no server support, or using a local socket)',
    );
    expect(gss.connectionLog).toEqual(['LOG:  connection received: host=[local]']);
    // 17 checks before connecting: the server sees nothing
    const gss17 = local(fs, 'user=app dbname=app gssencmode=require', { pgVersion: 17 });
    expect(gss17.message).toBe('GSSAPI encryption required but it is not supported over a local socket');
    expect(gss17.connectionLog).toEqual([]);
  });
});

describe('stat-ssl helpers', () => {
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  it.each([
    ['a'.repeat(63), 'a'.repeat(63), false],
    ['a'.repeat(64), 'a'.repeat(63), false],
    [`${'a'.repeat(62)}é`, 'a'.repeat(62), true],
    [`${'a'.repeat(61)}é`, `${'a'.repeat(61)}é`, false],
    [`${'a'.repeat(61)}€`, 'a'.repeat(61), true],
    [`${'a'.repeat(60)}€`, `${'a'.repeat(60)}€`, false],
    [`${'a'.repeat(60)}😀`, 'a'.repeat(60), true],
  ])('namedataCut(%j)', (s, text, split) => {
    const c = namedataCut(s);
    expect(c.text).toBe(text);
    expect(c.split).toBe(split);
    expect(c.cut).toBe(bytes(s) > 63);
  });
  it('namedataCut keeps a prefix of at most 63 bytes, dropping at most a partial character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (s) => {
        const c = namedataCut(s);
        expect(s.startsWith(c.text)).toBe(true);
        expect(bytes(c.text)).toBeLessThanOrEqual(63);
        if (bytes(s) <= 63) expect(c.text).toBe(s);
        else expect(bytes(c.text)).toBeGreaterThanOrEqual(60);
      }),
      { numRuns: 300 },
    );
  });
  it('psqlUnaligned prints like psql -A -F, -P null=_null_ (the TAP suite) and like psql -At', () => {
    const r = pgStatSslRow({ version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', bits: 256 });
    expect(r.ok && psqlUnaligned(r.row, { sep: ',', nullText: '_null_', header: true, pid: '4711' })).toBe(
      'pid,ssl,version,cipher,bits,client_dn,client_serial,issuer_dn\n4711,t,TLSv1.3,TLS_AES_256_GCM_SHA384,256,_null_,_null_,_null_',
    );
    const plain = pgStatSslRow(undefined);
    expect(plain.ok && psqlUnaligned(plain.row)).toBe('|f||||||');
  });
});

describe('fixes read facts, not texts (checked on the real server in startup-fidelity-oracle.test.ts)', () => {
  it('host= an IP address: the fix is a subjectAltName of type IP', () => {
    const r = run(setup(), `host=127.0.0.1 dbname=trustdb sslmode=verify-full sslrootcert=/c/root+server_ca.crt`);
    expect(r.ok).toBe(false);
    expect(r.fix).toBe(
      `connect with host=${CN} (a name in the certificate), or reissue the server certificate with subjectAltName IP:127.0.0.1`,
    );
    expect(run(setup(), `host=db.example.com dbname=trustdb sslmode=verify-full sslrootcert=/c/root+server_ca.crt`).fix).toMatch(
      /subjectAltName DNS:db\.example\.com$/,
    );
  });

  it('an intermediate the server does not send: append it to server.crt first; a root or an unknown issuer otherwise', () => {
    const conninfo = `host=${CN} dbname=trustdb sslmode=verify-ca sslrootcert=/c/root.crt`;
    const files = { '/c/root.crt': { content: pki.root.pem } };
    const inDir = run(setup({ files: { ...files, '/pg/server_ca.crt': { content: pki.serverCa.pem } } }), conninfo);
    expect(inDir.fix).toMatch(
      /^the server does not send the intermediate ".*" \(in server_ca\.crt\) that issued ".*": append it to server\.crt after the leaf .*; or else add it to the client's sslrootcert$/,
    );
    const unknown = run(setup({ files }), conninfo);
    expect(unknown.fix).toMatch(
      /if that CA is an intermediate, append it to server\.crt after the leaf so the server sends it; if it is the root, add it to sslrootcert$/,
    );
  });

  it('start-up failures: the fix comes from the typed cause', () => {
    const rsa1024 = vectorKey('rsa1024-1');
    const weak = makeCertificate({ subject: [{ CN: 'weak' }], selfSigned: true, issuerKey: rsa1024.key });
    const fixOf = (files: Record<string, MemFile>, conf = '', extra: Partial<SimulateInput> = {}) => {
      const r = run(setup({ files, conf }), 'sslmode=require dbname=trustdb', extra);
      expect(r.serverStarted).toBe(false);
      return r.fix;
    };
    const weakFiles = { '/pg/server.crt': { content: weak.pem }, '/pg/server.key': { content: rsa1024.pem, mode: 0o600 } };
    expect(fixOf(weakFiles)).toBe(
      "the server certificate's key (server.crt) is below OpenSSL's security level 2: reissue the certificate with a 2048-bit RSA or P-256 key",
    );
    expect(fixOf(weakFiles, '', { securityLevel: 3 })).toMatch(
      /security level 3: reissue the certificate with a 3072-bit RSA or P-256 key$/,
    );
    expect(fixOf({ '/pg/server.crt': { content: pki.server.cnOnly.pem.replace(/\n(.{10})/, '\n!!!!$1') } })).toMatch(
      /^a PEM block in server\.crt has damaged base64/,
    );
    expect(fixOf({}, "ssl_cert_file = 'missing.crt'\n")).toBe(
      'put the server certificate at missing.crt (ssl_cert_file, relative to the data directory)',
    );
    expect(fixOf({ '/pg/server.key': { content: K.server.pem, mode: 0o640 } })).toMatch(/^chmod 0600 server\.key/);
  });

  it('client set-up failures: the fix comes from the typed cause', () => {
    const rsa1024 = vectorKey('rsa1024-1');
    const weak = makeCertificate({ subject: [{ CN: 'u' }], subjectKey: rsa1024.key, issuerCert: pki.clientCa, issuerKey: K.clientCa.key });
    const files = {
      '/c/weak.crt': { content: weak.pem },
      '/c/weak.key': { content: rsa1024.pem, mode: 0o600 },
      '/c/bad-root.crt': { content: pki.root.pem.replace(/\n(.{10})/, '\n!!!!$1') },
    };
    const weakRun = run(setup({ files }), 'sslmode=require dbname=trustdb sslcert=/c/weak.crt sslkey=/c/weak.key');
    expect(weakRun.message).toBe('could not read certificate file "/c/weak.crt": ee key too small');
    expect(weakRun.fix).toBe(
      "the client certificate's key (/c/weak.crt) is below OpenSSL's security level 2: reissue it with a 2048-bit RSA or P-256 key",
    );
    expect(run(setup({ files }), 'sslmode=require dbname=trustdb sslcert=/c/weak.crt sslkey=/c/weak.key', { securityLevel: 1 }).ok).toBe(
      true,
    );
    const bad = run(setup({ files }), 'sslmode=verify-ca dbname=trustdb sslrootcert=/c/bad-root.crt');
    expect(bad.message).toBe('could not read root certificate file "/c/bad-root.crt": bad base64 decode');
    expect(bad.fix).toMatch(/^a PEM block in \/c\/bad-root\.crt has damaged base64/);
    const enc = run(setup(), 'sslmode=require dbname=trustdb sslcert=/c/client.crt sslkey=/c/client-enc.key');
    expect(enc.psqlStderr).toMatch(/^Enter PEM pass phrase:\nEnter PEM pass phrase:\n/);
    expect(enc.fix).toBe('the client key is encrypted: pass sslpassword=<passphrase>');
  });
});
