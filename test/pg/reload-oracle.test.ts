import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate, makeCrl, privateKeyPem, type ExtensionSpec } from '../../src/factory/index.js';
import { nodeFs } from '../../src/pg/fs-node.js';
import { remapDir } from '../../src/pg/fs.js';
import { simulate } from '../../src/pg/simulate.js';
import { parseCertificate, parsePrivateKey } from '../../src/x509/index.js';
import { PgOracle, pgOracleUnavailable, type ServerSetup } from '../support/pg-oracle.js';
import { encryptedKeyPem } from '../support/pki.js';

// pg_ctl reload against real PostgreSQL 15: the server starts from setup A, the files are
// changed to setup B and reloaded. The lines the postmaster logs for the reload and what a
// psql connection then gets (the old SSL context when the new one fails, the old pg_hba when
// the new one has an error...) must be what simulate() says, given A as `startedWith`.

const why = pgOracleUnavailable();
const key = (n: string) => parsePrivateKey(readFileSync(`vectors/keys/${n}.pem`));
const CA: ExtensionSpec[] = [{ type: 'basicConstraints', ca: true, critical: true }, { type: 'subjectKeyIdentifier' }];
const SAN: ExtensionSpec[] = [{ type: 'subjectAltName', names: [{ dns: 'db.example.com' }] }];

const root = makeCertificate({ subject: '/CN=Reload Root', selfSigned: true, issuerKey: key('p256-1'), extensions: CA });
const other = makeCertificate({ subject: '/CN=Other Root', selfSigned: true, issuerKey: key('p256-4'), extensions: CA });
const server = makeCertificate({ subject: '/CN=db.example.com', subjectKey: key('p256-2'), issuerKey: key('p256-1'), issuerCert: root, extensions: SAN });
const server2 = makeCertificate({ subject: '/CN=db.example.com', subjectKey: key('p256-5'), issuerKey: key('p256-4'), issuerCert: other, extensions: SAN });
const client = makeCertificate({ subject: '/CN=alice', subjectKey: key('p256-3'), issuerKey: key('p256-1'), issuerCert: root });
const revoking = makeCrl({ issuerCert: root, issuerKey: key('p256-1'), revoked: [{ serial: parseCertificate(client.der).serial.value }] });

const SSL = "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nssl_ca_file = 'root.crt'\n";
const FILES: ServerSetup['files'] = {
  'server.crt': { content: server.pem },
  'server.key': { content: privateKeyPem(key('p256-2'), 'pkcs8') },
  'root.crt': { content: root.pem },
};
const A: ServerSetup = { files: FILES, sslConf: SSL, hba: 'hostssl all all 127.0.0.1/32 trust\n' };

const ENCRYPTED: ServerSetup = {
  ...A,
  files: { ...FILES, 'server.key': { content: encryptedKeyPem(privateKeyPem(key('p256-2'), 'pkcs8'), 'secret') } },
  sslConf: `${SSL}ssl_passphrase_command = 'echo secret'\n`,
};

interface Case {
  name: string;
  /** the setup the server starts with (default A) */
  a?: ServerSetup;
  b: ServerSetup;
  conninfo: string;
}
const CASES: Case[] = [
  { name: 'ssl_cert_file names a missing file: the old certificate stays', b: { ...A, sslConf: SSL.replace("'server.crt'", "'nope.crt'") }, conninfo: 'sslmode=verify-full sslrootcert=ROOT' },
  { name: 'a certificate from another CA loads: verify-full with the old root fails', b: { ...A, files: { ...FILES, 'server.crt': { content: server2.pem }, 'server.key': { content: privateKeyPem(key('p256-5'), 'pkcs8') } } }, conninfo: 'sslmode=verify-full sslrootcert=ROOT' },
  { name: 'a key that does not match the certificate: not reloaded', b: { ...A, files: { ...FILES, 'server.key': { content: privateKeyPem(key('p256-5'), 'pkcs8') } } }, conninfo: 'sslmode=verify-full sslrootcert=ROOT' },
  { name: 'a world-readable key: not reloaded', b: { ...A, files: { ...FILES, 'server.key': { content: privateKeyPem(key('p256-2'), 'pkcs8'), mode: 0o644 } } }, conninfo: 'sslmode=require' },
  { name: 'ssl = off: SSL is gone at once', b: { ...A, sslConf: SSL.replace('ssl = on', 'ssl = off') }, conninfo: 'sslmode=require' },
  { name: 'a pg_hba.conf error: the old lines stay', b: { ...A, hba: 'hostssl all all 127.0.0.1/32 bogus\n' }, conninfo: 'sslmode=require' },
  { name: 'pg_hba.conf now rejects', b: { ...A, hba: 'hostssl all all 127.0.0.1/32 reject\n' }, conninfo: 'sslmode=require' },
  { name: 'a syntax error in the included file: no changes applied', b: { ...A, sslConf: `${SSL.replace("'server.crt'", "'nope.crt'")}ssl_ciphers = 'x\n` }, conninfo: 'sslmode=verify-full sslrootcert=ROOT' },
  { name: 'an unknown parameter: no changes applied', b: { ...A, sslConf: `${SSL.replace('ssl = on', 'ssl = off')}bogus_setting = 1\n` }, conninfo: 'sslmode=require' },
  { name: 'port (restart only) and a bad enum beside a good change', b: { ...A, sslConf: `${SSL}port = 1\nssl_min_protocol_version = 'TLSv9'\nssl_ciphers = 'HIGH'\n` }, conninfo: 'sslmode=require' },
  { name: 'a CRL revoking the client certificate, with clientcert=verify-full', b: { ...A, files: { ...FILES, 'root.crl': { content: revoking.pem } }, sslConf: `${SSL}ssl_crl_file = 'root.crl'\n`, hba: 'hostssl all all 127.0.0.1/32 trust clientcert=verify-full\n' }, conninfo: 'sslmode=require sslcert=CLIENT sslkey=CLIENTKEY' },
  { name: 'nothing changed', b: A, conninfo: 'sslmode=verify-full sslrootcert=ROOT' },
  { name: 'a passphrase-protected key without ssl_passphrase_command_supports_reload: not reloaded', a: ENCRYPTED, b: ENCRYPTED, conninfo: 'sslmode=verify-full sslrootcert=ROOT' },
  {
    name: 'a passphrase-protected key with ssl_passphrase_command_supports_reload = on: reloaded',
    a: { ...ENCRYPTED, sslConf: `${ENCRYPTED.sslConf}ssl_passphrase_command_supports_reload = on\n` },
    b: { ...ENCRYPTED, sslConf: `${ENCRYPTED.sslConf}ssl_passphrase_command_supports_reload = on\n` },
    conninfo: 'sslmode=verify-full sslrootcert=ROOT',
  },
];

