// Trusted material as OpenSSL finds it: a CA file (every certificate in it) and a hashed
// directory (-CApath / sslcrldir) where `<X509_NAME_hash>.N` holds certificates and
// `<hash>.rN` holds CRLs. A file whose name hash is not its subject's (or CRL issuer's)
// hash is never looked up by OpenSSL, so it is left out here too.

import { nameHash } from '../x509/name.js';
import type { Certificate, Crl } from '../x509/types.js';

export interface DirEntry {
  name: string;
  bytes: Uint8Array;
}

export interface HashedDir {
  certs: Certificate[];
  crls: Crl[];
  /** files skipped, with why (for --explain) */
  skipped: { name: string; why: string }[];
}

/** `<X509_NAME_hash>.N`: a certificate file of a hashed directory (the only names OpenSSL opens) */
export const HASHED_CERT_NAME = /^([0-9a-f]{8})\.(\d+)$/;
/** `<X509_NAME_hash>.rN`: a CRL file of a hashed directory */
export const HASHED_CRL_NAME = /^([0-9a-f]{8})\.r(\d+)$/;

/**
 * Reads a hashed directory. Files are taken in OpenSSL's lookup order (suffix 0, 1, ...);
 * parse errors in one file skip that file, as X509_LOOKUP_hash_dir does.
 */
export function readHashedDir(
  entries: DirEntry[],
  parseCerts: (b: Uint8Array) => Certificate[],
  parseCrls: (b: Uint8Array) => Crl[],
): HashedDir {
  const out: HashedDir = { certs: [], crls: [], skipped: [] };
  const order = (n: string) => {
    const m = HASHED_CERT_NAME.exec(n) ?? HASHED_CRL_NAME.exec(n);
    return m ? ([m[1], Number(m[2])] as const) : (['', 0] as const);
  };
  const sorted = [...entries].sort((a, b) => {
    const [ha, na] = order(a.name);
    const [hb, nb] = order(b.name);
    return ha < hb ? -1 : ha > hb ? 1 : na - nb;
  });
  for (const e of sorted) {
    const c = HASHED_CERT_NAME.exec(e.name);
    const r = HASHED_CRL_NAME.exec(e.name);
    if (!c && !r) {
      out.skipped.push({ name: e.name, why: 'not named <hash>.N or <hash>.rN' });
      continue;
    }
    try {
      if (c) {
        for (const cert of parseCerts(e.bytes)) {
          if (nameHash(cert.subject) === c[1]) out.certs.push(cert);
          else out.skipped.push({ name: e.name, why: `subject hash is ${nameHash(cert.subject)}, not ${c[1]}` });
        }
      } else if (r) {
        for (const crl of parseCrls(e.bytes)) {
          if (nameHash(crl.issuer) === r[1]) out.crls.push(crl);
          else out.skipped.push({ name: e.name, why: `CRL issuer hash is ${nameHash(crl.issuer)}, not ${r[1]}` });
        }
      }
    } catch (err) {
      out.skipped.push({ name: e.name, why: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

/** X509_STORE_add_cert ignores a certificate already present (X509_cmp). */
export function dedupe(certs: Certificate[]): Certificate[] {
  const seen = new Set<string>();
  const out: Certificate[] = [];
  for (const c of certs) {
    let k = '';
    for (const b of c.der) k += String.fromCharCode(b);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(c);
  }
  return out;
}
