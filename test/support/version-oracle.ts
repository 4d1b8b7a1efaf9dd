// simulate() against every installed PostgreSQL major (13..18), scenario by scenario: a
// representative subset of test/pg/simulate-oracle.test.ts (start-up failures, sslmode and
// root files, verify-ca/verify-full failures, client certificates, wrong CA, CRL revocation,
// host names, protocol versions) plus the cases where the versions differ (clientcert=1/0,
// clientname=, sslcrldir, sslcertmode, sslnegotiation, IP SANs). One cluster per version
// (PgOracle), Debian's psql 15 binary speaking through that version's libpq, and
// simulate({ pgVersion, opensslVersion, pgWrapper }) over the very same data directory.
// Compared exactly: the verdict, psql's stderr, and the server log lines of the connection
// (client port normalised); a start-up compares every line the server logs but its routine
// ones (starting, listening on, database system is ...).
// Beyond the setups, each suite the PostgreSQL 15 oracle files run has a per-version set here
// (`suite`): pg_ctl reload (the reload's log lines, then a connection), the pg_stat_ssl row
// psql prints, the service and password files, Unix-socket connections (psql as given, no
// hostaddr), pg_hba regular expressions and include records (16+; older servers show their
// own error), and sslrootcert=system with SSL_CERT_FILE / SSL_CERT_DIR (16+).
// Used by test/pg/versions-oracle.test.ts (a subset: VERSION_SUBSET) and scripts/oracle.ts
// (npm run oracle: everything).

import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFs } from '../../src/pg/fs-node.js';
import { remapDir } from '../../src/pg/fs.js';
import { psqlUnaligned } from '../../src/pg/server/stat-ssl.js';
import { simulate, type SimulateResult } from '../../src/pg/simulate.js';
import { type PgBuild, PgOracle, pgInstall, sslConfLines, type ServerFile } from './pg-oracle.js';
import { psqlAsGiven } from './psql-as-given.js';
import { makeCertificate } from '../../src/factory/index.js';
import { nameHash, parseCertificate } from '../../src/x509/index.js';
import { fixedSerial, makeTestPki } from './pki.js';

const pki = makeTestPki();
const K = pki.keys;
const pem = (...xs: { pem: string }[]) => xs.map((x) => x.pem).join('');
/** OpenSSL's hashed-directory name of a CA certificate (SSL_CERT_DIR) */
const certHash = (c: { der: Uint8Array }) => `${nameHash(parseCertificate(c.der).subject)}.0`;

/** the password the oracle sets for PW_USER (SCRAM), and what simulate() is told it is */
const PW_USER = 'pwuser';
const PW = 'secret';

/** the client's files, root-owned, in C/ */
const CLIENT_FILES: Record<string, { content: string; mode?: number }> = {
  'root+server_ca.crt': { content: pem(pki.root, pki.serverCa) },
  'root_ca.crt': { content: pki.root.pem },
  'client_ca.crt': { content: pki.clientCa.pem },
  'garbage.crt': { content: 'this is not a certificate\n' },
  'client.crt': { content: pki.client.plain.pem },
  'client.key': { content: K.client.pem, mode: 0o600 },
  'client_wrongperms.key': { content: K.client.pem, mode: 0o644 },
  'other.key': { content: K.other.pem, mode: 0o600 },
  'client-dn.crt': { content: pki.client.dn.pem },
  'client-revoked.crt': { content: pki.client.revoked.pem },
  'client-expired.crt': { content: pki.client.expired.pem },
  'client-self.crt': { content: pki.client.selfSigned.pem },
  // a self-signed client certificate whose subject PostgreSQL 16+ cuts (> 71 bytes) and escapes (non-ASCII)
  'client-long.crt': {
    content: makeCertificate({
      subject: '/C=CH/O=Long Organisation Name For Testing/OU=Engineering/L=Zürich/CN=ssltestuser',
      serial: fixedSerial('client-long'),
      selfSigned: true,
      issuerKey: K.client.key,
    }).pem,
  },
  'root+server.crl': { content: pki.crl.root.pem + pki.crl.serverCa.pem },
  'server.crl': { content: pki.crl.serverCa.pem },
  [`crldir/${pki.crlHash.root}`]: { content: pki.crl.root.pem },
  [`crldir/${pki.crlHash.serverCa}`]: { content: pki.crl.serverCa.pem },
  // sslrootcert=system: OpenSSL's default store as SSL_CERT_DIR names it
  [`certdir/${certHash(pki.root)}`]: { content: pki.root.pem },
  [`certdir/${certHash(pki.serverCa)}`]: { content: pki.serverCa.pem },
  // the password and service files
  pgpass: { content: `*:*:*:${PW_USER}:${PW}\n`, mode: 0o600 },
  'pgpass-wrong': { content: `*:*:*:${PW_USER}:not-${PW}\n`, mode: 0o600 },
  'pgpass-0644': { content: `*:*:*:${PW_USER}:${PW}\n`, mode: 0o644 },
  'pg_service.conf': {
    content: `[app]\ndbname=trustdb\nuser=ssltestuser\nsslmode=require\n\n[pw]\ndbname=trustdb\nuser=${PW_USER}\nsslmode=require\n`,
  },
};

