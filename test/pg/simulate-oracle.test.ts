// simulate() against real PostgreSQL 15 + real psql, scenario by scenario. Each server setup
// is written into the oracle's data directory and the server (re)started; every connection
// of the setup is then made twice: by psql against the live server, and by simulate()
// reading the very same data directory through nodeFs (real owners and modes) with the
// server's real identity (postgres uid and groups). Compared: the verdict, psql's stderr
// (exactly), and the server log lines of that connection (client port normalized). Start-up
// failures compare the FATAL (and DETAIL) the server logs. Certificates come from our
// factory (test/support/pki.ts), keys from vectors/keys/.
// Scenarios follow PostgreSQL's src/test/ssl suite and the docs' certificate recipes.
// Recorded in vectors/oracle/simulate-oracle/pg15.json: without PostgreSQL 15 (or with
// PGTLS_REPLAY=1) the scenarios are checked against the recording instead; skipped, with the
// reason, when there is neither.

import { mkdirSync, writeFileSync, chmodSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFs } from '../../src/pg/fs-node.js';
import { simulate, type SimulateResult } from '../../src/pg/simulate.js';
import { makeHierarchy } from '../../src/factory/index.js';
import { useGoldens } from '../support/golden-suite.js';
import { PgOracle, sslConfLines, type ServerFile, type StartResult } from '../support/pg-oracle.js';
import { encryptedKeyPem, makeTestPki } from '../support/pki.js';

const goldens = useGoldens('simulate-oracle');
const unavailable = goldens.skip();
if (unavailable) console.warn(`simulate-oracle: skipped, ${unavailable}`);

const pki = makeTestPki();
const K = pki.keys;
const pem = (...xs: { pem: string }[]) => xs.map((x) => x.pem).join('');

/** The docs' three recipes (§19.9.5), with vector keys. */
const docs = {
  selfSigned: makeHierarchy('self-signed', { cn: 'db.example.test', keys: { server: K.server.key }, clientUser: 'ssltestuser' }),
  rootServer: makeHierarchy('root-server', {
    cn: 'db.example.test',
    keys: { root: K.root.key, server: K.server.key, client: K.client.key },
    clientUser: 'ssltestuser',
  }),
  chain: makeHierarchy('chain', { cn: 'db.example.test', keys: { root: K.root.key, intermediate: K.serverCa.key, server: K.server.key } }),
  chainNoInter: makeHierarchy('chain', {
    cn: 'db.example.test',
    keys: { root: K.root.key, intermediate: K.serverCa.key, server: K.server.key },
    mistakes: ['leaf-without-intermediate'],
  }),
  chainCaFalse: makeHierarchy('chain', {
    cn: 'db.example.test',
    keys: { root: K.root.key, intermediate: K.serverCa.key, server: K.server.key },
    mistakes: ['intermediate-ca-false'],
  }),
  chainV1: makeHierarchy('chain', {
    cn: 'db.example.test',
    keys: { root: K.root.key, intermediate: K.serverCa.key, server: K.server.key },
    mistakes: ['intermediate-v1'],
  }),
  wrongCn: makeHierarchy('root-server', {
    cn: 'db.example.test',
    keys: { root: K.root.key, server: K.server.key },
    mistakes: ['wrong-cn'],
  }),
  expired: makeHierarchy('root-server', {
    cn: 'db.example.test',
    keys: { root: K.root.key, server: K.server.key },
    mistakes: ['expired-leaf'],
  }),
  revokedClient: makeHierarchy('root-server', {
    cn: 'db.example.test',
    keys: { root: K.root.key, server: K.server.key, client: K.client.key },
    mistakes: ['revoked-client'],
  }),
};

// ---------------------------------------------------------------- client files (root-owned)
const CLIENT_FILES: Record<string, { content: string; mode?: number }> = {
  'root+server_ca.crt': { content: pem(pki.root, pki.serverCa) },
  'root_ca.crt': { content: pki.root.pem },
  'server_ca.crt': { content: pki.serverCa.pem },
  'client_ca.crt': { content: pki.clientCa.pem },
  'garbage.crt': { content: 'this is not a certificate\n' },
  'client.crt': { content: pki.client.plain.pem },
  'client.key': { content: K.client.pem, mode: 0o600 },
  'client_wrongperms.key': { content: K.client.pem, mode: 0o644 },
  'client_grouponly.key': { content: K.client.pem, mode: 0o640 },
  'other.key': { content: K.other.pem, mode: 0o600 },
  'client-enc.key': { content: encryptedKeyPem(K.client.pem, 'dUmmyP^#+'), mode: 0o600 },
  'client-dn.crt': { content: pki.client.dn.pem },
  'client+client_ca.crt': { content: pem(pki.client.plain, pki.clientCa) },
  'client-revoked.crt': { content: pki.client.revoked.pem },
  'client-expired.crt': { content: pki.client.expired.pem },
  'client-notyet.crt': { content: pki.client.notYetValid.pem },
  'client-self.crt': { content: pki.client.selfSigned.pem },
  'client-byroot.crt': { content: pki.client.byRoot.pem },
  'root+server.crl': { content: pki.crl.root.pem + pki.crl.serverCa.pem },
  'server.crl': { content: pki.crl.serverCa.pem },
  'root.crl': { content: pki.crl.root.pem },
  'server-self.crt': { content: pki.server.selfSigned.pem },
  [`crldir/${pki.crlHash.root}`]: { content: pki.crl.root.pem },
  [`crldir/${pki.crlHash.serverCa}`]: { content: pki.crl.serverCa.pem },
  [`crldir-serveronly/${pki.crlHash.serverCa}`]: { content: pki.crl.serverCa.pem },
  'docs-self.crt': { content: docs.selfSigned.rootCrtPem },
  'docs-root.crt': { content: docs.rootServer.rootCrtPem },
  'docs-client.crt': { content: docs.rootServer.client!.cert.pem },
  'docs-revoked-client.crt': { content: docs.revokedClient.client!.cert.pem },
  'home/.postgresql/root.crt': { content: docs.selfSigned.rootCrtPem },
  'home/.postgresql/postgresql.crt': { content: docs.selfSigned.client!.cert.pem },
  'home/.postgresql/postgresql.key': { content: docs.selfSigned.client!.keyPem, mode: 0o600 },
};

