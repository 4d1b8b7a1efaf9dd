// pg_hba.conf parsing and matching. Expected rows and log lines were produced by a real
// PostgreSQL 15.18 (pg_hba_file_rules and the start-up log) on the same input.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  formatLog,
  hostsResolver,
  parseHostsFile,
  loadHbaFile,
  matchHbaLine,
  memFs,
  parseHba,
  PgConfigError,
  type HbaConnection,
  type HbaFileRule,
  type HbaParseOptions,
} from '../../src/pg/index.js';

const F = '/d/pg_hba.conf';
const parse = (text: string, opts: HbaParseOptions = {}, files: Record<string, string> = {}) =>
  parseHba(memFs(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, { content: v }]))), F, text, { pgVersion: 15, ...opts });
const row = (r: HbaFileRule) =>
  [
    r.lineNumber,
    r.type,
    r.database && `{${r.database}}`,
    r.userName && `{${r.userName}}`,
    r.address,
    r.netmask,
    r.authMethod,
    r.options && `{${r.options}}`,
    r.error,
  ]
    .map((v) => v ?? '')
    .join('|');
const rows = (text: string, opts: HbaParseOptions = {}, files: Record<string, string> = {}) =>
  parse(text, { mode: 'view', ...opts }, files).rules.map(row);

