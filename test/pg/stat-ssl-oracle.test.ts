// simulate()'s pg_stat_ssl row against real PostgreSQL 15 + psql: for each connection psql
// runs `SELECT ssl, version, cipher, bits, client_dn, client_serial, issuer_dn FROM
// pg_stat_ssl WHERE pid = pg_backend_pid()` (unaligned: `|` between fields, NULL empty) and
// simulate(), reading the same data directory, must predict that line exactly. Covered: no
// client certificate, short and multi-RDN DNs (UTF-8, RFC 2253 escapes), DNs and a serial
// longer than the 63 bytes pgstat_bestart keeps (one cut inside a UTF-8 character: the stored
// bytes checked with textsend, psql's output without the partial character), serials past 2^64, TLS 1.2 with RSA and ECDSA server keys, plain
// connections, and the FATAL a name attribute OpenSSL cannot name causes. Certificates come from our factory, keys from vectors/keys/. Skipped, with
// the reason, when PostgreSQL 15 is not installed.

import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, type MadeCertificate, type NameSpec } from '../../src/factory/index.js';
import { nodeFs } from '../../src/pg/fs-node.js';
import { simulate, type SimulateResult } from '../../src/pg/simulate.js';
import { namedataCut, postgresNameText, psqlUnaligned, type PgStatSslRow } from '../../src/pg/server/stat-ssl.js';
import { parseCertificate } from '../../src/x509/index.js';
import { toHex } from '../../src/der/index.js';
import { useGoldens } from '../support/golden-suite.js';
import { PgOracle, sslConfLines, type ServerFile, type StartResult } from '../support/pg-oracle.js';
import { fixedSerial, makeTestPki, vectorKey } from '../support/pki.js';

// recorded in vectors/oracle/stat-ssl-oracle/: replayed where PostgreSQL 15 is not installed (or with PGTLS_REPLAY=1)
const goldens = useGoldens('stat-ssl-oracle');
const unavailable = goldens.skip();
if (unavailable) console.warn(`stat-ssl-oracle: skipped, ${unavailable}`);

const QUERY = 'SELECT ssl, version, cipher, bits, client_dn, client_serial, issuer_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()';
const COLUMNS: (keyof PgStatSslRow)[] = ['ssl', 'version', 'cipher', 'bits', 'client_dn', 'client_serial', 'issuer_dn'];

const pki = makeTestPki();
const K = pki.keys;
const DAY = 86_400_000;
const now = Date.now();
const ecKey = vectorKey('p256-1');

// a client CA whose own name is longer than 63 bytes: issuer_dn is cut too
const longCa = makeCertificate({
  subject: [{ O: 'PostgreSQL Global Development Group' }, { CN: 'Test CA for pgtls client certificates with a long name' }],
  subjectKey: K.clientCa.key,
  issuerCert: pki.root,
  issuerKey: K.root.key,
  notBefore: new Date(now - 2 * DAY),
  notAfter: new Date(now + 3650 * DAY),
  extensions: [
    { type: 'subjectKeyIdentifier' },
    { type: 'authorityKeyIdentifier' },
    { type: 'basicConstraints', ca: true, critical: true },
  ],
});

const client = (subject: NameSpec, o: { serial?: bigint; issuer?: MadeCertificate } = {}): MadeCertificate =>
  makeCertificate({
    version: 1,
    subject,
    // fixed, as pg_stat_ssl shows it and the recording must not change from run to run
    serial: o.serial ?? fixedSerial(JSON.stringify([subject, o.issuer ? toHex(o.issuer.ref.name) : 'client CA'])),
    subjectKey: K.client.key,
    issuerCert: o.issuer ?? pki.clientCa,
    issuerKey: K.clientCa.key,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
  });

