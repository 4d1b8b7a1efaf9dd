// How `openssl verify` (OpenSSL 3.0) reads its files, with its messages: the certificates to
// verify, -untrusted, -trusted and -CRLfile through OSSL_STORE (apps' load_key_certs_crls:
// PEM or DER, blocks that do not decode skipped), -CAfile through X509_load_cert_crl_file
// (PEM only, one undecodable block fails the file), hashed directories (-CApath, the default
// directory) looked up by subject hash as X509_LOOKUP_hash_dir does, and -CAstore. A failure
// is a LoadFailure holding the lines OpenSSL prints (its error-queue lines included, with a
// fixed thread-id prefix where OpenSSL prints its thread's).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { base64Decode } from '../der/pem.js';
import { loadCertificate } from '../x509/certificate.js';
import { loadCrl } from '../x509/crl.js';
import { nameHash } from '../x509/name.js';
import type { Certificate, Crl, Name } from '../x509/types.js';

/** OpenSSL prints its thread id here; pgtls has none, so a constant of the same shape. */
const ERR_PREFIX = '0000000000000000';

/** One OpenSSL error-queue line (ERR_print_errors) */
export const errLine = (code: string, lib: string, func: string, reason: string, where: string, data = ''): string =>
  `${ERR_PREFIX}:error:${code}:${lib}:${func}:${reason}:${where}:${data}`;

/** The lines a failed load prints (stderr), in order. */
export class LoadFailure extends Error {
  override readonly name = 'LoadFailure';
  constructor(readonly lines: string[]) {
    super(lines[0] ?? 'load failed');
  }
}

const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const CRL_LABEL = 'X509 CRL';
/** labels the OSSL_STORE file loader decodes into something that is neither a certificate nor a CRL */
const OTHER_KNOWN = /(PRIVATE KEY|PUBLIC KEY|PARAMETERS)$/;

interface RawBlock {
  label: string;
  /** undefined: the base64 did not decode */
  der?: Uint8Array;
}

/** PEM blocks as PEM_read_bio sees them, each decoded on its own (a bad one does not hide the others) */
function pemBlocks(bytes: Uint8Array): RawBlock[] | undefined {
  const text = new TextDecoder('latin1').decode(bytes);
  if (!text.includes('-----BEGIN ')) return undefined;
  const out: RawBlock[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^-----BEGIN (.*)-----\s*$/.exec(lines[i]);
    if (!m) continue;
    let body = '';
    let end = false;
    for (i++; i < lines.length; i++) {
      if (/^-----END (.*)-----\s*$/.test(lines[i])) {
        end = true;
        break;
      }
      body += lines[i].trim();
    }
    if (!end) break;
    let der: Uint8Array | undefined;
    try {
      der = base64Decode(body);
    } catch {
      der = undefined;
    }
    out.push({ label: m[1], der });
  }
  return out;
}

function tryCert(der: Uint8Array | undefined): Certificate | undefined {
  if (!der) return undefined;
  try {
    return loadCertificate(der);
  } catch {
    return undefined;
  }
}

function tryCrl(der: Uint8Array | undefined): Crl | undefined {
  if (!der) return undefined;
  try {
    return loadCrl(der);
  } catch {
    return undefined;
  }
}

const STORE_OPEN_FAILED = (uri: string) => [
  errLine(
    '16000069',
    'STORE routines',
    'ossl_store_get0_loader_int',
    'unregistered scheme',
    '../crypto/store/store_register.c:237',
    'scheme=file',
  ),
  errLine(
    '80000002',
    'system library',
    'file_open',
    'No such file or directory',
    '../providers/implementations/storemgmt/file_store.c:266',
    `calling stat(${uri})`,
  ),
];
const STORE_UNSUPPORTED = errLine(
  '1608010C',
  'STORE routines',
  'ossl_store_handle_load_result',
  'unsupported',
  '../crypto/store/store_result.c:149',
);

interface StoreContents {
  certs: Certificate[];
  crls: Crl[];
  /** a block OSSL_STORE recognised but could not hand over ("unsupported" on the queue) */
  unsupported: boolean;
}

/** What OSSL_STORE's file loader yields from a file: certificates and CRLs, in order. */
function storeContents(bytes: Uint8Array): StoreContents {
  const out: StoreContents = { certs: [], crls: [], unsupported: false };
  const blocks = pemBlocks(bytes);
  if (!blocks) {
    const c = tryCert(bytes);
    if (c) out.certs.push(c);
    else {
      const crl = tryCrl(bytes);
      if (crl) out.crls.push(crl);
    }
    return out;
  }
  for (const b of blocks) {
    if (CERT_LABELS.has(b.label)) {
      const c = tryCert(b.der);
      if (c) out.certs.push(c);
      else out.unsupported = true;
    } else if (b.label === CRL_LABEL) {
      const crl = tryCrl(b.der);
      if (crl) out.crls.push(crl);
      else out.unsupported = true;
    } else if (OTHER_KNOWN.test(b.label)) out.unsupported = true;
  }
  return out;
}

