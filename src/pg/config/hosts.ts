// Host-name resolution the way the PostgreSQL server gets it from glibc on a machine whose
// nsswitch.conf says `hosts: files dns`, answered from the hosts file alone (pgtls does no
// DNS): the file's lines (nss_files files-hosts.c: '#' ends a line, whitespace separates
// fields, an address inet_pton does not take makes the line ignored), getnameinfo's reverse
// lookup (the first line holding the address gives its first name, the canonical one) and
// getaddrinfo's forward lookup with no hints (every address of every line naming it,
// canonical or alias, compared case-insensitively). A name or address the file does not
// hold would go to DNS: the answer says so, and takes it as unresolved (EAI_NONAME), which
// is what a machine without DNS (or with a DNS that does not know it) answers.

import type { SimFs } from '../fs.js';
import { formatIp, inetPton4, inetPton6, parseNumericHost, type IpAddr } from './inet.js';

export const DEFAULT_HOSTS_FILE = '/etc/hosts';

export interface HostsEntry {
  lineNum: number;
  /** the address as written and as parsed (a v4-mapped IPv6 address stays IPv6) */
  text: string;
  addr: IpAddr;
  /** the canonical name then the aliases; empty when the line names nothing */
  names: string[];
}

export interface HostsTable {
  file: string;
  /** false when the file does not exist or cannot be read: every lookup then goes to DNS */
  present: boolean;
  entries: HostsEntry[];
}

/** getaddrinfo/getnameinfo error codes, with glibc's gai_strerror text. */
export const GAI_ERRORS = {
  EAI_NONAME: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
  EAI_NODATA: 'No address associated with hostname',
} as const;
export type GaiCode = keyof typeof GAI_ERRORS;

export type ReverseLookup = { ok: true; name: string; source: string } | { ok: false; code: GaiCode; source: string };

export type ForwardLookup = { ok: true; addrs: IpAddr[]; source: string } | { ok: false; code: GaiCode; source: string };

/** What the server's lookups see (the hosts file here; a test can give another). */
export interface NameResolver {
  /** getnameinfo(NI_NAMEREQD): the client's host name */
  reverse(addr: IpAddr): ReverseLookup;
  /** getaddrinfo(name, NULL, NULL): every address of the name, both families */
  forward(name: string): ForwardLookup;
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

/** The hosts file's lines as nss_files reads them; lines it would ignore are left out. */
export function parseHostsFile(content: string | Uint8Array, file = DEFAULT_HOSTS_FILE): HostsTable {
  const text = typeof content === 'string' ? content : new TextDecoder().decode(content);
  const entries: HostsEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const line = hash >= 0 ? raw.slice(0, hash) : raw;
    const fields: string[] = [];
    let cur = '';
    for (const c of line) {
      if (isSpace(c)) {
        if (cur) fields.push(cur);
        cur = '';
      } else cur += c;
    }
    if (cur) fields.push(cur);
    if (!fields.length) return;
    const [addrText, ...names] = fields;
    const v4 = inetPton4(addrText);
    const v6 = v4 ? undefined : inetPton6(addrText);
    const addr: IpAddr | undefined = v4 ? { family: 4, bytes: v4 } : v6 ? { family: 6, bytes: v6 } : undefined;
    if (addr) entries.push({ lineNum: i + 1, text: addrText, addr, names });
  });
  return { file, present: true, entries };
}

/** The hosts file read through `fs`; a missing or unreadable file is an empty table. */
export function loadHostsFile(fs: SimFs, file = DEFAULT_HOSTS_FILE): HostsTable {
  const bytes = fs.stat(file)?.isFile ? fs.read(file) : undefined;
  return bytes === undefined ? { file, present: false, entries: [] } : parseHostsFile(bytes, file);
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * A line's address as a lookup of the family `family` sees it: an IPv4 query also takes
 * v4-mapped IPv6 lines, and a `::1` line as 127.0.0.1 (files-hosts.c); an IPv6 query
 * takes IPv6 lines only.
 */
function entryAddr(e: HostsEntry, family: 4 | 6): IpAddr | undefined {
  if (e.addr.family === family) return e.addr;
  if (family === 6) return undefined;
  const b = e.addr.bytes;
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  if (mapped) return { family: 4, bytes: b.slice(12) };
  const loopback = b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  return loopback ? { family: 4, bytes: Uint8Array.of(127, 0, 0, 1) } : undefined;
}

function dnsSource(t: HostsTable, what: string): string {
  const where = t.present ? `not in ${t.file}` : `no ${t.file}`;
  return `${what}: ${where}, so the answer would come from DNS, which pgtls does not query: taken as unresolved (${GAI_ERRORS.EAI_NONAME}), as on a machine without DNS`;
}

/** getnameinfo(NI_NAMEREQD) from the table (a v4-mapped IPv6 address is looked up as IPv4). */
export function reverseLookup(t: HostsTable, addr: IpAddr): ReverseLookup {
  const b = addr.bytes;
  const mapped = addr.family === 6 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  const q: IpAddr = mapped ? { family: 4, bytes: b.slice(12) } : addr;
  for (const e of t.entries) {
    const a = entryAddr(e, q.family);
    if (a && sameBytes(a.bytes, q.bytes)) {
      const name = e.names[0] ?? '';
      return { ok: true, name, source: `${formatIp(addr)} is "${name}" (${t.file} line ${e.lineNum}, the first line with ${formatIp(q)})` };
    }
  }
  return { ok: false, code: 'EAI_NONAME', source: dnsSource(t, `reverse lookup of ${formatIp(addr)}`) };
}

/** getaddrinfo(name, NULL, NULL) from the table; a numeric name is its own address. */
export function forwardLookup(t: HostsTable, name: string): ForwardLookup {
  const numeric = parseNumericHost(name);
  if (numeric) return { ok: true, addrs: [numeric], source: `"${name}" is a numeric address: getaddrinfo parses it without a lookup` };
  const want = asciiLower(name);
  const hits = t.entries.filter((e) => e.names.some((n) => asciiLower(n) === want));
  if (!hits.length) return { ok: false, code: 'EAI_NONAME', source: dnsSource(t, `forward lookup of "${name}"`) };
  const lines = hits.map((e) => `${e.text} (line ${e.lineNum})`).join(', ');
  return { ok: true, addrs: hits.map((e) => e.addr), source: `"${name}" resolves to ${lines} in ${t.file}` };
}

export function hostsResolver(t: HostsTable): NameResolver {
  return { reverse: (a) => reverseLookup(t, a), forward: (n) => forwardLookup(t, n) };
}
