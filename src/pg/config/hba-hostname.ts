// The server's host-name lookups about a client (hba.c check_hostname, postmaster.c
// BackendInitialize with log_hostname): reverse lookup of the client, name or suffix compare,
// forward lookup back to its address, each done once per connection, answered by a
// NameResolver (hosts.ts); and what the no-entry FATAL's DETAIL says of them
// (HOSTNAME_LOOKUP_DETAIL). pg_hba lines naming hosts are matched through checkHostname.

import { said, SERVER, type MessageCall } from '../messages.js';
import { formatIp, parseNumericHost, type IpAddr } from './inet.js';
import { GAI_ERRORS, hostsResolver, type GaiCode, type HostsTable, type NameResolver } from './hosts.js';

/**
 * What the server knows of the client's host name (Port: remote_hostname,
 * remote_hostname_resolv, remote_hostname_errcode), plus how each lookup was answered.
 */
export interface ClientHostName {
  /** the name the reverse lookup gave (remote_hostname) */
  name?: string;
  /** +1 forward lookup matches, 0 not checked, -1 does not match, -2 a lookup failed */
  resolv: 1 | 0 | -1 | -2;
  /** the failed lookup's error (remote_hostname_errcode) */
  error?: GaiCode;
  /** each lookup made, how it was answered (hosts file line, or DNS) */
  lookups: string[];
}

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());

/** hostname_match: the whole name, or a suffix for a pattern starting with '.' (pg_strcasecmp). */
export function hostnameMatch(pattern: string, actual: string): boolean {
  if (pattern.startsWith('.'))
    return actual.length >= pattern.length && asciiLower(actual.slice(actual.length - pattern.length)) === asciiLower(pattern);
  return asciiLower(pattern) === asciiLower(actual);
}

export const NO_RESOLVER: NameResolver = {
  reverse: () => ({ ok: false, code: 'EAI_NONAME', source: 'no name resolution given: the reverse lookup fails' }),
  forward: (n) => ({ ok: false, code: 'EAI_NONAME', source: `no name resolution given: "${n}" does not resolve` }),
};

/**
 * BackendInitialize: with log_hostname the server looks the client up (getnameinfo without
 * NI_NAMEREQD, so a failure gives the numeric address) for its log lines, and keeps a name
 * that does not look numeric as remote_hostname, forward lookup not checked. `remoteHost` is
 * what "connection received: host=%s" shows.
 */
export function clientHostAtStart(
  addr: string,
  resolver: NameResolver | undefined,
  logHostname: boolean,
): { remoteHost: string; clientHost: ClientHostName } {
  const ip = parseNumericHost(addr);
  const numeric = ip ? formatIp(ip) : addr;
  if (!logHostname || !ip) return { remoteHost: numeric, clientHost: { resolv: 0, lookups: [] } };
  const r = (resolver ?? NO_RESOLVER).reverse(ip);
  const lookups = [`log_hostname: ${r.source}`];
  if (!r.ok) return { remoteHost: numeric, clientHost: { resolv: 0, lookups } };
  // strspn tests of postmaster.c: a name of digits and dots, or of hex digits and colons, is taken as numeric
  const looksNumeric = /^[0-9.]*$/.test(r.name) || /^[0-9A-Fa-f:]*$/.test(r.name);
  return { remoteHost: r.name, clientHost: looksNumeric ? { resolv: 0, lookups } : { name: r.name, resolv: 0, lookups } };
}

/**
 * check_hostname: reverse-resolve the client (once), compare the name with the line's, then
 * forward-resolve the name (once) and require the client's address among its addresses of
 * the same family. Updates `h` as the server updates its Port.
 */
export function checkHostname(h: ClientHostName, client: IpAddr, pattern: string, resolver: NameResolver): boolean {
  if (h.resolv < 0) return false;
  if (h.name === undefined) {
    const r = resolver.reverse(client);
    h.lookups.push(r.source);
    if (!r.ok) {
      h.resolv = -2;
      h.error = r.code;
      return false;
    }
    h.name = r.name;
  }
  if (!hostnameMatch(pattern, h.name)) return false;
  if (h.resolv === 1) return true;
  const f = resolver.forward(h.name);
  h.lookups.push(f.source);
  if (!f.ok) {
    h.resolv = -2;
    h.error = f.code;
    return false;
  }
  const found = f.addrs.some((a) => a.family === client.family && a.bytes.every((b, i) => b === client.bytes[i]));
  h.resolv = found ? 1 : -1;
  return found;
}

/**
 * The client addresses a host-name line lets in with this hosts file: those whose reverse
 * lookup gives a matching name that resolves back to them (loopback first).
 */
export function hostnameClients(table: HostsTable, pattern: string): string[] {
  const resolver = hostsResolver(table);
  const seen = new Set<string>();
  const candidates: IpAddr[] = [];
  const add = (a: IpAddr) => {
    const k = formatIp(a);
    if (!seen.has(k)) {
      seen.add(k);
      candidates.push(a);
    }
  };
  for (const lo of ['127.0.0.1', '::1']) add(parseNumericHost(lo)!);
  for (const e of table.entries) add(e.addr);
  return candidates.filter((a) => checkHostname({ resolv: 0, lookups: [] }, a, pattern, resolver)).map(formatIp);
}

/**
 * HOSTNAME_LOOKUP_DETAIL: the DETAIL (log only) of the no-entry FATAL, if any. A message still
 * to be said: errdetail_log translates it (lc_messages), and glibc its gai_strerror part.
 */
export function hostnameLookupDetail(h: ClientHostName): MessageCall | undefined {
  if (h.name !== undefined) {
    if (h.resolv === 1) return said(SERVER.hostLookupMatches, h.name);
    if (h.resolv === 0) return said(SERVER.hostLookupNotChecked, h.name);
    if (h.resolv === -1) return said(SERVER.hostLookupNoMatch, h.name);
    return said(SERVER.hostLookupNoAddress, h.name, GAI_ERRORS[h.error ?? 'EAI_NONAME']);
  }
  return h.resolv === -2 ? said(SERVER.hostLookupNoName, GAI_ERRORS[h.error ?? 'EAI_NONAME']) : undefined;
}
