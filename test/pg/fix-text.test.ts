// The fix's advice as values put into words: every kind has a template in every language,
// each template takes exactly its kind's arguments (and terms every language defines), every
// kind renders in both languages with its arguments verbatim, the Japanese keeps the English's
// file names, options, configuration lines and commands, and the language follows the
// client's locale as psql's messages do. That the English is today's text byte for byte is
// checked by the fix assertions of simulate-unit, pgpass, groups-unit and the oracle suites.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FIX_ARGS, FIX_KINDS, fixLanguage, renderAdvice, renderFix, type FixAdvice, type FixArg, type FixKind } from '../../src/pg/fix.js';
import { FIX_LANGS, FIX_TEXT, TERM_NAMES, TERMS, type FixLang } from '../../src/pg/fix-text.js';
import { placeholders } from '../../src/pg/fix-render.js';
import { clientMessageLocale } from '../../src/pg/i18n/translate.js';

const argsOf = (k: FixKind): readonly string[] => FIX_ARGS[k];
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** Sample values by argument name: terms take a value their table has, lists a list, phrases a phrase. */
const SAMPLE: Record<string, FixArg> = {
  setting: 'ssl_key_file',
  option: 'sslcert',
  side: 'client',
  keys: 3,
  issuer: 'CN = Example Intermediate CA',
  places: [
    { kind: 'listen-tcp', args: { addresses: 'localhost', port: 5433 } },
    { kind: 'listen-sockets', args: { paths: ['/run/a/.s.PGSQL.5433', '/run/b/.s.PGSQL.5433'], port: 5433 } },
  ] satisfies FixAdvice[],
  paths: ['/var/run/postgresql/.s.PGSQL.5433'],
};
const sample = (name: string): FixArg => SAMPLE[name] ?? `<${name}-value>`;
const sampleAdvice = (k: FixKind) => ({ kind: k, args: Object.fromEntries(argsOf(k).map((a) => [a, sample(a)])) }) as FixAdvice;

describe('fix templates', () => {
  it('every kind has a template in every language, and no language has others', () => {
    for (const lang of FIX_LANGS) {
      expect(sorted(Object.keys(FIX_TEXT[lang])), lang).toEqual(sorted(FIX_KINDS));
      for (const k of FIX_KINDS) expect(FIX_TEXT[lang][k].trim().length, `${lang} ${k}`).toBeGreaterThan(0);
    }
  });

  it("each template's placeholders are exactly its kind's arguments, through terms every language has", () => {
    for (const lang of FIX_LANGS)
      for (const k of FIX_KINDS) {
        const ps = placeholders(FIX_TEXT[lang][k]);
        expect({ lang, k, args: sorted(ps.map((p) => p.arg)) }).toEqual({ lang, k, args: sorted(argsOf(k)) });
        for (const p of ps) if (p.term) expect(TERM_NAMES, `${lang} ${k} {${p.arg}:${p.term}}`).toContain(p.term);
        // a braces left over is a mistyped placeholder
        expect(FIX_TEXT[lang][k].replace(/\{\w+(?::\w+)?(?:\*[^}]*)?\}/g, ''), `${lang} ${k}`).not.toMatch(/[{}]/);
      }
  });

  it('each argument goes through the same term (or none) in every language, and each term table has the same values', () => {
    for (const k of FIX_KINDS) {
      const use = (lang: FixLang) =>
        sorted(placeholders(FIX_TEXT[lang][k]).map((p) => `${p.arg}:${p.term ?? ''}:${p.separator === undefined ? '' : 'list'}`));
      expect({ k, ja: use('ja') }).toEqual({ k, ja: use('en') });
    }
    for (const t of TERM_NAMES) expect({ t, ja: sorted(Object.keys(TERMS.ja[t])) }).toEqual({ t, ja: sorted(Object.keys(TERMS.en[t])) });
  });

  it("the Japanese keeps the English's file names, options, settings, configuration lines and commands verbatim", () => {
    // what a DBA types or greps for: words with _ = . / < : or a digit, camelCase names, upper-case words
    const verbatim = (s: string) =>
      sorted(
        (s.replace(/\{[^}]*\}/g, ' ').match(/[A-Za-z0-9_./:<>+!=~'-]+/g) ?? [])
          .map((w) => w.replace(/^'|[.:,')]+$/g, ''))
          .filter((w) => /[_=/<:0-9]|\w\.\w|[a-z][A-Z]|^[A-Z][A-Z0-9_-]+$/.test(w) && !/^(CA|CAs|OS|e\.g|<)$|'s$|-bit$|\+$/.test(w)),
      );
    const missing: Record<string, string[]> = {};
    for (const k of FIX_KINDS) {
      const ja = FIX_TEXT.ja[k];
      const lost = verbatim(FIX_TEXT.en[k]).filter((w) => !ja.includes(w) && !ALLOWED_TRANSLATED[k]?.includes(w));
      if (lost.length) missing[k] = lost;
      // and it is Japanese
      expect(ja, k).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
    expect(missing).toEqual({});
  });

  it('renders every kind in both languages with its arguments in place', () => {
    for (const k of FIX_KINDS) {
      const a = sampleAdvice(k);
      for (const lang of FIX_LANGS) {
        const text = renderAdvice(a, lang);
        expect(text, `${lang} ${k}`).not.toMatch(/[{}]|undefined|\[object/);
        for (const p of placeholders(FIX_TEXT[lang][k])) {
          const v = sample(p.arg);
          const shown = p.term
            ? (TERMS[lang][p.term as keyof (typeof TERMS)['en']][String(v)] ?? String(v))
            : Array.isArray(v)
              ? v.map((x) => (typeof x === 'string' ? x : renderAdvice(x, lang))).join(p.separator)
              : String(v);
          expect(text, `${lang} ${k} {${p.arg}}`).toContain(shown);
        }
      }
    }
    // a few whole sentences, so a change of words shows here
    expect(renderAdvice(sampleAdvice('nothing-listens'), 'en')).toBe(
      'nothing listens there: the server listens on localhost port 5433, and on the Unix sockets /run/a/.s.PGSQL.5433, /run/b/.s.PGSQL.5433 (connect with host=<that directory> port=5433)',
    );
    expect(renderAdvice(sampleAdvice('nothing-listens'), 'ja')).toBe(
      'そこでは何も待ち受けていません。サーバの待ち受け先：localhost のポート 5433、および Unix ソケット /run/a/.s.PGSQL.5433, /run/b/.s.PGSQL.5433（host=<そのディレクトリ> port=5433 で接続します）',
    );
    const key = { kind: 'start-ee-key-small', args: { file: 'server.crt', level: 2, keys: 2 } } as const;
    expect(renderAdvice(key, 'en')).toBe(
      "the server certificate's key (server.crt) is below OpenSSL's security level 2: reissue the certificate with a 2048-bit RSA or P-256 key",
    );
    expect(renderAdvice(key, 'ja')).toBe(
      'サーバ証明書の鍵（server.crt）が OpenSSL のセキュリティレベル 2 を満たしません。2048 ビットの RSA 鍵か P-256 の鍵で証明書を再発行してください',
    );
    const unknown = { kind: 'server-ca-missing', args: { issuer: '', certFile: 'server.crt' } } as const;
    expect(renderAdvice(unknown, 'en')).toContain('(issuer unknown)');
    expect(renderAdvice(unknown, 'ja')).toContain('（発行者 不明）');
    expect(renderFix([], 'ja')).toBeUndefined();
  });

  it('any argument values (property): shown verbatim, nothing left of a placeholder, in both languages', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9 ._/=:-]{0,20}$/);
    fc.assert(
      fc.property(fc.constantFrom(...FIX_KINDS), word, (k, v) => {
        const plain = argsOf(k).filter(
          (a) => !placeholders(FIX_TEXT.en[k]).some((p) => p.arg === a && (p.term || p.separator !== undefined)),
        );
        const a = {
          kind: k,
          args: Object.fromEntries(argsOf(k).map((n) => [n, plain.includes(n) ? `${n}:${v}` : sample(n)])),
        } as FixAdvice;
        for (const lang of FIX_LANGS) {
          const text = renderAdvice(a, lang);
          for (const n of plain) expect(text).toContain(`${n}:${v}`);
          expect(text).not.toMatch(/\{\w+(?::\w+)?(?:\*[^}]*)?\}/);
        }
      }),
    );
  });
});

