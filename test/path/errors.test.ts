// The X509_V_ERR table against OpenSSL itself: every name and number as the installed
// OpenSSL 3.0 header (libssl-dev's include/openssl/x509_vfy.h) defines it, and X509_V_ERR
// as that table keyed by name. Skipped with a message when the header is not installed.

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { errorMessage, errorName, X509_ERRORS, X509_V_ERR, X509_V_OK } from '../../src/path/errors.js';

const HEADER = '/usr/include/openssl/x509_vfy.h';
const header = existsSync(HEADER) ? readFileSync(HEADER, 'utf8') : undefined;
if (!header) console.warn(`test/path/errors: ${HEADER} not found (apt-get install libssl-dev), header comparison skipped`);

describe('X509_V_ERR', () => {
  it.skipIf(!header)("has exactly x509_vfy.h's X509_V_OK and X509_V_ERR_* numbers", () => {
    const defined = Object.fromEntries(
      [...header!.matchAll(/^#\s*define\s+X509_V_(OK|ERR_[A-Z0-9_]+)\s+(\d+)\b/gm)].map((m) => [m[1].replace(/^ERR_/, ''), Number(m[2])]),
    );
    const ours = Object.fromEntries(X509_ERRORS.map(([code, name]) => [name, code]));
    expect(ours).toEqual(defined);
  });

  it('is the table keyed by name, each name once', () => {
    expect(new Set(X509_ERRORS.map((e) => e[1])).size).toBe(X509_ERRORS.length);
    expect(new Set(X509_ERRORS.map((e) => e[0])).size).toBe(X509_ERRORS.length);
    for (const [code, name, text] of X509_ERRORS) {
      expect(X509_V_ERR[name]).toBe(code);
      expect(errorName(code)).toBe(name);
      expect(errorMessage(code)).toBe(text);
    }
    expect(X509_V_OK).toBe(0);
    expect(X509_V_ERR.CERT_HAS_EXPIRED).toBe(10);
    expect(errorName(4242)).toBe('UNKNOWN_4242');
    expect(errorMessage(4242)).toBe('unknown certificate verification error');
  });
});