const CLIENTS: Record<string, MadeCertificate> = {
  short: client([{ CN: 'ssltestuser' }]),
  // several RDNs, one of them multi-valued (printed with '/' like the others); UTF-8 kept, RFC 2253 specials escaped
  multi: client([
    { C: 'DE' },
    { O: 'Mü, "ö" <&>' },
    [
      { type: 'OU', value: 'a+b' },
      { type: 'OU', value: '#x;' },
    ],
    { CN: ' é\\ ' },
  ]),
  // control character: \01
  ctrl: client([{ CN: 'tab\there' }, { O: '=x=' }]),
  long: client([{ O: 'PGDG' }, { OU: 'Engineering' }, { OU: 'Testing' }, { CN: 'ssltestuser-with-a-rather-long-common-name' }]),
  // byte 63 of "/CN=" + 58 x "x" + "éé..." is the first byte of an é
  cutUtf8: client([{ CN: `${'x'.repeat(58)}${'é'.repeat(10)}` }]),
  longIssuer: client([{ CN: 'ssltestuser' }], { issuer: longCa }),
  bigSerial: client([{ CN: 'ssltestuser' }], { serial: 2n ** 64n * 12345n + 6789n }),
  maxSerial: client([{ CN: 'ssltestuser' }], { serial: 2n ** 159n - 1n }),
  // 77 decimal digits: more than the 63 pg_stat_ssl keeps
  hugeSerial: client([{ CN: 'ssltestuser' }], { serial: 2n ** 255n - 19n }),
  negSerial: client([{ CN: 'ssltestuser' }], { serial: -4242n }),
  // T61String (Latin-1 octets, printed as UTF-8) and BMPString values
  t61bmp: client([
    { type: 'CN', value: 'ssl\u00e9user', as: 'teletex' },
    { type: 'O', value: 'Ωmega', as: 'bmp' },
  ]),
  // an attribute type OpenSSL has no NID for: X509_NAME_to_cstring raises an ERROR
  unknownOid: client([{ type: '1.3.6.1.4.1.55555.1', value: 'x' }, { CN: 'ssltestuser' }]),
};

// ---------------------------------------------------------------- setups
interface Conn {
  name: string;
  /** `C/` = the client file directory; port and hostaddr are added */
  conninfo: string;
  /** what the real row must show (so the scenario tests what it says it tests) */
  want?: Partial<Record<(typeof COLUMNS)[number], string | ((v: string) => boolean)>>;
  /** the connection fails: psql's stderr and the server's lines are compared instead */
  fails?: true;
}
interface Setup {
  name: string;
  files: Record<string, ServerFile>;
  sslConf: string;
  conns: Conn[];
}

const pem = (...xs: { pem: string }[]) => xs.map((x) => x.pem).join('');
const HBA = `hostssl   trustdb  all 127.0.0.1/32 trust
hostnossl nossldb  all 127.0.0.1/32 trust
hostnossl trustdb  all 127.0.0.1/32 trust
`;
const sslConf = (o: Record<string, string> = {}) => sslConfLines({ ssl_ca_file: 'ca.crt', ...o });
const caBundle = { 'ca.crt': { content: pem(pki.root, pki.clientCa, longCa) } };
const rsaServer = { 'server.crt': { content: pki.server.cnOnly.pem }, 'server.key': { content: K.server.pem }, ...caBundle };
const ecServerCert = makeCertificate({
  version: 1,
  subject: [{ CN: 'common-name.pg-ssltest.test' }],
  subjectKey: ecKey.key,
  issuerCert: pki.serverCa,
  issuerKey: K.serverCa.key,
  notBefore: new Date(now - DAY),
  notAfter: new Date(now + 365 * DAY),
});
const ecServer = { 'server.crt': { content: ecServerCert.pem }, 'server.key': { content: ecKey.pem }, ...caBundle };

const SSL = 'sslmode=require sslrootcert=invalid dbname=trustdb user=ssltestuser';
const withCert = (name: string) => `${SSL} sslcert=C/${name}.crt sslkey=C/client.key`;
const NO_CERT = `${SSL} sslcert=invalid sslkey=invalid`;