// ---------------------------------------------------------------- scenarios
interface Conn {
  name: string;
  /** psql's connection string; `C/` stands for the client file directory, port and hostaddr are added */
  conninfo: string;
  /** HOME: `home` (with ~/.postgresql files) or an empty directory */
  home?: 'home';
  env?: Record<string, string>;
  /** a disagreement that cannot be modelled, with the reason: only the verdict is compared */
  known?: string;
}

interface Setup {
  name: string;
  files: Record<string, ServerFile>;
  sslConf: string;
  hba?: string;
  ident?: string;
  /** what ssl_passphrase_command prints (the simulator runs no commands) */
  passphrase?: string;
  /** expected start-up outcome; the FATAL is compared with the simulator's */
  starts?: boolean;
  conns?: Conn[];
}

const HBA = `# TYPE  DATABASE   USER            ADDRESS        METHOD   OPTIONS
hostssl trustdb    all             127.0.0.1/32   trust
hostssl verifydb   ssltestuser     127.0.0.1/32   trust    clientcert=verify-full
hostssl verifydb   anotheruser     127.0.0.1/32   trust    clientcert=verify-full
hostssl verifydb   yetanotheruser  127.0.0.1/32   trust    clientcert=verify-ca
hostssl certdb     all             127.0.0.1/32   cert
hostssl certdb_dn  all             127.0.0.1/32   cert     clientname=DN map=dn
hostssl certdb_dn_re all           127.0.0.1/32   cert     clientname=DN map=dnre
hostssl certdb_cn  all             127.0.0.1/32   cert     clientname=CN map=cn
hostnossl nossldb  all             127.0.0.1/32   trust
host    hostdb     all             127.0.0.1/32   trust
host    rejectdb   all             127.0.0.1/32   reject
`;
const IDENT = `# MAPNAME  SYSTEM-USERNAME                                       PG-USERNAME
dn         "CN=ssltestuser-dn,OU=Testing,OU=Engineering,O=PGDG"  ssltestuser
dnre       "/^.*OU=Testing,.*$"                                  ssltestuser
cn         ssltestuser-dn                                        ssltestuser
`;
const SIMPLE_HBA = `hostssl all all 127.0.0.1/32 trust
hostnossl all all 127.0.0.1/32 trust
`;

const key = (content: string, mode = 0o600, owner: 'postgres' | 'root' = 'postgres'): ServerFile => ({ content, mode, owner });
/** the suite's usual server files: leaf, its key, the root+client CA bundle */
const serverFiles = (leafPem: string, extra: Record<string, ServerFile> = {}): Record<string, ServerFile> => ({
  'server.crt': { content: leafPem },
  'server.key': key(K.server.pem),
  'root+client_ca.crt': { content: pem(pki.root, pki.clientCa) },
  'root_ca.crt': { content: pki.root.pem },
  ...extra,
});
const sslConf = sslConfLines;

const DEF = 'sslcert=invalid sslkey=invalid sslrootcert=invalid sslcrl=invalid sslcrldir=invalid';
const CN = 'common-name.pg-ssltest.test';

