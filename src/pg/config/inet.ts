// IP addresses the way PostgreSQL sees them through glibc: getaddrinfo(AI_NUMERICHOST) to
// read them (inet_aton's forms for IPv4: 1.2.3, 0x7f.1, 010.0.0.1 is octal; inet_pton's for
// IPv6, with a numeric %scope), getnameinfo(NI_NUMERICHOST) to print them, and
// pg_sockaddr_cidr_mask and pg_range_sockaddr to build and apply masks. The address text
// itself is src/x509/ip-address.ts's; this file names PostgreSQL's uses of it.

import { IP_TEXT, formatIpAddress, parseIpAddress } from '../../x509/ip-address.js';

export interface IpAddr {
  family: 4 | 6;
  bytes: Uint8Array;
}

/** inet_pton(AF_INET): exactly four decimal parts, no leading zeros (hosts files). */
export function inetPton4(s: string): Uint8Array | undefined {
  const a = parseIpAddress(s, IP_TEXT.inetPton);
  return a?.family === 4 ? a.bytes : undefined;
}

/** inet_pton(AF_INET6). */
export function inetPton6(s: string): Uint8Array | undefined {
  const a = parseIpAddress(s, IP_TEXT.inetPton);
  return a?.family === 6 ? a.bytes : undefined;
}

/**
 * getaddrinfo with AI_NUMERICHOST: the address, or undefined where glibc says EAI_NONAME
 * (PostgreSQL then takes the token as a host name). The %scope of an IPv6 address is read
 * and dropped: pg_range_sockaddr compares the address octets only.
 */
export function parseNumericHost(s: string): IpAddr | undefined {
  const a = parseIpAddress(s, IP_TEXT.getaddrinfoNumeric);
  return a && { family: a.family, bytes: a.bytes };
}

/** getnameinfo(NI_NUMERICHOST), i.e. glibc inet_ntop. */
export const formatIp = (a: IpAddr): string => formatIpAddress(a.bytes, 'inet_ntop');

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
