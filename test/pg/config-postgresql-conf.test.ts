// postgresql.conf parsing against behaviour observed on a real PostgreSQL 15.18 (the texts
// below were printed by `postgres -C` and the pg_file_settings view on the same input).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  canonicalizePath,
  formatLog,
  memFs,
  parsePgBool,
  parsePgInt,
  parsePostgresqlConf,
  PgConfigError,
  serverSettings,
  type MemFile,
} from '../../src/pg/index.js';

const D = '/srv/pg/data';
const conf = (text: string, files: Record<string, string> = {}, mode: 'startup' | 'view' = 'startup') => {
  const all: Record<string, MemFile> = { [`${D}/postgresql.conf`]: { content: text } };
  for (const [k, v] of Object.entries(files)) all[k.endsWith('/') ? k : k.startsWith('/') ? k : `${D}/${k}`] = { content: v };
  return parsePostgresqlConf(memFs(all), `${D}/postgresql.conf`, { mode, pgVersion: 15 });
};
const log = (text: string, files: Record<string, string> = {}) => formatLog(conf(text, files).log);

describe('postgresql.conf scanner (guc-file.l)', () => {
  it.each([
    ['ssl = on\n', 'ssl', 'on'],
    ['ssl on\n', 'ssl', 'on'],
    ["ssl_ciphers = 'HIGH:''x''\\n\\101'\n", 'ssl_ciphers', "HIGH:'x'\nA"],
    ["ssl_cert_file 'server2.crt' # comment\n", 'ssl_cert_file', 'server2.crt'],
    ['listen_addresses = a.b.c\n', 'listen_addresses', 'a.b.c'],
    ['port=0x10', 'port', '0x10'],
    ['ssl_ecdh_curve = secp384r1\n', 'ssl_ecdh_curve', 'secp384r1'],
    ["ssl_crl_dir = '/a b/c'\r\n", 'ssl_crl_dir', '/a b/c'],
    ['ssl_ciphers = -1.5e3\n', 'ssl_ciphers', '-1.5e3'],
    ['ssl_ciphers = .\n', 'ssl_ciphers', '.'],
    ["ssl_ciphers = 'a\\'b'\n", 'ssl_ciphers', "a'b"],
  ])('%j sets %s to %j', (text, name, value) => {
    const r = conf(text);
    expect(r.ok).toBe(true);
    expect(r.settings.get(name)?.value).toBe(value);
  });

  it.each([
    // a value like server.crt scans as QUALIFIED_ID, which is not a value: quote it
    ['ssl_cert_file = server.crt\n', 'LOG:  syntax error in file "/srv/pg/data/postgresql.conf" line 1, near token "server.crt"'],
    ["ssl = 'on' x\n", 'LOG:  syntax error in file "/srv/pg/data/postgresql.conf" line 1, near token "x"'],
    ["\n\nssl_ciphers='", 'LOG:  syntax error in file "/srv/pg/data/postgresql.conf" line 3, near token "\'"'],
    ['ssl = on\nssl\n', 'LOG:  syntax error in file "/srv/pg/data/postgresql.conf" line 2, near end of line'],
    // at EOF without a newline the server reports the previous line (observed: "line 0")
    ['ssl =', 'LOG:  syntax error in file "/srv/pg/data/postgresql.conf" line 0, near end of line'],
    ['= 3\n', 'LOG:  syntax error in file "/srv/pg/data/postgresql.conf" line 1, near token "="'],
    ['ssl = 1e5\n', 'LOG:  syntax error in file "/srv/pg/data/postgresql.conf" line 1, near token "5"'],
  ])('%j is a syntax error', (text, first) => {
    const r = conf(text);
    expect(r.ok).toBe(false);
    expect(formatLog(r.log)).toBe(`${first}\nFATAL:  configuration file "/srv/pg/data/postgresql.conf" contains errors`);
  });

  it('logs every syntax error of a file, then the FATAL naming the main file', () => {
    expect(
      log("ssl = on\nssl_min_protocol_version='TLSv1.5'\nssl_cert_file = a.crt\n\nssl = 'on' x\ninclude 'missing.conf'\nssl_ciphers='"),
    ).toBe(
      [
        'LOG:  syntax error in file "/srv/pg/data/postgresql.conf" line 3, near token "a.crt"',
        'LOG:  syntax error in file "/srv/pg/data/postgresql.conf" line 5, near token "x"',
        'LOG:  could not open configuration file "/srv/pg/data/missing.conf": No such file or directory',
        'LOG:  syntax error in file "/srv/pg/data/postgresql.conf" line 7, near token "\'"',
        'FATAL:  configuration file "/srv/pg/data/postgresql.conf" contains errors',
      ].join('\n'),
    );
  });
});

