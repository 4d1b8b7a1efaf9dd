// libpq's client-side SSL set-up (initialize_SSL in fe-secure-openssl.c), in libpq's order:
// protocol bounds, root certificate file (which decides whether the server is verified at
// all, whatever the sslmode), CRLs, the client certificate, then its key with libpq's
// permission rule. Runs after the server answered 'S' to SSLRequest, as in libpq, so a
// server without SSL never reaches these errors.

import { isInputError } from '../../der/index.js';
import {
  keyMatchesCertificate,
  parsePrivateKey,
  PassphraseRequiredError,
  BadPassphraseError,
  type Certificate,
  type Crl,
  type PrivateKey,
} from '../../x509/index.js';
import { joinPath, ROOT_UID, type ProcessIdentity, type SimFs } from '../fs.js';
import { fmt, LIBPQ, type MessageCall, type MessageDef } from '../messages.js';
import { certsAndCrlsIn, loadCrlDir, pemReadFailure, readFileAs, REASON, SECURITY_REASON, type ReasonKey } from '../files.js';
import { DEFAULT_SECURITY_LEVEL } from '../server/startup.js';
import { dedupe, HASHED_CERT_NAME, readHashedDir, sslSecurityChain, type SslSecurityFailure } from '../../path/index.js';
import type { ResolvedConninfo, SslMode } from '../conninfo/resolve.js';

/** The libpq options initialize_SSL reads, after defaults and environment were applied. */
export interface LibpqSslOptions {
  sslmode: SslMode;
  /** '' when not set: then ~/.postgresql/root.crt */
  sslrootcert: string;
  sslcrl: string;
  sslcrldir: string;
  sslcert: string;
  sslkey: string;
  sslpassword: string;
  /** PG 16+: disable | allow | require */
  sslcertmode: 'disable' | 'allow' | 'require';
}

export interface ClientTls {
  /** SSL_VERIFY_PEER: a root file was loaded */
  verifyPeer: boolean;
  rootFile?: string;
  trusted: Certificate[];
  crls: Crl[];
  /** CRL_CHECK | CRL_CHECK_ALL: set only when the CRL locations loaded without error */
  crlCheckAll: boolean;
  /** the client certificate chain (leaf first) and key, when one was found */
  certChain: Certificate[];
  key?: PrivateKey;
  certFile?: string;
  /** the SSL_CTX's security level: it judged the client certificate, and is the auth level for the server's chain */
  securityLevel: number;
  /** the OpenSSL whose security bits the level compares (default 3.0's) */
  opensslVersion?: string;
}

/** Which client file a set-up failure is about (the libpq option that names it). */
export type ClientFileOption = 'sslrootcert' | 'sslcert' | 'sslkey';

/** Why initialize_SSL failed, as a value: fix.ts and simulate read this, never the message. */
export type ClientSetupCause =
  /** the file could not be read or loaded, with OpenSSL's reason (a REASON key) */
  | { kind: 'file'; option: ClientFileOption; file: string; why: ReasonKey }
  /** verify-ca/verify-full without a root certificate file (or no home directory to find one in) */
  | { kind: 'root-missing'; file?: string }
  /** ssl_security_cert refused the client certificate at this security level */
  | { kind: 'cert-security'; file: string; failure: SslSecurityFailure; level: number }
  | { kind: 'key-missing'; file: string }
  | { kind: 'key-not-regular'; file: string }
  | { kind: 'key-perms'; file: string };

/**
 * A failure's message in English, why it failed (a value), and the table entry with its
 * arguments to print it in the client's language.
 */
export type ClientTlsResult = { ok: true; tls: ClientTls } | { ok: false; message: string; cause: ClientSetupCause; said: MessageCall };

export interface ClientEnv {
  fs: SimFs;
  /** $HOME, or undefined when libpq cannot find a home directory */
  home?: string;
  user: ProcessIdentity;
  pgVersion: number;
  /** SSL_CERT_FILE and SSL_CERT_DIR, which move OpenSSL's default trust store (sslrootcert=system) */
  sslCertFile?: string;
  sslCertDir?: string;
  /** the security level of a new SSL_CTX (default: Debian's OpenSSL 3.0, 2); libpq has no setting that changes it */
  securityLevel?: number;
  /** the OpenSSL build, whose security bits the level compares (default 3.0; '1.1' counts SHA-1 as 80 bits) */
  opensslVersion?: string;
}

/** OpenSSL's default store on Debian 12 (OPENSSLDIR /usr/lib/ssl), what libpq's sslrootcert=system loads. */
const OPENSSL_DEFAULT_CERT_FILE = '/usr/lib/ssl/cert.pem';
const OPENSSL_DEFAULT_CERT_DIR = '/usr/lib/ssl/certs';

const postgresqlDir = (home: string) => `${home.replace(/\/+$/, '')}/.postgresql`;

class ClientFailure extends Error {
  constructor(
    readonly setupCause: ClientSetupCause,
    readonly def: MessageDef,
    readonly args: (string | number)[],
  ) {
    super(fmt(def, ...args));
  }
}
const fail = (cause: ClientSetupCause, def: MessageDef, ...args: (string | number)[]): never => {
  throw new ClientFailure(cause, def, args);
};
const fileFailed = (option: ClientFileOption, file: string, why: ReasonKey, msg: MessageDef): never =>
  fail({ kind: 'file', option, file, why }, msg, file, REASON[why]);

