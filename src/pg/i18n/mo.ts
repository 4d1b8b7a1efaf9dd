// GNU gettext message catalogs (.mo files) read from bytes: the header (charset, Plural-Forms),
// singular and plural entries, msgctxt (stored as "context\x04msgid"), either byte order.
// What PostgreSQL installs under /usr/share/locale/<lang>/LC_MESSAGES/ is read with this;
// the file itself is fetched by an adapter (catalogs-node.ts). Revision 1's system-dependent
// strings (<PRIu64> and the like) are not read: PostgreSQL's catalogs have none.

export class MoError extends Error {
  constructor(
    message: string,
    /** byte offset in the file where the problem is */
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'MoError';
  }
}

export interface MoCatalog {
  /** the header's charset (Content-Type), as written there */
  charset: string;
  /** nplurals of Plural-Forms (2 when the header has none: English rules) */
  nplurals: number;
  /** which plural form n takes */
  pluralIndex(n: number): number;
  /** the raw header (the msgstr of the empty msgid) */
  header: string;
  /** gettext / pgettext: the translation, undefined when the catalog has none */
  get(msgid: string, context?: string): string | undefined;
  /** ngettext / npgettext: the translated form for n, undefined when the catalog has none */
  getPlural(msgid: string, msgidPlural: string, n: number, context?: string): string | undefined;
  /** number of entries, header included */
  size: number;
}

const MAGIC = 0x950412de;
const CONTEXT_SEP = '\x04';

