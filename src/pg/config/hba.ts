// pg_hba.conf as the PostgreSQL server parses and matches it (hba.c: parse_hba_line,
// parse_hba_auth_opt, check_hba; auth.c: the "no pg_hba.conf entry" FATAL). Parsing keeps
// the server's two outputs apart: the LOG lines (with HINT and `line N of configuration file`
// CONTEXT) written at start-up or reload, and the shorter err_msg shown in the
// pg_hba_file_rules view; they differ in places (clientcert=verify-ca with cert) and some
// failures set no err_msg at all (an invalid clientcert or clientname value), exactly as in
// PostgreSQL 15. Version differences are data: clientcert=1/0/no-verify before 14,
// clientname from 14, backslash continuation from 14, regexes and include records from 16.
// Matching follows check_hba; an address field naming a host goes through check_hostname
// (reverse lookup of the client, name or suffix compare, forward lookup back to its address,
// each done once per connection) with the lookups answered by a NameResolver (hosts.ts), and
// leaves what the no-entry FATAL's DETAIL says (HOSTNAME_LOOKUP_DETAIL).

import { splitGucList } from './lists.js';
import type { LogLine } from '../log.js';
import { fmt, SERVER, type MessageDef, type MessageFormatter } from '../messages.js';
import type { SimFs } from '../fs.js';
import { hbaFileLabel, tokenizeAuthFile, type AuthToken, type TokenizedAuthLine } from './auth-file.js';
import { lineContext, PgConfigError } from './errors.js';
import { cidrMask, formatIp, ipInRange, parseNumericHost, type IpAddr } from './inet.js';
import { GAI_ERRORS, hostsResolver, type GaiCode, type HostsTable, type NameResolver } from './hosts.js';
import { compilePgRegex } from './pg-regex.js';
import { canonicalizePath, isAbsolutePath } from './paths.js';
import { DEFAULT_PG_VERSION } from '../conninfo/options.js';

export type HbaConnType = 'local' | 'host' | 'hostssl' | 'hostnossl' | 'hostgssenc' | 'hostnogssenc';
export type HbaAuthMethod =
  | 'trust'
  | 'reject'
  | 'md5'
  | 'password'
  | 'scram-sha-256'
  | 'gss'
  | 'sspi'
  | 'ident'
  | 'peer'
  | 'ldap'
  | 'radius'
  | 'cert'
  | 'pam'
  | 'bsd';
export type ClientCertMode = 'off' | 'verify-ca' | 'verify-full';

export type HbaAddress =
  | { kind: 'all' }
  | { kind: 'samehost' }
  | { kind: 'samenet' }
  | { kind: 'cidr'; addr: IpAddr; mask: IpAddr }
  | { kind: 'hostname'; name: string };

export interface HbaLine {
  file: string;
  lineNum: number;
  rawLine: string;
  connType: HbaConnType;
  databases: AuthToken[];
  roles: AuthToken[];
  /** undefined for local lines */
  address?: HbaAddress;
  method: HbaAuthMethod;
  clientcert: ClientCertMode;
  clientname: 'CN' | 'DN';
  usermap?: string;
  /** every name=value option as written, in order */
  options: [string, string][];
  /** the options column of pg_hba_file_rules */
  viewOptions: string[];
}

/** One row of the pg_hba_file_rules view (PostgreSQL 15 columns). */
export interface HbaFileRule {
  lineNumber: number;
  type: string | null;
  database: string[] | null;
  userName: string[] | null;
  address: string | null;
  netmask: string | null;
  authMethod: string | null;
  options: string[] | null;
  error: string | null;
}

/** Build-time features of the server (defaults: the Debian/PGDG PostgreSQL 15 packages). */
export interface ServerBuild {
  ssl: boolean;
  gss: boolean;
  sspi: boolean;
  pam: boolean;
  bsd: boolean;
  ldap: boolean;
  /** OpenLDAP, whose ldap_initialize makes ldapserver optional and parses ldapurl */
  openldap: boolean;
  unixSockets: boolean;
}