function loadRoot(opts: LibpqSslOptions, env: ClientEnv, tls: ClientTls): void {
  const verifying = opts.sslmode === 'verify-ca' || opts.sslmode === 'verify-full';
  let file = opts.sslrootcert;
  if (env.pgVersion >= 16 && file === 'system') return loadSystemRoots(env, tls);
  if (!file) {
    if (env.home === undefined) {
      if (verifying) fail({ kind: 'root-missing' }, LIBPQ.noHomeForRoot);
      return;
    }
    file = `${postgresqlDir(env.home)}/root.crt`;
  }
  if (!env.fs.stat(file)) {
    if (verifying) fail({ kind: 'root-missing', file }, env.pgVersion >= 16 ? LIBPQ.rootMissing16 : LIBPQ.rootMissing, file);
    return;
  }
  const bytes = readFileAs(env.fs, file, env.user);
  if ('reason' in bytes) return fileFailed('sslrootcert', file, bytes.why, LIBPQ.readRoot);
  const pemFailure = pemReadFailure(bytes);
  if (pemFailure) return fileFailed('sslrootcert', file, pemFailure, LIBPQ.readRoot);
  let loaded: ReturnType<typeof certsAndCrlsIn>;
  try {
    loaded = certsAndCrlsIn(bytes);
  } catch (e) {
    if (isInputError(e)) return fileFailed('sslrootcert', file, 'asn1', LIBPQ.readRoot);
    throw e;
  }
  if (loaded.certs.length === 0 && loaded.crls.length === 0) fileFailed('sslrootcert', file, 'noCertOrCrl', LIBPQ.readRoot);
  tls.verifyPeer = true;
  tls.rootFile = file;
  tls.trusted = loaded.certs;
  tls.crls.push(...loaded.crls);
  loadCrls(opts, env, tls);
}

/**
 * PG 16+ sslrootcert=system: SSL_CTX_set_default_verify_paths, i.e. every certificate in
 * SSL_CERT_FILE (default /usr/lib/ssl/cert.pem) and the hashed directories of SSL_CERT_DIR
 * (colon-separated, default /usr/lib/ssl/certs). OpenSSL clears the errors of missing or
 * unreadable locations and reports success, so this never fails; it just finds fewer roots.
 * libpq loads no CRLs in this case (the CRL set-up sits in the root-file branch).
 */
function loadSystemRoots(env: ClientEnv, tls: ClientTls): void {
  const file = env.sslCertFile ?? OPENSSL_DEFAULT_CERT_FILE;
  const trusted: Certificate[] = [];
  const bytes = env.fs.stat(file) ? readFileAs(env.fs, file, env.user) : undefined;
  if (bytes && !('reason' in bytes)) {
    try {
      trusted.push(...certsAndCrlsIn(bytes).certs);
    } catch (e) {
      // X509_load_cert_crl_file adds nothing when a block does not decode
      if (!isInputError(e)) throw e;
    }
  }
  for (const dir of (env.sslCertDir ?? OPENSSL_DEFAULT_CERT_DIR).split(':').filter(Boolean)) {
    // by_dir opens only <hash>.N names: other files (the *.pem links beside them) are never read
    const entries = (env.fs.list(dir) ?? [])
      .filter((name) => HASHED_CERT_NAME.test(name))
      .flatMap((name) => {
        const b = readFileAs(env.fs, joinPath(dir, name), env.user);
        return 'reason' in b ? [] : [{ name, bytes: b }];
      });
    trusted.push(
      ...readHashedDir(
        entries,
        (b) => certsAndCrlsIn(b).certs,
        () => [],
      ).certs,
    );
  }
  tls.verifyPeer = true;
  tls.rootFile = 'system';
  tls.trusted = dedupe(trusted);
}

/**
 * X509_STORE_load_locations(store, crlfile, crldir): only when it returns 1 are the CRL
 * flags set; any failure (e.g. a missing sslcrl file) silently disables CRL checks,
 * including for a valid sslcrldir.
 */
function loadCrls(opts: LibpqSslOptions, env: ClientEnv, tls: ClientTls): void {
  let file = opts.sslcrl;
  const dir = opts.sslcrldir;
  if (!file && !dir) {
    if (env.home === undefined) return;
    file = `${postgresqlDir(env.home)}/root.crl`;
    if (!env.fs.stat(file)) return;
  }
  const crls: Crl[] = [];
  if (file) {
    const bytes = readFileAs(env.fs, file, env.user);
    if ('reason' in bytes) return;
    let loaded: ReturnType<typeof certsAndCrlsIn>;
    try {
      loaded = certsAndCrlsIn(bytes);
    } catch (e) {
      if (isInputError(e)) return;
      throw e;
    }
    if (loaded.certs.length === 0 && loaded.crls.length === 0) return;
    crls.push(...loaded.crls);
    tls.trusted.push(...loaded.certs);
  }
  if (dir) crls.push(...loadCrlDir(env.fs, dir, env.user));
  tls.crls.push(...crls);
  tls.crlCheckAll = true;
}

