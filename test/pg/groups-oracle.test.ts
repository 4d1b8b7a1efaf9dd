// The key-exchange groups a PostgreSQL 15 server allows (ssl_ecdh_curve, set with
// SSL_CTX_set_tmp_ecdh: one curve) checked against the real server: `openssl s_client
// -starttls postgres -groups G -ciphersuites S` gets the same outcome (connected or the
// alert, the group, a HelloRetryRequest or not) and the server logs the same line from a
// real PostgreSQL 15 and from `pgtls serve` (the CLI, as a child process) over the same data
// directory; simulate() predicts psql's outcome and shows the HelloRetryRequest; start-up
// failures of bad ssl_ecdh_curve values match the real FATAL lines. Skipped when PostgreSQL
// 15, psql or openssl is missing.

import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCertificate, privateKeyPem } from '../../src/factory/index.js';
import { nodeFs } from '../../src/pg/fs-node.js';
import { startServer } from '../../src/pg/server/postmaster.js';
import { simulate } from '../../src/pg/simulate.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { LIBPQ_KEY_EXCHANGE } from '../../src/pg/tls-handshake.js';
import { decodeHandshake, NamedGroup, RecordReader, TlsClient, type ClientHello } from '../../src/tls13/index.js';
import { freePort, pgOracleUnavailable } from '../support/pg-oracle.js';
import { useSimVsReal } from '../support/sim-vs-real.js';
import { sClient, startServeCli, type SClientOutcome } from '../support/s-client.js';

const unavailable = pgOracleUnavailable() ?? (spawnSync('openssl', ['version']).status !== 0 ? 'openssl not installed' : undefined);
if (unavailable) console.warn(`groups-oracle: skipped, ${unavailable}`);

const serverKey = parsePrivateKey(readFileSync(join(import.meta.dirname, '../../vectors/keys/p256-6.pem')));
const serverCert = makeCertificate({ subject: '/CN=db.example.com', selfSigned: true, issuerKey: serverKey });
const files = { 'server.crt': { content: serverCert.pem }, 'server.key': { content: privateKeyPem(serverKey, 'pkcs8') } };
const hba = 'hostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n';
const sslConf = (extra = '') => `ssl=on\nssl_cert_file='server.crt'\nssl_key_file='server.key'\n${extra}`;

/** The client offers, as s_client options: TLS 1.3 only, so every case is a TLS 1.3 handshake. */
const CLIENTS: { groups: string; ciphersuites: string }[] = [
  { groups: 'X25519', ciphersuites: 'TLS_AES_256_GCM_SHA384' },
  { groups: 'P-256', ciphersuites: 'TLS_AES_128_GCM_SHA256' },
  { groups: 'P-384', ciphersuites: 'TLS_CHACHA20_POLY1305_SHA256' },
  { groups: 'X448', ciphersuites: 'TLS_AES_256_GCM_SHA384' },
  { groups: 'ffdhe2048', ciphersuites: 'TLS_AES_256_GCM_SHA384' },
  { groups: 'X25519:P-256', ciphersuites: 'TLS_AES_256_GCM_SHA384' },
  { groups: 'P-384:P-256:X25519', ciphersuites: 'TLS_AES_128_GCM_SHA256' },
  // a suite the server does not enable: refused for the suite, whatever the group
  { groups: 'P-256', ciphersuites: 'TLS_AES_128_CCM_SHA256' },
];

/** What to compare: the outcome s_client saw and the server's log line for a refused handshake. */
const essence = (o: SClientOutcome) => ({
  connected: o.connected,
  version: o.version,
  cipher: o.cipher,
  group: o.group,
  clientHellos: o.clientHellos,
  alert: o.alert,
});
const acceptLine = (lines: string[]) =>
  lines.filter((l) => /could not accept SSL connection/.test(l)).map((l) => l.replace(/^.*?(LOG: {2})/, '$1'));

