// The server's key-exchange groups end to end in simulate() without PostgreSQL (the real
// server's answers are in groups-oracle.test.ts): PostgreSQL 15's one-curve server makes
// libpq's x25519 share a HelloRetryRequest, PostgreSQL 18's default ssl_groups takes it at
// once, ssl_ecdh_curve is ssl_groups's old name in 18 (the later line wins), ssl_groups and
// ssl_tls13_ciphers failures stop the start with the real messages, and ssl_tls13_ciphers
// decides the suite. The engine's server group refusal carries OpenSSL's reason.

import { describe, expect, it } from 'vitest';
import { memFs, type MemFile } from '../../src/pg/fs.js';
import { simulate } from '../../src/pg/simulate.js';
import { makeTestPki } from '../support/pki.js';
import { SSL_DEFAULTS, startServerTls, type SslSettings } from '../../src/pg/server/startup.js';
import { LIBPQ_KEY_EXCHANGE, serverNegotiation } from '../../src/pg/tls-handshake.js';
import { runHandshake, TlsClient, TlsServer, type TraceEntry } from '../../src/tls13/index.js';
import { serverSettings } from '../../src/pg/config/server-settings.js';
import type { ParsedConf } from '../../src/pg/config/postgresql-conf.js';
import { suggestFix } from '../../src/pg/fix.js';

const pki = makeTestPki();
const PG = { uid: 101, gid: 104 };

function fs(conf: string) {
  const files: Record<string, MemFile> = {
    '/pg/postgresql.conf': { content: `ssl = on\n${conf}`, ...PG, mode: 0o600 },
    '/pg/pg_hba.conf': { content: 'hostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n', ...PG },
    '/pg/pg_ident.conf': { content: '', ...PG },
    '/pg/server.crt': { content: pki.server.cnOnly.pem, ...PG },
    '/pg/server.key': { content: pki.keys.server.pem, mode: 0o600, ...PG },
    '/home/': { content: '' },
  };
  return memFs(files);
}

const run = (conf: string, pgVersion: number, sslmode = 'require') =>
  simulate({
    fs: fs(conf),
    pgdata: '/pg',
    conninfo: `hostaddr=127.0.0.1 port=5432 user=u dbname=d sslmode=${sslmode}`,
    env: { HOME: '/home' },
    osUser: 'u',
    serverUser: { uid: 101, gids: [104] },
    pgVersion,
  });

const hrr = (r: ReturnType<typeof run>) =>
  r.tlsTrace.filter((e) => e.who === 'server' && e.message === 'HelloRetryRequest').map((e) => e.fields.selected_group);
const serverHello = (r: ReturnType<typeof run>) =>
  r.tlsTrace.filter((e) => e.who === 'server' && e.message === 'ServerHello').map((e) => [e.fields.group, e.fields.cipher_suite]);
const fatal = (r: ReturnType<typeof run>) => r.serverLog.filter((l) => /^(FATAL|HINT|DETAIL)/.test(l));

describe('server key-exchange groups in simulate()', () => {
  it('PostgreSQL 15 default (prime256v1): HelloRetryRequest for secp256r1, then connects', () => {
    const r = run('', 15);
    expect(r.ok).toBe(true);
    expect(hrr(r)).toEqual(['secp256r1']);
    expect(serverHello(r)).toEqual([['secp256r1', 'TLS_AES_256_GCM_SHA384']]);
  });
  it('PostgreSQL 15, ssl_ecdh_curve = secp256k1: no TLS 1.3 group, psql gets handshake failure, the log says no suitable key share', () => {
    const r = run("ssl_ecdh_curve = 'secp256k1'\n", 15);
    expect(r.ok).toBe(false);
    expect(r.psqlStderr).toMatch(/SSL error: sslv3 alert handshake failure$/);
    expect(r.serverLog).toContain('LOG:  could not accept SSL connection: no suitable key share');
  });
  it('PostgreSQL 15, ssl_ecdh_curve = X25519: FATAL ECDH: could not create key', () => {
    expect(fatal(run("ssl_ecdh_curve = 'X25519'\n", 15))).toEqual(['FATAL:  ECDH: could not create key']);
  });
});

/**
 * PostgreSQL 18 below simulate(): the configuration layer and pg_hba of 18 come with the
 * versions work, so these run be_tls_init (startServerTls) with pgVersion 18 and the
 * handshake between libpq's offer and the server configuration it yields.
 */
