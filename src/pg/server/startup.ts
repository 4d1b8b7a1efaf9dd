// The server's SSL start-up (be_tls_init in be-secure-openssl.c and the key-file check in
// be-secure-common.c), step by step in the server's own order, with the FATAL message and
// DETAIL the real server prints for each failure. OpenSSL's reason strings (the part after
// the colon) were observed on PostgreSQL 15 + OpenSSL 3.0 and are listed in files.ts REASON.

import { isInputError } from '../../der/index.js';
import {
  keyMatchesCertificate,
  loadCertificate,
  parsePrivateKey,
  PassphraseRequiredError,
  BadPassphraseError,
  type Certificate,
  type Crl,
  type PrivateKey,
} from '../../x509/index.js';
import { joinPath, ROOT_UID, type ProcessIdentity, type SimFs } from '../fs.js';
import {
  certsAndCrlsIn,
  isCertificateBlock,
  loadCrlDir,
  pemBlocks,
  pemReadFailure,
  readFileAs,
  REASON,
  SECURITY_REASON,
  type ReasonKey,
} from '../files.js';
import { sslSecurityChain, type SslSecurityFailure } from '../../path/index.js';
import { defaultSecurityLevel } from '../../crypto/index.js';
import { fmt, SERVER } from '../messages.js';
import type { LogLine } from '../log.js';
import { ecdhCurveGroups, sslGroupsGroups, type ServerGroups } from './groups.js';
import { DEFAULT_PG_VERSION } from '../conninfo/options.js';

