// What libpq does with the options before it opens a socket: conninfo_array_parse (with
// expand_dbname, as psql calls it), conninfo_add_defaults (explicit value, else the service
// file's (service.ts), else environment variable, else PGREQUIRESSL for sslmode, else
// compiled default, else the OS user name for user; from 16 sslrootcert=system turns the default sslmode into verify-full) and
// connectOptions2 (host/hostaddr/port lists, user and dbname defaults, the password file
// (passfile.ts), then each option's validation in libpq's order). The first failure is a
// ConninfoError with libpq's message.

import { parseNumericHost } from '../config/inet.js';
import { ConninfoError } from './errors.js';
import { fmt, LIBPQ, type MessageCall } from '../messages.js';
import { conninfoOptions, findConninfoOption, DEFAULT_PG_VERSION } from './options.js';
import { isConnectionString, parseConninfo, type ConninfoValues } from './parse.js';
import { applyService, type ServiceFiles } from './service.js';
import { passfileStep, type PassFileAccess, type PassfileUse, type PassLookup } from './passfile.js';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
export const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export interface ResolveInput {
  /** PQconnectdb's argument: keyword=value string or URI */
  conninfo?: string;
  /** PQconnectdbParams' keyword/value arrays, in order (empty values are ignored, as libpq does) */
  params?: [string, string][];
  /** treat a connection string given as `dbname` in params as one (psql does) */
  expandDbname?: boolean;
  /** the environment libpq reads (PGHOST, PGSSLMODE, HOME...) */
  env?: Record<string, string | undefined>;
  /** what pg_fe_getauthname would return (the OS user) */
  osUser: string;
  /** home directory for ~/.postgresql defaults (default env.HOME) */
  home?: string;
  /** libpq major version 13..18 (default DEFAULT_PG_VERSION) */
  pgVersion?: number;
  /** DEFAULT_PGSOCKET_DIR of the build (Debian: /var/run/postgresql) */
  defaultSocketDir?: string;
  /** where service= finds its files (pg_service.conf); without it no service is ever found */
  serviceFiles?: ServiceFiles;
  /** the password file as the client sees it (files.ts passFileOn); without it no password file is read */
  passFile?: PassFileAccess;
  /** what libpq itself prints on stderr while it takes the options in (the password file's warnings), and as which message */
  onWarning?: (line: string, said?: MessageCall) => void;
  /**
   * The host libpq has for a target given only a hostaddr. None in libpq itself; but Debian's
   * psql is pg_wrapper, which exports PGHOST=<the local cluster's socket directory> when psql
   * gets no -h, so there the host is that directory (observed: psql 15 via pg_wrapper looks
   * such a target up in the password file as "localhost", /usr/lib/postgresql/15/bin/psql as
   * the address). Used for the password file lookup only.
   */
  pgWrapperHost?: string;
}

export interface ConnTarget {
  /** the host name or socket directory (for verify-full and SNI), or undefined with only hostaddr */
  host?: string;
  hostaddr?: string;
  /** the port as written ("" means 5432) */
  portText: string;
  /** the port libpq will use, when portText is valid */
  port?: number;
  type: 'name' | 'address' | 'socket';
  /**
   * libpq's complaint about this target before it touches the network (invalid port
   * number, unparsable hostaddr); libpq then moves on to the next target.
   */
  error?: string;
  /** an invalid integer port: libpq gives up on the whole connection when it reaches it */
  fatal?: string;
  /** connhost[i].password: what the password file gave this host (only looked up without a password) */
  password?: string;
  /** the password file lookup for this host, when there was one */
  passLookup?: PassLookup;
}

export interface ResolvedConninfo {
  /** every option libpq knows, after defaults; undefined = not set */
  values: Record<string, string | undefined>;
  /** which options the connection string or params set (the rest came from env/defaults) */
  explicit: ConninfoValues;
  targets: ConnTarget[];
  user: string;
  dbname: string;
  sslmode: SslMode;
  /** 17+: how SSL is negotiated ('postgres' before 17) */
  sslnegotiation: 'postgres' | 'direct';
  /** 16+: whether a client certificate may/must be sent ('allow' before 16) */
  sslcertmode: 'disable' | 'allow' | 'require';
  sslMinProtocolVersion: string;
  sslMaxProtocolVersion: string;
  /** the files initialize_SSL will look at, with the ~/.postgresql defaults applied */
  sslFiles: { cert?: string; key?: string; rootcert?: string; crl?: string; crldir?: string };
  /** what connectOptions2 did about the password file (conn->pgpassfile when it was read) */
  passfile: PassfileUse;
}

