// The settings a PostgreSQL 15 server ends up with after reading postgresql.conf: file
// locations (data_directory, hba_file, ident_file as SelectConfigFiles picks them), the
// listener (port, listen_addresses) and every ssl_* parameter with its built-in default.
// Relative ssl_* paths are relative to the data directory, because the postmaster chdir()s
// there before loading them; hba_file and ident_file are made absolute against the working
// directory at start-up.

import type { SslSettings } from '../server/startup.js';
import { parsePgBool, parsePgInt, type ParsedConf } from './postgresql-conf.js';
import { absoluteConfigLocation, joinPaths, parentDirectory } from './paths.js';

/** The PostgreSQL 15 boot values of the parameters pgtls reads. */
export const PG15_DEFAULTS = {
  ssl: 'off',
  ssl_cert_file: 'server.crt',
  ssl_key_file: 'server.key',
  ssl_ca_file: '',
  ssl_crl_file: '',
  ssl_crl_dir: '',
  ssl_ciphers: 'HIGH:MEDIUM:+3DES:!aNULL',
  ssl_prefer_server_ciphers: 'on',
  ssl_ecdh_curve: 'prime256v1',
  ssl_dh_params_file: '',
  ssl_passphrase_command: '',
  ssl_passphrase_command_supports_reload: 'off',
  ssl_min_protocol_version: 'TLSv1.2',
  ssl_max_protocol_version: '',
  listen_addresses: 'localhost',
  port: '5432',
  data_directory: '',
  hba_file: '',
  ident_file: '',
} as const;

export type KnownSetting = keyof typeof PG15_DEFAULTS;

export interface ServerSslSettings extends SslSettings {
  preferServerCiphers: boolean;
  dhParamsFile: string;
}

export interface ServerSettings {
  configFile: string;
  dataDirectory: string;
  hbaFile: string;
  identFile: string;
  port: number;
  listenAddresses: string;
  /** values as written (relative paths relative to dataDirectory) */
  ssl: ServerSslSettings;
  /** the ssl_* file settings made absolute; empty settings stay empty */
  sslPaths: { certFile: string; keyFile: string; caFile: string; crlFile: string; crlDir: string; dhParamsFile: string };
  /** where each non-default value came from ("command line" for overrides) */
  sources: Partial<Record<KnownSetting, { file?: string; line?: number }>>;
}

export interface ServerSettingsOptions {
  /** the -D directory (configdir); defaults to the directory of the config file */
  configDir?: string;
  /** the postmaster's working directory at start, for relative data_directory/hba_file */
  cwd?: string;
  /** -c name=value options: they win over the file */
  overrides?: Record<string, string>;
}

export function serverSettings(conf: ParsedConf, opts: ServerSettingsOptions = {}): ServerSettings {
  const configDir = opts.configDir ?? parentDirectory(conf.file);
  const cwd = opts.cwd ?? configDir;
  const sources: ServerSettings['sources'] = {};
  const overrides = new Map(Object.entries(opts.overrides ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const get = (name: KnownSetting): string => {
    const o = overrides.get(name);
    if (o !== undefined) {
      sources[name] = { file: 'command line' };
      return o;
    }
    const s = conf.settings.get(name);
    if (s) {
      sources[name] = { file: s.file, line: s.line };
      return s.value;
    }
    return PG15_DEFAULTS[name];
  };
  const bool = (name: KnownSetting) => parsePgBool(get(name)) ?? parsePgBool(PG15_DEFAULTS[name]) ?? false;
  const dd = get('data_directory');
  const dataDirectory = dd ? absoluteConfigLocation(dd, undefined, cwd) : configDir;
  const hba = get('hba_file');
  const ident = get('ident_file');
  const port = parsePgInt(get('port')) ?? 5432;
  const ssl: ServerSslSettings = {
    ssl: bool('ssl'),
    certFile: get('ssl_cert_file'),
    keyFile: get('ssl_key_file'),
    caFile: get('ssl_ca_file'),
    crlFile: get('ssl_crl_file'),
    crlDir: get('ssl_crl_dir'),
    minProtocol: canonicalProtocol(get('ssl_min_protocol_version')),
    maxProtocol: canonicalProtocol(get('ssl_max_protocol_version')),
    ciphers: get('ssl_ciphers'),
    ecdhCurve: get('ssl_ecdh_curve'),
    groups: sslGroups(conf, overrides),
    tls13Ciphers: overrides.get('ssl_tls13_ciphers') ?? conf.settings.get('ssl_tls13_ciphers')?.value ?? '',
    passphraseCommand: get('ssl_passphrase_command'),
    passphraseCommandSupportsReload: bool('ssl_passphrase_command_supports_reload'),
    preferServerCiphers: bool('ssl_prefer_server_ciphers'),
    dhParamsFile: get('ssl_dh_params_file'),
  };
  const inData = (p: string) => (p ? absoluteConfigLocation(p, undefined, dataDirectory) : '');
  return {
    configFile: conf.file,
    dataDirectory,
    hbaFile: hba ? absoluteConfigLocation(hba, undefined, cwd) : joinPaths(configDir, 'pg_hba.conf'),
    identFile: ident ? absoluteConfigLocation(ident, undefined, cwd) : joinPaths(configDir, 'pg_ident.conf'),
    port,
    listenAddresses: get('listen_addresses'),
    ssl,
    sslPaths: {
      certFile: inData(ssl.certFile),
      keyFile: inData(ssl.keyFile),
      caFile: inData(ssl.caFile),
      crlFile: inData(ssl.crlFile),
      crlDir: inData(ssl.crlDir),
      dhParamsFile: inData(ssl.dhParamsFile),
    },
    sources,
  };
}

/**
 * PostgreSQL 18's ssl_groups: ssl_ecdh_curve is its old name (map_old_guc_names), so
 * whichever of the two is set last wins; -c overrides first. Undefined: neither is set.
 */
function sslGroups(conf: ParsedConf, overrides: Map<string, string>): string | undefined {
  const names = ['ssl_groups', 'ssl_ecdh_curve'];
  for (const n of names) if (overrides.has(n)) return overrides.get(n);
  const set = conf.items.filter((it) => it.applied && it.name !== undefined && names.includes(it.name.toLowerCase()));
  return set.length ? (set[set.length - 1].value ?? '') : undefined;
}

/** Enum values are matched case-insensitively; SHOW prints the canonical spelling. */
function canonicalProtocol(v: string): string {
  const all = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  return all.find((a) => a.toLowerCase() === v.toLowerCase()) ?? v;
}
