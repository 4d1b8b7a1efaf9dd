// Thin DER building blocks over asn1js: the factory composes every structure from these so
// that one place decides how a node is turned into bytes, and raw (possibly malformed) bytes
// can be spliced anywhere a node goes. asn1js has no splice node of its own (its RawData is
// dropped inside constructed values), hence RawNode.

import * as asn1js from 'asn1js';

/** Exactly these bytes, wherever a node may appear (used for malformed-on-purpose input). */
export class RawNode {
  constructor(readonly bytes: Uint8Array) {}
  toBER(sizeOnly?: boolean, writer?: { write(buf: ArrayBuffer): void }): ArrayBuffer {
    const copy = this.bytes.slice().buffer as ArrayBuffer;
    if (writer) {
      writer.write(copy);
      return new ArrayBuffer(0);
    }
    return sizeOnly ? new ArrayBuffer(this.bytes.length) : copy;
  }
}

// asn1js types a block by its value-block classes; the factory only walks blocks, so both stay open.
// biome-ignore lint/suspicious/noExplicitAny: asn1js's own generic default
type AnyBlock = asn1js.BaseBlock<any, any>;
export type Node = AnyBlock | RawNode;

const asBlock = (n: Node): AnyBlock => n as AnyBlock;

export function der(n: Node): Uint8Array {
  return new Uint8Array(n.toBER(false));
}

export const raw = (bytes: Uint8Array): Node => new RawNode(bytes);
export const seq = (...value: Node[]): Node => new asn1js.Sequence({ value: value.map(asBlock) });
/**
 * A SEQUENCE of already-encoded elements, laid out in one pass: for lists too long for
 * `seq(...)` (a CRL of 1,000,000 entries: spreading that many arguments overflows the stack,
 * and one asn1js block per element costs far more than the bytes).
 */
export const seqOfEncoded = (items: readonly Uint8Array[]): Node => raw(tlv(0x30, items));
/** One DER element from its identifier octet and its content (the concatenation of `content`). */
export function tlv(tag: number, content: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const c of content) len += c.length;
  const head = [tag, ...lengthOctets(len)];
  const out = new Uint8Array(head.length + len);
  out.set(head, 0);
  let o = head.length;
  for (const c of content) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
/** DER definite length octets (X.690 §8.1.3): short form below 128, else long form. */
function lengthOctets(len: number): number[] {
  if (len < 0x80) return [len];
  const bytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}
/** SET OF sorted by encoding, as DER requires (X.690 §11.6); `sorted: false` keeps the given order. */
export function set(value: Node[], sorted = true): Node {
  if (!sorted) return new asn1js.Set({ value: value.map(asBlock) });
  const enc = value.map((v) => ({ v, d: der(v) }));
  enc.sort((a, b) => {
    const n = Math.min(a.d.length, b.d.length);
    for (let i = 0; i < n; i++) if (a.d[i] !== b.d[i]) return a.d[i] - b.d[i];
    return a.d.length - b.d.length;
  });
  return new asn1js.Set({ value: enc.map((e) => asBlock(raw(e.d))) });
}
export const oid = (dotted: string): Node => new asn1js.ObjectIdentifier({ value: dotted });
export const int = (v: bigint | number): Node => asn1js.Integer.fromBigInt(BigInt(v));
/** An INTEGER whose content octets are exactly `content` (non-minimal, negative, empty: as given). */
export const intRaw = (content: Uint8Array): Node => prim(0x02, content);
export const bool = (v: boolean): Node => new asn1js.Boolean({ value: v });
export const nul = (): Node => new asn1js.Null();
export const octets = (v: Uint8Array): Node => prim(0x04, v);
export const bits = (v: Uint8Array, unusedBits = 0): Node => {
  const c = new Uint8Array(v.length + 1);
  c[0] = unusedBits;
  c.set(v, 1);
  return prim(0x03, c);
};
/** Minimal two's-complement content octets of an integer: its DER INTEGER without the header. */
export function integerContent(v: bigint): Uint8Array {
  // the smallest n with -2^(8n-1) <= v < 2^(8n-1), then v mod 2^(8n) big-endian
  let n = 1;
  while (v >= 1n << BigInt(8 * n - 1) || v < -(1n << BigInt(8 * n - 1))) n++;
  let u = v < 0n ? (1n << BigInt(8 * n)) + v : v;
  const out = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}
export const enumerated = (v: number): Node => {
  const d = der(int(v));
  return prim(0x0a, d.subarray(2));
};

/** A primitive universal element with the given tag number and content octets. */
export function prim(tagNumber: number, content: Uint8Array): Node {
  return new asn1js.Primitive({ idBlock: { tagClass: 1, tagNumber }, valueHex: content.slice() });
}
/** [n] IMPLICIT on a primitive: the content octets under a context tag. */
export function implicitPrim(n: number, content: Uint8Array): Node {
  return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: n }, valueHex: content.slice() });
}
/** [n] constructed: EXPLICIT wrapping of one node, or IMPLICIT SEQUENCE contents. */
export function ctxCons(n: number, ...value: Node[]): Node {
  return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: n }, value: value.map(asBlock) });
}
/** [n] IMPLICIT over a constructed node (SEQUENCE/SET/Name): same contents, context tag. */
export function implicitCons(n: number, node: Node): Node {
  const d = der(node);
  return retag(d, 0xa0 | n);
}
/** [n] IMPLICIT over a primitive node already encoded. */
export function implicitOf(n: number, node: Node): Node {
  return retag(der(node), 0x80 | n);
}
function retag(d: Uint8Array, tagByte: number): Node {
  const out = d.slice();
  out[0] = tagByte;
  return raw(out);
}
