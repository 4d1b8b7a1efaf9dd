import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate, privateKeyPem, type ExtensionSpec } from '../../src/factory/index.js';
import { nodeFs } from '../../src/pg/fs-node.js';
import { simulate } from '../../src/pg/simulate.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { PgOracle, pgOracleUnavailable } from '../support/pg-oracle.js';

// When a signature in the peer's chain does not verify, libpq and the server print the
// first reason in OpenSSL's error queue, which depends on the algorithm and on the bytes
// the wrong key decrypts to ("invalid padding", "last octet invalid", "EVP lib"...), not
// "certificate verify failed". Each case makes a CA that has the right name but the wrong
// key, in both directions, and asks the real server + psql and simulate() the same thing.

const why = pgOracleUnavailable();
const key = (n: string) => parsePrivateKey(readFileSync(`vectors/keys/${n}.pem`));
const CA: ExtensionSpec[] = [{ type: 'basicConstraints', ca: true, critical: true }, { type: 'subjectKeyIdentifier' }];

const KINDS = [
  { name: 'RSA PKCS#1 v1.5', ca: 'rsa2048-1', wrong: 'rsa2048-2', leaf: 'rsa2048-3' },
  { name: 'RSA-PSS', ca: 'rsapss2048-1', wrong: 'rsa2048-4', leaf: 'rsa2048-5' },
  { name: 'ECDSA P-256', ca: 'p256-1', wrong: 'p256-2', leaf: 'p256-3' },
  { name: 'Ed25519', ca: 'ed25519-1', wrong: 'ed25519-2', leaf: 'ed25519-3' },
];

describe.skipIf(why !== undefined)(`signature failures: the OpenSSL error libpq and the server print${why ? ` (skipped: ${why})` : ''}`, () => {
  let o: PgOracle;
  let dir: string;
  const serverUser = { uid: 0, gids: [0] };
  beforeAll(async () => {
    o = await PgOracle.create({ users: ['alice'], databases: ['app'] });
    dir = mkdtempSync(join(tmpdir(), 'pgtls-sig-'));
    chmodSync(dir, 0o755);
    serverUser.uid = o.pguid;
    serverUser.gids = execFileSync('id', ['-G', 'postgres']).toString().trim().split(/\s+/).map(Number);
  });
  afterAll(() => o?.destroy());

  const compare = async (conninfo: string) => {
    const real = await o.psql(conninfo);
    const sim = simulate({ fs: nodeFs(), pgdata: o.pgdata, conninfo: `port=${o.port} hostaddr=127.0.0.1 ${conninfo}`, env: { HOME: dir }, osUser: 'root', clientUser: { uid: 0, gids: [0] }, serverUser });
    const realLog = real.serverLog.split('\n').filter((l) => /could not accept SSL connection/.test(l));
    const simLog = sim.serverLog.filter((l) => /could not accept SSL connection/.test(l));
    return { real: { ok: real.status === 0, stderr: real.stderr.trim().replace(/port \d+/, 'port N'), log: realLog }, sim: { ok: sim.ok, stderr: sim.psqlStderr.replace(/port \d+/, 'port N'), log: simLog } };
  };

  for (const k of KINDS) {
    it(`${k.name}: the client rejects the server's chain`, async () => {
      const ca = makeCertificate({ subject: '/CN=Signature Test CA', selfSigned: true, issuerKey: key(k.ca), extensions: CA });
      const impostor = makeCertificate({ subject: '/CN=Signature Test CA', selfSigned: true, issuerKey: key(k.wrong), extensions: CA });
      const leaf = makeCertificate({ subject: '/CN=db.example.com', subjectKey: key(k.leaf), issuerKey: key(k.ca), issuerCert: ca });
      writeFileSync(join(dir, 'impostor.crt'), impostor.pem);
      const st = o.apply({
        files: { 'server.crt': { content: leaf.pem }, 'server.key': { content: privateKeyPem(key(k.leaf), 'pkcs8') } },
        sslConf: "ssl=on\nssl_cert_file='server.crt'\nssl_key_file='server.key'\n",
        hba: 'hostssl all all 127.0.0.1/32 trust\n',
      });
      expect(st.started).toBe(true);
      const r = await compare(`host=db.example.com user=alice dbname=app sslmode=verify-ca sslrootcert=${join(dir, 'impostor.crt')}`);
      expect(r.real.ok).toBe(false);
      expect(r.sim).toEqual(r.real);
    });

    it(`${k.name}: the server rejects the client's certificate`, async () => {
      const ca = makeCertificate({ subject: '/CN=Signature Test Client CA', selfSigned: true, issuerKey: key(k.ca), extensions: CA });
      const impostor = makeCertificate({ subject: '/CN=Signature Test Client CA', selfSigned: true, issuerKey: key(k.wrong), extensions: CA });
      const server = makeCertificate({ subject: '/CN=db.example.com', selfSigned: true, issuerKey: key('p256-6') });
      const client = makeCertificate({ subject: '/CN=alice', subjectKey: key(k.leaf), issuerKey: key(k.ca), issuerCert: ca });
      writeFileSync(join(dir, 'client.crt'), client.pem);
      writeFileSync(join(dir, 'client.key'), privateKeyPem(key(k.leaf), 'pkcs8'));
      chmodSync(join(dir, 'client.key'), 0o600);
      const st = o.apply({
        files: { 'server.crt': { content: server.pem }, 'server.key': { content: privateKeyPem(key('p256-6'), 'pkcs8') }, 'ca.crt': { content: impostor.pem } },
        sslConf: "ssl=on\nssl_cert_file='server.crt'\nssl_key_file='server.key'\nssl_ca_file='ca.crt'\n",
        hba: 'hostssl all all 127.0.0.1/32 cert\n',
      });
      expect(st.started).toBe(true);
      const r = await compare(`host=db.example.com user=alice dbname=app sslmode=require sslcert=${join(dir, 'client.crt')} sslkey=${join(dir, 'client.key')}`);
      expect(r.real.ok).toBe(false);
      expect(r.sim).toEqual(r.real);
    });
  }
});