export type TlsVersionName = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
const VERSION_ORDER: TlsVersionName[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** The SSL settings of postgresql.conf, resolved (paths still as written; relative = PGDATA). */
export interface SslSettings {
  ssl: boolean;
  certFile: string;
  keyFile: string;
  caFile: string;
  crlFile: string;
  crlDir: string;
  minProtocol: string;
  maxProtocol: string;
  ciphers: string;
  ecdhCurve: string;
  /**
   * PostgreSQL 18's ssl_groups as it ends up (ssl_ecdh_curve is its old name there: the
   * later of the two lines wins); undefined means the default, X25519:prime256v1
   */
  groups?: string;
  /** PostgreSQL 18's ssl_tls13_ciphers ('' or undefined: OpenSSL's default TLS 1.3 suites) */
  tls13Ciphers?: string;
  passphraseCommand: string;
  passphraseCommandSupportsReload: boolean;
}

/** The level of Debian 12's OpenSSL 3.0, the build pgtls models unless told otherwise. */
export const DEFAULT_SECURITY_LEVEL = defaultSecurityLevel('3.0');

export const SSL_DEFAULTS: SslSettings = {
  ssl: false,
  certFile: 'server.crt',
  keyFile: 'server.key',
  caFile: '',
  crlFile: '',
  crlDir: '',
  minProtocol: 'TLSv1.2',
  maxProtocol: '',
  ciphers: 'HIGH:MEDIUM:+3DES:!aNULL',
  ecdhCurve: 'prime256v1',
  passphraseCommand: '',
  passphraseCommandSupportsReload: false,
};

/** What a started server holds for TLS. */
export interface ServerTls {
  /** server.crt: the leaf, then the intermediates sent with it */
  chain: Certificate[];
  /** ssl_cert_file as it was when this context was loaded (a failed reload keeps the old context) */
  certFile: string;
  key: PrivateKey;
  /** ssl_ca_file certificates: the trust store for client certificates, and the CA names sent in CertificateRequest */
  caCerts: Certificate[];
  /** true when ssl_ca_file is set: the server sends CertificateRequest */
  requestClientCert: boolean;
  /** CRLs from ssl_crl_file, ssl_crl_dir and any CRLs inside ssl_ca_file */
  crls: Crl[];
  /** X509_V_FLAG_CRL_CHECK | CRL_CHECK_ALL, set when ssl_crl_file or ssl_crl_dir loaded */
  crlCheckAll: boolean;
  minVersion: TlsVersionName;
  maxVersion: TlsVersionName;
  /**
   * the SSL_CTX's security level after ssl_ciphers (`@SECLEVEL=n`): the auth level for client
   * certificates, and the level the server's own chain is checked at again on each handshake
   */
  securityLevel: number;
  /** the OpenSSL whose security bits the level compares ('1.1' rates SHA-1 80 bits; default 3.0's) */
  opensslVersion?: string;
  /** the key-exchange groups ssl_ecdh_curve (13-17) or ssl_groups (18) allow */
  groups: ServerGroups;
  /** ssl_tls13_ciphers (18): the TLS 1.3 suites in the server's order; undefined: OpenSSL's default */
  tls13Suites?: number[];
}

/** PostgreSQL 18's ssl_groups default (guc_tables.c). */
const PG18_SSL_GROUPS = 'X25519:prime256v1';

export interface StartupInput {
  fs: SimFs;
  pgdata: string;
  settings: SslSettings;
  /** the server process: postgres's uid (the data directory owner) and its groups */
  server: ProcessIdentity;
  /**
   * What ssl_passphrase_command prints. The simulator runs no commands: callers pass the
   * passphrase, or use passphraseFromCommand() for the `echo WORD` form.
   */
  passphrase?: string;
  reload?: boolean;
  /**
   * The security level of a new SSL_CTX (openssl.cnf's system default; 2 on Debian's
   * OpenSSL 3): it judges server.crt when it loads. `@SECLEVEL=n` in ssl_ciphers changes it
   * afterwards (every major sets the cipher list after it loads server.crt): the level each
   * handshake checks the server's chain and client certificates at (measured on 13-18).
   */
  securityLevel?: number;
  /** the OpenSSL build, whose security bits the levels compare (default 3.0; '1.1' counts SHA-1 as 80 bits) */
  opensslVersion?: string;
  /** the server's major version (default DEFAULT_PG_VERSION, 18): 18 reads ssl_groups instead of ssl_ecdh_curve */
  pgVersion?: number;
}

/** Which SSL file a start-up failure is about (the setting that names it). */
export type SslFileSetting = 'ssl_cert_file' | 'ssl_key_file' | 'ssl_ca_file' | 'ssl_crl_file' | 'ssl_crl_dir';

/** Why be_tls_init stopped, as a value: fix.ts reads this, never the message. */
export type StartupCause =
  /** the file could not be read or loaded, with OpenSSL's reason (a REASON key) */
  | { kind: 'file'; setting: SslFileSetting; file: string; why: ReasonKey }
  /** ssl_security_cert refused a certificate of ssl_cert_file at this security level */
  | { kind: 'cert-security'; file: string; failure: SslSecurityFailure; level: number }
  | { kind: 'key-not-regular'; file: string }
  | { kind: 'key-owner'; file: string }
  | { kind: 'key-perms'; file: string }
  | { kind: 'key-reload-passphrase'; file: string }
  | { kind: 'protocol-version' }
  | { kind: 'protocol-range' }
  /** ssl_ciphers (TLS 1.2 and below) or, in 18, ssl_tls13_ciphers selects nothing */
  | { kind: 'ciphers'; setting: 'ssl_ciphers' | 'ssl_tls13_ciphers' }
  /** the key-exchange group setting (ssl_ecdh_curve up to 17, ssl_groups in 18) is refused */
  | { kind: 'ecdh-curve'; setting: 'ssl_ecdh_curve' | 'ssl_groups' }
  /** pg_hba.conf has lines the server refuses, or none (the postmaster's load_hba, after be_tls_init) */
  | { kind: 'hba-load' };

export type StartupResult =
  | { ok: true; tls?: ServerTls; log: LogLine[] }
  | { ok: false; log: LogLine[]; fatal: LogLine; cause: StartupCause };

class StartupFailure extends Error {
  constructor(
    readonly line: LogLine,
    readonly startupCause: StartupCause,
  ) {
    super(line.message);
  }
}

const fatal = (cause: StartupCause, message: string, detail?: string, hint?: string): never => {
  throw new StartupFailure({ level: 'FATAL', message, detail, ...(hint ? { hint } : {}) }, cause);
};

/** The passphrase an `echo WORD` ssl_passphrase_command would print; undefined for anything else. */
function passphraseFromCommand(cmd: string): string | undefined {
  const m = /^\s*echo\s+(?:'([^']*)'|"([^"]*)"|(\S+))\s*$/.exec(cmd);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/** SSL_CTX_use_certificate_chain_file: the first certificate, then the rest as the chain. */
function loadCertChain(input: StartupInput, path: string): Certificate[] {
  const r = readFileAs(input.fs, path, input.server);
  const file = input.settings.certFile;
  const failed = (why: ReasonKey) => fatal({ kind: 'file', setting: 'ssl_cert_file', file, why }, fmt(SERVER.loadCert, file, REASON[why]));
  if ('reason' in r) return failed(r.why);
  const pemFailure = pemReadFailure(r);
  if (pemFailure) return failed(pemFailure);
  const certs = pemBlocks(r).filter(isCertificateBlock);
  if (certs.length === 0) return failed('noStartLine');
  let chain: Certificate[];
  try {
    chain = certs.map((b, i) => loadCertificate(b.der, i === 0 ? 'X509_AUX' : 'X509'));
  } catch (e) {
    if (isInputError(e)) return failed('asn1');
    throw e;
  }
  const level = input.securityLevel ?? DEFAULT_SECURITY_LEVEL;
  const weak = sslSecurityChain(chain, level, input.opensslVersion);
  if (weak) return fatal({ kind: 'cert-security', file, failure: weak, level }, fmt(SERVER.loadCert, file, SECURITY_REASON[weak]));
  return chain;
}

/** check_ssl_key_file_permissions (be-secure-common.c). */
function checkKeyPermissions(input: StartupInput, path: string): void {
  const name = input.settings.keyFile;
  const st = input.fs.stat(path);
  if (!st) return fatal({ kind: 'file', setting: 'ssl_key_file', file: name, why: 'noFile' }, fmt(SERVER.keyAccess, name, REASON.noFile));
  if (!st.isFile) return fatal({ kind: 'key-not-regular', file: name }, fmt(SERVER.keyNotRegular, name));
  if (st.uid !== input.server.uid && st.uid !== ROOT_UID) return fatal({ kind: 'key-owner', file: name }, fmt(SERVER.keyOwner, name));
  const tooOpen = st.uid === input.server.uid ? (st.mode & 0o077) !== 0 : (st.mode & 0o037) !== 0;
  if (tooOpen) return fatal({ kind: 'key-perms', file: name }, fmt(SERVER.keyPerms, name), SERVER.keyPermsDetail.format);
}

function loadKey(input: StartupInput, path: string, leaf: Certificate): PrivateKey {
  const name = input.settings.keyFile;
  const failed = (why: ReasonKey) =>
    fatal({ kind: 'file', setting: 'ssl_key_file', file: name, why }, fmt(SERVER.loadKey, name, REASON[why]));
  const r = readFileAs(input.fs, path, input.server);
  if ('reason' in r) return failed(r.why);
  const blocks = pemBlocks(r);
  if (!blocks.some((b) => /PRIVATE KEY$/.test(b.label))) return failed('unsupported');
  // At a reload the command runs only with ssl_passphrase_command_supports_reload; otherwise
  // be_tls_init installs a callback that supplies nothing (dummy_ssl_passwd_cb).
  const askCommand = !input.reload || (input.settings.passphraseCommand !== '' && input.settings.passphraseCommandSupportsReload);
  const passphrase = askCommand ? (input.passphrase ?? passphraseFromCommand(input.settings.passphraseCommand)) : undefined;
  let key: PrivateKey;
  try {
    key = parsePrivateKey(r, passphrase);
  } catch (e) {
    if (e instanceof BadPassphraseError) return failed('badDecrypt');
    if (e instanceof PassphraseRequiredError) {
      if (!askCommand) return fatal({ kind: 'key-reload-passphrase', file: name }, fmt(SERVER.keyReloadPassphrase, name));
      return failed(passphrase === undefined ? 'processingError' : 'badDecrypt');
    }
    if (isInputError(e)) return failed('unsupported');
    throw e;
  }
  if (!keyMatchesCertificate(key, leaf)) return failed('keyMismatch');
  return key;
}

function protocolRange(s: SslSettings): { min: TlsVersionName; max: TlsVersionName } {
  const parse = (v: string, setting: string, dflt: TlsVersionName): TlsVersionName => {
    if (v === '') return dflt;
    const hit = VERSION_ORDER.find((x) => x.toLowerCase() === v.toLowerCase());
    return hit ?? fatal({ kind: 'protocol-version' }, fmt(SERVER.protoNotSupported, setting, v));
  };
  const min = parse(s.minProtocol, 'ssl_min_protocol_version', 'TLSv1');
  const max = parse(s.maxProtocol, 'ssl_max_protocol_version', 'TLSv1.3');
  if (VERSION_ORDER.indexOf(min) > VERSION_ORDER.indexOf(max)) {
    return fatal(
      { kind: 'protocol-range' },
      SERVER.protoRange.format,
      fmt(SERVER.protoRangeDetail, 'ssl_min_protocol_version', 'ssl_max_protocol_version'),
    );
  }
  return { min, max };
}

/** initialize_ecdh: ssl_ecdh_curve (13-17) or ssl_groups (18), see groups.ts. */
function serverGroups(s: SslSettings, pgVersion: number): ServerGroups {
  const r = pgVersion >= 18 ? sslGroupsGroups(s.groups ?? PG18_SSL_GROUPS) : ecdhCurveGroups(s.ecdhCurve);
  return r.ok
    ? r.groups
    : fatal({ kind: 'ecdh-curve', setting: pgVersion >= 18 ? 'ssl_groups' : 'ssl_ecdh_curve' }, r.message, undefined, r.hint);
}

/** OpenSSL 3.0's TLS 1.3 suites by name (SSL_CTX_set_ciphersuites matches exactly). */
const TLS13_SUITES: Record<string, number> = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_AES_128_CCM_SHA256: 0x1304,
  TLS_AES_128_CCM_8_SHA256: 0x1305,
};

