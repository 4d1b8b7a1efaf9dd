// PostgreSQL 18's ssl_groups (default X25519:prime256v1; ssl_ecdh_curve is its old name)
// against a real PostgreSQL 18 (PgOracle with version 18; skipped when
// scripts/install-pg-versions.sh has not installed it): `openssl s_client -starttls postgres -groups G` gets the outcome pgtls's model
// predicts for the same configuration (be_tls_init with pgVersion 18, then the engine with
// s_client's offer: supported_groups G, a key share for G's first group), and the server
// logs the reason the model gives; the server lists its groups in EncryptedExtensions
// when the client did not use its first, as the model does. The groups used behave alike in OpenSSL 1.1.1 (that
// build's) and 3.0 (pgtls's model).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, privateKeyPem } from '../../src/factory/index.js';
import { nodeFs } from '../../src/pg/fs-node.js';
import { SSL_DEFAULTS, startServerTls } from '../../src/pg/server/startup.js';
import { serverNegotiation } from '../../src/pg/tls-handshake.js';
import { runHandshake, TlsClient, TlsServer, type KeyExchangeGroup } from '../../src/tls13/index.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { PgOracle, pgOracleUnavailable, sslConfLines } from '../support/pg-oracle.js';
import { sClient, sClientEncryptedExtensionGroups } from '../support/s-client.js';

const unavailable = pgOracleUnavailable(18);
if (unavailable) console.warn(`groups-pg18-oracle: skipped, ${unavailable}`);

const serverKey = parsePrivateKey(readFileSync(join(import.meta.dirname, '../../vectors/keys/p256-6.pem')));
const serverCert = makeCertificate({ subject: '/CN=db.example.com', selfSigned: true, issuerKey: serverKey });

/** s_client's -groups names, the engine's, and OpenSSL's "Server Temp Key" name. */
const NAMES: Record<string, { engine: KeyExchangeGroup; temp: string }> = {
  X25519: { engine: 'x25519', temp: 'X25519' },
  'P-256': { engine: 'secp256r1', temp: 'prime256v1' },
  'P-384': { engine: 'secp384r1', temp: 'secp384r1' },
  X448: { engine: 'x448', temp: 'X448' },
};
const CLIENTS = ['X25519', 'P-256', 'P-384', 'X448', 'X25519:P-256', 'P-384:P-256', 'X448:P-384:X25519'];

/** What the model says s_client -groups `list` gets from a server with ssl_groups = `groups`. */
function predict(pg: PgOracle, groups: string | undefined) {
  const st = startServerTls({
    fs: nodeFs(),
    pgdata: pg.pgdata,
    settings: { ...SSL_DEFAULTS, ssl: true, groups },
    server: { uid: pg.pguid, gids: [] },
    pgVersion: 18,
  });
  if (!st.ok || !st.tls) throw new Error(`the model does not start: ${JSON.stringify(st.log)}`);
  const tls = st.tls;
  return (list: string) => {
    const offered = list.split(':').map((n) => NAMES[n].engine);
    const client = new TlsClient({ groups: offered, keyShareGroups: offered.slice(0, 1) });
    let eeGroups: number[] | undefined;
    const server = new TlsServer({
      certificate: { chain: tls.chain.map((c) => c.der), privateKey: tls.key },
      ...serverNegotiation(tls),
      extensions: (ctx, exts) => {
        if (ctx === 'encrypted_extensions') eeGroups = exts.find((e) => e.type === 'supported_groups')?.groups;
        return exts;
      },
    });
    const run = runHandshake(client, server);
    const done = run.clientEvents.find((e) => e.type === 'handshake_done');
    const sent = run.serverEvents.find((e) => e.type === 'alert_sent');
    const group = done?.type === 'handshake_done' ? done.negotiated.group : undefined;
    return {
      connected: !!done,
      group: group && Object.values(NAMES).find((n) => n.engine === group)!.temp,
      clientHellos: run.clientEvents.some((e) => e.type === 'hello_retry_request') ? 2 : 1,
      alert: sent?.type === 'alert_sent' ? sent.code : undefined,
      log: sent?.type === 'alert_sent' ? [`LOG:  could not accept SSL connection: ${sent.opensslReason}`] : [],
      eeGroups,
    };
  };
}

describe.skipIf(unavailable !== undefined)('ssl_groups: real PostgreSQL 18 and the model', () => {
  let pg: PgOracle | undefined;
  const files = { 'server.crt': { content: serverCert.pem }, 'server.key': { content: privateKeyPem(serverKey, 'pkcs8') } };
  const hba = 'hostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n';
  beforeAll(async () => {
    pg = await PgOracle.create({ version: 18 });
  }, 60_000);
  afterAll(() => pg?.destroy());

  const cases: { conf: string; groups: string | undefined }[] = [
    { conf: '', groups: undefined },
    { conf: "ssl_groups = 'P-384:P-256'\n", groups: 'P-384:P-256' },
    { conf: "ssl_ecdh_curve = 'secp384r1'\n", groups: 'secp384r1' },
    { conf: "ssl_groups = 'X448'\nssl_ecdh_curve = 'prime256v1'\n", groups: 'prime256v1' },
  ];
  for (const c of cases) {
    it(`${c.conf.trim().replace(/\n/g, '; ') || 'default ssl_groups (X25519:prime256v1)'}`, async () => {
      const st = pg!.apply({ files, sslConf: sslConfLines() + c.conf, hba });
      expect(st.started, st.log).toBe(true);
      const model = predict(pg!, c.groups);
      for (const list of CLIENTS) {
        await pg!.takeLog();
        const real = await sClient(pg!.port, { groups: list, extra: ['-tls1_3'] });
        // takeLog waits until the log has been quiet
        const log = (await pg!.takeLog()).split('\n').filter((l) => l.includes('could not accept SSL connection'));
        const ee = await sClientEncryptedExtensionGroups(pg!.port, list);
        expect({
          list,
          connected: real.connected,
          group: real.group,
          clientHellos: real.clientHellos,
          alert: real.alert,
          log,
          eeGroups: ee.groups,
        }).toEqual({ list, ...model(list) });
      }
    }, 120_000);
  }
});