export const DEBIAN_BUILD: ServerBuild = {
  ssl: true,
  gss: true,
  sspi: false,
  pam: true,
  bsd: false,
  ldap: true,
  openldap: true,
  unixSockets: true,
};

export interface HbaParseOptions {
  /** PostgreSQL major version, 13..17 (default 15) */
  pgVersion?: number;
  /** the server's ssl setting (EnableSSL): hostssl lines warn when off */
  ssl?: boolean;
  /** db_user_namespace (md5 is then refused) */
  dbUserNamespace?: boolean;
  build?: Partial<ServerBuild>;
  /** startup: FATAL when unusable; reload: LOG "was not reloaded"; view: no log (DEBUG3) */
  mode?: 'startup' | 'reload' | 'view';
  /**
   * Whether a RADIUS server name resolves (the server calls getaddrinfo at parse time).
   * Default: numeric addresses and "localhost" only, since pgtls does no DNS.
   */
  resolves?: (name: string) => boolean;
}

export interface HbaParseResult {
  file: string;
  /** the lines the server would use (all of them, or none when `ok` is false) */
  lines: HbaLine[];
  rules: HbaFileRule[];
  log: LogLine[];
  ok: boolean;
}

const METHODS: Record<string, { method: HbaAuthMethod; needs?: keyof ServerBuild }> = {
  trust: { method: 'trust' },
  ident: { method: 'ident' },
  peer: { method: 'peer' },
  password: { method: 'password' },
  gss: { method: 'gss', needs: 'gss' },
  sspi: { method: 'sspi', needs: 'sspi' },
  reject: { method: 'reject' },
  md5: { method: 'md5' },
  'scram-sha-256': { method: 'scram-sha-256' },
  pam: { method: 'pam', needs: 'pam' },
  bsd: { method: 'bsd', needs: 'bsd' },
  ldap: { method: 'ldap', needs: 'ldap' },
  cert: { method: 'cert', needs: 'ssl' },
  radius: { method: 'radius' },
};

const CONN_TYPES: HbaConnType[] = ['local', 'host', 'hostssl', 'hostnossl', 'hostgssenc', 'hostnogssenc'];

/** A parse failure: the LOG entry and the view's err_msg (null when the server sets none). */
class LineError {
  constructor(
    readonly log: Omit<LogLine, 'level'>,
    readonly errMsg: string | null,
  ) {}
}

interface LdapFields {
  server?: string;
  port?: number;
  scheme?: string;
  tls?: boolean;
  prefix?: string;
  suffix?: string;
  basedn?: string;
  binddn?: string;
  bindpasswd?: string;
  searchattribute?: string;
  searchfilter?: string;
  scope?: number;
}

interface Parsing extends HbaLine {
  includeRealm: boolean;
  krbRealm?: string;
  pamservice?: string;
  ldap: LdapFields;
  radius: { servers?: string[]; secrets?: string[]; ports?: string[]; identifiers?: string[]; raw: Record<string, string> };
}

/** OpenLDAP ldap_url_parse, as far as PostgreSQL reads it. */
function parseLdapUrl(
  url: string,
): { scheme: string; host?: string; port: number; dn?: string; attr?: string; scope: number; filter?: string } | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?]*)(?:\/([^?]*))?(?:\?([^?]*))?(?:\?([^?]*))?(?:\?([^?]*))?$/.exec(url);
  if (!m) return undefined;
  const scheme = m[1].toLowerCase();
  if (!['ldap', 'ldaps', 'ldapi', 'cldap'].includes(scheme)) return undefined;
  const [hostPart, portPart] = m[2].split(':');
  const port = portPart ? Number(portPart) : scheme === 'ldaps' ? 636 : 389;
  if (!Number.isInteger(port)) return undefined;
  const scopes: Record<string, number> = { '': 0, base: 0, one: 1, sub: 2 };
  const scope = scopes[(m[5] ?? '').toLowerCase()];
  if (scope === undefined) return undefined;
  const dec = (x: string | undefined) => (x ? decodeURIComponent(x) : undefined);
  try {
    return { scheme, host: dec(hostPart), port, dn: dec(m[3]), attr: dec(m[4]?.split(',')[0]), scope, filter: dec(m[6]) };
  } catch {
    return undefined;
  }
}

