// schemes.ts: the SignatureScheme table, schemesForKey, RFC 8446 rules, RFC 8448 CertificateVerify, node:crypto both ways.

import { describe, expect, it } from 'vitest';
import { constants, verify as nodeVerify, sign as nodeSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CryptoError, SIGNATURE_SCHEMES, hash, schemeName, schemesForKey, signScheme, verifyScheme } from '../../src/crypto/index.js';
import { concatBytes, fromHex } from '../../src/der/bytes.js';
import type { PublicKey } from '../../src/x509/types.js';
import { bytes, flip, loadKey, restrictedPssKey, type TestKey } from './helpers.js';

/** RFC 8446 §4.4.3: the content a server's CertificateVerify signs. */
const certVerifyContent = (transcriptHash: Uint8Array) =>
  concatBytes(new Uint8Array(64).fill(0x20), bytes('TLS 1.3, server CertificateVerify'), Uint8Array.of(0), transcriptHash);
const content = certVerifyContent(hash('sha256', bytes('transcript')));

describe('SignatureScheme table', () => {
  it('names and code points follow RFC 8446 and OpenSSL', () => {
    expect(schemeName(0x0804)).toBe('rsa_pss_rsae_sha256');
    expect(schemeName(0x0809)).toBe('rsa_pss_pss_sha256');
    expect(schemeName(0x0403)).toBe('ecdsa_secp256r1_sha256');
    expect(schemeName(0x0807)).toBe('ed25519');
    expect(schemeName(0x0808)).toBe('ed448');
    expect(schemeName(0x0401)).toBe('rsa_pkcs1_sha256');
    expect(schemeName(0x1234)).toBe('0x1234');
    expect(new Set(SIGNATURE_SCHEMES.map((s) => s.code)).size).toBe(SIGNATURE_SCHEMES.length);
    // TLS 1.3 CertificateVerify: no PKCS#1, no SHA-1/SHA-224, no DSA
    for (const s of SIGNATURE_SCHEMES)
      expect(s.tls13).toBe(!(s.sig === 'rsa-pkcs1' || s.sig === 'dsa' || s.hash === 'sha1' || s.hash === 'sha224'));
  });

  it.each([
    ['rsa2048-1', [0x0804, 0x0805, 0x0806]],
    ['rsa1024-1', [0x0804, 0x0805]], // 128 octets < 2 * 64 + 2: no rsa_pss_rsae_sha512 (rsa_pss_check_min_key_size)
    ['rsapss2048-1', [0x0809, 0x080a, 0x080b]],
    ['p256-1', [0x0403]],
    ['p384-1', [0x0503]],
    ['p521-1', [0x0603]],
    ['ed25519-1', [0x0807]],
    ['ed448-1', [0x0808]],
  ] as const)('schemesForKey(%s) in OpenSSL order', (name, expected) => {
    expect(schemesForKey(loadKey(name).pub)).toEqual(expected);
  });

  it('schemesForKey honours RSA-PSS key restrictions', () => {
    expect(schemesForKey(restrictedPssKey({ hash: 'sha384', mgfHash: 'sha384', saltLength: 48, trailerField: 1 }).pub)).toEqual([0x080a]);
    // a minimum salt above the hash length rules out every TLS scheme (TLS uses salt = hLen)
    expect(schemesForKey(restrictedPssKey({ hash: 'sha256', mgfHash: 'sha256', saltLength: 40, trailerField: 1 }).pub)).toEqual([]);
    expect(
      schemesForKey({ kind: 'unknown', algorithm: { oid: '1.2', bytes: new Uint8Array() }, key: new Uint8Array(), bits: 0, reason: 'x' }),
    ).toEqual([]);
  });
});

const nodeOpts = (k: TestKey, scheme: number): [string | null, Parameters<typeof nodeVerify>[2]] => {
  const s = SIGNATURE_SCHEMES.find((x) => x.code === scheme)!;
  if (s.sig === 'ed25519' || s.sig === 'ed448') return [null, k.nodePub];
  if (s.sig.startsWith('rsa-pss'))
    return [s.hash!, { key: k.nodePub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }];
  return [s.hash!, k.nodePub];
};

