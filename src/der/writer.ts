// A minimal DER writer for the few structures the lower layers have to produce themselves
// (SubjectPublicKeyInfo from a key, canonical name encodings). Elements are built bottom-up
// as byte arrays; nothing here validates beyond producing correct lengths. The factory layer
// has its own richer encoder for whole certificates.

/** One element: identifier byte, definite minimal length, contents. */
export function derTlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const c of contents) len += c.length;
  let hl = 2;
  if (len >= 0x80) for (let l = len; l > 0; l = Math.floor(l / 256)) hl++;
  const out = new Uint8Array(hl + len);
  out[0] = tag;
  if (len < 0x80) out[1] = len;
  else {
    const n = hl - 2;
    out[1] = 0x80 | n;
    for (let i = 0, l = len; i < n; i++, l = Math.floor(l / 256)) out[hl - 1 - i] = l & 0xff;
  }
  let o = hl;
  for (const c of contents) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export const derSequence = (...items: Uint8Array[]): Uint8Array => derTlv(0x30, ...items);

/** Non-negative INTEGER from a bigint (minimal two's complement). */
export function derUnsignedInteger(v: bigint): Uint8Array {
  if (v < 0n) throw new RangeError('derUnsignedInteger: negative value');
  let h = v.toString(16);
  if (h.length % 2) h = `0${h}`;
  if (parseInt(h.slice(0, 2), 16) & 0x80) h = `00${h}`;
  const b = new Uint8Array(h.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return derTlv(0x02, b);
}

/** Small INTEGER (versions, salt lengths). */
export const derSmallInteger = (n: number): Uint8Array => derUnsignedInteger(BigInt(n));

/** OBJECT IDENTIFIER from dotted decimal. */
export function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((x) => BigInt(x));
  if (arcs.length < 2) throw new RangeError(`derOid: ${dotted} has fewer than two arcs`);
  const body: number[] = [];
  const push = (v: bigint) => {
    const septets: number[] = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) septets.unshift(Number(v & 0x7fn) | 0x80);
    body.push(...septets);
  };
  push(arcs[0] * 40n + arcs[1]);
  for (let i = 2; i < arcs.length; i++) push(arcs[i]);
  return derTlv(0x06, Uint8Array.from(body));
}

/** BIT STRING with no unused bits. */
export const derBitString = (bytes: Uint8Array): Uint8Array => derTlv(0x03, Uint8Array.of(0), bytes);

export const derOctetString = (bytes: Uint8Array): Uint8Array => derTlv(0x04, bytes);

export const DER_NULL: Uint8Array = Uint8Array.of(0x05, 0x00);