type Kind = 'certs' | 'crls' | 'cert';

/**
 * load_certs / load_crls / load_cert of apps/lib/apps.c on a file: the certificates (or CRLs,
 * or the first certificate) in it, or a LoadFailure with load_key_certs_crls's message.
 * `desc` is the app's description ("untrusted certificates", "other CRLs", "certificate file").
 */
function storeLoad(path: string, kind: Kind, desc: string): StoreContents {
  // load_key_certs_crls names what failed: "cert"/"certs"/"CRLs", or the description when it says so
  const failedName = kind === 'crls' ? 'CRLs' : kind;
  const what = (failed: string) => (desc.includes(failed) ? desc : `${failed} of ${desc}`);
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new LoadFailure([`Could not open file or uri for loading ${what(failedName)} from ${path}`, ...STORE_OPEN_FAILED(path)]);
  }
  // a directory opens, and lists names that are neither certificates nor CRLs
  let contents: StoreContents = { certs: [], crls: [], unsupported: false };
  if (!isDir) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch {
      throw new LoadFailure([`Could not open file or uri for loading ${what(failedName)} from ${path}`, ...STORE_OPEN_FAILED(path)]);
    }
    contents = storeContents(bytes);
  }
  const got = kind === 'crls' ? contents.crls.length : contents.certs.length;
  if (got === 0) {
    const failed = kind === 'crls' ? 'CRL' : 'cert';
    const any = kind === 'cert' ? '' : ' any';
    throw new LoadFailure([`Could not read${any} ${what(failed)} from ${path}`, ...(contents.unsupported ? [STORE_UNSUPPORTED] : [])]);
  }
  return contents;
}

/** -untrusted / -trusted: every certificate of the file */
export function loadCertsFile(path: string, desc: string): Certificate[] {
  return storeLoad(path, 'certs', desc).certs;
}

/** -CRLfile: every CRL of the file */
export function loadCrlsFile(path: string): Crl[] {
  return storeLoad(path, 'crls', 'other CRLs').crls;
}

/** the certificate to verify: the file's first certificate ("Unable to load certificate file" follows a failure) */
export function loadCertFile(path: string): Certificate {
  try {
    return storeLoad(path, 'cert', 'certificate file').certs[0];
  } catch (e) {
    if (e instanceof LoadFailure) throw new LoadFailure([...e.lines, 'Unable to load certificate file']);
    throw e;
  }
}

/** the certificate to verify from standard input */
export function loadCertBytes(bytes: Uint8Array): Certificate {
  const c = storeContents(bytes);
  if (c.certs.length === 0)
    throw new LoadFailure([
      'Could not read certificate file from <stdin>',
      ...(c.unsupported ? [STORE_UNSUPPORTED] : []),
      'Unable to load certificate file',
    ]);
  return c.certs[0];
}

// -------------------------------------------------------------------------------------
// X509_load_cert_crl_file (-CAfile, the default CA file)

const BY_FILE_PEM_LIB = errLine(
  '05880009',
  'x509 certificate routines',
  'X509_load_cert_crl_file_ex',
  'PEM lib',
  '../crypto/x509/by_file.c:235',
);

/** the ASN1 lines d2i pushes for a block that is not a certificate/CRL at its outermost level */
function d2iFailure(der: Uint8Array, type: string): string[] {
  const nested = errLine(
    '0688010A',
    'asn1 encoding routines',
    'asn1_item_embed_d2i',
    'nested asn1 error',
    '../crypto/asn1/tasn_dec.c:375',
    `Type=${type}`,
  );
  if (der.length === 0 || der[0] !== 0x30)
    return [errLine('068000A8', 'asn1 encoding routines', 'asn1_check_tlen', 'wrong tag', '../crypto/asn1/tasn_dec.c:1215'), nested];
  return [
    errLine('0680009B', 'asn1 encoding routines', 'ASN1_get_object', 'too long', '../crypto/asn1/asn1_lib.c:95'),
    errLine('06800066', 'asn1 encoding routines', 'asn1_check_tlen', 'bad object header', '../crypto/asn1/tasn_dec.c:1205'),
    nested,
  ];
}

interface CaFile {
  certs: Certificate[];
  crls: Crl[];
}