describe('pg_hba.conf parsing (pg_hba_file_rules rows from PostgreSQL 15.18)', () => {
  it('line forms, address forms, options and errors', () => {
    const text = [
      'host all all 127.0.0.1/32 trust',
      'host all,"x y",+g,@nofile all 10.0.0.0 255.0.0.0 md5',
      'hostssl "all" all ::1/128 cert clientcert=verify-ca',
      'hostssl db u 1.2.3.4/32 trust clientcert=1',
      'hostssl db u 1.2.3.4/32 trust clientcert=verify-ca clientname=DN map=x',
      'host db u .example.com scram-sha-256',
      'host db u foo.example.com/24 trust',
      'host db u 1.2.3.4 ::ffff:0 trust',
      'host db u 1.2.3.4',
      'host db u samenet reject',
      'local db u ident map=m',
      'host db u all peer',
      'host db u all gss',
      'host db u all ldap',
      'host db u all radius',
      'host db u all trust foo',
      'host db u all trust foo=bar',
      'hostgssenc db u all trust',
      'local replication all trust',
      'host all all 1.2.3.4/24 trust \\',
      '  clientcert=verify-full',
      'host all all 1.2.3.4/abc trust',
      'host all all 1.2.3.4/-1 trust',
      'host all all 1.2.3 trust',
      'host all all 01.2.3.4/8 trust',
      '',
    ].join('\n');
    expect(rows(text)).toEqual([
      '1|host|{all}|{all}|127.0.0.1|255.255.255.255|trust||',
      '2||||||||could not open secondary authentication file "@nofile" as "/d/nofile": No such file or directory',
      '3||||||||clientcert can only be set to "verify-full" when using "cert" authentication',
      '4||||||||hostssl record cannot match because SSL is disabled',
      '5||||||||authentication option "map" is only valid for authentication methods ident, peer, gssapi, sspi, and cert',
      '6|host|{db}|{u}|.example.com||scram-sha-256||',
      '7||||||||specifying both host name and CIDR mask is invalid: "foo.example.com/24"',
      '8||||||||IP address and mask do not match',
      '9||||||||end-of-line before netmask specification',
      '10|host|{db}|{u}|samenet||reject||',
      '11|local|{db}|{u}|||peer|{map=m}|',
      '12||||||||peer authentication is only supported on local sockets',
      '13|host|{db}|{u}|all||gss|{include_realm=true}|',
      '14||||||||authentication method "ldap" requires argument "ldapbasedn", "ldapprefix", or "ldapsuffix" to be set',
      '15||||||||authentication method "radius" requires argument "radiusservers" to be set',
      '16||||||||authentication option not in name=value format: foo',
      '17||||||||unrecognized authentication option name: "foo"',
      '18|hostgssenc|{db}|{u}|all||trust||',
      '19|local|{replication}|{all}|||trust||',
      '20||||||||clientcert can only be configured for "hostssl" rows',
      '22||||||||invalid CIDR mask in address "1.2.3.4/abc"',
      '23||||||||invalid CIDR mask in address "1.2.3.4/-1"',
      '24||||||||invalid IP mask "trust": Name or service not known',
      '25|host|{all}|{all}|1.2.3.4|255.0.0.0|trust||',
    ]);
  });

  it('tokens: quotes, commas, @, comments, continuation', () => {
    const text = [
      'host "db"x,"a""b" "u" "1.2.3.4/32" "trust"',
      'host db u "samehost" trust',
      'host "@x" @ all trust',
      'host db , all trust',
      'host db u 1.2.3.4/32,5.6.7.8/32 trust',
      'host db u 1.2.3.4/32 trust,md5',
      'host,local db u all trust',
      'host db u 1.2.3.4/32 trust \\\\',
      'host db2 u 1.2.3.4/32 trust',
      'host "db \\',
      'x" u 1.2.3.4/32 trust # comment \\',
      ' continued comment',
      'host db5 u 1.2.3.4/32 trust\r',
      'host db u 2001:db8::/32 trust',
      'host db u ::1/129 trust',
      'host db u [::1] trust',
      'host db6 u 1.2.3.4/32 trust \\',
    ].join('\n');
    expect(rows(text)).toEqual([
      '1|host|{dbx,a"b}|{u}|1.2.3.4|255.255.255.255|trust||',
      '2|host|{db}|{u}|samehost||trust||',
      '3|host|{@x}|{@}|all||trust||',
      '4||||||||end-of-line before authentication method',
      '5||||||||multiple values specified for host address',
      '6||||||||multiple values specified for authentication type',
      '7||||||||multiple values specified for connection type',
      '8||||||||authentication option not in name=value format: \\host',
      '10|host|{db x}|{u}|1.2.3.4|255.255.255.255|trust||',
      '13|host|{db5}|{u}|1.2.3.4|255.255.255.255|trust||',
      '14|host|{db}|{u}|2001:db8::|ffff:ffff::|trust||',
      '15||||||||invalid CIDR mask in address "::1/129"',
      '16|host|{db}|{u}|[::1]||trust||',
      '17|host|{db6}|{u}|1.2.3.4|255.255.255.255|trust||',
    ]);
  });

  it('auth options as the view shows them', () => {
    const text = [
      'hostssl db u all cert clientname=DN map=x',
      'host db u all ldap ldapserver=a ldapbasedn="dc=x" ldapport=389 ldaptls=1',
      'host db u all ldap ldapprefix=a ldapbasedn=b',
      'host db u all ldap ldapurl=ldap://h:1234/dc=a??one?(uid=x)',
      'host db u all ldap ldapurl=http://x/',
      'host db u all ldap ldapurl=ldapi://x/',
      'host db u all radius radiusservers=127.0.0.1 radiussecrets=s radiusports=0',
      'host db u all radius radiusservers=a,b radiussecrets=s',
      'host db u all radius radiusservers=127.0.0.1 radiussecrets=a radiusidentifiers=x radiusports=1812',
      'host db u all gss include_realm=0 krb_realm=X map=m',
      'host db u all sspi krb_realm=x',
      'host db u all trust pamservice=x',
      'host db u all ldap ldapserver=a ldapbasedn=b ldapsearchattribute=c ldapsearchfilter=d',
    ].join('\n');
    expect(rows(text, { ssl: true })).toEqual([
      '1|hostssl|{db}|{u}|all||cert|{map=x,clientcert=verify-full}|',
      '2|host|{db}|{u}|all||ldap|{ldapserver=a,ldapport=389,ldaptls=true,ldapbasedn=dc=x,ldapscope=2}|',
      '3||||||||cannot use ldapbasedn, ldapbinddn, ldapbindpasswd, ldapsearchattribute, ldapsearchfilter, or ldapurl together with ldapprefix',
      '4|host|{db}|{u}|all||ldap|{ldapserver=h,ldapport=1234,ldapscheme=ldap,ldapbasedn=dc=a,ldapsearchfilter=(uid=x),ldapscope=1}|',
      '5||||||||could not parse LDAP URL "http://x/": Time limit exceeded',
      '6||||||||unsupported LDAP URL scheme: ldapi',
      '7||||||||',
      // radiusservers=a fails (a does not resolve) before the stray "b" is looked at
      '8||||||||',
      '9|host|{db}|{u}|all||radius|{radiusservers=127.0.0.1,radiussecrets=a,radiusidentifiers=x,radiusports=1812}|',
      '10|host|{db}|{u}|all||gss|{krb_realm=X,map=m}|',
      '11||||||||invalid authentication method "sspi": not supported by this build',
      '12||||||||authentication option "pamservice" is only valid for authentication methods pam',
      '13||||||||cannot use ldapsearchattribute together with ldapsearchfilter',
    ]);
  });

  it('RADIUS server names must resolve (no DNS in pgtls unless told)', () => {
    const line = 'host db u all radius radiusservers="a, 127.0.0.1" radiussecrets=s\n';
    expect(rows(line)).toEqual(['1||||||||']);
    expect(formatLog(parse(line).log).split('\n')[0]).toBe(
      'LOG:  could not translate RADIUS server name "a" to address: Name or service not known',
    );
    expect(parse(line, { resolves: () => true, mode: 'view' }).rules[0].options).toEqual(['radiusservers=a, 127.0.0.1', 'radiussecrets=s']);
  });

  it('@file inclusion splices tokens, relative to the including file', () => {
    expect(rows('host @dbs.txt u all trust\n', {}, { '/d/dbs.txt': 'a, b\n# c\n"c d"\n' })).toEqual(['1|host|{a,b,c d}|{u}|all||trust||']);
  });

  it('token length limit (MAX_TOKEN 10240)', () => {
    expect(rows(`host ${'a'.repeat(10239)} all all trust\nhost ${'a'.repeat(10240)} all all trust\n`)[1]).toBe(
      '2||||||||authentication file token too long',
    );
  });
});

