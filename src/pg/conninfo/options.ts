// libpq's connection options (PQconninfoOptions in fe-connect.c) per major version, with
// their environment variables and compiled-in defaults. The table order is libpq's, which
// is also the order PQconndefaults() lists them in. Versions: authtype and tty were dropped
// in 14, which added sslcrldir and sslsni; 16 added sslcertmode, require_auth,
// gssdelegation and load_balance_hosts; 17 added sslnegotiation; 18 added
// min/max_protocol_version, scram_client_key/scram_server_key, the oauth_* options and
// sslkeylogfile (listed by PQconndefaults() of libpq 18.4).

export interface ConninfoOptionDef {
  keyword: string;
  envvar?: string;
  /** compiled-in default (a build with SSL and GSSAPI, as Debian's) */
  compiled?: string;
  /** first version with the option */
  since?: number;
  /** last version with the option */
  until?: number;
}

const o = (keyword: string, envvar?: string, compiled?: string, since?: number, until?: number): ConninfoOptionDef => ({
  keyword,
  ...(envvar ? { envvar } : {}),
  ...(compiled !== undefined ? { compiled } : {}),
  ...(since ? { since } : {}),
  ...(until ? { until } : {}),
});

export const CONNINFO_OPTIONS: readonly ConninfoOptionDef[] = [
  o('authtype', 'PGAUTHTYPE', '', undefined, 13),
  o('service', 'PGSERVICE'),
  o('user', 'PGUSER'),
  o('password', 'PGPASSWORD'),
  o('passfile', 'PGPASSFILE'),
  o('channel_binding', 'PGCHANNELBINDING', 'prefer'),
  o('connect_timeout', 'PGCONNECT_TIMEOUT'),
  o('dbname', 'PGDATABASE'),
  o('host', 'PGHOST'),
  o('hostaddr', 'PGHOSTADDR'),
  o('port', 'PGPORT', '5432'),
  o('client_encoding', 'PGCLIENTENCODING'),
  o('tty', 'PGTTY', '', undefined, 13),
  o('options', 'PGOPTIONS', ''),
  o('application_name', 'PGAPPNAME'),
  o('fallback_application_name'),
  o('keepalives'),
  o('keepalives_idle'),
  o('keepalives_interval'),
  o('keepalives_count'),
  o('tcp_user_timeout'),
  o('sslmode', 'PGSSLMODE', 'prefer'),
  o('sslnegotiation', 'PGSSLNEGOTIATION', 'postgres', 17),
  o('sslcompression', 'PGSSLCOMPRESSION', '0'),
  o('sslcert', 'PGSSLCERT'),
  o('sslkey', 'PGSSLKEY'),
  o('sslcertmode', 'PGSSLCERTMODE', undefined, 16),
  o('sslpassword'),
  o('sslrootcert', 'PGSSLROOTCERT'),
  o('sslcrl', 'PGSSLCRL'),
  o('sslcrldir', 'PGSSLCRLDIR', undefined, 14),
  o('sslsni', 'PGSSLSNI', '1', 14),
  o('requirepeer', 'PGREQUIREPEER'),
  o('require_auth', 'PGREQUIREAUTH', undefined, 16),
  o('min_protocol_version', 'PGMINPROTOCOLVERSION', undefined, 18),
  o('max_protocol_version', 'PGMAXPROTOCOLVERSION', undefined, 18),
  o('ssl_min_protocol_version', 'PGSSLMINPROTOCOLVERSION', 'TLSv1.2'),
  o('ssl_max_protocol_version', 'PGSSLMAXPROTOCOLVERSION'),
  o('gssencmode', 'PGGSSENCMODE', 'prefer'),
  o('krbsrvname', 'PGKRBSRVNAME', 'postgres'),
  o('gsslib', 'PGGSSLIB'),
  o('gssdelegation', 'PGGSSDELEGATION', '0', 16),
  o('replication'),
  o('target_session_attrs', 'PGTARGETSESSIONATTRS', 'any'),
  o('load_balance_hosts', 'PGLOADBALANCEHOSTS', 'disable', 16),
  o('scram_client_key', undefined, undefined, 18),
  o('scram_server_key', undefined, undefined, 18),
  o('oauth_issuer', undefined, undefined, 18),
  o('oauth_client_id', undefined, undefined, 18),
  o('oauth_client_secret', undefined, undefined, 18),
  o('oauth_scope', undefined, undefined, 18),
  o('sslkeylogfile', undefined, undefined, 18),
];

export const MIN_PG_VERSION = 13;
export const MAX_PG_VERSION = 18;
/** The major a command models when none is named: 18, the current major (what new installs run). */
export const DEFAULT_PG_VERSION = 18;

/** The options a libpq of this major version knows, in libpq's order. */
export function conninfoOptions(pgVersion: number): ConninfoOptionDef[] {
  return CONNINFO_OPTIONS.filter((d) => (d.since ?? 0) <= pgVersion && pgVersion <= (d.until ?? Infinity));
}

export function findConninfoOption(keyword: string, pgVersion: number): ConninfoOptionDef | undefined {
  return conninfoOptions(pgVersion).find((d) => d.keyword === keyword);
}
