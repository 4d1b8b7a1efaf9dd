// The fuzzer's signers: src/crypto with its one random input fixed, so a seed replays byte
// for byte in any process, and a memoizing wrapper (the same tbsCertificate is signed again and
// again across generated cases: roots, pooled parents).

import type { Signer } from '../factory/index.js';
import { hash, signMessage } from '../crypto/index.js';
import { concatBytes, toHex } from '../der/index.js';

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

/** Memoizes signatures by (key, algorithm, message); bounded. */
export function cachedSigner(base: Signer = deterministicSigner(), capacity = 50_000): Signer {
  const ids = new WeakMap<object, number>();
  let nextId = 0;
  const cache = new Map<string, Uint8Array>();
  return (alg, key, msg) => {
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = nextId++));
    const k = `${id}|${JSON.stringify(alg)}|${toHex(msg)}`;
    const hit = cache.get(k);
    if (hit) return hit.slice();
    const sig = base(alg, key, msg);
    if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
    cache.set(k, sig.slice());
    return sig;
  };
}
