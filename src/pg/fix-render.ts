// Advice items (fix-kinds.ts) into words: one renderer for every language, driven by the
// templates and terms of fix-text.ts, and the language a client's locale asks for (the
// gettext rule psql's messages follow, over the languages pgtls writes advice in).

import type { FixAdvice, FixArg } from './fix-kinds.js';
import { FIX_LANGS, FIX_TEXT, TERMS, type FixLang, type TermName } from './fix-text.js';
import type { MessageLocale } from './i18n/translate.js';

/** {arg}, {arg:term} or {arg*separator}. */
export const PLACEHOLDER = /\{(\w+)(?::(\w+))?(?:\*([^}]*))?\}/g;

export interface Placeholder {
  arg: string;
  term?: string;
  /** a list's separator */
  separator?: string;
}

/** The placeholders of a template, in order. */
export function placeholders(template: string): Placeholder[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => ({
    arg: m[1],
    ...(m[2] !== undefined ? { term: m[2] } : {}),
    ...(m[3] !== undefined ? { separator: m[3] } : {}),
  }));
}

function term(lang: FixLang, name: string, value: string): string {
  const table = TERMS[lang][name as TermName];
  if (!table) return value;
  return table[value] ?? table['*']?.replace('{}', value) ?? value;
}

/** One piece of advice in a language. */
export function renderAdvice(a: FixAdvice, lang: FixLang): string {
  const args = a.args as Record<string, FixArg>;
  return FIX_TEXT[lang][a.kind].replace(PLACEHOLDER, (_m, name: string, t: string | undefined, sep: string | undefined) => {
    const v = args[name];
    if (v === undefined) return '';
    if (sep !== undefined && Array.isArray(v))
      return (v as readonly (string | FixAdvice)[]).map((p) => (typeof p === 'string' ? p : renderAdvice(p, lang))).join(sep);
    const s = String(v);
    return t ? term(lang, t, s) : s;
  });
}

/** The fix in a language: each piece of advice on its own line; undefined when there is none. */
export function renderFix(items: readonly FixAdvice[] | undefined, lang: FixLang): string | undefined {
  return items?.length ? items.map((a) => renderAdvice(a, lang)).join('\n') : undefined;
}

/**
 * The language to advise in for a client locale: gettext's rule for psql's messages (the
 * first language of LANGUAGE, or else of the message locale, that has a catalog), over the
 * languages pgtls has advice in, English included. English when the message locale is C
 * (gettext would not translate) or the codeset is ASCII (Japanese would print as '?').
 */
export function fixLanguage(locale: MessageLocale): FixLang {
  if (locale.ascii) return 'en';
  for (const l of locale.languages) {
    const base = l.split(/[_.@]/)[0];
    const found = FIX_LANGS.find((x) => x === base);
    if (found) return found;
  }
  return 'en';
}

export type { FixLang } from './fix-text.js';
