// IP addresses as text, one implementation for every layer: the parsers and printers of the
// real programs pgtls predicts. Each caller names the rules of the program it stands for
// (IP_TEXT below), instead of keeping its own parser:
//
// - libpqHost: libpq's host-name check (fe-secure-common.c
//   pq_verify_peer_name_matches_certificate_ip and is_ip_address, PostgreSQL 15+): glibc
//   inet_aton for IPv4 (so "127.1" and "0x7f.0.0.1" are 127.0.0.1, and text after a
//   whitespace character is ignored), else inet_pton(AF_INET6).
// - getaddrinfoNumeric: getaddrinfo(AI_NUMERICHOST), what the PostgreSQL server uses
//   for pg_hba.conf addresses and libpq for hostaddr: glibc's __inet_aton_exact (inet_aton's
//   forms, nothing after them), else inet_pton(AF_INET6) with an optional "%scope" (a decimal
//   number up to 2^32-1; glibc also takes interface names for link-local addresses, which
//   would need the machine's interface list, so those are not recognised here).
// - inetPton: inet_pton, AF_INET (four decimal parts, no leading zeros) then AF_INET6.
// - openssl: OpenSSL's ossl_a2i_ipadd (crypto/x509/v3_utl.c), used for `IP:` values in
//   configurations (a2i_IPADDRESS) and X509_VERIFY_PARAM_set1_ip_asc: a ':' makes it IPv6
//   (ipv6_from_asc: CONF_parse_list on ':', "::" as one to three empty elements, a final
//   dotted quad), else sscanf("%d.%d.%d.%d") followed by the end or a whitespace character
//   (so "01.2.3.4", "+1.2.3.4" and "1.2.3.4 x" are 1.2.3.4).
//
// Printing: 'inet_ntop' is glibc inet_ntop / getnameinfo(NI_NUMERICHOST), and also what
// PostgreSQL's pg_inet_net_ntop prints for a full-length address (libpq names certificate IPs
// with it): lower-case hex, the first longest run of two or more zero groups as "::",
// ::a.b.c.d and ::ffff:a.b.c.d for compatible and mapped IPv4. 'openssl' is OpenSSL 3.0's
// ossl_ipaddress_to_asc (`openssl x509 -text`): dotted IPv4, all eight IPv6 groups in upper-case
// hex without compression, `<invalid length=N>` for other lengths.
//
// Checked against glibc 2.36 (through Python's socket module), libuv's inet_pton (Node's
// net.SocketAddress) and openssl 3.0 in test/x509/ip-address.test.ts.

export interface IpAddress {
  family: 4 | 6;
  /** network order: 4 or 16 octets */
  bytes: Uint8Array;
  /** the "%scope" of an IPv6 address, where the rules allow one and the text has one */
  scopeId?: number;
}

/** Which program's text rules to follow (see the rule sets at the top). */
export interface IpTextRules {
  /** 'inet_aton': 1 to 4 parts, strtoul base 0; 'inet_pton': four decimal parts; 'openssl': sscanf %d */
  ipv4: 'inet_aton' | 'inet_pton' | 'openssl';
  /** inet_aton only: 'whitespace' ignores text after a whitespace character (inet_aton), 'none' is __inet_aton_exact */
  ipv4Trailing?: 'whitespace' | 'none';
  ipv6: 'inet_pton' | 'openssl';
  /** accept a numeric "%scope" after an IPv6 address (getaddrinfo) */
  scopeId?: boolean;
}

/** The rule sets of the programs pgtls stands for (see the top of the file). */
export const IP_TEXT = {
  libpqHost: { ipv4: 'inet_aton', ipv4Trailing: 'whitespace', ipv6: 'inet_pton' },
  getaddrinfoNumeric: { ipv4: 'inet_aton', ipv4Trailing: 'none', ipv6: 'inet_pton', scopeId: true },
  inetPton: { ipv4: 'inet_pton', ipv6: 'inet_pton' },
  openssl: { ipv4: 'openssl', ipv6: 'openssl' },
} as const satisfies Record<string, IpTextRules>;

