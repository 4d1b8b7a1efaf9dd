// Replays PostgreSQL's own SSL TAP scenarios (src/test/ssl/t/001_ssltests.pl, transcribed in
// /work/shared/reference/pg-ssl-tap-scenarios.md) with the suite's certificates
// (/work/shared/reference/pg-ssl-testdata/) through simulate(), and, for the scenarios
// PostgreSQL 15 can run (no sslcertmode, no sslrootcert=system), through the real server and
// psql too. Prints agreement per section: simulate() vs the TAP expectation, real PG15 vs the
// TAP expectation, and simulate() vs real psql's exact stderr. The pg_stat_ssl scenarios
// (C6.4, V14) print simulate()'s modelled row the way the TAP test's psql does (`-A -F ,
// -P null=_null_`) and match it, and real psql's output, against the TAP regex.
//
//   node --import tsx scripts/tap-replay.ts [--no-real] [--verbose]
//
// The scenarios are a table transcribed from the md (expected regexes included), not parsed
// at run time. Skips with a message when the test data folder is absent.

import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate, privateKeyPem } from '../dist/factory/index.js';
import { nodeFs } from '../dist/pg/fs-node.js';
import { simulate } from '../dist/pg/simulate.js';
import { psqlUnaligned } from '../dist/pg/server/stat-ssl.js';
import { parseCertificate, parsePrivateKey } from '../dist/x509/index.js';
import { PgOracle, pgOracleUnavailable, type ServerFile } from '../test/support/pg-oracle.js';

const DATA = '/work/shared/reference/pg-ssl-testdata';
const args = new Set(process.argv.slice(2));
const VERBOSE = args.has('--verbose');

if (!existsSync(DATA)) {
  console.log(`tap-replay: skipped, the PostgreSQL SSL test data folder is absent (${DATA})`);
  process.exit(0);
}

// ---------------------------------------------------------------- the table
interface Server {
  cert: string;
  key?: string;
  ca?: string;
  crl?: string;
  crldir?: string;
  pass?: string;
  extra?: string;
}
interface Scenario {
  id: string;
  section: string;
  server: Server;
  /** connection string: `ssl/` = the client file directory, `HA` = hostaddr=127.0.0.1, `DEF` = the suite's invalid defaults */
  conn?: string;
  /** 'ok', or the regex psql's stderr must match; for start-up scenarios 'starts' / a FATAL regex */
  expect: 'ok' | 'starts' | RegExp;
  /** needs PostgreSQL 16+ (sslcertmode, sslrootcert=system): simulated as 17, not run on the real 15 */
  pg16?: boolean;
  /** the expectation for PostgreSQL 15 when its libpq words it differently from the PG17-era test (§9) */
  expect15?: RegExp;
  /** why the scenario is not replayed at all */
  skip?: string;
  /** client environment beyond HOME; `$PGDATA` is the server's data directory */
  env?: Record<string, string>;
  /** psql runs `SELECT * FROM pg_stat_ssl WHERE pid = pg_backend_pid()`: its output must match this */
  statSsl?: RegExp;
}

const lit = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
const MAIN: Server = { cert: 'server-cn-only' };
const REVOKED: Server = { cert: 'server-revoked' };
const C1 = 'DEF user=ssltestuser dbname=trustdb HA host=common-name.pg-ssltest.test';
const C2 = 'DEF user=ssltestuser dbname=trustdb sslrootcert=ssl/root+server_ca.crt HA';
const C3 = `${C2} sslmode=verify-full`;
const C6 = 'DEF user=ssltestuser dbname=trustdb HA host=common-name.pg-ssltest.test';
const S = 'DEF sslrootcert=ssl/root+server_ca.crt sslmode=require dbname=certdb HA host=localhost';
const S1 = 'DEF sslrootcert=ssl/root+server_ca.crt sslmode=require dbname=verifydb HA host=localhost';
const S2 = 'DEF user=ssltestuser dbname=certdb sslkey=ssl/client.key sslrootcert=ssl/root+server_ca.crt HA host=localhost';
const VERIFY_FAILED = /SSL error: certificate verify failed/;
const REVOKED_ALERT = /SSL error: ssl[a-z0-9/]* alert certificate revoked/;
// the TAP suite's pg_stat_ssl check: psql -X -A -F , -P null=_null_ -c STAT_SQL
const STAT_SQL = 'SELECT * FROM pg_stat_ssl WHERE pid = pg_backend_pid()';
const STAT_HEADER = String.raw`^pid,ssl,version,cipher,bits,client_dn,client_serial,issuer_dn\r?\n`;
/** $serialno of 001_ssltests.pl: `openssl x509 -serial` of client.crt, in decimal */
function clientSerial(): string {
  try {
    const hex = execFileSync('openssl', ['x509', '-serial', '-noout', '-in', join(DATA, 'client.crt')])
      .toString()
      .trim()
      .replace(/^serial=/, '');
    return BigInt(`0x${hex}`).toString();
  } catch {
    return '2315702411956921344'; // the md's value for this client.crt
  }
}