/** Parse a .mo file. Throws MoError on a truncated or malformed file. */
export function parseMo(bytes: Uint8Array): MoCatalog {
  if (bytes.length < 28) throw new MoError('not a .mo file: shorter than its 28-byte header', 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let little: boolean;
  if (view.getUint32(0, true) === MAGIC) little = true;
  else if (view.getUint32(0, false) === MAGIC) little = false;
  else throw new MoError('not a .mo file: bad magic number', 0);
  const u32 = (off: number): number => {
    if (off + 4 > bytes.length) throw new MoError('truncated .mo file', off);
    return view.getUint32(off, little);
  };
  const revision = u32(4);
  if (revision >>> 16 > 1) throw new MoError(`unsupported .mo major revision ${revision >>> 16}`, 4);
  const count = u32(8);
  const origTable = u32(12);
  const transTable = u32(16);
  const raw = (table: number, i: number): Uint8Array => {
    const at = table + i * 8;
    const len = u32(at);
    const off = u32(at + 4);
    if (off + len > bytes.length) throw new MoError(`string ${i} runs past the end of the file`, at);
    return bytes.subarray(off, off + len);
  };
  // the header is the translation of "" and says how to decode the rest
  const headerBytes = count > 0 && raw(origTable, 0).length === 0 ? raw(transTable, 0) : new Uint8Array(0);
  const header = new TextDecoder('latin1').decode(headerBytes);
  const charset = /charset=([^\s;]+)/i.exec(header)?.[1] ?? 'ASCII';
  let decoder: { decode(b: Uint8Array): string };
  try {
    decoder = new TextDecoder(/^(ascii|ansi_x3\.4-1968|charset)$/i.test(charset) ? 'utf-8' : charset);
  } catch {
    throw new MoError(`unknown charset "${charset}" in the .mo header`, 0);
  }
  const pluralLine = /Plural-Forms:\s*([^\n]*)/i.exec(decoder.decode(headerBytes))?.[1];
  const plural = pluralLine ? parsePluralForms(pluralLine) : { nplurals: 2, index: (n: number) => (n !== 1 ? 1 : 0) };
  const entries = new Map<string, string[]>();
  for (let i = 0; i < count; i++) {
    const id = decoder.decode(raw(origTable, i));
    // "singular\0plural": keyed by the singular, as gettext looks entries up
    const key = id.split('\0')[0];
    entries.set(key, decoder.decode(raw(transTable, i)).split('\0'));
  }
  const keyOf = (msgid: string, context?: string) => (context === undefined ? msgid : `${context}${CONTEXT_SEP}${msgid}`);
  return {
    charset,
    nplurals: plural.nplurals,
    pluralIndex: plural.index,
    header: decoder.decode(headerBytes),
    size: count,
    get(msgid, context) {
      if (msgid === '') return undefined;
      return entries.get(keyOf(msgid, context))?.[0];
    },
    getPlural(msgid, _msgidPlural, n, context) {
      const forms = entries.get(keyOf(msgid, context));
      if (!forms) return undefined;
      const i = plural.index(n);
      return forms[i] ?? forms[0];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Plural-Forms: "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : ...);" — a C expression in n.

type Expr = (n: number) => number;

/** Parse a Plural-Forms header value. Throws MoError when it is not a valid expression. */
function parsePluralForms(value: string): { nplurals: number; index: (n: number) => number } {
  const np = /nplurals\s*=\s*(\d+)/.exec(value);
  const pl = /plural\s*=\s*([^;]*)/.exec(value);
  if (!np || !pl) throw new MoError(`bad Plural-Forms "${value}"`, 0);
  const nplurals = Number(np[1]);
  const expr = parsePluralExpr(pl[1]);
  return {
    nplurals,
    // gettext: an index out of range means form 0
    index: (n: number) => {
      const i = expr(n);
      return i >= 0 && i < nplurals ? i : 0;
    },
  };
}

/** binary operators by precedence, loosest first */
const BINARY: string[][] = [['||'], ['&&'], ['==', '!='], ['<=', '>=', '<', '>'], ['+', '-'], ['*', '/', '%']];
const OPS: Record<string, (a: number, b: number) => number> = {
  '||': (a, b) => (a || b ? 1 : 0),
  '&&': (a, b) => (a && b ? 1 : 0),
  '==': (a, b) => (a === b ? 1 : 0),
  '!=': (a, b) => (a !== b ? 1 : 0),
  '<': (a, b) => (a < b ? 1 : 0),
  '>': (a, b) => (a > b ? 1 : 0),
  '<=': (a, b) => (a <= b ? 1 : 0),
  '>=': (a, b) => (a >= b ? 1 : 0),
  '+': (a, b) => (a + b) >>> 0,
  '-': (a, b) => (a - b) >>> 0,
  '*': (a, b) => Math.imul(a, b) >>> 0,
  // gettext's evaluator returns 0 for a division by zero rather than trapping
  '/': (a, b) => (b === 0 ? 0 : Math.floor(a / b)),
  '%': (a, b) => (b === 0 ? 0 : a % b),
};

/** The plural expression as a function of n (unsigned long arithmetic, as gettext's plural.y). */
export function parsePluralExpr(src: string): Expr {
  const tokens = src.match(/\s*(\d+|n|\|\||&&|==|!=|<=|>=|[<>+\-*/%!?:()])\s*/g)?.map((t) => t.trim()) ?? [];
  if (tokens.join('') !== src.replace(/\s+/g, '')) throw new MoError(`bad plural expression "${src}"`, 0);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (): never => {
    throw new MoError(`bad plural expression "${src}" near token ${pos + 1}`, 0);
  };
  const ternary = (): Expr => {
    const cond = binary(0);
    if (peek() !== '?') return cond;
    pos++;
    const a = ternary();
    if (tokens[pos++] !== ':') fail();
    const b = ternary();
    return (n) => (cond(n) ? a(n) : b(n));
  };
  const binary = (level: number): Expr => {
    if (level === BINARY.length) return unary();
    let left = binary(level + 1);
    while (BINARY[level].includes(peek())) {
      const op = OPS[tokens[pos++]];
      const l = left;
      const r = binary(level + 1);
      left = (n) => op(l(n), r(n));
    }
    return left;
  };
  const unary = (): Expr => {
    const t = tokens[pos++];
    if (t === '!') {
      const e = unary();
      return (n) => (e(n) ? 0 : 1);
    }
    if (t === '(') {
      const e = ternary();
      if (tokens[pos++] !== ')') fail();
      return e;
    }
    if (t === 'n') return (n) => n >>> 0;
    if (t !== undefined && /^\d+$/.test(t)) {
      const v = Number(t);
      return () => v;
    }
    return fail();
  };
  const e = ternary();
  if (pos !== tokens.length) fail();
  return e;
}
