// pg_hba.conf matching as the server does it for each connection (hba.c check_hba: first
// matching line wins; connection type, address or host name, database, role) and the FATALs
// of auth.c for no matching line (uaImplicitReject) and a `reject` line. Parsing is
// hba-parse.ts; host names go through hba-hostname.ts.

import { fmt, said, say, SERVER, type MessageCall, type MessageDef, type MessageFormatter } from '../messages.js';
import type { AuthToken } from './auth-file.js';
import { cidrMask, formatIp, ipInRange, parseNumericHost } from './inet.js';
import type { NameResolver } from './hosts.js';
import { compilePgRegex } from './pg-regex.js';
import type { HbaLine } from './hba-parse.js';
import { checkHostname, NO_RESOLVER, type ClientHostName } from './hba-hostname.js';
import { DEFAULT_PG_VERSION } from '../conninfo/options.js';

export interface HbaConnection {
  /** 'local' = Unix-domain socket */
  connType: 'local' | 'host';
  ssl: boolean;
  gss?: boolean;
  /** client IP address (ignored for local) */
  addr?: string;
  database: string;
  user: string;
  /** roles the user is a member of, directly or indirectly (for +group and samerole) */
  roles?: string[];
  /** false when the role does not exist: +group and samerole then never match */
  userExists?: boolean;
  /**
   * What the server's host-name lookups answer (hostsResolver over /etc/hosts); without it
   * every lookup fails, as on a machine that resolves nothing
   */
  resolver?: NameResolver;
  /** what the server already knows of the client's host name (log_hostname: clientHostAtStart) */
  clientHost?: ClientHostName;
  /** walsender: 'physical' matches only the replication keyword; 'logical' matches like a normal connection */
  replication?: 'physical' | 'logical';
  /** the server's interfaces for samehost/samenet (default: loopback 127.0.0.1/8 and ::1/128) */
  interfaces?: { address: string; netmask: string }[];
}

export type HbaMatch =
  | { matched: true; line: HbaLine; clientHost: ClientHostName }
  | { matched: false; fatal: string; sqlstate: '28000'; clientHost: ClientHostName };

