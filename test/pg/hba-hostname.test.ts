// Host names in pg_hba.conf without a server: the hosts file as glibc reads it, the reverse
// and forward lookups from it, check_hostname's steps and the DETAIL they leave, simulate()
// and `pgtls check` on in-memory data directories with a given hosts file, and the CLI's
// --hosts-file. The same behaviours against real PostgreSQL 15: hba-hostname-oracle.test.ts.

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import {
  clientHostAtStart,
  forwardLookup,
  formatIp,
  hostnameClients,
  hostnameLookupDetail,
  hostsResolver,
  loadHostsFile,
  matchHbaLine,
  memFs,
  parseHba,
  makeTranslator,
  parseHostsFile,
  parseMo,
  parseNumericHost,
  reverseLookup,
  type ClientHostName,
  type HbaConnection,
} from '../../src/pg/index.js';
import { fmt, messageFormatter, say } from '../../src/pg/messages.js';
import { nodeCatalogLoader } from '../../src/pg/i18n/catalogs-node.js';
import { simulate } from '../../src/pg/simulate.js';
import { checkServer } from '../../src/pg/check.js';
import { run as runSimulate } from '../../src/cli/simulate.js';
import { run as runCheck } from '../../src/cli/check.js';
import { UsageError } from '../../src/cli/args.js';

const ip = (s: string) => parseNumericHost(s)!;
const JA_POSTGRES = '/usr/share/locale/ja/LC_MESSAGES/postgres-15.mo';
const JA_LIBC = '/usr/share/locale/ja/LC_MESSAGES/libc.mo';
const englishDetail = (h: ClientHostName) => {
  const d = hostnameLookupDetail(h);
  return d && say(fmt, d);
};

describe('the hosts file (nss_files)', () => {
  const t = parseHostsFile(
    [
      '# a comment line',
      '127.0.0.1\tlocalhost  loopback # trailing comment',
      '   ',
      '10.0.0.7 db.example.com db alias-7',
      '10.0.0.8 other.example.com db',
      '010.0.0.9 leading-zero   # inet_pton refuses it: ignored',
      '10.0.0.10%eth0 scoped',
      'fe80::1 v6.example.com',
      '::ffff:10.0.0.11 mapped',
      'not-an-address name',
      '10.0.0.12',
    ].join('\n'),
  );

  it('keeps the lines with an address inet_pton takes, names split on whitespace, comments cut', () => {
    expect(t.entries.map((e) => [e.lineNum, e.text, e.names])).toEqual([
      [2, '127.0.0.1', ['localhost', 'loopback']],
      [4, '10.0.0.7', ['db.example.com', 'db', 'alias-7']],
      [5, '10.0.0.8', ['other.example.com', 'db']],
      [8, 'fe80::1', ['v6.example.com']],
      [9, '::ffff:10.0.0.11', ['mapped']],
      [11, '10.0.0.12', []],
    ]);
  });

  it('reverse: the first name of the first line with the address', () => {
    expect(reverseLookup(t, ip('127.0.0.1'))).toMatchObject({ ok: true, name: 'localhost' });
    expect(reverseLookup(t, ip('10.0.0.8'))).toMatchObject({ ok: true, name: 'other.example.com' });
    expect(reverseLookup(t, ip('fe80::1'))).toMatchObject({ ok: true, name: 'v6.example.com' });
    // an IPv4 lookup takes v4-mapped lines; a v4-mapped client is looked up as IPv4
    expect(reverseLookup(t, ip('10.0.0.11'))).toMatchObject({ ok: true, name: 'mapped' });
    expect(reverseLookup(t, ip('::ffff:10.0.0.7'))).toMatchObject({ ok: true, name: 'db.example.com' });
    // a line without a name answers with an empty one
    expect(reverseLookup(t, ip('10.0.0.12'))).toMatchObject({ ok: true, name: '' });
    // not in the file: DNS's answer, taken as unresolved, and said so
    const miss = reverseLookup(t, ip('10.0.0.9'));
    expect(miss).toMatchObject({ ok: false, code: 'EAI_NONAME' });
    expect(miss.source).toMatch(/not in \/etc\/hosts, so the answer would come from DNS, which pgtls does not query/);
  });

  it('a ::1 line answers an IPv4 reverse lookup of 127.0.0.1 (files-hosts.c), not the other way round', () => {
    const u = parseHostsFile('::1 six\n127.0.0.1 four\n');
    expect(reverseLookup(u, ip('127.0.0.1'))).toMatchObject({ ok: true, name: 'six' });
    expect(reverseLookup(parseHostsFile('127.0.0.1 four\n'), ip('::1'))).toMatchObject({ ok: false });
  });

  it('forward: every line naming it, canonical or alias, case-insensitively; numbers are themselves', () => {
    const f = forwardLookup(t, 'DB');
    expect(f.ok && f.addrs.map(formatIp)).toEqual(['10.0.0.7', '10.0.0.8']);
    const g = forwardLookup(t, 'Alias-7');
    expect(g.ok && g.addrs.map(formatIp)).toEqual(['10.0.0.7']);
    const n = forwardLookup(t, '10.0.0.5');
    expect(n.ok && n.addrs.map(formatIp)).toEqual(['10.0.0.5']);
    expect(forwardLookup(t, 'leading-zero')).toMatchObject({ ok: false, code: 'EAI_NONAME' });
  });

  it('no file: every lookup fails, and says there is no file', () => {
    const none = loadHostsFile(memFs({}));
    expect(none).toEqual({ file: '/etc/hosts', present: false, entries: [] });
    expect(reverseLookup(none, ip('127.0.0.1')).source).toMatch(/no \/etc\/hosts, so the answer would come from DNS/);
    expect(loadHostsFile(memFs({ '/etc/hosts': { content: '127.0.0.1 localhost\n' } })).entries).toHaveLength(1);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 })), (c) => {
        const h = parseHostsFile(c);
        reverseLookup(h, ip('127.0.0.1'));
        forwardLookup(h, 'localhost');
      }),
      { numRuns: 300 },
    );
  });
});

