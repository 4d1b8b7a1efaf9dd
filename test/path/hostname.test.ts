// libpq's host-name rules against PostgreSQL's own SSL test certificates
// (src/test/ssl/t/001_ssltests.pl, table in ../shared/reference/pg-ssl-tap-scenarios.md),
// with the exact messages, plus made certificates for the edges (embedded NULs, wildcard
// corner cases, PG13's rules) and OpenSSL's X509_check_host for the same inputs.

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCertificates } from '../../src/x509/certificate.js';
import type { Certificate } from '../../src/x509/types.js';
import { formatIp, inetAton, inetPton6, libpqVerifyHost, x509CheckHost, type PgMajor } from '../../src/path/hostname.js';
import { makeCertificate } from '../../src/factory/index.js';
import { loadKey } from '../factory/helpers.js';

const TESTDATA = resolve(import.meta.dirname, '../../../shared/reference/pg-ssl-testdata');
const have = existsSync(TESTDATA);

function pgCert(name: string): Certificate {
  return parseCertificates(new Uint8Array(readFileSync(join(TESTDATA, `${name}.crt`))))[0];
}

// [certificate, host, expected message or OK] — from 001_ssltests.pl
const PG_TABLE: [string, string, string][] = [
  ['server-cn-only', 'common-name.pg-ssltest.test', 'OK'],
  ['server-cn-only', 'wronghost.test', 'server certificate for "common-name.pg-ssltest.test" does not match host name "wronghost.test"'],
  ['server-cn-only', 'COMMON-NAME.pg-ssltest.TEST', 'OK'],
  ['server-ip-cn-only', '192.0.2.1', 'OK'],
  ['server-ip-cn-only', '192.000.002.001', 'server certificate for "192.0.2.1" does not match host name "192.000.002.001"'],
  ['server-ip-in-dnsname', '192.0.2.1', 'OK'],
  ['server-multiple-alt-names', 'dns1.alt-name.pg-ssltest.test', 'OK'],
  ['server-multiple-alt-names', 'dns2.alt-name.pg-ssltest.test', 'OK'],
  ['server-multiple-alt-names', 'foo.wildcard.pg-ssltest.test', 'OK'],
  [
    'server-multiple-alt-names',
    'wronghost.alt-name.pg-ssltest.test',
    'server certificate for "dns1.alt-name.pg-ssltest.test" (and 2 other names) does not match host name "wronghost.alt-name.pg-ssltest.test"',
  ],
  [
    'server-multiple-alt-names',
    'deep.subdomain.wildcard.pg-ssltest.test',
    'server certificate for "dns1.alt-name.pg-ssltest.test" (and 2 other names) does not match host name "deep.subdomain.wildcard.pg-ssltest.test"',
  ],
  [
    'server-multiple-alt-names',
    'wildcard.pg-ssltest.test',
    'server certificate for "dns1.alt-name.pg-ssltest.test" (and 2 other names) does not match host name "wildcard.pg-ssltest.test"',
  ],
  ['server-single-alt-name', 'single.alt-name.pg-ssltest.test', 'OK'],
  [
    'server-single-alt-name',
    'wronghost.alt-name.pg-ssltest.test',
    'server certificate for "single.alt-name.pg-ssltest.test" does not match host name "wronghost.alt-name.pg-ssltest.test"',
  ],
  [
    'server-single-alt-name',
    'deep.subdomain.wildcard.pg-ssltest.test',
    'server certificate for "single.alt-name.pg-ssltest.test" does not match host name "deep.subdomain.wildcard.pg-ssltest.test"',
  ],
  ['server-ip-alt-names', '192.0.2.1', 'OK'],
  ['server-ip-alt-names', '192.000.002.001', 'OK'],
  ['server-ip-alt-names', '192.0.2.2', 'server certificate for "192.0.2.1" (and 1 other name) does not match host name "192.0.2.2"'],
  ['server-ip-alt-names', '2001:DB8::1', 'OK'],
  ['server-ip-alt-names', '2001:db8:0:0:0:0:0:1', 'OK'],
  ['server-ip-alt-names', '2001:db8::0.0.0.1', 'OK'],
  ['server-ip-alt-names', '::1', 'server certificate for "192.0.2.1" (and 1 other name) does not match host name "::1"'],
  [
    'server-ip-alt-names',
    '2001:DB8::1/128',
    'server certificate for "192.0.2.1" (and 1 other name) does not match host name "2001:DB8::1/128"',
  ],
  ['server-cn-and-alt-names', 'dns1.alt-name.pg-ssltest.test', 'OK'],
  ['server-cn-and-alt-names', 'dns2.alt-name.pg-ssltest.test', 'OK'],
  [
    'server-cn-and-alt-names',
    'common-name.pg-ssltest.test',
    'server certificate for "dns1.alt-name.pg-ssltest.test" (and 1 other name) does not match host name "common-name.pg-ssltest.test"',
  ],
  ['server-cn-and-ip-alt-names', 'common-name.pg-ssltest.test', 'OK'],
  ['server-cn-and-ip-alt-names', '192.0.2.1', 'OK'],
  ['server-cn-and-ip-alt-names', '2001:db8::1', 'OK'],
  ['server-ip-cn-and-alt-names', '192.0.2.2', 'OK'],
  ['server-ip-cn-and-alt-names', '2001:db8::1', 'OK'],
  ['server-ip-cn-and-alt-names', '192.0.2.1', 'server certificate for "192.0.2.2" (and 1 other name) does not match host name "192.0.2.1"'],
  ['server-ip-cn-and-dns-alt-names', '192.0.2.1', 'OK'],
  ['server-ip-cn-and-dns-alt-names', 'dns1.alt-name.pg-ssltest.test', 'OK'],
  ['server-ip-cn-and-dns-alt-names', 'dns2.alt-name.pg-ssltest.test', 'OK'],
  ['server-no-names', 'common-name.pg-ssltest.test', "could not get server's host name from server certificate"],
];

