// Byte helpers shared by every layer (hex, concatenation, comparison, bit lengths). Kept here, at the
// bottom of the stack, so there is one of each.

// Table-driven: hex conversion carries every BigInt in and out of the RSA and curve code and
// every cache key, so it sits on the hot path of a handshake.
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

export function toHex(b: Uint8Array, sep = ''): string {
  let s = '';
  if (!sep) {
    for (let i = 0; i < b.length; i++) s += HEX_BYTE[b[i]];
    return s;
  }
  for (let i = 0; i < b.length; i++) s += (i ? sep : '') + HEX_BYTE[b[i]];
  return s;
}

/** Hex digits to bytes; whitespace and colons between them are ignored. */
export function fromHex(h: string): Uint8Array {
  const clean = /[\s:]/.test(h) ? h.replace(/[\s:]/g, '') : h;
  const bad = () => new TypeError(`not a hex string: ${h.slice(0, 40)}`);
  if (clean.length % 2 !== 0) throw bad();
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    const c1 = clean.charCodeAt(2 * i);
    const c2 = clean.charCodeAt(2 * i + 1);
    const hi = c1 < 128 ? HEX_VALUE[c1] : -1;
    const lo = c2 < 128 ? HEX_VALUE[c2] : -1;
    if (hi < 0 || lo < 0) throw bad();
    out[i] = (hi << 4) | lo;
  }
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic comparison (shorter first on a common prefix). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Significant bits of |x| (BN_num_bits): 0 for 0. Through hex: a few times faster than toString(2) on RSA moduli. */
export function bitLength(x: bigint): number {
  if (x < 0n) x = -x;
  if (x === 0n) return 0;
  const h = x.toString(16);
  return (h.length - 1) * 4 + (32 - Math.clz32(parseInt(h[0], 16)));
}

/** Significant bits of an unsigned big-endian integer's octets. */
export function bitLengthOfBytes(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]));
}

export const utf8Encode = (s: string): Uint8Array => new TextEncoder().encode(s);
export const utf8Decode = (b: Uint8Array): string => new TextDecoder().decode(b);
