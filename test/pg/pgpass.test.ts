// libpq's password file (conninfo/passfile.ts) and what simulate() does with it: the field
// matcher (pwdfMatchesString), the password's de-escaping, the key libpq looks up, the file
// checks and their warnings, and the whole connection over memFs. The real psql 15 checks
// are in pgpass-oracle.test.ts.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  escapePassfileField,
  findPassword,
  matchField,
  passfileHost,
  passfilePath,
  passfilePort,
  passwordFromFile,
  unescapePassword,
  type PassFileAccess,
  type PassKey,
} from '../../src/pg/conninfo/passfile.js';
import { memFs, type MemFile } from '../../src/pg/fs.js';
import { passFileOn } from '../../src/pg/files.js';
import { resolveConninfo } from '../../src/pg/conninfo/resolve.js';
import { simulate } from '../../src/pg/simulate.js';
import { suggestFix } from '../../src/pg/fix.js';

const KEY: PassKey = { host: 'db.example.com', port: '5432', dbname: 'app', user: 'alice' };
const find = (text: string, key: Partial<PassKey> = {}) => findPassword(text, { ...KEY, ...key });

describe('pwdfMatchesString', () => {
  it.each<[string, string, number | undefined]>([
    ['app:', 'app', 4],
    ['*:', 'anything', 2],
    ['*x:', '*x', 3],
    ['*x:', 'ax', undefined],
    ['ap:', 'app', undefined],
    ['apps:', 'app', undefined],
    ['app', 'app', undefined], // no ':' after the field: too few fields
    ['a\\:b:', 'a:b', 5],
    ['a\\\\b:', 'a\\b', 5],
    ['\\a\\p\\p:', 'app', 7],
    ['\\*:', '*', 3],
    ['\\*:', 'x', undefined],
    ['app\\:', 'app', undefined], // the ':' is escaped: the field goes on
    // an unescaped ':' inside the token matches while the token is not used up (libpq's quirk)
    ['::1:', '::1', 4],
    ['APP:', 'app', undefined],
  ])('%j against %j', (line, token, next) => {
    expect(matchField(line, 0, token)).toBe(next);
  });
});

describe('the password field', () => {
  it.each([
    ['secret', 'secret'],
    ['s\\:e\\\\c', 's:e\\c'],
    ['a:b', 'a'], // an unescaped ':' ends it
    ['trailing\\', 'trailing\\'], // a lone backslash at the end stays
    ['\\x', 'x'],
    ['', ''],
  ])('%j -> %j', (field, pw) => expect(unescapePassword(field)).toBe(pw));
});

