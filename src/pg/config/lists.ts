// PostgreSQL's comma-separated setting lists (varlena.c): SplitGUCList (names end at blanks,
// "" inside quotes is one quote, an empty quoted name is an error) and
// SplitDirectoriesString (an unquoted name runs to the comma, blanks inside it kept and
// trailing ones trimmed; an empty quoted name is allowed). One tokenizer, the two rules as
// options; undefined on a syntax error, as the server's functions return false.

interface ListRules {
  /** an unquoted name may hold blanks (it ends at the separator only) */
  blanksInNames: boolean;
  /** "" is a name */
  emptyQuoted: boolean;
}

const isSpace = (c: string | undefined) => c !== undefined && /[ \t\n\r\f\v]/.test(c);

function splitList(s: string, rules: ListRules): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (isSpace(s[i])) i++;
  if (i >= s.length) return out;
  for (;;) {
    let name = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        const j = s.indexOf('"', i);
        if (j < 0) return undefined;
        name += s.slice(i, j);
        i = j + 1;
        if (s[i] !== '"') break;
        name += '"';
        i++;
      }
      if (name === '' && !rules.emptyQuoted) return undefined;
    } else {
      const start = i;
      let end = i;
      while (i < s.length && s[i] !== ',' && (rules.blanksInNames || !isSpace(s[i]))) {
        if (!isSpace(s[i])) end = i + 1;
        i++;
      }
      if (end === start) return undefined;
      name = s.slice(start, end);
    }
    while (isSpace(s[i])) i++;
    out.push(name);
    if (s[i] === ',') {
      i++;
      while (isSpace(s[i])) i++;
      continue;
    }
    if (i >= s.length) return out;
    return undefined;
  }
}

/** SplitGUCList */
export const splitGucList = (s: string): string[] | undefined => splitList(s, { blanksInNames: false, emptyQuoted: false });

/** SplitDirectoriesString, before canonicalize_path */
export const splitDirectoryList = (s: string): string[] | undefined => splitList(s, { blanksInNames: true, emptyQuoted: true });
