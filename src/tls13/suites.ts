// The cipher suites pgtls implements (RFC 8446 §B.4) as data: hash for the key schedule,
// AEAD key and IV sizes, and the AEAD itself from @noble/ciphers (or the same function from
// an installed accelerator).

import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import { CipherSuite, type CipherSuiteName } from './codec/constants.js';
import { acceleratedAead, type AeadName } from './crypto-x509.js';

export interface HashAlg {
  name: 'sha256' | 'sha384';
  fn: typeof sha256 | typeof sha384;
  /** output length in bytes */
  length: number;
}
export const SHA256: HashAlg = { name: 'sha256', fn: sha256, length: 32 };
export const SHA384: HashAlg = { name: 'sha384', fn: sha384, length: 48 };

interface Aead {
  encrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** throws on a bad tag */
  decrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array;
}

// noble's AEAD, or an installed accelerator's (crypto-x509.ts): the same bytes, and on a bad tag
// the accelerator declines, so the error always comes from noble.
const noble = (
  alg: (keyLength: number) => AeadName,
  f: (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array) => { encrypt(p: Uint8Array): Uint8Array; decrypt(c: Uint8Array): Uint8Array },
): Aead => ({
  encrypt: (k, n, a, p) => acceleratedAead(alg(k.length), 'seal', k, n, a, p, () => f(k, n, a).encrypt(p)),
  decrypt: (k, n, a, c) => acceleratedAead(alg(k.length), 'open', k, n, a, c, () => f(k, n, a).decrypt(c)),
});
const AES_GCM = (keyLength: number): AeadName => (keyLength === 16 ? 'aes-128-gcm' : 'aes-256-gcm');

export interface Suite {
  id: number;
  name: CipherSuiteName;
  /** OpenSSL's name for it (the same strings in TLS 1.3) */
  hash: HashAlg;
  keyLength: number;
  ivLength: number;
  tagLength: number;
  aead: Aead;
}

export const SUITES: readonly Suite[] = [
  {
    id: CipherSuite.TLS_AES_128_GCM_SHA256,
    name: 'TLS_AES_128_GCM_SHA256',
    hash: SHA256,
    keyLength: 16,
    ivLength: 12,
    tagLength: 16,
    aead: noble(AES_GCM, gcm),
  },
  {
    id: CipherSuite.TLS_AES_256_GCM_SHA384,
    name: 'TLS_AES_256_GCM_SHA384',
    hash: SHA384,
    keyLength: 32,
    ivLength: 12,
    tagLength: 16,
    aead: noble(AES_GCM, gcm),
  },
  {
    id: CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    name: 'TLS_CHACHA20_POLY1305_SHA256',
    hash: SHA256,
    keyLength: 32,
    ivLength: 12,
    tagLength: 16,
    aead: noble(() => 'chacha20-poly1305', chacha20poly1305),
  },
];

const BY_ID = new Map(SUITES.map((s) => [s.id, s]));
export const suiteById = (id: number): Suite | undefined => BY_ID.get(id);
export function suiteByName(name: CipherSuiteName | number): Suite {
  const s = typeof name === 'number' ? BY_ID.get(name) : SUITES.find((x) => x.name === name);
  if (!s) throw new TypeError(`unsupported cipher suite ${String(name)}`);
  return s;
}
