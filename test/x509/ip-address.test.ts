// ip-address.ts against the real parsers and printers: glibc's inet_aton, inet_pton and
// getaddrinfo(AI_NUMERICHOST) through Python's socket module (it calls them directly), libuv's
// inet_pton/inet_ntop through Node's net.SocketAddress, and openssl 3.0's a2i_ipadd and
// ossl_ipaddress_to_asc through `openssl req -addext subjectAltName=IP:...` and `-text`.

import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { SocketAddress } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { toHex } from '../../src/der/index.js';
import { IP_TEXT, formatIpAddress, parseIpAddress, type IpAddress } from '../../src/x509/ip-address.js';
import { KEY_DIR, loadKey } from '../crypto/helpers.js';
import { makeCertificate } from '../../src/factory/index.js';
import { formatGeneralName, parseCertificate } from '../../src/x509/index.js';
import { useOpensslGoldens } from '../support/openssl-goldens.js';

// openssl's answers for the fixed inputs are recorded in vectors/oracle/ip-address/openssl-3.0.json
// and replayed without openssl; the fast-check samples sent to openssl stay live-only
const goldens = useOpensslGoldens('ip-address');

/** Text that looks like an address, and text that almost does. */
const ipLikeText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefxX.:%+- \tg'), maxLength: 24 }),
  fc
    .array(
      fc.oneof(
        fc.nat(300).map(String),
        fc.nat(0xffffff).map((n) => `0x${n.toString(16)}`),
        fc.nat(0o777).map((n) => `0${n.toString(8)}`),
      ),
      { minLength: 1, maxLength: 5 },
    )
    .map((p) => p.join('.')),
  fc
    .uint8Array({ minLength: 16, maxLength: 16 })
    .chain((b) =>
      fc.constantFrom(formatIpAddress(b, 'inet_ntop'), formatIpAddress(b, 'openssl'), `::ffff:${b[0]}.${b[1]}.${b[2]}.${b[3]}`),
    ),
  fc
    .tuple(
      fc.array(
        fc.nat(0xffff).map((n) => n.toString(16)),
        { maxLength: 9 },
      ),
      fc.nat(9),
      fc.constantFrom('', '%1', '%01', '%4294967296', '%x', '.1.2.3.4', ':1.2.3.4', ' x'),
    )
    .map(([g, at, tail]) => `${g.slice(0, at).join(':')}${at <= g.length ? '::' : ''}${g.slice(at).join(':')}${tail}`),
);

const edgeCases = [
  '127.1',
  '0x7f.1',
  '010.0.0.1',
  '08',
  '0x',
  '0x.1',
  '1.2.3.4 ',
  '1.2.3.4 junk',
  '1.2.3.',
  '4294967295',
  '4294967296',
  '0xffffffff',
  '1.0xffffff',
  '0x100.1',
  '::',
  ':::',
  '1::',
  ':1',
  '1::2:3:4:5:6:7',
  '::1.2.3.04',
  '::ffff:1.2.3.4',
  'fe80::1%1',
  'fe80::1%4294967295',
  'fe80::1%4294967296',
  '::1%01',
  '::1%',
  '1:2:3:4:5:6:7:8::',
  '::1:2:3:4:5:6:7:8',
];

// ---------------------------------------------------------------------------------------------
// glibc

const PY_GLIBC = `
import sys, json, socket
out = []
for s in json.load(sys.stdin):
    r = {}
    for k, f in (('aton', lambda: socket.inet_aton(s)), ('pton4', lambda: socket.inet_pton(socket.AF_INET, s)), ('pton6', lambda: socket.inet_pton(socket.AF_INET6, s))):
        try: r[k] = f().hex()
        except Exception: r[k] = None
    try:
        ai = socket.getaddrinfo(s, None, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)[0]
        host = ai[4][0].split('%')[0]
        r['gai'] = [4, socket.inet_pton(socket.AF_INET, host).hex(), None] if ai[0] == socket.AF_INET else [6, socket.inet_pton(socket.AF_INET6, host).hex(), ai[4][3]]
    except Exception: r['gai'] = None
    out.append(r)
json.dump(out, sys.stdout)
`;
type Glibc = { aton: string | null; pton4: string | null; pton6: string | null; gai: [4 | 6, string, number | null] | null };
const pythonMissing = spawnSync('python3', ['-c', 'import socket']).status === 0 ? undefined : 'python3 not installed';

function glibc(inputs: string[]): Glibc[] {
  return JSON.parse(execFileSync('python3', ['-c', PY_GLIBC], { input: JSON.stringify(inputs), encoding: 'utf8' })) as Glibc[];
}

const hexOf = (a: IpAddress | undefined): string | null => (a ? toHex(a.bytes) : null);
/** Interface names are machine-dependent and not modelled (see ip-address.ts): leave them out. */
const noInterfaceScope = (s: string) => !/%.*[^0-9]/.test(s);