describe.skipIf(!!unavailable)('key-exchange groups: real PostgreSQL 15 and pgtls serve over the same data directory', () => {
  const sv = useSimVsReal({ logLines: /could not accept SSL connection|connection authorized/ });

  /** Each client against the real server and against serve (same files, run side by side), once per configuration. */
  async function both(extraConf: string, clients = CLIENTS) {
    const st = sv.oracle.apply({ files, sslConf: sslConf(extraConf), hba });
    expect(st.started, st.log).toBe(true);
    const serve = await startServeCli(sv.oracle.pgdata, await freePort(), ['--pg-version', '15']);
    if ('exitCode' in serve) throw new Error(`serve did not start: ${serve.stderr}`);
    const realRuns = async () => {
      const out: { out: SClientOutcome; log: string[] }[] = [];
      for (const c of clients) {
        const o = await sClient(sv.oracle.port, { ...c, extra: ['-tls1_3'] });
        out.push({ out: o, log: acceptLine((await sv.oracle.takeLog()).split('\n')) });
      }
      return out;
    };
    const serveRuns = async () => {
      const out: { out: SClientOutcome; log: string[] }[] = [];
      for (const c of clients) {
        const from = serve.lines.length;
        const o = await sClient(serve.port, { ...c, extra: ['-tls1_3'] });
        await new Promise((r) => setTimeout(r, 100));
        out.push({ out: o, log: acceptLine(serve.lines.slice(from)) });
      }
      return out;
    };
    try {
      const [real, ours] = await Promise.all([realRuns(), serveRuns()]);
      return { real, ours };
    } finally {
      await serve.stop();
    }
  }

  it('default ssl_ecdh_curve (prime256v1): P-256 only; X25519:P-256 gets a HelloRetryRequest; the rest handshake_failure, "no suitable key share"', async () => {
    const { real, ours } = await both('');
    CLIENTS.forEach((c, i) => {
      expect({ client: c, ...essence(ours[i].out), log: ours[i].log }).toEqual({ client: c, ...essence(real[i].out), log: real[i].log });
    });
    // what the real server did, so the comparison is not of two identical failures
    const by = (g: string, s?: string) => real[CLIENTS.findIndex((c) => c.groups === g && (s === undefined || c.ciphersuites === s))];
    expect(by('X25519').out).toMatchObject({ connected: false, alert: 40, clientHellos: 1 });
    expect(by('X25519').log).toEqual(['LOG:  could not accept SSL connection: no suitable key share']);
    expect(by('X25519:P-256').out).toMatchObject({ connected: true, group: 'prime256v1', clientHellos: 2 });
    expect(by('P-256', 'TLS_AES_128_GCM_SHA256').out).toMatchObject({
      connected: true,
      group: 'prime256v1',
      clientHellos: 1,
      cipher: 'TLS_AES_128_GCM_SHA256',
    });
    expect(by('P-256', 'TLS_AES_128_CCM_SHA256').log).toEqual(['LOG:  could not accept SSL connection: no shared cipher']);
    expect(by('ffdhe2048').out).toMatchObject({ connected: false, alert: 40 });
  });

  it('ssl_ecdh_curve = secp384r1: P-384 only (a P-384 key share is taken at once)', async () => {
    const clients = CLIENTS.filter(
      (c) => ['X25519', 'P-256', 'P-384', 'P-384:P-256:X25519'].includes(c.groups) && !c.ciphersuites.includes('CCM'),
    );
    const { real, ours } = await both('ssl_ecdh_curve = secp384r1\n', clients);
    clients.forEach((c, i) => {
      expect({ client: c, ...essence(ours[i].out), log: ours[i].log }).toEqual({ client: c, ...essence(real[i].out), log: real[i].log });
    });
    expect(real[clients.findIndex((c) => c.groups.startsWith('P-384:'))].out).toMatchObject({
      connected: true,
      group: 'secp384r1',
      clientHellos: 1,
    });
    expect(real[clients.findIndex((c) => c.groups === 'P-256')].out).toMatchObject({ connected: false, alert: 40 });
  });

  it('ssl_ecdh_curve = secp256k1 (a TLS 1.2-only group): every TLS 1.3 client is refused', async () => {
    const clients = CLIENTS.filter((c) => ['X25519', 'P-256', 'X25519:P-256'].includes(c.groups) && !c.ciphersuites.includes('CCM'));
    const { real, ours } = await both('ssl_ecdh_curve = secp256k1\n', clients);
    clients.forEach((c, i) => {
      expect({ client: c, ...essence(ours[i].out), log: ours[i].log }).toEqual({ client: c, ...essence(real[i].out), log: real[i].log });
    });
    expect(real.filter((r) => r.out.connected)).toEqual([]);
  });

  it("ssl_ecdh_curve = secp112r1 (a curve with no TLS group): set_tmp_ecdh fails unnoticed, OpenSSL's default groups stay", async () => {
    const clients = CLIENTS.filter((c) => ['X25519', 'P-384', 'X448', 'ffdhe2048'].includes(c.groups));
    const { real, ours } = await both('ssl_ecdh_curve = secp112r1\n', clients);
    clients.forEach((c, i) => {
      // FFDHE is allowed here, and pgtls does not compute it: that one case differs
      if (c.groups === 'ffdhe2048') return;
      expect({ client: c, ...essence(ours[i].out), log: ours[i].log }).toEqual({ client: c, ...essence(real[i].out), log: real[i].log });
    });
    expect(real[0].out).toMatchObject({ connected: true, group: 'X25519', clientHellos: 1 });
    expect(real[clients.findIndex((c) => c.groups === 'ffdhe2048')].out).toMatchObject({ connected: true, version: 'TLSv1.3' });
  });

  it('what libpq offers (real psql, OpenSSL 3.0 defaults) is what the model offers: supported_groups and one x25519 key share', async () => {
    // a listener that answers the SSLRequest with 'S' and keeps the ClientHello psql sends
    const hello = await new Promise<ClientHello>((resolve, reject) => {
      const srv = createServer((sock) => {
        let buf = Buffer.alloc(0);
        let answered = false;
        sock.on('data', (d) => {
          buf = Buffer.concat([buf, d]);
          if (!answered && buf.length >= 8) {
            answered = true;
            buf = buf.subarray(8);
            sock.write('S');
          }
          const rec = answered && buf.length >= 5 ? new RecordReader().push(new Uint8Array(buf)) : [];
          if (rec.length) {
            resolve(decodeHandshake(rec[0].fragment) as ClientHello);
            sock.destroy();
            srv.close();
          }
        });
        sock.on('error', () => undefined);
      });
      srv.listen(0, '127.0.0.1', () => {
        const port = (srv.address() as { port: number }).port;
        execFile(
          'psql',
          ['-X', '-w', '-d', `host=127.0.0.1 port=${port} sslmode=require user=postgres connect_timeout=5`, '-c', 'select 1'],
          { env: { PATH: process.env.PATH ?? '', HOME: sv.dir } },
          () => undefined,
        );
      });
      setTimeout(() => reject(new Error('psql sent no ClientHello')), 15_000);
    });
    const offer = (ch: ClientHello) => {
      const groups = ch.extensions.find((e) => e.type === 'supported_groups');
      const shares = ch.extensions.find((e) => e.type === 'key_share');
      const names = (codes: number[]) => codes.map((c) => Object.entries(NamedGroup).find(([, v]) => v === c)?.[0] ?? c);
      return { groups: groups && names(groups.groups), shares: shares && names((shares.shares ?? []).map((k) => k.group)) };
    };
    expect(offer(hello)).toEqual({
      groups: ['x25519', 'secp256r1', 'x448', 'secp521r1', 'secp384r1', 'ffdhe2048', 'ffdhe3072', 'ffdhe4096', 'ffdhe6144', 'ffdhe8192'],
      shares: ['x25519'],
    });
    // the model's first ClientHello, as the libpq model configures the engine
    const ours = new TlsClient({ ...LIBPQ_KEY_EXCHANGE }).start();
    expect(offer(decodeHandshake(new RecordReader().push(ours[0])[0].fragment) as ClientHello)).toEqual(offer(hello));
  });

  it('psql and simulate(): same outcome, and the trace has the HelloRetryRequest the real server sends', async () => {
    sv.oracle.apply({ files, sslConf: sslConf(), hba });
    const { real, sim } = await sv.compare('user=postgres dbname=postgres sslmode=require');
    expect(sim).toEqual(real);
    expect(real.ok).toBe(true);
    const r = simulate({
      pgVersion: 15,
      fs: nodeFs(),
      pgdata: sv.oracle.pgdata,
      conninfo: `port=${sv.oracle.port} hostaddr=127.0.0.1 user=postgres dbname=postgres sslmode=require`,
      env: { HOME: sv.dir },
    });
    expect(r.tlsTrace.filter((e) => e.message === 'HelloRetryRequest' && e.who === 'server').map((e) => e.fields.selected_group)).toEqual([
      'secp256r1',
    ]);
    expect(r.tlsTrace.filter((e) => e.message === 'ClientHello' && e.who === 'client')).toHaveLength(2);
    expect(r.steps.find((s) => s.step === 'tls-handshake')?.detail).toMatch(
      /^TLSv1\.3 TLS_AES_256_GCM_SHA384, secp256r1 after a HelloRetryRequest \(ssl_ecdh_curve = prime256v1 /,
    );
  });

  it('psql against a secp256k1 server: handshake failure on both sides, predicted; prefer falls back to plaintext', async () => {
    sv.oracle.apply({ files, sslConf: sslConf('ssl_ecdh_curve = secp256k1\n'), hba });
    const req = await sv.compare('user=postgres dbname=postgres sslmode=require');
    expect(req.sim).toEqual(req.real);
    expect(req.real.stderr).toMatch(/SSL error: sslv3 alert handshake failure$/);
    expect(req.real.log).toEqual(['LOG:  could not accept SSL connection: no suitable key share']);
    const pref = await sv.compare('user=postgres dbname=postgres sslmode=prefer');
    expect(pref.sim).toEqual(pref.real);
    expect(pref.real.ok).toBe(true);
  });

  it('bad ssl_ecdh_curve values: the same FATAL as the real server (OBJ_sn2nid is exact; X25519 is an object but no EC curve)', async () => {
    for (const curve of ['X25519', 'X448', 'secp256r1', 'P-256', 'PRIME256V1', 'prime256v1:secp384r1', 'CN', 'SHA256', '']) {
      const st = sv.oracle.apply({ files, sslConf: sslConf(`ssl_ecdh_curve = '${curve}'\n`), hba });
      expect(st.started).toBe(false);
      const realFatal = st.log.split('\n').filter((l) => l.includes('FATAL'));
      const sim = startServer({
        pgVersion: 15,
        fs: nodeFs(),
        pgdata: sv.oracle.pgdata,
        serverUser: { uid: sv.oracle.pguid, gids: [sv.oracle.pggid] },
      });
      expect(sim.ok).toBe(false);
      expect({ curve, fatal: realFatal }).toEqual({ curve, fatal: [`FATAL:  ${sim.ok ? '' : sim.fatal.message}`] });
    }
  });
});