const SETUPS: Setup[] = [
  {
    name: 'TLS 1.3, RSA server key',
    files: rsaServer,
    sslConf: sslConf(),
    conns: [
      {
        name: 'no client certificate',
        conninfo: NO_CERT,
        want: { ssl: 't', version: 'TLSv1.3', client_dn: '', client_serial: '', issuer_dn: '' },
      },
      {
        name: 'client certificate, short CN',
        conninfo: withCert('short'),
        want: { client_dn: '/CN=ssltestuser', issuer_dn: '/CN=Test CA for pgtls client certs' },
      },
      {
        name: 'multi-RDN DN with UTF-8 and escapes',
        conninfo: withCert('multi'),
        want: { client_dn: '/C=DE/O=Mü\\, \\"ö\\" \\<&\\>/OU=\\#x\\;/OU=a\\+b/CN=\\ é\\\\\\ ' },
      },
      { name: 'control character in the DN', conninfo: withCert('ctrl'), want: { client_dn: (v) => v.includes('\\09') } },
      { name: 'T61String and BMPString values', conninfo: withCert('t61bmp'), want: { client_dn: '/CN=ssléuser/O=Ωmega' } },
      { name: 'DN longer than 63 bytes', conninfo: withCert('long'), want: { client_dn: (v) => bytes(v) === 63 } },
      { name: 'DN cut inside a UTF-8 character', conninfo: withCert('cutUtf8'), want: { client_dn: (v) => bytes(v) === 62 } },
      { name: 'issuer DN longer than 63 bytes', conninfo: withCert('longIssuer'), want: { issuer_dn: (v) => bytes(v) === 63 } },
      { name: 'serial above 2^64', conninfo: withCert('bigSerial'), want: { client_serial: String(2n ** 64n * 12345n + 6789n) } },
      { name: 'serial of 159 bits', conninfo: withCert('maxSerial'), want: { client_serial: String(2n ** 159n - 1n) } },
      {
        name: 'serial of 77 digits (cut at 63)',
        conninfo: withCert('hugeSerial'),
        want: { client_serial: String(2n ** 255n - 19n).slice(0, 63) },
      },
      { name: 'negative serial', conninfo: withCert('negSerial'), want: { client_serial: '-4242' } },
      {
        name: 'sslmode=disable: plain',
        conninfo: `sslmode=disable dbname=trustdb user=ssltestuser`,
        want: { ssl: 'f', version: '', cipher: '', bits: '', client_dn: '' },
      },
      {
        name: 'prefer, hostnossl only: plaintext retry',
        conninfo: `sslmode=prefer sslrootcert=invalid sslcert=C/short.crt sslkey=C/client.key dbname=nossldb user=ssltestuser`,
        want: { ssl: 'f' },
      },
      { name: 'unknown attribute type: FATAL at backend start', conninfo: withCert('unknownOid'), fails: true },
      {
        name: 'unknown attribute type, prefer: no plaintext retry',
        conninfo: withCert('unknownOid').replace('sslmode=require', 'sslmode=prefer'),
        fails: true,
      },
    ],
  },
  {
    name: 'TLS 1.3, ECDSA server key',
    files: ecServer,
    sslConf: sslConf(),
    conns: [
      {
        name: 'client certificate',
        conninfo: withCert('short'),
        want: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', bits: '256' },
      },
    ],
  },
  {
    name: 'server ssl_max_protocol_version=TLSv1.2, RSA server key',
    files: rsaServer,
    sslConf: sslConf({ ssl_max_protocol_version: 'TLSv1.2' }),
    conns: [
      { name: 'no client certificate', conninfo: NO_CERT, want: { version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-GCM-SHA384' } },
      { name: 'client certificate', conninfo: withCert('multi'), want: { version: 'TLSv1.2', client_dn: (v) => v.startsWith('/C=DE/O=') } },
    ],
  },
  {
    name: 'server ssl_max_protocol_version=TLSv1.2, ECDSA server key',
    files: ecServer,
    sslConf: sslConf({ ssl_max_protocol_version: 'TLSv1.2' }),
    conns: [
      {
        name: 'client certificate',
        conninfo: withCert('long'),
        want: { version: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384', bits: '256' },
      },
    ],
  },
];

// ---------------------------------------------------------------- run
let o: PgOracle;
let CDIR = '';
let serverUser = { uid: 0, gids: [0] };
const expand = (conninfo: string) => `port=${o.port} hostaddr=127.0.0.1 ${conninfo.replace(/C\//g, `${CDIR}/`)}`;
const sim = (conninfo: string): SimulateResult =>
  simulate({
    pgVersion: 15,
    fs: nodeFs(),
    pgdata: o.pgdata,
    conninfo: expand(conninfo),
    env: { HOME: join(o.root, 'empty-home') },
    osUser: 'root',
    clientUser: { uid: 0, gids: [0] },
    serverUser,
  });
const modelLine = (row: PgStatSslRow) => psqlUnaligned(row, { columns: COLUMNS });
const authorized = (log: string[]) => log.find((l) => l.includes('connection authorized'))?.replace(/^LOG:\s+/, '');
const tally = { rows: 0, agreed: 0 };
const bytes = (s: string) => new TextEncoder().encode(s).length;
/** the server's lines for one connection, client port normalized as simulate() writes it */
const normLog = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.replace(/port=\d+/g, 'port=<client port>'));

describe.skipIf(Boolean(unavailable))('pg_stat_ssl: simulate() vs PostgreSQL 15 + psql', () => {
  beforeAll(async () => {
    o = await PgOracle.create({ users: ['ssltestuser'], databases: ['trustdb', 'nossldb'] });
    serverUser = o.serverIdentity;
    CDIR = join(o.root, 'c');
    mkdirSync(CDIR, { recursive: true });
    const files: Record<string, { content: string; mode?: number }> = { 'client.key': { content: K.client.pem, mode: 0o600 } };
    for (const [name, c] of Object.entries(CLIENTS)) files[`${name}.crt`] = { content: c.pem };
    for (const [name, f] of Object.entries(files)) {
      const p = join(CDIR, name);
      writeFileSync(p, f.content);
      chownSync(p, 0, 0);
      chmodSync(p, f.mode ?? 0o644);
    }
  });
  afterAll(() => {
    o?.destroy();
    console.log(`stat-ssl-oracle: ${tally.agreed}/${tally.rows} pg_stat_ssl rows agree`);
  });

  for (const setup of SETUPS) {
    describe(setup.name, () => {
      let started: StartResult;
      beforeAll(() => {
        started = o.scenario(setup.name).apply({ files: setup.files, sslConf: setup.sslConf, hba: HBA });
      });
      for (const conn of setup.conns) {
        it(conn.name, async () => {
          tally.rows++;
          expect(started.started, started.log).toBe(true);
          const real = await o.psql(expand(conn.conninfo), { sql: QUERY });
          const r = sim(conn.conninfo);
          if (conn.fails) {
            expect(real.status).not.toBe(0);
            expect({ ok: r.ok, stderr: r.psqlStderr.trim(), log: r.connectionLog, row: r.pgStatSsl }).toEqual({
              ok: false,
              stderr: real.stderr.trim(),
              log: normLog(real.serverLog),
              row: undefined,
            });
            tally.agreed++;
            return;
          }
          expect(real.status, real.stderr).toBe(0);
          const line = real.stdout.replace(/\n$/, '');
          const fields = line.split('|');
          expect(fields).toHaveLength(COLUMNS.length);
          for (const [col, w] of Object.entries(conn.want ?? {})) {
            const v = fields[COLUMNS.indexOf(col as (typeof COLUMNS)[number])];
            if (typeof w === 'string') expect(v, col).toBe(w);
            else expect(w(v), `${col}: ${v}`).toBe(true);
          }
          expect(r.ok, r.psqlStderr).toBe(true);
          expect(r.pgStatSsl).toBeDefined();
          expect(modelLine(r.pgStatSsl!)).toBe(line);
          // the same TLS parameters in the log_connections line
          const realAuthorized = real.serverLog.split('\n').find((l) => l.includes('connection authorized'));
          expect(authorized(r.connectionLog)).toBe(realAuthorized?.replace(/^LOG:\s+/, ''));
          tally.agreed++;
        });
      }
    });
  }

  describe('byte for byte', () => {
    beforeAll(() => {
      o.scenario('byte for byte').apply({ files: rsaServer, sslConf: sslConf(), hba: HBA });
    });
    it('server_encoding is one that keeps the DN bytes as OpenSSL printed them', async () => {
      const r = await o.psql(expand(NO_CERT), { sql: 'SHOW server_encoding' });
      expect(['UTF8', 'SQL_ASCII']).toContain(r.stdout.trim());
    });
    for (const name of ['cutUtf8', 'multi', 'longIssuer']) {
      it(`${name}: the stored bytes are the first 63 of X509_NAME_to_cstring`, async () => {
        const cert = parseCertificate(CLIENTS[name].der);
        const real = await o.psql(expand(withCert(name)), {
          sql: "SELECT encode(textsend(client_dn), 'hex') || '|' || encode(textsend(issuer_dn), 'hex') FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        });
        expect(real.status, real.stderr).toBe(0);
        const bytes = (s: string) => toHex(new TextEncoder().encode(s).subarray(0, 63)).toLowerCase();
        expect(real.stdout.trim()).toBe(`${bytes(postgresNameText(cert.subject)!)}|${bytes(postgresNameText(cert.issuer)!)}`);
        if (name === 'cutUtf8') expect(namedataCut(postgresNameText(cert.subject)!).split).toBe(true);
      });
    }
  });
});
