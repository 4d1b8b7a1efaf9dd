// The config, conninfo and wire parsers against a real PostgreSQL 15 server and psql:
//  (a) malformed pg_hba.conf files: the start-up log holds exactly the LOG/HINT/CONTEXT/FATAL
//      lines parseHba predicts;
//  (b) the pg_hba_file_rules, pg_ident_file_mappings and pg_file_settings views, which
//      re-read the files on every query, agree row for row with our parse of the same files;
//      `postgres --config-file=F -C ssl` prints the start-up errors for postgresql.conf;
//  (c) psql's "psql: error: ..." for malformed connection strings;
//  (d) matchHbaLine's FATALs and wire codecs against live connections.
// Skipped, with the reason, when PostgreSQL 15 is not installed or cannot run as `postgres`.

import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFs } from '../../src/pg/fs-node.js';
import {
  BackendMessageReader,
  ConninfoError,
  encodeFrontendMessage,
  formatLog,
  hbaRejectMessage,
  loadIdentFile,
  matchHbaLine,
  memFs,
  parseHba,
  parsePostgresqlConf,
  psqlError,
  resolvePsql,
  startupMessage,
  unexpectedDataAfterSslRequest,
  unsupportedProtocolMessage,
  type BackendMessage,
  type HbaConnection,
  type HbaFileRule,
} from '../../src/pg/index.js';
import { PG_BIN, PgOracle, pgOracleUnavailable, runAs } from '../support/pg-oracle.js';

const unavailable = pgOracleUnavailable();
if (unavailable) console.warn(`config-oracle: skipped, ${unavailable}`);

const KEY = fileURLToPath(new URL('../../vectors/keys/rsa2048-1.pem', import.meta.url));

let o: PgOracle;
let pguid = 0;
let pggid = 0;

function write(path: string, content: string): void {
  writeFileSync(path, content);
  chownSync(path, pguid, pggid);
}