function viewOptions(p: Parsing): string[] {
  const o: string[] = [];
  if (p.method === 'gss' || p.method === 'sspi') {
    if (p.includeRealm) o.push('include_realm=true');
    if (p.krbRealm !== undefined) o.push(`krb_realm=${p.krbRealm}`);
  }
  if (p.usermap !== undefined) o.push(`map=${p.usermap}`);
  if (p.clientcert !== 'off') o.push(`clientcert=${p.clientcert}`);
  if (p.pamservice !== undefined) o.push(`pamservice=${p.pamservice}`);
  if (p.method === 'ldap') {
    const l = p.ldap;
    if (l.server !== undefined) o.push(`ldapserver=${l.server}`);
    if (l.port) o.push(`ldapport=${l.port}`);
    if (l.scheme !== undefined) o.push(`ldapscheme=${l.scheme}`);
    if (l.tls) o.push('ldaptls=true');
    if (l.prefix !== undefined) o.push(`ldapprefix=${l.prefix}`);
    if (l.suffix !== undefined) o.push(`ldapsuffix=${l.suffix}`);
    if (l.basedn !== undefined) o.push(`ldapbasedn=${l.basedn}`);
    if (l.binddn !== undefined) o.push(`ldapbinddn=${l.binddn}`);
    if (l.bindpasswd !== undefined) o.push(`ldapbindpasswd=${l.bindpasswd}`);
    if (l.searchattribute !== undefined) o.push(`ldapsearchattribute=${l.searchattribute}`);
    if (l.searchfilter !== undefined) o.push(`ldapsearchfilter=${l.searchfilter}`);
    if (l.scope) o.push(`ldapscope=${l.scope}`);
  }
  if (p.method === 'radius') {
    for (const k of ['radiusservers', 'radiussecrets', 'radiusidentifiers', 'radiusports']) {
      if (p.radius.raw[k] !== undefined) o.push(`${k}=${p.radius.raw[k]}`);
    }
  }
  return o;
}

interface LineCtx {
  version: number;
  resolves: (name: string) => boolean;
  ssl: boolean;
  dbUserNamespace: boolean;
  build: ServerBuild;
  file: string;
  /** LOG entries emitted while parsing this line (some are warnings, not failures) */
  logs: Omit<LogLine, 'level'>[];
  /** the err_msg set so far (hostssl warning sets one without failing) */
  errMsg: string | null;
}

