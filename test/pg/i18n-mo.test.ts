// The .mo reader and the translator: catalogs built here (both byte orders, Plural-Forms,
// msgctxt), catalogs compiled by GNU msgfmt, and the catalogs PostgreSQL 15 and glibc install,
// read entry for entry against Python's gettext module (an independent .mo reader).

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MoError, parseMo, parsePluralExpr } from '../../src/pg/i18n/mo.js';
import {
  cFormat,
  clientMessageLocale,
  english,
  localeInList,
  localeVariants,
  makeTranslator,
  perlLocaleWarning,
  serverMessageLocale,
} from '../../src/pg/i18n/translate.js';
import { fmt, LIBPQ, messageFormatter, SERVER } from '../../src/pg/messages.js';
import { nodeCatalogLoader } from '../../src/pg/i18n/catalogs-node.js';

/** A .mo file as GNU msgfmt lays it out (sorted msgids, no hash table). */
function buildMo(entries: [string, string][], little = true): Uint8Array {
  const enc = new TextEncoder();
  const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const n = sorted.length;
  const headerSize = 28;
  const origAt = headerSize;
  const transAt = origAt + n * 8;
  let dataAt = transAt + n * 8;
  const blobs: Uint8Array[] = [];
  const table: number[] = [];
  const tableT: number[] = [];
  for (const [k] of sorted) {
    const b = enc.encode(k);
    table.push(b.length, dataAt);
    blobs.push(b, new Uint8Array(1));
    dataAt += b.length + 1;
  }
  for (const [, v] of sorted) {
    const b = enc.encode(v);
    tableT.push(b.length, dataAt);
    blobs.push(b, new Uint8Array(1));
    dataAt += b.length + 1;
  }
  const out = new Uint8Array(dataAt);
  const dv = new DataView(out.buffer);
  const words = [0x950412de, 0, n, origAt, transAt, 0, dataAt, ...table, ...tableT];
  words.forEach((w, i) => {
    dv.setUint32(i * 4, w, little);
  });
  let at = transAt + n * 8;
  for (const b of blobs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

const RU_HEADER =
  'Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n';

describe('.mo reader on catalogs built here', () => {
  const entries: [string, string][] = [
    ['', RU_HEADER],
    ['file "%s"\n', 'файл "%s"\n'],
    ['%d file\0%d files', '%d файл\0%d файла\0%d файлов'],
    ['menu\x04Open', 'Открыть (меню)'],
    ['Open', 'Открыть'],
  ];
  for (const little of [true, false]) {
    it(`reads entries, msgctxt and Russian plurals (${little ? 'little' : 'big'}-endian)`, () => {
      const c = parseMo(buildMo(entries, little));
      expect(c.charset).toBe('UTF-8');
      expect(c.nplurals).toBe(3);
      expect(c.get('file "%s"\n')).toBe('файл "%s"\n');
      expect(c.get('Open')).toBe('Открыть');
      expect(c.get('Open', 'menu')).toBe('Открыть (меню)');
      expect(c.get('Close')).toBeUndefined();
      expect(c.get('')).toBeUndefined();
      expect([1, 2, 5, 11, 21, 22, 25, 111, 112].map((n) => c.getPlural('%d file', '%d files', n))).toEqual([
        '%d файл',
        '%d файла',
        '%d файлов',
        '%d файлов',
        '%d файл',
        '%d файла',
        '%d файлов',
        '%d файлов',
        '%d файлов',
      ]);
    });
  }

  it('without Plural-Forms uses English rules; rejects what is not a .mo file', () => {
    const c = parseMo(buildMo([['%d file\0%d files', 'un\0plusieurs']]));
    expect([0, 1, 2].map((n) => c.getPlural('%d file', '%d files', n))).toEqual(['plusieurs', 'un', 'plusieurs']);
    expect(() => parseMo(new Uint8Array(10))).toThrow(MoError);
    expect(() => parseMo(new TextEncoder().encode('msgid "x"\nmsgstr "y"\n.........................'))).toThrow(/bad magic/);
    const cut = buildMo(entries.slice(0, 2)).subarray(0, 40);
    expect(() => parseMo(cut)).toThrow(MoError);
  });

  it('evaluates plural expressions as C does', () => {
    const e = parsePluralExpr('n==1 ? 0 : n==2 ? 1 : (n>2 && n<7) ? 2 : (n>6 && n<11) ? 3 : 4');
    expect([1, 2, 3, 7, 11, 0].map(e)).toEqual([0, 1, 2, 3, 4, 4]);
    expect(parsePluralExpr('(n != 1)')(1)).toBe(0);
    expect(parsePluralExpr('!(n % 10)')(20)).toBe(1);
    expect(() => parsePluralExpr('n ==')).toThrow(MoError);
    expect(() => parsePluralExpr('n == x')).toThrow(MoError);
  });
});

const msgfmtMissing = spawnSync('msgfmt', ['--version']).status === 0 ? undefined : 'GNU msgfmt not installed';
describe.skipIf(msgfmtMissing)(`.mo files compiled by GNU msgfmt${msgfmtMissing ? ` (skipped: ${msgfmtMissing})` : ''}`, () => {
  it('reads msgfmt output: context, plurals, a non-UTF-8 charset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-mo-'));
    const po = [
      'msgid ""',
      'msgstr ""',
      '"Content-Type: text/plain; charset=ISO-8859-1\\n"',
      '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"',
      '',
      'msgctxt "verb"',
      'msgid "open"',
      'msgstr "ouvrir"',
      '',
      'msgid "open"',
      'msgstr "ouvert"',
      '',
      'msgid "%d élément"',
      'msgid_plural "%d éléments"',
      'msgstr[0] "%d élément à voir"',
      'msgstr[1] "%d éléments à voir"',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'fr.po'), Buffer.from(po, 'latin1'));
    const r = spawnSync('msgfmt', ['-o', join(dir, 'fr.mo'), join(dir, 'fr.po')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const c = parseMo(readFileSync(join(dir, 'fr.mo')));
    expect(c.charset).toBe('ISO-8859-1');
    expect(c.get('open', 'verb')).toBe('ouvrir');
    expect(c.get('open')).toBe('ouvert');
    expect(c.getPlural('%d élément', '%d éléments', 1)).toBe('%d élément à voir');
    expect(c.getPlural('%d élément', '%d éléments', 0)).toBe('%d élément à voir');
    expect(c.getPlural('%d élément', '%d éléments', 2)).toBe('%d éléments à voir');
  });
});