describe('signScheme / verifyScheme against node:crypto', () => {
  for (const name of ['rsa2048-1', 'rsapss2048-1', 'p256-1', 'p384-1', 'p521-1', 'ed25519-1', 'ed448-1']) {
    it(`${name}: every scheme the key can use, both directions`, () => {
      const k = loadKey(name);
      for (const scheme of schemesForKey(k.pub)) {
        const ours = signScheme(scheme, k.priv, content);
        const [h, opts] = nodeOpts(k, scheme);
        expect(nodeVerify(h, content, opts, ours), schemeName(scheme)).toBe(true);
        const nodeKey = (opts === k.nodePub ? k.node : { ...(opts as object), key: k.node }) as Parameters<typeof nodeSign>[2];
        const theirs = new Uint8Array(nodeSign(h, content, nodeKey));
        expect(verifyScheme(scheme, k.pub, content, theirs), schemeName(scheme)).toEqual({ ok: true });
        expect(verifyScheme(scheme, k.pub, flip(content, 600), theirs).ok).toBe(false);
      }
    });
  }

  it('RFC 8448 §3: the server CertificateVerify (rsa_pss_rsae_sha256) verifies', () => {
    const dir = (f: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../vectors/rfc8448/${f}.json`, import.meta.url)), 'utf8'));
    const v = dir('section3-simple-1rtt');
    const key = dir('rsa-private-key');
    const transcript = concatBytes(
      ...['client_hello', 'server_hello', 'encrypted_extensions', 'certificate'].map((m) => fromHex(v.msg[m])),
    );
    const cv = fromHex(v.msg.certificate_verify);
    expect((cv[4] << 8) | cv[5]).toBe(0x0804);
    const sig = cv.subarray(8);
    const pub: PublicKey = { kind: 'rsa', n: BigInt(`0x${key.modulus}`), e: BigInt(`0x${key.public_exponent}`), bits: 1024 };
    expect(verifyScheme(0x0804, pub, certVerifyContent(hash('sha256', transcript)), sig)).toEqual({ ok: true });
    expect(verifyScheme(0x0804, pub, certVerifyContent(hash('sha256', concatBytes(transcript, Uint8Array.of(0)))), sig).ok).toBe(false);
    // the same signature presented as rsa_pss_pss_sha256 is refused: the key is rsaEncryption
    expect(verifyScheme(0x0809, pub, certVerifyContent(hash('sha256', transcript)), sig)).toMatchObject({
      ok: false,
      reason: 'key-algorithm-mismatch',
    });
  });

  it('RFC 8446 rules: curve binding, rsae vs pss key types, no PKCS#1 in 1.3', () => {
    const p256 = loadKey('p256-1');
    const rsa = loadKey('rsa2048-1');
    const pss = loadKey('rsapss2048-1');
    const ecSig = signScheme(0x0403, p256.priv, content);
    expect(verifyScheme(0x0503, p256.pub, content, ecSig)).toMatchObject({ ok: false, reason: 'key-algorithm-mismatch' });
    expect(verifyScheme(0x0809, rsa.pub, content, new Uint8Array(256))).toMatchObject({ ok: false, reason: 'key-algorithm-mismatch' });
    expect(verifyScheme(0x0804, pss.pub, content, new Uint8Array(256))).toMatchObject({ ok: false, reason: 'key-algorithm-mismatch' });
    const pkcs1 = signScheme(0x0401, rsa.priv, content, { tls13: false });
    expect(verifyScheme(0x0401, rsa.pub, content, pkcs1)).toMatchObject({ ok: false, reason: 'unsupported-algorithm' });
    expect(verifyScheme(0x0401, rsa.pub, content, pkcs1, { tls13: false })).toEqual({ ok: true });
    expect(nodeVerify('sha256', content, rsa.nodePub, pkcs1)).toBe(true);
    expect(verifyScheme(0x9999, rsa.pub, content, pkcs1)).toMatchObject({ ok: false, reason: 'unsupported-algorithm' });
    expect(() => signScheme(0x0401, rsa.priv, content)).toThrow(CryptoError);
    expect(() => signScheme(0x0503, p256.priv, content)).toThrow(CryptoError);
    expect(() => signScheme(0x0804, pss.priv, content)).toThrow(CryptoError);
  });

  it('PSS schemes use salt = hash length exactly', () => {
    const rsa = loadKey('rsa2048-1');
    const salt20 = new Uint8Array(nodeSign('sha256', content, { key: rsa.node, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }));
    expect(verifyScheme(0x0804, rsa.pub, content, salt20)).toMatchObject({ ok: false, reason: 'bad-signature' });
    const fixed = signScheme(0x0804, rsa.priv, content, { pssSalt: new Uint8Array(32).fill(1) });
    expect(verifyScheme(0x0804, rsa.pub, content, fixed)).toEqual({ ok: true });
  });
});