async function sql(query: string): Promise<string[]> {
  const r = await o.psql('user=postgres dbname=postgres sslmode=disable', { sql: query });
  if (r.status !== 0) throw new Error(`query failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** A text[] as PostgreSQL prints it (array_out): elements quoted when they need it. */
const pgArray = (a: string[] | null) =>
  a &&
  `{${a.map((e) => (e === '' || /^null$/i.test(e) || /[{}",\\\s]/.test(e) ? `"${e.replace(/["\\]/g, (c) => `\\${c}`)}"` : e)).join(',')}}`;
const hbaRow = (r: HbaFileRule) =>
  [r.lineNumber, r.type, pgArray(r.database), pgArray(r.userName), r.address, r.netmask, r.authMethod, pgArray(r.options), r.error]
    .map((v) => v ?? '')
    .join('|');

/** The start-up log lines from the first line we predict on, as many as we predict. */
function logSlice(log: string, predicted: string): string {
  const lines = log.split('\n');
  const want = predicted.split('\n');
  const i = lines.indexOf(want[0]);
  return i < 0 ? log : lines.slice(i, i + want.length).join('\n');
}

describe.skipIf(unavailable !== undefined)('real PostgreSQL 15 as the oracle', () => {
  beforeAll(async () => {
    o = await PgOracle.create({ users: ['bob'], databases: ['sslonly', 'plain', 'quoted'] });
    pguid = o.pguid;
    pggid = o.pggid;
  }, 60_000);
  afterAll(() => o?.destroy());

  // (a) start-up with malformed pg_hba.conf files (ssl off, so hostssl lines warn)
  const badHba: [string, string][] = [
    [
      'types, masks and clientcert',
      'local all all trust\nhostx all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/33 trust\nhostssl all all 127.0.0.1/32 cert clientcert=verify-ca\n',
    ],
    ['netmask and ldap', 'host all all 10.0.0.0 trust\nhost db u all ldap\nhost db u all trust clientcert=verify-full\n'],
    ['empty', '# nothing here\n\n'],
    ['token too long and @file', `host ${'x'.repeat(10240)} all all trust\nhost @missing.txt all all trust\n`],
    ['obsolete clientcert value', 'hostssl all all all md5 clientcert=no-verify\nhost all all all peer \\\n  map=x\n'],
  ];
  it.each(badHba)('(a) start-up log for a malformed pg_hba.conf: %s', (_name, hba) => {
    const st = o.apply({ files: {}, sslConf: '', hba });
    expect(st.started).toBe(false);
    const predicted = formatLog(parseHba(memFs({}), join(o.pgdata, 'pg_hba.conf'), hba, { pgVersion: 15, ssl: false }).log);
    expect(predicted).toMatch(/FATAL: {2}could not load pg_hba.conf$/);
    expect(logSlice(st.log, predicted)).toBe(predicted);
  });

  describe('with a running server (ssl=on)', () => {
    const startHba = [
      'local     all       all                      trust',
      'host      all       postgres  127.0.0.1/32   trust',
      'hostssl   sslonly   all       127.0.0.1/32   trust',
      'hostnossl plain     all       127.0.0.1/32   trust',
      'host      quoted    all       127.0.0.1/32   reject',
      '',
    ].join('\n');

    beforeAll(() => {
      const crt = spawnSync('openssl', ['req', '-x509', '-key', KEY, '-subj', '/CN=localhost', '-days', '2', '-out', '-'], {
        encoding: 'utf8',
      });
      if (crt.status !== 0) throw new Error(`openssl: ${crt.stderr}`);
      const st = o.apply({
        files: { 'server.crt': { content: crt.stdout }, 'server.key': { content: readFileSync(KEY) } },
        sslConf: "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
        hba: startHba,
      });
      if (!st.started) throw new Error(`server did not start:\n${st.log}`);
      // pg_file_settings reads postgresql.conf: hang our test file off it, keep the rest
      const conf = join(o.pgdata, 'postgresql.conf');
      write(conf, `${readFileSync(conf, 'utf8')}include_if_exists 'pgtls-test.conf'\n`);
    }, 60_000);

    // (b) pg_hba_file_rules
    const hbaFiles = [
      [
        'host all all 127.0.0.1/32 trust',
        'host all,"x y",+g,@nofile all 10.0.0.0 255.0.0.0 md5',
        'hostssl "all" all ::1/128 cert clientcert=verify-ca',
        'hostssl db u 1.2.3.4/32 trust clientcert=verify-full clientname=DN',
        'hostssl db u 1.2.3.4/32 cert clientname=CN map=x',
        'hostssl db u 1.2.3.4/32 trust clientname=cn',
        'host db u .example.com scram-sha-256',
        'host db u foo.example.com/24 trust',
        'host db u 1.2.3.4 ::ffff:0 trust',
        'host db u 1.2.3.4',
        'local db u ident map=m',
        'host db u all peer',
        'host db u all gss include_realm=0 krb_realm=R',
        'host all all 1.2.3.4/24 trust \\',
        '  clientcert=verify-full',
        'host all all 1.2.3 255.255.0.0 trust',
        'host all all 0x7f.1/8 trust',
        'host all all 2001:DB8:0:0:0:0:0:1/64 trust',
        'host "db"x,"a""b" @ "1.2.3.4/32" "trust" # comment',
        'host db , all trust',
        'hostnogssenc db u all bsd',
        'host db u all ldap ldapurl="ldap://h:1234/dc=a??one?(uid=x)" ldaptls=1',
        'host db u all radius radiusservers="127.0.0.1, 127.0.0.2" radiussecrets=s,t radiusports=1812',
        'host db u all radius radiusservers="localhost,no-such-host.invalid" radiussecrets=s',
        '',
      ].join('\n'),
      'host @users.txt db all trust\nhost all all all trust clientcert=1\n',
      // address text as getaddrinfo(AI_NUMERICHOST) reads it: "0x" alone is no number in glibc 2.36
      // (a host name, so the mask is an error), a numeric zone up to 2^32-1, trailing blanks in quotes
      [
        'host all all 0x/8 trust',
        'host all all 0x.1.2.3/32 trust',
        'host all all fe80::1%1/64 trust',
        'host all all fe80::1%4294967295/64 trust',
        'host all all fe80::1%4294967296/64 trust',
        'host all all "1.2.3.4 "/32 trust',
        'host all all 0377.1 255.255.255.255 trust',
        'host all all ::ffff:1.2.3.4/128 trust',
        '',
      ].join('\n'),
    ];
    it.each(hbaFiles.map((f, i) => [i, f]))('(b) pg_hba_file_rules agrees with parseHba, file %i', async (_i, text) => {
      write(join(o.pgdata, 'users.txt'), 'alice, bob\n"carol x"\n');
      write(join(o.pgdata, 'pg_hba.conf'), text);
      const real = await sql('select line_number,type,database,user_name,address,netmask,auth_method,options,error from pg_hba_file_rules');
      const ours = parseHba(nodeFs(), join(o.pgdata, 'pg_hba.conf'), text, { pgVersion: 15, ssl: true, mode: 'view' }).rules.map(hbaRow);
      expect(ours).toEqual(real);
    });

    it('(b) pg_ident_file_mappings agrees with parseIdent', async () => {
      write(
        join(o.pgdata, 'pg_ident.conf'),
        'm1 alice bob\nm2 /^(.*)@example\\.com$ \\1\nm3 /( bob\nm4 alice\nm6 a,b c\nm7 "a b" "+grp"\nm8 /[[:alpha:]]+ all\nm9 /a{2,1} x\n# c\nm10 \\\n  x y\n' +
          'r1 /a{1 x\nr2 /a{x} y\nr3 /[b-a] y\nr4 /\\q y\nr5 /a** y\nr6 /(?i)a y\nr7 "/a{3,2}" y\nr8 /[[:nope:]] y\nr9 /(?z)a y\nr10 /\\x41\\y\\e y\nr11 /[a y\n',
      );
      const real = await sql('select line_number,map_name,sys_name,pg_username,error from pg_ident_file_mappings');
      const ours = loadIdentFile(nodeFs(), join(o.pgdata, 'pg_ident.conf'), { mode: 'view' }).mappings.map((m) =>
        [m.lineNumber, m.mapName, m.sysName, m.pgUsername, m.error].map((v) => v ?? '').join('|'),
      );
      expect(ours).toEqual(real);
    });

    // (b) pg_file_settings (postgresql.conf with include handling) and start-up errors
    const confCases: [string, string, Record<string, string>][] = [
      [
        'settings, duplicates, include_dir',
        "ssl_ciphers = 'HIGH'\nssl_ecdh_curve secp384r1\ninclude_dir 'pgtls.d'\nssl_ciphers='MEDIUM' # later wins\n",
        {
          'pgtls.d/b.conf': 'ssl_prefer_server_ciphers = off\n',
          'pgtls.d/a.conf': "ssl_ca_file = 'ca.crt'\ninclude '../pgtls-sub.conf'\n",
          'pgtls.d/.skip.conf': 'nonsense here\n',
          'pgtls.d/c.txt': 'nonsense here\n',
          'pgtls-sub.conf': "ssl_crl_dir = '/x'\n",
        },
      ],
      ['bad values', "ssl_min_protocol_version = 'TLSv1.5'\nssl_prefer_server_ciphers = o\nssl_max_protocol_version = tlsv1.3\n", {}],
      ['unrecognized', 'ssl_ciphers = a\nnosuch_param = 1\ncustom.param = 2\n', {}],
      ['syntax errors', "ssl_ciphers = 'a'\nssl_cert_file = server.crt\nssl_ciphers = 'b'\n", {}],
      ['include problems', "include 'nope.conf'\ninclude_if_exists 'nope2.conf'\ninclude_dir 'nodir'\ninclude ''\nssl_ciphers = 'x'\n", {}],
    ];
    it.each(confCases)('(b) pg_file_settings agrees with parsePostgresqlConf: %s', async (_name, text, files) => {
      for (const [f, c] of Object.entries(files)) {
        mkdirSync(join(o.pgdata, f, '..'), { recursive: true });
        write(join(o.pgdata, f), c);
      }
      write(join(o.pgdata, 'pgtls-test.conf'), text);
      const real = await sql(
        'select sourcefile,sourceline,seqno,name,setting,applied,error from pg_file_settings where sourcefile is not null order by seqno',
      );
      const parsed = parsePostgresqlConf(nodeFs(), join(o.pgdata, 'postgresql.conf'), { mode: 'view', dataDir: o.pgdata, pgVersion: 15 });
      const ours = parsed.items
        .filter((i) => i.file !== undefined)
        .map((i) => [i.file, i.line, i.seqno, i.name, i.value, i.applied ? 't' : 'f', i.error].map((v) => v ?? '').join('|'));
      expect(ours).toEqual(real);
    });

    const startupConf = [
      "ssl = on\nssl_min_protocol_version='TLSv1.5'\nssl_prefer_server_ciphers=o\nssl=maybe\nport = 70000\n",
      'foo = bar\nfoo.bar = 1\nssl = on\nfoo2 = 3\n',
      "ssl_cert_file = a.crt\nssl = 'on' x\ninclude 'missing.conf'\ninclude_dir 'pgtls.d'\nssl_ciphers='",
      'ssl = on\nssl =',
      'ssl_max_protocol_version = x\nssl_library = y\nSSL = maybe\nSsl = on\n',
      "include_if_exists 'none.conf'\nssl = on\n",
    ];
    it.each(startupConf.map((c, i) => [i, c]))('(b) `postgres -C` start-up errors match, config %i', (i, text) => {
      const file = join(o.root, `startup-${i}.conf`);
      write(file, text as string);
      const r = runAs('postgres', [join(PG_BIN, 'postgres'), '-D', o.pgdata, `--config-file=${file}`, '-C', 'ssl']);
      const real = r.stderr
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.replace(/^.*? \[\d+\] /, ''))
        .join('\n');
      const parsed = parsePostgresqlConf(nodeFs(), file, { dataDir: o.pgdata, pgVersion: 15 });
      expect(formatLog(parsed.log)).toBe(real);
      expect(r.status === 0).toBe(parsed.ok);
    });

    it('(b) a missing main file stops `postgres` before logging', () => {
      const file = join(o.root, 'no-such.conf');
      const r = runAs('postgres', [join(PG_BIN, 'postgres'), '-D', o.pgdata, `--config-file=${file}`, '-C', 'ssl']);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(parsePostgresqlConf(nodeFs(), file, { dataDir: o.pgdata, pgVersion: 15 }).stderr);
    });

    // (d) matchHbaLine against live connections (the rules loaded at start)
    const conns: [string, Partial<HbaConnection>][] = [
      ['dbname=sslonly sslmode=disable', { database: 'sslonly', ssl: false }],
      ['dbname=plain sslmode=require', { database: 'plain', ssl: true }],
      ['dbname=quoted sslmode=disable', { database: 'quoted', ssl: false }],
      ['dbname=nosuch sslmode=require', { database: 'nosuch', ssl: true }],
      ['dbname=sslonly sslmode=require', { database: 'sslonly', ssl: true }],
    ];
    it.each(conns)('(d) live connection %s', async (ci, x) => {
      const lines = parseHba(memFs({}), join(o.pgdata, 'pg_hba.conf'), startHba, { pgVersion: 15, ssl: true }).lines;
      const c: HbaConnection = { connType: 'host', addr: '127.0.0.1', user: 'bob', database: 'db', ssl: false, ...x };
      const m = matchHbaLine(lines, c);
      const r = await o.psql(`user=bob ${ci}`, { sql: 'select 1' });
      if (!m.matched) {
        expect(r.stderr).toContain(`FATAL:  ${m.fatal}`);
        expect(r.serverLog).toContain(`FATAL:  ${m.fatal}`);
      } else if (m.line.method === 'reject') {
        expect(r.stderr).toContain(`FATAL:  ${hbaRejectMessage(c)}`);
      } else {
        expect(r.status).toBe(0);
        expect(r.stdout.trim()).toBe('1');
      }
    });

    // (d) the wire against the server
    const talk = (
      path: { port?: number; socket?: string },
      first: Uint8Array,
      rest: (m: BackendMessage, send: (b: Uint8Array) => void) => boolean,
      afterSslAnswer?: (send: (b: Uint8Array) => void) => void,
    ) =>
      new Promise<{ sslByte?: number; messages: BackendMessage[] }>((resolve, reject) => {
        const s = path.socket ? connect(path.socket) : connect(path.port as number, '127.0.0.1');
        const reader = new BackendMessageReader();
        const messages: BackendMessage[] = [];
        let sslByte: number | undefined;
        let expectSsl = first[7] === 0x2f;
        s.on('connect', () => s.write(first));
        s.on('data', (d: Buffer) => {
          let chunk = new Uint8Array(d);
          if (expectSsl) {
            sslByte = chunk[0];
            chunk = chunk.subarray(1);
            expectSsl = false;
            afterSslAnswer?.((b) => s.write(b));
          }
          try {
            for (const m of reader.push(chunk)) {
              messages.push(m);
              if (rest(m, (b) => s.write(b))) s.end();
            }
          } catch (e) {
            reject(e);
          }
        });
        s.on('close', () => resolve({ sslByte, messages }));
        s.on('error', reject);
        setTimeout(() => s.destroy(), 5000);
      });

    it('(d) a session: startup, parameters, a simple query, an error', async () => {
      const seen: string[] = [];
      const { messages } = await talk(
        { port: o.port },
        encodeFrontendMessage(startupMessage({ user: 'postgres', database: 'postgres' })),
        (m, send) => {
          seen.push(m.type);
          if (m.type === 'ReadyForQuery' && seen.filter((t) => t === 'ReadyForQuery').length === 1)
            send(encodeFrontendMessage({ type: 'Query', sql: "select 1 as x, null::text as y, 'é' as z; select 1/0" }));
          return m.type === 'ReadyForQuery' && seen.filter((t) => t === 'ReadyForQuery').length === 2;
        },
      );
      expect(messages[0]).toEqual({ type: 'Authentication', method: 'Ok' });
      expect(messages).toContainEqual(
        expect.objectContaining({ type: 'ParameterStatus', name: 'server_version', value: expect.stringMatching(/^15\./) }),
      );
      expect(messages).toContainEqual(expect.objectContaining({ type: 'BackendKeyData' }));
      const row = messages.find((m) => m.type === 'DataRow');
      expect(row).toEqual({ type: 'DataRow', values: [new TextEncoder().encode('1'), null, new TextEncoder().encode('é')] });
      expect(messages).toContainEqual(
        expect.objectContaining({
          type: 'RowDescription',
          fields: expect.arrayContaining([expect.objectContaining({ name: 'x', typeOid: 23 })]),
        }),
      );
      expect(messages).toContainEqual({ type: 'CommandComplete', tag: 'SELECT 1' });
      const err = messages.find((m) => m.type === 'ErrorResponse');
      expect(err).toMatchObject({ fields: { severity: 'ERROR', code: '22012', message: 'division by zero' } });
      expect(messages.at(-1)).toEqual({ type: 'ReadyForQuery', status: 'I' });
    });

    it('(d) bytes pipelined behind an SSLRequest (Unix socket, answered N): the CVE-2021-23214 FATAL', async () => {
      const startup = encodeFrontendMessage(startupMessage({ user: 'postgres', database: 'postgres' }));
      const { sslByte, messages } = await talk(
        { socket: join(o.root, `.s.PGSQL.${o.port}`) },
        new Uint8Array([...encodeFrontendMessage({ type: 'SSLRequest' }), ...startup]),
        () => false,
      );
      expect(String.fromCharCode(sslByte ?? 0)).toBe('N');
      const want = unexpectedDataAfterSslRequest(startup);
      expect(messages).toEqual([{ ...(want?.serverMessage as object), raw: expect.any(Array) }]);
      expect((messages[0] as { fields: unknown }).fields).toEqual(want?.server);
    });

    it('(d) a second SSLRequest after N is an unsupported protocol', async () => {
      const ssl = encodeFrontendMessage({ type: 'SSLRequest' });
      const { sslByte, messages } = await talk(
        { socket: join(o.root, `.s.PGSQL.${o.port}`) },
        ssl,
        () => false,
        (send) => send(ssl),
      );
      expect(String.fromCharCode(sslByte ?? 0)).toBe('N');
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({
        type: 'ErrorResponse',
        fields: { severity: 'FATAL', code: '0A000', message: unsupportedProtocolMessage(80877103) },
      });
    });
  });

  // (c) psql as the oracle for connection-string errors (no server needed)
  const conninfos = [
    'foo=bar',
    'host=x sslmode=bogus',
    "host='abc",
    'host x',
    'postgresql://h/db?foo=bar',
    'postgresql://[::1',
    'postgresql://[]/',
    'postgresql://[::1]x/',
    'postgresql://h/db?a=b=c',
    'postgresql://h/db?sslmode',
    'postgresql://h/%zz',
    'postgresql://u%00@h/',
    'postgresql://h/db?ssl=true&sslmode=x',
    'ssl_min_protocol_version=TLSv1.5',
    'ssl_max_protocol_version=tlsv1.9',
    'ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2',
    'host=a,b port=1,2,3',
    'hostaddr=1.2.3.4 host=a,b',
    'sslcertmode=allow',
    'sslnegotiation=direct',
    'port=abc host=localhost',
    'port=0 host=localhost',
    'hostaddr=foo',
    'host=a,b port=70000,0',
    'service=nosuchservice',
    'channel_binding=x',
    'gssencmode=x',
    'target_session_attrs=x',
    'requiressl=1 sslmode=x',
    'authtype=x',
  ];
  it('(c) psql prints the same error for ~30 malformed connection strings', () => {
    const home = join(o.root, 'empty-home');
    mkdirSync(home, { recursive: true });
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C', LC_ALL: 'C', PGCONNECT_TIMEOUT: '1', PGPORT: '1' };
    const mismatches: string[] = [];
    for (const ci of conninfos) {
      const r = spawnSync(join(PG_BIN, 'psql'), ['-X', '-w', ci, '-c', 'select 1'], { encoding: 'utf8', env, timeout: 10_000 });
      let ours: string;
      try {
        resolvePsql({ dbname: ci, osUser: 'root', env, pgVersion: 15 });
        ours = '(tries to connect)';
      } catch (e) {
        if (!(e instanceof ConninfoError)) throw e;
        ours = psqlError(e);
      }
      expect(r.status).not.toBe(0);
      const real = r.stderr.trim();
      // when libpq accepts the options, psql's error is about the connection attempt
      const same = ours === '(tries to connect)' ? /^psql: error: connection to server /.test(real) : ours === real;
      if (!same) mismatches.push(`${ci}\n  psql: ${real}\n  ours: ${ours}`);
    }
    expect(mismatches).toEqual([]);
  });
});