const names = (cert: string, rows: [string, string, 'ok' | RegExp][]): Scenario[] =>
  rows.map(([id, host, expect]) => ({ id, section: 'host names', server: { cert }, conn: `${C3} host=${host}`, expect }));

const SCENARIOS: Scenario[] = [
  // §2 server start-up
  {
    id: 'S1',
    section: 'server start-up',
    server: { cert: 'server-cn-only', key: 'server-password', pass: 'echo wrongpassword' },
    expect: /could not load private key file "server-password.key": bad decrypt/,
  },
  {
    id: 'S2',
    section: 'server start-up',
    server: { cert: 'server-cn-only', key: 'server-password', pass: 'echo secret1' },
    expect: 'starts',
  },
  {
    id: 'S3',
    section: 'server start-up',
    server: { ...MAIN, extra: "ssl_min_protocol_version='TLSv1.2'\nssl_max_protocol_version='TLSv1.1'" },
    expect: /could not set SSL protocol version range/,
  },
  {
    id: 'S4',
    section: 'server start-up',
    server: { ...MAIN, extra: "ssl_min_protocol_version='TLSv1.2'\nssl_max_protocol_version=''" },
    expect: 'starts',
  },
  // §3 client verification
  { id: 'C1.1', section: 'client verification', server: MAIN, conn: `${C1} sslmode=disable`, expect: /no pg_hba.conf entry/ },
  { id: 'C1.2', section: 'client verification', server: MAIN, conn: `${C1} sslrootcert=invalid sslmode=require`, expect: 'ok' },
  {
    id: 'C1.3',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=invalid sslmode=verify-ca`,
    expect: /root certificate file "invalid" does not exist/,
  },
  {
    id: 'C1.4',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=invalid sslmode=verify-full`,
    expect: /root certificate file "invalid" does not exist/,
  },
  {
    id: 'C1.5',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/client_ca.crt sslmode=require`,
    expect: VERIFY_FAILED,
  },
  {
    id: 'C1.6',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/client_ca.crt sslmode=verify-ca`,
    expect: VERIFY_FAILED,
  },
  {
    id: 'C1.7',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/client_ca.crt sslmode=verify-full`,
    expect: VERIFY_FAILED,
  },
  {
    id: 'C1.8',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/server_ca.crt sslmode=verify-ca`,
    expect: VERIFY_FAILED,
  },
  {
    id: 'C1.9',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/root+server_ca.crt sslmode=require`,
    expect: 'ok',
  },
  {
    id: 'C1.10',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/root+server_ca.crt sslmode=verify-ca`,
    expect: 'ok',
  },
  {
    id: 'C1.11',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/root+server_ca.crt sslmode=verify-full`,
    expect: 'ok',
  },
  {
    id: 'C1.12',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/both-cas-1.crt sslmode=verify-ca`,
    expect: 'ok',
  },
  {
    id: 'C1.13',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/both-cas-2.crt sslmode=verify-ca`,
    expect: 'ok',
  },
  {
    id: 'C1.14',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/root+server_ca.crt sslmode=require sslcertmode=disable`,
    expect: 'ok',
    pg16: true,
  },
  {
    id: 'C1.15',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/root+server_ca.crt sslmode=require sslcertmode=allow`,
    expect: 'ok',
    pg16: true,
  },
  {
    id: 'C1.16',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/root+server_ca.crt sslmode=require sslcertmode=require`,
    expect: /server accepted connection without a valid SSL certificate/,
    pg16: true,
  },
  {
    id: 'C1.17',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/root+server_ca.crt sslmode=verify-ca sslcrl=invalid`,
    expect: 'ok',
  },
  {
    id: 'C1.18',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/root+server_ca.crt sslmode=verify-ca sslcrl=ssl/client.crl`,
    expect: VERIFY_FAILED,
  },
  {
    id: 'C1.19',
    section: 'client verification',
    server: MAIN,
    conn: `sslcrl='' ${C1} sslcrl='' sslrootcert=ssl/root+server_ca.crt sslmode=verify-ca sslcrldir=ssl/client-crldir`,
    expect: VERIFY_FAILED,
  },
  {
    id: 'C1.20',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/root+server_ca.crt sslmode=verify-ca sslcrl=ssl/root+server.crl`,
    expect: 'ok',
  },
  {
    id: 'C1.21',
    section: 'client verification',
    server: MAIN,
    conn: `${C1} sslrootcert=ssl/root+server_ca.crt sslmode=verify-ca sslcrldir=ssl/root+server-crldir`,
    expect: 'ok',
  },
  // host names
  { id: 'C2.1', section: 'host names', server: MAIN, conn: `${C2} sslmode=require host=wronghost.test`, expect: 'ok' },
  { id: 'C2.2', section: 'host names', server: MAIN, conn: `${C2} sslmode=verify-ca host=wronghost.test`, expect: 'ok' },
  {
    id: 'C2.3',
    section: 'host names',
    server: MAIN,
    conn: `${C2} sslmode=verify-full host=wronghost.test`,
    expect: lit('server certificate for "common-name.pg-ssltest.test" does not match host name "wronghost.test"'),
  },
  ...names('server-ip-cn-only', [
    ['C3.1', '192.0.2.1', 'ok'],
    ['C3.2', '192.000.002.001', lit('server certificate for "192.0.2.1" does not match host name "192.000.002.001"')],
  ]),
  ...names('server-ip-in-dnsname', [['C3.3', '192.0.2.1', 'ok']]),
  ...names('server-multiple-alt-names', [
    ['C3.4', 'dns1.alt-name.pg-ssltest.test', 'ok'],
    ['C3.5', 'dns2.alt-name.pg-ssltest.test', 'ok'],
    ['C3.6', 'foo.wildcard.pg-ssltest.test', 'ok'],
    [
      'C3.7',
      'wronghost.alt-name.pg-ssltest.test',
      lit(
        'server certificate for "dns1.alt-name.pg-ssltest.test" (and 2 other names) does not match host name "wronghost.alt-name.pg-ssltest.test"',
      ),
    ],
    [
      'C3.8',
      'deep.subdomain.wildcard.pg-ssltest.test',
      lit(
        'server certificate for "dns1.alt-name.pg-ssltest.test" (and 2 other names) does not match host name "deep.subdomain.wildcard.pg-ssltest.test"',
      ),
    ],
  ]),
  ...names('server-single-alt-name', [
    ['C3.9', 'single.alt-name.pg-ssltest.test', 'ok'],
    [
      'C3.10',
      'wronghost.alt-name.pg-ssltest.test',
      lit('server certificate for "single.alt-name.pg-ssltest.test" does not match host name "wronghost.alt-name.pg-ssltest.test"'),
    ],
    [
      'C3.11',
      'deep.subdomain.wildcard.pg-ssltest.test',
      lit('server certificate for "single.alt-name.pg-ssltest.test" does not match host name "deep.subdomain.wildcard.pg-ssltest.test"'),
    ],
  ]),
  ...names('server-ip-alt-names', [
    ['C3.12', '192.0.2.1', 'ok'],
    ['C3.13', '192.000.002.001', 'ok'],
    ['C3.14', '192.0.2.2', lit('server certificate for "192.0.2.1" (and 1 other name) does not match host name "192.0.2.2"')],
    ['C3.15', '2001:DB8::1', 'ok'],
    ['C3.16', '2001:db8:0:0:0:0:0:1', 'ok'],
    ['C3.17', '2001:db8::0.0.0.1', 'ok'],
    ['C3.18', '::1', lit('server certificate for "192.0.2.1" (and 1 other name) does not match host name "::1"')],
    ['C3.19', '2001:DB8::1/128', lit('server certificate for "192.0.2.1" (and 1 other name) does not match host name "2001:DB8::1/128"')],
  ]),
  ...names('server-cn-and-alt-names', [
    ['C3.20', 'dns1.alt-name.pg-ssltest.test', 'ok'],
    ['C3.21', 'dns2.alt-name.pg-ssltest.test', 'ok'],
    [
      'C3.22',
      'common-name.pg-ssltest.test',
      lit(
        'server certificate for "dns1.alt-name.pg-ssltest.test" (and 1 other name) does not match host name "common-name.pg-ssltest.test"',
      ),
    ],
  ]),
  ...names('server-cn-and-ip-alt-names', [
    ['C3.23', 'common-name.pg-ssltest.test', 'ok'],
    ['C3.24', '192.0.2.1', 'ok'],
    ['C3.25', '2001:db8::1', 'ok'],
  ]),
  ...names('server-ip-cn-and-alt-names', [
    ['C3.26', '192.0.2.2', 'ok'],
    ['C3.27', '2001:db8::1', 'ok'],
    ['C3.28', '192.0.2.1', lit('server certificate for "192.0.2.2" (and 1 other name) does not match host name "192.0.2.1"')],
  ]),
  ...names('server-ip-cn-and-dns-alt-names', [
    ['C3.29', '192.0.2.1', 'ok'],
    ['C3.30', 'dns1.alt-name.pg-ssltest.test', 'ok'],
    ['C3.31', 'dns2.alt-name.pg-ssltest.test', 'ok'],
  ]),
  {
    id: 'C4.1',
    section: 'host names',
    server: { cert: 'server-no-names' },
    conn: `${C2} sslmode=verify-ca host=common-name.pg-ssltest.test`,
    expect: 'ok',
  },
  {
    id: 'C4.2',
    section: 'host names',
    server: { cert: 'server-no-names' },
    conn: `${C2} sslmode=verify-full host=common-name.pg-ssltest.test`,
    expect: /could not get server's host name from server certificate/,
  },
  // system trust store (PG16+)
  {
    id: 'C5.1',
    section: 'system trust store',
    server: { cert: 'server-cn-only+server_ca', key: 'server-cn-only', ca: 'root_ca' },
    conn: 'DEF user=ssltestuser dbname=trustdb sslrootcert=system HA sslmode=verify-full host=common-name.pg-ssltest.test',
    expect: /SSL error: (certificate verify failed|unregistered scheme)/,
    pg16: true,
  },
  {
    id: 'C5.2',
    section: 'system trust store',
    server: { cert: 'server-cn-only+server_ca', key: 'server-cn-only', ca: 'root_ca' },
    conn: 'DEF user=ssltestuser dbname=trustdb sslrootcert=system HA sslmode=verify-ca host=common-name.pg-ssltest.test',
    expect: /weak sslmode "verify-ca" may not be used with sslrootcert=system/,
    pg16: true,
  },
  {
    id: 'C5.3',
    section: 'system trust store',
    server: { cert: 'server-cn-only+server_ca', key: 'server-cn-only', ca: 'root_ca' },
    conn: 'DEF user=ssltestuser dbname=trustdb sslrootcert=system HA sslmode=verify-full host=common-name.pg-ssltest.test',
    env: { SSL_CERT_FILE: '$PGDATA/root_ca.crt' },
    expect: 'ok',
    pg16: true,
  },
  {
    id: 'C5.4',
    section: 'system trust store',
    server: { cert: 'server-cn-only+server_ca', key: 'server-cn-only', ca: 'root_ca' },
    conn: 'DEF user=ssltestuser dbname=trustdb sslrootcert=system HA host=common-name.pg-ssltest.test.bad',
    env: { SSL_CERT_FILE: '$PGDATA/root_ca.crt' },
    expect: lit('server certificate for "common-name.pg-ssltest.test" does not match host name "common-name.pg-ssltest.test.bad"'),
    pg16: true,
  },
  // client CRLs with a revoked server certificate, protocol options
  {
    id: 'C6.1',
    section: 'client CRLs, protocol options',
    server: REVOKED,
    conn: `${C6} sslrootcert=ssl/root+server_ca.crt sslmode=verify-ca`,
    expect: 'ok',
  },
  {
    id: 'C6.2',
    section: 'client CRLs, protocol options',
    server: REVOKED,
    conn: `${C6} sslrootcert=ssl/root+server_ca.crt sslmode=verify-ca sslcrl=ssl/root+server.crl`,
    expect: VERIFY_FAILED,
  },
  {
    id: 'C6.3',
    section: 'client CRLs, protocol options',
    server: REVOKED,
    conn: `${C6} sslcrl='' sslrootcert=ssl/root+server_ca.crt sslmode=verify-ca sslcrldir=ssl/root+server-crldir`,
    expect: VERIFY_FAILED,
  },
  {
    id: 'C6.4',
    section: 'client CRLs, protocol options',
    server: REVOKED,
    conn: `${C6} sslrootcert=invalid`,
    expect: 'ok',
    statSsl: new RegExp(`${STAT_HEADER}${String.raw`^\d+,t,TLSv[\d.]+,[\w-]+,\d+,_null_,_null_,_null_\r?$`}`, 'm'),
  },
  {
    id: 'C6.5',
    section: 'client CRLs, protocol options',
    server: REVOKED,
    conn: `${C6} sslrootcert=ssl/root+server_ca.crt sslmode=require ssl_min_protocol_version=TLSv1.2 ssl_max_protocol_version=TLSv1.2`,
    expect: 'ok',
  },
  {
    id: 'C6.6',
    section: 'client CRLs, protocol options',
    server: REVOKED,
    conn: `${C6} sslrootcert=ssl/root+server_ca.crt sslmode=require ssl_min_protocol_version=TLSv1.2 ssl_max_protocol_version=TLSv1.1`,
    expect: /invalid SSL protocol version range/,
  },
  {
    id: 'C6.7',
    section: 'client CRLs, protocol options',
    server: REVOKED,
    conn: `${C6} sslrootcert=ssl/root+server_ca.crt sslmode=require ssl_min_protocol_version=incorrect_tls`,
    expect: /invalid "ssl_min_protocol_version" value/,
    expect15: /invalid ssl_min_protocol_version value/,
  },
  {
    id: 'C6.8',
    section: 'client CRLs, protocol options',
    server: REVOKED,
    conn: `${C6} sslrootcert=ssl/root+server_ca.crt sslmode=require ssl_max_protocol_version=incorrect_tls`,
    expect: /invalid "ssl_max_protocol_version" value/,
    expect15: /invalid ssl_max_protocol_version value/,
  },
  // §4 client certificates
  {
    id: 'V1',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} user=ssltestuser sslcert=invalid`,
    expect: /connection requires a valid client certificate/,
  },
  {
    id: 'V2',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} user=ssltestuser sslcert=ssl/client.crt sslkey=ssl/client.key`,
    expect: 'ok',
  },
  { id: 'V3', section: 'client certificates', server: REVOKED, expect: 'ok', skip: 'client-der.key is not in the test data' },
  {
    id: 'V4',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} user=ssltestuser sslcert=ssl/client.crt sslkey=ssl/client-encrypted-pem.key sslpassword='dUmmyP^#+'`,
    expect: 'ok',
  },
  { id: 'V5', section: 'client certificates', server: REVOKED, expect: 'ok', skip: 'client-encrypted-der.key is not in the test data' },
  {
    id: 'V6',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} user=ssltestuser sslcertmode=require sslcert=ssl/client.crt sslkey=ssl/client.key`,
    expect: 'ok',
    pg16: true,
  },
  {
    id: 'V7',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} user=ssltestuser sslcertmode=allow sslcert=ssl/client.crt sslkey=ssl/client.key`,
    expect: 'ok',
    pg16: true,
  },
  {
    id: 'V8',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} user=ssltestuser sslcertmode=disable sslcert=ssl/client.crt sslkey=ssl/client.key`,
    expect: /connection requires a valid client certificate/,
    pg16: true,
  },
  {
    id: 'V9',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} user=ssltestuser sslcert=ssl/client.crt sslkey=ssl/client-encrypted-pem.key sslpassword='wrong'`,
    expect: /private key file ".*client-encrypted-pem\.key": bad decrypt/,
  },
  {
    id: 'V10',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} dbname=certdb_dn user=ssltestuser sslcert=ssl/client-dn.crt sslkey=ssl/client-dn.key`,
    expect: 'ok',
  },
  {
    id: 'V11',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} dbname=certdb_dn_re user=ssltestuser sslcert=ssl/client-dn.crt sslkey=ssl/client-dn.key`,
    expect: 'ok',
  },
  {
    id: 'V12',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} dbname=certdb_cn user=ssltestuser sslcert=ssl/client-dn.crt sslkey=ssl/client-dn.key`,
    expect: 'ok',
  },
  {
    id: 'V13',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} user=ssltestuser sslcert=ssl/client.crt sslkey=ssl/client-encrypted-pem.key sslpassword=''`,
    expect: /client-encrypted-pem\.key": processing error/,
  },
  {
    id: 'V14',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} user=ssltestuser sslcert=ssl/client.crt sslkey=ssl/client.key`,
    expect: 'ok',
    statSsl: new RegExp(
      `${STAT_HEADER}${String.raw`^\d+,t,TLSv[\d.]+,[\w-]+,\d+,/?CN=ssltestuser,`}${clientSerial()},${String.raw`/?CN=Test CA for PostgreSQL SSL regression test client certs\r?$`}`,
      'm',
    ),
  },
  {
    id: 'V15',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} user=ssltestuser sslcert=ssl/client.crt sslkey=ssl/client_wrongperms.key`,
    expect: /private key file ".*client_wrongperms\.key" has group or world access/,
  },
  {
    id: 'V16',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} user=anotheruser sslcert=ssl/client.crt sslkey=ssl/client.key`,
    expect: /certificate authentication failed for user "anotheruser"/,
  },
  {
    id: 'V17',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S} user=ssltestuser sslcert=ssl/client-revoked.crt sslkey=ssl/client-revoked.key`,
    expect: REVOKED_ALERT,
  },
  {
    id: 'V18',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S1} user=ssltestuser sslcert=ssl/client.crt sslkey=ssl/client.key`,
    expect: 'ok',
  },
  {
    id: 'V19',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S1} user=anotheruser sslcert=ssl/client.crt sslkey=ssl/client.key`,
    expect: /FATAL: .* "trust" authentication failed for user "anotheruser"/,
  },
  {
    id: 'V20',
    section: 'client certificates',
    server: REVOKED,
    conn: `${S1} user=yetanotheruser sslcert=ssl/client.crt sslkey=ssl/client.key`,
    expect: 'ok',
  },
  {
    id: 'V21',
    section: 'client certificates',
    server: { cert: 'server-cn-only', ca: 'root_ca' },
    conn: `${S2} sslmode=require sslcert=ssl/client+client_ca.crt`,
    expect: 'ok',
  },
  {
    id: 'V22',
    section: 'client certificates',
    server: { cert: 'server-cn-only', ca: 'root_ca' },
    conn: `${S2} sslmode=require sslcert=ssl/client.crt`,
    expect: /SSL error: tlsv1 alert unknown ca/,
  },
  {
    id: 'V23',
    section: 'client certificates',
    server: { cert: 'server-cn-only', ca: 'root_ca' },
    conn: `${S2} sslmode=require sslcert=ssl/client-long.crt sslkey=ssl/client-long.key`,
    expect: /SSL error: tlsv1 alert unknown ca/,
  },
  {
    id: 'V24',
    section: 'client certificates',
    server: { cert: 'server-cn-only', ca: 'server-cn-only' },
    conn: `${S2} sslmode=require sslcert=ssl/client+client_ca.crt`,
    expect: /SSL error: tlsv1 alert unknown ca/,
  },
  // server-side CRL directory
  {
    id: 'V25',
    section: 'server CRLs',
    server: { cert: 'server-cn-only', crldir: 'root+client-crldir' },
    conn: `${S2} user=ssltestuser sslcert=ssl/client-revoked.crt sslkey=ssl/client-revoked.key`,
    expect: REVOKED_ALERT,
  },
  {
    id: 'V26',
    section: 'server CRLs',
    server: { cert: 'server-cn-only', crldir: 'root+client-crldir' },
    conn: `${S2} user=ssltestuser sslcert=ssl/client-revoked-utf8.crt sslkey=ssl/client-revoked-utf8.key`,
    expect: REVOKED_ALERT,
  },
];

