// pg_ident.conf: parsing (rows as pg_ident_file_mappings shows them on PostgreSQL 15.18) and
// check_usermap, including the SSL test suite's dn/dnre/cn maps (src/test/ssl).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkUsermap, compilePgRegex, formatLog, loadIdentFile, memFs, parseIdent, type IdentFileMapping } from '../../src/pg/index.js';

const F = '/d/pg_ident.conf';
const parse = (text: string, pgVersion = 15, mode: 'startup' | 'view' = 'view') => parseIdent(memFs({}), F, text, { pgVersion, mode });
const row = (m: IdentFileMapping) => [m.lineNumber, m.mapName, m.sysName, m.pgUsername, m.error].map((v) => v ?? '').join('|');

describe('pg_ident.conf parsing', () => {
  it('rows and errors as pg_ident_file_mappings shows them', () => {
    const text =
      'm1 alice bob\nm2 /^(.*)@example\\.com$ \\1\nm3 /( bob\nm4 alice\nm5\nm6 a,b c\nm7 "a b" "+grp"\nm8 /[[:alpha:]]+ all\nm9 /\\d+ x\n';
    expect(parse(text).mappings.map(row)).toEqual([
      '1|m1|alice|bob|',
      '2|m2|/^(.*)@example\\.com$|\\1|',
      '3||||invalid regular expression "(": parentheses () not balanced',
      '4||||missing entry at end of line',
      '5||||missing entry at end of line',
      '6||||multiple values in ident field',
      '7|m7|a b|+grp|',
      '8|m8|/[[:alpha:]]+|all|',
      '9|m9|/\\d+|x|',
    ]);
  });

  it('log lines at start-up (a bad ident file is not fatal)', () => {
    const r = parse('m4 alice\nm6 a,b c\nm3 /( bob\n', 15, 'startup');
    expect(r.ok).toBe(false);
    expect(r.lines).toEqual([]);
    expect(formatLog(r.log)).toBe(
      [
        'LOG:  missing entry in file "/d/pg_ident.conf" at end of line 1',
        'LOG:  multiple values in ident field',
        'CONTEXT:  line 2 of configuration file "/d/pg_ident.conf"',
        'LOG:  invalid regular expression "(": parentheses () not balanced',
      ].join('\n'),
    );
    expect(formatLog(loadIdentFile(memFs({}), F).log)).toBe(
      'LOG:  could not open usermap file "/d/pg_ident.conf": No such file or directory',
    );
  });
});