/**
 * ssl_tls13_ciphers through SSL_CTX_set_ciphersuites (OpenSSL 3.0): a colon list; unknown
 * names are skipped, a list left empty fails ("no cipher match", checked with s_client
 * -ciphersuites).
 */
function tls13CipherSuites(list: string): number[] {
  const ids = list
    .split(':')
    .map((w) => TLS13_SUITES[w.trim()])
    .filter((id): id is number => id !== undefined);
  return ids.length ? [...new Set(ids)] : fatal({ kind: 'ciphers', setting: 'ssl_tls13_ciphers' }, SERVER.tls13Ciphers.format);
}

/** X509_STORE_load_file: every certificate and CRL in the file; none at all is an error. */
function loadCaFile(
  input: StartupInput,
  path: string,
  setting: string,
  msg: typeof SERVER.loadRoot,
  which: SslFileSetting,
): { certs: Certificate[]; crls: Crl[] } {
  const failed = (why: ReasonKey) => fatal({ kind: 'file', setting: which, file: setting, why }, fmt(msg, setting, REASON[why]));
  const r = readFileAs(input.fs, path, input.server);
  if ('reason' in r) return failed(r.why);
  const pemFailure = pemReadFailure(r);
  if (pemFailure) return failed(pemFailure);
  let certs: Certificate[];
  let crls: Crl[];
  try {
    ({ certs, crls } = certsAndCrlsIn(r));
  } catch (e) {
    if (isInputError(e)) return failed('asn1');
    throw e;
  }
  if (certs.length === 0 && crls.length === 0) return failed('noCertOrCrl');
  return { certs, crls };
}