describe.skipIf(why !== undefined)(`pg_ctl reload: real PostgreSQL 15 vs simulate${why ? ` (skipped: ${why})` : ''}`, () => {
  let o: PgOracle;
  let dir: string;
  const serverUser = { uid: 0, gids: [0] };
  beforeAll(async () => {
    o = await PgOracle.create({ users: ['alice'], databases: ['app'] });
    dir = mkdtempSync(join(tmpdir(), 'pgtls-reload-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'root.crt'), root.pem);
    writeFileSync(join(dir, 'client.crt'), client.pem);
    writeFileSync(join(dir, 'client.key'), privateKeyPem(key('p256-3'), 'pkcs8'));
    chmodSync(join(dir, 'client.key'), 0o600);
    serverUser.uid = o.pguid;
    serverUser.gids = execFileSync('id', ['-G', 'postgres']).toString().trim().split(/\s+/).map(Number);
  });
  afterAll(() => o?.destroy());

  /** the top-level files of the data directory as the server started with them (cp -p keeps owner and mode) */
  const snapshot = (): string => {
    const before = mkdtempSync(join(tmpdir(), 'pgtls-before-'));
    const files = readdirSync(o.pgdata).filter((f) => statSync(join(o.pgdata, f)).isFile());
    execFileSync('cp', ['-p', ...files.map((f) => join(o.pgdata, f)), before]);
    return before;
  };

  for (const c of CASES) {
    it(c.name, async () => {
      // a fresh start from A each time, so every case reloads the same running state
      for (const f of ['root.crl']) rmSync(join(o.pgdata, f), { force: true });
      expect(o.apply(c.a ?? A).started).toBe(true);
      const before = snapshot();
      const realReload = (await o.reload(c.b)).split('\n').filter(Boolean);
      const conninfo = `host=db.example.com user=alice dbname=app ${c.conninfo}`
        .replace('ROOT', join(dir, 'root.crt'))
        .replace('CLIENTKEY', join(dir, 'client.key'))
        .replace('CLIENT', join(dir, 'client.crt'));
      const real = await o.psql(conninfo);
      const sim = simulate({
        fs: nodeFs(),
        startedWith: remapDir(nodeFs(), o.pgdata, before),
        pgdata: o.pgdata,
        conninfo: `port=${o.port} hostaddr=127.0.0.1 ${conninfo}`,
        env: { HOME: dir },
        osUser: 'root',
        clientUser: { uid: 0, gids: [0] },
        serverUser,
      });
      rmSync(before, { recursive: true, force: true });
      const from = sim.serverLog.indexOf('LOG:  received SIGHUP, reloading configuration files');
      const simReload = sim.serverLog.slice(from, sim.serverLog.length - sim.connectionLog.length);
      const norm = (s: string) => s.trim().replace(/port \d+/, 'port N');
      const fatal = (lines: string[]) => lines.filter((l) => /^(FATAL|DETAIL|LOG:  could not accept)/.test(l));
      expect({ reload: simReload, ok: sim.ok, stderr: norm(sim.psqlStderr), log: fatal(sim.connectionLog) }).toEqual({
        reload: realReload,
        ok: real.status === 0,
        stderr: norm(real.stderr),
        log: fatal(real.serverLog.split('\n')),
      });
    });
  }
});