describe.skipIf(!have)('libpq host names on PostgreSQL test certificates (PG15)', () => {
  for (const [cert, host, want] of PG_TABLE) {
    it(`${cert} / ${host}`, () => {
      const r = libpqVerifyHost(pgCert(cert), host, 15);
      expect(r.ok ? 'OK' : r.message).toBe(want);
    });
  }
});

describe.skipIf(!have)('libpq host names before PostgreSQL 15', () => {
  it('PG13 ignores iPAddress SANs: the CN is used because no dNSName was examined', () => {
    expect(libpqVerifyHost(pgCert('server-ip-alt-names'), '192.0.2.1', 13).message).toBe(
      "could not get server's host name from server certificate",
    );
    expect(libpqVerifyHost(pgCert('server-cn-and-ip-alt-names'), 'common-name.pg-ssltest.test', 13).ok).toBe(true);
  });
  it('PG13 and 14 never fall back to the CN when a dNSName exists, even for an IP host', () => {
    // iPAddress SANs came with libpq 15 (real libpq 14.23 says "could not get server's host
    // name" for a certificate with only IP SANs: test/pg/versions-oracle.test.ts)
    for (const v of [13, 14] as PgMajor[]) {
      const r = libpqVerifyHost(pgCert('server-ip-cn-and-dns-alt-names'), '192.0.2.1', v);
      expect(r.message).toBe(
        'server certificate for "dns1.alt-name.pg-ssltest.test" (and 1 other name) does not match host name "192.0.2.1"',
      );
    }
  });
  it('PG16..18 agree with PG15', () => {
    for (const v of [16, 17, 18] as PgMajor[]) {
      expect(libpqVerifyHost(pgCert('server-ip-cn-and-dns-alt-names'), '192.0.2.1', v).ok).toBe(true);
    }
  });
});

const key = loadKey('p256-1');
function made(subject: string, names?: ({ dns: string } | { ip: string } | { raw: Uint8Array })[]): Certificate {
  const m = makeCertificate({
    subject,
    issuerKey: key,
    selfSigned: true,
    extensions: names ? [{ type: 'subjectAltName', names }] : undefined,
  });
  return parseCertificates(m.der)[0];
}

