// Private and public keys against OpenSSL: every test key in vectors/keys, its PKCS#1/SEC1/
// DER conversions, encrypted PKCS#8 (PBES2 with several PRFs and ciphers) and legacy
// encrypted PEM, all made by the openssl CLI; the public half pgtls derives must encode to
// the exact SubjectPublicKeyInfo `openssl pkey -pubout` writes.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DerError, PemError, pemEncode } from '../../src/der/index.js';
import { derOid, derSequence, derTlv } from '../../src/der/writer.js';
import {
  BadPassphraseError,
  PassphraseRequiredError,
  WrongPemLabelError,
  encodeSpki,
  keyMatchesCertificate,
  parseCertificates,
  parsePrivateKey,
  parseSpki,
  publicKeyFromPrivate,
  publicKeysEqual,
  type PrivateKey,
} from '../../src/x509/index.js';
import { bash, KEYS, sq, tempDir } from './openssl.js';

const NAMES = readdirSync(KEYS)
  .filter((f) => f.endsWith('.pem'))
  .map((f) => f.slice(0, -4));
const PASS = 'pässwörd "1"';

const tmp = tempDir('x509-keys');
afterAll(() => tmp.cleanup());
const file = (f: string) => new Uint8Array(readFileSync(join(tmp.dir, f)));

/** Files made per key (IN = the key file, OUT = the file made), or null where the form does not exist. */
const VARIANTS: Record<string, (name: string) => string | null> = {
  'pub.der': () => `openssl pkey -in IN -pubout -outform DER -out OUT`,
  'pkcs8.der': () => `openssl pkey -in IN -outform DER -out OUT`,
  // EdDSA keys have no traditional form; PKCS#1 cannot carry the RSA-PSS marker
  'trad.pem': (n) => (n.startsWith('ed') || n.startsWith('rsapss') ? null : `openssl pkey -in IN -traditional -out OUT`),
  'trad.der': (n) =>
    n.startsWith('rsa') && !n.startsWith('rsapss')
      ? `openssl rsa -in IN -traditional -outform DER -out OUT 2>/dev/null`
      : n.startsWith('p')
        ? `openssl ec -in IN -outform DER -out OUT 2>/dev/null`
        : null,
  'enc-aes256.pem': () => `openssl pkcs8 -topk8 -in IN -v2 aes-256-cbc -passout pass:${sq(PASS)} -out OUT`,
  'enc-aes128-sha1.pem': () =>
    `openssl pkcs8 -topk8 -in IN -v2 aes-128-cbc -v2prf hmacWithSHA1 -iter 1000 -passout pass:${sq(PASS)} -out OUT`,
  'enc-aes192-sha512.der': () =>
    `openssl pkcs8 -topk8 -in IN -v2 aes-192-cbc -v2prf hmacWithSHA512 -passout pass:${sq(PASS)} -outform DER -out OUT`,
  'enc-des3.pem': () => `openssl pkcs8 -topk8 -in IN -v2 des3 -passout pass:${sq(PASS)} -out OUT`,
  'legacy-aes128.pem': (n) =>
    n.startsWith('rsa2') || n.startsWith('p') ? `openssl pkey -in IN -traditional -aes128 -passout pass:${sq(PASS)} -out OUT` : null,
  'legacy-des3.pem': (n) =>
    n.startsWith('rsa1') || n.startsWith('rsa3') || n.startsWith('p')
      ? `openssl pkey -in IN -traditional -des3 -passout pass:${sq(PASS)} -out OUT`
      : null,
  'legacy-des.pem': (n) =>
    n === 'rsa1024-1'
      ? `openssl rsa -provider legacy -provider default -in IN -traditional -des -passout pass:${sq(PASS)} -out OUT 2>/dev/null`
      : null,
  'legacy-aes256.pem': (n) => (n.startsWith('p') ? `openssl ec -in IN -aes256 -passout pass:${sq(PASS)} -out OUT 2>/dev/null` : null),
  'nopub.pem': (n) => (n.startsWith('p') ? `openssl ec -in IN -no_public -out OUT 2>/dev/null` : null),
  'pubc.der': (n) => (n.startsWith('p') ? `openssl ec -in IN -pubout -conv_form compressed -outform DER -out OUT 2>/dev/null` : null),
  'explicit.pem': (n) => (n === 'p256-1' ? `openssl ec -in IN -param_enc explicit -out OUT 2>/dev/null` : null),
};

