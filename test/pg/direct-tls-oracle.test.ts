// The TLS exchange of 17+'s sslnegotiation=direct, measured against real PostgreSQL 17 and 18
// (OpenSSL 1.1.1) and compared with pgtls:
// - `openssl s_client` straight into TLS (no -starttls) with ALPN postgresql, without ALPN,
//   with http/1.1 only, and http/1.1 then postgresql, and the SSLRequest path with http/1.1:
//   whether the handshake completes, the ALPN s_client reports, the alert it gets, and the
//   connection's server log lines. The same runs against `pgtls serve --pg-version <major>`
//   over the same data directory must give the same.
// - real libpq 17/18 (Debian's psql 15 on it) against a listener that records the first
//   flight: with sslnegotiation=direct the first bytes are a TLS record (no SSLRequest) whose
//   ClientHello offers ALPN exactly postgresql; its extensions, groups, key share and suites
//   are compared with the ClientHello simulate() sends for the same connection string.
//   Differences kept (pgtls's engine is not OpenSSL): of the cipher suites only TLS 1.3's and
//   the SCSV are compared (OpenSSL also offers 1.2's CBC, DHE and RSA key-exchange suites,
//   pgtls, which runs no TLS 1.2, only its AEAD ones); signature_algorithms is not compared
//   (the engine offers the schemes it verifies).
// The real runs are recorded in vectors/oracle/direct-tls-oracle/pg<major>.json (PGTLS_REPLAY=1,
// or a major not installed, replays them; the pgtls side always runs).

import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { nodeFs } from '../../src/pg/fs-node.js';
import { attemptConnection } from '../../src/pg/live/connect-node.js';
import { startServe } from '../../src/pg/live/server-node.js';
import { LIBPQ } from '../../src/pg/messages.js';
import { simulate } from '../../src/pg/simulate.js';
import {
  CipherSuite,
  cipherSuiteName,
  decodeHandshake,
  findExtension,
  groupName,
  versionName,
  type ClientHello,
} from '../../src/tls13/index.js';
import { useGoldens } from '../support/golden-suite.js';
import { PgOracle, type PsqlResult, psqlEnv, sslConfLines } from '../support/pg-oracle.js';
import { makeTestPki } from '../support/pki.js';

const pki = makeTestPki();
const SETUP = {
  files: {
    'server.crt': { content: pki.server.cnOnly.pem },
    'server.key': { content: pki.keys.server.pem, mode: 0o600 },
  },
  sslConf: sslConfLines(),
  hba: 'hostssl all all 127.0.0.1/32 trust\n',
};

/** s_client's arguments after -connect, by case */
const S_CLIENT_CASES: Record<string, string[]> = {
  'direct, ALPN postgresql': ['-alpn', 'postgresql'],
  'direct, no ALPN': [],
  'direct, ALPN http/1.1': ['-alpn', 'http/1.1'],
  'direct, ALPN http/1.1 then postgresql': ['-alpn', 'http/1.1,postgresql'],
  'SSLRequest, no ALPN': ['-starttls', 'postgres'],
  'SSLRequest, ALPN http/1.1': ['-starttls', 'postgres', '-alpn', 'http/1.1'],
};

/** What s_client saw, reduced to what both servers must agree on. */
interface SClientSeen {
  handshake: boolean;
  /** "ALPN protocol: postgresql" or "No ALPN negotiated" */
  alpn?: string;
  /** "SSL alert number N" and OpenSSL's reason before it */
  alert?: string;
}

function sClient(port: number, args: string[]): Promise<SClientSeen> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, ...args],
      { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' } },
      (_e, stdout, stderr) => {
        const alert = /:([^:]+):[^:]*:\d+:SSL alert number (\d+)/.exec(stderr);
        resolve({
          handshake: /New, TLSv1\.3, Cipher is/.test(stdout),
          alpn: /^(ALPN protocol: .*|No ALPN negotiated)$/m.exec(stdout)?.[1],
          ...(alert ? { alert: `${alert[1]} (${alert[2]})` } : {}),
        });
      },
    );
    child.stdin?.end();
  });
}

/** The log lines of one connection with the client's port as the books keep it. */
const connectionLines = (lines: string[]) => lines.map((l) => l.replace(/\bport=\d+/, 'port=<client port>')).filter(Boolean);

/** The first flight of a client: whether an SSLRequest came first, then the ClientHello's summary. */
interface FirstFlight {
  sslRequestFirst: boolean;
  hello?: ReturnType<typeof helloSummary>;
}

function helloSummary(ch: ClientHello) {
  return {
    extensions: ch.extensions.map((e) => e.type),
    alpn: findExtension(ch.extensions, 'application_layer_protocol_negotiation')?.protocols,
    supported_groups: findExtension(ch.extensions, 'supported_groups')?.groups.map(groupName),
    supported_versions: findExtension(ch.extensions, 'supported_versions')?.versions?.map(versionName),
    key_shares: findExtension(ch.extensions, 'key_share')?.shares?.map((s) => groupName(s.group)),
    cipher_suites: ch.cipherSuites.map(cipherSuiteName),
  };
}