describe('libpq host names on made certificates', () => {
  const cases: [string, ({ dns: string } | { ip: string })[] | undefined, string, string][] = [
    ['/CN=*.example.com', undefined, 'a.example.com', 'OK'],
    ['/CN=*.example.com', undefined, 'A.EXAMPLE.COM', 'OK'],
    ['/CN=*.example.com', undefined, '.example.com', 'server certificate for "*.example.com" does not match host name ".example.com"'],
    ['/CN=*.example.com', undefined, 'example.com', 'server certificate for "*.example.com" does not match host name "example.com"'],
    [
      '/CN=*.example.com',
      undefined,
      'a.b.example.com',
      'server certificate for "*.example.com" does not match host name "a.b.example.com"',
    ],
    [
      '/CN=f*.example.com',
      undefined,
      'foo.example.com',
      'server certificate for "f*.example.com" does not match host name "foo.example.com"',
    ],
    ['/CN=*', undefined, 'anything', 'server certificate for "*" does not match host name "anything"'],
    [
      '/CN=a.example.com',
      [{ dns: 'b.example.com' }, { dns: 'c.example.com' }, { dns: 'd.example.com' }],
      'x.example.com',
      'server certificate for "b.example.com" (and 2 other names) does not match host name "x.example.com"',
    ],
    [
      '/CN=a.example.com',
      [{ dns: 'b.example.com' }],
      'a.example.com',
      'server certificate for "b.example.com" does not match host name "a.example.com"',
    ],
    ['/CN=a.example.com', [{ ip: '10.0.0.1' }], 'a.example.com', 'OK'],
    ['/CN=10.0.0.2', [{ ip: '10.0.0.1' }], '10.0.0.2', 'server certificate for "10.0.0.1" does not match host name "10.0.0.2"'],
    ['/CN=10.0.0.2', [{ ip: '10.0.0.1' }], '10.1', 'OK'], // inet_aton: 10.1 is 10.0.0.1
    ['/CN=x', [{ ip: '10.0.0.1' }], '10.2', 'server certificate for "10.0.0.1" does not match host name "10.2"'],
    ['/CN=x', [{ ip: '10.0.0.1' }], '10.0.1', 'OK'],
    ['/CN=x', [{ ip: '10.0.0.1' }], '0x0a000001', 'OK'],
    ['/CN=x', [{ ip: '10.0.0.1' }], '167772161', 'OK'],
  ];
  for (const [subject, names, host, want] of cases) {
    it(`${subject} ${JSON.stringify(names ?? [])} / ${host}`, () => {
      const r = libpqVerifyHost(made(subject, names), host, 15);
      expect(r.ok ? 'OK' : r.message).toBe(want);
    });
  }

  it('an embedded NUL in a dNSName is an error, not a mismatch', () => {
    const c = made('/CN=x', [{ dns: 'evil.com\u0000.good.com' }]);
    expect(libpqVerifyHost(c, 'evil.com', 15).message).toBe("SSL certificate's name contains embedded null");
  });
});

describe('address parsing', () => {
  it('inet_aton accepts the legacy forms glibc accepts', () => {
    expect(Array.from(inetAton('192.000.002.001')!)).toEqual([192, 0, 2, 1]);
    expect(Array.from(inetAton('127.1')!)).toEqual([127, 0, 0, 1]);
    expect(Array.from(inetAton('0x7f.1')!)).toEqual([127, 0, 0, 1]);
    expect(Array.from(inetAton('1.2.3.4 trailing')!)).toEqual([1, 2, 3, 4]);
    expect(inetAton('192.0.2.08')).toBeNull();
    expect(inetAton('256.1.1.1')).toBeNull();
    expect(inetAton('1.2.3.4.5')).toBeNull();
    expect(inetAton('host.example')).toBeNull();
  });
  it('inet_pton(AF_INET6) and inet_net_ntop round trips', () => {
    expect(formatIp(inetPton6('2001:DB8::1')!)).toBe('2001:db8::1');
    expect(formatIp(inetPton6('::')!)).toBe('::');
    expect(formatIp(inetPton6('1:0:0:2:0:0:0:3')!)).toBe('1:0:0:2::3');
    expect(inetPton6('1::2::3')).toBeNull();
    expect(inetPton6('2001:DB8::1/128')).toBeNull();
  });
});

describe('X509_check_host (OpenSSL, NO_PARTIAL_WILDCARDS)', () => {
  const cases: [string, ({ dns: string } | { ip: string })[] | undefined, string, number][] = [
    ['/CN=example.com', undefined, 'example.com', 1],
    ['/CN=example.com', [{ dns: 'other.com' }], 'example.com', 0],
    ['/CN=example.com', [{ ip: '10.0.0.1' }], 'example.com', 1],
    ['/CN=x', [{ dns: '*.example.com' }], 'a.example.com', 1],
    ['/CN=x', [{ dns: '*.example.com' }], 'a.b.example.com', 0],
    ['/CN=x', [{ dns: '*.com' }], 'example.com', 0],
    ['/CN=x', [{ dns: 'f*.example.com' }], 'foo.example.com', 0],
    ['/CN=x', [{ dns: '*.xn--80ak6aa92e.com' }], 'a.xn--80ak6aa92e.com', 1],
    ['/CN=x', [{ dns: 'xn--*.example.com' }], 'xn--a.example.com', 0],
    ['/CN=x', [{ dns: 'EXAMPLE.com' }], 'example.COM', 1],
    ['/CN=x', [{ dns: 'example.com' }], '.example.com', 0],
    ['/CN=x', [{ dns: 'www.example.com' }], '.example.com', 1],
  ];
  for (const [subject, names, host, want] of cases) {
    it(`${subject} ${JSON.stringify(names ?? [])} / ${host}`, () => {
      expect(x509CheckHost(made(subject, names), host)).toBe(want);
    });
  }
});