const DEFAULT_INTERFACES = [
  { address: '127.0.0.1', netmask: '255.0.0.0' },
  { address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' },
];

function tokenMatches(t: AuthToken, s: string, version: number): boolean {
  // regcomp_auth_token looks at the first character only: a quoted "/..." is a regex too
  // (checked against real 16, 17 and 18: test/support/version-oracle.ts)
  if (version >= 16 && t.string.startsWith('/')) {
    const r = compilePgRegex(t.string.slice(1));
    return r.ok && r.regex.test(s);
  }
  return t.string === s;
}

function checkDb(toks: AuthToken[], c: HbaConnection, version: number): boolean {
  const isMember = (role: string) => c.userExists !== false && (c.roles ?? []).includes(role);
  for (const t of toks) {
    const kw = t.quoted ? undefined : t.string;
    if (c.replication === 'physical') {
      if (kw === 'replication') return true;
      continue;
    }
    if (kw === 'all') return true;
    if (kw === 'sameuser') {
      if (c.database === c.user) return true;
    } else if (kw === 'samegroup' || kw === 'samerole') {
      if (isMember(c.database)) return true;
    } else if (kw === 'replication') continue;
    else if (tokenMatches(t, c.database, version)) return true;
  }
  return false;
}

function checkRole(toks: AuthToken[], c: HbaConnection, version: number): boolean {
  for (const t of toks) {
    if (!t.quoted && t.string.startsWith('+')) {
      if (c.userExists !== false && (c.roles ?? []).includes(t.string.slice(1))) return true;
    } else if (tokenMatches(t, c.user, version) || (!t.quoted && t.string === 'all')) return true;
  }
  return false;
}

/** check_hba then ClientAuthentication's implicit-reject FATAL. First matching line wins. */
export function matchHbaLine(lines: HbaLine[], c: HbaConnection, opts: { pgVersion?: number } = {}): HbaMatch {
  const version = opts.pgVersion ?? DEFAULT_PG_VERSION;
  const client = c.connType === 'host' && c.addr !== undefined ? parseNumericHost(c.addr) : undefined;
  const clientHost: ClientHostName = c.clientHost ? { ...c.clientHost, lookups: [...c.clientHost.lookups] } : { resolv: 0, lookups: [] };
  for (const l of lines) {
    if (l.connType === 'local') {
      if (c.connType !== 'local') continue;
    } else {
      if (c.connType === 'local') continue;
      if (c.ssl ? l.connType === 'hostnossl' : l.connType === 'hostssl') continue;
      if (c.gss ? l.connType === 'hostnogssenc' : l.connType === 'hostgssenc') continue;
      const a = l.address;
      if (!a) continue;
      if (a.kind === 'cidr') {
        if (!client || !ipInRange(client, a.addr, a.mask)) continue;
      } else if (a.kind === 'hostname') {
        if (!client || !checkHostname(clientHost, client, a.name, c.resolver ?? NO_RESOLVER)) continue;
      } else if (a.kind === 'samehost' || a.kind === 'samenet') {
        if (!client) continue;
        const ok = (c.interfaces ?? DEFAULT_INTERFACES).some((iface) => {
          const ia = parseNumericHost(iface.address);
          if (!ia) return false;
          const m = a.kind === 'samehost' ? cidrMask(undefined, ia.family) : parseNumericHost(iface.netmask);
          return m !== undefined && ipInRange(client, ia, m);
        });
        if (!ok) continue;
      }
    }
    if (!checkDb(l.databases, c, version)) continue;
    if (!checkRole(l.roles, c, version)) continue;
    return { matched: true, line: l, clientHost };
  }
  return { matched: false, fatal: noHbaEntryMessage(c, version), sqlstate: '28000', clientHost };
}

/** The FATAL a client gets when no line matches (auth.c, uaImplicitReject), to print in the server's language. */
export function noHbaEntrySaid(c: HbaConnection, pgVersion = DEFAULT_PG_VERSION): MessageCall {
  const host = c.connType === 'local' ? '[local]' : hostInfo(c.addr ?? '');
  const enc = said(encryptionState(c, pgVersion));
  if (c.replication === 'physical') return said(SERVER.noHbaEntryReplication, host, c.user, enc);
  return said(SERVER.noHbaEntry, host, c.user, c.database, enc);
}

/** The FATAL for a matching `reject` line (auth.c, uaReject). */
export function hbaRejectSaid(c: HbaConnection, pgVersion = DEFAULT_PG_VERSION): MessageCall {
  const host = c.connType === 'local' ? '[local]' : hostInfo(c.addr ?? '');
  const enc = said(encryptionState(c, pgVersion));
  if (c.replication === 'physical') return said(SERVER.rejectHbaReplication, host, c.user, enc);
  return said(SERVER.rejectHba, host, c.user, c.database, enc);
}

export const noHbaEntryMessage = (c: HbaConnection, pgVersion = DEFAULT_PG_VERSION, f: MessageFormatter = fmt): string =>
  say(f, noHbaEntrySaid(c, pgVersion));
export const hbaRejectMessage = (c: HbaConnection, pgVersion = DEFAULT_PG_VERSION, f: MessageFormatter = fmt): string =>
  say(f, hbaRejectSaid(c, pgVersion));

/** 14+ names the encryption; 13 says "SSL on" / "SSL off" (real 13.23 logs `..., database "trustdb", SSL off`). */
function encryptionState(c: HbaConnection, pgVersion: number): MessageDef {
  if (c.gss) return SERVER.noHbaEncGss;
  if (pgVersion < 14) return c.ssl ? SERVER.noHbaSslOn : SERVER.noHbaSslOff;
  if (c.ssl) return SERVER.noHbaEncSsl;
  return SERVER.noHbaEncNone;
}

function hostInfo(addr: string): string {
  const a = parseNumericHost(addr);
  return a ? formatIp(a) : addr;
}