describe('check_hostname in matchHbaLine', () => {
  const hba = parseHba(
    memFs({}),
    '/d/pg_hba.conf',
    ['host all all 10.0.0.0/8 trust', 'host other all db.example.com trust', 'host all all .example.com md5', ''].join('\n'),
  );
  const conn = (hosts: string, x: Partial<HbaConnection> = {}): HbaConnection => ({
    connType: 'host',
    ssl: false,
    addr: '192.0.2.1',
    database: 'app',
    user: 'alice',
    resolver: hostsResolver(parseHostsFile(hosts)),
    ...x,
  });
  const outcome = (c: HbaConnection) => {
    const m = matchHbaLine(hba.lines, c);
    return {
      line: m.matched ? m.line.lineNum : undefined,
      detail: englishDetail(m.clientHost) ?? null,
      lookups: m.clientHost.lookups.length,
    };
  };

  it.each<[string, string, Partial<HbaConnection>, { line?: number; detail: string | null; lookups: number }]>([
    // line 2 needs database other: its lookups still happen (address before database), line 3 then reuses them
    [
      'suffix match, one reverse and one forward lookup',
      '192.0.2.1 db.example.com\n',
      {},
      { line: 3, detail: 'Client IP address resolved to "db.example.com", forward lookup matches.', lookups: 2 },
    ],
    [
      'no name for the client',
      '',
      {},
      { line: undefined, detail: 'Could not resolve client IP address to a host name: Name or service not known.', lookups: 1 },
    ],
    [
      'a name matching nothing: not checked',
      '192.0.2.1 db.example.org\n',
      {},
      { line: undefined, detail: 'Client IP address resolved to "db.example.org", forward lookup not checked.', lookups: 1 },
    ],
    ['the CIDR line first: no lookup at all', '', { addr: '10.1.1.1' }, { line: 1, detail: null, lookups: 0 }],
    [
      'IPv4-mapped client: a v4 name never resolves back to the v6 address',
      '192.0.2.1 db.example.com\n',
      { addr: '::ffff:192.0.2.1' },
      { line: undefined, detail: 'Client IP address resolved to "db.example.com", forward lookup does not match.', lookups: 2 },
    ],
  ])('%s', (_n, hosts, x, want) => expect(outcome(conn(hosts, x))).toEqual(want));

  it('a failed lookup is remembered: later host-name lines are not looked up again', () => {
    const m = matchHbaLine(hba.lines, conn('192.0.2.1 db.example.com\n', { database: 'other', addr: '192.0.2.9' }));
    expect(m.matched).toBe(false);
    expect(m.clientHost).toMatchObject({ resolv: -2, error: 'EAI_NONAME' });
    expect(m.clientHost.lookups).toHaveLength(1);
  });

  it('without a resolver nothing resolves', () => {
    const m = matchHbaLine(hba.lines, { connType: 'host', ssl: false, addr: '192.0.2.1', database: 'app', user: 'alice' });
    expect(m.matched).toBe(false);
    expect(englishDetail(m.clientHost)).toBe('Could not resolve client IP address to a host name: Name or service not known.');
  });

  // errdetail_log translates the DETAIL in the server's lc_messages, gai_strerror's part in
  // glibc's domain: what the catalogs give for each of the five lookup outcomes
  it.skipIf(!existsSync(JA_POSTGRES))('the DETAIL in Japanese is what postgres-15.mo (and libc.mo) give', () => {
    const mo = (file: string) => parseMo(new Uint8Array(readFileSync(file)));
    const pg = mo(JA_POSTGRES);
    const libc = existsSync(JA_LIBC) ? mo(JA_LIBC) : undefined;
    const ja = messageFormatter(
      makeTranslator({ locale: 'ja_JP.UTF-8', languages: ['ja'], ascii: false }, nodeCatalogLoader(), 15).translate,
      15,
    );
    const fill = (msgid: string, ...args: string[]) => {
      const msgstr = pg.get(msgid);
      expect(msgstr, msgid).toBeDefined();
      let i = 0;
      return msgstr!.replace(/%s/g, () => args[i++]);
    };
    const gai = (code: 'EAI_NONAME' | 'EAI_AGAIN') => libc?.get(GAI[code]) ?? GAI[code];
    const GAI = { EAI_NONAME: 'Name or service not known', EAI_AGAIN: 'Temporary failure in name resolution' } as const;
    const cases: [ClientHostName, string][] = [
      [
        { name: 'db.example.org', resolv: 1, lookups: [] },
        fill('Client IP address resolved to "%s", forward lookup matches.', 'db.example.org'),
      ],
      [
        { name: 'db.example.org', resolv: 0, lookups: [] },
        fill('Client IP address resolved to "%s", forward lookup not checked.', 'db.example.org'),
      ],
      [
        { name: 'db.example.org', resolv: -1, lookups: [] },
        fill('Client IP address resolved to "%s", forward lookup does not match.', 'db.example.org'),
      ],
      [
        { name: 'db.example.org', resolv: -2, error: 'EAI_AGAIN', lookups: [] },
        fill('Could not translate client host name "%s" to IP address: %s.', 'db.example.org', gai('EAI_AGAIN')),
      ],
      [
        { resolv: -2, error: 'EAI_NONAME', lookups: [] },
        fill('Could not resolve client IP address to a host name: %s.', gai('EAI_NONAME')),
      ],
    ];
    for (const [h, want] of cases) {
      const got = say(ja, hostnameLookupDetail(h)!);
      expect(got).toBe(want);
      expect(got).not.toBe(englishDetail(h));
    }
    expect(hostnameLookupDetail({ resolv: 0, lookups: [] })).toBeUndefined();
  });

  it('log_hostname: the early lookup is kept unless the name looks numeric', () => {
    const r = hostsResolver(parseHostsFile('192.0.2.1 db.example.org\n192.0.2.2 10.0.0.5\n192.0.2.3 abc:def\n'));
    expect(clientHostAtStart('192.0.2.1', r, true)).toMatchObject({
      remoteHost: 'db.example.org',
      clientHost: { name: 'db.example.org', resolv: 0 },
    });
    expect(clientHostAtStart('192.0.2.2', r, true).clientHost.name).toBeUndefined();
    expect(clientHostAtStart('192.0.2.2', r, true).remoteHost).toBe('10.0.0.5');
    expect(clientHostAtStart('192.0.2.3', r, true).clientHost.name).toBeUndefined();
    expect(clientHostAtStart('192.0.2.9', r, true)).toMatchObject({ remoteHost: '192.0.2.9', clientHost: { resolv: 0 } });
    expect(clientHostAtStart('192.0.2.1', r, false)).toEqual({ remoteHost: '192.0.2.1', clientHost: { resolv: 0, lookups: [] } });
    // kept: no reverse lookup at match time, and the DETAIL of a CIDR-only miss names it
    const m = matchHbaLine(
      hba.lines,
      conn('', { addr: '192.0.2.1', clientHost: clientHostAtStart('192.0.2.1', r, true).clientHost, resolver: r }),
    );
    expect(englishDetail(m.clientHost)).toBe('Client IP address resolved to "db.example.org", forward lookup not checked.');
  });

  it('the addresses a host-name line lets in', () => {
    const t = parseHostsFile(
      '127.0.0.1 localhost\n10.0.0.7 db.example.com\n10.0.0.8 www.example.com\n10.0.0.9 x\n10.0.0.9 y.example.com\n',
    );
    expect(hostnameClients(t, 'localhost')).toEqual(['127.0.0.1']);
    expect(hostnameClients(t, '.example.com')).toEqual(['10.0.0.7', '10.0.0.8']);
    expect(hostnameClients(t, 'y.example.com')).toEqual([]);
  });
});

