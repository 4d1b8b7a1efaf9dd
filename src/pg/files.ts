// How PostgreSQL's server and libpq read certificate, CRL and key files through OpenSSL,
// shared by the server model (server/startup.ts) and the client model (client/libpq-ssl.ts):
// reading as a given process (the kernel's mode bits decide; libpq's service and password
// files are opened the same way), the PEM scan OpenSSL's readers do, X509_STORE_load_file's
// "every certificate and CRL", the hashed CRL directory, and OpenSSL 3.0's reason strings
// for the failures (observed with PostgreSQL 15).

import { decodePemOrDer, isInputError, PemError, type PemBlock } from '../der/index.js';
import { CERTIFICATE_LABELS, CRL_LABELS, loadCertificateBlock, loadCrl, nameHash, type Certificate, type Crl } from '../x509/index.js';
import { canRead, joinPath, type ProcessIdentity, type SimFs } from './fs.js';
import { HASHED_CRL_NAME, type SslSecurityFailure } from '../path/index.js';
import type { ServiceFiles } from './conninfo/service.js';
import type { PassFileAccess } from './conninfo/passfile.js';

/** OpenSSL 3.0 reason strings the server and libpq append after "...": %s". */
export const REASON = {
  noFile: 'No such file or directory',
  noAccess: 'Permission denied',
  noStartLine: 'no start line',
  unsupported: 'unsupported',
  processingError: 'processing error',
  badDecrypt: 'bad decrypt',
  keyMismatch: 'key values mismatch',
  noCertOrCrl: 'no certificate or crl found',
  asn1: 'nested asn1 error',
  badBase64: 'bad base64 decode',
} as const;

/** ssl_security_cert's refusals as OpenSSL 3.0 words them (SSL_R_EE_KEY_TOO_SMALL...). */
export const SECURITY_REASON: Record<SslSecurityFailure, string> = {
  'ee-key-too-small': 'ee key too small',
  'ca-key-too-small': 'ca key too small',
  'ca-md-too-weak': 'ca md too weak',
};

/**
 * Why OpenSSL's PEM reader (PEM_read_bio, PEM_X509_INFO_read_bio) gives up on a file whose
 * blocks it found, or undefined: a block whose base64 does not decode stops it with
 * PEM_R_BAD_BASE64_DECODE, wherever the block is in the file (observed with PostgreSQL 15
 * for ssl_cert_file and ssl_ca_file). Private keys go through OSSL_DECODER instead, which
 * reports "unsupported" for them.
 */
export function pemReadFailure(bytes: Uint8Array): ReasonKey | undefined {
  try {
    decodePemOrDer(bytes);
    return undefined;
  } catch (e) {
    if (e instanceof PemError && e.code === 'BAD_BASE64') return 'badBase64';
    if (isInputError(e)) return undefined;
    throw e;
  }
}

/** A REASON, as a value. */
export type ReasonKey = keyof typeof REASON;

/** The file's bytes as this process may read them, or why it cannot (OpenSSL's reason, and its key). */
export function readFileAs(fs: SimFs, path: string, who: ProcessIdentity): Uint8Array | { reason: string; why: ReasonKey } {
  const st = fs.stat(path);
  if (!st) return { reason: REASON.noFile, why: 'noFile' };
  if (!canRead(st, who)) return { reason: REASON.noAccess, why: 'noAccess' };
  // fopen() opens a directory for reading and every read then fails (EISDIR): OpenSSL's
  // readers and libpq's line readers see an empty file ("no start line", "no certificate or
  // crl found"; checked against psql 15)
  if (st.isDir) return new Uint8Array(0);
  return fs.read(path) ?? { reason: REASON.noFile, why: 'noFile' };
}