/** One authentication option; throws LineError on failure (and appends to ctx on warnings). */
function parseAuthOption(ctx: LineCtx, p: Parsing, name: string, val: string): void {
  const context = lineContext(p.lineNum, ctx.file);
  const fail = (message: string, errMsg: string | null = message, hint?: string): never => {
    throw new LineError({ message, context, ...(hint ? { hint } : {}) }, errMsg);
  };
  const onlyFor = (opt: string, methods: HbaAuthMethod[], label: string) => {
    if (!methods.includes(p.method)) fail(`authentication option "${opt}" is only valid for authentication methods ${label}`);
  };
  if (p.method === 'ldap') p.ldap.scope = 2; // LDAP_SCOPE_SUBTREE, set whenever an option is parsed
  switch (name) {
    case 'map':
      onlyFor('map', ['ident', 'peer', 'gss', 'sspi', 'cert'], 'ident, peer, gssapi, sspi, and cert');
      p.usermap = val;
      return;
    case 'clientcert': {
      if (p.connType !== 'hostssl') fail('clientcert can only be configured for "hostssl" rows');
      if (ctx.version < 14) {
        if (val === '1' || val === 'verify-ca') p.clientcert = 'verify-ca';
        else if (val === 'verify-full') p.clientcert = 'verify-full';
        else if (val === '0' || val === 'no-verify') {
          if (p.method === 'cert') fail('clientcert cannot be set to "no-verify" when using "cert" authentication');
          p.clientcert = 'off';
        } else fail(`invalid value for clientcert: "${val}"`, null);
        return;
      }
      if (val === 'verify-full') p.clientcert = 'verify-full';
      else if (val === 'verify-ca') {
        if (p.method === 'cert')
          fail(
            'clientcert only accepts "verify-full" when using "cert" authentication',
            'clientcert can only be set to "verify-full" when using "cert" authentication',
          );
        p.clientcert = 'verify-ca';
      } else fail(`invalid value for clientcert: "${val}"`, null);
      return;
    }
    case 'clientname':
      if (ctx.version < 14) break;
      if (p.connType !== 'hostssl') fail('clientname can only be configured for "hostssl" rows');
      if (val === 'CN' || val === 'DN') p.clientname = val;
      else fail(`invalid value for clientname: "${val}"`, null);
      return;
    case 'pamservice':
      onlyFor('pamservice', ['pam'], 'pam');
      p.pamservice = val;
      return;
    case 'pam_use_hostname':
      onlyFor('pam_use_hostname', ['pam'], 'pam');
      return;
    case 'ldapurl': {
      onlyFor('ldapurl', ['ldap'], 'ldap');
      if (!ctx.build.openldap) fail('LDAP URLs not supported on this platform');
      const u = parseLdapUrl(val);
      // OpenLDAP's URL error codes go through ldap_err2string, which reads them as result codes
      if (!u) fail(`could not parse LDAP URL "${val}": Time limit exceeded`);
      else {
        if (u.scheme !== 'ldap' && u.scheme !== 'ldaps') fail(`unsupported LDAP URL scheme: ${u.scheme}`);
        p.ldap.scheme = u.scheme;
        if (u.host) p.ldap.server = u.host;
        p.ldap.port = u.port;
        if (u.dn) p.ldap.basedn = u.dn;
        if (u.attr) p.ldap.searchattribute = u.attr;
        p.ldap.scope = u.scope;
        if (u.filter) p.ldap.searchfilter = u.filter;
      }
      return;
    }
    case 'ldaptls':
      onlyFor('ldaptls', ['ldap'], 'ldap');
      p.ldap.tls = val === '1';
      return;
    case 'ldapscheme':
      onlyFor('ldapscheme', ['ldap'], 'ldap');
      if (val !== 'ldap' && val !== 'ldaps') ctx.logs.push({ message: `invalid ldapscheme value: "${val}"`, context });
      p.ldap.scheme = val;
      return;
    case 'ldapport': {
      onlyFor('ldapport', ['ldap'], 'ldap');
      const n = Number.parseInt(val, 10) || 0;
      if (n === 0) fail(`invalid LDAP port number: "${val}"`);
      p.ldap.port = n;
      return;
    }
    case 'ldapserver':
    case 'ldapbinddn':
    case 'ldapbindpasswd':
    case 'ldapsearchattribute':
    case 'ldapsearchfilter':
    case 'ldapbasedn':
    case 'ldapprefix':
    case 'ldapsuffix':
      onlyFor(name, ['ldap'], 'ldap');
      p.ldap[name.slice(4) as 'server'] = val;
      return;
    case 'krb_realm':
      onlyFor('krb_realm', ['gss', 'sspi'], 'gssapi and sspi');
      p.krbRealm = val;
      return;
    case 'include_realm':
      onlyFor('include_realm', ['gss', 'sspi'], 'gssapi and sspi');
      p.includeRealm = val === '1';
      return;
    case 'compat_realm':
    case 'upn_username':
      onlyFor(name, ['sspi'], 'sspi');
      return;
    case 'radiusservers':
    case 'radiusports':
    case 'radiussecrets':
    case 'radiusidentifiers': {
      onlyFor(name, ['radius'], 'radius');
      const list = splitGucList(val);
      const what = { radiusservers: 'server', radiusports: 'port', radiussecrets: 'secret', radiusidentifiers: 'identifiers' }[name];
      if (!list)
        fail(`could not parse RADIUS ${what} list "${val}"`, name === 'radiusports' ? `invalid RADIUS port number: "${val}"` : null);
      else {
        if (name === 'radiusports' && list.some((x) => (Number.parseInt(x, 10) || 0) === 0))
          fail(`invalid RADIUS port number: "${val}"`, null);
        if (name === 'radiusservers') {
          const bad = list.find((x) => !ctx.resolves(x));
          if (bad !== undefined) fail(`could not translate RADIUS server name "${bad}" to address: Name or service not known`, null);
        }
        p.radius[name.slice(6) as 'servers'] = list;
        p.radius.raw[name] = val;
      }
      return;
    }
  }
  fail(`unrecognized authentication option name: "${name}"`);
}

