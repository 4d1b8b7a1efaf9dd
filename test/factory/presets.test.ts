// The docs' three recipes (PostgreSQL §19.9.5) run with OpenSSL 3.0 in a temp dir, compared
// structurally with the presets; then each deliberate mistake against openssl verify.
import { afterAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { decodePemOrDer, parseDer, toHex } from '../../src/der/index.js';
import { makeHierarchy, MISTAKES, type Hierarchy, type HierarchyKind, type Mistake } from '../../src/factory/presets.js';
import { loadKey, openssl, opensslOk, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.done());
const keys = {
  root: loadKey('rsa2048-1'),
  intermediate: loadKey('rsa2048-2'),
  server: loadKey('rsa2048-3'),
  client: loadKey('rsa2048-4'),
  other: loadKey('rsa2048-5'),
};

/** The commands of the docs, verbatim but for the working directory. */
const DOCS: Record<HierarchyKind, string[][]> = {
  'self-signed': [
    [
      'req',
      '-new',
      '-x509',
      '-days',
      '365',
      '-nodes',
      '-text',
      '-out',
      'server.crt',
      '-keyout',
      'server.key',
      '-subj',
      '/CN=dbhost.yourdomain.com',
    ],
  ],
  'root-server': [
    ['req', '-new', '-nodes', '-text', '-out', 'root.csr', '-keyout', 'root.key', '-subj', '/CN=root.yourdomain.com'],
    [
      'x509',
      '-req',
      '-in',
      'root.csr',
      '-text',
      '-days',
      '3650',
      '-extfile',
      '/etc/ssl/openssl.cnf',
      '-extensions',
      'v3_ca',
      '-signkey',
      'root.key',
      '-out',
      'root.crt',
    ],
    ['req', '-new', '-nodes', '-text', '-out', 'server.csr', '-keyout', 'server.key', '-subj', '/CN=dbhost.yourdomain.com'],
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-text',
      '-days',
      '365',
      '-CA',
      'root.crt',
      '-CAkey',
      'root.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
    ],
  ],
  chain: [
    ['req', '-new', '-nodes', '-text', '-out', 'root.csr', '-keyout', 'root.key', '-subj', '/CN=root.yourdomain.com'],
    [
      'x509',
      '-req',
      '-in',
      'root.csr',
      '-text',
      '-days',
      '3650',
      '-extfile',
      '/etc/ssl/openssl.cnf',
      '-extensions',
      'v3_ca',
      '-signkey',
      'root.key',
      '-out',
      'root.crt',
    ],
    [
      'req',
      '-new',
      '-nodes',
      '-text',
      '-out',
      'intermediate.csr',
      '-keyout',
      'intermediate.key',
      '-subj',
      '/CN=intermediate.yourdomain.com',
    ],
    [
      'x509',
      '-req',
      '-in',
      'intermediate.csr',
      '-text',
      '-days',
      '1825',
      '-extfile',
      '/etc/ssl/openssl.cnf',
      '-extensions',
      'v3_ca',
      '-CA',
      'root.crt',
      '-CAkey',
      'root.key',
      '-CAcreateserial',
      '-out',
      'intermediate.crt',
    ],
    ['req', '-new', '-nodes', '-text', '-out', 'server.csr', '-keyout', 'server.key', '-subj', '/CN=dbhost.yourdomain.com'],
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-text',
      '-days',
      '365',
      '-CA',
      'intermediate.crt',
      '-CAkey',
      'intermediate.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
    ],
  ],
};