const JA = '/usr/share/locale/ja/LC_MESSAGES';
const installedMissing = existsSync(join(JA, 'libpq5-15.mo')) ? undefined : `PostgreSQL 15 Japanese catalogs not installed (${JA})`;
const pythonMissing = spawnSync('python3', ['-c', 'import gettext']).status === 0 ? undefined : 'python3 not installed';

describe.skipIf(installedMissing)(
  `the installed PostgreSQL 15 catalogs${installedMissing ? ` (skipped: ${installedMissing})` : ''}`,
  () => {
    for (const file of ['libpq5-15', 'psql-15', 'postgres-15']) {
      it.skipIf(pythonMissing)(`${file}.mo (ja) reads entry for entry as Python's gettext reads it`, () => {
        const path = join(JA, `${file}.mo`);
        const py = spawnSync(
          'python3',
          [
            '-c',
            'import gettext,json,sys; t=gettext.GNUTranslations(open(sys.argv[1],"rb")); print(json.dumps([[k if isinstance(k,str) else [k[0],k[1]], v] for k,v in t._catalog.items()]))',
            path,
          ],
          { encoding: 'utf8', maxBuffer: 64 << 20 },
        );
        expect(py.status, py.stderr).toBe(0);
        const want = JSON.parse(py.stdout) as [string | [string, number], string][];
        const c = parseMo(readFileSync(path));
        expect(c.charset).toBe('UTF-8');
        let checked = 0;
        for (const [k, v] of want) {
          if (k === '') continue;
          if (typeof k === 'string') {
            const ctx = k.indexOf('\x04');
            expect(ctx < 0 ? c.get(k) : c.get(k.slice(ctx + 1), k.slice(0, ctx))).toBe(v);
          } else {
            // Japanese has one form: every n gives form 0
            if (k[1] === 0) expect(c.getPlural(k[0], '', 7)).toBe(v);
          }
          checked++;
        }
        expect(checked).toBeGreaterThan(100);
      });
    }

    it('psql 15, libpq 15 and the server translate the messages of a failed connection', () => {
      const t = makeTranslator(clientMessageLocale({ LANGUAGE: 'ja', LANG: 'C.UTF-8' }), nodeCatalogLoader(), 15);
      const f = messageFormatter(t.translate, 15);
      expect(f(LIBPQ.attemptPrefixNoAddr, '127.0.0.1', 5432)).toBe('"127.0.0.1"、ポート5432のサーバーへの接続に失敗しました: ');
      expect(f(LIBPQ.serverNoSsl)).toBe('サーバーはSSLをサポートしていませんが、SSLが要求されました');
      expect(f(LIBPQ.nameMismatch1, 'db', 'x')).toBe('"db"のサーバー証明書がホスト名"x"とマッチしません');
      // not marked for translation in libpq 15 (libpq_ngettext is no gettext trigger there)
      expect(f(LIBPQ.nameMismatchN, 'a', 2, 'x')).toBe(fmt(LIBPQ.nameMismatchN, 'a', 2, 'x'));
      // "%s\n" of strerror, glibc's text in libc's catalog, then libpq's line
      expect(f(LIBPQ.tcpConnectFailed, 'Connection refused')).toBe(
        '接続を拒否されました\n\tサーバーはそのホスト上で稼働していてTCP/IP接続を受け付けていますか?',
      );
      expect(f(LIBPQ.requirePeerMismatch, 'x', 'postgres')).toBe('requirepeerは"x"を指定していますが、実際のピア名は"postgres"です');
      // the real-socket client's texts (src/pg/live), %c included
      expect(f(LIBPQ.timeoutExpired)).toBe('タイムアウト期間が過ぎました');
      expect(f(LIBPQ.expectedAuthRequest, 'X')).toBe('サーバーからの認証要求を想定していましたが、Xを受信しました');
      expect(fmt(LIBPQ.expectedAuthRequest, 'X')).toBe('expected authentication request from server, but received X');
      expect(f(LIBPQ.serverClosedFirstLine)).toBe('server closed the connection unexpectedly');
      expect(t.notes).toEqual([]);
      const s = messageFormatter(
        makeTranslator(serverMessageLocale({ LANG: 'C.UTF-8' }, 'ja_JP.UTF-8'), nodeCatalogLoader(), 15).translate,
        15,
      );
      expect(s(SERVER.authFailedPassword, 'bob')).toBe('ユーザー"bob"のパスワード認証に失敗しました');
      expect(s(SERVER.noUserName)).toBe('開始パケットで指定されたPostgreSQLユーザー名は存在しません');
      // a catalog's own quirk is kept byte for byte (the quote missing after %s)
      expect(s(SERVER.noHbaEntry, '127.0.0.1', 'a', 'b', 'no encryption')).toBe(
        'pg_hba.conf にホスト"127.0.0.1"、ユーザー"a"、データベース"b, no encryption用のエントリがありません',
      );
      // %m: the strerror text is glibc's, translated
      expect(s(SERVER.keyAccess, 'server.key', 'No such file or directory')).toBe(
        '秘密鍵ファイル"server.key"にアクセスできませんでした: そのようなファイルやディレクトリはありません',
      );
    });
  },
);