const TLS_VERSIONS = ['tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3'];

function verifyProtocolVersion(v: string | undefined): boolean {
  return v === undefined || v === '' || TLS_VERSIONS.includes(v.toLowerCase());
}

/** sslVerifyProtocolRange. */
function verifyProtocolRange(min: string | undefined, max: string | undefined): boolean {
  if (!min || !max) return true;
  const a = min.toLowerCase();
  const b = max.toLowerCase();
  if (a === 'tlsv1') return true;
  if (b === 'tlsv1') return false;
  return !(a > b);
}

const invalid = (name: string, value: string) => ConninfoError.of('BAD_VALUE', LIBPQ.invalidOption, name, value);

function splitList(s: string): string[] {
  return s.split(',');
}

/** parse_int_param: strtol base 10, blanks around allowed, must fit an int. */
function parseIntParam(v: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)[ \t\n\v\f\r]*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/** PQconnectPoll's per-target checks before it resolves or connects. */
function checkTarget(t: ConnTarget): void {
  if (t.portText === '') t.port = 5432;
  else {
    const n = parseIntParam(t.portText);
    if (n === undefined) t.fatal = fmt(LIBPQ.invalidPort, t.portText);
    else if (n < 1 || n > 65535) t.error = fmt(LIBPQ.invalidPortNumber, t.portText);
    else t.port = n;
  }
  if (t.type === 'address' && !t.error && !t.fatal && !parseNumericHost(t.hostaddr as string))
    t.error = fmt(LIBPQ.badHostaddr, t.hostaddr as string);
}

function isUnixSockPath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('@');
}

/** require_auth (16+): the same checks and messages as libpq. */
function checkRequireAuth(value: string): void {
  const known = new Set(['password', 'md5', 'gss', 'sspi', 'scram-sha-256', 'none']);
  let negated = false;
  const seen = new Set<string>();
  splitList(value).forEach((part, i) => {
    let method = part;
    if (method.startsWith('!')) {
      if (i > 0 && !negated)
        throw new ConninfoError('BAD_VALUE', `negative require_auth method "${method}" cannot be mixed with non-negative methods`);
      negated = true;
      method = method.slice(1);
    } else if (negated) throw new ConninfoError('BAD_VALUE', `require_auth method "${method}" cannot be mixed with negative methods`);
    if (!known.has(method)) throw invalid('require_auth', method);
    if (seen.has(method)) throw new ConninfoError('BAD_VALUE', `require_auth method "${part}" is specified more than once`);
    seen.add(method);
  });
}

/**
 * Resolve a connection the way libpq does before connecting. Throws ConninfoError with
 * libpq's text for the first problem (parse errors first, then option validation).
 */