/** How libpq's service lookup (conninfo/service.ts) sees files: opened as `who`, as text. */
export function serviceFilesOn(fs: SimFs, who: ProcessIdentity): ServiceFiles {
  return {
    read: (path) => {
      const b = readFileAs(fs, path, who);
      return 'reason' in b ? undefined : new TextDecoder().decode(b);
    },
    exists: (path) => fs.stat(path) !== undefined,
  };
}

/**
 * How libpq's password file lookup (conninfo/passfile.ts) sees a file: stat() whoever owns
 * it (the mode bits are checked, not the owner), fopen() as `who`.
 */
export function passFileOn(fs: SimFs, who: ProcessIdentity): PassFileAccess {
  return {
    stat: (path) => fs.stat(path),
    read: (path) => {
      const b = readFileAs(fs, path, who);
      return 'reason' in b ? undefined : new TextDecoder().decode(b);
    },
  };
}

/** PEM blocks of a file as OpenSSL's PEM readers see it: text outside blocks ignored, no blocks when it is not PEM. */
export function pemBlocks(bytes: Uint8Array): PemBlock[] {
  try {
    return decodePemOrDer(bytes).filter((b) => b.label !== '');
  } catch (e) {
    if (isInputError(e)) return [];
    throw e;
  }
}

const CERT_LABELS = new Set<string>(CERTIFICATE_LABELS);
const CRL_LABEL_SET = new Set<string>(CRL_LABELS);

export const isCertificateBlock = (b: PemBlock): boolean => CERT_LABELS.has(b.label);

/**
 * X509_STORE_load_file: every certificate and CRL in the file, loaded as OpenSSL loads them.
 * A block OpenSSL would refuse throws the typed input error; callers say "none at all".
 */
export function certsAndCrlsIn(bytes: Uint8Array): { certs: Certificate[]; crls: Crl[] } {
  const certs: Certificate[] = [];
  const crls: Crl[] = [];
  for (const b of pemBlocks(bytes)) {
    if (CERT_LABELS.has(b.label)) certs.push(loadCertificateBlock(b));
    else if (CRL_LABEL_SET.has(b.label)) crls.push(loadCrl(b.der));
  }
  return { certs, crls };
}

/**
 * A hashed CRL directory (ssl_crl_dir, sslcrldir): a CRL is found only under
 * `<issuer hash>.r<n>`. OpenSSL reads it lazily, so a missing directory is not an error at
 * start-up (observed).
 */
export function loadCrlDir(fs: SimFs, dir: string, who: ProcessIdentity): Crl[] {
  const out: Crl[] = [];
  for (const name of fs.list(dir) ?? []) {
    const m = HASHED_CRL_NAME.exec(name);
    if (!m) continue;
    const bytes = readFileAs(fs, joinPath(dir, name), who);
    if ('reason' in bytes) continue;
    for (const b of pemBlocks(bytes)) {
      if (!CRL_LABEL_SET.has(b.label)) continue;
      try {
        const crl = loadCrl(b.der);
        if (nameHash(crl.issuer) === m[1]) out.push(crl);
      } catch (e) {
        if (!isInputError(e)) throw e;
      }
    }
  }
  return out;
}

/**
 * The certificates in a directory's *.crt and *.pem files (the data directory: root.crt,
 * intermediate.crt...), each with its file name, as pgtls reads them to reason about a set-up
 * (which issuer is a root, which intermediate the server does not send); blocks that do not
 * decode are skipped. No server or client reads these files.
 */
export function certificatesIn(fs: SimFs, dir: string): { cert: Certificate; source: string }[] {
  const out: { cert: Certificate; source: string }[] = [];
  for (const name of (fs.list(dir) ?? []).filter((f) => /\.(crt|pem)$/.test(f))) {
    const bytes = fs.read(joinPath(dir, name));
    for (const b of bytes ? pemBlocks(bytes) : []) {
      if (!CERT_LABELS.has(b.label)) continue;
      try {
        out.push({ cert: loadCertificateBlock(b), source: name });
      } catch (e) {
        if (!isInputError(e)) throw e;
      }
    }
  }
  return out;
}
