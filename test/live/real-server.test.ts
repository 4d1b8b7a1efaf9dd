// pgtls's live client against a real PostgreSQL 15 (PgOracle: its own cluster on a free
// loopback port) with factory certificates: SSLRequest + TLS 1.3 with our engine, the
// StartupMessage and the server's answer on a trust line and on a `cert` line, the FATAL
// of a cert-auth user mismatch parsed from the ErrorResponse, a revoked certificate's
// alert; the CVE-2021-23214 refusal compared between the real server and `pgtls serve`;
// and `pgtls probe`'s sslmode verdicts compared with real psql. Skipped when PostgreSQL 15
// or psql is missing.

import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFs } from '../../src/pg/fs-node.js';
import { prepareClientTls, type ClientTls } from '../../src/pg/client/libpq-ssl.js';
import { attemptConnection, type AttemptOptions } from '../../src/pg/live/connect-node.js';
import { runProbe } from '../../src/pg/live/probe-node.js';
import { connectLibpq } from '../../src/pg/live/libpq-node.js';
import { startServe, type RunningServe } from '../../src/pg/live/server-node.js';
import { PgOracle, groupByProcess, pgOracleUnavailable } from '../support/pg-oracle.js';
import { LIVE_HBA, makeLivePki, serverFiles, SSL_CONF, writeClientDir, writeServeDataDir, type ClientDir } from './fixtures.js';

const unavailable = pgOracleUnavailable();
if (unavailable) console.warn(`live real-server: skipped, ${unavailable}`);

