// Test helper: re-encode a DER structure with chosen BER forms at chosen places (the forms
// OpenSSL's d2i reads: high-tag-number identifiers, long and zero-padded lengths, indefinite
// lengths, primitive SEQUENCE/SET, segmented strings, other content), then re-sign the TBS
// part. Independent of src/der on purpose: the reader under test must not build its own input.

export interface BerForm {
  /** high-tag-number identifier form; 2 adds a leading 0x80 septet */
  hi?: 1 | 2;
  /** long-form length ('long'), with one or two leading zero octets ('pad', 'pad2') */
  len?: 'long' | 'pad' | 'pad2';
  /** indefinite length, closed by 00 00 */
  indef?: boolean;
  /** clear the constructed bit */
  prim?: boolean;
  /** constructed form: the contents cut in two OCTET STRING segments (segtag: another segment tag) */
  seg?: boolean;
  segtag?: number;
  /** replace the contents of a primitive element */
  content?: number[];
}

export interface Node {
  tag: number;
  content: Uint8Array;
  children?: Node[];
  /** the element inside an OCTET STRING (extnValue), re-encoded with its own forms */
  inner?: Node;
  form?: BerForm;
}

export function parseTree(buf: Uint8Array, pos = 0, end = buf.length): Node[] {
  const out: Node[] = [];
  while (pos < end) {
    const tag = buf[pos++];
    let len = buf[pos++];
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[pos++];
    }
    const node: Node = { tag, content: buf.slice(pos, pos + len) };
    if (tag & 0x20) node.children = parseTree(buf, pos, pos + len);
    out.push(node);
    pos += len;
  }
  return out;
}

function lengthOctets(n: number, how?: BerForm['len']): number[] {
  const b: number[] = [];
  let v = n;
  do {
    b.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (how === 'long') return [0x80 | b.length, ...b];
  if (how === 'pad') return [0x80 | (b.length + 1), 0, ...b];
  if (how === 'pad2') return [0x80 | (b.length + 2), 0, 0, ...b];
  return n < 128 ? [n] : [0x80 | b.length, ...b];
}

const cat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

export function encode(node: Node): Uint8Array {
  const f = node.form ?? {};
  let content = node.children ? cat(node.children.map(encode)) : node.inner ? encode(node.inner) : node.content;
  if (f.content) content = Uint8Array.from(f.content);
  let tag = node.tag;
  if (f.prim) tag &= ~0x20;
  if (f.seg) {
    const cut = Math.max(1, content.length >> 1);
    content = cat(
      [content.subarray(0, cut), content.subarray(cut)].map((c) => Uint8Array.from([f.segtag ?? 0x04, ...lengthOctets(c.length), ...c])),
    );
    tag |= 0x20;
  }
  const id = f.hi ? [(tag & 0xe0) | 0x1f, ...(f.hi === 2 ? [0x80] : []), tag & 0x1f] : [tag];
  if (f.indef) return cat([Uint8Array.from([...id, 0x80]), content, Uint8Array.of(0, 0)]);
  return cat([Uint8Array.from([...id, ...lengthOctets(content.length, f.len)]), content]);
}

/** The node at `path` (child indexes; 'in' enters an OCTET STRING's inner element, parsing it on first use). */
export function at(root: Node, path: readonly (number | 'in')[]): Node {
  let n = root;
  for (const p of path) {
    if (p === 'in') n = n.inner ??= parseTree(n.content)[0];
    else n = n.children![p];
  }
  return n;
}
