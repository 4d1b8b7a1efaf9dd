// Hostile DER for the CLI's bad-input tests: one element nested in the next, thousands deep.

/** `n` elements with this tag, each the only content of the one around it (built in O(n)). */
export const deep = (n: number, tag = 0x30) => {
  const lenOctets = (l: number) =>
    l < 0x80 ? [l] : l < 0x100 ? [0x81, l] : l < 0x10000 ? [0x82, l >> 8, l & 0xff] : [0x83, l >> 16, (l >> 8) & 0xff, l & 0xff];
  const headers: number[][] = [];
  let size = 0;
  for (let i = 0; i < n; i++) {
    const h = [tag, ...lenOctets(size)];
    headers.push(h);
    size += h.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (let i = n - 1; i >= 0; i--) {
    out.set(headers[i], at);
    at += headers[i].length;
  }
  return out;
};