describe.skipIf(!!unavailable)('live client against real PostgreSQL 15', () => {
  const pki = makeLivePki();
  let pg: PgOracle;
  let c: ClientDir;
  let serveDir: string;
  let serve: RunningServe;
  const me = { uid: process.getuid!(), gids: [process.getgid!()] };

  beforeAll(async () => {
    pg = await PgOracle.create({ users: ['alice', 'bob', 'carol'], databases: ['app', 'trustdb', 'plaindb', 'pwdb'] });
    // pwdb asks for a password this client does not have, over SSL and in plaintext
    const st = pg.apply({
      files: serverFiles(pki),
      sslConf: SSL_CONF,
      hba: `${LIVE_HBA}hostssl pwdb all 127.0.0.1/32 scram-sha-256\nhost pwdb all 127.0.0.1/32 scram-sha-256\n`,
    });
    if (!st.started) throw new Error(`postgres did not start:\n${st.log}`);
    c = writeClientDir(pki);
    serveDir = writeServeDataDir(pki);
    const s = await startServe({ pgVersion: 15, pgdata: serveDir, log: () => undefined });
    if (!s.ok) throw new Error(s.fatal.message);
    serve = s.server;
  });
  afterAll(async () => {
    await serve?.close();
    pg?.destroy();
    if (c) rmSync(c.dir, { recursive: true, force: true });
    if (serveDir) rmSync(serveDir, { recursive: true, force: true });
  });

  const clientTls = (who?: 'alice' | 'bob' | 'carol'): ClientTls => {
    const r = prepareClientTls(
      {
        sslmode: 'verify-full',
        sslrootcert: c.root,
        sslcrl: '',
        sslcrldir: '',
        sslcert: who ? c.crt[who] : '',
        sslkey: who ? c.key : '',
        sslpassword: '',
        sslcertmode: 'allow',
      },
      { fs: nodeFs(), home: undefined, user: me, pgVersion: 15 },
    );
    if (!r.ok) throw new Error(r.message);
    return r.tls;
  };
  const attempt = (user: string, database: string, who?: 'alice' | 'bob' | 'carol', extra: Partial<AttemptOptions> = {}) =>
    attemptConnection({
      address: '127.0.0.1',
      port: pg.port,
      kind: 'ssl',
      sslmode: 'verify-full',
      tls: { tls: clientTls(who), verify: true, serverName: 'localhost', at: new Date() },
      hostCheck: { host: 'localhost' },
      params: { user, database, application_name: 'pgtls-test' },
      sql: 'select 1',
      ...extra,
    });
  // the raw log, regrouped per backend process and without the harness's `%p|` prefix
  const serverLogSince = (from: number) => groupByProcess(readFileSync(join(pg.root, 'server.log'), 'utf8').slice(from));
  const logSize = () => readFileSync(join(pg.root, 'server.log'), 'utf8').length;

  it('trust line: SSLRequest, TLS 1.3, StartupMessage, AuthenticationOk .. ReadyForQuery, select 1', async () => {
    const r = await attempt('alice', 'trustdb');
    expect(r.message).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.sslResponse).toBe('S');
    expect(r.negotiated?.version).toBe('TLSv1.3');
    expect(r.negotiated?.clientCertificateRequested).toBe(true);
    expect(r.serverVerify?.ok).toBe(true);
    expect(r.serverChain?.[0].subject.der).toEqual(pki.server.ref.name);
    expect(r.session?.parameters.server_version).toMatch(/^15\./);
    expect(r.session?.backendKey?.processId).toBeGreaterThan(0);
    expect(r.session?.query).toMatchObject({ columns: ['?column?'], rows: [['1']], tag: 'SELECT 1' });
  });

  it('cert line with our factory-made client certificate: authenticated as CN=alice', async () => {
    const from = logSize();
    const r = await attempt('alice', 'app', 'alice');
    expect(r.message).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.session?.query?.rows).toEqual([['1']]);
    await new Promise((res) => setTimeout(res, 150));
    expect(serverLogSince(from)).toContain('connection authenticated: identity="CN=alice" method=cert');
  });

  it("cert line, user mismatch: the server's FATAL from the ErrorResponse", async () => {
    const r = await attempt('alice', 'app', 'bob');
    expect(r.ok).toBe(false);
    expect(r.stage).toBe('server-error');
    expect(r.session?.error).toMatchObject({
      severity: 'FATAL',
      sqlstate: '28000',
      message: 'certificate authentication failed for user "alice"',
    });
    expect(r.message).toBe('FATAL:  certificate authentication failed for user "alice"');
  });

  it("a revoked client certificate: the server's alert, in libpq's words", async () => {
    const r = await attempt('carol', 'app', 'carol');
    expect(r.ok).toBe(false);
    expect(r.alert).toMatchObject({ direction: 'received', alert: 'certificate_revoked' });
    expect(r.message).toBe('SSL error: sslv3 alert certificate revoked');
  });

  it('a wrong root: our client refuses the chain like libpq', async () => {
    const wrong = prepareClientTls(
      {
        sslmode: 'verify-full',
        sslrootcert: c.wrongRoot,
        sslcrl: '',
        sslcrldir: '',
        sslcert: '',
        sslkey: '',
        sslpassword: '',
        sslcertmode: 'allow',
      },
      { fs: nodeFs(), user: me, pgVersion: 15 },
    );
    if (!wrong.ok) throw new Error(wrong.message);
    const from = logSize();
    const r = await attempt('alice', 'trustdb', undefined, {
      tls: { tls: wrong.tls, verify: true, serverName: 'localhost', at: new Date() },
    });
    expect(r.message).toBe('SSL error: certificate verify failed');
    expect(r.alert).toMatchObject({ direction: 'sent', alert: 'unknown_ca' });
    await new Promise((res) => setTimeout(res, 150));
    expect(serverLogSince(from)).toContain('could not accept SSL connection: tlsv1 alert unknown ca');
  });

  it('CVE-2021-23214: bytes injected behind the SSLRequest are refused with the same FATAL by postgres and by pgtls serve', async () => {
    const junk = new TextEncoder().encode('Q\0\0\0\x0dselect 1\0');
    const inject = (port: number) =>
      attemptConnection({
        address: '127.0.0.1',
        port,
        kind: 'ssl',
        tls: { verify: false, at: new Date() },
        params: { user: 'alice', database: 'trustdb' },
        injectAfterSslRequest: junk,
      });
    const from = logSize();
    const real = await inject(pg.port);
    const ours = await inject(serve.port);
    // the server answers 'S', lets the handshake finish, then refuses inside TLS
    expect(real.sslResponse).toBe('S');
    expect(real.negotiated?.version).toBe('TLSv1.3');
    expect(real.session?.error).toMatchObject({
      severity: 'FATAL',
      sqlstate: '08P01',
      message: 'received unencrypted data after SSL request',
      detail: 'This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.',
    });
    await new Promise((res) => setTimeout(res, 150));
    expect(serverLogSince(from)).toContain('FATAL:  received unencrypted data after SSL request');
    expect(ours.sslResponse).toBe('S');
    expect(ours.negotiated?.version).toBe('TLSv1.3');
    const pick = (e: typeof real.session) => ({
      severity: e?.error?.severity,
      sqlstate: e?.error?.sqlstate,
      message: e?.error?.message,
      detail: e?.error?.detail,
    });
    expect(pick(ours.session)).toEqual(pick(real.session));
    expect(ours.message).toBe(real.message);
  });

  it('direct TLS (PostgreSQL 17 sslnegotiation=direct) to a 15 server: refused, like libpq 17 sees it', async () => {
    const from = logSize();
    const r = await attemptConnection({
      address: '127.0.0.1',
      port: pg.port,
      kind: 'ssl',
      negotiation: 'direct',
      tls: { verify: false, at: new Date() },
      params: { user: 'alice', database: 'trustdb' },
      timeoutMs: 5000,
    });
    expect(r.ok).toBe(false);
    expect(r.stage).toBe('handshake');
    expect(r.negotiated).toBeUndefined();
    await new Promise((res) => setTimeout(res, 150));
    expect(serverLogSince(from)).toContain('invalid length of startup packet');
  });

  it('pgtls probe: TLSv1.3, the chain, and sslmode verdicts that agree with real psql', async () => {
    const setups = [
      `sslrootcert=${c.root} sslcert=${c.crt.alice} sslkey=${c.key} user=alice dbname=app`,
      `sslrootcert=${c.wrongRoot} user=alice dbname=trustdb`,
      `sslrootcert=${c.root} user=alice dbname=plaindb`,
      `host=wrong.example sslrootcert=${c.root} user=alice dbname=trustdb`,
      `sslrootcert=${c.root} sslcert=${c.crt.carol} sslkey=${c.key} user=carol dbname=app`,
      `sslrootcert=${c.root} user=alice dbname=pwdb`,
    ];
    const seen = new Set<string>();
    for (const setup of setups) {
      const conninfo = `${setup.startsWith('host=') ? '' : 'host=localhost '}hostaddr=127.0.0.1 port=${pg.port} ${setup}`;
      const report = await runProbe({ pgVersion: 15, conninfo, env: { HOME: join(c.dir, 'home') }, osUser: 'root', clientUser: me });
      expect(report.negotiated?.version).toBe('TLSv1.3');
      expect(report.chain.length).toBe(2);
      for (const mode of ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const) {
        const v = report.verdicts.find((x) => x.sslmode === mode)!;
        const r = await pg.psql(`${conninfo} sslmode=${mode}`, { home: join(c.dir, 'home') });
        seen.add(`${v.ok}`);
        expect({ setup, mode, ok: v.ok }).toEqual({ setup, mode, ok: r.status === 0 });
        if (!v.ok) for (const line of v.message!.split('\n')) expect(r.stderr).toContain(line);
      }
    }
    expect(seen).toEqual(new Set(['true', 'false']));
  });

  it('connectLibpq (conninfo, files, sslmode ladder) prints what psql prints, for every sslmode', async () => {
    const setups = [
      `host=localhost sslrootcert=${c.root} sslcert=${c.crt.alice} sslkey=${c.key} user=alice dbname=app`,
      `host=localhost sslrootcert=${c.root} sslcert=${c.crt.bob} sslkey=${c.key} user=alice dbname=app`,
      `host=localhost sslrootcert=${c.wrongRoot} user=alice dbname=trustdb`,
      `host=wrong.example sslrootcert=${c.root} user=alice dbname=trustdb`,
      `host=localhost sslrootcert=${c.dir}/missing.crt user=alice dbname=plaindb`,
      // no password: libpq gives up without the prefer/allow retry
      `host=localhost sslrootcert=${c.root} user=alice dbname=pwdb`,
    ];
    let failures = 0;
    for (const setup of setups) {
      for (const mode of ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']) {
        const conninfo = `hostaddr=127.0.0.1 port=${pg.port} ${setup} sslmode=${mode}`;
        const ours = await connectLibpq({
          pgVersion: 15,
          conninfo,
          env: { HOME: join(c.dir, 'home') },
          osUser: 'root',
          clientUser: me,
          sql: 'select 1',
        });
        const real = await pg.psql(conninfo, { home: join(c.dir, 'home') });
        expect({ conninfo, ok: ours.ok }).toEqual({ conninfo, ok: real.status === 0 });
        if (ours.ok) expect(ours.session?.query?.rows).toEqual([[real.stdout.trim()]]);
        else {
          failures++;
          expect(real.stderr.trim()).toBe(`psql: error: ${ours.error}`);
        }
      }
    }
    expect(failures).toBeGreaterThan(5);
  });

  it('pgtls serve logs the lines the real server logs, and psql prints the same, for the same setup', async () => {
    const psqlAsync = (conninfo: string) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          'psql',
          ['-X', '-w', '-qAt', '-d', conninfo, '-c', 'select 1'],
          { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: join(c.dir, 'home'), LANG: 'C', LC_ALL: 'C' }, timeout: 20_000 },
          (e, stdout, stderr) => resolve({ status: e ? Number((e as { code?: number }).code ?? -1) : 0, stdout, stderr }),
        ),
      );
    const norm = (lines: string[], dir: string, port: number) =>
      lines
        .filter((l) => l !== '')
        .map((l) =>
          l
            .replaceAll(dir, '<pgdata>')
            .replace(/port=\d+$/, 'port=<client port>')
            .replaceAll(String(port), '<port>'),
        );
    const setups = [
      `sslmode=verify-full sslrootcert=${c.root} sslcert=${c.crt.alice} sslkey=${c.key} user=alice dbname=app`,
      `sslmode=verify-full sslrootcert=${c.root} sslcert=${c.crt.bob} sslkey=${c.key} user=alice dbname=app`,
      `sslmode=verify-full sslrootcert=${c.root} sslcert=${c.crt.carol} sslkey=${c.key} user=carol dbname=app`,
      `sslmode=verify-ca sslrootcert=${c.wrongRoot} user=alice dbname=trustdb`,
      `sslmode=require user=alice dbname=plaindb`,
      `sslmode=disable user=bob dbname=trustdb`,
      `sslmode=prefer user=alice dbname=app`,
    ];
    for (const setup of setups) {
      const at = (port: number) => `host=localhost hostaddr=127.0.0.1 port=${port} ${setup}`;
      const from = logSize();
      const real = await psqlAsync(at(pg.port));
      await new Promise((res) => setTimeout(res, 200));
      const realLog = norm(serverLogSince(from).split('\n'), pg.pgdata, pg.port);
      const mark = serve.logLines.length;
      const ours = await psqlAsync(at(serve.port));
      await new Promise((res) => setTimeout(res, 100));
      const ourLog = norm(serve.logLines.slice(mark), serveDir, serve.port);
      expect({ setup, status: ours.status, stdout: ours.stdout, stderr: ours.stderr.replaceAll(String(serve.port), '<port>') }).toEqual({
        setup,
        status: real.status,
        stdout: real.stdout,
        stderr: real.stderr.replaceAll(String(pg.port), '<port>'),
      });
      expect({ setup, log: ourLog }).toEqual({ setup, log: realLog });
    }
  });
});
