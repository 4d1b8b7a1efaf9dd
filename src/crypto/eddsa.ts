// Ed25519 and Ed448 (RFC 8032, pure variants, empty context) on @noble/curves.
//
// Ed25519 verification is OpenSSL's (crypto/ec/curve25519.c, ossl_ed25519_verify), computed
// on noble's points: S must be canonical (0 <= S < L, else rejected before any point
// arithmetic); the public key is decoded as ge_frombytes_vartime decodes it (y taken modulo
// p, so a non-canonical y is not refused); the check is cofactorless, R' = [S]B - [k]A
// re-encoded and compared with the R octets of the signature, so a non-canonical R never
// verifies. noble's own verify is cofactored, which differs from OpenSSL on crafted
// small-order inputs. Ed448 uses noble's RFC 8032 verification (S < L, canonical encodings).

import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesEqual, concatBytes } from '../der/bytes.js';
import { CryptoError } from './errors.js';
import { VERIFY_OK, verifyFail, type VerifyResult } from './result.js';

export type EdKind = 'ed25519' | 'ed448';

const SIZES: Record<EdKind, { key: number; sig: number }> = {
  ed25519: { key: 32, sig: 64 },
  ed448: { key: 57, sig: 114 },
};

type Ed25519Point = ReturnType<typeof ed25519.Point.fromBytes>;

/** A public key decoded once for repeated verification. */
export type PreparedEdKey = { kind: 'ed25519'; key: Uint8Array; point: Ed25519Point } | { kind: 'ed448'; key: Uint8Array };

export function prepareEdKey(kind: EdKind, key: Uint8Array): PreparedEdKey {
  if (key.length !== SIZES[kind].key) {
    throw new CryptoError('BAD_KEY', `${kind} public key must be ${SIZES[kind].key} octets, got ${key.length}`, `prepareEdKey(${kind})`);
  }
  if (kind === 'ed448') {
    if (!ed448.utils.isValidPublicKey(key))
      throw new CryptoError('BAD_KEY', 'Ed448 public key is not a curve point', 'prepareEdKey(ed448)');
    return { kind, key };
  }
  try {
    // zip215 = true: accept y >= p the way OpenSSL's fe_frombytes does (top bit is the x sign)
    return { kind, key, point: ed25519.Point.fromBytes(key, true) };
  } catch (e) {
    throw new CryptoError(
      'BAD_KEY',
      `Ed25519 public key is not a curve point: ${e instanceof Error ? e.message : String(e)}`,
      'prepareEdKey(ed25519)',
    );
  }
}

const L25519 = ed25519.Point.Fn.ORDER;

function leToBigint(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

export function eddsaVerify(key: PreparedEdKey, message: Uint8Array, signature: Uint8Array): VerifyResult {
  const { sig: sigLen } = SIZES[key.kind];
  if (signature.length !== sigLen) {
    return verifyFail('malformed-signature', `${key.kind} signature must be ${sigLen} octets, got ${signature.length}`);
  }
  if (key.kind === 'ed448') {
    let ok = false;
    try {
      ok = ed448.verify(signature, message, key.key, { zip215: false });
    } catch {
      ok = false;
    }
    return ok ? VERIFY_OK : verifyFail('bad-signature', 'Ed448 signature does not match (wrong key or message, or non-canonical S)');
  }
  const r = signature.subarray(0, 32);
  const s = leToBigint(signature.subarray(32));
  if (s >= L25519) return verifyFail('malformed-signature', 'Ed25519 S is not below the group order (non-canonical signature)');
  const k = leToBigint(sha512(concatBytes(r, key.key, message))) % L25519;
  const rCheck = ed25519.Point.BASE.multiplyUnsafe(s).subtract(key.point.multiplyUnsafe(k));
  if (!bytesEqual(rCheck.toBytes(), r)) return verifyFail('bad-signature', 'Ed25519 signature does not match (wrong key or message)');
  return VERIFY_OK;
}

function seedOf(kind: EdKind, seed: Uint8Array, where: string): Uint8Array {
  if (seed.length !== SIZES[kind].key)
    throw new CryptoError('BAD_KEY', `${kind} private key must be ${SIZES[kind].key} octets, got ${seed.length}`, where);
  return seed;
}

export function eddsaSign(kind: EdKind, seed: Uint8Array, message: Uint8Array): Uint8Array {
  const sk = seedOf(kind, seed, `eddsaSign(${kind})`);
  return kind === 'ed25519' ? ed25519.sign(message, sk) : ed448.sign(message, sk);
}

export function edPublicKey(kind: EdKind, seed: Uint8Array): Uint8Array {
  const sk = seedOf(kind, seed, `edPublicKey(${kind})`);
  return kind === 'ed25519' ? ed25519.getPublicKey(sk) : ed448.getPublicKey(sk);
}

export function randomEdSeed(kind: EdKind): Uint8Array {
  return kind === 'ed25519' ? ed25519.utils.randomSecretKey() : ed448.utils.randomSecretKey();
}
