// The factory's link to the crypto layer: the default signer and key generator. Kept in one
// file so the rest of the factory only lays out bytes (and tests can pass their own signer).

import { generateKey, signMessage, type KeySpec } from '../crypto/index.js';
import type { PrivateKey, SignatureAlgorithm } from '../x509/types.js';

export type Signer = (alg: SignatureAlgorithm, key: PrivateKey, msg: Uint8Array) => Uint8Array;

export function defaultSigner(): Signer {
  return (alg, key, msg) => signMessage(alg, key, msg);
}

export function defaultGenerateKey(type: KeySpec): PrivateKey {
  return generateKey(type);
}
