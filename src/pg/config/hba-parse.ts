// pg_hba.conf as the PostgreSQL server parses it (hba.c: parse_hba_line, parse_hba_auth_opt,
// load_hba). Parsing keeps the server's two outputs apart: the LOG lines (with HINT and
// `line N of configuration file` CONTEXT) written at start-up or reload, and the shorter
// err_msg shown in the pg_hba_file_rules view; they differ in places (clientcert=verify-ca
// with cert) and some failures set no err_msg at all (an invalid clientcert or clientname
// value), exactly as in PostgreSQL 15. Version differences are data: clientcert=1/0/no-verify
// before 14, clientname from 14, backslash continuation from 14, regexes and include records
// from 16. Matching a connection against the parsed lines is hba-match.ts.

import { CONFIG, fmt } from '../messages.js';
import { splitGucList } from './lists.js';
import type { LogLine } from '../log.js';
import type { SimFs } from '../fs.js';
import { hbaFileLabel, tokenizeAuthFile, type AuthToken, type TokenizedAuthLine } from './auth-file.js';
import { lineContext, PgConfigError } from './errors.js';
import { cidrMask, formatIp, parseNumericHost, type IpAddr } from './inet.js';
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
  /** PostgreSQL major version, 13..18 (default DEFAULT_PG_VERSION) */
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
    if (!methods.includes(p.method)) fail(fmt(CONFIG.optionOnlyForMethods, opt, label));
  };
  if (p.method === 'ldap') p.ldap.scope = 2; // LDAP_SCOPE_SUBTREE, set whenever an option is parsed
  switch (name) {
    case 'map':
      onlyFor('map', ['ident', 'peer', 'gss', 'sspi', 'cert'], 'ident, peer, gssapi, sspi, and cert');
      p.usermap = val;
      return;
    case 'clientcert': {
      if (p.connType !== 'hostssl') fail(fmt(CONFIG.clientcertConfiguredRows));
      if (ctx.version < 14) {
        if (val === '1' || val === 'verify-ca') p.clientcert = 'verify-ca';
        else if (val === 'verify-full') p.clientcert = 'verify-full';
        else if (val === '0' || val === 'no-verify') {
          if (p.method === 'cert') fail(fmt(CONFIG.clientcertNoVerifyWithCert));
          p.clientcert = 'off';
        } else fail(fmt(CONFIG.invalidValueClientcert, val), null);
        return;
      }
      if (val === 'verify-full') p.clientcert = 'verify-full';
      else if (val === 'verify-ca') {
        if (p.method === 'cert') fail(fmt(CONFIG.clientcertOnlyVerifyFullWithCert), fmt(CONFIG.clientcertOnlyVerifyFullWithCertView));
        p.clientcert = 'verify-ca';
      } else fail(fmt(CONFIG.invalidValueClientcert, val), null);
      return;
    }
    case 'clientname':
      if (ctx.version < 14) break;
      if (p.connType !== 'hostssl') fail(fmt(CONFIG.clientnameConfiguredRows));
      if (val === 'CN' || val === 'DN') p.clientname = val;
      else fail(fmt(CONFIG.invalidValueClientname, val), null);
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
      if (!ctx.build.openldap) fail(fmt(CONFIG.ldapUrlsSupportedPlatform));
      const u = parseLdapUrl(val);
      // OpenLDAP's URL error codes go through ldap_err2string, which reads them as result codes
      if (!u) fail(fmt(CONFIG.ldapUrlUnparsable, val));
      else {
        if (u.scheme !== 'ldap' && u.scheme !== 'ldaps') fail(fmt(CONFIG.unsupportedLdapUrlScheme, u.scheme));
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
      if (val !== 'ldap' && val !== 'ldaps') ctx.logs.push({ message: fmt(CONFIG.invalidLdapschemeValue, val), context });
      p.ldap.scheme = val;
      return;
    case 'ldapport': {
      onlyFor('ldapport', ['ldap'], 'ldap');
      const n = Number.parseInt(val, 10) || 0;
      if (n === 0) fail(fmt(CONFIG.invalidLdapPortNumber, val));
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
        fail(fmt(CONFIG.couldParseRadiusList, what, val), name === 'radiusports' ? fmt(CONFIG.invalidRadiusPortNumber, val) : null);
      else {
        if (name === 'radiusports' && list.some((x) => (Number.parseInt(x, 10) || 0) === 0))
          fail(fmt(CONFIG.invalidRadiusPortNumber, val), null);
        if (name === 'radiusservers') {
          const bad = list.find((x) => !ctx.resolves(x));
          if (bad !== undefined) fail(fmt(CONFIG.couldTranslateRadiusServerName, bad), null);
        }
        p.radius[name.slice(6) as 'servers'] = list;
        p.radius.raw[name] = val;
      }
      return;
    }
  }
  fail(fmt(CONFIG.unrecognizedAuthenticationOptionName, name));
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
  if (typeToks.length > 1) fail(fmt(CONFIG.multipleValuesSpecifiedConnectionType), fmt(CONFIG.specifyExactlyOneConnectionType));
  const typeStr = typeToks[0].string;
  if (!CONN_TYPES.includes(typeStr as HbaConnType)) fail(fmt(CONFIG.invalidConnectionType, typeStr));
  const connType = typeStr as HbaConnType;
  if (connType === 'local' && !ctx.build.unixSockets) fail(fmt(CONFIG.localConnectionsAreSupportedBuild));
  if (connType === 'hostssl') {
    if (!ctx.build.ssl) {
      const m = fmt(CONFIG.hostsslNoSslBuild);
      ctx.logs.push({ message: m, context });
      ctx.errMsg = m;
    } else if (!ctx.ssl) {
      const m = fmt(CONFIG.hostsslSslOff);
      ctx.logs.push({
        message: m,
        hint: ctx.version >= 17 ? fmt(CONFIG.hostsslSslOffHint17) : fmt(CONFIG.hostsslSslOffHint),
        context,
      });
      ctx.errMsg = m;
    }
  } else if (connType === 'hostgssenc' && !ctx.build.gss) {
    const m = fmt(CONFIG.hostgssencNoGssBuild);
    ctx.logs.push({ message: m, context });
    ctx.errMsg = m;
  }

  const databases = field();
  if (!databases) fail(fmt(CONFIG.endLineBeforeDatabaseSpecification));
  const roles = field();
  if (!roles) fail(fmt(CONFIG.endLineBeforeRoleSpecification));
  if (ctx.version >= 16) {
    // regcomp_auth_token looks at the first character only: a quoted "/..." is a regex too
    // (checked against real 16, 17 and 18: test/support/version-oracle.ts)
    for (const t of [...(databases as AuthToken[]), ...(roles as AuthToken[])]) {
      if (t.string.startsWith('/')) {
        const r = compilePgRegex(t.string.slice(1));
        if (!r.ok) fail(fmt(CONFIG.invalidRegularExpression, t.string.slice(1), r.error));
      }
    }
  }

  let address: HbaAddress | undefined;
  if (connType !== 'local') {
    const addrToks = field();
    if (!addrToks) fail(fmt(CONFIG.endLineBeforeIpAddress));
    const at = addrToks as AuthToken[];
    if (at.length > 1) fail(fmt(CONFIG.multipleValuesSpecifiedHostAddress), fmt(CONFIG.specifyOneAddressRangePer));
    const t = at[0];
    const kw = !t.quoted ? t.string : '';
    if (kw === 'all' || kw === 'samehost' || kw === 'samenet') address = { kind: kw };
    else {
      const slash = t.string.indexOf('/');
      const str = slash >= 0 ? t.string.slice(0, slash) : t.string;
      const addr = parseNumericHost(str);
      if (!addr) {
        if (slash >= 0) fail(fmt(CONFIG.specifyingBothHostNameCidr, t.string));
        address = { kind: 'hostname', name: str };
      } else if (slash >= 0) {
        const mask = cidrMask(t.string.slice(slash + 1), addr.family);
        if (!mask) fail(fmt(CONFIG.invalidCidrMaskAddress, t.string));
        address = { kind: 'cidr', addr, mask: mask as IpAddr };
      } else {
        const maskToks = field();
        if (!maskToks) fail(fmt(CONFIG.endLineBeforeNetmaskSpecification), fmt(CONFIG.specifyAddressRangeCidrNotation));
        const mt = maskToks as AuthToken[];
        if (mt.length > 1) fail(fmt(CONFIG.multipleValuesSpecifiedNetmask));
        const mask = parseNumericHost(mt[0].string);
        if (!mask) fail(fmt(CONFIG.invalidIpMaskNameService, mt[0].string));
        if ((mask as IpAddr).family !== addr.family) fail(fmt(CONFIG.ipAddressMaskDoMatch));
        address = { kind: 'cidr', addr, mask: mask as IpAddr };
      }
    }
  }

  const methodToks = field();
  if (!methodToks) fail(fmt(CONFIG.endLineBeforeAuthenticationMethod));
  const mtoks = methodToks as AuthToken[];
  if (mtoks.length > 1) fail(fmt(CONFIG.multipleValuesSpecifiedAuthenticationType), fmt(CONFIG.specifyExactlyOneAuthenticationType));
  const mname = mtoks[0].string;
  const mdef = Object.hasOwn(METHODS, mname) ? METHODS[mname] : undefined;
  if (!mdef) fail(fmt(CONFIG.invalidAuthenticationMethod, mname));
  const md = mdef as (typeof METHODS)[string];
  if (md.method === 'md5' && ctx.dbUserNamespace) fail(fmt(CONFIG.md5AuthenticationSupportedEnabled));
  if (md.needs && !ctx.build[md.needs]) fail(fmt(CONFIG.invalidAuthenticationMethodSupportedBuild, mname));
  let method = md.method;
  // ident on a local socket means peer, for backwards compatibility
  if (connType === 'local' && method === 'ident') method = 'peer';
  if (connType === 'local' && method === 'gss') fail(fmt(CONFIG.gssapiAuthenticationSupportedLocalSockets));
  if (connType !== 'local' && method === 'peer') fail(fmt(CONFIG.peerAuthenticationSupportedLocalSockets));
  if (connType !== 'hostssl' && method === 'cert') fail(fmt(CONFIG.certAuthenticationSupportedHostsslConnections));

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
      if (eq < 0) fail(fmt(CONFIG.authenticationOptionNameValueFormat, t.string));
      const name = t.string.slice(0, eq);
      const val = t.string.slice(eq + 1);
      parseAuthOption(ctx, p, name, val);
      p.options.push([name, val]);
    }
  }

  if (method === 'ldap') {
    const l = p.ldap;
    if (!ctx.build.openldap && l.server === undefined) fail(fmt(CONFIG.ldapNeedsServer));
    if (l.prefix !== undefined || l.suffix !== undefined) {
      if (
        l.basedn !== undefined ||
        l.binddn !== undefined ||
        l.bindpasswd !== undefined ||
        l.searchattribute !== undefined ||
        l.searchfilter !== undefined
      )
        fail(fmt(CONFIG.cannotUseLdapbasednLdapbinddnLdapbindpasswd));
    } else if (l.basedn === undefined) fail(fmt(CONFIG.ldapNeedsBasedn));
    if (l.searchattribute !== undefined && l.searchfilter !== undefined)
      fail(fmt(CONFIG.cannotUseLdapsearchattributeTogetherLdapsearchfilter));
  }
  if (method === 'radius') {
    const r = p.radius;
    if (!r.servers) fail(fmt(CONFIG.radiusNeedsServers));
    if (!r.secrets) fail(fmt(CONFIG.radiusNeedsSecrets));
    const servers = r.servers as string[];
    const secrets = r.secrets as string[];
    if (servers.length < 1) fail(fmt(CONFIG.listRadiusServersCannotEmpty));
    if (secrets.length < 1) fail(fmt(CONFIG.listRadiusSecretsCannotEmpty));
    const check = (list: string[] | undefined, what: string, zeroOk: boolean) => {
      const n = list?.length ?? 0;
      if ((zeroOk && n === 0) || n === 1 || n === servers.length) return;
      fail(fmt(CONFIG.radiusListLength, what, n, servers.length));
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
    if (!view) log.push({ level: 'LOG', message: fmt(CONFIG.configurationFileContainsNoEntries, path) });
    ok = false;
  }
  if (!ok && mode === 'startup') log.push({ level: 'FATAL', message: fmt(CONFIG.authFileLoadFailed, hbaFileLabel(path, version)) });
  if (!ok && mode === 'reload') log.push({ level: 'LOG', message: fmt(CONFIG.authFileNotReloaded, hbaFileLabel(path, version)) });
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
      log.push({ level: 'LOG', message: fmt(CONFIG.couldOpenConfigurationFile, path, why) });
      const label = hbaFileLabel(path, opts.pgVersion ?? DEFAULT_PG_VERSION);
      log.push(
        opts.mode === 'reload'
          ? { level: 'LOG', message: fmt(CONFIG.authFileNotReloaded, label) }
          : { level: 'FATAL', message: fmt(CONFIG.authFileLoadFailed, label) },
      );
    }
    return { file: path, lines: [], rules: [], log, ok: false };
  }
  return parseHba(fs, path, bytes, opts);
}