function parseHbaLine(ctx: LineCtx, tok: TokenizedAuthLine): Parsing {
  const context = lineContext(tok.lineNum, ctx.file);
  const fail = (message: string, hint?: string, errMsg: string | null = message): never => {
    throw new LineError({ message, context, ...(hint ? { hint } : {}) }, errMsg);
  };
  const fields = tok.fields;
  let fi = 0;
  const field = () => fields[fi++] as AuthToken[] | undefined;

  const typeToks = field() as AuthToken[];
  if (typeToks.length > 1) fail('multiple values specified for connection type', 'Specify exactly one connection type per line.');
  const typeStr = typeToks[0].string;
  if (!CONN_TYPES.includes(typeStr as HbaConnType)) fail(`invalid connection type "${typeStr}"`);
  const connType = typeStr as HbaConnType;
  if (connType === 'local' && !ctx.build.unixSockets) fail('local connections are not supported by this build');
  if (connType === 'hostssl') {
    if (!ctx.build.ssl) {
      const m = 'hostssl record cannot match because SSL is not supported by this build';
      ctx.logs.push({ message: m, context });
      ctx.errMsg = m;
    } else if (!ctx.ssl) {
      const m = 'hostssl record cannot match because SSL is disabled';
      ctx.logs.push({
        message: m,
        hint: ctx.version >= 17 ? 'Set "ssl = on" in postgresql.conf.' : 'Set ssl = on in postgresql.conf.',
        context,
      });
      ctx.errMsg = m;
    }
  } else if (connType === 'hostgssenc' && !ctx.build.gss) {
    const m = 'hostgssenc record cannot match because GSSAPI is not supported by this build';
    ctx.logs.push({ message: m, context });
    ctx.errMsg = m;
  }

  const databases = field();
  if (!databases) fail('end-of-line before database specification');
  const roles = field();
  if (!roles) fail('end-of-line before role specification');
  if (ctx.version >= 16) {
    // regcomp_auth_token looks at the first character only: a quoted "/..." is a regex too
    // (checked against real 16, 17 and 18: test/support/version-oracle.ts)
    for (const t of [...(databases as AuthToken[]), ...(roles as AuthToken[])]) {
      if (t.string.startsWith('/')) {
        const r = compilePgRegex(t.string.slice(1));
        if (!r.ok) fail(`invalid regular expression "${t.string.slice(1)}": ${r.error}`);
      }
    }
  }

  let address: HbaAddress | undefined;
  if (connType !== 'local') {
    const addrToks = field();
    if (!addrToks) fail('end-of-line before IP address specification');
    const at = addrToks as AuthToken[];
    if (at.length > 1) fail('multiple values specified for host address', 'Specify one address range per line.');
    const t = at[0];
    const kw = !t.quoted ? t.string : '';
    if (kw === 'all' || kw === 'samehost' || kw === 'samenet') address = { kind: kw };
    else {
      const slash = t.string.indexOf('/');
      const str = slash >= 0 ? t.string.slice(0, slash) : t.string;
      const addr = parseNumericHost(str);
      if (!addr) {
        if (slash >= 0) fail(`specifying both host name and CIDR mask is invalid: "${t.string}"`);
        address = { kind: 'hostname', name: str };
      } else if (slash >= 0) {
        const mask = cidrMask(t.string.slice(slash + 1), addr.family);
        if (!mask) fail(`invalid CIDR mask in address "${t.string}"`);
        address = { kind: 'cidr', addr, mask: mask as IpAddr };
      } else {
        const maskToks = field();
        if (!maskToks)
          fail('end-of-line before netmask specification', 'Specify an address range in CIDR notation, or provide a separate netmask.');
        const mt = maskToks as AuthToken[];
        if (mt.length > 1) fail('multiple values specified for netmask');
        const mask = parseNumericHost(mt[0].string);
        if (!mask) fail(`invalid IP mask "${mt[0].string}": Name or service not known`);
        if ((mask as IpAddr).family !== addr.family) fail('IP address and mask do not match');
        address = { kind: 'cidr', addr, mask: mask as IpAddr };
      }
    }
  }

  const methodToks = field();
  if (!methodToks) fail('end-of-line before authentication method');
  const mtoks = methodToks as AuthToken[];
  if (mtoks.length > 1) fail('multiple values specified for authentication type', 'Specify exactly one authentication type per line.');
  const mname = mtoks[0].string;
  const mdef = Object.hasOwn(METHODS, mname) ? METHODS[mname] : undefined;
  if (!mdef) fail(`invalid authentication method "${mname}"`);
  const md = mdef as (typeof METHODS)[string];
  if (md.method === 'md5' && ctx.dbUserNamespace) fail('MD5 authentication is not supported when "db_user_namespace" is enabled');
  if (md.needs && !ctx.build[md.needs]) fail(`invalid authentication method "${mname}": not supported by this build`);
  let method = md.method;
  // ident on a local socket means peer, for backwards compatibility
  if (connType === 'local' && method === 'ident') method = 'peer';
  if (connType === 'local' && method === 'gss') fail('gssapi authentication is not supported on local sockets');
  if (connType !== 'local' && method === 'peer') fail('peer authentication is only supported on local sockets');
  if (connType !== 'hostssl' && method === 'cert') fail('cert authentication is only supported on hostssl connections');

  const p: Parsing = {
    file: ctx.file,
    lineNum: tok.lineNum,
    rawLine: tok.rawLine,
    connType,
    databases: databases as AuthToken[],
    roles: roles as AuthToken[],
    address,
    method,
    clientcert: 'off',
    clientname: 'CN',
    options: [],
    viewOptions: [],
    includeRealm: method === 'gss' || method === 'sspi',
    ldap: {},
    radius: { raw: {} },
  };

  for (let f = field(); f; f = field()) {
    for (const t of f) {
      const eq = t.string.indexOf('=');
      if (eq < 0) fail(`authentication option not in name=value format: ${t.string}`);
      const name = t.string.slice(0, eq);
      const val = t.string.slice(eq + 1);
      parseAuthOption(ctx, p, name, val);
      p.options.push([name, val]);
    }
  }

  if (method === 'ldap') {
    const l = p.ldap;
    if (!ctx.build.openldap && l.server === undefined) fail('authentication method "ldap" requires argument "ldapserver" to be set');
    if (l.prefix !== undefined || l.suffix !== undefined) {
      if (
        l.basedn !== undefined ||
        l.binddn !== undefined ||
        l.bindpasswd !== undefined ||
        l.searchattribute !== undefined ||
        l.searchfilter !== undefined
      )
        fail(
          'cannot use ldapbasedn, ldapbinddn, ldapbindpasswd, ldapsearchattribute, ldapsearchfilter, or ldapurl together with ldapprefix',
        );
    } else if (l.basedn === undefined)
      fail('authentication method "ldap" requires argument "ldapbasedn", "ldapprefix", or "ldapsuffix" to be set');
    if (l.searchattribute !== undefined && l.searchfilter !== undefined)
      fail('cannot use ldapsearchattribute together with ldapsearchfilter');
  }
  if (method === 'radius') {
    const r = p.radius;
    if (!r.servers) fail('authentication method "radius" requires argument "radiusservers" to be set');
    if (!r.secrets) fail('authentication method "radius" requires argument "radiussecrets" to be set');
    const servers = r.servers as string[];
    const secrets = r.secrets as string[];
    if (servers.length < 1) fail('list of RADIUS servers cannot be empty');
    if (secrets.length < 1) fail('list of RADIUS secrets cannot be empty');
    const check = (list: string[] | undefined, what: string, zeroOk: boolean) => {
      const n = list?.length ?? 0;
      if ((zeroOk && n === 0) || n === 1 || n === servers.length) return;
      fail(`the number of RADIUS ${what} (${n}) must be 1 or the same as the number of RADIUS servers (${servers.length})`);
    };
    check(secrets, 'secrets', false);
    check(r.ports, 'ports', true);
    check(r.identifiers, 'identifiers', true);
  }
  // cert implies clientcert=verify-full
  if (method === 'cert') p.clientcert = 'verify-full';
  p.viewOptions = viewOptions(p);
  return p;
}