/** X509_load_cert_crl_file_ex(lookup, path, X509_FILETYPE_PEM): the lines after "Error loading file F" on failure */
export function loadCaFile(path: string): CaFile {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'EISDIR') {
      const reason = code === 'EACCES' ? 'Permission denied' : 'No such file or directory';
      const sys = code === 'EACCES' ? '8000000D' : '80000002';
      const bio = code === 'EACCES' ? ['10000080', 'no such file'] : ['10000080', 'no such file'];
      throw new LoadFailure([
        errLine(sys, 'system library', 'BIO_new_file', reason, '../crypto/bio/bss_file.c:67', `calling fopen(${path}, r)`),
        errLine(bio[0], 'BIO routines', 'BIO_new_file', bio[1], '../crypto/bio/bss_file.c:75'),
        errLine('05880002', 'x509 certificate routines', 'X509_load_cert_crl_file_ex', 'system lib', '../crypto/x509/by_file.c:229'),
      ]);
    }
    bytes = new Uint8Array(0);
  }
  const out: CaFile = { certs: [], crls: [] };
  for (const b of pemBlocks(bytes) ?? []) {
    if (!b.der) {
      throw new LoadFailure([
        errLine('04800064', 'PEM routines', 'PEM_read_bio_ex', 'bad base64 decode', '../crypto/pem/pem_lib.c:966'),
        BY_FILE_PEM_LIB,
      ]);
    }
    const isCert = CERT_LABELS.has(b.label);
    if (!isCert && b.label !== CRL_LABEL) continue;
    const obj = isCert ? tryCert(b.der) : tryCrl(b.der);
    if (!obj) {
      throw new LoadFailure([
        ...d2iFailure(b.der, isCert ? 'X509' : 'X509_CRL'),
        errLine('0488000D', 'PEM routines', 'PEM_X509_INFO_read_bio_ex', 'ASN1 lib', '../crypto/pem/pem_info.c:170'),
        BY_FILE_PEM_LIB,
      ]);
    }
    if (isCert) out.certs.push(obj as Certificate);
    else out.crls.push(obj as Crl);
  }
  if (out.certs.length + out.crls.length === 0) {
    throw new LoadFailure([
      errLine(
        '05800088',
        'x509 certificate routines',
        'X509_load_cert_crl_file_ex',
        'no certificate or crl found',
        '../crypto/x509/by_file.c:252',
      ),
    ]);
  }
  return out;
}

// -------------------------------------------------------------------------------------
// Hashed directories (X509_LOOKUP_hash_dir, and OSSL_STORE's search by name in a directory)

/**
 * A hashed directory read as OpenSSL reads it: only `<hash>.N` (certificates) and `<hash>.rN`
 * (CRLs) for the names it looks up, N from 0 until the first missing file; certificates
 * whose subject (CRLs whose issuer) is not the name looked up are not taken.
 */
export class HashedDirLookup {
  private readonly done = new Set<string>();
  readonly certs: Certificate[] = [];
  readonly crls: Crl[] = [];
  constructor(readonly dir: string) {}

  private files(hash: string, crl: boolean): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let n = 0; ; n++) {
      const p = join(this.dir, `${hash}.${crl ? 'r' : ''}${n}`);
      try {
        out.push(new Uint8Array(readFileSync(p)));
      } catch {
        break;
      }
    }
    return out;
  }

  /** X509_STORE_CTX_get_by_subject for certificates and CRLs with this name; true when it found certificates */
  lookup(name: Name): boolean {
    let hash: string;
    try {
      hash = nameHash(name);
    } catch {
      return false;
    }
    if (this.done.has(hash)) return false;
    this.done.add(hash);
    let found = false;
    for (const bytes of this.files(hash, false)) {
      for (const c of storeContents(bytes).certs) {
        if (safeHash(c.subject) !== hash) continue;
        this.certs.push(c);
        found = true;
      }
    }
    for (const bytes of this.files(hash, true)) {
      for (const crl of storeContents(bytes).crls) if (safeHash(crl.issuer) === hash) this.crls.push(crl);
    }
    return found;
  }

  /** names in the directory that X509_LOOKUP_hash_dir never opens (for --explain) */
  unusedNames(): string[] {
    try {
      return readdirSync(this.dir).filter((n) => !/^[0-9a-f]{8}\.r?\d+$/.test(n));
    } catch {
      return [];
    }
  }
}

function safeHash(n: Name): string {
  try {
    return nameHash(n);
  } catch {
    return '';
  }
}

/**
 * Everything the directories can contribute to verifying `start`: every issuer name of a
 * certificate at hand is looked up, and so are the issuers of what is found, until nothing new
 * turns up (what the lookups during chain building and CRL checking can reach).
 */
export function closeOverDirs(dirs: HashedDirLookup[], start: Certificate[]): { certs: Certificate[]; crls: Crl[] } {
  const queue = [...start];
  while (queue.length > 0) {
    const c = queue.shift()!;
    for (const d of dirs) {
      const before = d.certs.length;
      d.lookup(c.issuer);
      // the certificate's own name too: a trusted copy of it (partial chains, self-signed leaves)
      d.lookup(c.subject);
      queue.push(...d.certs.slice(before));
    }
  }
  // every lookup so far (a directory remembers them across the certificates of one command)
  return { certs: dirs.flatMap((d) => d.certs), crls: dirs.flatMap((d) => d.crls) };
}