describe('the lines', () => {
  it('the first matching line wins; wildcards; comments; short lines; CRLF', () => {
    const text = [
      '# db.example.com:5432:app:alice:comment',
      ' # not a comment: a host " # not a comment"',
      'db.example.com:5432:app',
      'other:5432:app:alice:other',
      'db.example.com:*:*:alice:first\r',
      'db.example.com:5432:app:alice:second',
    ].join('\n');
    expect(find(text)).toEqual({ password: 'first', lineNo: 5 });
    expect(find(text, { host: 'other' })).toEqual({ password: 'other', lineNo: 4 });
    expect(find(text, { user: 'bob' })).toBeUndefined();
    expect(find('*:*:*:*:any')).toEqual({ password: 'any', lineNo: 1 });
    expect(find('*:*:*:*')).toBeUndefined(); // four fields: the user field is not followed by ':'
    expect(find('*:*:*:*:')).toEqual({ password: '', lineNo: 1 });
    expect(find('db.example.com:05432:app:alice:x')).toBeUndefined(); // ports compare as strings
    expect(find(`${'x'.repeat(5000)}\n*:*:*:alice:long`)).toEqual({ password: 'long', lineNo: 2 });
  });

  it('escaped fields round-trip (fast-check): a line of escaped values matches them and gives the password back', () => {
    const value = fc.string({ maxLength: 12 }).filter((s) => !/[\r\n\0]/.test(s));
    fc.assert(
      fc.property(value, value, value, value, value, (host, port, dbname, user, password) => {
        fc.pre(host !== '' && port !== '' && dbname !== '' && user !== '');
        const line = [host, port, dbname, user, password].map(escapePassfileField).join(':');
        expect(findPassword(`${line}\n`, { host, port, dbname, user })).toEqual({ password, lineNo: 1 });
        expect(unescapePassword(escapePassfileField(password))).toBe(password);
      }),
      { numRuns: 500 },
    );
  });

  it('an escaped field matches only its own value (fast-check)', () => {
    const value = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[\r\n\0]/.test(s));
    fc.assert(
      fc.property(value, value, (a, b) => {
        fc.pre(a !== b);
        expect(matchField(`${escapePassfileField(a)}:`, 0, b)).toBeUndefined();
        expect(matchField(`${escapePassfileField(a)}:`, 0, a)).toBe(escapePassfileField(a).length + 1);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the key libpq looks up', () => {
  it('host, else hostaddr; empty or the default socket directory -> localhost; other directories as written', () => {
    expect(passfileHost('db', '10.0.0.1', '/var/run/postgresql')).toBe('db');
    expect(passfileHost(undefined, '10.0.0.1', '/var/run/postgresql')).toBe('10.0.0.1');
    expect(passfileHost('', '10.0.0.1', '/var/run/postgresql')).toBe('10.0.0.1');
    expect(passfileHost(undefined, undefined, '/var/run/postgresql')).toBe('localhost');
    expect(passfileHost('/var/run/postgresql', undefined, '/var/run/postgresql')).toBe('localhost');
    expect(passfileHost('/var/run/postgresql/', undefined, '/var/run/postgresql')).toBe('/var/run/postgresql/');
    expect(passfileHost('/tmp', undefined, '/var/run/postgresql')).toBe('/tmp');
    expect(passfilePort('')).toBe('5432');
    expect(passfilePort('5433')).toBe('5433');
  });
  it('passfile= (or PGPASSFILE) unless empty, else $HOME/.pgpass; nothing without HOME', () => {
    expect(passfilePath('/p', '/home/a')).toBe('/p');
    expect(passfilePath('', '/home/a')).toBe('/home/a/.pgpass');
    expect(passfilePath(undefined, '/home/a/')).toBe('/home/a//.pgpass'); // snprintf("%s/%s")
    expect(passfilePath(undefined, undefined)).toBeUndefined();
  });
});

describe('the file checks (passwordFromFile)', () => {
  const files: Record<string, MemFile> = {
    '/h/.pgpass': { content: '*:*:*:*:pw\n', mode: 0o600, uid: 2000 },
    '/h/open': { content: '*:*:*:*:pw\n', mode: 0o644 },
    '/h/group-x': { content: '*:*:*:*:pw\n', mode: 0o610 },
    '/h/other-user': { content: '*:*:*:*:pw\n', mode: 0o600, uid: 1000 },
    '/h/dir/x': { content: '' },
  };
  const access: PassFileAccess = passFileOn(memFs(files), { uid: 2000, gids: [2000] });
  const look = (file: string, key: PassKey = KEY) => {
    const warnings: string[] = [];
    return { r: passwordFromFile(key, file, access, (w) => warnings.push(w)), warnings };
  };
  it('reads a 0600 file', () => expect(look('/h/.pgpass').r).toMatchObject({ found: true, password: 'pw', lineNo: 1 }));
  it('any group or other bit: the warning, and the file is ignored', () => {
    for (const f of ['/h/open', '/h/group-x']) {
      const { r, warnings } = look(f);
      expect(r).toMatchObject({ found: false, reason: 'group-world' });
      expect(warnings).toEqual([`WARNING: password file "${f}" has group or world access; permissions should be u=rw (0600) or less`]);
    }
  });
  it('a directory: "not a plain file"', () => {
    const { r, warnings } = look('/h/dir');
    expect(r).toMatchObject({ found: false, reason: 'not-regular' });
    expect(warnings).toEqual(['WARNING: password file "/h/dir" is not a plain file']);
  });
  it('missing or unreadable: ignored without a word', () => {
    expect(look('/h/nope')).toMatchObject({ r: { reason: 'no-file' }, warnings: [] });
    expect(look('/h/other-user')).toMatchObject({ r: { reason: 'unreadable' }, warnings: [] });
  });
  it('no user or database name: the file is not even looked at', () => {
    expect(look('/h/open', { ...KEY, dbname: '' })).toMatchObject({ r: { reason: 'no-user-or-dbname' }, warnings: [] });
  });
});

describe('resolveConninfo with a password file', () => {
  const fs = memFs({
    '/h/.pgpass': { content: 'localhost:5432:app:alice:local\n10.0.0.1:5432:app:alice:byaddr\nb:5433:app:alice:second\n', mode: 0o600 },
    '/h/open': { content: '*:*:*:*:x\n', mode: 0o644 },
  });
  const access = passFileOn(fs, { uid: 0, gids: [0] });
  const resolve = (conninfo: string, env: Record<string, string> = {}) => {
    const warnings: string[] = [];
    const r = resolveConninfo({
      conninfo,
      env: { HOME: '/h', ...env },
      osUser: 'alice',
      passFile: access,
      onWarning: (w) => warnings.push(w),
    });
    return { r, warnings };
  };
  it('per host, in order; the socket default is localhost; hostaddr alone is the address', () => {
    expect(resolve('dbname=app').r.targets[0].password).toBe('local');
    expect(resolve('dbname=app hostaddr=10.0.0.1').r.targets[0].password).toBe('byaddr');
    const { r } = resolve('dbname=app host=a,b port=5432,5433');
    expect(r.targets.map((t) => t.password)).toEqual([undefined, 'second']);
    expect(r.passfile).toEqual({ kind: 'read', path: '/h/.pgpass' });
  });
  it('a password given (even by PGPASSWORD) means no lookup; an empty one does not', () => {
    expect(resolve('dbname=app password=given').r).toMatchObject({ passfile: { kind: 'password-given' } });
    expect(resolve('dbname=app', { PGPASSWORD: 'x' }).r.targets[0].password).toBeUndefined();
    expect(resolve('dbname=app password=').r.targets[0].password).toBe('local');
  });
  it('the warning once per host, before a later option error', () => {
    expect(resolve('dbname=app host=a,b', { PGPASSFILE: '/h/open' }).warnings).toHaveLength(2);
    const warnings: string[] = [];
    expect(() =>
      resolveConninfo({
        conninfo: 'dbname=app passfile=/h/open sslmode=bogus',
        env: {},
        osUser: 'a',
        passFile: access,
        onWarning: (w) => warnings.push(w),
      }),
    ).toThrow('invalid sslmode value: "bogus"');
    expect(warnings).toHaveLength(1);
    // host/port list errors come before the lookup: no warning
    warnings.length = 0;
    expect(() =>
      resolveConninfo({
        conninfo: 'dbname=app passfile=/h/open host=a,b port=1,2,3',
        env: {},
        osUser: 'a',
        passFile: access,
        onWarning: (w) => warnings.push(w),
      }),
    ).toThrow('could not match');
    expect(warnings).toEqual([]);
  });
});

// ---------------------------------------------------------------- simulate()
const PGDATA = '/pg';
const HBA = `hostssl app alice 127.0.0.1/32 scram-sha-256
hostnossl app alice 127.0.0.1/32 md5
host all all 127.0.0.1/32 trust
`;
/** a server without SSL (the password rules do not depend on it) plus the client's files */
function fsWith(client: Record<string, MemFile>, hba = HBA) {
  return memFs({
    [`${PGDATA}/postgresql.conf`]: { content: 'log_connections = on\n', mode: 0o600, uid: 101, gid: 104 },
    [`${PGDATA}/pg_hba.conf`]: { content: hba, mode: 0o600, uid: 101, gid: 104 },
    [`${PGDATA}/pg_ident.conf`]: { content: '', mode: 0o600, uid: 101, gid: 104 },
    ...client,
  });
}
const sim = (
  client: Record<string, MemFile>,
  conninfo: string,
  extra: { env?: Record<string, string>; rolePasswords?: Record<string, string> } = {},
) =>
  simulate({
    fs: fsWith(client),
    pgdata: PGDATA,
    conninfo,
    env: { HOME: '/home/u', ...extra.env },
    osUser: 'root',
    rolePasswords: extra.rolePasswords,
    serverUser: { uid: 101, gids: [104] },
    pgVersion: 15,
  });
const PREFIX = 'psql: error: connection to server at "127.0.0.1", port 5432 failed: ';

describe('simulate() with a password file', () => {
  const right = { '/home/u/.pgpass': { content: 'localhost:5432:app:alice:secret\n', mode: 0o600 } };
  it('a matching line: connects, and the trace says where the password came from', () => {
    const r = sim(right, 'hostaddr=127.0.0.1 user=alice dbname=app', { rolePasswords: { alice: 'secret' } });
    expect(r.ok).toBe(true);
    expect(r.psqlStderr).toBe('');
    expect(r.steps.find((s) => s.step === 'password')?.detail).toMatch(/^from \/home\/u\/\.pgpass line 1 \(localhost:5432:app:alice\)/);
    expect(r.serverLog.some((l) => /connection authenticated: identity="alice" method=md5 \(\/pg\/pg_hba.conf:2\)/.test(l))).toBe(true);
  });
  it('the wrong password: the FATAL plus "password retrieved from file"', () => {
    const r = sim(right, 'hostaddr=127.0.0.1 user=alice dbname=app', { rolePasswords: { alice: 'other' } });
    expect(r.psqlStderr).toBe(
      `${PREFIX}FATAL:  password authentication failed for user "alice"\npassword retrieved from file "/home/u/.pgpass"`,
    );
    expect(r.connectionLog).toContain('DETAIL:  Connection matched pg_hba.conf line 2: "hostnossl app alice 127.0.0.1/32 md5"');
    expect(r.fix).toMatch(/\/home\/u\/\.pgpass line 1/);
  });
  it('the wrong password from password=: no file line', () => {
    const r = sim(right, 'hostaddr=127.0.0.1 user=alice dbname=app password=nope', { rolePasswords: { alice: 'secret' } });
    expect(r.psqlStderr).toBe(`${PREFIX}FATAL:  password authentication failed for user "alice"`);
  });
  it('without rolePasswords any password is right; roles not in it too', () => {
    expect(sim(right, 'hostaddr=127.0.0.1 user=alice dbname=app').ok).toBe(true);
    expect(sim(right, 'hostaddr=127.0.0.1 user=alice dbname=app', { rolePasswords: { bob: 'x' } }).ok).toBe(true);
    expect(sim(right, 'hostaddr=127.0.0.1 user=constructor dbname=app', { rolePasswords: { alice: 'x' } }).ok).toBe(true);
  });
  it('group or world access: the warning first, then no password', () => {
    const r = sim(
      { '/home/u/.pgpass': { content: 'localhost:5432:app:alice:secret\n', mode: 0o644 } },
      'hostaddr=127.0.0.1 user=alice dbname=app',
    );
    expect(r.psqlStderr).toBe(
      `WARNING: password file "/home/u/.pgpass" has group or world access; permissions should be u=rw (0600) or less\n${PREFIX}fe_sendauth: no password supplied`,
    );
    expect(r.attempts.map((a) => a.stage)).toEqual(['ssl-refused', 'client-auth']);
    expect(r.fix).toBe('chmod 0600 /home/u/.pgpass (libpq ignores a password file that group or others can access)');
  });
  it('the warning also when the connection needs no password', () => {
    const r = sim({ '/home/u/.pgpass': { content: '', mode: 0o640 } }, 'hostaddr=127.0.0.1 user=bob dbname=app');
    expect(r.ok).toBe(true);
    expect(r.psqlStderr).toBe(
      'WARNING: password file "/home/u/.pgpass" has group or world access; permissions should be u=rw (0600) or less',
    );
  });
  it('no matching line: the fix names the line to add', () => {
    const r = sim(right, 'hostaddr=127.0.0.1 user=alice dbname=app port=5432 host=other');
    expect(r.message).toBe('fe_sendauth: no password supplied');
    expect(
      suggestFix({
        kind: 'auth',
        failure: 'no-password',
        message: 'fe_sendauth: no password supplied',
        ssl: false,
        user: 'alice',
        database: 'app',
        clientAddr: '127.0.0.1',
        passfile: { found: false, file: '/f', key: { host: 'a:b', port: '5432', dbname: 'app', user: 'alice' }, reason: 'no-match' },
      }),
    ).toBe('add a line "a\\:b:5432:app:alice:<password>" to /f (mode 0600), or give the password (PGPASSWORD, password=)');
  });
  it('PGPASSFILE and passfile=', () => {
    const f = { '/etc/pw': { content: '*:*:app:alice:secret\n', mode: 0o600 } };
    expect(
      sim(f, 'hostaddr=127.0.0.1 user=alice dbname=app', { env: { PGPASSFILE: '/etc/pw' }, rolePasswords: { alice: 'secret' } }).ok,
    ).toBe(true);
    expect(sim(f, 'hostaddr=127.0.0.1 user=alice dbname=app passfile=/etc/pw', { rolePasswords: { alice: 'secret' } }).ok).toBe(true);
    expect(sim(f, 'hostaddr=127.0.0.1 user=alice dbname=app', { rolePasswords: { alice: 'secret' } }).message).toBe(
      'fe_sendauth: no password supplied',
    );
  });
});