function toRule(line: HbaLine | undefined, lineNumber: number, error: string | null): HbaFileRule {
  if (!line) {
    return { lineNumber, type: null, database: null, userName: null, address: null, netmask: null, authMethod: null, options: null, error };
  }
  let address: string | null = null;
  let netmask: string | null = null;
  const a = line.address;
  if (a) {
    if (a.kind === 'cidr') {
      address = formatIp(a.addr);
      netmask = formatIp(a.mask);
    } else address = a.kind === 'hostname' ? a.name : a.kind;
  }
  return {
    lineNumber,
    type: line.connType,
    database: line.databases.map((t) => t.string),
    userName: line.roles.map((t) => t.string),
    address,
    netmask,
    authMethod: line.method,
    options: line.viewOptions.length ? line.viewOptions : null,
    error,
  };
}

/**
 * Parse pg_hba.conf contents (the server has opened `file`; @file and include paths are
 * relative to it). Use `loadHbaFile` to start from the file system like the server does.
 */
export function parseHba(fs: SimFs, file: string, content: string | Uint8Array, opts: HbaParseOptions = {}): HbaParseResult {
  const version = opts.pgVersion ?? DEFAULT_PG_VERSION;
  if (!Number.isInteger(version) || version < 13 || version > 18)
    throw new PgConfigError('BAD_ARGUMENT', `unsupported PostgreSQL version ${version}`);
  if (!isAbsolutePath(file)) throw new PgConfigError('BAD_ARGUMENT', `pg_hba.conf path must be absolute: ${file}`);
  const path = canonicalizePath(file);
  const mode = opts.mode ?? 'startup';
  const view = mode === 'view';
  const build = { ...DEBIAN_BUILD, ...opts.build };
  const log: LogLine[] = [];
  const tokLines = tokenizeAuthFile(fs, path, content, { pgVersion: version, log: view ? undefined : log });
  const lines: HbaLine[] = [];
  const rules: HbaFileRule[] = [];
  let ok = true;
  for (const tok of tokLines) {
    if (tok.errMsg !== undefined) {
      ok = false;
      rules.push(toRule(undefined, tok.lineNum, tok.errMsg));
      continue;
    }
    const ctx: LineCtx = {
      version,
      resolves: opts.resolves ?? ((n) => n === 'localhost' || parseNumericHost(n) !== undefined),
      ssl: opts.ssl ?? false,
      dbUserNamespace: opts.dbUserNamespace ?? false,
      build,
      file: tok.file,
      logs: [],
      errMsg: null,
    };
    let parsed: HbaLine | undefined;
    try {
      parsed = stripParsing(parseHbaLine(ctx, tok));
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      ctx.logs.push(e.log);
      if (e.errMsg !== null) ctx.errMsg = e.errMsg;
    }
    if (!view) for (const l of ctx.logs) log.push({ level: 'LOG', ...l });
    rules.push(toRule(parsed, tok.lineNum, ctx.errMsg));
    if (parsed) lines.push(parsed);
    else ok = false;
  }
  if (ok && lines.length === 0) {
    if (!view) log.push({ level: 'LOG', message: `configuration file "${path}" contains no entries` });
    ok = false;
  }
  if (!ok && mode === 'startup') log.push({ level: 'FATAL', message: `could not load ${hbaFileLabel(path, version)}` });
  if (!ok && mode === 'reload') log.push({ level: 'LOG', message: `${hbaFileLabel(path, version)} was not reloaded` });
  return { file: path, lines: ok ? lines : [], rules, log, ok };
}

