// The seam through which a host may supply faster implementations of pure functions: the
// RSA private-key primitive (RSASP1: m^d mod n), X25519(k, u) (RFC 7748 §5), the TLS
// record AEADs (AES-GCM, ChaCha20-Poly1305) and HMAC-SHA-256/384 (the key schedule's HKDF).
//
// Each has exactly one correct answer, so an accelerator can change how long a handshake
// takes but never a byte of its output: traces, signatures (our own EMSA-PSS encoding with
// our own salt still wraps the primitive) and verdicts stay identical, and every result is
// still checked by our own code (rsasp1 re-applies the public exponent). Nothing that
// *judges* a certificate or a signature goes through here: verification is always ours.
//
// Registration is process-wide on purpose, like noble's `etc` hooks: the functions are pure,
// so it is a speed setting, not state. The core installs none (it must run in a browser);
// src/crypto/accelerator-node.ts wraps node:crypto and the CLI installs it.

import type { PrivateKey } from '../x509/types.js';

type RsaPrivate = Extract<PrivateKey, { kind: 'rsa' }>;

export interface Accelerator {
  /** names the implementation in bench tables */
  readonly name: string;
  /** m^d mod n for 0 <= m < n; undefined or a throw when it cannot (the caller falls back to BigInt) */
  rsaPrivate?(key: RsaPrivate, m: bigint): bigint | undefined;
  /** X25519(scalar, u), 32 octets each; undefined or a throw when it cannot (the caller falls back) */
  x25519?(scalar: Uint8Array, u: Uint8Array): Uint8Array | undefined;
  /**
   * AEAD seal (ciphertext || tag) or open (plaintext); undefined or a throw when it cannot or
   * the tag is wrong: the caller's own AEAD then gives the answer, or the error.
   */
  aead?(alg: AeadName, op: 'seal' | 'open', key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): Uint8Array | undefined;
  /** HMAC (RFC 2104) with SHA-256 or SHA-384 */
  hmac?(hash: 'sha256' | 'sha384', key: Uint8Array, data: Uint8Array): Uint8Array | undefined;
}

export type AeadName = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

let installed: Accelerator | undefined;

/** Install `a` (or none) for the whole process; returns the one it replaces. */
export function useAccelerator(a: Accelerator | undefined): Accelerator | undefined {
  const previous = installed;
  installed = a;
  return previous;
}

/**
 * `fast` when an accelerator offers it and succeeds, else `pure`. A failure (a key the
 * native side cannot import, a low-order X25519 point it refuses) is not an answer: the
 * pure implementation then gives the one the rest of pgtls knows how to report.
 */
export function accelerated<T>(fast: (a: Accelerator) => T | undefined, pure: () => T): T {
  if (installed) {
    try {
      const r = fast(installed);
      if (r !== undefined) return r;
    } catch {
      // fall through to the pure implementation
    }
  }
  return pure();
}