describe('choosing the language and formatting', () => {
  it('follows gettext: LANGUAGE only outside the C locale, LC_ALL over LC_MESSAGES over LANG', () => {
    expect(clientMessageLocale({ LANGUAGE: 'ja' }).languages).toEqual([]);
    expect(clientMessageLocale({ LANGUAGE: 'ja', LANG: 'C.UTF-8' }).languages).toEqual(['ja']);
    expect(clientMessageLocale({ LANGUAGE: 'ja', LANG: 'ja_JP.UTF-8', LC_ALL: 'C' }).languages).toEqual([]);
    expect(clientMessageLocale({ LANG: 'C.UTF-8' }).languages).toEqual([]);
    expect(clientMessageLocale({ LANGUAGE: 'de:C:ja', LANG: 'C.UTF-8' }).languages).toEqual(['de']);
    expect(clientMessageLocale({ LANG: 'en_US.UTF-8', LC_MESSAGES: 'ja_JP.UTF-8' }).languages[0]).toBe('ja_JP.UTF-8');
    expect(clientMessageLocale({ LANG: 'ja_JP.UTF-8' }, () => false).languages).toEqual([]);
    expect(clientMessageLocale({ LANG: 'C', LC_MESSAGES: 'ja_JP.UTF-8' }).ascii).toBe(true);
    expect(localeVariants('ja_JP.UTF-8')).toEqual(['ja_JP.UTF-8', 'ja_JP.utf8', 'ja_JP', 'ja.UTF-8', 'ja.utf8', 'ja']);
    // the server drops LC_ALL and takes lc_messages over its environment
    expect(serverMessageLocale({ LC_ALL: 'C', LANG: 'C.UTF-8' }, 'ja_JP.UTF-8')).toMatchObject({
      languages: expect.arrayContaining(['ja']),
      ascii: true,
    });
    expect(serverMessageLocale({ LANG: 'C.UTF-8' }, 'C').languages).toEqual([]);
  });

  it("follows Debian 13's glibc 2.41, which ignores LANGUAGE under C.UTF-8 as under C (seen with trixie's psql 17)", () => {
    for (const lang of ['C.UTF-8', 'C.utf8']) {
      expect(clientMessageLocale({ LANGUAGE: 'ja', LANG: lang }, undefined, 'debian13').languages).toEqual([]);
      expect(clientMessageLocale({ LANGUAGE: 'ja', LANG: lang }, undefined, 'debian12').languages).toEqual(['ja']);
      expect(serverMessageLocale({ LANGUAGE: 'ja', LANG: lang }, undefined, 'debian13').languages).toEqual([]);
    }
    // a real locale under it still lets LANGUAGE choose
    expect(clientMessageLocale({ LANGUAGE: 'ja', LANG: 'ja_JP.UTF-8' }, undefined, 'debian13').languages).toEqual(['ja']);
    expect(clientMessageLocale({ LANGUAGE: 'xx', LANG: 'ja_JP.UTF-8' }, undefined, 'debian13').languages).toEqual(['xx']);
  });

  it('formats positional arguments the way C printf does', () => {
    expect(cFormat('%2$s の行 %1$d', [12, 'file'])).toBe('file の行 12');
    expect(cFormat('%s: %m (%d%%)', ['a', 'No such file', 5])).toBe('a: No such file (5%)');
    expect(cFormat('[%5s|%-4d|%03d|%.2s]', ['ab', 7, 7, 'xyz'])).toBe('[   ab|7   |007|xy]');
    expect(english('libpq', 'a %d b\n', [1])).toBe('a 1 b\n');
  });

  it('turns characters an ASCII locale cannot show into ?, one per character, and notes missing catalogs', () => {
    const loader = (lang: string, file: string) =>
      lang === 'ja' && file === 'postgres-15.mo'
        ? buildMo([
            ['', 'Content-Type: text/plain; charset=UTF-8\n'],
            ['user "%s"', 'ユーザー"%s"'],
          ])
        : undefined;
    const t = makeTranslator({ locale: 'ja', languages: ['ja'], ascii: true }, loader, 15);
    expect(t.translate('postgres', 'user "%s"', ['é'])).toBe('????"é"');
    expect(t.translate('libpq', 'user "%s"', ['x'])).toBe('user "x"');
    expect(t.notes).toEqual(["no libpq5-15.mo catalog for ja: libpq's messages stay English"]);
  });
});