function stripParsing(p: Parsing): HbaLine {
  const { includeRealm: _i, krbRealm: _k, pamservice: _p, ldap: _l, radius: _r, ...line } = p;
  return line;
}

/** load_hba: read the file through `fs` (a missing file is a LOG and, at start-up, FATAL). */
export function loadHbaFile(fs: SimFs, file: string, opts: HbaParseOptions = {}): HbaParseResult {
  const path = canonicalizePath(file);
  const st = fs.stat(path);
  const bytes = st?.isFile ? fs.read(path) : undefined;
  if (bytes === undefined) {
    const why = st?.isDir ? 'Is a directory' : st ? 'Permission denied' : 'No such file or directory';
    const log: LogLine[] = [];
    if (opts.mode !== 'view') {
      log.push({ level: 'LOG', message: `could not open configuration file "${path}": ${why}` });
      const label = hbaFileLabel(path, opts.pgVersion ?? DEFAULT_PG_VERSION);
      log.push(
        opts.mode === 'reload'
          ? { level: 'LOG', message: `${label} was not reloaded` }
          : { level: 'FATAL', message: `could not load ${label}` },
      );
    }
    return { file: path, lines: [], rules: [], log, ok: false };
  }
  return parseHba(fs, path, bytes, opts);
}

// ---------------------------------------------------------------------------------------
// Matching (check_hba) and the client-facing FATAL

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