export interface VersionConn {
  name: string;
  /** psql's connection string; `C/` stands for the client file directory, port and hostaddr are added */
  conninfo: string;
  env?: Record<string, string>;
  /** the versions this case runs on (default: all) */
  on?: (major: number) => boolean;
  /** a Unix-socket connection: psql gets the string as given (`S/` is the socket directory), no hostaddr */
  socket?: boolean;
  /** psql runs this query, and its output (the pg_stat_ssl row) is compared with simulate()'s */
  query?: 'pg_stat_ssl';
  /**
   * psql runs on this major's libpq instead of the server's (LD_LIBRARY_PATH, without 13's
   * preloaded shim), and simulate() is told so (`libpqVersion`)
   */
  libpq?: number;
}

/** which of the PostgreSQL 15 oracle suites a setup stands for on every version */
export type VersionSuite =
  | 'setups'
  | 'reload'
  | 'pg_stat_ssl'
  | 'service/passfile'
  | 'sockets'
  | 'pg_hba 16+'
  | 'sslrootcert=system'
  | 'PostgreSQL 18';

export interface VersionSetup {
  name: string;
  files: Record<string, ServerFile>;
  sslConf: string;
  hba: string;
  ident?: string;
  /** the start-up outcome and its log lines are compared; a function when the outcome depends on the version */
  starts?: boolean | ((major: number) => boolean);
  conns?: VersionConn[];
  /** default `setups` */
  suite?: VersionSuite;
  /** postgresql.auto.conf: initdb's (default) or none (null): without it every auxiliary process logs at SIGHUP */
  autoConf?: null;
  /** once started: write these, pg_ctl reload, compare the reload's log lines; the cases run after it */
  reload?: { files?: Record<string, ServerFile>; sslConf: string; hba: string };
}

const HBA = `hostssl trustdb    all             127.0.0.1/32   trust
hostssl verifydb   ssltestuser     127.0.0.1/32   trust    clientcert=verify-full
hostssl verifydb   anotheruser     127.0.0.1/32   trust    clientcert=verify-full
hostssl verifydb   yetanotheruser  127.0.0.1/32   trust    clientcert=verify-ca
hostssl certdb     all             127.0.0.1/32   cert
hostnossl nossldb  all             127.0.0.1/32   trust
`;
const SIMPLE_HBA = 'hostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 trust\n';

const key = (content: string, mode = 0o600): ServerFile => ({ content, mode });
const serverFiles = (leafPem: string, extra: Record<string, ServerFile> = {}): Record<string, ServerFile> => ({
  'server.crt': { content: leafPem },
  'server.key': key(K.server.pem),
  'root+client_ca.crt': { content: pem(pki.root, pki.clientCa) },
  ...extra,
});
const sslConf = sslConfLines;

// no sslcrldir: libpq 13 does not know it
const DEF = 'sslcert=invalid sslkey=invalid sslrootcert=invalid sslcrl=invalid';
const CN = 'common-name.pg-ssltest.test';
const CERT = 'sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid';
const since = (v: number) => (m: number) => m >= v;
const before = (v: number) => (m: number) => m < v;

