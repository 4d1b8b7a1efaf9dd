import { describe, expect, it } from 'vitest';
import { chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertificate, makeCrl, makeHierarchy, privateKeyPem, type ExtensionSpec } from '../../src/factory/index.js';
import { checkServer } from '../../src/pg/check.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { nodeFs } from '../../src/pg/fs-node.js';
import { simulate, type SimulateInput } from '../../src/pg/simulate.js';
import type { ServerFile } from '../support/pg-oracle.js';
import { psqlAsGiven } from '../support/psql-as-given.js';
import { useGoldens } from '../support/golden-suite.js';
import { useSimVsReal } from '../support/sim-vs-real.js';

// What real PostgreSQL 15 (Debian, OpenSSL 3.0) does at start-up that simulate() must say
// too, byte for byte: the security level applied to server.crt, files whose base64 does not
// decode, directories given as files, unknown settings; and what psql prints when the server
// is not running. Each case starts the real server with the files, then runs simulate() on
// the same data directory.

// recorded in vectors/oracle/startup-fidelity-oracle/: replayed where PostgreSQL 15 is not installed (or with PGTLS_REPLAY=1)
const goldens = useGoldens('startup-fidelity-oracle');
const why = goldens.skip();
const key = (n: string) => parsePrivateKey(readFileSync(`vectors/keys/${n}.pem`));
const CA: ExtensionSpec[] = [{ type: 'basicConstraints', ca: true, critical: true }, { type: 'subjectKeyIdentifier' }];
const SSL_CONF = "ssl=on\nssl_cert_file='server.crt'\nssl_key_file='server.key'\n";
const HBA = 'hostssl all all 127.0.0.1/32 trust\n';

const root = makeCertificate({ subject: '/CN=Fidelity Root', selfSigned: true, issuerKey: key('rsa2048-1'), extensions: CA });
const leafKey = key('rsa2048-2');
const leaf = (opts: { signatureAlgorithm?: string } = {}) =>
  makeCertificate({ subject: '/CN=localhost', subjectKey: leafKey, issuerKey: key('rsa2048-1'), issuerCert: root, ...opts });
const LEAF_KEY = privateKeyPem(leafKey, 'pkcs8');

/** A PEM file with one base64 line broken by characters outside the alphabet. */
function brokenBase64(pem: string): string {
  const lines = pem.split('\n');
  lines[2] = `${lines[2].slice(0, 10)}!!@@${lines[2].slice(14)}`;
  return lines.join('\n');
}

/** The log from the FATAL on, without the postmaster's closing line. */
const fatalBlock = (lines: string[]) => {
  const i = lines.findIndex((l) => l.startsWith('FATAL:'));
  return i < 0 ? [] : lines.slice(i).filter((l) => l !== 'LOG:  database system is shut down');
};