export type HbaMatch =
  | { matched: true; line: HbaLine; clientHost: ClientHostName }
  | { matched: false; fatal: string; sqlstate: '28000'; clientHost: ClientHostName };

const DEFAULT_INTERFACES = [
  { address: '127.0.0.1', netmask: '255.0.0.0' },
  { address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' },
];

function tokenMatches(t: AuthToken, s: string, version: number): boolean {
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

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());

/** hostname_match: the whole name, or a suffix for a pattern starting with '.' (pg_strcasecmp). */
export function hostnameMatch(pattern: string, actual: string): boolean {
  if (pattern.startsWith('.'))
    return actual.length >= pattern.length && asciiLower(actual.slice(actual.length - pattern.length)) === asciiLower(pattern);
  return asciiLower(pattern) === asciiLower(actual);
}

const NO_RESOLVER: NameResolver = {
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
function checkHostname(h: ClientHostName, client: IpAddr, pattern: string, resolver: NameResolver): boolean {
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

/** HOSTNAME_LOOKUP_DETAIL: the DETAIL (log only) of the no-entry FATAL, if any. */
export function hostnameLookupDetail(h: ClientHostName): string | undefined {
  if (h.name !== undefined) {
    if (h.resolv === 1) return fmt(SERVER.hostLookupMatches, h.name);
    if (h.resolv === 0) return fmt(SERVER.hostLookupNotChecked, h.name);
    if (h.resolv === -1) return fmt(SERVER.hostLookupNoMatch, h.name);
    return fmt(SERVER.hostLookupNoAddress, h.name, GAI_ERRORS[h.error ?? 'EAI_NONAME']);
  }
  return h.resolv === -2 ? fmt(SERVER.hostLookupNoName, GAI_ERRORS[h.error ?? 'EAI_NONAME']) : undefined;
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

/** The FATAL a client gets when no line matches (auth.c, uaImplicitReject). */
export function noHbaEntryMessage(c: HbaConnection, pgVersion = DEFAULT_PG_VERSION, f: MessageFormatter = fmt): string {
  const host = c.connType === 'local' ? '[local]' : hostInfo(c.addr ?? '');
  const enc = f(encryptionState(c, pgVersion));
  if (c.replication === 'physical') return `no pg_hba.conf entry for replication connection from host "${host}", user "${c.user}", ${enc}`;
  return f(SERVER.noHbaEntry, host, c.user, c.database, enc);
}

/** The FATAL for a matching `reject` line (auth.c, uaReject). */
export function hbaRejectMessage(c: HbaConnection, pgVersion = DEFAULT_PG_VERSION, f: MessageFormatter = fmt): string {
  const host = c.connType === 'local' ? '[local]' : hostInfo(c.addr ?? '');
  const enc = f(encryptionState(c, pgVersion));
  if (c.replication === 'physical') return `pg_hba.conf rejects replication connection for host "${host}", user "${c.user}", ${enc}`;
  return f(SERVER.rejectHba, host, c.user, c.database, enc);
}

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