describe('check_usermap', () => {
  // the maps of src/test/ssl (SSL/Server.pm)
  const ssl = parse(
    'dn         "CN=ssltestuser-dn,OU=Testing,OU=Engineering,O=PGDG"     ssltestuser\n' +
      'dnre       "/^.*OU=Testing,.*$"                                     ssltestuser\n' +
      'cn         ssltestuser-dn                                           ssltestuser\n' +
      'mail       /^(.*)@example\\.com$                                    \\1\n' +
      'nogroup    /^x.*$                                                   \\1\n' +
      'ci         Alice                                                     ALICE\n',
  ).lines;

  it.each<[string | undefined, string, string, boolean, string | true]>([
    ['dn', 'ssltestuser', 'CN=ssltestuser-dn,OU=Testing,OU=Engineering,O=PGDG', false, true],
    ['dnre', 'ssltestuser', 'CN=ssltestuser-dn,OU=Testing,OU=Engineering,O=PGDG', false, true],
    [
      'dnre',
      'ssltestuser',
      'CN=x,OU=Other',
      false,
      'LOG:  no match in usermap "dnre" for user "ssltestuser" authenticated as "CN=x,OU=Other"',
    ],
    ['cn', 'ssltestuser', 'ssltestuser-dn', false, true],
    ['cn', 'ssltestuser', 'ssltestuser', false, 'LOG:  no match in usermap "cn" for user "ssltestuser" authenticated as "ssltestuser"'],
    ['mail', 'alice', 'alice@example.com', false, true],
    ['mail', 'bob', 'alice@example.com', false, 'LOG:  no match in usermap "mail" for user "bob" authenticated as "alice@example.com"'],
    ['nogroup', 'x', 'xyz', false, 'LOG:  regular expression "^x.*$" has no subexpressions as requested by backreference in "\\1"'],
    ['ci', 'alice', 'alice', true, true],
    ['ci', 'alice', 'alice', false, 'LOG:  no match in usermap "ci" for user "alice" authenticated as "alice"'],
    [undefined, 'bob', 'bob', false, true],
    [undefined, 'bob', 'alice', false, 'LOG:  provided user name (bob) and authenticated user name (alice) do not match'],
    [undefined, 'Bob', 'bob', true, true],
  ])('map %s, user %s as %s', (map, pg, sys, ci, want) => {
    const r = checkUsermap(ssl, map, pg, sys, ci);
    expect(r.ok ? true : formatLog(r.log)).toBe(want);
  });

  it('all and +group are literal names before 16, special from 16', () => {
    const text = 'm /^.*$ all\ng alice +admins\n';
    expect(checkUsermap(parse(text).lines, 'm', 'bob', 'anyone', false, { pgVersion: 15 }).ok).toBe(false);
    expect(checkUsermap(parse(text).lines, 'm', 'all', 'anyone', false, { pgVersion: 15 }).ok).toBe(true);
    expect(checkUsermap(parse(text, 16).lines, 'm', 'bob', 'anyone', false, { pgVersion: 16 }).ok).toBe(true);
    expect(checkUsermap(parse(text, 16).lines, 'g', 'bob', 'alice', false, { pgVersion: 16, roles: ['admins'] }).ok).toBe(true);
    expect(checkUsermap(parse(text, 16).lines, 'g', 'bob', 'alice', false, { pgVersion: 16, roles: [] }).ok).toBe(false);
  });
});

describe('ARE -> JavaScript regex translation', () => {
  it.each([
    ['[[:alpha:]]+\\d', 'abc1', true],
    ['^[[:upper:]][[:lower:]]*$', 'Alice', true],
    ['\\yfoo\\y', 'a foo b', true],
    ['\\mfoo', 'xfoo', false],
    ['[]a]', ']', true],
    ['(?i)ALICE', 'alice', true],
    ['a{x}', 'a{x}', true],
    ['^\\x41\\e$', 'A\x1b', true],
    ['^a{2,3}$', 'aaaa', false],
  ])('%s on %s', (re, s, want) => {
    const r = compilePgRegex(re);
    expect(r.ok && r.regex.test(s)).toBe(want);
  });
  it.each([
    ['(', 'parentheses () not balanced'],
    ['a)', 'parentheses () not balanced'],
    ['[a', 'brackets [] not balanced'],
    ['[[:nope:]]', 'invalid character class'],
    ['*a', 'quantifier operand invalid'],
    ['a\\', 'invalid escape \\ sequence'],
    // the real server's answers (pg_ident_file_mappings)
    ['a{1', 'braces {} not balanced'],
    ['a{3,2}', 'invalid repetition count(s)'],
    ['[b-a]', 'invalid character range'],
    ['\\q', 'invalid escape \\ sequence'],
    ['a**', 'quantifier operand invalid'],
    ['(?z)a', 'invalid embedded option'],
  ])('%s fails with %s', (re, error) => expect(compilePgRegex(re)).toEqual({ ok: false, error }));
});

describe('properties', () => {
  it('never throws on arbitrary contents or names', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        fc.constantFrom(15, 16),
        (text, pg, sys, v) => {
          const r = parseIdent(memFs({}), F, text, { pgVersion: v });
          for (const map of [undefined, ...r.lines.map((l) => l.mapName)]) checkUsermap(r.lines, map, pg, sys, false, { pgVersion: v });
        },
      ),
      { numRuns: 300 },
    );
  });
});