describe.skipIf(why !== undefined)(`server start-up and psql against real PostgreSQL 15${why ? ` (skipped: ${why})` : ''}`, () => {
  const t = useSimVsReal({ logLines: /could not accept SSL connection|FATAL|DETAIL/ });
  const serverUser = () => ({ uid: t.oracle.pguid, gids: [t.oracle.pggid] });
  const sim = (extra: Partial<SimulateInput> = {}) =>
    simulate({
      pgVersion: 15,
      fs: nodeFs(),
      pgdata: t.oracle.pgdata,
      conninfo: `port=${t.oracle.port} host=localhost hostaddr=127.0.0.1 user=alice dbname=app sslmode=require`,
      env: { HOME: t.dir },
      osUser: 'root',
      clientUser: { uid: 0, gids: [0] },
      serverUser: serverUser(),
      startupOnly: true,
      ...extra,
    });

  /** Start the real server with these files; simulate() must agree on whether it starts and on its FATAL. */
  const startsLikeReal = (files: Record<string, ServerFile>, sslConf: string, dirs: string[] = []) => {
    for (const d of dirs) {
      mkdirSync(join(t.oracle.pgdata, d), { recursive: true });
      chownSync(join(t.oracle.pgdata, d), t.oracle.pguid, t.oracle.pggid);
    }
    const real = t.oracle.apply({ files, sslConf, hba: HBA });
    const s = sim();
    for (const d of dirs) rmSync(join(t.oracle.pgdata, d), { recursive: true, force: true });
    const realLog = real.log.split('\n').filter(Boolean);
    expect(s.serverStarted, real.log).toBe(real.started);
    expect(fatalBlock(s.serverLog)).toEqual(fatalBlock(realLog));
    return { real, sim: s, fatal: fatalBlock(realLog) };
  };

  describe('the security level applies to server.crt when it loads (ssl_security_cert)', () => {
    it('an RSA-1024 server key: "ee key too small"', () => {
      const weak = makeCertificate({ subject: '/CN=localhost', selfSigned: true, issuerKey: key('rsa1024-1') });
      const r = startsLikeReal(
        { 'server.crt': { content: weak.pem }, 'server.key': { content: privateKeyPem(key('rsa1024-1'), 'pkcs8') } },
        SSL_CONF,
      );
      expect(r.fatal).toEqual(['FATAL:  could not load server certificate file "server.crt": ee key too small']);
      // level 1 (OpenSSL 1.1, upstream 3.0 builds) takes an 80-bit key: the server would start
      expect(sim({ securityLevel: 1 }).serverStarted).toBe(true);
    });

    it('a leaf signed with SHA-1: "ca md too weak"', () => {
      const r = startsLikeReal(
        { 'server.crt': { content: leaf({ signatureAlgorithm: 'sha1WithRSAEncryption' }).pem }, 'server.key': { content: LEAF_KEY } },
        SSL_CONF,
      );
      expect(r.fatal).toEqual(['FATAL:  could not load server certificate file "server.crt": ca md too weak']);
      // SHA-1 counts 63 bits: level 1 refuses it too, level 0 does not
      expect(sim({ securityLevel: 1 }).serverStarted).toBe(false);
      expect(sim({ securityLevel: 0 }).serverStarted).toBe(true);
    });

    it('a self-signed certificate signed with SHA-1 starts (its signature is not checked)', () => {
      const self = makeCertificate({
        subject: '/CN=localhost',
        selfSigned: true,
        issuerKey: leafKey,
        signatureAlgorithm: 'sha1WithRSAEncryption',
      });
      const r = startsLikeReal({ 'server.crt': { content: self.pem }, 'server.key': { content: LEAF_KEY } }, SSL_CONF);
      expect(r.real.started).toBe(true);
    });

    it('the certificates after the leaf in server.crt: "ca key too small", "ca md too weak"', () => {
      const weakCa = makeCertificate({ subject: '/CN=Weak CA', selfSigned: true, issuerKey: key('rsa1024-1'), extensions: CA });
      const sha1Ca = makeCertificate({
        subject: '/CN=SHA-1 CA',
        subjectKey: key('rsa2048-3'),
        issuerKey: key('rsa2048-1'),
        issuerCert: root,
        extensions: CA,
        signatureAlgorithm: 'sha1WithRSAEncryption',
      });
      const files = (extra: string) => ({ 'server.crt': { content: leaf().pem + extra }, 'server.key': { content: LEAF_KEY } });
      expect(startsLikeReal(files(weakCa.pem), SSL_CONF).fatal).toEqual([
        'FATAL:  could not load server certificate file "server.crt": ca key too small',
      ]);
      expect(startsLikeReal(files(sha1Ca.pem), SSL_CONF).fatal).toEqual([
        'FATAL:  could not load server certificate file "server.crt": ca md too weak',
      ]);
    });

    it('@SECLEVEL=0 in ssl_ciphers does not rescue server.crt: the level is applied before the cipher list', () => {
      const r = startsLikeReal(
        { 'server.crt': { content: leaf({ signatureAlgorithm: 'sha1WithRSAEncryption' }).pem }, 'server.key': { content: LEAF_KEY } },
        `${SSL_CONF}ssl_ciphers='HIGH:MEDIUM:+3DES:!aNULL:@SECLEVEL=0'\n`,
      );
      expect(r.real.started).toBe(false);
    });

    it('libpq refuses an RSA-1024 client certificate when it loads it: "could not read certificate file"', async () => {
      const ca = makeCertificate({ subject: '/CN=Fidelity Client CA', selfSigned: true, issuerKey: key('p256-1'), extensions: CA });
      const client = makeCertificate({ subject: '/CN=alice', subjectKey: key('rsa1024-1'), issuerKey: key('p256-1'), issuerCert: ca });
      const r = await t.compareCertAuth(client.pem, key('rsa1024-1'), ca.pem);
      expect(r.started).toBe(true);
      expect(r.real.stderr).toMatch(/could not read certificate file ".*client\.crt": ee key too small/);
      expect(r.sim).toEqual(r.real);
    });

    it('a client chain through an RSA-1024 CA: refused at level 2, accepted with @SECLEVEL=1 in ssl_ciphers', async () => {
      const weakCa = makeCertificate({ subject: '/CN=Weak Client CA', selfSigned: true, issuerKey: key('rsa1024-1'), extensions: CA });
      const client = makeCertificate({ subject: '/CN=alice', subjectKey: key('p256-2'), issuerKey: key('rsa1024-1'), issuerCert: weakCa });
      const refused = await t.compareCertAuth(client.pem, key('p256-2'), weakCa.pem);
      expect(refused.real.ok).toBe(false);
      expect(refused.sim).toEqual(refused.real);
      // the same with @SECLEVEL=1: compareCertAuth's set-up, then the cipher string added
      const conf = join(t.oracle.pgdata, 'sslconfig.conf');
      const sslConf = readFileSync(conf, 'utf8');
      writeFileSync(conf, `${sslConf}ssl_ciphers='HIGH:MEDIUM:+3DES:!aNULL:@SECLEVEL=1'\n`);
      t.oracle.stop();
      expect(t.oracle.start().started).toBe(true);
      const accepted = await t.compare(
        `host=db.example.com user=alice dbname=app sslmode=require sslcert=${join(t.dir, 'client.crt')} sslkey=${join(t.dir, 'client.key')}`,
      );
      expect(accepted.real.ok).toBe(true);
      expect(accepted.sim).toEqual(accepted.real);
    });
  });

  describe('files OpenSSL cannot read', () => {
    const good = { 'server.crt': { content: leaf().pem }, 'server.key': { content: LEAF_KEY } };
    const crl = () => makeCrl({ issuerCert: root, issuerKey: key('rsa2048-1') }).pem;

    it('broken base64: "bad base64 decode" for certificates, CA and CRL files; "unsupported" for the key', () => {
      const cases: [Record<string, ServerFile>, string, string][] = [
        [
          { ...good, 'server.crt': { content: brokenBase64(leaf().pem) } },
          SSL_CONF,
          'could not load server certificate file "server.crt": bad base64 decode',
        ],
        // a broken block after a good one stops the reader too
        [
          { ...good, 'server.crt': { content: leaf().pem + brokenBase64(root.pem) } },
          SSL_CONF,
          'could not load server certificate file "server.crt": bad base64 decode',
        ],
        [
          { ...good, 'server.key': { content: brokenBase64(LEAF_KEY) } },
          SSL_CONF,
          'could not load private key file "server.key": unsupported',
        ],
        [
          { ...good, 'ca.crt': { content: brokenBase64(root.pem) } },
          `${SSL_CONF}ssl_ca_file='ca.crt'\n`,
          'could not load root certificate file "ca.crt": bad base64 decode',
        ],
        [
          { ...good, 'root.crl': { content: brokenBase64(crl()) } },
          `${SSL_CONF}ssl_crl_file='root.crl'\n`,
          'could not load SSL certificate revocation list file "root.crl": bad base64 decode',
        ],
      ];
      for (const [files, conf, fatal] of cases) expect(startsLikeReal(files, conf).fatal).toEqual([`FATAL:  ${fatal}`]);
    });

    it('broken base64 on the client: sslrootcert and sslcert', async () => {
      t.oracle.apply({ files: good, sslConf: SSL_CONF, hba: HBA });
      writeFileSync(join(t.dir, 'bad-root.crt'), brokenBase64(root.pem));
      writeFileSync(join(t.dir, 'bad-client.crt'), brokenBase64(leaf().pem));
      writeFileSync(join(t.dir, 'client.key'), LEAF_KEY, { mode: 0o600 });
      for (const conninfo of [
        `host=localhost user=alice dbname=app sslmode=verify-ca sslrootcert=${join(t.dir, 'bad-root.crt')}`,
        `host=localhost user=alice dbname=app sslmode=require sslcert=${join(t.dir, 'bad-client.crt')} sslkey=${join(t.dir, 'client.key')}`,
      ]) {
        const r = await t.compare(conninfo);
        expect(r.real.stderr).toMatch(/bad base64 decode$/);
        expect(r.sim).toEqual(r.real);
      }
    });

    it('a directory given as ssl_cert_file, ssl_key_file, ssl_ca_file or ssl_crl_file', () => {
      const cases: [Record<string, ServerFile>, string, string][] = [
        [
          { 'server.key': good['server.key'] },
          "ssl=on\nssl_cert_file='adir'\nssl_key_file='server.key'\n",
          'could not load server certificate file "adir": no start line',
        ],
        [
          { 'server.crt': good['server.crt'] },
          "ssl=on\nssl_cert_file='server.crt'\nssl_key_file='adir'\n",
          'private key file "adir" is not a regular file',
        ],
        [good, `${SSL_CONF}ssl_ca_file='adir'\n`, 'could not load root certificate file "adir": no certificate or crl found'],
        [
          good,
          `${SSL_CONF}ssl_crl_file='adir'\n`,
          'could not load SSL certificate revocation list file "adir": no certificate or crl found',
        ],
      ];
      for (const [files, conf, fatal] of cases) {
        const r = startsLikeReal(files, conf, ['adir']);
        expect(r.fatal).toEqual([`FATAL:  ${fatal}`]);
        // the fix speaks of the directory, not of a missing file
        expect(r.sim.fix ?? '').not.toMatch(/^put the /);
      }
    });

    it('a directory given as sslrootcert or sslcert', async () => {
      t.oracle.apply({ files: good, sslConf: SSL_CONF, hba: HBA });
      mkdirSync(join(t.dir, 'adir'), { recursive: true });
      writeFileSync(join(t.dir, 'client.key'), LEAF_KEY, { mode: 0o600 });
      for (const conninfo of [
        `host=localhost user=alice dbname=app sslmode=verify-ca sslrootcert=${join(t.dir, 'adir')}`,
        `host=localhost user=alice dbname=app sslmode=require sslcert=${join(t.dir, 'adir')} sslkey=${join(t.dir, 'client.key')}`,
      ]) {
        const r = await t.compare(conninfo);
        expect(r.real.ok).toBe(false);
        expect(r.sim).toEqual(r.real);
      }
    });
  });

  describe('postgresql.conf', () => {
    const good = { 'server.crt': { content: leaf().pem }, 'server.key': { content: LEAF_KEY } };
    // before the configuration is read the server logs with its default log_line_prefix ('%m [%p] ')
    const unprefixed = (lines: string[]) => lines.map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[\d+\] /, ''));

    it('an unknown setting stops the server: "unrecognized configuration parameter", then the FATAL', () => {
      const real = t.oracle.apply({ files: good, sslConf: `${SSL_CONF}ssl_bogus = 1\n`, hba: HBA });
      const s = sim();
      const conf = join(t.oracle.pgdata, 'sslconfig.conf');
      const want = [
        `LOG:  unrecognized configuration parameter "ssl_bogus" in file "${conf}" line 4`,
        `FATAL:  configuration file "${conf}" contains errors`,
      ];
      expect(real.started).toBe(false);
      expect(unprefixed(real.log.split('\n').filter(Boolean)).slice(-2)).toEqual(want);
      expect(s.serverStarted).toBe(false);
      expect(s.serverLog.slice(-2)).toEqual(want);
    });

    it('a custom placeholder (a name with a dot) is accepted', () => {
      const real = t.oracle.apply({ files: good, sslConf: `${SSL_CONF}foo.bar = 1\n`, hba: HBA });
      expect(real.started).toBe(true);
      expect(sim().serverStarted).toBe(true);
    });
  });

  describe('psql when the server did not start', () => {
    it('prints "Connection refused" (TCP) or "No such file or directory" (socket); the FATAL is in the server log only, once', async () => {
      const weak = makeCertificate({ subject: '/CN=localhost', selfSigned: true, issuerKey: key('rsa1024-1') });
      const st = t.oracle.apply({
        files: { 'server.crt': { content: weak.pem }, 'server.key': { content: privateKeyPem(key('rsa1024-1'), 'pkcs8') } },
        sslConf: SSL_CONF,
        hba: HBA,
      });
      expect(st.started).toBe(false);
      const fatal = 'FATAL:  could not load server certificate file "server.crt": ee key too small';
      for (const conninfo of [
        'host=localhost user=alice dbname=app sslmode=require',
        'host=127.0.0.1 user=alice dbname=app',
        'user=alice dbname=app sslmode=verify-full',
      ]) {
        const r = await t.compare(conninfo);
        expect(r.real.ok).toBe(false);
        expect(r.real.stderr).toMatch(/Connection refused\n\tIs the server running on that host and accepting TCP\/IP connections\?$/);
        // the comparison's sim log is the whole server log, start-up FATAL included; the real one is what this psql run added: nothing
        expect(r.real.log).toEqual([]);
        expect({ ok: r.sim.ok, stderr: r.sim.stderr }).toEqual({ ok: r.real.ok, stderr: r.real.stderr });
      }
      // a Unix socket: psql run directly (PgOracle.psql would add hostaddr)
      const sock = await psqlAsGiven(t.oracle, `host=${t.oracle.root} port=${t.oracle.port} user=alice dbname=app`, { home: t.dir });
      const s = simulate({
        pgVersion: 15,
        fs: nodeFs(),
        pgdata: t.oracle.pgdata,
        conninfo: `host=${t.oracle.root} port=${t.oracle.port} user=alice dbname=app`,
        env: { HOME: t.dir },
        osUser: 'root',
        clientUser: { uid: 0, gids: [0] },
        serverUser: serverUser(),
      });
      expect(sock.status).toBe(2);
      expect(s.psqlStderr).toBe(sock.stderr.trim());
      expect(s.serverStarted).toBe(false);
      expect(s.serverFatal).toBe(fatal.slice('FATAL:  '.length));
      expect(s.serverLog.filter((l) => l === fatal)).toHaveLength(1);
      expect(s.message).not.toMatch(/FATAL|ee key too small/);
      expect(s.psqlStderr).not.toMatch(/FATAL|ee key too small/);
    });
  });

  describe('pgtls check: chain-incomplete only when a client holding the root cannot verify', () => {
    it('root-server and a bundled chain connect with verify-ca and get no warning; a leaf without its intermediate fails and gets one', async () => {
      const keys = { root: key('rsa2048-1'), intermediate: key('rsa2048-3'), server: leafKey };
      const rs = makeHierarchy('root-server', { cn: 'localhost', keys });
      const ch = makeHierarchy('chain', { cn: 'localhost', keys });
      const setups: [string, Record<string, ServerFile>, string][] = [
        ['root-server', { 'server.crt': { content: rs.serverCrtPem }, 'root.crt': { content: rs.rootCrtPem } }, rs.rootCrtPem],
        ['chain, bundled', { 'server.crt': { content: ch.serverCrtPem }, 'root.crt': { content: ch.rootCrtPem } }, ch.rootCrtPem],
        [
          'chain, leaf only',
          {
            'server.crt': { content: ch.server.cert.pem },
            'intermediate.crt': { content: ch.intermediate!.cert.pem },
            'root.crt': { content: ch.rootCrtPem },
          },
          ch.rootCrtPem,
        ],
      ];
      for (const [label, files, rootPem] of setups) {
        for (const f of ['root.crt', 'intermediate.crt']) rmSync(join(t.oracle.pgdata, f), { force: true });
        expect(
          t.oracle.apply({ files: { ...files, 'server.key': { content: LEAF_KEY } }, sslConf: SSL_CONF, hba: HBA }).started,
          label,
        ).toBe(true);
        writeFileSync(join(t.dir, 'client-root.crt'), rootPem);
        const r = await t.compare(`host=localhost user=alice dbname=app sslmode=verify-ca sslrootcert=${join(t.dir, 'client-root.crt')}`);
        expect(r.sim, label).toEqual(r.real);
        const report = checkServer({
          pgVersion: 15,
          fs: nodeFs(),
          pgdata: t.oracle.pgdata,
          serverUser: serverUser(),
          hosts: ['localhost'],
        });
        expect(
          report.warnings.some((w) => w.code === 'chain-incomplete'),
          label,
        ).toBe(!r.real.ok);
      }
    });
  });

  describe('fixes that work when applied to the real server', () => {
    it('host=127.0.0.1 and a certificate naming localhost: the fix is subjectAltName IP:127.0.0.1, and it works', async () => {
      const named = makeCertificate({
        subject: '/CN=localhost',
        subjectKey: leafKey,
        issuerKey: key('rsa2048-1'),
        issuerCert: root,
        extensions: [{ type: 'subjectAltName', names: [{ dns: 'localhost' }] }],
      });
      writeFileSync(join(t.dir, 'client-root.crt'), root.pem);
      const conninfo = `host=127.0.0.1 user=alice dbname=app sslmode=verify-full sslrootcert=${join(t.dir, 'client-root.crt')}`;
      expect(
        t.oracle.apply({
          files: { 'server.crt': { content: named.pem }, 'server.key': { content: LEAF_KEY } },
          sslConf: SSL_CONF,
          hba: HBA,
        }).started,
      ).toBe(true);
      const before = await t.compare(conninfo);
      expect(before.real.ok).toBe(false);
      expect(before.sim).toEqual(before.real);
      const fix = sim({ startupOnly: false, conninfo: `port=${t.oracle.port} hostaddr=127.0.0.1 ${conninfo}` }).fix ?? '';
      expect(fix).toMatch(/subjectAltName IP:127\.0\.0\.1$/);
      const fixed = makeCertificate({
        subject: '/CN=localhost',
        subjectKey: leafKey,
        issuerKey: key('rsa2048-1'),
        issuerCert: root,
        extensions: [{ type: 'subjectAltName', names: [{ ip: '127.0.0.1' }] }],
      });
      expect(
        t.oracle.apply({
          files: { 'server.crt': { content: fixed.pem }, 'server.key': { content: LEAF_KEY } },
          sslConf: SSL_CONF,
          hba: HBA,
        }).started,
      ).toBe(true);
      const after = await t.compare(conninfo);
      expect(after.real.ok).toBe(true);
      expect(after.sim).toEqual(after.real);
    });

    it('an intermediate the server does not send: the first fix is to append it to server.crt, and it works', async () => {
      const ch = makeHierarchy('chain', {
        cn: 'localhost',
        keys: { root: key('rsa2048-1'), intermediate: key('rsa2048-3'), server: leafKey },
      });
      writeFileSync(join(t.dir, 'client-root.crt'), ch.rootCrtPem);
      const conninfo = `host=localhost user=alice dbname=app sslmode=verify-ca sslrootcert=${join(t.dir, 'client-root.crt')}`;
      const files = (crt: string) => ({
        'server.crt': { content: crt },
        'server.key': { content: LEAF_KEY },
        'intermediate.crt': { content: ch.intermediate!.cert.pem },
      });
      expect(t.oracle.apply({ files: files(ch.server.cert.pem), sslConf: SSL_CONF, hba: HBA }).started).toBe(true);
      const before = await t.compare(conninfo);
      expect(before.real.ok).toBe(false);
      expect(before.sim).toEqual(before.real);
      const fix = sim({ startupOnly: false, conninfo: `port=${t.oracle.port} hostaddr=127.0.0.1 ${conninfo}` }).fix ?? '';
      expect(fix).toMatch(
        /^the server does not send the intermediate ".*" \(in intermediate\.crt\) .*: append it to server\.crt after the leaf .*; or else add it to the client's sslrootcert$/,
      );
      expect(t.oracle.apply({ files: files(ch.server.cert.pem + ch.intermediate!.cert.pem), sslConf: SSL_CONF, hba: HBA }).started).toBe(
        true,
      );
      const after = await t.compare(conninfo);
      expect(after.real.ok).toBe(true);
      expect(after.sim).toEqual(after.real);
      rmSync(join(t.oracle.pgdata, 'intermediate.crt'), { force: true });
    });
  });
});
