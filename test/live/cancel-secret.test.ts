// serve's cancel-request secret (BackendKeyData.secretKey) comes from the crypto RNG, as
// the postmaster's pg_strong_random, never from Math.random.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { cancelSecret } from '../../src/pg/live/server-node.js';

describe('cancelSecret', () => {
  afterEach(() => vi.restoreAllMocks());
  it('draws 4 bytes from crypto.getRandomValues and none from Math.random', () => {
    const rng = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const weak = vi.spyOn(Math, 'random');
    cancelSecret();
    expect(rng).toHaveBeenCalledTimes(1);
    expect((rng.mock.calls[0][0] as Uint8Array).length).toBe(4);
    expect(weak).not.toHaveBeenCalled();
  });
  it('is the 4 bytes read as a big-endian int32 (the whole range, sign bit included)', () => {
    vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(((a: Uint8Array) => {
      a.set([0x80, 0x00, 0x00, 0x01]);
      return a;
    }) as typeof globalThis.crypto.getRandomValues);
    expect(cancelSecret()).toBe(-0x7fffffff);
  });
});
