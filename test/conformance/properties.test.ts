// Property expectations judged on a server's start-up state: each one holds on a setup made
// to satisfy it and fails, with what it found and the line to blame, on one made to break it.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertificate, makeHierarchy } from '../../src/factory/index.js';
import { memFs } from '../../src/pg/fs.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { checkProperty, serverFacts, type PropertyName, type ServerSpec } from '../../src/conformance/index.js';

const key = (n: string) => parsePrivateKey(readFileSync(join(import.meta.dirname, `../../vectors/keys/${n}.pem`)));
const NOW = new Date('2027-03-01T00:00:00Z');
const AT = new Date(NOW.getTime() + 3_600_000);
const PG = '/srv/pg';

function setup(o: { sans?: boolean; conf?: string[]; hba?: string[]; crlExpired?: boolean; sha1Ca?: boolean }) {
  const h = makeHierarchy('root-server', {
    cn: 'db.example.com',
    days: 10,
    now: NOW,
    keys: { root: key('p256-1'), server: key('p256-2') },
    ...(o.sans ? { sans: [{ dns: 'db.example.com' }] } : {}),
    ...(o.crlExpired ? { mistakes: ['crl-expired' as const] } : { crl: true }),
  } as Parameters<typeof makeHierarchy>[1]);
  const sha1 = o.sha1Ca
    ? makeCertificate({
        subject: [{ CN: 'old sha1 CA' }],
        selfSigned: true,
        issuerKey: key('p256-3'),
        signatureAlgorithm: 'ecdsaWithSHA1',
        notBefore: NOW,
        notAfter: new Date(NOW.getTime() + 3650 * 86_400_000),
        extensions: [{ type: 'basicConstraints', ca: true, critical: true }],
        now: NOW,
      }).pem
    : '';
  const conf = [
    'ssl = on',
    "ssl_cert_file = 'server.crt'",
    "ssl_key_file = 'server.key'",
    "ssl_ca_file = 'root.crt'",
    "ssl_crl_file = 'root.crl'",
    ...(o.conf ?? []),
  ];
  const fs = memFs({
    [`${PG}/postgresql.conf`]: { content: `${conf.join('\n')}\n` },
    [`${PG}/pg_hba.conf`]: { content: `${(o.hba ?? ['hostssl all all 127.0.0.1/32 cert']).join('\n')}\n` },
    [`${PG}/pg_ident.conf`]: { content: '' },
    [`${PG}/server.crt`]: { content: h.serverCrtPem },
    [`${PG}/server.key`]: { content: h.server.keyPem, mode: 0o600 },
    [`${PG}/root.crt`]: { content: h.rootCrtPem + sha1 },
    [`${PG}/root.crl`]: { content: h.crl!.pem },
  });
  const server: ServerSpec = { name: 'db', pgdata: PG, host: 'db.example.com', settings: {}, names: [], pgVersion: 15 };
  const facts = serverFacts({ ...server, pgdata: PG }, { fs });
  expect(facts.starts, facts.fatal).toBe(true);
  return (p: PropertyName, v: unknown) => checkProperty(facts, p, v, server, AT);
}

describe('property expectations', () => {
  it('minTlsVersion: the default is TLSv1.2; the line that raises it is blamed', () => {
    const dflt = setup({});
    expect(dflt('minTlsVersion', 'TLSv1.2').ok).toBe(true);
    const v = dflt('minTlsVersion', 'TLSv1.3');
    expect(v).toMatchObject({ ok: false, actual: 'ssl_min_protocol_version is TLSv1.2' });
    expect(v.blame?.what).toBe('ssl_min_protocol_version (not set: its default)');
    const set = setup({ conf: ["ssl_min_protocol_version = 'TLSv1.3'"] })('minTlsVersion', 'TLSv1.3');
    expect(set.ok).toBe(true);
    expect(set.blame).toMatchObject({ file: `${PG}/postgresql.conf`, line: 6 });
  });

  it('methods and hostsslRequiresClientCert blame the pg_hba.conf line', () => {
    const check = setup({
      hba: ['hostssl all all 127.0.0.1/32 cert', 'host all all 10.0.0.0/8 trust', 'hostssl all all ::1/128 scram-sha-256'],
    });
    const m = check('methods', { host: ['scram-sha-256', 'cert'], hostssl: ['cert', 'scram-sha-256'] });
    expect(m).toMatchObject({
      ok: false,
      actual: 'line 2: host ... trust',
      blame: { file: `${PG}/pg_hba.conf`, line: 2, what: 'host all all 10.0.0.0/8 trust' },
    });
    expect(check('methods', { hostssl: ['cert', 'scram-sha-256'] }).ok).toBe(true);
    const c = check('hostsslRequiresClientCert', true);
    expect(c).toMatchObject({ ok: false, blame: { line: 3 } });
    expect(c.fix).toBe('add clientcert=verify-full to pg_hba.conf line 3, or use the cert method');
    expect(setup({ hba: ['hostssl all all ::1/128 scram-sha-256 clientcert=verify-ca'] })('hostsslRequiresClientCert', true).ok).toBe(true);
  });

  it('certificateDaysLeft, keys, sanCoversNames', () => {
    const check = setup({});
    const d = check('certificateDaysLeft', 30);
    expect(d.ok).toBe(false);
    expect(d.actual).toBe('"CN = db.example.com" (ssl_cert_file) has 9 day(s) left');
    expect(check('certificateDaysLeft', 9).ok).toBe(true);
    expect(check('keys', { algorithms: ['ec'], minEcBits: 256 }).ok).toBe(true);
    expect(check('keys', { algorithms: ['rsa'] }).actual).toMatch(
      /^"CN = db\.example\.com" has a ec key; "CN = root\.yourdomain\.com" has a ec key$/,
    );
    expect(check('keys', { minEcBits: 384 }).actual).toMatch(/has a 256-bit EC key \(P-256\)/);
    // CN only: libpq would accept the name, but there is no subjectAltName
    expect(check('sanCoversNames', true)).toMatchObject({
      ok: false,
      actual: 'the certificate has no subjectAltName, so it does not cover "db.example.com"',
    });
    expect(setup({ sans: true })('sanCoversNames', true).ok).toBe(true);
  });

  it('noSha1 and crlsNotStale', () => {
    expect(setup({})('noSha1', true).ok).toBe(true);
    const s = setup({ sha1Ca: true })('noSha1', true);
    expect(s).toMatchObject({ ok: false, actual: '"CN = old sha1 CA" (ssl_ca_file) is signed with SHA-1', blame: { line: 4 } });
    expect(setup({})('crlsNotStale', true).ok).toBe(true);
    const c = setup({ crlExpired: true })('crlsNotStale', true);
    expect(c.ok).toBe(false);
    expect(c.actual).toMatch(/^the CRL of "CN = root\.yourdomain\.com" is stale since /);
    expect(c.blame).toMatchObject({ line: 5, what: "ssl_crl_file = 'root.crl'" });
  });
});
