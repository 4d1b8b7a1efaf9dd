// PostgreSQL's own SSL test certificates, keys and CRLs (src/test/ssl/ssl), when a copy is
// present next to the repository; skipped otherwise (the project's tests must not need it).
// Checks the facts the TAP tests rely on: the RFC 2253 DN `clientname=DN` matches, the first
// CN, the sslinfo `/CN=` form, the decimal serial, key/certificate pairs including the two
// passphrase-protected keys, and the `<hash>.r0` names of the CRL directories.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  commonNames,
  formatNameOneline,
  formatNamePostgres,
  formatNameRfc2253,
  keyMatchesCertificate,
  nameHash,
  parseCertificates,
  parseCrls,
  parsePrivateKey,
} from '../../src/x509/index.js';
import { bash, kv, sections } from './openssl.js';

const DIR = '/work/shared/reference/pg-ssl-testdata';
const present = existsSync(DIR);
const read = (f: string) => new Uint8Array(readFileSync(join(DIR, f)));
const cert = (f: string) => parseCertificates(read(f))[0];
const PASSPHRASES: Record<string, string> = { 'server-password.key': 'secret1', 'client-encrypted-pem.key': 'dUmmyP^#+' };
const KEY_CERT: Record<string, string> = { 'server-password.key': 'server-cn-only.crt', 'client-encrypted-pem.key': 'client.crt' };

describe.skipIf(!present)('PostgreSQL src/test/ssl material', () => {
  const crts = present ? readdirSync(DIR).filter((f) => f.endsWith('.crt')) : [];

  it('every certificate parses without problems and prints/hashes as openssl does', () => {
    const script = crts
      .map(
        (f) =>
          `echo "=====${f}"; openssl x509 -in ${join(DIR, f)} -noout -subject -nameopt RFC2253 -subject_hash; echo "=====${f}.1"; openssl x509 -in ${join(DIR, f)} -noout -subject`,
      )
      .join('\n');
    const out = sections(bash(script, DIR));
    for (const f of crts) {
      const all = parseCertificates(read(f));
      for (const c of all) expect(c.problems, f).toEqual([]);
      const c = all[0];
      const lines = out.get(f)!;
      expect([formatNameRfc2253(c.subject), nameHash(c.subject), formatNameOneline(c.subject)], f).toEqual([
        kv(lines, 'subject'),
        lines[1],
        kv(out.get(`${f}.1`)!, 'subject'),
      ]);
    }
  });

  it('client-dn: the DN clientname=DN compares, and the first CN', () => {
    const c = cert('client-dn.crt');
    expect(formatNameRfc2253(c.subject)).toBe('CN=ssltestuser-dn,OU=Testing,OU=Engineering,O=PGDG');
    expect(commonNames(c.subject)[0]).toBe('ssltestuser-dn');
  });

  it('client: pg_stat_ssl client_dn, client_serial and issuer_dn', () => {
    const c = cert('client.crt');
    expect(formatNamePostgres(c.subject)).toBe('/CN=ssltestuser');
    expect(c.serial.value.toString()).toBe('2315702411956921344');
    expect(formatNamePostgres(c.issuer)).toBe('/CN=Test CA for PostgreSQL SSL regression test client certs');
  });

  it('every key matches its certificate, encrypted ones with their passphrase', () => {
    const keys = readdirSync(DIR).filter((f) => f.endsWith('.key'));
    let checked = 0;
    for (const k of keys) {
      const crt = KEY_CERT[k] ?? k.replace(/\.key$/, '.crt');
      if (!existsSync(join(DIR, crt))) continue;
      const key = parsePrivateKey(read(k), PASSPHRASES[k]);
      expect(keyMatchesCertificate(key, cert(crt)), k).toBe(true);
      expect(keyMatchesCertificate(key, cert('root_ca.crt')), k).toBe(k === 'root_ca.key');
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('CRL directory entries are named <issuer hash>.r0', () => {
    const dirs = readdirSync(DIR).filter((f) => f.endsWith('-crldir'));
    expect(dirs.length).toBeGreaterThan(0);
    for (const d of dirs) {
      for (const f of readdirSync(join(DIR, d))) {
        const crl = parseCrls(read(join(d, f)))[0];
        expect(`${nameHash(crl.issuer)}.r0`).toBe(f);
        expect(crl.problems).toEqual([]);
      }
    }
  });
});
