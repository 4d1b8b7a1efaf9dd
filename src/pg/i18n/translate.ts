// Which language a PostgreSQL program speaks and the translated text it prints: gettext's
// rules for choosing the catalog (LANGUAGE, then LC_ALL / LC_MESSAGES / LANG; LANGUAGE is
// ignored while the message locale is "C"), the catalogs each program reads (libpq5-15,
// psql-15, postgres-15, and glibc's libc for strerror texts), C printf formatting with the
// positional arguments (%2$s) translators use, and glibc's conversion to the output codeset
// (an ASCII locale turns each character it cannot show into '?'). The catalogs come from a
// loader given by the caller (catalogs-node.ts reads them from disk).

import { parseMo, type MoCatalog, MoError } from './mo.js';

/** The gettext domains pgtls predicts messages in. */
export type Domain = 'libpq' | 'psql' | 'postgres' | 'libc';

/** The catalog file (without .mo) a domain is installed as, for a PostgreSQL major version. */
function catalogFile(domain: Domain, pgVersion: number): string {
  if (domain === 'libc') return 'libc';
  return domain === 'libpq' ? `libpq5-${pgVersion}` : `${domain}-${pgVersion}`;
}

/** A .mo file's bytes for a language directory name ("ja", "ja_JP.UTF-8") and a catalog file name, or undefined. */
export type CatalogLoader = (language: string, file: string) => Uint8Array | undefined;

/** The locale variables gettext and setlocale read. */
export interface LocaleEnv {
  LANGUAGE?: string;
  LC_ALL?: string;
  LC_MESSAGES?: string;
  LC_CTYPE?: string;
  LANG?: string;
}

export interface MessageLocale {
  /** the LC_MESSAGES locale in effect ("C" when none is set) */
  locale: string;
  /** the languages gettext tries, in order (empty: English) */
  languages: string[];
  /** the output codeset cannot show non-ASCII characters (LC_CTYPE is C/POSIX) */
  ascii: boolean;
}

/**
 * The C library and perl whose locale rules psql, libpq, pg_wrapper and the server run with:
 * Debian 12's (glibc 2.36, perl 5.36: the default) or Debian 13's (glibc 2.41, perl 5.40).
 */
export type LocaleSystem = 'debian12' | 'debian13';
export const LOCALE_SYSTEMS: readonly LocaleSystem[] = ['debian12', 'debian13'];

/** What tells the systems apart (each measured: i18n-oracle on Debian 12's 15 and trixie's 17). */
const SYSTEM_RULES: Record<LocaleSystem, { cUtf8IsC: boolean; perlEveryCategory: boolean }> = {
  // glibc 2.36 reads LANGUAGE under C.UTF-8 (LANGUAGE=ja LANG=C.UTF-8: Japanese); 2.41 takes
  // C.UTF-8 for C there and ignores it (English). perl 5.36's locale warning lists the LC_
  // variables set in the environment, 5.40's every category, "(unset)" or not.
  debian12: { cUtf8IsC: false, perlEveryCategory: false },
  debian13: { cUtf8IsC: true, perlEveryCategory: true },
};

/** perl 5.40's categories, in the order its locale warning lists them */
const PERL_CATEGORIES = [
  'LC_CTYPE',
  'LC_NUMERIC',
  'LC_COLLATE',
  'LC_TIME',
  'LC_MESSAGES',
  'LC_MONETARY',
  'LC_ADDRESS',
  'LC_IDENTIFICATION',
  'LC_MEASUREMENT',
  'LC_PAPER',
  'LC_TELEPHONE',
  'LC_NAME',
];

const isC = (l: string) => l === 'C' || l === 'POSIX';
const pick = (...v: (string | undefined)[]) => v.find((x) => x !== undefined && x !== '');

