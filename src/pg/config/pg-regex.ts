// Regular expressions in pg_ident.conf (and in pg_hba.conf from 16) are PostgreSQL ARE
// (Henry Spencer's POSIX ERE superset, src/backend/regex), compiled with REG_ADVANCED in
// the C collation and searched unanchored. pgtls runs them as JavaScript RegExp after
// translating the ARE-only syntax it knows:
//   [[:alpha:]] and the other POSIX classes  -> explicit JS ranges (C locale: ASCII only)
//   \y \Y \m \M \A \Z                        -> \b \B \b(?=\w) \b(?<=\w) ^ $
//   \b (backspace) \B (backslash) \a \e       -> \x08 \\ \x07 \x1b
//   a leading (?i) / (?c) embedded option      -> the i flag (or none)
//   { not followed by a digit                  -> a literal {
// and rejects what ARE rejects: unknown letter escapes, unbalanced or reversed bounds.
// Known differences left: ARE's leftmost-longest rule for alternations at the top level
// (JS takes the first alternative that matches; this changes \1 only when alternatives
// overlap), collating elements [[.x.]] and equivalence classes [[=x=]], the other
// embedded options (x, n, b, e, q...), which are accepted but not applied, and ***:
// director prefixes. Error texts are pg_regerror's (regerrs.h).

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: 'A-Za-z0-9_',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};

const ESCAPES: Record<string, string> = {
  y: '\\b',
  Y: '\\B',
  m: '\\b(?=\\w)',
  M: '\\b(?<=\\w)',
  A: '^',
  Z: '$',
  b: '\\x08',
  B: '\\\\',
  a: '\\x07',
  e: '\\x1b',
};
/** Letter and digit escapes that mean the same in ARE and JavaScript. */
const SAME_ESCAPES = new Set([...'dswDSWfnrtv123456789']);
/** ARE's DUPMAX */
const DUPMAX = 255;

export type PgRegexResult = { ok: true; regex: RegExp } | { ok: false; error: string };

/** pg_regerror texts (regerrs.h) for the failures pgtls can tell apart. */
export const REG_ERRORS = {
  EBRACK: 'brackets [] not balanced',
  EPAREN: 'parentheses () not balanced',
  EBRACE: 'braces {} not balanced',
  BADRPT: 'quantifier operand invalid',
  ECTYPE: 'invalid character class',
  EESCAPE: 'invalid escape \\ sequence',
  ERANGE: 'invalid character range',
  ESUBREG: 'invalid backreference number',
  BADBR: 'invalid repetition count(s)',
  BADOPT: 'invalid embedded option',
  BADPAT: 'invalid regexp (reg version 0.8)',
} as const;

/** Translate and compile; `error` carries pg_regerror's text when PostgreSQL would reject it. */
export function compilePgRegex(input: string): PgRegexResult {
  let pattern = input;
  let flags = '';
  const opt = /^\(\?([a-z]*)\)/.exec(pattern);
  if (opt) {
    for (const f of opt[1]) {
      if (!'bceinpqstwx'.includes(f) && f !== 'm') return { ok: false, error: REG_ERRORS.BADOPT };
      if (f === 'i') flags = 'i';
      if (f === 'c') flags = '';
    }
    pattern = pattern.slice(opt[0].length);
  }
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) return { ok: false, error: REG_ERRORS.EESCAPE };
      const hex =
        n === 'x' ? /^[0-9A-Fa-f]{1,8}/.exec(pattern.slice(i + 2)) : n === 'u' ? /^[0-9A-Fa-f]{4}/.exec(pattern.slice(i + 2)) : null;
      if (hex) {
        const cp = parseInt(hex[0], 16);
        if (cp > 0xffff) return { ok: false, error: REG_ERRORS.EESCAPE };
        out += `\\u${cp.toString(16).padStart(4, '0')}`;
        i += 1 + hex[0].length;
        continue;
      }
      if (n === 'c' && /[A-Za-z]/.test(pattern[i + 2] ?? '')) {
        out += `\\c${pattern[i + 2]}`;
        i += 2;
        continue;
      }
      if (ESCAPES[n] !== undefined) out += ESCAPES[n];
      else if (SAME_ESCAPES.has(n) || !/[A-Za-z0-9]/.test(n)) out += `\\${n}`;
      else if (n === '0') out += '\\x00';
      else return { ok: false, error: REG_ERRORS.EESCAPE };
      i++;
    } else if (c === '{') {
      if (!/[0-9]/.test(pattern[i + 1] ?? '')) {
        out += '\\{';
        continue;
      }
      const m = /^\{([0-9]+)(,([0-9]*))?\}/.exec(pattern.slice(i));
      if (!m) return { ok: false, error: REG_ERRORS.EBRACE };
      const lo = Number(m[1]);
      const hi = m[3] === undefined ? lo : m[3] === '' ? DUPMAX : Number(m[3]);
      if (lo > DUPMAX || hi > DUPMAX || lo > hi) return { ok: false, error: REG_ERRORS.BADBR };
      out += m[0];
      i += m[0].length - 1;
    } else if (c === '[') {
      // bracket expression: copy to the closing ], expanding [:class:]
      let j = i + 1;
      let body = '';
      if (pattern[j] === '^') {
        body += '^';
        j++;
      }
      if (pattern[j] === ']') {
        body += '\\]';
        j++;
      }
      let closed = false;
      while (j < pattern.length) {
        const d = pattern[j];
        if (d === ']') {
          closed = true;
          break;
        }
        if (d === '[' && pattern[j + 1] === ':') {
          const end = pattern.indexOf(':]', j + 2);
          if (end < 0) return { ok: false, error: REG_ERRORS.EBRACK };
          const cls = POSIX_CLASSES[pattern.slice(j + 2, end)];
          if (cls === undefined) return { ok: false, error: REG_ERRORS.ECTYPE };
          body += cls;
          j = end + 2;
          continue;
        }
        if (d === '\\') {
          body += pattern.slice(j, j + 2);
          j += 2;
          continue;
        }
        body += d === '[' ? '\\[' : d;
        j++;
      }
      if (!closed) return { ok: false, error: REG_ERRORS.EBRACK };
      out += `[${body}]`;
      i = j;
    } else {
      if (c === '(') depth++;
      if (c === ')' && --depth < 0) return { ok: false, error: REG_ERRORS.EPAREN };
      out += c;
    }
  }
  if (depth !== 0) return { ok: false, error: REG_ERRORS.EPAREN };
  try {
    return { ok: true, regex: new RegExp(out, flags) };
  } catch (e) {
    const msg = e instanceof Error ? e.message : '';
    if (/nothing to repeat/i.test(msg)) return { ok: false, error: REG_ERRORS.BADRPT };
    if (/range out of order/i.test(msg)) return { ok: false, error: REG_ERRORS.ERANGE };
    if (/incomplete quantifier|numbers out of order/i.test(msg)) return { ok: false, error: REG_ERRORS.EBRACE };
    return { ok: false, error: REG_ERRORS.BADPAT };
  }
}
