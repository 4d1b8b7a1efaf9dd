// IP addresses the way PostgreSQL sees them through glibc: getaddrinfo(AI_NUMERICHOST)
// accepts inet_aton's forms for IPv4 (1.2.3, 0x7f.1, 010.0.0.1 is octal) and inet_pton's
// for IPv6 (with a trailing dotted quad); getnameinfo(NI_NUMERICHOST) prints them back
// (lower-case hex, longest run of two or more zero groups as "::", ::ffff:a.b.c.d for mapped
// v4). pg_sockaddr_cidr_mask and pg_range_sockaddr build and apply masks.

export interface IpAddr {
  family: 4 | 6;
  bytes: Uint8Array;
}

/** strtoul(s, base 0) for one inet_aton part: 0x hex, leading 0 octal, else decimal. */
function atonPart(p: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]*$/.test(p)) return p.length === 2 ? 0 : parseInt(p.slice(2), 16);
  if (/^0[0-7]*$/.test(p)) return parseInt(p, 8);
  if (/^[1-9][0-9]*$/.test(p)) return parseInt(p, 10);
  return undefined;
}

/** inet_aton, exact (no trailing text): 1 to 4 parts, the last filling the remaining bytes. */
export function inetAton(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    const n = atonPart(p);
    if (n === undefined) return undefined;
    nums.push(n);
  }
  const last = nums.pop() as number;
  const lastBytes = 4 - nums.length;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * lastBytes)) return undefined;
  const out = new Uint8Array(4);
  nums.forEach((n, i) => {
    out[i] = n;
  });
  for (let i = 0; i < lastBytes; i++) out[3 - i] = Math.floor(last / 2 ** (8 * i)) & 0xff;
  return out;
}

/** inet_pton(AF_INET): exactly four decimal parts, no leading zeros. */
export function inetPton4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(parts[i]) || Number(parts[i]) > 255) return undefined;
    out[i] = Number(parts[i]);
  }
  return out;
}

/** inet_pton(AF_INET6). */
export function inetPton6(s: string): Uint8Array | undefined {
  if (s === '' || /[^0-9a-fA-F:.]/.test(s)) return undefined;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return undefined;
  const parse = (part: string, allowV4: boolean): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const words: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (allowV4 && i === groups.length - 1 && g.includes('.')) {
        const v4 = inetPton4(g);
        if (!v4) return undefined;
        words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        words.push(parseInt(g, 16));
      }
    }
    return words;
  };
  let words: number[];
  if (dbl >= 0) {
    const head = parse(s.slice(0, dbl), false);
    const tail = parse(s.slice(dbl + 2), true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    words = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parse(s, true);
    if (all?.length !== 8) return undefined;
    words = all;
  }
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/**
 * getaddrinfo with AI_NUMERICHOST: the address, or undefined where glibc says EAI_NONAME
 * (PostgreSQL then takes the token as a host name). A "%scope" suffix is accepted when
 * numeric (interface names would need the machine's interface list).
 */
export function parseNumericHost(s: string): IpAddr | undefined {
  const v4 = inetAton(s);
  if (v4) return { family: 4, bytes: v4 };
  const pct = s.indexOf('%');
  const base = pct >= 0 ? s.slice(0, pct) : s;
  if (pct >= 0 && !/^[0-9]+$/.test(s.slice(pct + 1))) return undefined;
  const v6 = inetPton6(base);
  return v6 ? { family: 6, bytes: v6 } : undefined;
}

/** getnameinfo(NI_NUMERICHOST), i.e. glibc inet_ntop. */
export function formatIp(a: IpAddr): string {
  const b = a.bytes;
  if (a.family === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[2 * i] << 8) | b[2 * i + 1]);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  if (bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
    return `::${bestLen === 5 ? 'ffff:' : ''}${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += '::';
      continue;
    }
    if (out && !out.endsWith(':')) out += ':';
    out += w[i].toString(16);
  }
  return out;
}

/** pg_sockaddr_cidr_mask: a mask of `bits` (strtol, whole string) ones, or undefined. */
export function cidrMask(bits: string | undefined, family: 4 | 6): IpAddr | undefined {
  const max = family === 4 ? 32 : 128;
  let n = max;
  if (bits !== undefined) {
    if (!/^[ \t\n\v\f\r]*[+-]?[0-9]+$/.test(bits)) return undefined;
    n = Number(bits.trim());
    if (!Number.isFinite(n) || n < 0 || n > max) return undefined;
  }
  const out = new Uint8Array(max / 8);
  for (let i = 0; i < out.length; i++) {
    const take = Math.max(0, Math.min(8, n - 8 * i));
    out[i] = take === 0 ? 0 : (0xff << (8 - take)) & 0xff;
  }
  return { family, bytes: out };
}

/** pg_range_sockaddr for check_ip: same family and equal under the mask. */
export function ipInRange(addr: IpAddr, net: IpAddr, mask: IpAddr): boolean {
  if (addr.family !== net.family || mask.bytes.length !== addr.bytes.length) return false;
  for (let i = 0; i < addr.bytes.length; i++) {
    if ((addr.bytes[i] ^ net.bytes[i]) & mask.bytes[i]) return false;
  }
  return true;
}