describe('glibc: inet_aton, inet_pton, getaddrinfo(AI_NUMERICHOST)', () => {
  it.skipIf(pythonMissing)('every rule set reads random address-like text as glibc 2.36 does', () => {
    const inputs = [...edgeCases, ...fc.sample(ipLikeText, 3000)].filter((s) => noInterfaceScope(s) && !s.includes('\0'));
    const real = glibc(inputs);
    const diffs: string[] = [];
    inputs.forEach((s, i) => {
      const r = real[i];
      const want = {
        libpq: r.aton ?? r.pton6,
        pton: r.pton4 ?? r.pton6,
        gai: r.gai && `${r.gai[0]}:${r.gai[1]}${r.gai[2] ? `%${r.gai[2]}` : ''}`,
      };
      const gai = parseIpAddress(s, IP_TEXT.getaddrinfoNumeric);
      const got = {
        libpq: hexOf(parseIpAddress(s, IP_TEXT.libpqHost)),
        pton: hexOf(parseIpAddress(s, IP_TEXT.inetPton)),
        gai: gai ? `${gai.family}:${toHex(gai.bytes)}${gai.scopeId ? `%${gai.scopeId}` : ''}` : null,
      };
      if (JSON.stringify(got) !== JSON.stringify(want))
        diffs.push(`${JSON.stringify(s)}: ours ${JSON.stringify(got)}, glibc ${JSON.stringify(want)}`);
    });
    expect(diffs).toEqual([]);
  });

  it('the forms PostgreSQL and libpq accept and refuse (recorded from glibc 2.36)', () => {
    const gai = (s: string) => {
      const a = parseIpAddress(s, IP_TEXT.getaddrinfoNumeric);
      return a && `${formatIpAddress(a.bytes, 'inet_ntop')}${a.scopeId !== undefined ? `%${a.scopeId}` : ''}`;
    };
    expect(['127.1', '0x7f.1', '010.0.0.1', '4294967295', '1.0xffffff', '::ffff:1.2.3.4', 'fe80::1%1', '::1%01'].map(gai)).toEqual([
      '127.0.0.1',
      '127.0.0.1',
      '8.0.0.1',
      '255.255.255.255',
      '1.255.255.255',
      '::ffff:1.2.3.4',
      'fe80::1%1',
      '::1%1',
    ]);
    // refused by getaddrinfo: "0x" alone, trailing text, a zone over 2^32-1, an empty zone
    expect(['0x', '08', '1.2.3.4 ', '4294967296', 'fe80::1%4294967296', '::1%', '1.2.3.'].map(gai)).toEqual(Array(7).fill(undefined));
    // inet_aton (libpq) stops at whitespace, getaddrinfo does not
    expect(hexOf(parseIpAddress('1.2.3.4 junk', IP_TEXT.libpqHost))).toBe('01020304');
    expect(parseIpAddress('fe80::1%1', IP_TEXT.libpqHost)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// libuv (Node)

function libuv(s: string, family: 'ipv4' | 'ipv6'): string | undefined {
  try {
    return new SocketAddress({ address: s, family }).address;
  } catch {
    return undefined;
  }
}

describe("libuv's inet_pton and inet_ntop (node:net SocketAddress)", () => {
  it('IP_TEXT.inetPton accepts what inet_pton accepts, and reads the same address', () => {
    fc.assert(
      fc.property(
        ipLikeText.filter((s) => !s.includes('%')),
        (s) => {
          const ours = parseIpAddress(s, IP_TEXT.inetPton);
          const real = libuv(s, 'ipv4') ?? libuv(s, 'ipv6');
          expect(ours && formatIpAddress(ours.bytes, 'inet_ntop')).toBe(real);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('inet_ntop prints as libuv does, and every rule set reads the printed text back', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), sparseIpv6),
        (b) => {
          const text = formatIpAddress(b, 'inet_ntop');
          expect(text).toBe(libuv(text, b.length === 4 ? 'ipv4' : 'ipv6'));
          for (const rules of [IP_TEXT.inetPton, IP_TEXT.libpqHost, IP_TEXT.getaddrinfoNumeric, IP_TEXT.openssl])
            expect(parseIpAddress(text, rules)?.bytes).toEqual(b);
          expect(parseIpAddress(formatIpAddress(b, 'openssl'), IP_TEXT.openssl)?.bytes).toEqual(b);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

/** IPv6 addresses with runs of zero groups and IPv4-mapped/compatible forms, where the printers differ most. */
const sparseIpv6: fc.Arbitrary<Uint8Array> = fc
  .array(fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0xffff), fc.nat(0xffff)), { minLength: 8, maxLength: 8 })
  .map((w) => Uint8Array.from(w.flatMap((x) => [x >> 8, x & 0xff])));

// ---------------------------------------------------------------------------------------------
// OpenSSL

const KEY = join(KEY_DIR, 'p256-1.pem');

/**
 * What `openssl req -addext subjectAltName=IP:<s>` puts in the certificate, as `-text` prints it;
 * undefined when it refuses. `recorded`: the run is kept in the book (its inputs are fixed)
 * and replayed without openssl; otherwise it runs live only (a fast-check sample).
 */
function opensslSan(values: string[], recorded = false): string[] | undefined {
  const real = () => {
    const { status, stdout } = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-new',
        '-key',
        KEY,
        '-subj',
        '/CN=x',
        '-addext',
        `subjectAltName=${values.map((v) => `IP:${v}`).join(',')}`,
        '-noout',
        '-text',
      ],
      { encoding: 'utf8' },
    );
    // the lines that name the addresses (the rest of -text: a new key id, serial and dates each run)
    return { status, san: stdout.split('\n').filter((l) => l.includes('IP Address:')) };
  };
  const r = recorded ? goldens.call(`req -addext subjectAltName=${values.map((v) => `IP:${v}`).join(',')}`, real) : real();
  if (r.status !== 0) return undefined;
  const stdout = r.san.join('\n');
  return [...stdout.matchAll(/IP Address:([^,\n]*)/g)].map((m) => m[1]);
}

describe.skipIf(goldens.skip)("OpenSSL 3.0's a2i_ipadd and ossl_ipaddress_to_asc", () => {
  it('IP_TEXT.openssl accepts and reads what `openssl req -addext subjectAltName=IP:...` does', () => {
    // CONF parsing trims the value and splits on commas, so those cannot reach a2i_ipadd this way
    const usable = (s: string) => s === s.trim() && s !== '' && !s.includes(',');
    const inputs = [
      ...edgeCases,
      '+1.2.3.4',
      '1. 2.3.4',
      '1 .2.3.4',
      '4294967297.2.3.4',
      '2147483648.2.3.4',
      '1.2.3.-0',
      '::01.2.3.4',
      '::1.2.3.4 5',
      ':: 1',
      ':',
      '1:',
      ':1:',
    ].filter(usable);
    // the fixed inputs are recorded; the fast-check sample (new each run) is live-only
    const sampled = goldens.live ? fc.sample(ipLikeText, 60).filter(usable) : [];
    const diffs: string[] = [];
    for (const [i, s] of [...inputs, ...sampled].entries()) {
      const ours = parseIpAddress(s, IP_TEXT.openssl);
      const real = opensslSan([s], i < inputs.length)?.[0];
      const got = ours && formatIpAddress(ours.bytes, 'openssl');
      if (got !== real) diffs.push(`${JSON.stringify(s)}: ours ${got}, openssl ${real}`);
    }
    expect(diffs).toEqual([]);
  });

  it('the openssl printer matches `openssl x509 -text`', () => {
    // live-only: a fast-check sample, new each run
    if (goldens.live) {
      const addrs = fc.sample(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), sparseIpv6), 40);
      expect(opensslSan(addrs.map((b) => formatIpAddress(b, 'openssl')))).toEqual(addrs.map((b) => formatIpAddress(b, 'openssl')));
    }
    // recorded: fixed addresses of the same kinds (IPv4, IPv6 with and without runs of zeros)
    const fixed = [
      [0, 0, 0, 0],
      [255, 255, 255, 255],
      [192, 0, 2, 7],
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
      [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0xab, 0, 0],
      [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55],
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1],
      [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21],
    ].map((b) => Uint8Array.from(b));
    expect(
      opensslSan(
        fixed.map((b) => formatIpAddress(b, 'openssl')),
        true,
      ),
    ).toEqual(fixed.map((b) => formatIpAddress(b, 'openssl')));
    expect(formatIpAddress(new Uint8Array(5), 'openssl')).toBe('<invalid length=5>');
  });
});

describe.skipIf(goldens.skip)('iPAddress of every length in `openssl x509 -text` (i2v_GENERAL_NAME, print_nc_ipadd)', () => {
  it('formatGeneralName prints SANs and name constraints as openssl 3.0 does', () => {
    const key = loadKey('p256-1').priv;
    for (const n of [0, 1, 4, 5, 8, 16, 17, 32]) {
      const ip = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 1) & 0xff);
      const made = makeCertificate({
        subject: '/CN=x',
        selfSigned: true,
        issuerKey: key,
        // fixed, so that what openssl prints is the same each run (recorded)
        serial: n + 1,
        now: new Date('2030-06-15T12:00:00Z'),
        extensions: [
          { type: 'subjectAltName', names: [{ ip }] },
          { type: 'nameConstraints', permitted: [{ ip }] },
        ],
      });
      const text = goldens.call(`x509 -text, iPAddress of ${n} octets`, () =>
        execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-text'], { input: made.der, encoding: 'utf8' }),
      );
      const cert = parseCertificate(made.der);
      const san = formatGeneralName(cert.ext.subjectAltName!.names[0]);
      const nc = formatGeneralName(cert.ext.nameConstraints!.permitted![0].base, true);
      expect(text, `${n} octets`).toContain(`\n                ${san}\n`);
      expect(text, `${n} octets`).toContain(`\n                  ${nc}\n`);
    }
  });
});