function loadClientCert(opts: LibpqSslOptions, env: ClientEnv, tls: ClientTls): void {
  if (env.pgVersion >= 16 && opts.sslcertmode === 'disable') return;
  let file = opts.sslcert;
  if (!file) {
    if (env.home === undefined) return;
    file = `${postgresqlDir(env.home)}/postgresql.crt`;
  }
  const st = env.fs.stat(file);
  if (!st) return; // ENOENT: silently no certificate
  const bytes = readFileAs(env.fs, file, env.user);
  if ('reason' in bytes) return fileFailed('sslcert', file, bytes.why, LIBPQ.readCert);
  const pemFailure = pemReadFailure(bytes);
  if (pemFailure) return fileFailed('sslcert', file, pemFailure, LIBPQ.readCert);
  let certs: Certificate[];
  try {
    certs = certsAndCrlsIn(bytes).certs;
  } catch (e) {
    if (isInputError(e)) return fileFailed('sslcert', file, 'asn1', LIBPQ.readCert);
    throw e;
  }
  if (certs.length === 0) fileFailed('sslcert', file, 'noStartLine', LIBPQ.readCert);
  // SSL_CTX_use_certificate_chain_file judges the leaf and the certificates after it
  const weak = sslSecurityChain(certs, tls.securityLevel, tls.opensslVersion);
  if (weak) fail({ kind: 'cert-security', file, failure: weak, level: tls.securityLevel }, LIBPQ.readCert, file, SECURITY_REASON[weak]);
  tls.certChain = certs;
  tls.certFile = file;
}

/** The key, only when a certificate was loaded; permission rule of fe-secure-openssl.c. */
function loadClientKey(opts: LibpqSslOptions, env: ClientEnv, tls: ClientTls): void {
  if (tls.certChain.length === 0) return;
  let file = opts.sslkey;
  if (!file) {
    if (env.home === undefined) return;
    file = `${postgresqlDir(env.home)}/postgresql.key`;
  }
  const st = env.fs.stat(file);
  if (!st) return fail({ kind: 'key-missing', file }, LIBPQ.keyMissing, file);
  if (!st.isFile) return fail({ kind: 'key-not-regular', file }, LIBPQ.keyNotRegular, file);
  const tooOpen = st.uid === ROOT_UID ? (st.mode & 0o037) !== 0 : (st.mode & 0o077) !== 0;
  if (tooOpen) return fail({ kind: 'key-perms', file }, LIBPQ.keyPerms, file);
  const bytes = readFileAs(env.fs, file, env.user);
  if ('reason' in bytes) return fileFailed('sslkey', file, bytes.why, LIBPQ.loadKey);
  let key: PrivateKey;
  try {
    key = parsePrivateKey(bytes, opts.sslpassword || undefined);
  } catch (e) {
    if (e instanceof PassphraseRequiredError || e instanceof BadPassphraseError) {
      return fileFailed('sslkey', file, opts.sslpassword ? 'badDecrypt' : 'processingError', LIBPQ.loadKey);
    }
    if (isInputError(e)) return fileFailed('sslkey', file, 'unsupported', LIBPQ.loadKey);
    throw e;
  }
  // SSL_use_PrivateKey_file already compares the key with the certificate, so a mismatch is
  // reported as a load failure (observed with psql 15), not by the later check_private_key.
  if (!keyMatchesCertificate(key, tls.certChain[0])) return fileFailed('sslkey', file, 'keyMismatch', LIBPQ.loadKey);
  tls.key = key;
}

/** The options initialize_SSL reads, from a resolved connection string (defaults and environment applied). */
export function libpqSslOptions(conn: ResolvedConninfo, sslmode: SslMode = conn.sslmode): LibpqSslOptions {
  const files = conn.sslFiles;
  return {
    sslmode,
    sslrootcert: files.rootcert ?? '',
    sslcrl: files.crl ?? '',
    sslcrldir: files.crldir ?? '',
    sslcert: files.cert ?? '',
    sslkey: files.key ?? '',
    sslpassword: conn.values.sslpassword ?? '',
    sslcertmode: conn.sslcertmode,
  };
}

/** initialize_SSL. */
export function prepareClientTls(opts: LibpqSslOptions, env: ClientEnv): ClientTlsResult {
  const tls: ClientTls = {
    verifyPeer: false,
    trusted: [],
    crls: [],
    crlCheckAll: false,
    certChain: [],
    securityLevel: env.securityLevel ?? DEFAULT_SECURITY_LEVEL,
    ...(env.opensslVersion ? { opensslVersion: env.opensslVersion } : {}),
  };
  try {
    loadRoot(opts, env, tls);
    loadClientCert(opts, env, tls);
    loadClientKey(opts, env, tls);
    return { ok: true, tls };
  } catch (e) {
    if (e instanceof ClientFailure) return { ok: false, message: e.message, cause: e.setupCause, said: { def: e.def, args: e.args } };
    throw e;
  }
}