describe('PostgreSQL 18: ssl_groups and ssl_tls13_ciphers', () => {
  const start = (s: Partial<SslSettings>) =>
    startServerTls({
      fs: fs(''),
      pgdata: '/pg',
      settings: { ...SSL_DEFAULTS, ssl: true, ...s },
      server: { uid: 101, gids: [104] },
      pgVersion: 18,
    });
  const handshake = (s: Partial<SslSettings>) => {
    const st = start(s);
    if (!st.ok || !st.tls) throw new Error(`did not start: ${JSON.stringify(st.log)}`);
    const trace: TraceEntry[] = [];
    const client = new TlsClient({ ...LIBPQ_KEY_EXCHANGE, onTrace: (e) => trace.push(e) });
    const server = new TlsServer({
      certificate: { chain: st.tls.chain.map((c) => c.der), privateKey: st.tls.key },
      ...serverNegotiation(st.tls),
      onTrace: (e) => trace.push(e),
    });
    const run = runHandshake(client, server);
    const sent = run.serverEvents.find((e) => e.type === 'alert_sent');
    return {
      hrr: trace.filter((e) => e.who === 'server' && e.message === 'HelloRetryRequest').map((e) => e.fields.selected_group),
      hello: trace.filter((e) => e.who === 'server' && e.message === 'ServerHello').map((e) => [e.fields.group, e.fields.cipher_suite]),
      serverReason: sent && sent.type === 'alert_sent' ? sent.opensslReason : undefined,
    };
  };
  const fatalOf = (s: Partial<SslSettings>) => {
    const st = start(s);
    return st.ok ? undefined : st.fatal;
  };
  const hint = 'Ensure that each group name is spelled correctly and supported by the installed version of OpenSSL.';

  it("the default X25519:prime256v1 takes libpq's x25519 share: no HelloRetryRequest", () => {
    expect(handshake({})).toEqual({ hrr: [], hello: [['x25519', 'TLS_AES_256_GCM_SHA384']], serverReason: undefined });
  });
  it("ssl_groups without X25519 makes the HelloRetryRequest, for the server's first group", () => {
    expect(handshake({ groups: 'P-384:P-256' })).toMatchObject({ hrr: ['secp384r1'], hello: [['secp384r1', 'TLS_AES_256_GCM_SHA384']] });
  });
  it('only groups TLS 1.3 cannot use (or FFDHE, which libpq lists but pgtls does not compute): no suitable key share', () => {
    expect(handshake({ groups: 'secp256k1:brainpoolP256r1' })).toMatchObject({ hello: [], serverReason: 'no suitable key share' });
  });
  it('bad lists stop the start: the message and hint of be-secure-openssl.c (OpenSSL 3.0 reasons), and the fix names ssl_groups', () => {
    expect(fatalOf({ groups: 'nope' })).toEqual({
      level: 'FATAL',
      message: 'could not set group names specified in ssl_groups: passed invalid argument',
      hint,
    });
    const st = start({ groups: 'nope' });
    expect(st.ok ? undefined : st.cause).toEqual({ kind: 'ecdh-curve', setting: 'ssl_groups' });
    expect(st.ok ? undefined : suggestFix({ kind: 'server-start', message: st.fatal.message, cause: st.cause })).toMatch(
      /^ssl_groups takes a colon list of OpenSSL group names/,
    );
    const st13 = start({ tls13Ciphers: 'nope' });
    expect(st13.ok ? undefined : suggestFix({ kind: 'server-start', message: st13.fatal.message, cause: st13.cause })).toMatch(
      /^ssl_tls13_ciphers names no TLS 1\.3 suite/,
    );
    expect(fatalOf({ groups: 'X25519:x25519' })).toEqual({
      level: 'FATAL',
      message: 'could not set group names specified in ssl_groups: No valid groups found',
      hint,
    });
  });
  it('ssl_ecdh_curve values mean ssl_groups in 18 only: a 15 server reads ssl_ecdh_curve', () => {
    expect(fatalOf({ groups: 'P-256' })).toBeUndefined();
    const st15 = startServerTls({
      fs: fs(''),
      pgdata: '/pg',
      settings: { ...SSL_DEFAULTS, ssl: true, groups: 'nope' },
      server: { uid: 101, gids: [104] },
      pgVersion: 15,
    });
    expect(st15.ok && st15.tls?.groups.source).toBe('ssl_ecdh_curve = prime256v1');
  });
  it("ssl_tls13_ciphers picks the suite in the server's order; none known stops the start; one libpq does not offer: no shared cipher", () => {
    expect(handshake({ tls13Ciphers: 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384' }).hello).toEqual([
      ['x25519', 'TLS_AES_128_GCM_SHA256'],
    ]);
    expect(handshake({ tls13Ciphers: 'nope:TLS_CHACHA20_POLY1305_SHA256' }).hello).toEqual([['x25519', 'TLS_CHACHA20_POLY1305_SHA256']]);
    expect(fatalOf({ tls13Ciphers: 'nope' })).toEqual({
      level: 'FATAL',
      message: 'could not set the TLSv1.3 cipher suites (no valid ciphers available)',
    });
    expect(handshake({ tls13Ciphers: 'TLS_AES_128_CCM_SHA256' })).toMatchObject({ hello: [], serverReason: 'no shared cipher' });
  });
});

describe('ssl_groups as the configuration sets it (PostgreSQL 18)', () => {
  const conf = (lines: [string, string][]): ParsedConf => ({
    file: '/pg/postgresql.conf',
    log: [],
    ok: true,
    settings: new Map(lines.map(([n, v], i) => [n, { name: n, value: v, line: i + 1 }])),
    items: lines.map(([name, value], i) => ({ name, value, line: i + 1, seqno: i + 1, applied: true }) as ParsedConf['items'][number]),
  });
  it('ssl_ecdh_curve is its old name: the later line wins; -c wins over both; unset leaves the default', () => {
    expect(
      serverSettings(
        conf([
          ['ssl_groups', 'X25519'],
          ['ssl_ecdh_curve', 'secp384r1'],
        ]),
      ).ssl.groups,
    ).toBe('secp384r1');
    expect(
      serverSettings(
        conf([
          ['ssl_ecdh_curve', 'secp384r1'],
          ['ssl_groups', 'P-256'],
        ]),
      ).ssl.groups,
    ).toBe('P-256');
    expect(serverSettings(conf([['ssl_groups', 'P-256']]), { overrides: { ssl_ecdh_curve: 'X448' } }).ssl.groups).toBe('X448');
    expect(serverSettings(conf([])).ssl.groups).toBeUndefined();
  });
});