describe('simulate() and pgtls check with host-name lines', () => {
  const PG = { uid: 101, gid: 104 };
  const fs = (hba: string, conf = '') =>
    memFs(
      Object.fromEntries(
        Object.entries({
          '/pg/postgresql.conf': `log_connections = on\n${conf}`,
          '/pg/pg_hba.conf': hba,
          '/pg/pg_ident.conf': '',
          '/etc/hosts': '127.0.0.1 localhost\n',
        }).map(([k, v]) => [k, { content: v, ...PG }]),
      ),
    );
  const sim = (f: ReturnType<typeof fs>, extra: Partial<Parameters<typeof simulate>[0]> = {}) =>
    simulate({
      fs: f,
      pgdata: '/pg',
      conninfo: 'host=127.0.0.1 user=alice dbname=app sslmode=disable',
      serverUser: { uid: 101, gids: [104] },
      osUser: 'alice',
      ...extra,
    });

  it('reads /etc/hosts through the fs by default, and traces the lookups', () => {
    const r = sim(fs('host all all localhost trust\n'));
    expect(r.ok).toBe(true);
    expect(r.steps.find((s) => s.step === 'client-host-name')?.detail).toBe(
      '127.0.0.1 is "localhost" (/etc/hosts line 1, the first line with 127.0.0.1); "localhost" resolves to 127.0.0.1 (line 1) in /etc/hosts => Client IP address resolved to "localhost", forward lookup matches.',
    );
  });

  it('a given hosts table wins; a miss logs the DETAIL and the trace names DNS', () => {
    const r = sim(fs('host all all localhost trust\n'), { hosts: parseHostsFile('10.0.0.1 other\n', '/tmp/h') });
    expect(r.ok).toBe(false);
    expect(r.connectionLog).toEqual([
      'LOG:  connection received: host=127.0.0.1 port=<client port>',
      'FATAL:  no pg_hba.conf entry for host "127.0.0.1", user "alice", database "app", no encryption',
      'DETAIL:  Could not resolve client IP address to a host name: Name or service not known.',
    ]);
    expect(r.steps.find((s) => s.step === 'client-host-name')?.detail).toMatch(
      /not in \/tmp\/h, so the answer would come from DNS, which pgtls does not query: taken as unresolved/,
    );
  });

  it('log_hostname names the client in "connection received"', () => {
    const r = sim(fs('host all all 10.0.0.0/8 trust\n', 'log_hostname = on\n'));
    expect(r.connectionLog).toEqual([
      'LOG:  connection received: host=localhost port=<client port>',
      'FATAL:  no pg_hba.conf entry for host "127.0.0.1", user "alice", database "app", no encryption',
      'DETAIL:  Client IP address resolved to "localhost", forward lookup not checked.',
    ]);
  });

  it('pgtls check simulates a host-name line from an address the hosts file resolves both ways', () => {
    const f = fs('host all all localhost trust\nhost all all .example.com trust\n');
    const r = checkServer({ fs: f, pgdata: '/pg', serverUser: { uid: 101, gids: [104] } });
    expect(r.lines[0].client).toEqual({ user: 'postgres', database: 'postgres', address: '127.0.0.1' });
    expect(r.lines[0].verdicts.find((v) => v.sslmode === 'disable')).toMatchObject({ result: 'connects', acceptedBy: 1 });
    expect(r.lines[1].skipped).toBe(
      'no address in /etc/hosts resolves to a host name matching ".example.com" and back (the server\'s reverse then forward lookup); names it lacks would go to DNS, which pgtls does not query',
    );
    const r2 = checkServer({
      fs: f,
      pgdata: '/pg',
      serverUser: { uid: 101, gids: [104] },
      hostsTable: parseHostsFile('10.1.2.3 app.example.com\n'),
    });
    expect(r2.lines[0].skipped).toMatch(/matching "localhost"/);
    expect(r2.lines[1].client?.address).toBe('10.1.2.3');
    expect(r2.lines[1].verdicts.find((v) => v.sslmode === 'disable')).toMatchObject({ result: 'connects', acceptedBy: 2 });
  });
});