/** Everything about a certificate that does not depend on the key or the moment: what must match. */
function shape(pem: string, dir: string) {
  const f = join(dir, `shape-${Math.random().toString(36).slice(2)}.pem`);
  require_write(f, pem);
  const text = opensslOk(['x509', '-in', f, '-noout', '-text', '-certopt', 'no_pubkey,no_sigdump,no_serial,no_validity']);
  const keyLine = /Public-Key: \((\d+) bit\)/.exec(opensslOk(['x509', '-in', f, '-noout', '-text']))![1];
  const dates = opensslOk(['x509', '-in', f, '-noout', '-dates']);
  const [nb, na] = [...dates.matchAll(/=(.*)\n/g)].map((m) => Date.parse(m[1]));
  const d = decodePemOrDer(new TextEncoder().encode(pem))[0].der;
  const tbs = parseDer(d).children()[0].children();
  const hasVersion = tbs[0].tag === 0xa0;
  const at = (i: number) => tbs[i + (hasVersion ? 1 : 0)];
  return {
    // key identifiers vary with the key: keep their shape (20 octets)
    text: text.replace(/([0-9A-F]{2}:){19}[0-9A-F]{2}/g, '<keyid>'),
    keyBits: keyLine,
    days: (na - nb) / 86_400_000,
    serialOctets: at(0).content().length,
    serialPositive: (at(0).content()[0] & 0x80) === 0,
    sigAlg: toHex(at(1).bytes()),
    issuer: toHex(at(2).bytes()),
    subject: toHex(at(4).bytes()),
    spkiAlg: toHex(at(5).children()[0].bytes()),
  };
}
function require_write(f: string, s: string) {
  tmp.write(f.slice(tmp.dir.length + 1), s);
}

function certsOf(file: string): string[] {
  return readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g) ?? [];
}