/** The TLS 1.3 suites and the SCSV: pgtls runs no TLS 1.2, and offers only its AEAD suites of 1.2 */
const tls13Suites = (names: unknown) => (names as string[]).filter((n) => n in CipherSuite);

/** Real psql on libpq `major` against a listener that answers an SSLRequest with 'S' and keeps the ClientHello. */
async function captureFirstFlight(o: PgOracle, negotiation: string): Promise<{ run: PsqlResult; flight: FirstFlight }> {
  const flight: FirstFlight = { sslRequestFirst: false };
  const srv = createServer((s) => {
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 8 && buf.readUInt32BE(0) === 8 && buf.readUInt32BE(4) === 80877103) {
        flight.sslRequestFirst = true;
        buf = buf.subarray(8);
        s.write('S');
      }
      if (buf.length >= 5 && buf[0] === 0x16 && buf.length >= 5 + buf.readUInt16BE(3)) {
        flight.hello = helloSummary(decodeHandshake(new Uint8Array(buf.subarray(5, 5 + buf.readUInt16BE(3)))) as ClientHello);
        s.destroy();
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()));
  const port = (srv.address() as { port: number }).port;
  const conninfo = `host=localhost hostaddr=127.0.0.1 port=${port} sslmode=require sslnegotiation=${negotiation} dbname=postgres user=x`;
  const run = await new Promise<PsqlResult>((resolve) => {
    const child = spawn(o.install.psql, ['-X', '-w', '-qAt', '-d', conninfo, '-c', 'select 1'], {
      env: psqlEnv(join(o.root, 'empty-home'), o.install.psqlEnv),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) =>
      resolve({
        status: code ?? -1,
        stdout: JSON.stringify(flight),
        stderr: stderr.replace(`port ${port}`, 'port <listener port>'),
        serverLog: '',
      }),
    );
  });
  srv.close();
  return { run, flight };
}

/**
 * A TLS 1.3 server that selects no ALPN (Node's tls, as a TLS proxy in front of PostgreSQL
 * would be configured without ALPN): what a client sees after the handshake.
 */
async function withTlsServerWithoutAlpn<T>(fn: (port: number) => Promise<T>): Promise<T> {
  const srv = createTlsServer({ cert: pki.server.cnOnly.pem, key: pki.keys.server.pem, minVersion: 'TLSv1.3' }, (s) =>
    s.on('error', () => undefined),
  );
  srv.on('tlsClientError', () => undefined);
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()));
  try {
    return await fn((srv.address() as { port: number }).port);
  } finally {
    srv.close();
  }
}

/** Real psql on libpq `major`, sslnegotiation=direct, against that server: what libpq prints. */
function psqlDirect(o: PgOracle, port: number): Promise<PsqlResult> {
  const conninfo = `hostaddr=127.0.0.1 port=${port} sslmode=require sslnegotiation=direct dbname=postgres user=x`;
  return new Promise((resolve) => {
    const child = spawn(o.install.psql, ['-X', '-w', '-qAt', '-d', conninfo, '-c', 'select 1'], {
      env: psqlEnv(join(o.root, 'empty-home'), o.install.psqlEnv),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) =>
      resolve({ status: code ?? -1, stdout: '', stderr: stderr.replace(`port ${port}`, 'port <listener port>'), serverLog: '' }),
    );
  });
}

const goldens = useGoldens('direct-tls-oracle');