/** The address `text` spells under `rules`, or undefined when the program would refuse it. */
export function parseIpAddress(text: string, rules: IpTextRules): IpAddress | undefined {
  if (rules.ipv6 === 'openssl') {
    // ossl_a2i_ipadd decides the family by the presence of a ':'
    if (text.includes(':')) {
      const b = opensslIpv6(text);
      return b && { family: 6, bytes: b };
    }
    const b = opensslIpv4(text);
    return b && { family: 4, bytes: b };
  }
  const v4 =
    rules.ipv4 === 'inet_aton'
      ? inetAton(text, rules.ipv4Trailing ?? 'whitespace')
      : rules.ipv4 === 'inet_pton'
        ? inetPton4(text)
        : opensslIpv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const pct = rules.scopeId ? text.indexOf('%') : -1;
  const v6 = inetPton6(pct >= 0 ? text.slice(0, pct) : text);
  if (!v6) return undefined;
  if (pct < 0) return { family: 6, bytes: v6 };
  // __inet6_scopeid_pton: a leading digit, strtoull base 10 over the rest, at most UINT32_MAX
  const scope = text.slice(pct + 1);
  if (!/^[0-9]+$/.test(scope) || Number(scope) > 0xffffffff) return undefined;
  return { family: 6, bytes: v6, scopeId: Number(scope) };
}

// ---------------------------------------------------------------------------------------
// glibc (resolv/inet_addr.c, resolv/inet_pton.c)

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isHexDigit = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);
/** isspace() in the C locale */
const isSpace = (c: string | undefined): boolean => c !== undefined && ' \t\n\v\f\r'.includes(c);

/** strtoul(s + i, &end, 0) for a part that starts with a digit: its value (capped above 2^32) and where it ends. */
function strtoulBase0(s: string, i: number): { value: number; end: number } {
  let base = 10;
  let j = i;
  if (s[j] === '0' && (s[j + 1] === 'x' || s[j + 1] === 'X') && isHexDigit(s[j + 2])) {
    base = 16;
    j += 2;
  } else if (s[j] === '0') base = 8;
  let value = 0;
  for (; j < s.length; j++) {
    const d = parseInt(s[j], 16);
    if (Number.isNaN(d) || d >= base) break;
    // any value over 0xffffffff is refused, so stop growing once past it
    if (value <= 0xffffffff) value = value * base + d;
  }
  return { value, end: j };
}

/** Largest value of the last part, by the number of parts before it ("a.b" leaves 24 bits for b). */
const ATON_LAST_MAX = [0xffffffff, 0xffffff, 0xffff, 0xff];

/** glibc inet_aton ('whitespace') or __inet_aton_exact ('none'). */
function inetAton(s: string, trailing: 'whitespace' | 'none'): Uint8Array | undefined {
  const parts: number[] = [];
  let i = 0;
  let value: number;
  for (;;) {
    if (!isDigit(s[i])) return undefined;
    const r = strtoulBase0(s, i);
    if (r.value > 0xffffffff) return undefined;
    value = r.value;
    i = r.end;
    if (s[i] !== '.') break;
    if (parts.length > 2 || value > 0xff) return undefined;
    parts.push(value);
    i++;
  }
  if (i < s.length && (trailing === 'none' || !isSpace(s[i]))) return undefined;
  if (value > ATON_LAST_MAX[parts.length]) return undefined;
  const out = new Uint8Array(4);
  out.set(parts);
  for (let k = 3; k >= parts.length; k--) {
    out[k] = value % 256;
    value = Math.floor(value / 256);
  }
  return out;
}

/** inet_pton(AF_INET): exactly four decimal parts of at most 255, no leading zeros. */
function inetPton4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return Uint8Array.from(parts, Number);
}

/** inet_pton(AF_INET6), glibc's inet_pton6 step by step. */
function inetPton6(s: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  let tp = 0;
  let colonp = -1;
  let i = 0;
  if (s.length === 0) return undefined;
  // a leading ':' must be "::"
  if (s[0] === ':') {
    if (s[1] !== ':') return undefined;
    i = 1;
  }
  let curtok = i;
  let digits = 0;
  let val = 0;
  while (i < s.length) {
    const ch = s[i++];
    if (isHexDigit(ch)) {
      if (digits === 4) return undefined;
      val = (val << 4) | parseInt(ch, 16);
      digits++;
      continue;
    }
    if (ch === ':') {
      curtok = i;
      if (digits === 0) {
        if (colonp >= 0) return undefined;
        colonp = tp;
        continue;
      }
      if (i === s.length || tp + 2 > 16) return undefined;
      out[tp++] = val >> 8;
      out[tp++] = val & 0xff;
      digits = 0;
      val = 0;
      continue;
    }
    if (ch === '.' && tp + 4 <= 16) {
      const v4 = inetPton4(s.slice(curtok));
      if (!v4) return undefined;
      out.set(v4, tp);
      tp += 4;
      digits = 0;
      break;
    }
    return undefined;
  }
  if (digits > 0) {
    if (tp + 2 > 16) return undefined;
    out[tp++] = val >> 8;
    out[tp++] = val & 0xff;
  }
  if (colonp >= 0) {
    // "::" must stand for at least one group
    if (tp === 16) return undefined;
    const tail = out.slice(colonp, tp);
    out.fill(0, colonp);
    out.set(tail, 16 - tail.length);
    tp = 16;
  }
  return tp === 16 ? out : undefined;
}