describe("pg_wrapper's perl and locales that are not installed", () => {
  const installed = localeInList(['C', 'C.utf8', 'POSIX', 'ja_JP.utf8']);
  it('knows locale -a names with their codeset normalized', () => {
    expect(['ja_JP.UTF-8', 'ja_JP.utf8', 'C.UTF-8', 'C', 'POSIX'].map(installed)).toEqual([true, true, true, true, true]);
    expect(['ja_JP', 'ja', 'fr_FR.UTF-8', 'ja_JP.eucJP'].map(installed)).toEqual([false, false, false, false]);
  });
  it('warns as perl 5.36 does (texts seen from psql 15 on Debian 12)', () => {
    expect(perlLocaleWarning({ LANG: 'ja_JP' }, installed)).toBe(
      'perl: warning: Setting locale failed.\nperl: warning: Please check that your locale settings:\n\tLANGUAGE = (unset),\n\tLC_ALL = (unset),\n\tLANG = "ja_JP"\n    are supported and installed on your system.\nperl: warning: Falling back to the standard locale ("C").',
    );
    expect(perlLocaleWarning({ LANGUAGE: 'ja', LC_ALL: 'xx_YY.UTF-8', LANG: 'C.UTF-8' }, installed)).toBe(
      'perl: warning: Setting locale failed.\nperl: warning: Please check that your locale settings:\n\tLANGUAGE = "ja",\n\tLC_ALL = "xx_YY.UTF-8",\n\tLANG = "C.UTF-8"\n    are supported and installed on your system.\nperl: warning: Falling back to a fallback locale ("C.UTF-8").',
    );
    expect(perlLocaleWarning({ LC_ALL: 'xx', LC_MESSAGES: 'ja_JP.UTF-8', LC_CTYPE: 'yy', LANG: 'zz' }, installed)).toBe(
      'perl: warning: Setting locale failed.\nperl: warning: Please check that your locale settings:\n\tLANGUAGE = (unset),\n\tLC_ALL = "xx",\n\tLC_MESSAGES = "ja_JP.UTF-8",\n\tLC_CTYPE = "yy",\n\tLANG = "zz"\n    are supported and installed on your system.\nperl: warning: Falling back to the standard locale ("C").',
    );
    expect(perlLocaleWarning({ LANG: 'ja_JP', LC_ALL: '', LC_CTYPE: '' }, installed)).toMatch(
      /\tLC_ALL = "",\n\tLC_CTYPE = "",\n\tLANG = "ja_JP"\n/,
    );
    // perl 5.40 (Debian 13) lists every category, in its own order (seen with `perl -e 1` in trixie)
    const all = (lcAll: string, messages = '(unset)') =>
      `\tLC_ALL = ${lcAll},\n\tLC_CTYPE = (unset),\n\tLC_NUMERIC = (unset),\n\tLC_COLLATE = (unset),\n\tLC_TIME = (unset),\n\tLC_MESSAGES = ${messages},\n\tLC_MONETARY = (unset),\n\tLC_ADDRESS = (unset),\n\tLC_IDENTIFICATION = (unset),\n\tLC_MEASUREMENT = (unset),\n\tLC_PAPER = (unset),\n\tLC_TELEPHONE = (unset),\n\tLC_NAME = (unset),\n`;
    expect(perlLocaleWarning({ LANG: 'ja_JP' }, installed, 'debian13')).toBe(
      `perl: warning: Setting locale failed.\nperl: warning: Please check that your locale settings:\n\tLANGUAGE = (unset),\n${all('(unset)')}\tLANG = "ja_JP"\n    are supported and installed on your system.\nperl: warning: Falling back to the standard locale ("C").`,
    );
    expect(perlLocaleWarning({ LANGUAGE: 'ja', LC_ALL: 'xx_YY.UTF-8', LANG: 'C.UTF-8' }, installed, 'debian13')).toBe(
      `perl: warning: Setting locale failed.\nperl: warning: Please check that your locale settings:\n\tLANGUAGE = "ja",\n${all('"xx_YY.UTF-8"')}\tLANG = "C.UTF-8"\n    are supported and installed on your system.\nperl: warning: Falling back to a fallback locale ("C.UTF-8").`,
    );
    expect(perlLocaleWarning({ LANG: 'ja_JP', LC_ALL: '', LC_MESSAGES: 'ja_JP.UTF-8' }, installed, 'debian13')).toContain(
      all('""', '"ja_JP.UTF-8"'),
    );
    // nothing to say when every category's locale exists, or LC_ALL (installed) overrides the rest
    expect(perlLocaleWarning({ LANG: 'C.UTF-8', LANGUAGE: 'xx' }, installed)).toBeUndefined();
    expect(perlLocaleWarning({ LC_ALL: 'ja_JP.UTF-8', LANG: 'nope' }, installed)).toBeUndefined();
    // and psql itself stays in C: setlocale(LC_ALL, "") fails as a whole
    expect(clientMessageLocale({ LANG: 'ja_JP' }, installed).languages).toEqual([]);
    expect(clientMessageLocale({ LANGUAGE: 'ja', LC_ALL: 'xx_YY.UTF-8', LANG: 'C.UTF-8' }, installed).languages).toEqual([]);
  });
});
