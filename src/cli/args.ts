// Minimal option parsing shared by every command: `--flag`, `--key value`, `--key=value`,
// single-dash OpenSSL-style options (`-CAfile F`) and positionals. Unknown options are a
// UsageError (exit 2), never silently ignored.

import { DEFAULT_PG_VERSION, MAX_PG_VERSION, MIN_PG_VERSION } from '../pg/conninfo/options.js';
import { parseHostsFile, type HostsTable } from '../pg/config/hosts.js';
import { nodeFs } from '../pg/fs-node.js';
import { OPENSSL_VERSIONS, type OpensslVersion } from '../tls13/index.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface OptionSpec {
  /** options that take a value */
  values?: string[];
  /** options that are plain flags */
  flags?: string[];
  /** options that may repeat (collected into arrays) */
  repeat?: string[];
}

export interface ParsedArgs {
  opts: Record<string, string | boolean | string[]>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: OptionSpec): ParsedArgs {
  const values = new Set(spec.values ?? []);
  const flags = new Set(spec.flags ?? []);
  const repeat = new Set(spec.repeat ?? []);
  const opts: ParsedArgs['opts'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = (eq > 0 ? a.slice(0, eq) : a).replace(/^--?/, '');
    if (flags.has(name)) {
      if (eq > 0) throw new UsageError(`option ${a.slice(0, eq)} takes no value`);
      opts[name] = true;
    } else if (values.has(name) || repeat.has(name)) {
      let v: string;
      if (eq > 0) v = a.slice(eq + 1);
      else {
        if (i + 1 >= argv.length) throw new UsageError(`option ${a} needs a value`);
        v = argv[++i];
      }
      if (repeat.has(name)) opts[name] = [...((opts[name] as string[]) ?? []), v];
      else opts[name] = v;
    } else {
      throw new UsageError(`unknown option ${a}`);
    }
  }
  return { opts, positionals };
}

/** --pg-version N: the PostgreSQL/libpq major version a command models (default DEFAULT_PG_VERSION, 18). */
export function pgVersionOption(opts: ParsedArgs['opts'], name = '--pg-version'): number {
  const v = opts['pg-version'] === undefined ? DEFAULT_PG_VERSION : Number(opts['pg-version']);
  if (!Number.isInteger(v) || v < MIN_PG_VERSION || v > MAX_PG_VERSION)
    throw new UsageError(`${name} must be ${MIN_PG_VERSION}..${MAX_PG_VERSION}`);
  return v;
}

/** --security-level N: OpenSSL's security level (0..5), or undefined for the build's default. */
export function securityLevelOption(opts: ParsedArgs['opts']): number | undefined {
  if (opts['security-level'] === undefined) return undefined;
  const v = Number(opts['security-level']);
  if (!/^[0-5]$/.test(String(opts['security-level'])) || !Number.isInteger(v))
    throw new UsageError(`--security-level must be 0..5, not ${opts['security-level']}`);
  return v;
}

/** --openssl-version V: the OpenSSL libpq and the server are linked with (default 3.0). */
export function opensslVersionOption(opts: ParsedArgs['opts']): OpensslVersion {
  const v = (opts['openssl-version'] as string | undefined) ?? '3.0';
  if (!(OPENSSL_VERSIONS as readonly string[]).includes(v))
    throw new UsageError(`--openssl-version must be one of ${OPENSSL_VERSIONS.join(', ')}`);
  return v as OpensslVersion;
}

/** --at ISO-8601: the time a command evaluates at (default now). */
export function timeOption(opts: ParsedArgs['opts']): Date {
  const at = opts.at ? new Date(String(opts.at)) : new Date();
  if (Number.isNaN(at.getTime())) throw new UsageError(`--at: not an ISO-8601 time: ${opts.at}`);
  return at;
}

/** A repeatable NAME=VALUE option (--env, --set) as a record; later ones win. */
export function nameValues(opts: ParsedArgs['opts'], option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of (opts[option] as string[] | undefined) ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${option} wants NAME=VALUE, got ${kv}`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

/**
 * The environment a simulated or live libpq client sees: this process's PG* variables, HOME,
 * USER and OpenSSL's SSL_CERT_FILE / SSL_CERT_DIR (sslrootcert=system), then --home and
 * --env NAME=VALUE on top.
 */
export function clientEnvironment(opts: ParsedArgs['opts']): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env))
    if (/^PG|^HOME$|^USER$|^SSL_CERT_(FILE|DIR)$|^LANG$|^LANGUAGE$|^LC_[A-Z]+$/.test(k)) env[k] = v;
  if (opts.home) env.HOME = String(opts.home);
  return { ...env, ...nameValues(opts, 'env') };
}

/** --hosts-file FILE: the server machine's hosts file, read now (undefined: the core reads /etc/hosts). */
export function hostsFileOption(opts: ParsedArgs['opts']): HostsTable | undefined {
  const file = opts['hosts-file'];
  if (file === undefined) return undefined;
  const path = String(file);
  const fs = nodeFs();
  const st = fs.stat(path);
  const bytes = st?.isFile ? fs.read(path) : undefined;
  if (!bytes)
    throw new UsageError(
      `--hosts-file: cannot read ${path}: ${!st ? 'no such file' : st.isDir ? 'is a directory' : st.isFile ? 'permission denied' : 'not a regular file'}`,
    );
  return parseHostsFile(bytes, path);
}