const SETUPS: Setup[] = [
  // ---- server start-up failures (be_tls_init, key checks)
  { name: 'cert file missing', files: serverFiles(pki.server.cnOnly.pem), sslConf: sslConf({ ssl_cert_file: 'nope.crt' }), starts: false },
  { name: 'cert file not PEM', files: serverFiles('garbage\n'), sslConf: sslConf(), starts: false },
  {
    name: 'key group/world readable',
    files: { ...serverFiles(pki.server.cnOnly.pem), 'server.key': key(K.server.pem, 0o644) },
    sslConf: sslConf(),
    starts: false,
  },
  {
    name: 'key root-owned 0640 (postgres not in group root)',
    files: { ...serverFiles(pki.server.cnOnly.pem), 'server.key': key(K.server.pem, 0o640, 'root') },
    sslConf: sslConf(),
    starts: false,
  },
  {
    name: 'key 0640 owned by postgres is refused (0640 is for root-owned keys)',
    files: { ...serverFiles(pki.server.cnOnly.pem), 'server.key': key(K.server.pem, 0o640) },
    sslConf: sslConf(),
    starts: false,
  },
  {
    name: 'key does not match the certificate',
    files: { ...serverFiles(pki.server.cnOnly.pem), 'server.key': key(K.other.pem) },
    sslConf: sslConf(),
    starts: false,
  },
  {
    name: 'encrypted key without ssl_passphrase_command',
    files: { ...serverFiles(pki.server.cnOnly.pem), 'server.key': key(encryptedKeyPem(K.server.pem, 'secret1')) },
    sslConf: sslConf(),
    starts: false,
  },
  {
    name: 'encrypted key, wrong passphrase command',
    files: { ...serverFiles(pki.server.cnOnly.pem), 'server.key': key(encryptedKeyPem(K.server.pem, 'secret1')) },
    sslConf: sslConf({ ssl_passphrase_command: 'echo wrongpassword' }),
    passphrase: 'wrongpassword',
    starts: false,
  },
  {
    name: 'min protocol above max',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_min_protocol_version: 'TLSv1.3', ssl_max_protocol_version: 'TLSv1.2' }),
    starts: false,
  },
  {
    name: 'ssl_ca_file with no certificate',
    files: { ...serverFiles(pki.server.cnOnly.pem), 'bad_ca.crt': { content: 'garbage\n' } },
    sslConf: sslConf({ ssl_ca_file: 'bad_ca.crt' }),
    starts: false,
  },
  {
    name: 'ssl_crl_file missing',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt', ssl_crl_file: 'nope.crl' }),
    starts: false,
  },
  { name: 'unknown ECDH curve', files: serverFiles(pki.server.cnOnly.pem), sslConf: sslConf({ ssl_ecdh_curve: 'nope' }), starts: false },
  { name: 'no valid ciphers', files: serverFiles(pki.server.cnOnly.pem), sslConf: sslConf({ ssl_ciphers: 'NOPE' }), starts: false },
  {
    name: 'missing ssl_crl_dir is fine',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt', ssl_crl_dir: 'nodir' }),
    starts: true,
  },

  // ---- the suite's main setup: leaf only in server.crt, root+client_ca as ssl_ca_file
  {
    name: 'server-cn-only, ca root+client_ca',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt' }),
    hba: HBA,
    ident: IDENT,
    conns: [
      // sslmode × root files (client verification)
      { name: 'disable on hostssl: no pg_hba entry', conninfo: `${DEF} sslmode=disable dbname=trustdb user=ssltestuser` },
      { name: 'require', conninfo: `${DEF} sslmode=require dbname=trustdb user=ssltestuser` },
      { name: 'prefer', conninfo: `${DEF} sslmode=prefer dbname=trustdb user=ssltestuser` },
      { name: 'allow: plaintext refused, then SSL', conninfo: `${DEF} sslmode=allow dbname=trustdb user=ssltestuser` },
      { name: 'verify-ca without root file', conninfo: `${DEF} sslmode=verify-ca dbname=trustdb user=ssltestuser` },
      { name: 'verify-full without root file', conninfo: `${DEF} sslmode=verify-full dbname=trustdb user=ssltestuser` },
      { name: 'verify-ca with garbage root file', conninfo: `sslrootcert=C/garbage.crt sslmode=verify-ca dbname=trustdb user=ssltestuser` },
      { name: 'require with garbage root file', conninfo: `sslrootcert=C/garbage.crt sslmode=require dbname=trustdb user=ssltestuser` },
      {
        name: 'verify-ca, root only (server sends no intermediate)',
        conninfo: `sslrootcert=C/root_ca.crt sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'verify-ca, intermediate only (no partial chains)',
        conninfo: `sslrootcert=C/server_ca.crt sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      { name: 'verify-ca, wrong CA', conninfo: `sslrootcert=C/client_ca.crt sslmode=verify-ca dbname=trustdb user=ssltestuser` },
      { name: 'verify-ca, root+server_ca', conninfo: `sslrootcert=C/root+server_ca.crt sslmode=verify-ca dbname=trustdb user=ssltestuser` },
      {
        name: 'require with a root file verifies (wrong CA)',
        conninfo: `sslrootcert=C/client_ca.crt sslmode=require dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'prefer with a root file verifies (wrong CA), then plaintext',
        conninfo: `sslrootcert=C/client_ca.crt sslmode=prefer dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'require with a missing root file does not verify',
        conninfo: `sslrootcert=C/nonexistent.crt sslmode=require dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'sslmode from PGSSLMODE',
        conninfo: `sslrootcert=C/client_ca.crt dbname=trustdb user=ssltestuser`,
        env: { PGSSLMODE: 'verify-ca' },
      },
      // CRLs on the client
      {
        name: 'client CRL for root and server CA',
        conninfo: `sslrootcert=C/root+server_ca.crt sslcrl=C/root+server.crl sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'client CRL for the server CA only (root CRL missing)',
        conninfo: `sslrootcert=C/root+server_ca.crt sslcrl=C/server.crl sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'client CRL for the root only (intermediate CRL missing)',
        conninfo: `sslrootcert=C/root+server_ca.crt sslcrl=C/root.crl sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'client CRL directory',
        conninfo: `sslrootcert=C/root+server_ca.crt sslcrldir=C/crldir sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'client CRL directory without the root CRL',
        conninfo: `sslrootcert=C/root+server_ca.crt sslcrldir=C/crldir-serveronly sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      // verify-full names (CN only)
      {
        name: 'verify-full CN match',
        conninfo: `host=${CN} sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'verify-full CN mismatch',
        conninfo: `host=wronghost.test sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'verify-full CN, case-insensitive',
        conninfo: `host=COMMON-NAME.pg-ssltest.TEST sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'verify-full with hostaddr only',
        conninfo: `sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=trustdb user=ssltestuser`,
      },
      // multi-host connection strings: libpq's host loop
      {
        name: 'two hosts, the first fails verify-full',
        conninfo: `host=wronghost.test,${CN} hostaddr=127.0.0.1,127.0.0.1 sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'two hosts, the first connects',
        conninfo: `host=${CN},wronghost.test hostaddr=127.0.0.1,127.0.0.1 sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'two hosts, both fail verify-full',
        conninfo: `host=wrong1.test,wrong2.test hostaddr=127.0.0.1,127.0.0.1 sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'two hosts, pg_hba rejects on the first',
        conninfo: `host=a.test,b.test hostaddr=127.0.0.1,127.0.0.1 ${DEF} sslmode=disable dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'two hosts, the first fails the handshake',
        conninfo: `host=a.test,b.test hostaddr=127.0.0.1,127.0.0.1 sslrootcert=C/client_ca.crt sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'two hosts, nothing listens on the first port',
        conninfo: `host=a.test,${CN} hostaddr=127.0.0.1,127.0.0.1 port=1,PORT sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'two hosts, the first address is not listened on, the second fails',
        conninfo: `host=a.test,b.test hostaddr=127.0.0.2,127.0.0.1 sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=trustdb user=ssltestuser`,
      },
      { name: 'wrong port only', conninfo: `port=1 ${DEF} sslmode=prefer dbname=trustdb user=ssltestuser` },
      // pg_hba line types
      {
        name: 'prefer on hostnossl: SSL refused by pg_hba, plaintext ok',
        conninfo: `${DEF} sslmode=prefer dbname=nossldb user=ssltestuser`,
      },
      { name: 'require on hostnossl', conninfo: `${DEF} sslmode=require dbname=nossldb user=ssltestuser` },
      { name: 'allow on hostnossl', conninfo: `${DEF} sslmode=allow dbname=nossldb user=ssltestuser` },
      { name: 'disable on host', conninfo: `${DEF} sslmode=disable dbname=hostdb user=ssltestuser` },
      { name: 'require on host', conninfo: `${DEF} sslmode=require dbname=hostdb user=ssltestuser` },
      { name: 'allow on host (plaintext first)', conninfo: `${DEF} sslmode=allow dbname=hostdb user=ssltestuser` },
      { name: 'prefer on host', conninfo: `${DEF} sslmode=prefer dbname=hostdb user=ssltestuser` },
      { name: 'reject line under require', conninfo: `${DEF} sslmode=require dbname=rejectdb user=ssltestuser` },
      { name: 'reject line', conninfo: `${DEF} sslmode=prefer dbname=rejectdb user=ssltestuser` },
      { name: 'no pg_hba entry at all', conninfo: `${DEF} sslmode=prefer dbname=postgres user=ssltestuser` },
      // client certificates
      { name: 'cert auth without a certificate', conninfo: `${DEF} sslmode=require dbname=certdb user=ssltestuser` },
      {
        name: 'cert auth CN = user',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'cert auth CN != user',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=anotheruser`,
      },
      {
        name: 'client key world-readable',
        conninfo: `sslcert=C/client.crt sslkey=C/client_wrongperms.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'client key 0640 root-owned is accepted',
        conninfo: `sslcert=C/client.crt sslkey=C/client_grouponly.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'client key missing',
        conninfo: `sslcert=C/client.crt sslkey=C/nonexistent.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'client key does not match',
        conninfo: `sslcert=C/client.crt sslkey=C/other.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'client cert not PEM',
        conninfo: `sslcert=C/garbage.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'encrypted client key, no sslpassword',
        conninfo: `sslcert=C/client.crt sslkey=C/client-enc.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'encrypted client key, wrong sslpassword',
        conninfo: `sslcert=C/client.crt sslkey=C/client-enc.key sslpassword=wrong sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'encrypted client key, right sslpassword',
        conninfo: `sslcert=C/client.crt sslkey=C/client-enc.key sslpassword='dUmmyP^#+' sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'client cert from an unknown CA',
        conninfo: `sslcert=C/client-self.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'expired client cert',
        conninfo: `sslcert=C/client-expired.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'not-yet-valid client cert',
        conninfo: `sslcert=C/client-notyet.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'client cert issued by root (in ssl_ca_file)',
        conninfo: `sslcert=C/client-byroot.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'clientname=DN map=dn',
        conninfo: `sslcert=C/client-dn.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb_dn user=ssltestuser`,
      },
      {
        name: 'clientname=DN map=dnre (regex)',
        conninfo: `sslcert=C/client-dn.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb_dn_re user=ssltestuser`,
      },
      {
        name: 'clientname=CN map=cn',
        conninfo: `sslcert=C/client-dn.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb_cn user=ssltestuser`,
      },
      {
        name: 'clientname=DN map=dn, CN-only cert does not map',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb_dn user=ssltestuser`,
      },
      {
        name: 'clientcert=verify-full, CN = user',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=verifydb user=ssltestuser`,
      },
      {
        name: 'clientcert=verify-full, CN != user',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=verifydb user=anotheruser`,
      },
      {
        name: 'clientcert=verify-ca, CN != user',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=verifydb user=yetanotheruser`,
      },
      { name: 'clientcert=verify-full without a certificate', conninfo: `${DEF} sslmode=require dbname=verifydb user=ssltestuser` },
      {
        name: 'client protocol range invalid',
        conninfo: `${DEF} sslmode=require ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2 dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'client max TLSv1.2 against a TLS 1.3 server is fine',
        conninfo: `${DEF} sslmode=require ssl_max_protocol_version=TLSv1.2 dbname=trustdb user=ssltestuser`,
      },
    ],
  },
  // ---- server CRLs: root+client CRLs, revoked client
  {
    name: 'server CRL file root+client_ca',
    files: serverFiles(pki.server.cnOnly.pem, { 'root+client.crl': { content: pki.crl.root.pem + pki.crl.clientCa.pem } }),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt', ssl_crl_file: 'root+client.crl' }),
    hba: HBA,
    ident: IDENT,
    conns: [
      {
        name: 'valid client cert',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'revoked client cert',
        conninfo: `sslcert=C/client-revoked.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'revoked client cert under prefer: the TLS 1.3 alert comes too late for a plaintext retry',
        conninfo: `sslcert=C/client-revoked.crt sslkey=C/client.key sslrootcert=invalid sslmode=prefer dbname=certdb user=ssltestuser`,
      },
      {
        name: 'unknown-CA client cert under prefer',
        conninfo: `sslcert=C/client-self.crt sslkey=C/client.key sslrootcert=invalid sslmode=prefer dbname=trustdb user=ssltestuser`,
      },
      { name: 'no client cert on trustdb', conninfo: `${DEF} sslmode=require dbname=trustdb user=ssltestuser` },
    ],
  },
  {
    name: 'server CRL file for the client CA only (root CRL missing)',
    files: serverFiles(pki.server.cnOnly.pem, { 'client.crl': { content: pki.crl.clientCa.pem } }),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt', ssl_crl_file: 'client.crl' }),
    hba: HBA,
    conns: [
      {
        name: 'valid client cert fails: no CRL for the root',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
    ],
  },
  {
    name: 'server CRL file for the root only (client CA CRL missing)',
    files: serverFiles(pki.server.cnOnly.pem, { 'root.crl': { content: pki.crl.root.pem } }),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt', ssl_crl_file: 'root.crl' }),
    hba: HBA,
    conns: [
      {
        name: 'client cert from the client CA fails: no CRL for its issuer',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'client cert issued by the root itself passes',
        conninfo: `sslcert=C/client-byroot.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
    ],
  },
  {
    name: 'server CRL dir (hashed)',
    files: serverFiles(pki.server.cnOnly.pem, {
      [`crls/${pki.crlHash.root}`]: { content: pki.crl.root.pem },
      [`crls/${pki.crlHash.clientCa}`]: { content: pki.crl.clientCa.pem },
    }),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt', ssl_crl_dir: 'crls' }),
    hba: HBA,
    conns: [
      {
        name: 'valid client cert',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'revoked client cert',
        conninfo: `sslcert=C/client-revoked.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
    ],
  },
  {
    name: 'server CRL expired',
    files: serverFiles(pki.server.cnOnly.pem, { 'old.crl': { content: pki.crl.root.pem + pki.crl.clientCaExpired.pem } }),
    sslConf: sslConf({ ssl_ca_file: 'root+client_ca.crt', ssl_crl_file: 'old.crl' }),
    hba: HBA,
    conns: [
      {
        name: 'valid client cert, CRL expired',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
    ],
  },
  // ---- ssl_ca_file root only: client chains must be sent by the client
  {
    name: 'ca root only, server.crt bundles the server CA',
    files: serverFiles(pem(pki.server.cnOnly, pki.serverCa)),
    sslConf: sslConf({ ssl_ca_file: 'root_ca.crt' }),
    hba: HBA,
    conns: [
      {
        name: 'verify-ca with root only works when the server bundles',
        conninfo: `sslrootcert=C/root_ca.crt sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'client leaf only: server cannot build the chain',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=C/root_ca.crt sslmode=verify-ca dbname=certdb user=ssltestuser`,
      },
      {
        name: 'client leaf + client CA bundled',
        conninfo: `sslcert=C/client+client_ca.crt sslkey=C/client.key sslrootcert=C/root_ca.crt sslmode=verify-ca dbname=certdb user=ssltestuser`,
      },
    ],
  },
  {
    name: 'intermediates in ssl_ca_file: auto-chaining',
    files: serverFiles(pki.server.cnOnly.pem, { 'all_ca.crt': { content: pem(pki.root, pki.serverCa, pki.clientCa) } }),
    sslConf: sslConf({ ssl_ca_file: 'all_ca.crt' }),
    hba: HBA,
    conns: [
      {
        name: 'server sends its CA from ssl_ca_file: root-only client verifies',
        conninfo: `sslrootcert=C/root_ca.crt sslmode=verify-ca dbname=trustdb user=ssltestuser`,
      },
      {
        name: 'client leaf only verified with the client CA from ssl_ca_file',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=C/root_ca.crt sslmode=verify-ca dbname=certdb user=ssltestuser`,
      },
    ],
  },
  {
    name: 'no ssl_ca_file',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf(),
    hba: HBA,
    conns: [
      {
        name: 'cert auth: no certificate requested',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=certdb user=ssltestuser`,
      },
      {
        name: 'clientcert=verify-ca without CA',
        conninfo: `sslcert=C/client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=verifydb user=yetanotheruser`,
      },
    ],
  },
  // ---- host names: SAN, wildcard, IP SAN, IP CN, no names
  {
    name: 'server-cn-and-alt-names',
    files: serverFiles(pki.server.altNames.pem),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'first SAN',
        conninfo: `host=dns1.alt-name.pg-ssltest.test sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'second SAN',
        conninfo: `host=dns2.alt-name.pg-ssltest.test sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'CN ignored when SANs present',
        conninfo: `host=${CN} sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
    ],
  },
  {
    name: 'wildcard SAN',
    files: serverFiles(pki.server.wildcard.pem),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'single SAN',
        conninfo: `host=single.alt-name.pg-ssltest.test sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'wildcard match',
        conninfo: `host=foo.wildcard.pg-ssltest.test sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'wildcard does not match the bare domain',
        conninfo: `host=wildcard.pg-ssltest.test sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'wildcard does not match two labels',
        conninfo: `host=a.b.wildcard.pg-ssltest.test sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
    ],
  },
  {
    name: 'IP SANs',
    files: serverFiles(pki.server.ipSan.pem),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'host=127.0.0.1 matches IP SAN',
        conninfo: `host=127.0.0.1 sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'host=192.0.2.1 matches IP SAN',
        conninfo: `host=192.0.2.1 sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'host=192.0.2.2 does not',
        conninfo: `host=192.0.2.2 sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'IPv6 SAN, non-canonical spelling',
        conninfo: `host=2001:db8:0:0:0:0:0:1 sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'DNS name against IP SANs',
        conninfo: `host=localhost sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
    ],
  },
  {
    name: 'IP address as CN',
    files: serverFiles(pki.server.ipCn.pem),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'IP in CN matches',
        conninfo: `host=192.0.2.1 sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'other IP against CN',
        conninfo: `host=192.0.2.2 sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
    ],
  },
  {
    name: 'no names',
    files: serverFiles(pki.server.noNames.pem),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'verify-full without names',
        conninfo: `host=${CN} sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'verify-ca does not look at names',
        conninfo: `host=${CN} sslrootcert=C/root+server_ca.crt sslmode=verify-ca dbname=postgres user=ssltestuser`,
      },
    ],
  },
  // ---- server certificate problems seen by the client
  {
    name: 'revoked server cert',
    files: serverFiles(pki.server.revoked.pem),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      { name: 'verify-ca without CRL', conninfo: `sslrootcert=C/root+server_ca.crt sslmode=verify-ca dbname=postgres user=ssltestuser` },
      {
        name: 'verify-ca with CRL file',
        conninfo: `sslrootcert=C/root+server_ca.crt sslcrl=C/root+server.crl sslmode=verify-ca dbname=postgres user=ssltestuser`,
      },
      {
        name: 'verify-ca with CRL dir',
        conninfo: `sslrootcert=C/root+server_ca.crt sslcrldir=C/crldir sslmode=verify-ca dbname=postgres user=ssltestuser`,
      },
      {
        name: 'prefer with CRL falls back to plaintext',
        conninfo: `sslrootcert=C/root+server_ca.crt sslcrl=C/root+server.crl sslmode=prefer dbname=postgres user=ssltestuser`,
      },
    ],
  },
  {
    name: 'expired server cert',
    files: serverFiles(pki.server.expired.pem),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      { name: 'require does not verify', conninfo: `${DEF} sslmode=require dbname=postgres user=ssltestuser` },
      { name: 'verify-ca rejects', conninfo: `sslrootcert=C/root+server_ca.crt sslmode=verify-ca dbname=postgres user=ssltestuser` },
    ],
  },
  {
    name: 'not-yet-valid server cert',
    files: serverFiles(pki.server.notYetValid.pem),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [{ name: 'verify-ca rejects', conninfo: `sslrootcert=C/root+server_ca.crt sslmode=verify-ca dbname=postgres user=ssltestuser` }],
  },
  {
    name: 'server cert is its own root (self-signed leaf)',
    files: serverFiles(pki.server.selfSigned.pem, { 'self.crt': { content: pki.server.selfSigned.pem } }),
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'verify-full with the certificate itself as root',
        conninfo: `host=${CN} sslrootcert=C/server-self.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'verify-ca against the root instead',
        conninfo: `sslrootcert=C/root_ca.crt sslmode=verify-ca dbname=postgres user=ssltestuser`,
      },
      { name: 'require without root', conninfo: `${DEF} sslmode=require dbname=postgres user=ssltestuser` },
    ],
  },
  // ---- protocol versions
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
      {
        name: 'prefer with client max TLSv1.2 falls back',
        conninfo: `${DEF} sslmode=prefer ssl_max_protocol_version=TLSv1.2 dbname=postgres user=ssltestuser`,
      },
    ],
  },
  {
    name: 'server max TLSv1.2',
    files: serverFiles(pki.server.cnOnly.pem),
    sslConf: sslConf({ ssl_max_protocol_version: 'TLSv1.2' }),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'client min TLSv1.3: no shared version',
        conninfo: `${DEF} sslmode=require ssl_min_protocol_version=TLSv1.3 dbname=postgres user=ssltestuser`,
      },
      { name: 'TLS 1.2 connection', conninfo: `${DEF} sslmode=require dbname=postgres user=ssltestuser` },
    ],
  },
  // ---- encrypted server key with the right passphrase command
  {
    name: 'encrypted server key, right passphrase',
    files: { ...serverFiles(pki.server.cnOnly.pem), 'server.key': key(encryptedKeyPem(K.server.pem, 'secret1')) },
    sslConf: sslConf({ ssl_passphrase_command: 'echo secret1' }),
    passphrase: 'secret1',
    hba: SIMPLE_HBA,
    conns: [{ name: 'connects', conninfo: `sslrootcert=C/root+server_ca.crt sslmode=verify-ca dbname=postgres user=ssltestuser` }],
  },
  // ---- ssl off
  {
    name: 'ssl off',
    files: {},
    sslConf: 'ssl = off\n',
    hba: SIMPLE_HBA,
    conns: [
      { name: 'require', conninfo: `${DEF} sslmode=require dbname=postgres user=ssltestuser` },
      { name: 'prefer', conninfo: `${DEF} sslmode=prefer dbname=postgres user=ssltestuser` },
      { name: 'verify-full', conninfo: `host=${CN} sslrootcert=C/root+server_ca.crt sslmode=verify-full dbname=postgres user=ssltestuser` },
    ],
  },
  // ---- the docs' recipes (§19.9.5) and their usual mistakes
  {
    name: 'docs: self-signed',
    files: {
      'server.crt': { content: docs.selfSigned.serverCrtPem },
      'server.key': key(docs.selfSigned.server.keyPem),
      'root.crt': { content: docs.selfSigned.rootCrtPem },
    },
    sslConf: sslConf({ ssl_ca_file: 'root.crt' }),
    hba: `hostssl all all 127.0.0.1/32 cert\n`,
    conns: [
      {
        name: 'verify-full with ~/.postgresql files',
        conninfo: `host=db.example.test sslmode=verify-full dbname=postgres user=ssltestuser`,
        home: 'home',
      },
      { name: 'wrong host', conninfo: `host=other.example.test sslmode=verify-full dbname=postgres user=ssltestuser`, home: 'home' },
      {
        name: 'explicit files',
        conninfo: `host=db.example.test sslrootcert=C/docs-self.crt sslcert=C/nope.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
    ],
  },
  {
    name: 'docs: root + server',
    files: {
      'server.crt': { content: docs.rootServer.serverCrtPem },
      'server.key': key(docs.rootServer.server.keyPem),
      'root.crt': { content: docs.rootServer.rootCrtPem },
    },
    sslConf: sslConf({ ssl_ca_file: 'root.crt' }),
    hba: `hostssl all all 127.0.0.1/32 cert clientcert=verify-full\n`,
    conns: [
      {
        name: 'client cert from the root',
        conninfo: `host=db.example.test sslrootcert=C/docs-root.crt sslcert=C/docs-client.crt sslkey=C/client.key sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'client cert from another CA',
        conninfo: `host=db.example.test sslrootcert=C/docs-root.crt sslcert=C/client.crt sslkey=C/client.key sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'verify-full against the self-signed root of another recipe',
        conninfo: `host=db.example.test sslrootcert=C/docs-self.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
    ],
  },
  {
    name: 'docs: root + server, revoked client in the root CRL',
    files: {
      'server.crt': { content: docs.revokedClient.serverCrtPem },
      'server.key': key(docs.revokedClient.server.keyPem),
      'root.crt': { content: docs.revokedClient.rootCrtPem },
      'root.crl': { content: docs.revokedClient.crl!.pem },
    },
    sslConf: sslConf({ ssl_ca_file: 'root.crt', ssl_crl_file: 'root.crl' }),
    hba: `hostssl all all 127.0.0.1/32 trust clientcert=verify-ca\n`,
    conns: [
      {
        name: 'revoked client',
        conninfo: `sslcert=C/docs-revoked-client.crt sslkey=C/client.key sslrootcert=invalid sslmode=require dbname=postgres user=postgres`,
      },
    ],
  },
  {
    name: 'docs: root + intermediate + leaf',
    files: { 'server.crt': { content: docs.chain.serverCrtPem }, 'server.key': key(docs.chain.server.keyPem) },
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'verify-full',
        conninfo: `host=db.example.test sslrootcert=C/docs-root.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
    ],
  },
  {
    name: 'docs chain: intermediate not bundled',
    files: { 'server.crt': { content: docs.chainNoInter.serverCrtPem }, 'server.key': key(docs.chainNoInter.server.keyPem) },
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'verify-full',
        conninfo: `host=db.example.test sslrootcert=C/docs-root.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
    ],
  },
  {
    name: 'docs chain: intermediate CA:FALSE',
    files: { 'server.crt': { content: docs.chainCaFalse.serverCrtPem }, 'server.key': key(docs.chainCaFalse.server.keyPem) },
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [{ name: 'verify-ca', conninfo: `sslrootcert=C/docs-root.crt sslmode=verify-ca dbname=postgres user=ssltestuser` }],
  },
  {
    name: 'docs chain: v1 intermediate',
    files: { 'server.crt': { content: docs.chainV1.serverCrtPem }, 'server.key': key(docs.chainV1.server.keyPem) },
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [{ name: 'verify-ca', conninfo: `sslrootcert=C/docs-root.crt sslmode=verify-ca dbname=postgres user=ssltestuser` }],
  },
  {
    name: 'docs: wrong CN and expired leaf',
    files: {
      'server.crt': { content: docs.wrongCn.serverCrtPem },
      'server.key': key(docs.wrongCn.server.keyPem),
    },
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'wrong CN',
        conninfo: `host=db.example.test sslrootcert=C/docs-root.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
    ],
  },
  {
    name: 'docs: expired leaf',
    files: { 'server.crt': { content: docs.expired.serverCrtPem }, 'server.key': key(docs.expired.server.keyPem) },
    sslConf: sslConf(),
    hba: SIMPLE_HBA,
    conns: [
      {
        name: 'verify-full',
        conninfo: `host=db.example.test sslrootcert=C/docs-root.crt sslmode=verify-full dbname=postgres user=ssltestuser`,
      },
      {
        name: 'prefer with the root file falls back to plaintext',
        conninfo: `host=db.example.test sslrootcert=C/docs-root.crt sslmode=prefer dbname=postgres user=ssltestuser`,
      },
    ],
  },
];

// ---------------------------------------------------------------- comparison helpers
const STARTUP_NOISE =
  /^LOG: {2}(starting PostgreSQL|listening on|database system (was|is)|received fast shutdown|aborting any active|background worker|checkpoint|shutting down|redirecting)/;

/** the log lines of interest: noise dropped, the client port normalized */
function normLog(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !STARTUP_NOISE.test(l) && !/^(DETAIL|HINT): {2}.*(server process|terminated)/.test(l))
    .map((l) => l.replace(/port=\d+/g, 'port=<client port>'));
}

function fatalBlock(lines: string[]): string[] {
  const i = lines.findIndex((l) => l.startsWith('FATAL:'));
  return i < 0 ? [] : lines.slice(i);
}

let o: PgOracle;
let CDIR = '';
let HOME_EMPTY = '';
let HOME_FULL = '';
let serverUser = { uid: 0, gids: [0] };

const expand = (conninfo: string, port: number) => {
  const c = conninfo.replace(/C\//g, `${CDIR}/`).replace(/\bPORT\b/g, String(port));
  return `port=${port} hostaddr=127.0.0.1 ${c}`;
};

function sim(setup: Setup, conn: Conn, startupOnly = false): SimulateResult {
  return simulate({
    pgVersion: 15,
    fs: nodeFs(),
    pgdata: o.pgdata,
    conninfo: expand(conn.conninfo, o.port),
    env: { HOME: conn.home ? HOME_FULL : HOME_EMPTY, ...conn.env },
    osUser: 'root',
    clientUser: { uid: 0, gids: [0] },
    serverUser,
    passphrase: setup.passphrase,
    startupOnly,
  });
}

const agreement = { scenarios: 0, agreed: 0 };

describe.skipIf(Boolean(unavailable))('simulate() vs PostgreSQL 15 + psql', () => {
  beforeAll(async () => {
    o = await PgOracle.create({
      users: ['root', 'ssltestuser', 'anotheruser', 'yetanotheruser'],
      databases: ['trustdb', 'verifydb', 'certdb', 'certdb_dn', 'certdb_dn_re', 'certdb_cn', 'nossldb', 'hostdb', 'rejectdb'],
    });
    serverUser = o.serverIdentity;
    CDIR = join(o.root, 'c');
    HOME_EMPTY = join(o.root, 'empty-home');
    HOME_FULL = join(CDIR, 'home');
    mkdirSync(HOME_EMPTY, { recursive: true });
    for (const [name, f] of Object.entries(CLIENT_FILES)) {
      const p = join(CDIR, name);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, f.content);
      chownSync(p, 0, 0);
      chmodSync(p, f.mode ?? 0o644);
    }
  });
  afterAll(() => {
    o?.destroy();
    console.log(`simulate-oracle: ${agreement.agreed}/${agreement.scenarios} scenarios agree`);
  });

  for (const setup of SETUPS) {
    describe(setup.name, () => {
      let started: StartResult;
      beforeAll(() => {
        started = o
          .scenario(setup.name)
          .apply({ files: setup.files, sslConf: setup.sslConf, hba: setup.hba ?? SIMPLE_HBA, ident: setup.ident });
      });

      if (setup.starts !== undefined) {
        it(`server start-up: ${setup.starts ? 'starts' : 'FATAL'}`, () => {
          agreement.scenarios++;
          const r = sim(setup, { name: '', conninfo: '' }, true);
          const real = normLog(started.log);
          expect(started.started, started.log).toBe(setup.starts);
          expect(r.serverStarted).toBe(started.started);
          if (!started.started) expect(fatalBlock(r.serverLog)).toEqual(fatalBlock(real));
          else expect(r.serverLog.filter((l) => !l.startsWith('LOG:  connection'))).toEqual(real);
          agreement.agreed++;
        });
      }

      for (const conn of setup.conns ?? []) {
        it(conn.name, async () => {
          agreement.scenarios++;
          expect(started.started, started.log).toBe(true);
          const real = await o.psql(expand(conn.conninfo, o.port), { home: conn.home ? HOME_FULL : HOME_EMPTY, env: conn.env });
          const startLines = sim(setup, conn, true).serverLog.length;
          const r = sim(setup, conn);
          const got = {
            ok: r.ok,
            stderr: r.psqlStderr.trim(),
            log: r.serverLog.slice(startLines),
          };
          const want = { ok: real.status === 0, stderr: real.stderr.trim(), log: normLog(real.serverLog) };
          if (conn.known) {
            expect(got.ok, conn.known).toBe(want.ok);
            if (JSON.stringify(got) !== JSON.stringify(want))
              console.log(`known difference (${conn.known}): ${conn.name}\n${JSON.stringify({ got, want }, null, 1)}`);
          } else {
            expect(got).toEqual(want);
          }
          agreement.agreed++;
        });
      }
    });
  }
});
