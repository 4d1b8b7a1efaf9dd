// Distinguished-name comparison as OpenSSL does it, over src/x509's canonical encoding
// (X509_NAME_cmp's canonical form): equality for issuer matching and CRLs, and the prefix
// test of nc_dn for directoryName constraints. A name OpenSSL cannot canonicalise matches nothing.

import type { Name } from '../x509/types.js';
import { canonicalName, namesEqual as x509NamesEqual } from '../x509/name.js';

/** X509_NAME_cmp(a, b) == 0; a name OpenSSL cannot canonicalise equals nothing */
export function namesEqual(a: Name, b: Name): boolean {
  try {
    return x509NamesEqual(a, b);
  } catch {
    return false;
  }
}

/** nc_dn: the canonical encoding of `base` is a prefix of that of `name`. */
export function nameHasPrefix(name: Name, base: Name): boolean {
  let x: Uint8Array;
  let y: Uint8Array;
  try {
    x = canonicalName(name);
    y = canonicalName(base);
  } catch {
    return false;
  }
  if (y.length > x.length) return false;
  for (let i = 0; i < y.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