/**
 * The languages a client program (psql, libpq) speaks: setlocale(LC_ALL, "") then gettext.
 * LC_ALL wins over LC_MESSAGES / LC_CTYPE, which win over LANG; LANGUAGE (a colon-separated
 * list) wins over the locale, unless the message locale is "C" (checked with psql 15:
 * `LANGUAGE=ja` alone prints English, `LANGUAGE=ja LANG=C.UTF-8` Japanese). A locale that
 * is not installed makes setlocale fail and leaves "C": `installed` says which are.
 */
export function clientMessageLocale(
  env: LocaleEnv,
  installed?: (locale: string) => boolean,
  system: LocaleSystem = 'debian12',
): MessageLocale {
  const ok = (l: string | undefined) => (l && !isC(l) && (!installed || installed(l)) ? l : undefined);
  // setlocale(LC_ALL, "") fails as a whole when any category's locale is missing
  const messages = pick(env.LC_ALL, env.LC_MESSAGES, env.LANG);
  const ctype = pick(env.LC_ALL, env.LC_CTYPE, env.LANG);
  const all = [messages, ctype].every((l) => !l || isC(l) || ok(l));
  return languagesFor(all ? ok(messages) : undefined, all ? ok(ctype) : undefined, env.LANGUAGE, system);
}

/**
 * The languages the server speaks: postgres sets LC_CTYPE from its environment, then drops
 * LC_ALL (main.c), and sets LC_MESSAGES from lc_messages ('' = the environment's).
 */
export function serverMessageLocale(env: LocaleEnv, lcMessages: string | undefined, system: LocaleSystem = 'debian12'): MessageLocale {
  const messages = pick(lcMessages, env.LC_MESSAGES, env.LANG);
  const ctype = pick(env.LC_ALL, env.LC_CTYPE, env.LANG);
  return languagesFor(messages && !isC(messages) ? messages : undefined, ctype && !isC(ctype) ? ctype : undefined, env.LANGUAGE, system);
}

/**
 * Debian's psql is pg_wrapper, a perl script: perl sets every locale category from the
 * environment at start and, when one names a locale that is not installed, warns on stderr
 * before psql runs (text of perl 5.36, checked with psql 15; perl 5.40's, Debian 13's, lists
 * every category). `env` in environment order.
 */
export function perlLocaleWarning(
  env: Record<string, string | undefined>,
  installed: (locale: string) => boolean,
  system: LocaleSystem = 'debian12',
): string | undefined {
  const set = (v: string | undefined): v is string => v !== undefined && v !== '';
  const valid = (l: string) => isC(l) || installed(l);
  // listed when present in the environment, even empty; an empty one sets nothing
  const categories = Object.keys(env).filter((k) => /^LC_[A-Z]+$/.test(k) && k !== 'LC_ALL' && env[k] !== undefined);
  const effective = set(env.LC_ALL) ? [env.LC_ALL] : [...categories.map((k) => env[k]!).filter(set), ...(set(env.LANG) ? [env.LANG] : [])];
  if (effective.every(valid)) return undefined;
  const listed = SYSTEM_RULES[system].perlEveryCategory ? PERL_CATEGORIES : categories;
  const show = (k: string) => `\t${k} = ${env[k] !== undefined ? `"${env[k]}"` : '(unset)'}`;
  const fallback = set(env.LANG) && valid(env.LANG) ? `a fallback locale ("${env.LANG}")` : 'the standard locale ("C")';
  return [
    'perl: warning: Setting locale failed.',
    'perl: warning: Please check that your locale settings:',
    [...['LANGUAGE', 'LC_ALL', ...listed].map((k) => `${show(k)},`), show('LANG')].join('\n'),
    '    are supported and installed on your system.',
    `perl: warning: Falling back to ${fallback}.`,
  ].join('\n');
}

/** Whether a locale name is one of `locale -a`'s (which lists codesets normalized: ja_JP.utf8). */
export function localeInList(list: readonly string[]): (locale: string) => boolean {
  const norm = (l: string) => {
    const m = /^([^.@]+)(?:\.([^@]+))?(@.+)?$/.exec(l);
    return m ? `${m[1]}${m[2] ? `.${normalizeCodeset(m[2])}` : ''}${m[3] ?? ''}` : l;
  };
  const have = new Set(list.map(norm));
  return (l) => isC(l) || have.has(norm(l));
}