// ---------------------------------------------------------------- setup
const HBA = `hostssl trustdb         md5testuser     127.0.0.1/32   md5
hostssl trustdb         all             127.0.0.1/32   trust
hostssl verifydb        ssltestuser     127.0.0.1/32   trust   clientcert=verify-full
hostssl verifydb        anotheruser     127.0.0.1/32   trust   clientcert=verify-full
hostssl verifydb        yetanotheruser  127.0.0.1/32   trust   clientcert=verify-ca
hostssl certdb          all             127.0.0.1/32   cert
hostssl certdb_dn       all             127.0.0.1/32   cert clientname=DN map=dn
hostssl certdb_dn_re    all             127.0.0.1/32   cert clientname=DN map=dnre
hostssl certdb_cn       all             127.0.0.1/32   cert clientname=CN map=cn
`;
const IDENT = `dn         "CN=ssltestuser-dn,OU=Testing,OU=Engineering,O=PGDG"     ssltestuser
dnre       "/^.*OU=Testing,.*$"                                     ssltestuser
cn         ssltestuser-dn                                           ssltestuser
`;

/** server-no-names.key is not in the data: re-issue server-no-names.crt under server_ca with a vector key. */
function noNamesPair(): { crt: string; key: string } {
  const caCert = parseCertificate(pemDer(readFileSync(join(DATA, 'server_ca.crt'), 'utf8')));
  const caKey = parsePrivateKey(readFileSync(join(DATA, 'server_ca.key')));
  const orig = parseCertificate(pemDer(readFileSync(join(DATA, 'server-no-names.crt'), 'utf8')));
  const keyPem = readFileSync(join(import.meta.dirname, '../vectors/keys/rsa2048-1.pem'), 'utf8');
  const key = parsePrivateKey(new TextEncoder().encode(keyPem));
  const cert = makeCertificate({
    version: 1,
    subject: orig.subject.der,
    subjectKey: key,
    issuerCert: caCert,
    issuerKey: caKey,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 3650 * 86_400_000),
  });
  return { crt: cert.pem, key: privateKeyPem(key) };
}

function pemDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

function serverFiles(): Record<string, ServerFile> {
  const files: Record<string, ServerFile> = {};
  for (const f of readdirSync(DATA)) {
    const p = join(DATA, f);
    if (statSync(p).isDirectory()) {
      if (/crldir$/.test(f)) for (const g of readdirSync(p)) files[`${f}/${g}`] = { content: readFileSync(join(p, g)) };
      continue;
    }
    if (/^(server|root|client|both)/.test(f) && /\.(crt|key|crl)$/.test(f)) files[f] = { content: readFileSync(p) };
  }
  const nn = noNamesPair();
  files['server-no-names.crt'] = { content: nn.crt };
  files['server-no-names.key'] = { content: nn.key };
  return files;
}

function sslConf(s: Server): string {
  return [
    'ssl=on',
    `ssl_ca_file='${s.ca ?? 'root+client_ca'}.crt'`,
    `ssl_cert_file='${s.cert}.crt'`,
    `ssl_key_file='${s.key ?? s.cert}.key'`,
    `ssl_crl_file='${s.crl ?? 'root+client.crl'}'`,
    ...(s.crldir ? [`ssl_crl_dir='${s.crldir}'`] : []),
    ...(s.pass ? [`ssl_passphrase_command='${s.pass}'`] : []),
    ...(s.extra ? [s.extra] : []),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- run
interface Row {
  sc: Scenario;
  simOk?: boolean;
  realOk?: boolean;
  same?: boolean;
  note?: string;
}

const PID_STANDIN = '4242';

/** The TAP suite's pg_stat_ssl query through real psql (001_ssltests.pl's flags). */
function psqlStatSsl(conninfo: string, home: string): { status: number; stdout: string; stderr: string } {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, PGCONNECT_TIMEOUT: '10', LANG: 'C', LC_ALL: 'C' };
  const r = spawnSync('psql', ['-X', '-A', '-F', ',', '-P', 'null=_null_', '-d', conninfo, '-c', STAT_SQL], {
    encoding: 'utf8',
    env,
    timeout: 30_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function main(): Promise<void> {
  const unavailable = args.has('--no-real') ? 'disabled with --no-real' : pgOracleUnavailable();
  const oracle = unavailable
    ? undefined
    : await PgOracle.create({
        users: ['ssltestuser', 'md5testuser', 'anotheruser', 'yetanotheruser'],
        databases: ['trustdb', 'certdb', 'certdb_dn', 'certdb_dn_re', 'certdb_cn', 'verifydb'],
      });
  if (unavailable) console.log(`tap-replay: real PostgreSQL not used (${unavailable}); simulate() only`);
  const root = oracle?.root ?? mkdtempSync(join(tmpdir(), 'pgtls-tap-'));
  const pgdata = oracle?.pgdata ?? join(root, 'data');
  const port = oracle?.port ?? 5432;
  const pgUid = oracle?.pguid;
  const serverUser = oracle
    ? { uid: oracle.pguid, gids: execFileSync('id', ['-G', 'postgres']).toString().trim().split(/\s+/).map(Number) }
    : { uid: process.getuid?.() ?? 0, gids: [process.getgid?.() ?? 0] };
  const files = serverFiles();
  // client files: ssl/ copies, keys 0600, client_wrongperms.key 0644
  const cdir = join(root, 'ssl');
  mkdirSync(cdir, { recursive: true });
  for (const [name, f] of Object.entries(files)) {
    const p = join(cdir, name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, f.content);
    chmodSync(p, name.endsWith('.key') ? 0o600 : 0o644);
  }
  copyFileSync(join(cdir, 'client.key'), join(cdir, 'client_wrongperms.key'));
  chmodSync(join(cdir, 'client_wrongperms.key'), 0o644);
  const home = join(root, 'empty-home');
  mkdirSync(home, { recursive: true });

  const writeDir = (s: Server) => {
    // without a real server: write the data directory the simulator reads
    mkdirSync(pgdata, { recursive: true });
    for (const [name, f] of Object.entries(files)) {
      const p = join(pgdata, name);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, f.content);
      chmodSync(p, name.endsWith('.key') ? 0o600 : 0o644);
    }
    writeFileSync(
      join(pgdata, 'postgresql.conf'),
      `log_connections = on\nlisten_addresses = '127.0.0.1'\nport = ${port}\ninclude_if_exists 'sslconfig.conf'\n`,
    );
    writeFileSync(join(pgdata, 'sslconfig.conf'), sslConf(s));
    writeFileSync(join(pgdata, 'pg_hba.conf'), HBA);
    writeFileSync(join(pgdata, 'pg_ident.conf'), IDENT);
  };

  const expand = (conn: string) =>
    `port=${port} ${conn
      .replace(/\bDEF\b/g, 'sslkey=invalid sslcert=invalid sslrootcert=invalid sslcrl=invalid sslcrldir=invalid')
      .replace(/\bHA\b/g, 'hostaddr=127.0.0.1')
      .replace(/\bssl\//g, `${cdir}/`)}`;
  const matches = (expect: Scenario['expect'], ok: boolean, text: string) =>
    expect === 'ok' || expect === 'starts' ? ok : !ok && expect.test(text);

  const rows: Row[] = [];
  let current = '';
  let started = { started: false, log: '' };
  for (const sc of SCENARIOS) {
    const row: Row = { sc };
    rows.push(row);
    if (sc.skip) continue;
    const key = sslConf(sc.server);
    if (key !== current || sc.section === 'server start-up') {
      current = key;
      if (oracle) started = oracle.apply({ files, sslConf: key, hba: HBA, ident: IDENT });
      else writeDir(sc.server);
      if (oracle && pgUid !== undefined) chownSync(pgdata, pgUid, oracle.pggid);
    }
    const pgVersion = sc.pg16 ? 17 : 15;
    if (!sc.conn) {
      const r = simulate({ fs: nodeFs(), pgdata, conninfo: '', serverUser, pgVersion, startupOnly: true });
      const simLog = r.serverLog.join('\n');
      row.simOk = matches(sc.expect, r.serverStarted, simLog);
      if (oracle) {
        row.realOk = matches(sc.expect, started.started, started.log);
        const fatal = (t: string) =>
          t
            .split('\n')
            .filter((l) => /^(FATAL|DETAIL):/.test(l))
            .join('\n');
        row.same = r.serverStarted === started.started && fatal(simLog) === fatal(started.log);
        if (!row.same) row.note = `sim: ${fatal(simLog) || 'starts'} | real: ${fatal(started.log) || 'starts'}`;
      }
      continue;
    }
    const conninfo = expand(sc.conn);
    const env = Object.fromEntries(Object.entries(sc.env ?? {}).map(([k, v]) => [k, v.replace('$PGDATA', pgdata)]));
    const r = simulate({
      fs: nodeFs(),
      pgdata,
      conninfo,
      env: { HOME: home, ...env },
      osUser: 'root',
      clientUser: { uid: 0, gids: [0] },
      serverUser,
      pgVersion,
    });
    const expect = (!sc.pg16 && sc.expect15) || sc.expect;
    row.simOk = matches(expect, r.ok, r.psqlStderr);
    if (!row.simOk) row.note = `sim: ${r.ok ? 'connects' : r.psqlStderr}`;
    // the modelled row as the TAP test's psql prints it; the pid is unknowable: a stand-in
    const simStat =
      sc.statSsl && r.pgStatSsl
        ? `${psqlUnaligned(r.pgStatSsl, { sep: ',', nullText: '_null_', header: true, pid: PID_STANDIN })}\n(1 row)`
        : undefined;
    if (sc.statSsl) {
      row.simOk = row.simOk && simStat !== undefined && sc.statSsl.test(simStat);
      row.note = `sim: ${simStat ?? (r.ok ? 'connects, no pg_stat_ssl row' : r.psqlStderr)}`;
    }
    if (oracle && !sc.pg16) {
      if (!started.started) {
        row.realOk = false;
        row.note = `real server did not start: ${started.log
          .split('\n')
          .filter((l) => l.startsWith('FATAL'))
          .join(' ')}`;
        continue;
      }
      if (sc.statSsl) {
        const real = psqlStatSsl(conninfo, home);
        // the real pid replaced by the stand-in; the rest must be the same text
        const realOut = real.stdout.trimEnd().replace(/^(pid,.*\n)\d+,/m, `$1${PID_STANDIN},`);
        row.realOk = real.status === 0 && sc.statSsl.test(real.stdout);
        row.same = simStat !== undefined && realOut === simStat;
        row.note = `sim:  ${(simStat ?? '-').replace(/\n/g, ' | ')}\nreal: ${(real.status === 0 ? realOut : real.stderr.trim()).replace(/\n/g, ' | ')}`;
        continue;
      }
      const real = await oracle.psql(conninfo, { home });
      const realOk = real.status === 0;
      row.realOk = matches(expect, realOk, real.stderr);
      row.same = realOk === r.ok && real.stderr.trim() === r.psqlStderr.trim();
      if (!row.same) row.note = `sim: ${r.ok ? 'connects' : r.psqlStderr} | real: ${realOk ? 'connects' : real.stderr.trim()}`;
    }
  }
  oracle?.destroy();
  if (!oracle) rmSync(root, { recursive: true, force: true });

  // ---------------------------------------------------------------- report
  const sections = [...new Set(SCENARIOS.map((s) => s.section))];
  const pct = (a: number, b: number) => (b ? `${a}/${b}` : '-');
  console.log(
    `\n${'section'.padEnd(32)} ${'scenarios'.padStart(9)} ${'skipped'.padStart(7)} ${'sim=TAP'.padStart(8)} ${'PG15=TAP'.padStart(9)} ${'sim=PG15'.padStart(9)}`,
  );
  const tot = { n: 0, skip: 0, simOk: 0, sim: 0, realOk: 0, real: 0, same: 0 };
  for (const sec of sections) {
    const rs = rows.filter((r) => r.sc.section === sec);
    const run = rs.filter((r) => !r.sc.skip);
    const real = run.filter((r) => r.realOk !== undefined);
    const t = {
      n: rs.length,
      skip: rs.length - run.length,
      simOk: run.filter((r) => r.simOk).length,
      sim: run.length,
      realOk: real.filter((r) => r.realOk).length,
      real: real.length,
      same: real.filter((r) => r.same).length,
    };
    for (const k of Object.keys(tot) as (keyof typeof tot)[]) tot[k] += t[k];
    console.log(
      `${sec.padEnd(32)} ${String(t.n).padStart(9)} ${String(t.skip).padStart(7)} ${pct(t.simOk, t.sim).padStart(8)} ${pct(t.realOk, t.real).padStart(9)} ${pct(t.same, t.real).padStart(9)}`,
    );
  }
  console.log(
    `${'total'.padEnd(32)} ${String(tot.n).padStart(9)} ${String(tot.skip).padStart(7)} ${pct(tot.simOk, tot.sim).padStart(8)} ${pct(tot.realOk, tot.real).padStart(9)} ${pct(tot.same, tot.real).padStart(9)}`,
  );
  console.log(
    '\nsim=TAP: simulate() meets the TAP expectation; PG15=TAP: real PostgreSQL 15 + psql meets it; sim=PG15: same verdict and the same psql stderr.',
  );
  const notes = rows.filter((r) => r.sc.skip || r.note || r.simOk === false || r.realOk === false);
  if (notes.length) console.log('\nNotes:');
  for (const r of notes) {
    if (r.sc.skip) console.log(`  ${r.sc.id}: skipped, ${r.sc.skip}`);
    else if (VERBOSE || r.simOk === false || r.realOk === false || r.same === false)
      console.log(
        `  ${r.sc.id}: sim=TAP ${r.simOk}, PG15=TAP ${r.realOk ?? '-'}${r.note ? `\n      ${r.note.replace(/\n/g, '\n      ')}` : ''}`,
      );
  }
  if (rows.some((r) => r.sc.pg16))
    console.log(
      `  (${rows
        .filter((r) => r.sc.pg16 && !r.sc.skip)
        .map((r) => r.sc.id)
        .join(', ')}: PostgreSQL 16+ features, simulated as libpq 17, not run on PG15)`,
    );
}

await main();