describe('direct TLS (sslnegotiation=direct, ALPN postgresql) against real PostgreSQL 17 and 18', () => {
  for (const major of [17, 18]) {
    const unavailable = goldens.skip(major);
    if (unavailable) console.warn(`direct-tls-oracle: PostgreSQL ${major} skipped, ${unavailable}`);

    it.skipIf(Boolean(unavailable))(
      `PostgreSQL ${major}: s_client with and without ALPN, the real server and pgtls serve`,
      async ({ expect }) => {
        const o = await PgOracle.create({ version: major });
        try {
          o.scenario(`direct TLS ${major}`);
          expect(o.apply(SETUP).started).toBe(true);
          const served = await startServe({ pgdata: o.pgdata, port: 0, host: '127.0.0.1', pgVersion: major, log: () => undefined });
          if (!served.ok) throw new Error(`pgtls serve did not start: ${served.fatal.message}`);
          try {
            for (const [name, args] of Object.entries(S_CLIENT_CASES)) {
              const real = await o.recordPsql('s_client', `${name}: openssl s_client ${args.join(' ')}`, async () => {
                const seen = await sClient(o.port, args);
                const serverLog = await o.unrecorded(() => o.takeLog());
                return { status: 0, stdout: JSON.stringify(seen), stderr: '', serverLog };
              });
              const before = served.server.logLines.length;
              const ours = await sClient(served.server.port, args);
              await new Promise((r) => setTimeout(r, 300));
              expect
                .soft({ case: name, seen: ours, log: connectionLines(served.server.logLines.slice(before)) })
                .toEqual({ case: name, seen: JSON.parse(real.stdout), log: connectionLines(real.serverLog.split('\n')) });
            }
          } finally {
            await served.server.close();
          }
          // ssl = off: the 17+ server closes a direct ClientHello without a word
          o.scenario(`direct TLS ${major}, ssl off`);
          const off = { ...SETUP, sslConf: 'ssl = off\n', hba: 'host all all 127.0.0.1/32 trust\n' };
          expect(o.apply(off).started).toBe(true);
          const plain = await startServe({ pgdata: o.pgdata, port: 0, host: '127.0.0.1', pgVersion: major, log: () => undefined });
          if (!plain.ok) throw new Error(`pgtls serve did not start: ${plain.fatal.message}`);
          try {
            const args = ['-alpn', 'postgresql'];
            const real = await o.recordPsql('s_client', `ssl off: openssl s_client ${args.join(' ')}`, async () => {
              const seen = await sClient(o.port, args);
              return { status: 0, stdout: JSON.stringify(seen), stderr: '', serverLog: await o.unrecorded(() => o.takeLog()) };
            });
            const ours = await sClient(plain.server.port, args);
            await new Promise((r) => setTimeout(r, 300));
            expect
              .soft({ case: 'ssl off', seen: ours, log: connectionLines(plain.server.logLines.slice(-1)) })
              .toEqual({ case: 'ssl off', seen: JSON.parse(real.stdout), log: connectionLines(real.serverLog.split('\n')) });
          } finally {
            await plain.server.close();
          }
        } finally {
          o.destroy();
        }
      },
      120_000,
    );

    it.skipIf(Boolean(unavailable))(
      `libpq ${major}: the direct ClientHello comes first with ALPN postgresql, as simulate() sends it; a server without ALPN is refused`,
      async ({ expect }) => {
        const o = await PgOracle.create({ version: major });
        try {
          o.scenario(`libpq ${major} first flight`);
          // the data directory simulate() reads (the listener, not this server, gets psql)
          expect(o.apply(SETUP).started).toBe(true);
          for (const negotiation of ['direct', 'postgres']) {
            const real = await o.recordPsql(
              'first-flight',
              `libpq ${major} sslnegotiation=${negotiation}`,
              async () => (await captureFirstFlight(o, negotiation)).run,
            );
            const flight = JSON.parse(real.stdout) as FirstFlight;
            expect(flight.sslRequestFirst).toBe(negotiation === 'postgres');
            expect(flight.hello?.alpn).toEqual(['postgresql']);
            // simulate()'s first ClientHello for the same connection string, libpq and OpenSSL
            const sim = simulate({
              fs: nodeFs(),
              pgdata: o.pgdata,
              conninfo: `host=localhost hostaddr=127.0.0.1 port=${o.port} sslmode=require sslnegotiation=${negotiation} dbname=postgres user=postgres`,
              env: { HOME: join(o.root, 'empty-home') },
              osUser: 'root',
              clientUser: { uid: 0, gids: [0] },
              serverUser: o.serverIdentity,
              pgVersion: major,
              libpqVersion: major,
              opensslVersion: o.install.opensslVersion,
              pgWrapper: false,
            });
            expect(sim.steps.some((s) => s.step === 'ssl-request')).toBe(negotiation === 'postgres');
            expect(sim.steps.some((s) => s.step === 'direct-tls')).toBe(negotiation === 'direct');
            const hello = sim.tlsTrace.find((e) => e.who === 'client' && e.message === 'ClientHello');
            const f = hello?.fields ?? {};
            expect({
              extensions: f.extensions,
              alpn: f.alpn,
              supported_groups: f.supported_groups,
              key_shares: f.key_shares,
              cipher_suites: tls13Suites(f.cipher_suites),
            }).toEqual({
              extensions: flight.hello?.extensions,
              alpn: flight.hello?.alpn,
              supported_groups: flight.hello?.supported_groups,
              key_shares: flight.hello?.key_shares,
              cipher_suites: tls13Suites(flight.hello?.cipher_suites),
            });
            expect(flight.hello?.supported_versions).toEqual(['TLSv1.3', 'TLSv1.2']);
          }
          // a server that completes the handshake without selecting ALPN: libpq refuses it
          // (open_client_SSL), and so does pgtls's client
          const real = await o.recordPsql('no-alpn-server', `libpq ${major} sslnegotiation=direct, server without ALPN`, () =>
            withTlsServerWithoutAlpn((port) => psqlDirect(o, port)),
          );
          const ours = await withTlsServerWithoutAlpn((port) =>
            attemptConnection({
              address: '127.0.0.1',
              port,
              kind: 'ssl',
              negotiation: 'direct',
              tls: { verify: false, at: new Date() },
              params: { user: 'x', database: 'postgres' },
              timeoutMs: 5000,
            }),
          );
          expect(real.status).toBe(2);
          expect(real.stderr).toBe(
            `psql: error: connection to server at "127.0.0.1", port <listener port> failed: ${LIBPQ.directSslNoAlpn.format}\n`,
          );
          expect({ ok: ours.ok, stage: ours.stage, message: ours.message }).toEqual({
            ok: false,
            stage: 'handshake',
            message: LIBPQ.directSslNoAlpn.format,
          });
        } finally {
          o.destroy();
        }
      },
      120_000,
    );
  }
});