describe('includes', () => {
  const files = {
    'conf.d/01.conf': 'ssl = on\n',
    'conf.d/00a.conf': "ssl_ecdh_curve 'secp384r1'\n",
    'conf.d/.hidden.conf': "ssl_ciphers = 'X'\n",
    'conf.d/02.txt': "ssl_ciphers = 'Y'\n",
    'conf.d/sub.conf/': '',
    'conf.d/a.conf': "include '../extra/x.conf'\n",
    'extra/x.conf': "ssl_ca_file = 'ca.crt'\n",
  };
  it('include, include_dir (name order, .conf only, no dot files or directories), relative paths', () => {
    const r = conf(
      "ssl = off\ninclude 'conf.d/01.conf'\ninclude_dir 'conf.d'\ninclude_if_exists 'nonexist.conf'\nssl_ciphers = 'Z'\n",
      files,
    );
    expect(r.ok).toBe(true);
    expect(r.items.map((i) => [i.file?.replace(D, ''), i.line, i.name, i.value, i.applied])).toEqual([
      ['/postgresql.conf', 1, 'ssl', 'off', false],
      ['/conf.d/01.conf', 1, 'ssl', 'on', false],
      ['/conf.d/00a.conf', 1, 'ssl_ecdh_curve', 'secp384r1', true],
      ['/conf.d/01.conf', 1, 'ssl', 'on', true],
      ['/extra/x.conf', 1, 'ssl_ca_file', 'ca.crt', true],
      ['/postgresql.conf', 5, 'ssl_ciphers', 'Z', true],
    ]);
    // later settings win, and remember where they came from
    expect(r.settings.get('ssl')).toEqual({ name: 'ssl', value: 'on', file: `${D}/conf.d/01.conf`, line: 1 });
    // twice: the postmaster reads the file twice at start-up
    expect(formatLog(r.log)).toBe(`LOG:  skipping missing configuration file "${D}/nonexist.conf"\n`.repeat(2).trim());
  });

  it('start-up reads the file twice: messages of a good parse appear twice', () => {
    expect(log("include_if_exists 'none.conf'\nssl = on\n")).toBe(
      `LOG:  skipping missing configuration file "${D}/none.conf"\nLOG:  skipping missing configuration file "${D}/none.conf"`,
    );
  });

  it.each([
    ["include ''\n", 'LOG:  empty configuration file name: ""', 'empty configuration file name'],
    ["include 'postgresql.conf'\n", `LOG:  configuration file recursion in "${D}/postgresql.conf"`, 'configuration file recursion'],
    [
      "include_dir 'nodir'\n",
      `LOG:  could not open configuration directory "${D}/nodir": No such file or directory`,
      `could not open directory "${D}/nodir"`,
    ],
    ["include_dir ' '\n", 'LOG:  empty configuration directory name: " "', 'empty configuration directory name'],
    [
      "include 'missing.conf'\n",
      `LOG:  could not open configuration file "${D}/missing.conf": No such file or directory`,
      `could not open file "${D}/missing.conf"`,
    ],
  ])('%j', (text, logLine, viewError) => {
    const r = conf(text);
    expect(formatLog(r.log)).toBe(`${logLine}\nFATAL:  configuration file "${D}/postgresql.conf" contains errors`);
    expect(r.items[0]).toMatchObject({ file: `${D}/postgresql.conf`, line: 1, error: viewError });
  });

  it('stops at the nesting limit', () => {
    const r = conf("include 'loop.conf'\n", { 'loop.conf': "include 'loop2.conf'\n", 'loop2.conf': "include 'loop.conf'\n" });
    expect(r.log[0].message).toBe(`could not open configuration file "loop.conf": maximum nesting depth exceeded`);
  });
});