describe('presets have the shape of the docs commands on OpenSSL 3.0', () => {
  for (const kind of ['self-signed', 'root-server', 'chain'] as const) {
    test(kind, () => {
      const dir = tempDir('pgtls-docs-');
      try {
        for (const cmd of DOCS[kind]) {
          const r = openssl(cmd, dir.dir);
          expect(r.status, r.err).toBe(0);
        }
        const h = makeHierarchy(kind, { keys });
        const pairs: [string, string][] = [[certsOf(join(dir.dir, 'server.crt'))[0], h.server.cert.pem]];
        if (kind !== 'self-signed') pairs.push([certsOf(join(dir.dir, 'root.crt'))[0], h.root.cert.pem]);
        if (kind === 'chain') pairs.push([certsOf(join(dir.dir, 'intermediate.crt'))[0], h.intermediate!.cert.pem]);
        for (const [docs, ours] of pairs) expect(shape(ours, tmp.dir)).toEqual(shape(docs, tmp.dir));
        // the key files: PKCS#8 "PRIVATE KEY", as req -nodes writes
        expect(readFileSync(join(dir.dir, 'server.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
        expect(h.server.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
        // both verify the same way
        const ourRoot = tmp.write(`${kind}-root.pem`, h.rootCrtPem);
        const ourServer = tmp.write(`${kind}-server.pem`, h.serverCrtPem);
        const ours = openssl(['verify', '-CAfile', ourRoot, '-untrusted', ourServer, ourServer]);
        expect(ours.out).toBe(`${ourServer}: OK\n`);
        const docsRoot = join(dir.dir, kind === 'self-signed' ? 'server.crt' : 'root.crt');
        const docsUntrusted = kind === 'chain' ? ['-untrusted', join(dir.dir, 'intermediate.crt')] : [];
        expect(openssl(['verify', '-CAfile', docsRoot, ...docsUntrusted, join(dir.dir, 'server.crt')]).out).toContain(': OK');
        // server.crt bundles leaf then intermediate
        expect(certsOf(ourServer).length).toBe(kind === 'chain' ? 2 : 1);
      } finally {
        dir.done();
      }
    });
  }

  test('options: CN, SANs (v3 leaf with only subjectAltName), days, now', () => {
    const now = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
    const h = makeHierarchy('root-server', { keys, cn: 'pg.example.org', sans: ['DNS:pg.example.org', 'IP:192.0.2.7'], days: 90, now });
    const f = tmp.write('opt.pem', h.server.cert.pem);
    const t = opensslOk(['x509', '-in', f, '-noout', '-text']);
    expect(t).toContain('Version: 3 (0x2)');
    expect(t).toContain('Subject: CN = pg.example.org');
    expect(t).toContain('Not Before: Jan  2 03:04:05 2030 GMT');
    expect(t).toContain('Not After : Apr  2 03:04:05 2030 GMT');
    expect(t).toMatch(
      /X509v3 extensions:\n\s+X509v3 Subject Alternative Name: \n\s+DNS:pg.example.org, IP Address:192.0.2.7\n\s+Signature Algorithm/,
    );
  });

  test('other key types: p256 and ed25519 hierarchies verify', () => {
    for (const [r, i, s] of [
      ['p256-1', 'p256-2', 'p256-3'],
      ['ed25519-1', 'ed25519-2', 'ed25519-3'],
    ]) {
      const h = makeHierarchy('chain', { keys: { root: loadKey(r), intermediate: loadKey(i), server: loadKey(s) } });
      const rootF = tmp.write(`k-${r}.pem`, h.rootCrtPem);
      const srv = tmp.write(`k-${s}.pem`, h.serverCrtPem);
      expect(openssl(['verify', '-CAfile', rootF, '-untrusted', srv, srv]).out).toBe(`${srv}: OK\n`);
    }
  });
});

describe('mistakes', () => {
  const verify = (h: Hierarchy, which: 'server' | 'client', extra: string[] = [], bundle = true) => {
    const id = Math.random().toString(36).slice(2);
    const root = tmp.write(`mr${id}.pem`, h.rootCrtPem);
    const leaf = tmp.write(`ml${id}.pem`, which === 'server' ? h.serverCrtPem : h.client!.cert.pem);
    const args = ['verify', ...extra, '-CAfile', root, ...(bundle ? ['-untrusted', leaf] : []), leaf];
    const r = openssl(args);
    return (
      /error (\d+) at (\d+) depth lookup: (.*)/
        .exec(r.out + r.err)
        ?.slice(1, 4)
        .join(' ') ?? (r.status === 0 ? 'OK' : r.out + r.err)
    );
  };
  const expected: Record<Mistake, (h: Hierarchy) => void> = {
    'leaf-without-intermediate': (h) => expect(verify(h, 'server')).toBe('20 0 unable to get local issuer certificate'),
    'intermediate-v1': (h) => {
      expect(h.intermediate!.cert.der[4 + 4]).not.toBe(0xa0); // no [0] version: v1
      expect(verify(h, 'server')).toBe('79 1 invalid CA certificate'); // a v1 CA is only accepted as a self-signed root
    },
    'intermediate-ca-false': (h) => expect(verify(h, 'server')).toBe('79 1 invalid CA certificate'),
    'expired-leaf': (h) => expect(verify(h, 'server')).toBe('10 0 certificate has expired'),
    'not-yet-valid-leaf': (h) => expect(verify(h, 'server')).toBe('9 0 certificate is not yet valid'),
    'wrong-cn': (h) => expect(verify(h, 'server', ['-verify_hostname', 'dbhost.yourdomain.com'])).toBe('62 0 hostname mismatch'),
    'key-mismatch': (h) => {
      const c = opensslOk(['x509', '-noout', '-pubkey', '-in', tmp.write('km.crt', h.server.cert.pem)]);
      const k = opensslOk(['pkey', '-pubout', '-in', tmp.write('km.key', h.server.keyPem)]);
      expect(c).not.toBe(k);
      expect(verify(h, 'server')).toBe('OK');
    },
    'revoked-client': (h) => {
      const crl = tmp.write('rc.pem', h.crl!.pem);
      expect(verify(h, 'client', ['-crl_check', '-CRLfile', crl])).toBe('23 0 certificate revoked');
      expect(opensslOk(['x509', '-noout', '-subject', '-in', tmp.write('cl.pem', h.client!.cert.pem)])).toBe('subject=CN = postgres\n');
    },
    'crl-expired': (h) =>
      expect(verify(h, 'server', ['-crl_check', '-CRLfile', tmp.write('ce.pem', h.crl!.pem)])).toBe('12 0 CRL has expired'),
    'pathlen-violation': (h) => expect(verify(h, 'server')).toBe('25 2 path length constraint exceeded'),
  };
  for (const m of MISTAKES) {
    test(m, () => {
      const kind: HierarchyKind = ['leaf-without-intermediate', 'intermediate-v1', 'intermediate-ca-false', 'pathlen-violation'].includes(m)
        ? 'chain'
        : 'root-server';
      expected[m](makeHierarchy(kind, { keys, mistakes: [m] }));
    });
  }
  test('client certificate for a user, CRL with nothing revoked', () => {
    const h = makeHierarchy('chain', { keys, clientUser: 'alice', crl: true });
    expect(verify(h, 'client', ['-crl_check', '-CRLfile', tmp.write('ok.crl', h.crl!.pem)])).toBe('OK');
    expect(opensslOk(['x509', '-noout', '-subject', '-issuer', '-in', tmp.write('alice.pem', h.client!.cert.pem)])).toBe(
      'subject=CN = alice\nissuer=CN = root.yourdomain.com\n',
    );
  });
});