export const VERSION_SETUPS: VersionSetup[] = [
  // ---- start-up failures
  {
    name: 'cert file missing',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_cert_file: 'nope.crt' }),
    hba: SIMPLE_HBA,
    starts: false,
  },
  {
    name: 'key group/world readable',
    files: { ...serverFiles(pki.server.cnOnly.pem), 'server.key': key(K.server.pem, 0o644) },
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    starts: false,
  },
  {
    name: 'key does not match the certificate',
    files: { ...serverFiles(pki.server.cnOnly.pem), 'server.key': key(K.other.pem) },
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    starts: false,
  },
  {
    name: 'ssl_ca_file with no certificate',
    files: serverFiles(pki.server.cnOnly.pem, { 'bad_ca.crt': { content: 'garbage\n' } }),
    sslConf: sslConf({ ssl_ca_file: 'bad_ca.crt' }),
    hba: SIMPLE_HBA,
    starts: false,
  },
  {
    name: 'min protocol above max',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_min_protocol_version: 'TLSv1.3', ssl_max_protocol_version: 'TLSv1.2' }),
    hba: SIMPLE_HBA,
    starts: false,
  },

  // ---- the suite's main setup
  {
    name: 'server-cn-only, ca root+client_ca',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt' }),
    hba: HBA,
    starts: true,
    conns: [
      { name: 'disable on hostssl: no pg_hba entry', conninfo: `${DEF} sslmode=disable dbname=trustdb user=ssltestuser` },
      { name: 'require', conninfo: `${DEF} sslmode=require dbname=trustdb user=ssltestuser` },
      {
        name: 'prefer on hostnossl: SSL refused by pg_hba, plaintext ok',
        conninfo: `${DEF} sslmode=prefer dbname=nossldb user=ssltestuser`,
      },
      { name: 'verify-ca without root file', conninfo: `${DEF} sslmode=verify-ca dbname=trustdb user=ssltestuser` },
      { name: 'verify-ca with garbage root file', conninfo: `sslrootcert=C/garbage.crt sslmode=verify-ca dbname=trustdb user=ssltestuser` },
      {
        name: 'verify-ca, root only (server sends no intermediate)',
        conninfo: `sslrootcert=C/root_ca.crt sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      { name: 'verify-ca, wrong CA', conninfo: `sslrootcert=C/client_ca.crt sslmode=verify-ca dbname=trustdb user=ssltestuser` },
      { name: 'verify-ca, root+server_ca', conninfo: `sslrootcert=C/root+server_ca.crt sslmode=verify-ca dbname=trustdb user=ssltestuser` },
      {
        name: 'prefer with a root file verifies (wrong CA), then plaintext',
        conninfo: `sslrootcert=C/client_ca.crt sslmode=prefer dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'client CRL for the server CA only (root CRL missing)',
        conninfo: `sslrootcert=C/root+server_ca.crt sslcrl=C/server.crl sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'client CRL for root and server CA',
        conninfo: `sslrootcert=C/root+server_ca.crt sslcrl=C/root+server.crl sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'client CRL directory (14+)',
        conninfo: `sslrootcert=C/root+server_ca.crt sslcrldir=C/crldir sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'verify-full CN match',
        conninfo: `host=${CN} sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'verify-full CN mismatch',
        conninfo: `host=wronghost.test sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'verify-full with hostaddr only',
        conninfo: `sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'two hosts, the first fails verify-full',
        conninfo: `host=wronghost.test,${CN} hostaddr=127.0.0.1,127.0.0.1 sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=trustdb user=ssltestuser`,
      },
      { name: 'cert auth without a certificate', conninfo: `${DEF} sslmode=require dbname=certdb user=ssltestuser` },
      { name: 'cert auth CN = user', conninfo: `${CERT} sslmode=require dbname=certdb user=ssltestuser` },
      { name: 'cert auth CN != user', conninfo: `${CERT} sslmode=require dbname=certdb user=anotheruser` },
      {
        name: 'client key world-readable',
        conninfo: `sslcert=C/client.crt sslkey=C/client_wrongperms.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'client key does not match',
        conninfo: `sslcert=C/client.crt sslkey=C/other.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'client cert from an unknown CA',
        conninfo: `sslcert=C/client-self.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'client cert with a long non-ASCII subject from an unknown CA',
        conninfo: `sslcert=C/client-long.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'expired client cert',
        conninfo: `sslcert=C/client-expired.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      { name: 'clientcert=verify-full, CN != user', conninfo: `${CERT} sslmode=require dbname=verifydb user=anotheruser` },
      { name: 'clientcert=verify-ca, CN != user', conninfo: `${CERT} sslmode=require dbname=verifydb user=yetanotheruser` },
      { name: 'clientcert=verify-full without a certificate', conninfo: `${DEF} sslmode=require dbname=verifydb user=ssltestuser` },
      {
        name: 'client protocol range invalid',
        conninfo: `${DEF} sslmode=require ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2 dbname=trustdb user=ssltestuser`,
      },
      // version-specific libpq options
      {
        name: 'sslcertmode=require without a certificate (16+)',
        conninfo: `${DEF} sslmode=require sslcertmode=require dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'sslcertmode=disable on cert auth (16+)',
        conninfo: `${CERT} sslmode=require sslcertmode=disable dbname=certdb user=ssltestuser`,
      },
      { name: 'sslnegotiation=direct (17+)', conninfo: `${DEF} sslmode=require sslnegotiation=direct dbname=trustdb user=ssltestuser` },
      {
        name: 'sslnegotiation=direct with sslmode=prefer (17+)',
        conninfo: `${DEF} sslmode=prefer sslnegotiation=direct dbname=trustdb user=ssltestuser`,
      },
    ],
  },
  // ---- server CRL
  {
    name: 'server CRL file root+client_ca',
    files: serverFiles(pki.server.cnOnly.pem, { 'root+client.crl': { content: pki.crl.root.pem + pki.crl.clientCa.pem } }),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt', ssl_crl_file: 'root+client.crl' }),
    hba: HBA,
    conns: [
      { name: 'valid client cert', conninfo: `${CERT} sslmode=require dbname=certdb user=ssltestuser` },
      {
        name: 'revoked client cert',
        conninfo: `sslcert=C/client-revoked.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
    ],
  },
  // ---- server certificate problems and names
  {
    name: 'expired server cert',
    files: serverFiles(pki.server.expired.pem),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [{ name: 'verify-ca rejects', conninfo: `sslrootcert=C/root+server_ca.crt sslmode=verify-ca dbname=postgres user=ssltestuser` }],
  },
  {
    name: 'IP SANs',
    files: serverFiles(pki.server.ipSan.pem),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'host=127.0.0.1 against IP SANs (13 ignores them)',
        conninfo: `host=127.0.0.1 sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'DNS name against IP SANs',
        conninfo: `host=localhost sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
    ],
  },
  {
    name: 'server min TLSv1.3',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_min_protocol_version: 'TLSv1.3' }),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'client max TLSv1.2: no shared version',
        conninfo: `${DEF} sslmode=require ssl_max_protocol_version=TLSv1.2 dbname=postgres user=ssltestuser`,
      },
    ],
  },
  // ---- pg_hba options that changed between versions
  {
    name: 'clientcert=1 / clientcert=0 (13 only; 14+ refuses the line)',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt' }),
    hba: 'hostssl certdb all 127.0.0.1/32 trust clientcert=1\nhostssl trustdb all 127.0.0.1/32 trust clientcert=0\n',
    starts: before(14),
    conns: [
      { name: 'clientcert=1 with a certificate', conninfo: `${CERT} sslmode=require dbname=certdb user=ssltestuser`, on: before(14) },
      { name: 'clientcert=1 without a certificate', conninfo: `${DEF} sslmode=require dbname=certdb user=ssltestuser`, on: before(14) },
      { name: 'clientcert=0 without a certificate', conninfo: `${DEF} sslmode=require dbname=trustdb user=ssltestuser`, on: before(14) },
    ],
  },
  {
    name: 'clientname=DN (14+; 13 refuses the line)',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt' }),
    hba: 'hostssl certdb_dn all 127.0.0.1/32 cert clientname=DN map=dn\n',
    ident: 'dn "CN=ssltestuser-dn,OU=Testing,OU=Engineering,O=PGDG" ssltestuser\n',
    starts: since(14),
    conns: [
      {
        name: 'clientname=DN map=dn',
        conninfo: `sslcert=C/client-dn.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb_dn user=ssltestuser`,
        on: since(14),
      },
      {
        name: 'clientname=DN map=dn, CN-only cert does not map',
        conninfo: `${CERT} sslmode=require dbname=certdb_dn user=ssltestuser`,
        on: since(14),
      },
    ],
  },
  // ---- pg_ctl reload (test/pg/reload-oracle.test.ts on 15): the reload's lines, then a connection
  {
    name: 'reload: a missing ssl_cert_file keeps the old SSL context',
    suite: 'reload',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt' }),
    hba: HBA,
    reload: { sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt', ssl_cert_file: 'nope.crt' }), hba: HBA },
    conns: [{ name: 'require after the reload', conninfo: `${DEF} sslmode=require dbname=trustdb user=ssltestuser` }],
  },
  {
    name: 'reload: a pg_hba.conf error keeps the old rules',
    suite: 'reload',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt' }),
    hba: HBA,
    reload: { sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt' }), hba: `${HBA}hostx all all 127.0.0.1/32 trust\n` },
    conns: [{ name: 'the old trust line still applies', conninfo: `${DEF} sslmode=require dbname=trustdb user=ssltestuser` }],
  },
  {
    name: 'reload: new pg_hba.conf rules apply',
    suite: 'reload',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt' }),
    hba: HBA,
    reload: { sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt' }), hba: 'hostssl all all 127.0.0.1/32 reject\n' },
    conns: [{ name: 'rejected by the new line', conninfo: `${DEF} sslmode=require dbname=trustdb user=ssltestuser` }],
  },
  {
    name: 'reload: ssl = off, without postgresql.auto.conf (every auxiliary process logs)',
    suite: 'reload',
    autoConf: null,
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    reload: { sslConf: 'ssl = off\n', hba: SIMPLE_HBA },
    conns: [{ name: 'require: the server no longer offers SSL', conninfo: `${DEF} sslmode=require dbname=postgres user=ssltestuser` }],
  },
  {
    name: 'reload: ssl_min_protocol_version = TLSv1.3',
    suite: 'reload',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    reload: { sslConf: sslConf({ ssl_min_protocol_version: 'TLSv1.3' }), hba: SIMPLE_HBA },
    conns: [
      {
        name: 'client max TLSv1.2 after the reload',
        conninfo: `${DEF} sslmode=require ssl_max_protocol_version=TLSv1.2 dbname=postgres user=ssltestuser`,
      },
    ],
  },

  // ---- the pg_stat_ssl row psql prints (test/pg/stat-ssl-oracle.test.ts on 15)
  {
    name: 'pg_stat_ssl',
    suite: 'pg_stat_ssl',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt' }),
    hba: HBA,
    conns: [
      { name: 'TLS 1.3, no client certificate', conninfo: `${DEF} sslmode=require dbname=trustdb user=ssltestuser`, query: 'pg_stat_ssl' },
      { name: 'client certificate (cert auth)', conninfo: `${CERT} sslmode=require dbname=certdb user=ssltestuser`, query: 'pg_stat_ssl' },
      {
        name: 'client certificate with a DN (clientcert=verify-ca)',
        conninfo: `sslcert=C/client-dn.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=verifydb user=yetanotheruser`,
        query: 'pg_stat_ssl',
      },
      {
        name: 'TLS 1.2',
        conninfo: `${DEF} sslmode=require ssl_max_protocol_version=TLSv1.2 dbname=trustdb user=ssltestuser`,
        query: 'pg_stat_ssl',
      },
      { name: 'plaintext (hostnossl)', conninfo: `${DEF} sslmode=disable dbname=nossldb user=ssltestuser`, query: 'pg_stat_ssl' },
    ],
  },

  // ---- the service and password files (test/pg/pgpass-oracle.test.ts, service cases on 15)
  {
    name: 'service and password files',
    suite: 'service/passfile',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf(),
    hba: `hostssl trustdb ssltestuser 127.0.0.1/32 trust\nhostssl trustdb ${PW_USER} 127.0.0.1/32 scram-sha-256\n`,
    conns: [
      { name: 'service=app from PGSERVICEFILE', conninfo: `${DEF} service=app`, env: { PGSERVICEFILE: 'C/pg_service.conf' } },
      { name: 'a service the file lacks', conninfo: `${DEF} service=missing`, env: { PGSERVICEFILE: 'C/pg_service.conf' } },
      {
        name: 'service=pw, the password from PGPASSFILE',
        conninfo: `${DEF} service=pw`,
        env: { PGSERVICEFILE: 'C/pg_service.conf', PGPASSFILE: 'C/pgpass' },
      },
      {
        name: 'passfile= with the wrong password',
        conninfo: `${DEF} sslmode=require dbname=trustdb user=${PW_USER} passfile=C/pgpass-wrong`,
      },
      {
        name: 'a password file readable by others is ignored',
        conninfo: `${DEF} sslmode=require dbname=trustdb user=${PW_USER}`,
        env: { PGPASSFILE: 'C/pgpass-0644' },
      },
      { name: 'no password file', conninfo: `${DEF} sslmode=require dbname=trustdb user=${PW_USER}` },
    ],
  },

  // ---- Unix-domain sockets (test/pg/socket-oracle.test.ts on 15): psql with host=<socket directory>
  {
    name: 'Unix sockets',
    suite: 'sockets',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf(),
    hba: `local trustdb all trust\nlocal certdb all peer\nlocal verifydb all reject\nlocal nossldb ${PW_USER} scram-sha-256\nhostssl all all 127.0.0.1/32 trust\n`,
    conns: [
      { name: 'local trust', conninfo: 'host=S/ dbname=trustdb user=ssltestuser', socket: true },
      { name: 'sslmode=require is ignored on a socket', conninfo: 'host=S/ dbname=trustdb user=ssltestuser sslmode=require', socket: true },
      { name: 'peer, OS user = role', conninfo: 'host=S/ dbname=certdb user=root', socket: true },
      { name: 'peer, OS user != role', conninfo: 'host=S/ dbname=certdb user=ssltestuser', socket: true },
      { name: 'reject', conninfo: 'host=S/ dbname=verifydb user=ssltestuser', socket: true },
      { name: 'no local line', conninfo: 'host=S/ dbname=nossldb user=ssltestuser', socket: true },
      {
        name: 'SCRAM with the password file',
        conninfo: `host=S/ dbname=nossldb user=${PW_USER}`,
        env: { PGPASSFILE: 'C/pgpass' },
        socket: true,
      },
      {
        name: 'hostaddr makes it TCP',
        conninfo: 'host=S/ hostaddr=127.0.0.1 dbname=nossldb user=ssltestuser sslmode=require',
        socket: true,
      },
    ],
  },

  // ---- pg_hba.conf regular expressions and include records (16+)
  {
    name: 'pg_hba regular expressions (16+; literal names before)',
    suite: 'pg_hba 16+',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt' }),
    hba: 'hostssl all /^ssl 127.0.0.1/32 trust\nhostssl "/^cert" all 127.0.0.1/32 cert\n',
    conns: [
      { name: 'user regex matches', conninfo: `${DEF} sslmode=require dbname=trustdb user=ssltestuser` },
      { name: 'user regex does not match', conninfo: `${DEF} sslmode=require dbname=trustdb user=anotheruser` },
      { name: 'database regex, cert CN != user', conninfo: `${CERT} sslmode=require dbname=certdb user=anotheruser` },
    ],
  },
  {
    name: 'pg_hba include, include_if_exists, include_dir (16+; 13-15 refuse the line)',
    suite: 'pg_hba 16+',
    files: serverFiles(pki.server.cnOnly.pem, {
      'hba_more.conf': { content: 'hostssl trustdb all 127.0.0.1/32 trust\n' },
      'hba.d/10-cert.conf': { content: 'hostssl certdb all 127.0.0.1/32 cert\n' },
    }),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt' }),
    hba: 'include hba_more.conf\ninclude_if_exists hba_missing.conf\ninclude_dir hba.d\n',
    starts: since(16),
    conns: [
      { name: 'a line from include', conninfo: `${DEF} sslmode=require dbname=trustdb user=ssltestuser`, on: since(16) },
      { name: 'a line from include_dir', conninfo: `${CERT} sslmode=require dbname=certdb user=ssltestuser`, on: since(16) },
      { name: 'no line', conninfo: `${DEF} sslmode=require dbname=verifydb user=ssltestuser`, on: since(16) },
    ],
  },

  // ---- sslrootcert=system (16+): OpenSSL's default store, SSL_CERT_FILE / SSL_CERT_DIR
  {
    name: 'sslrootcert=system',
    suite: 'sslrootcert=system',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'SSL_CERT_FILE holds the root and the server CA',
        conninfo: `host=${CN} sslrootcert=system dbname=postgres user=ssltestuser`,
        env: { SSL_CERT_FILE: 'C/root+server_ca.crt' },
      },
      {
        name: 'SSL_CERT_DIR, hashed names',
        conninfo: `host=${CN} sslrootcert=system dbname=postgres user=ssltestuser`,
        env: { SSL_CERT_FILE: 'C/nonexistent.crt', SSL_CERT_DIR: 'C/certdir' },
      },
      {
        name: 'the store lacks the server CA',
        conninfo: `host=${CN} sslrootcert=system dbname=postgres user=ssltestuser`,
        env: { SSL_CERT_FILE: 'C/client_ca.crt', SSL_CERT_DIR: 'C/nonexistent' },
      },
      {
        name: 'the host name does not match',
        conninfo: `host=wronghost.test sslrootcert=system dbname=postgres user=ssltestuser`,
        env: { SSL_CERT_FILE: 'C/root+server_ca.crt' },
      },
      {
        name: 'sslmode=verify-ca with sslrootcert=system',
        conninfo: `host=${CN} sslrootcert=system sslmode=verify-ca dbname=postgres user=ssltestuser`,
        env: { SSL_CERT_FILE: 'C/root+server_ca.crt' },
      },
    ],
  },

  // ---- what PostgreSQL 18 changed: ssl_groups (ssl_ecdh_curve's new name, a list) and
  // ssl_tls13_ciphers on the server, sslkeylogfile in libpq; older servers do not know the
  // settings (they stop), older libpq does not know the option
  {
    name: 'ssl_groups and ssl_tls13_ciphers (18)',
    suite: 'PostgreSQL 18',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_groups: 'prime256v1:X25519', ssl_tls13_ciphers: 'TLS_AES_128_GCM_SHA256' }),
    hba: SIMPLE_HBA,
    starts: since(18),
    conns: [
      {
        name: 'the suite ssl_tls13_ciphers names',
        conninfo: `${DEF} sslmode=require dbname=postgres user=ssltestuser`,
        query: 'pg_stat_ssl',
        on: since(18),
      },
    ],
  },
  {
    name: 'ssl_ecdh_curve still read by 18, a list of groups only from 18',
    suite: 'PostgreSQL 18',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_ecdh_curve: 'secp384r1:prime256v1' }),
    hba: SIMPLE_HBA,
    starts: since(18),
    conns: [{ name: 'require', conninfo: `${DEF} sslmode=require dbname=postgres user=ssltestuser`, on: since(18) }],
  },
  {
    name: 'sslkeylogfile (libpq 18)',
    suite: 'PostgreSQL 18',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt' }),
    hba: HBA,
    conns: [
      {
        name: 'a key log file that can be written',
        conninfo: `${DEF} sslmode=require sslkeylogfile=C/keylog dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'a key log file that cannot be opened, the connection succeeds',
        conninfo: `${DEF} sslmode=require sslkeylogfile=/nonexistent/keylog dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'a key log file that cannot be opened, the connection fails',
        conninfo: `${DEF} sslmode=require sslkeylogfile=/nonexistent/keylog dbname=certdb user=ssltestuser`,
      },
    ],
  },
  {
    name: 'sslnegotiation=direct to a server with ssl = off',
    suite: 'PostgreSQL 18',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: 'ssl = off\n',
    hba: 'host all all 127.0.0.1/32 trust\n',
    conns: [
      {
        name: 'direct TLS, no SSL on the server',
        conninfo: `${DEF} sslmode=require sslnegotiation=direct dbname=postgres user=ssltestuser`,
      },
    ],
  },
];

/**
 * What `npm test` runs of VERSION_SETUPS on every version: every setup (its start-up, its
 * reload), every case that only some versions run, and every other one of the rest; `npm run
 * oracle` runs them all.
 */
export const VERSION_SUBSET: VersionSetup[] = VERSION_SETUPS.map((s) => ({
  ...s,
  conns: s.conns?.filter((c, i) => i % 2 === 0 || c.on !== undefined),
}));

export const ORACLE_USERS = ['root', 'ssltestuser', 'anotheruser', 'yetanotheruser', PW_USER];
export const ORACLE_DATABASES = ['trustdb', 'verifydb', 'certdb', 'certdb_dn', 'nossldb'];

/** verdict, psql's stderr, and the connection's server log lines (or a start-up's) */
export interface Seen {
  ok: boolean;
  stderr: string;
  log: string[];
  /** what psql printed for a `query` case (the pg_stat_ssl row); compared with the stderr */
  out?: string;
}

export interface CaseOutcome {
  setup: string;
  suite: VersionSuite;
  /** the connection's name, or `server start-up` */
  name: string;
  real: Seen;
  sim: Seen;
  verdict: boolean;
  psql: boolean;
  log: boolean;
}

const STARTUP_NOISE =
  /^LOG: {2}(starting PostgreSQL|listening on|database system (was|is)|received fast shutdown|aborting any active|background worker|checkpoint|shutting down|redirecting)/;

/** log_line_prefix's default (`%m [%p] `), which lines logged before postgresql.conf was read carry */
const DEFAULT_PREFIX = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \S+ \[\d+\] /;

/** the log lines of interest: noise dropped, the default prefix dropped, the client port normalised */
function normLog(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(DEFAULT_PREFIX, ''))
    .filter((l) => l.trim() !== '' && !STARTUP_NOISE.test(l) && !/^(DETAIL|HINT): {2}.*(server process|terminated)/.test(l))
    .map((l) => l.replace(/port=\d+/g, 'port=<client port>'));
}

const outcome = (setup: VersionSetup, name: string, real: Seen, sim: Seen): CaseOutcome => ({
  setup: setup.name,
  suite: setup.suite ?? 'setups',
  name,
  real,
  sim,
  verdict: real.ok === sim.ok,
  psql: real.stderr === sim.stderr && real.out === sim.out,
  log: JSON.stringify(real.log) === JSON.stringify(sim.log),
});

/** initdb's postgresql.auto.conf, put back before each setup that does not say otherwise */
const AUTO_CONF = '# Do not edit this file manually!\n# It will be overwritten by the ALTER SYSTEM command.\n';
const STAT_SSL_COLUMNS = ['ssl', 'version', 'cipher', 'bits', 'client_dn', 'client_serial', 'issuer_dn'] as const;
const STAT_SSL_QUERY = `SELECT ${STAT_SSL_COLUMNS.join(', ')} FROM pg_stat_ssl WHERE pid = pg_backend_pid()`;

const STARTUP_RESET = '\ncould not send startup packet: Connection reset by peer';

/** One version's cluster and client files; runs setups against it. */
/** psql's environment to load another major's libpq (an empty LD_PRELOAD drops 13's shim) */
export function libpqEnv(major: number): Record<string, string> {
  const { LD_LIBRARY_PATH = '' } = pgInstall(major).psqlEnv;
  return { LD_LIBRARY_PATH, LD_PRELOAD: major === 13 ? (pgInstall(13).psqlEnv.LD_PRELOAD ?? '') : '' };
}

export class VersionOracle {
  /** cases whose real stderr had libpq's startup-packet race (see runCase) */
  races = 0;
  /** cases that disagreed once and were run again (see run) */
  readonly retried: string[] = [];

  private constructor(
    readonly oracle: PgOracle,
    private readonly cdir: string,
    private readonly home: string,
    private readonly serverUser: { uid: number; gids: number[] },
  ) {}

  get major(): number {
    return this.oracle.version;
  }

  static async create(major: number, build?: PgBuild): Promise<VersionOracle> {
    const o = await PgOracle.create({ users: ORACLE_USERS, databases: ORACLE_DATABASES, version: major, build });
    const cdir = join(o.root, 'c');
    const home = join(o.root, 'empty-home');
    mkdirSync(home, { recursive: true });
    for (const [name, f] of Object.entries(CLIENT_FILES)) {
      const p = join(cdir, name);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, f.content);
      chownSync(p, 0, 0);
      chmodSync(p, f.mode ?? 0o644);
    }
    // PW_USER's SCRAM secret (13's default password_encryption is md5). Recorded under a fixed
    // name: the versions run concurrently, so "the current test" would be any of them.
    o.scenario('cluster set-up');
    const boot = o.apply({ files: {}, sslConf: '', hba: 'host all all 127.0.0.1/32 trust\n' });
    if (!boot.started) throw new Error(`PostgreSQL ${major} did not start:\n${boot.log}`);
    const pw = await o.psql('user=postgres dbname=postgres', {
      sql: `SET password_encryption = 'scram-sha-256'; ALTER ROLE ${PW_USER} PASSWORD '${PW}'`,
    });
    if (pw.status !== 0) throw new Error(`setting ${PW_USER}'s password failed: ${pw.stderr}`);
    o.scenario(undefined);
    return new VersionOracle(o, cdir, home, o.serverIdentity);
  }

  /**
   * the cases of a setup that run on this version; not those on another major's libpq in a
   * chroot build (that libpq is not in its root)
   */
  conns(setup: VersionSetup): VersionConn[] {
    return (setup.conns ?? []).filter((c) => (!c.on || c.on(this.major)) && !(c.libpq && this.oracle.install.chroot));
  }

  private files(text: string): string {
    return text.replace(/C\//g, `${this.cdir}/`).replace(/\bS\//g, this.oracle.root);
  }

  /** TCP cases get the port and hostaddr=127.0.0.1; socket cases only the port */
  private expand(conn: Pick<VersionConn, 'conninfo' | 'socket'>): string {
    return `port=${this.oracle.port} ${conn.socket ? '' : 'hostaddr=127.0.0.1 '}${this.files(conn.conninfo)}`;
  }

  private env(env: Record<string, string> = {}): Record<string, string> {
    return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, this.files(v)]));
  }

  private sim(conn: VersionConn, startupOnly: boolean, startedWith?: string): SimulateResult {
    const { major, pgWrapper, opensslVersion } = this.oracle.install;
    return simulate({
      fs: nodeFs(),
      ...(startedWith ? { startedWith: remapDir(nodeFs(), this.oracle.pgdata, startedWith) } : {}),
      pgdata: this.oracle.pgdata,
      conninfo: this.expand(conn),
      env: { HOME: this.home, ...this.env(conn.env) },
      osUser: 'root',
      clientUser: { uid: 0, gids: [0] },
      serverUser: this.serverUser,
      rolePasswords: { [PW_USER]: PW },
      pgVersion: major,
      ...(conn.libpq ? { libpqVersion: conn.libpq } : {}),
      opensslVersion,
      pgWrapper,
      startupOnly,
    });
  }

  /** the top-level files of the data directory as the server started with them (cp -p keeps owner and mode) */
  private snapshot(): string {
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-before-'));
    const pgdata = this.oracle.pgdata;
    const files = readdirSync(pgdata).filter((f) => statSync(join(pgdata, f)).isFile());
    execFileSync('cp', ['-p', ...files.map((f) => join(pgdata, f)), dir]);
    return dir;
  }

  /** (Re)start the server with the setup's files, then run its cases: real psql and simulate() side by side. */
  async run(setup: VersionSetup): Promise<CaseOutcome[]> {
    const out: CaseOutcome[] = [];
    // the recording's key (goldens): the setup's name, not the test's
    const started = this.oracle.scenario(setup.name).apply({
      files: setup.files,
      sslConf: setup.sslConf,
      hba: setup.hba,
      ident: setup.ident,
      autoConf: setup.autoConf === null ? null : AUTO_CONF,
    });
    const none: VersionConn = { name: '', conninfo: '' };
    const startup = this.sim(none, true);
    if (setup.starts !== undefined || !started.started) {
      const real = normLog(started.log);
      out.push(
        outcome(
          setup,
          'server start-up',
          { ok: started.started, stderr: '', log: real },
          { ok: startup.serverStarted, stderr: '', log: startup.serverLog.filter((l) => !l.startsWith('LOG:  connection')) },
        ),
      );
    }
    if (!started.started) return out;
    let startedWith: string | undefined;
    try {
      if (setup.reload) {
        startedWith = this.snapshot();
        const r = await this.oracle.reloadByProcess({
          files: setup.reload.files ?? {},
          sslConf: setup.reload.sslConf,
          hba: setup.reload.hba,
        });
        // the children log concurrently: their groups are compared sorted (as a multiset); the
        // postmaster's own lines keep their order and come first
        const children = [...r.others].sort((x, y) => (x.lines.join('\n') < y.lines.join('\n') ? -1 : 1));
        const real = [...r.postmaster, ...children.flatMap((p) => p.lines)];
        const sim = this.sim(none, true, startedWith);
        const from = sim.serverLog.indexOf('LOG:  received SIGHUP, reloading configuration files');
        out.push(
          outcome(
            setup,
            'pg_ctl reload',
            { ok: true, stderr: '', log: real },
            { ok: true, stderr: '', log: from < 0 ? [] : sim.serverLog.slice(from) },
          ),
        );
      }
      for (const conn of this.conns(setup)) {
        let o = await this.runCase(setup, conn, startedWith);
        // On a loaded machine a backend's last log line can come after PgOracle.psql stopped
        // waiting: a disagreement is run once more, and counted. A real one disagrees again.
        if (!o.verdict || !o.psql || !o.log) {
          this.retried.push(`${setup.name} / ${conn.name}`);
          o = await this.runCase(setup, conn, startedWith);
        }
        out.push(o);
      }
    } finally {
      if (startedWith) rmSync(startedWith, { recursive: true, force: true });
    }
    return out;
  }

  private async runCase(setup: VersionSetup, conn: VersionConn, startedWith?: string): Promise<CaseOutcome> {
    const sql = conn.query === 'pg_stat_ssl' ? STAT_SSL_QUERY : undefined;
    const env = { ...(conn.libpq ? libpqEnv(conn.libpq) : {}), ...this.env(conn.env) };
    const real = conn.socket
      ? await psqlAsGiven(this.oracle, this.expand(conn), {
          home: this.home,
          env: { ...this.oracle.install.psqlEnv, ...env },
          sql,
          psql: this.oracle.install.psql,
        })
      : await this.oracle.psql(this.expand(conn), { home: this.home, env, sql });
    const r = this.sim(conn, false, startedWith);
    let stderr = real.stderr.trim();
    // A TLS 1.3 alert after the handshake: libpq has written the startup packet, and now and
    // then (seen with libpq 13 and 14, a few runs in 10 under load) the server's close resets
    // the socket before libpq reads the alert, and it appends this line to the alert's error.
    // A race of the real client, not a prediction to make: counted, and compared without it.
    const raced = stderr.endsWith(STARTUP_RESET) && !r.psqlStderr.trim().endsWith(STARTUP_RESET);
    if (raced) {
      stderr = stderr.slice(0, -STARTUP_RESET.length);
      this.races++;
    }
    const query = sql !== undefined;
    return outcome(
      setup,
      conn.name,
      { ok: real.status === 0, stderr, log: normLog(real.serverLog), ...(query ? { out: real.stdout.replace(/\n$/, '') } : {}) },
      {
        ok: r.ok,
        stderr: r.psqlStderr.trim(),
        log: r.connectionLog,
        ...(query ? { out: r.ok && r.pgStatSsl ? psqlUnaligned(r.pgStatSsl, { columns: [...STAT_SSL_COLUMNS] }) : '' } : {}),
      },
    );
  }

  destroy(): void {
    this.oracle.destroy();
  }
}