describe('settings checks (ProcessConfigFileInternal)', () => {
  it('unrecognized names, but dotted names are custom placeholders', () => {
    expect(log('foo = bar\nfoo.bar = 1\nssl = on\nfoo2 = 3\n')).toBe(
      [
        `LOG:  unrecognized configuration parameter "foo" in file "${D}/postgresql.conf" line 1`,
        `LOG:  unrecognized configuration parameter "foo2" in file "${D}/postgresql.conf" line 4`,
        `FATAL:  configuration file "${D}/postgresql.conf" contains errors`,
      ].join('\n'),
    );
  });

  it('value checks: booleans, the protocol enums, integers, internal parameters', () => {
    expect(log("ssl = on\nssl_min_protocol_version='TLSv1.5'\nssl_prefer_server_ciphers=o\nssl=maybe\n")).toBe(
      [
        'LOG:  invalid value for parameter "ssl_min_protocol_version": "TLSv1.5"',
        'HINT:  Available values: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3.',
        'LOG:  parameter "ssl_prefer_server_ciphers" requires a Boolean value',
        'LOG:  parameter "ssl" requires a Boolean value',
        `FATAL:  configuration file "${D}/postgresql.conf" contains errors`,
      ].join('\n'),
    );
    expect(log('ssl_max_protocol_version=x\n')).toContain('HINT:  Available values: , TLSv1, TLSv1.1, TLSv1.2, TLSv1.3.');
    expect(log('port = 70000\n')).toContain('LOG:  70000 is outside the valid range for parameter "port" (1 .. 65535)');
    expect(log('port = abc\n')).toContain('LOG:  invalid value for parameter "port": "abc"');
    expect(log('ssl_library = x\n')).toContain('LOG:  parameter "ssl_library" cannot be changed');
    // duplicates are matched by exact spelling (strcmp), so both of these are checked
    expect(log('SSL = maybe\nSsl = on\n')).toContain('LOG:  parameter "SSL" requires a Boolean value');
    expect(conf('ssl_max_protocol_version=tlsv1.3\nssl=ye\nport=010\n').ok).toBe(true);
  });

  it('pg_file_settings view: abandons a file at its first syntax error, marks errors and applied', () => {
    const v = conf('ssl = off\nssl_cert_file = a.crt\nssl = on\n', {}, 'view');
    expect(v.items.map((i) => [i.line, i.name ?? null, i.error ?? null, i.applied])).toEqual([
      [1, 'ssl', null, false],
      [2, null, 'syntax error', false],
    ]);
    expect(v.log).toEqual([]);
    const w = conf("ssl = off\nssl_min_protocol_version = 'TLSv1.5'\nssl=ye\n", {}, 'view');
    // a bad value fails only its own line
    expect(w.items.map((i) => [i.seqno, i.applied, i.error ?? null])).toEqual([
      [1, false, null],
      [2, false, 'setting could not be applied'],
      [3, true, null],
    ]);
  });
});

describe('values', () => {
  it.each([
    ['on', true],
    ['OFF', false],
    ['t', true],
    ['tr', true],
    ['truex', undefined],
    ['ye', true],
    ['n', false],
    ['o', undefined],
    ['of', false],
    ['1', true],
    ['0', false],
    ['10', undefined],
    [' on', undefined],
    ['', undefined],
  ])('parse_bool(%j) = %j', (v, want) => expect(parsePgBool(v)).toBe(want));

  it.each([
    ['5432', 5432],
    ['0x10', 16],
    ['010', 8],
    ['1.5', 2],
    ['12 ', 12],
    ['abc', undefined],
    ['99999999999', undefined],
  ])('parse_int(%j) = %j', (v, want) => expect(parsePgInt(v)).toBe(want));
});