describe('start-up log', () => {
  it('LOG + CONTEXT per bad line, then FATAL', () => {
    const r = parse(
      '# comment\nlocal all all trust\nhostx all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/33 trust\nhostssl all all 127.0.0.1/32 cert clientcert=verify-ca\n',
    );
    expect(r.ok).toBe(false);
    expect(r.lines).toEqual([]);
    expect(formatLog(r.log)).toBe(
      [
        'LOG:  invalid connection type "hostx"',
        'CONTEXT:  line 3 of configuration file "/d/pg_hba.conf"',
        'LOG:  invalid CIDR mask in address "127.0.0.1/33"',
        'CONTEXT:  line 4 of configuration file "/d/pg_hba.conf"',
        'LOG:  hostssl record cannot match because SSL is disabled',
        'HINT:  Set ssl = on in postgresql.conf.',
        'CONTEXT:  line 5 of configuration file "/d/pg_hba.conf"',
        'LOG:  clientcert only accepts "verify-full" when using "cert" authentication',
        'CONTEXT:  line 5 of configuration file "/d/pg_hba.conf"',
        'FATAL:  could not load pg_hba.conf',
      ].join('\n'),
    );
  });

  it('a hostssl line with ssl=off is only a warning', () => {
    const r = parse('hostssl all all all trust\n');
    expect(r.ok).toBe(true);
    expect(r.lines).toHaveLength(1);
    expect(r.log.map((l) => l.level)).toEqual(['LOG']);
  });

  it('empty file, missing file, reload wording, token too long', () => {
    expect(formatLog(parse('# nothing\n').log)).toBe(
      'LOG:  configuration file "/d/pg_hba.conf" contains no entries\nFATAL:  could not load pg_hba.conf',
    );
    expect(formatLog(loadHbaFile(memFs({}), F, { pgVersion: 15 }).log)).toBe(
      'LOG:  could not open configuration file "/d/pg_hba.conf": No such file or directory\nFATAL:  could not load pg_hba.conf',
    );
    expect(formatLog(parse('hostx a b c d\n', { mode: 'reload' }).log)).toBe(
      'LOG:  invalid connection type "hostx"\nCONTEXT:  line 1 of configuration file "/d/pg_hba.conf"\nLOG:  pg_hba.conf was not reloaded',
    );
    expect(parse(`host ${'a'.repeat(10240)} all all trust\n`).log[0].message).toMatch(
      /^authentication file token too long, skipping: "a{10239}"$/,
    );
  });
});