function languagesFor(
  messages: string | undefined,
  ctype: string | undefined,
  language: string | undefined,
  system: LocaleSystem,
): MessageLocale {
  const locale = messages ?? 'C';
  if (!messages) return { locale, languages: [], ascii: !ctype };
  // gettext stops at a "C" in the list; the C.UTF-8 locale has no catalogs (and newer glibc
  // ignores LANGUAGE under it, as under C)
  const useLanguage = language && !(SYSTEM_RULES[system].cUtf8IsC && /^C[.@]/.test(messages));
  const given = useLanguage ? language.split(':').filter(Boolean) : [messages];
  const stop = given.findIndex((l) => isC(l) || (!useLanguage && /^C[.@]/.test(l)));
  const list = stop < 0 ? given : given.slice(0, stop);
  return { locale, languages: list.flatMap(localeVariants).filter((l, i, a) => a.indexOf(l) === i), ascii: !ctype };
}

/** glibc's normalized codeset: lower-case letters and digits only, "iso" before an all-digit one. */
function normalizeCodeset(c: string): string {
  const n = c.toLowerCase().replace(/[^a-z0-9]/g, '');
  return /^\d+$/.test(n) ? `iso${n}` : n;
}

/** The directory names gettext tries for one locale name, most specific first (_nl_explode_name). */
export function localeVariants(name: string): string[] {
  const m = /^([^_.@]+)(_[^.@]+)?(\.[^@]+)?(@.+)?$/.exec(name);
  if (!m) return [name];
  const [, lang, terr = '', cs = '', mod = ''] = m;
  const norm = cs ? `.${normalizeCodeset(cs.slice(1))}` : '';
  const out: string[] = [];
  for (const t of terr ? [terr, ''] : ['']) {
    for (const c of cs ? [cs, norm, ''] : ['']) out.push(`${lang}${t}${c}${mod}`);
    if (mod) for (const c of cs ? [cs, norm, ''] : ['']) out.push(`${lang}${t}${c}`);
  }
  return [name, ...out].filter((l, i, a) => a.indexOf(l) === i && l !== 'C');
}

export type FormatArg = string | number;

/** What a translated message needs besides msgid and arguments. */
export interface TranslateOptions {
  /** ngettext: the plural msgid, with n */
  plural?: { msgid: string; n: number };
  context?: string;
  /** argument positions (0-based) that are strerror() texts, translated in glibc's libc domain */
  strerror?: readonly number[];
}

/** gettext in a domain, then printf with the arguments; English (the msgid) when there is no translation. */
export type Translate = (domain: Domain, msgid: string, args?: readonly FormatArg[], opts?: TranslateOptions) => string;

/** English: the msgid (or its plural form by English rules) formatted. */
export const english: Translate = (_domain, msgid, args = [], opts) => {
  const text = opts?.plural && opts.plural.n !== 1 ? opts.plural.msgid : msgid;
  return cFormat(text, args, msgid);
};

export interface Translator {
  translate: Translate;
  /** why some text stays English (a catalog absent or unreadable), one line each */
  notes: string[];
  locale: MessageLocale;
}

/**
 * A translator for one program's locale. Catalogs are loaded once per domain; the first
 * language with a catalog for the domain is used (gettext falls back to the next language
 * only per domain, not per message).
 */
