// The fuzzer's signer: src/crypto with its one random input fixed, so a seed replays byte
// for byte in any process.

import type { Signer } from '../factory/index.js';
import { hash, signMessage } from '../crypto/index.js';
import { concatBytes } from '../der/index.js';

/**
 * src/crypto's signer with the one random input fixed: the RSASSA-PSS salt is derived from the
 * message, so a seed gives the same bytes in every process (Ed25519 and RFC 6979 ECDSA already do).
 */
export function deterministicSigner(): Signer {
  return (alg, key, msg) => {
    if (alg.kind !== 'rsa-pss') return signMessage(alg, key, msg);
    const h = hash('sha512', msg);
    const salt = concatBytes(h, h).subarray(0, alg.pss.saltLength);
    return signMessage(alg, key, msg, { pssSalt: salt });
  };
}