describe('versions', () => {
  it('13 accepts clientcert=1/0/no-verify; 14+ does not', () => {
    const line = 'hostssl db u all md5 clientcert=1\nhostssl db u all md5 clientcert=no-verify\nhostssl db u all cert clientcert=0\n';
    expect(rows(line, { ssl: true, pgVersion: 13 })).toEqual([
      '1|hostssl|{db}|{u}|all||md5|{clientcert=verify-ca}|',
      '2|hostssl|{db}|{u}|all||md5||',
      '3||||||||clientcert cannot be set to "no-verify" when using "cert" authentication',
    ]);
    const r15 = parse(line, { ssl: true });
    expect(r15.rules.map((r) => r.error)).toEqual([null, null, null]);
    expect(r15.log.map((l) => l.message)).toEqual([
      'invalid value for clientcert: "1"',
      'invalid value for clientcert: "no-verify"',
      'invalid value for clientcert: "0"',
      'could not load pg_hba.conf',
    ]);
    expect(rows('hostssl db u all cert clientname=DN\n', { ssl: true, pgVersion: 13 })).toEqual([
      '1||||||||unrecognized authentication option name: "clientname"',
    ]);
  });

  it('13 has no line continuation', () => {
    expect(rows('host db u all trust \\\n map=x\n', { pgVersion: 13 })).toEqual([
      '1||||||||authentication option not in name=value format: \\',
      '2||||||||invalid connection type "map=x"',
    ]);
  });

  it('16: regular expressions for databases and users, include records', () => {
    const r = parse(
      'host "/^db" /^u[0-9]+$ all trust\nhost all /( all trust\ninclude more.conf\n',
      { pgVersion: 16 },
      { '/d/more.conf': 'local all all peer\n' },
    );
    expect(r.rules.map(row)).toEqual([
      '1|host|{/^db}|{/^u[0-9]+$}|all||trust||',
      '2||||||||invalid regular expression "(": parentheses () not balanced',
      '1|local|{all}|{all}|||peer||',
    ]);
    const ok = parse('host all /^u[0-9]+$ all trust\n', { pgVersion: 16 });
    const c = (user: string): HbaConnection => ({ connType: 'host', ssl: false, addr: '10.0.0.1', database: 'd', user });
    expect(matchHbaLine(ok.lines, c('u12'), { pgVersion: 16 }).matched).toBe(true);
    expect(matchHbaLine(ok.lines, c('x12'), { pgVersion: 16 }).matched).toBe(false);
    // the same text is a literal name in 15
    expect(matchHbaLine(parse('host all /^u[0-9]+$ all trust\n').lines, c('u12'), { pgVersion: 15 }).matched).toBe(false);
  });

  it('rejects versions pgtls does not model', () => {
    expect(() => parse('', { pgVersion: 12 })).toThrow(PgConfigError);
  });
});