beforeAll(() => {
  const s: string[] = ['set -e'];
  for (const n of NAMES) {
    for (const [suffix, make] of Object.entries(VARIANTS)) {
      const cmd = make(n);
      if (cmd) s.push(cmd.replace('IN', sq(`${KEYS}/${n}.pem`)).replace('OUT', `${n}.${suffix}`));
    }
  }
  s.push(`printf '[req]\\ndistinguished_name=dn\\n[dn]\\n' > r.cnf`);
  s.push(`openssl req -x509 -new -key ${sq(`${KEYS}/p256-3.pem`)} -subj /CN=k -days 1 -config r.cnf -out p256-3.crt`);
  bash(s.join('\n'), tmp.dir, 240_000);
}, 300_000);

const original = new Map<string, PrivateKey>();
const orig = (n: string) => original.get(n) ?? original.set(n, parsePrivateKey(readFileSync(`${KEYS}/${n}.pem`))).get(n)!;

/** Keys compare by their public half and private scalar/seed. */
const secret = (k: PrivateKey) =>
  k.kind === 'rsa' ? k.d.toString(16) : k.kind === 'ec' ? Buffer.from(k.d).toString('hex') : Buffer.from(k.seed).toString('hex');

describe('private keys', () => {
  it.each(NAMES)('%s: PKCS#8 PEM and DER parse; the derived public key encodes to openssl pkey -pubout', (n) => {
    const k = orig(n);
    const spki = file(`${n}.pub.der`);
    expect(Buffer.from(encodeSpki(publicKeyFromPrivate(k))).toString('hex')).toBe(Buffer.from(spki).toString('hex'));
    expect(publicKeysEqual(parseSpki(spki), publicKeyFromPrivate(k))).toBe(true);
    expect(secret(parsePrivateKey(file(`${n}.pkcs8.der`)))).toBe(secret(k));
  });

  it.each(NAMES.filter((n) => VARIANTS['trad.pem'](n)))('%s: traditional (PKCS#1 / SEC1) PEM and DER forms', (n) => {
    const k = orig(n);
    const trad = file(`${n}.trad.pem`);
    expect(secret(parsePrivateKey(trad))).toBe(secret(k));
    const label = new TextDecoder().decode(trad).split('\n')[0];
    expect(label).toBe(n.startsWith('rsa') ? '-----BEGIN RSA PRIVATE KEY-----' : '-----BEGIN EC PRIVATE KEY-----');
    const d = parsePrivateKey(file(`${n}.trad.der`));
    expect(secret(d)).toBe(secret(k));
    expect(publicKeysEqual(publicKeyFromPrivate(d), publicKeyFromPrivate(k))).toBe(true);
  });

  it('an RSA-PSS key and a plain RSA key with the same modulus are different keys (EVP_PKEY_eq compares types)', () => {
    const pss = orig('rsapss2048-1');
    if (pss.kind !== 'rsa') throw new Error('not RSA');
    const plain = { ...pss, pss: undefined };
    expect(publicKeysEqual(publicKeyFromPrivate(plain), publicKeyFromPrivate(pss))).toBe(false);
    expect(publicKeysEqual(publicKeyFromPrivate(pss), publicKeyFromPrivate(pss))).toBe(true);
  });

  it.each(NAMES)('%s: encrypted PKCS#8 (AES-128/192/256, DES-EDE3; HMAC-SHA1/256/512) and legacy PEM', (n) => {
    const k = orig(n);
    for (const v of Object.keys(VARIANTS).filter((x) => x.startsWith('enc-') || x.startsWith('legacy-'))) {
      if (!VARIANTS[v](n)) continue;
      const bytes = file(`${n}.${v}`);
      expect(secret(parsePrivateKey(bytes, PASS)), v).toBe(secret(k));
      expect(() => parsePrivateKey(bytes), v).toThrow(PassphraseRequiredError);
      expect(() => parsePrivateKey(bytes, 'wrong'), v).toThrow(BadPassphraseError);
    }
  });

  it('EC keys without the public point derive it; compressed public points compare equal', () => {
    for (const n of NAMES.filter((x) => x.startsWith('p'))) {
      const k = parsePrivateKey(file(`${n}.nopub.pem`));
      expect(k.kind === 'ec' && k.publicPoint).toBeFalsy();
      expect(encodeSpki(publicKeyFromPrivate(k))).toEqual(file(`${n}.pub.der`));
      const compressed = parseSpki(file(`${n}.pubc.der`));
      expect(compressed.kind === 'ec' && compressed.point.length).toBe({ 'p256-': 33, 'p384-': 49, 'p521-': 67 }[n.slice(0, 5)] ?? 33);
      expect(publicKeysEqual(compressed, publicKeyFromPrivate(k))).toBe(true);
    }
  });

  it('an EC scalar of zero or beyond the group order cannot give a public key: DerError', () => {
    for (const d of [new Uint8Array(32), new Uint8Array(32).fill(0xff)]) {
      const sec1 = derSequence(Uint8Array.of(2, 1, 1), derTlv(0x04, d), derTlv(0xa0, derOid('1.2.840.10045.3.1.7')));
      const k = parsePrivateKey(sec1);
      expect(() => publicKeyFromPrivate(k)).toThrow(DerError);
    }
  });

  it('explicit EC parameters are refused as unsupported', () => {
    expect(() => parsePrivateKey(file('p256-1.explicit.pem'))).toThrow(/explicit EC curve parameters/);
  });

  it('keyMatchesCertificate: the certificate key matches, others do not', () => {
    const cert = parseCertificates(file('p256-3.crt'))[0];
    expect(keyMatchesCertificate(orig('p256-3'), cert)).toBe(true);
    expect(keyMatchesCertificate(parsePrivateKey(file('p256-3.nopub.pem')), cert)).toBe(true);
    for (const n of NAMES.filter((x) => x !== 'p256-3')) expect(keyMatchesCertificate(orig(n), cert), n).toBe(false);
  });

  it('file handling: other blocks are skipped, a file without a key is a WrongPemLabelError', () => {
    const cert = readFileSync(join(tmp.dir, 'p256-3.crt'), 'utf8');
    const key = readFileSync(`${KEYS}/p256-3.pem`, 'utf8');
    expect(secret(parsePrivateKey(new TextEncoder().encode(cert + key)))).toBe(secret(orig('p256-3')));
    expect(() => parsePrivateKey(new TextEncoder().encode(cert))).toThrow(WrongPemLabelError);
    expect(() => parsePrivateKey(new TextEncoder().encode('nothing here'))).toThrow(PemError);
    const ecParams = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
    expect(secret(parsePrivateKey(new TextEncoder().encode(ecParams + key)))).toBe(secret(orig('p256-3')));
  });

  it('malformed legacy headers and truncated ciphertexts are typed errors', () => {
    const legacy = readFileSync(join(tmp.dir, 'rsa2048-1.legacy-aes128.pem'), 'utf8');
    expect(() => parsePrivateKey(new TextEncoder().encode(legacy.replace('AES-128-CBC', 'CAMELLIA-128-CBC')), PASS)).toThrow(PemError);
    expect(() =>
      parsePrivateKey(new TextEncoder().encode(legacy.replace(/DEK-Info: AES-128-CBC,[0-9A-F]+/, 'DEK-Info: AES-128-CBC,00')), PASS),
    ).toThrow(PemError);
    const enc = file('rsa2048-1.enc-aes256.pem');
    const block = new TextDecoder().decode(enc);
    const der = Buffer.from(block.split('\n').slice(1, -2).join(''), 'base64');
    // drop the last cipher block: the encryptedData OCTET STRING length no longer fits
    const cut = pemEncode('ENCRYPTED PRIVATE KEY', new Uint8Array(der.subarray(0, der.length - 16)));
    expect(() => parsePrivateKey(new TextEncoder().encode(cut), PASS)).toThrow(DerError);
  });
});