describe('server settings', () => {
  it('PG 15 defaults', () => {
    const s = serverSettings(conf('\n'));
    expect(s.ssl).toMatchObject({
      ssl: false,
      certFile: 'server.crt',
      keyFile: 'server.key',
      caFile: '',
      ciphers: 'HIGH:MEDIUM:+3DES:!aNULL',
      ecdhCurve: 'prime256v1',
      minProtocol: 'TLSv1.2',
      maxProtocol: '',
      preferServerCiphers: true,
      passphraseCommandSupportsReload: false,
    });
    expect(s).toMatchObject({
      port: 5432,
      listenAddresses: 'localhost',
      dataDirectory: D,
      hbaFile: `${D}/pg_hba.conf`,
      identFile: `${D}/pg_ident.conf`,
    });
    expect(s.sslPaths.certFile).toBe(`${D}/server.crt`);
  });

  it('relative ssl paths resolve against data_directory; hba_file as given', () => {
    const s = serverSettings(
      conf(
        "data_directory = '/var/lib/pg'\nssl = on\nssl_ca_file = 'certs/../ca.crt'\nssl_key_file = '/etc/k.key'\nhba_file = '/etc/pg/hba.conf'\nssl_min_protocol_version = tlsv1.3\nport = 5433\n",
      ),
      { overrides: { port: '6543' } },
    );
    expect(s.dataDirectory).toBe('/var/lib/pg');
    expect(s.sslPaths).toMatchObject({
      caFile: '/var/lib/pg/ca.crt',
      keyFile: '/etc/k.key',
      certFile: '/var/lib/pg/server.crt',
      crlFile: '',
    });
    expect(s.hbaFile).toBe('/etc/pg/hba.conf');
    expect(s.ssl.minProtocol).toBe('TLSv1.3');
    expect(s.port).toBe(6543);
    expect(s.sources.port).toEqual({ file: 'command line' });
    expect(s.sources.ssl_ca_file).toEqual({ file: `${D}/postgresql.conf`, line: 3 });
  });

  it('canonicalize_path', () => {
    expect(canonicalizePath('/a//b/./c/../d/')).toBe('/a/b/d');
    expect(canonicalizePath('/../x')).toBe('/x');
    expect(canonicalizePath('../a/../../b')).toBe('../../b');
  });

  it('a relative main file needs a data directory', () => {
    expect(() => parsePostgresqlConf(memFs({}), 'postgresql.conf', { pgVersion: 15 })).toThrow(PgConfigError);
  });
});

describe('properties', () => {
  it('never throws on arbitrary file contents (text or bytes)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.uint8Array({ maxLength: 200 })),
        (content) => {
          for (const mode of ['startup', 'reload', 'view'] as const) {
            const r = parsePostgresqlConf(
              memFs({ '/d/postgresql.conf': { content }, '/d/x.conf': { content: 'ssl=on' } }),
              '/d/postgresql.conf',
              { mode, pgVersion: 15 },
            );
            expect(r.ok || r.items.some((i) => i.error) || mode === 'view' || r.log.length > 0).toBe(true);
            // a reload reports an error file at LOG level, never FATAL
            if (mode === 'reload') expect(r.log.some((l) => l.level === 'FATAL')).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('name = quoted value round-trips any value', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter((s) => !s.includes('\n') && !s.includes('\0')),
        (v) => {
          const quoted = `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
          const r = conf(`ssl_ciphers = ${quoted}\n`);
          expect(r.settings.get('ssl_ciphers')?.value).toBe(v);
        },
      ),
      { numRuns: 300 },
    );
  });
});