export function makeTranslator(locale: MessageLocale, loader: CatalogLoader | undefined, pgVersion: number): Translator {
  const notes: string[] = [];
  const cache = new Map<Domain, MoCatalog | null>();
  const catalog = (domain: Domain): MoCatalog | undefined => {
    if (cache.has(domain)) return cache.get(domain) ?? undefined;
    const file = catalogFile(domain, pgVersion);
    let found: MoCatalog | null = null;
    for (const lang of loader ? locale.languages : []) {
      const bytes = loader!(lang, `${file}.mo`);
      if (!bytes) continue;
      try {
        found = parseMo(bytes);
        break;
      } catch (e) {
        if (!(e instanceof MoError)) throw e;
        notes.push(`${lang}/LC_MESSAGES/${file}.mo cannot be read (${e.message}): its messages stay English`);
      }
    }
    // English locales have no catalogs by design: no note for them
    if (!found && locale.languages.length && domain !== 'libc' && !/^en([_.@]|$)/.test(locale.languages[0])) {
      notes.push(
        `no ${file}.mo catalog for ${locale.languages[0]}${loader ? '' : ' (no catalogs given)'}: ${domain}'s messages stay English`,
      );
    }
    cache.set(domain, found);
    return found ?? undefined;
  };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII, control characters included
  const ascii = (s: string) => (locale.ascii ? s.replace(/[^\x00-\x7f]/gu, '?') : s);
  const translate: Translate = (domain, msgid, args = [], opts = {}) => {
    const cat = locale.languages.length ? catalog(domain) : undefined;
    const found =
      cat && (opts.plural ? cat.getPlural(msgid, opts.plural.msgid, opts.plural.n, opts.context) : cat.get(msgid, opts.context));
    const strerr = new Set([...(opts.strerror ?? []), ...percentMIndexes(msgid)]);
    const a = strerr.size ? args.map((v, i) => (strerr.has(i) && typeof v === 'string' ? translate('libc', v) : v)) : args;
    if (found === undefined) return english(domain, msgid, a, opts);
    return cFormat(ascii(found), a, msgid);
  };
  return { translate, notes, locale };
}

const DIRECTIVE = /%(?:(\d+)\$)?([-+ #0']*)(\d+)?(?:\.(\d+))?(hh|h|ll|l|z|j|t|L)?([sdiucxXom%])/g;

/** Positions of %m in a msgid (PostgreSQL's strerror(errno) directive, which takes an argument here). */
function percentMIndexes(msgid: string): number[] {
  const out: number[] = [];
  let i = 0;
  for (const m of msgid.matchAll(DIRECTIVE)) {
    if (m[6] === '%') continue;
    if (m[6] === 'm') out.push(i);
    i++;
  }
  return out;
}

/**
 * C printf of a gettext format: %s %d %i %u %c %x %o (with flags, width, precision and
 * length modifiers), %% and positional %N$. %m takes the argument at the position its %m
 * has in `msgid` (translations keep %m unnumbered). A missing argument prints as nothing.
 */
export function cFormat(format: string, args: readonly FormatArg[], msgid: string = format): string {
  const mPositions = percentMIndexes(msgid);
  let next = 0;
  let mSeen = 0;
  return format.replace(
    DIRECTIVE,
    (_all, pos: string | undefined, flags: string, width: string | undefined, prec: string | undefined, _len, conv: string) => {
      if (conv === '%') return '%';
      const index = conv === 'm' ? (mPositions[mSeen++] ?? next) : pos ? Number(pos) - 1 : next++;
      if (conv === 'm') next = Math.max(next, index + 1);
      const v = args[index];
      let s: string;
      if (v === undefined) s = '';
      else if (conv === 's' || conv === 'm') s = String(v);
      else if (conv === 'c') s = typeof v === 'number' ? String.fromCodePoint(v) : v.slice(0, 1);
      else if (conv === 'x' || conv === 'X' || conv === 'o') {
        const n = Number(v) >>> 0;
        s = n.toString(conv === 'o' ? 8 : 16);
        if (conv === 'X') s = s.toUpperCase();
      } else s = String(typeof v === 'number' ? Math.trunc(v) : v);
      if (prec !== undefined && (conv === 's' || conv === 'm')) s = s.slice(0, Number(prec));
      if (width !== undefined && s.length < Number(width)) {
        const pad = Number(width) - s.length;
        s = flags.includes('-') ? s + ' '.repeat(pad) : flags.includes('0') && conv !== 's' ? '0'.repeat(pad) + s : ' '.repeat(pad) + s;
      }
      return s;
    },
  );
}