/** be_tls_init: everything the server checks before it accepts connections. */
export function startServerTls(input: StartupInput): StartupResult {
  const s = input.settings;
  if (!s.ssl) return { ok: true, log: [] };
  const at = (p: string) => joinPath(input.pgdata, p);
  const pgVersion = input.pgVersion ?? DEFAULT_PG_VERSION;
  try {
    const chain = loadCertChain(input, at(s.certFile));
    checkKeyPermissions(input, at(s.keyFile));
    const key = loadKey(input, at(s.keyFile), chain[0]);
    const { min, max } = protocolRange(s);
    // be_tls_init's order: initialize_ecdh, then the cipher list
    const groups = serverGroups(s, pgVersion);
    if (!cipherListUsable(s.ciphers))
      fatal({ kind: 'ciphers', setting: 'ssl_ciphers' }, pgVersion >= 18 ? SERVER.cipherList18.format : SERVER.cipherList.format);
    const tls13Suites = pgVersion >= 18 && s.tls13Ciphers ? tls13CipherSuites(s.tls13Ciphers) : undefined;
    let caCerts: Certificate[] = [];
    const crls: Crl[] = [];
    if (s.caFile) {
      const ca = loadCaFile(input, at(s.caFile), s.caFile, SERVER.loadRoot, 'ssl_ca_file');
      caCerts = ca.certs;
      crls.push(...ca.crls);
    }
    let crlCheckAll = false;
    if (s.crlFile || s.crlDir) {
      if (s.crlFile) {
        const msg = s.crlDir ? SERVER.loadCrlBoth : SERVER.loadCrlFile;
        const r = readFileAs(input.fs, at(s.crlFile), input.server);
        const args = (reason: string) => (s.crlDir ? fmt(msg, s.crlFile, s.crlDir, reason) : fmt(msg, s.crlFile, reason));
        if ('reason' in r) fatal({ kind: 'file', setting: 'ssl_crl_file', file: s.crlFile, why: r.why }, args(r.reason));
        const loaded = loadCaFile(input, at(s.crlFile), s.crlFile, SERVER.loadCrlFile, 'ssl_crl_file');
        crls.push(...loaded.crls);
        caCerts.push(...loaded.certs);
      }
      if (s.crlDir) crls.push(...loadCrlDir(input.fs, at(s.crlDir), input.server));
      crlCheckAll = true;
    }
    return {
      ok: true,
      log: [],
      tls: {
        chain,
        certFile: s.certFile,
        key,
        caCerts,
        requestClientCert: s.caFile !== '',
        crls,
        crlCheckAll,
        minVersion: min,
        maxVersion: max,
        groups,
        securityLevel: cipherSecurityLevel(s.ciphers) ?? input.securityLevel ?? DEFAULT_SECURITY_LEVEL,
        ...(input.opensslVersion ? { opensslVersion: input.opensslVersion } : {}),
        ...(tls13Suites ? { tls13Suites } : {}),
      },
    };
  } catch (e) {
    if (e instanceof StartupFailure) return { ok: false, log: [e.line], fatal: e.line, cause: e.startupCause };
    throw e;
  }
}

