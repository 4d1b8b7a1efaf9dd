// TLS 1.3 key exchange (RFC 8446 §4.2.8, §7.4): key shares and shared secrets for the
// named groups x25519, x448, secp256r1, secp384r1 and secp521r1.
//
// - NIST groups send the uncompressed point 04 || X || Y (RFC 8446 §4.2.8.2: the only
//   format allowed in 1.3); the peer point must be on the curve and not infinity, and the
//   shared secret is the x-coordinate alone, padded to the field size (§7.4.2).
// - X25519/X448 (RFC 7748): 32/56-octet u-coordinates; an all-zero shared secret is refused
//   (§6.1 and OpenSSL's ossl_x25519/ossl_x448 return values). X25519 runs on x25519.ts
//   (limbs in doubles: ~5x noble's generic field arithmetic), X448 on noble, which refuses
//   the low-order points before its ladder.

import { x448 } from '@noble/curves/ed448.js';
import { x25519 as x25519Ladder, x25519PublicKey } from './x25519.js';
import { CryptoError } from './errors.js';
import { CURVES, decodeEcPoint, normalizeEcScalar } from './ecdsa.js';
import type { EcCurve } from '../x509/types.js';

export type KexGroup = 'x25519' | 'x448' | 'secp256r1' | 'secp384r1' | 'secp521r1';

export interface KeyShare {
  group: KexGroup;
  privateKey: Uint8Array;
  /** key_exchange as sent on the wire */
  publicKey: Uint8Array;
}

type Rng = (n: number) => Uint8Array;

const NIST: Record<'secp256r1' | 'secp384r1' | 'secp521r1', EcCurve> = { secp256r1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
/** octets of a u-coordinate; X25519 runs on x25519.ts, X448 on noble */
const MONTGOMERY = { x25519: { size: 32 }, x448: { size: 56 } } as const;
const X448_BASE = 5;

// X448 key shares: noble's getPublicKey goes through the Edwards curve and its precomputed
// base table, which costs ~40 ms to build on first use and then makes a key share ~2x
// cheaper than noble's Montgomery ladder on u = 5. One-shot processes (pgtls simulate,
// probe) make two key shares; a long-running simulator makes thousands. So the first ones
// use the ladder and the table is built only once it pays. X25519 key shares always take
// x25519.ts's ladder, which beats noble's table (0.21 against 0.33 ms here).
const LADDER_KEY_SHARES = 32;
let x448SharesMade = 0;

/** TLS NamedGroup code points (RFC 8446 §4.2.7). */
export const GROUP_CODES: Record<KexGroup, number> = { secp256r1: 23, secp384r1: 24, secp521r1: 25, x25519: 29, x448: 30 };

/** Length of key_exchange for each group. */
export function keyShareLength(group: KexGroup): number {
  return group in NIST ? 1 + 2 * CURVES[NIST[group as keyof typeof NIST]].size : MONTGOMERY[group as 'x25519' | 'x448'].size;
}

/** The base point's u-coordinate, little-endian (RFC 7748 §4.1, §4.2). */
function basePoint(u: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  b[0] = u;
  return b;
}

function defaultRng(n: number): Uint8Array {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

function checkGroup(group: string, where: string): asserts group is KexGroup {
  if (!(group in GROUP_CODES)) throw new CryptoError('UNSUPPORTED_ALGORITHM', `unknown key exchange group ${group}`, where);
}

/** The key share for a given private key (RFC 8448 gives private keys, so its traces can be replayed). */
export function keyShareFromPrivate(group: KexGroup, privateKey: Uint8Array): KeyShare {
  const where = `keyShareFromPrivate(${group})`;
  checkGroup(group, where);
  if (group === 'x25519' || group === 'x448') {
    const m = MONTGOMERY[group];
    if (privateKey.length !== m.size) throw new CryptoError('BAD_INPUT', `${group} private key must be ${m.size} octets`, where);
    const publicKey =
      group === 'x25519'
        ? x25519PublicKey(privateKey)
        : ++x448SharesMade > LADDER_KEY_SHARES
          ? x448.getPublicKey(privateKey)
          : x448.scalarMult(privateKey, basePoint(X448_BASE, m.size));
    return { group, privateKey, publicKey };
  }
  const curve = NIST[group];
  const c = CURVES[curve];
  const d = normalizeEcScalar(curve, privateKey);
  if (!c.ecdsa.utils.isValidSecretKey(d)) throw new CryptoError('BAD_INPUT', 'private scalar is not in [1, n-1]', where);
  return { group, privateKey: d, publicKey: c.ecdsa.getPublicKey(d, false) };
}

export function generateKeyShare(group: KexGroup, rng: Rng = defaultRng): KeyShare {
  checkGroup(group, `generateKeyShare(${group})`);
  if (group === 'x25519' || group === 'x448') return keyShareFromPrivate(group, rng(MONTGOMERY[group].size));
  const c = CURVES[NIST[group]];
  // rejection sampling keeps the scalar uniform in [1, n-1] with any byte source
  for (;;) {
    const d = rng(c.size);
    if (c.ecdsa.utils.isValidSecretKey(d)) return keyShareFromPrivate(group, d);
  }
}

/** The (EC)DHE shared secret from our private key and the peer's key_exchange. Throws CryptoError. */
export function sharedSecret(group: KexGroup, privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  const where = `sharedSecret(${group})`;
  checkGroup(group, where);
  if (group === 'x25519' || group === 'x448') {
    const m = MONTGOMERY[group];
    if (peerPublic.length !== m.size)
      throw new CryptoError('BAD_INPUT', `${group} key_exchange must be ${m.size} octets, got ${peerPublic.length}`, where);
    if (privateKey.length !== m.size) throw new CryptoError('BAD_INPUT', `${group} private key must be ${m.size} octets`, where);
    let out: Uint8Array | undefined;
    try {
      // X25519 on our own ladder (x25519.ts: 4.8x noble's); X448 on noble
      out = group === 'x25519' ? x25519Ladder(privateKey, peerPublic) : x448.getSharedSecret(privateKey, peerPublic);
    } catch {
      out = undefined; // noble refuses low-order points before the ladder
    }
    if (!out || out.every((b) => b === 0))
      throw new CryptoError('BAD_INPUT', `peer ${group} key is a low-order point (the shared secret would be all zero)`, where);
    return out;
  }
  const curve = NIST[group];
  const c = CURVES[curve];
  if (peerPublic.length !== 1 + 2 * c.size || peerPublic[0] !== 0x04) {
    throw new CryptoError('BAD_INPUT', `${group} key_exchange must be an uncompressed point of ${1 + 2 * c.size} octets`, where);
  }
  const peer = decodeEcPoint(curve, peerPublic); // throws BAD_KEY when not on the curve
  const d = normalizeEcScalar(curve, privateKey);
  if (!c.ecdsa.utils.isValidSecretKey(d)) throw new CryptoError('BAD_INPUT', 'private scalar is not in [1, n-1]', where);
  const shared = peer.multiply(c.ecdsa.Point.Fn.fromBytes(d));
  // prime-order curves: a valid peer point times a valid scalar is never infinity
  return shared.toBytes(true).subarray(1);
}