describe('matching (check_hba) and the no-entry FATAL', () => {
  const hba = parse(
    [
      'local   all         postgres                 peer',
      'hostssl certdb      all      127.0.0.1/32    cert',
      'hostnossl all       nossl    0.0.0.0/0       md5',
      'host    sameuser    all      10.0.0.0/8      trust',
      'host    samerole    all      10.0.0.0/8      trust',
      'host    all         +admins  192.168.0.0 255.255.0.0 scram-sha-256',
      'host    "all"       all      ::1/128         trust',
      'host    replication repl     all             md5',
      'host    all         all      .example.com    password',
      'host    all         all      samehost        reject',
      '',
    ].join('\n'),
    { ssl: true },
  );
  expect(hba.ok).toBe(true);
  const c = (x: Partial<HbaConnection>): HbaConnection => ({
    connType: 'host',
    ssl: false,
    addr: '203.0.113.5',
    database: 'db',
    user: 'bob',
    ...x,
  });
  const line = (x: Partial<HbaConnection>) => {
    const m = matchHbaLine(hba.lines, c(x));
    return m.matched ? m.line.lineNum : m.fatal;
  };

  it.each<[Partial<HbaConnection>, number | string]>([
    [{ connType: 'local', user: 'postgres', database: 'x' }, 1],
    [{ connType: 'local', user: 'bob' }, 'no pg_hba.conf entry for host "[local]", user "bob", database "db", no encryption'],
    [{ ssl: true, addr: '127.0.0.1', database: 'certdb' }, 2],
    [{ ssl: false, addr: '127.0.0.1', database: 'certdb' }, 10],
    [{ user: 'nossl', ssl: false }, 3],
    [{ user: 'nossl', ssl: true }, 'no pg_hba.conf entry for host "203.0.113.5", user "nossl", database "db", SSL encryption'],
    [{ addr: '10.1.2.3', user: 'db' }, 4],
    [{ addr: '10.1.2.3', user: 'eve', roles: ['db'] }, 5],
    [
      { addr: '10.1.2.3', user: 'eve', roles: ['db'], userExists: false },
      'no pg_hba.conf entry for host "10.1.2.3", user "eve", database "db", no encryption',
    ],
    [{ addr: '192.168.7.7', roles: ['admins'] }, 6],
    [{ addr: '192.168.7.7' }, 'no pg_hba.conf entry for host "192.168.7.7", user "bob", database "db", no encryption'],
    // "all" quoted is a database named all; ::1 then falls through to samehost (reject)
    [{ addr: '::1' }, 10],
    [{ addr: '::1', database: 'all' }, 7],
    // an IPv4 line never matches an IPv4-mapped IPv6 client
    [{ addr: '::ffff:10.1.2.3', user: 'db' }, 'no pg_hba.conf entry for host "::ffff:10.1.2.3", user "db", database "db", no encryption'],
    [{ replication: 'physical', user: 'repl', addr: '8.8.8.8' }, 8],
    [
      { replication: 'physical', user: 'bob', addr: '8.8.8.8' },
      'no pg_hba.conf entry for replication connection from host "8.8.8.8", user "bob", no encryption',
    ],
    [
      { database: 'replication', user: 'repl' },
      'no pg_hba.conf entry for host "203.0.113.5", user "repl", database "replication", no encryption',
    ],
    // host names: reverse lookup of the client, suffix compare, forward lookup back to it
    [{ resolver: hostsResolver(parseHostsFile('203.0.113.5 www.EXAMPLE.com\n')) }, 9],
    [
      { resolver: hostsResolver(parseHostsFile('203.0.113.5 example.com\n')) },
      'no pg_hba.conf entry for host "203.0.113.5", user "bob", database "db", no encryption',
    ],
    // samehost is an interface's exact address, samenet its subnet
    [{ gss: true, addr: '127.0.0.1' }, 10],
    [{ addr: '127.0.0.2', user: 'x', database: 'y' }, 'no pg_hba.conf entry for host "127.0.0.2", user "x", database "y", no encryption'],
    [{ gss: true }, 'no pg_hba.conf entry for host "203.0.113.5", user "bob", database "db", GSS encryption'],
  ])('%j -> %s', (x, want) => expect(line(x)).toBe(want));
});

describe('properties', () => {
  it('never throws on arbitrary contents, in every mode and version', () => {
    const fs = memFs({ '/d/x': { content: 'a,b\n' } });
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.uint8Array({ maxLength: 200 })),
        fc.constantFrom(13, 14, 15, 16, 17),
        fc.constantFrom('startup', 'reload', 'view'),
        (content, pgVersion, mode) => {
          const r = parseHba(fs, F, content, { pgVersion, mode: mode as 'view' });
          for (const connType of ['host', 'local'] as const)
            matchHbaLine(r.lines, { connType, ssl: true, addr: '1.2.3.4', database: 'd', user: 'u' }, { pgVersion });
          expect(r.rules.length).toBeGreaterThanOrEqual(r.lines.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hba-shaped random lines parse without throwing', () => {
    const word = fc.constantFrom(
      'host',
      'hostssl',
      'local',
      'all',
      '"all"',
      'db',
      '@x',
      '+g',
      '1.2.3.4/24',
      '::1/128',
      'trust',
      'cert',
      'md5',
      'clientcert=verify-full',
      'map=m',
      'ldap',
      'radiusservers="a,b"',
      '\\',
      '#',
      ',',
      '"',
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.array(word, { maxLength: 8 }).map((ws) => ws.join(' ')),
          { maxLength: 6 },
        ),
        (ls) => {
          parseHba(memFs({ '/d/x': { content: 'a\n' } }), F, ls.join('\n'), { ssl: true });
        },
      ),
      { numRuns: 300 },
    );
  });
});