/**
 * Whether an OpenSSL cipher string selects any cipher. The full cipher-string language is
 * not modelled; a list made only of unknown words is the failure users hit in practice.
 */
const CIPHER_WORDS = new Set(
  [
    'ALL',
    'DEFAULT',
    'COMPLEMENTOFALL',
    'COMPLEMENTOFDEFAULT',
    'HIGH',
    'MEDIUM',
    'LOW',
    'eNULL',
    'NULL',
    'aNULL',
    'kRSA',
    'aRSA',
    'RSA',
    'kDHE',
    'kEDH',
    'DH',
    'DHE',
    'EDH',
    'ADH',
    'kEECDH',
    'kECDHE',
    'ECDH',
    'ECDHE',
    'EECDH',
    'AECDH',
    'aDSS',
    'DSS',
    'aECDSA',
    'ECDSA',
    'TLSv1.2',
    'TLSv1.0',
    'SSLv3',
    'AES128',
    'AES256',
    'AES',
    'AESGCM',
    'AESCCM',
    'AESCCM8',
    'ARIA128',
    'ARIA256',
    'ARIA',
    'CAMELLIA128',
    'CAMELLIA256',
    'CAMELLIA',
    'CHACHA20',
    '3DES',
    'DES',
    'RC4',
    'RC2',
    'IDEA',
    'SEED',
    'MD5',
    'SHA1',
    'SHA',
    'SHA256',
    'SHA384',
    'PSK',
    'kPSK',
    'kECDHEPSK',
    'kDHEPSK',
    'kRSAPSK',
    'aPSK',
    'SUITEB128',
    'SUITEB128ONLY',
    'SUITEB192',
    'CBC',
    'FIPS',
    '@STRENGTH',
    '@SECLEVEL',
  ].map((w) => w.toUpperCase()),
);

/**
 * The level `@SECLEVEL=n` in a cipher string sets (the last one wins; OpenSSL reads one
 * digit, 0 to 5), or undefined when the string has none.
 */
export function cipherSecurityLevel(list: string): number | undefined {
  let level: number | undefined;
  for (const m of list.matchAll(/@SECLEVEL=([0-5])/g)) level = Number(m[1]);
  return level;
}

function cipherListUsable(list: string): boolean {
  const words = list.split(/[:, ]+/).filter(Boolean);
  return words.some((w) => {
    if (w.startsWith('!') || w.startsWith('-')) return false;
    const base = w.replace(/^\+/, '');
    return base.split('+').every((p) => CIPHER_WORDS.has(p.toUpperCase()) || /^[A-Z0-9]+(-[A-Z0-9]+)+$/.test(p) || p.startsWith('@'));
  });
}