describe('--hosts-file on the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgtls-hosts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pgdata = join(dir, 'pg');
  mkdirSync(pgdata);
  writeFileSync(join(pgdata, 'postgresql.conf'), '');
  writeFileSync(join(pgdata, 'pg_hba.conf'), 'host all all db.example.com trust\n');
  writeFileSync(join(pgdata, 'pg_ident.conf'), '');
  chmodSync(pgdata, 0o700);
  const hosts = join(dir, 'hosts');
  writeFileSync(hosts, '127.0.0.1 db.example.com\n');

  it('simulate and check take it', async () => {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    try {
      expect(await runSimulate(['--pgdata', pgdata, '--hosts-file', hosts, 'host=127.0.0.1 user=alice dbname=app sslmode=disable'])).toBe(
        0,
      );
      expect(
        await runSimulate([
          '--pgdata',
          pgdata,
          '--hosts-file',
          join(pgdata, 'pg_ident.conf'),
          'host=127.0.0.1 user=alice dbname=app sslmode=disable',
        ]),
      ).toBe(1);
      expect(await runCheck(['--pgdata', pgdata, '--hosts-file', hosts])).toBe(0);
    } finally {
      log.mockRestore();
    }
    expect(out[1]).toMatch(/DETAIL: {2}Could not resolve client IP address to a host name: Name or service not known\./);
    expect(out[2]).toMatch(
      /pg_hba.conf line 1: host all all db.example.com trust\n {2}as user=postgres dbname=postgres from 127.0.0.1\n {2}disable +no client cert: connects \(line 1\)/,
    );
  });

  it('a missing file or a directory is a usage error naming the option', async () => {
    await expect(runSimulate(['--pgdata', pgdata, '--hosts-file', join(dir, 'nope'), 'x'])).rejects.toThrow(
      new UsageError(`--hosts-file: cannot read ${join(dir, 'nope')}: no such file`),
    );
    await expect(runCheck(['--pgdata', pgdata, '--hosts-file', dir])).rejects.toThrow(
      new UsageError(`--hosts-file: cannot read ${dir}: is a directory`),
    );
  });
});