// ---------------------------------------------------------------------------------------
// OpenSSL (crypto/x509/v3_utl.c ipv4_from_asc, ipv6_from_asc, ipv6_cb, ipv6_hex)

const INT64_MAX = (1n << 63n) - 1n;

/** One sscanf %d: leading whitespace, a sign, digits; strtol's saturation to a 64-bit long, then the int conversion. */
function scanInt(s: string, i: number): { value: number; end: number } | undefined {
  while (isSpace(s[i])) i++;
  const negative = s[i] === '-';
  if (s[i] === '+' || s[i] === '-') i++;
  const start = i;
  while (isDigit(s[i])) i++;
  if (i === start) return undefined;
  let v = BigInt(s.slice(start, i));
  if (v > INT64_MAX) v = negative ? INT64_MAX + 1n : INT64_MAX;
  if (negative) v = -v;
  return { value: Number(BigInt.asIntN(32, v)), end: i };
}

/** ipv4_from_asc: sscanf("%d.%d.%d.%d%n"), each 0..255, then the end or a whitespace character. */
function opensslIpv4(s: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let i = 0;
  for (let k = 0; k < 4; k++) {
    if (k > 0) {
      if (s[i] !== '.') return undefined;
      i++;
    }
    const r = scanInt(s, i);
    if (!r || r.value < 0 || r.value > 255) return undefined;
    out[k] = r.value;
    i = r.end;
  }
  return i === s.length || isSpace(s[i]) ? out : undefined;
}

/** ipv6_from_asc: the elements between ':' (empty ones are the "::"), then its sanity checks. */
function opensslIpv6(s: string): Uint8Array | undefined {
  const tmp = new Uint8Array(16);
  let total = 0;
  let zeroPos = -1;
  let zeroCnt = 0;
  const elems = s.split(':');
  for (let k = 0; k < elems.length; k++) {
    const e = elems[k];
    if (total === 16) return undefined;
    if (e === '') {
      if (zeroPos === -1) zeroPos = total;
      else if (zeroPos !== total) return undefined;
      zeroCnt++;
    } else if (e.length > 4) {
      // a final dotted quad
      if (total > 12 || k !== elems.length - 1) return undefined;
      const v4 = opensslIpv4(e);
      if (!v4) return undefined;
      tmp.set(v4, total);
      total += 4;
    } else {
      if (![...e].every(isHexDigit)) return undefined;
      const n = parseInt(e, 16);
      tmp[total++] = n >> 8;
      tmp[total++] = n & 0xff;
    }
  }
  if (zeroPos === -1) return total === 16 ? tmp : undefined;
  if (total === 16 || zeroCnt > 3) return undefined;
  // three empty elements only for "::" alone; two only at the start or the end; one only inside
  if (zeroCnt === 3 && total > 0) return undefined;
  if (zeroCnt === 2 && zeroPos !== 0 && zeroPos !== total) return undefined;
  if (zeroCnt === 1 && (zeroPos === 0 || zeroPos === total)) return undefined;
  const out = new Uint8Array(16);
  out.set(tmp.subarray(0, zeroPos));
  out.set(tmp.subarray(zeroPos, total), zeroPos + 16 - total);
  return out;
}

// ---------------------------------------------------------------------------------------
// Printing

/** An address's text: glibc inet_ntop (= PostgreSQL's pg_inet_net_ntop at full length) or OpenSSL's ossl_ipaddress_to_asc. */
export function formatIpAddress(bytes: Uint8Array, style: 'inet_ntop' | 'openssl'): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (bytes.length !== 16) {
    if (style === 'openssl') return `<invalid length=${bytes.length}>`;
    throw new RangeError(`an IP address has 4 or 16 octets, not ${bytes.length}`);
  }
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((bytes[i] << 8) | bytes[i + 1]);
  if (style === 'openssl') return w.map((x) => x.toString(16).toUpperCase()).join(':');
  // the first longest run of zero groups, if two or more long
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) best = -1;
  if (best === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
    return `::${bestLen === 5 ? 'ffff:' : ''}${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(w) : `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}