/** Words the Japanese may put in its own words (the English's placeholders for the reader, prose "e.g."). */
const ALLOWED_TRANSLATED: Partial<Record<FixKind, string[]>> = {
  'listen-socket': ['host=<that'],
  'listen-sockets': ['host=<that'],
};

describe('the language of the fix', () => {
  const lang = (env: Record<string, string>) =>
    fixLanguage(clientMessageLocale(env, (l) => ['C.UTF-8', 'ja_JP.UTF-8', 'de_DE.UTF-8'].includes(l)));
  it.each([
    [{ LANG: 'C.UTF-8' }, 'en'],
    [{}, 'en'],
    [{ LANGUAGE: 'ja', LANG: 'C.UTF-8' }, 'ja'],
    // gettext ignores LANGUAGE while the message locale is C, and psql with it
    [{ LANGUAGE: 'ja' }, 'en'],
    [{ LC_ALL: 'C', LANGUAGE: 'ja' }, 'en'],
    [{ LANG: 'ja_JP.UTF-8' }, 'ja'],
    [{ LANG: 'C.UTF-8', LC_MESSAGES: 'ja_JP.UTF-8' }, 'ja'],
    [{ LC_ALL: 'C.UTF-8', LANG: 'ja_JP.UTF-8' }, 'en'],
    // a language pgtls has no advice in: the next one in LANGUAGE, as gettext tries catalogs
    [{ LANGUAGE: 'de:ja', LANG: 'de_DE.UTF-8' }, 'ja'],
    [{ LANGUAGE: 'en:ja', LANG: 'ja_JP.UTF-8' }, 'en'],
    // a locale that is not installed: setlocale fails, psql speaks English
    [{ LANG: 'ja_JP.EUC-JP' }, 'en'],
    // an ASCII codeset would print the Japanese as '?'
    [{ LANG: 'ja_JP.UTF-8', LC_CTYPE: 'C' }, 'en'],
  ])('%j -> %s', (env, want) => {
    expect(lang(env)).toBe(want);
  });
});