export function resolveConninfo(input: ResolveInput): ResolvedConninfo {
  const version = input.pgVersion ?? DEFAULT_PG_VERSION;
  const env = input.env ?? {};
  const defs = conninfoOptions(version);
  const values: Record<string, string | undefined> = Object.fromEntries(defs.map((d) => [d.keyword, undefined]));
  let explicit: ConninfoValues = {};

  if (input.conninfo !== undefined) explicit = { ...parseConninfo(input.conninfo, { pgVersion: version }) };
  if (input.params) {
    const params = input.params;
    let dbnameOptions: ConninfoValues | undefined;
    if (input.expandDbname) {
      const db = params.find(([k]) => k === 'dbname');
      if (db && isConnectionString(db[1])) dbnameOptions = parseConninfo(db[1], { pgVersion: version });
    }
    for (const [k, v] of params) {
      if (v === '') continue;
      if (!findConninfoOption(k, version)) throw ConninfoError.of('UNKNOWN_OPTION', LIBPQ.invalidConnOption, k);
      if (k === 'dbname' && dbnameOptions) {
        Object.assign(explicit, dbnameOptions);
        dbnameOptions = undefined;
      } else explicit[k] = v;
    }
  }
  for (const [k, v] of Object.entries(explicit)) values[k] = v;

  // conninfo_add_defaults
  const service = values.service ?? env.PGSERVICE;
  if (service !== undefined && service !== '') {
    const files = input.serviceFiles ?? { read: () => undefined, exists: () => false };
    applyService(values, { service, env, home: input.home ?? env.HOME, pgVersion: version, files });
  }
  let sslmodeDefaulted = false;
  for (const d of defs) {
    if (values[d.keyword] !== undefined) continue;
    if (d.envvar && env[d.envvar] !== undefined) {
      values[d.keyword] = env[d.envvar];
      continue;
    }
    if (d.keyword === 'sslmode') {
      if ((env.PGREQUIRESSL ?? '')[0] === '1') {
        values.sslmode = 'require';
        continue;
      }
      sslmodeDefaulted = true;
    }
    if (d.compiled !== undefined) {
      values[d.keyword] = d.compiled;
      continue;
    }
    if (d.keyword === 'user') values.user = input.osUser;
  }
  if (version >= 16 && sslmodeDefaulted && values.sslrootcert === 'system') values.sslmode = 'verify-full';

  // connectOptions2: hosts and ports
  const hostaddrs = values.hostaddr ? splitList(values.hostaddr) : undefined;
  const hosts = values.host ? splitList(values.host) : undefined;
  const n = hostaddrs?.length ?? hosts?.length ?? 1;
  if (hosts && hosts.length !== n)
    throw new ConninfoError('BAD_VALUE', `could not match ${hosts.length} host names to ${n} hostaddr values`);
  let ports: string[] = Array<string>(n).fill('');
  if (values.port) {
    const p = splitList(values.port);
    if (p.length === 1) ports = Array<string>(n).fill(p[0]);
    else if (p.length !== n) throw new ConninfoError('BAD_VALUE', `could not match ${p.length} port numbers to ${n} hosts`);
    else ports = p;
  }
  const socketDir = input.defaultSocketDir ?? '/var/run/postgresql';
  const targets: ConnTarget[] = [];
  for (let i = 0; i < n; i++) {
    const hostaddr = hostaddrs?.[i];
    const host = hosts?.[i];
    const t: ConnTarget = hostaddr
      ? { host: host || undefined, hostaddr, portText: ports[i], type: 'address' }
      : host
        ? { host, portText: ports[i], type: isUnixSockPath(host) ? 'socket' : 'name' }
        : { host: socketDir, portText: ports[i], type: 'socket' };
    checkTarget(t);
    targets.push(t);
  }

  const user = values.user ? values.user : input.osUser;
  const failAllTargets = () => {
    // every target fails before any network I/O: libpq reports them all, in order
    const msgs: string[] = [];
    for (const t of targets) {
      if (t.fatal) {
        msgs.push(t.fatal);
        return msgs.join('\n');
      }
      if (!t.error) return undefined;
      msgs.push(t.error);
    }
    return msgs.join('\n');
  };
  const dbname = values.dbname ? values.dbname : user;

  // the password file, before the option checks below (its warnings come first)
  const home = input.home ?? env.HOME;
  const pass = passfileStep({
    password: values.password,
    passfile: values.passfile,
    home,
    access: input.passFile,
    targets,
    dbname,
    user,
    defaultSocketDir: socketDir,
    hostaddrOnlyHost: input.pgWrapperHost,
    warn: input.onWarning,
  });
  pass.lookups.forEach((l, i) => {
    if (!l) return;
    targets[i].passLookup = l;
    if (l.found) targets[i].password = l.password;
  });

  if (version >= 16 && values.require_auth) checkRequireAuth(values.require_auth);
  const cb = values.channel_binding;
  if (cb !== undefined && !['disable', 'prefer', 'require'].includes(cb)) throw invalid('channel_binding', cb);

  const sslmode = values.sslmode ?? 'prefer';
  if (!SSL_MODES.includes(sslmode as SslMode)) throw invalid('sslmode', sslmode);

  let sslnegotiation: 'postgres' | 'direct' = 'postgres';
  if (version >= 17) {
    const neg = values.sslnegotiation ?? 'postgres';
    if (neg !== 'postgres' && neg !== 'direct') throw invalid('sslnegotiation', neg);
    if (neg === 'direct' && sslmode[0] !== 'r' && sslmode[0] !== 'v')
      throw new ConninfoError(
        'BAD_VALUE',
        `weak sslmode "${sslmode}" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")`,
      );
    sslnegotiation = neg;
  }
  if (version >= 16 && values.sslrootcert === 'system' && sslmode !== 'verify-full')
    throw new ConninfoError('BAD_VALUE', `weak sslmode "${sslmode}" may not be used with sslrootcert=system (use "verify-full")`);

  const min = values.ssl_min_protocol_version;
  const max = values.ssl_max_protocol_version;
  if (!verifyProtocolVersion(min)) throw invalid('ssl_min_protocol_version', min as string);
  if (!verifyProtocolVersion(max)) throw invalid('ssl_max_protocol_version', max as string);
  if (!verifyProtocolRange(min, max)) throw new ConninfoError('BAD_VALUE', 'invalid SSL protocol version range');

  let sslcertmode: 'disable' | 'allow' | 'require' = 'allow';
  if (version >= 16 && values.sslcertmode !== undefined) {
    const m = values.sslcertmode;
    if (m !== 'disable' && m !== 'allow' && m !== 'require') throw invalid('sslcertmode', m);
    sslcertmode = m;
  }

  const gss = values.gssencmode;
  if (gss !== undefined && !['disable', 'prefer', 'require'].includes(gss)) throw invalid('gssencmode', gss);
  const tsa = values.target_session_attrs;
  if (tsa !== undefined && !['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'].includes(tsa))
    throw invalid('target_session_attrs', tsa);
  if (version >= 16) {
    const lb = values.load_balance_hosts;
    if (lb !== undefined && lb !== 'disable' && lb !== 'random') throw invalid('load_balance_hosts', lb);
  }

  const unreachable = failAllTargets();
  if (unreachable !== undefined) throw new ConninfoError('BAD_VALUE', unreachable);

  const inHome = (f: string) => (home ? `${home}/.postgresql/${f}` : undefined);
  const given = (v: string | undefined) => (v !== undefined && v !== '' ? v : undefined);
  const crl = given(values.sslcrl);
  const crldir = given(values.sslcrldir);
  return {
    values,
    explicit,
    targets,
    user,
    dbname,
    sslmode: sslmode as SslMode,
    sslnegotiation,
    sslcertmode,
    sslMinProtocolVersion: min ?? '',
    sslMaxProtocolVersion: max ?? '',
    sslFiles: {
      cert: given(values.sslcert) ?? inHome('postgresql.crt'),
      key: given(values.sslkey) ?? inHome('postgresql.key'),
      rootcert: given(values.sslrootcert) ?? inHome('root.crt'),
      crl: crl ?? (crldir ? undefined : inHome('root.crl')),
      crldir,
    },
    passfile: pass.use,
  };
}

export interface PsqlInvocation {
  /** psql's database argument (or -d): a name, a keyword=value string or a URI */
  dbname?: string;
  host?: string;
  port?: string;
  user?: string;
  env?: Record<string, string | undefined>;
  osUser: string;
  pgVersion?: number;
  serviceFiles?: ServiceFiles;
  passFile?: PassFileAccess;
  onWarning?: (line: string, said?: MessageCall) => void;
  pgWrapperHost?: string;
}

/** What psql hands libpq (PQconnectdbParams with expand_dbname) for its command line. */
export function resolvePsql(inv: PsqlInvocation): ResolvedConninfo {
  const params: [string, string][] = [
    ['host', inv.host ?? ''],
    ['port', inv.port ?? ''],
    ['user', inv.user ?? ''],
    ['dbname', inv.dbname ?? ''],
    ['fallback_application_name', 'psql'],
  ];
  const { env, osUser, pgVersion, serviceFiles, passFile, onWarning, pgWrapperHost } = inv;
  return resolveConninfo({ params, expandDbname: true, env, osUser, pgVersion, serviceFiles, passFile, onWarning, pgWrapperHost });
}
