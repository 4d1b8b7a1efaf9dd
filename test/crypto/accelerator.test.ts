// accelerator.ts and accelerator-node.ts: the native RSA private operation, X25519, the
// record AEADs and HMAC give exactly the pure-TypeScript answers (fast-check over random inputs, RFC 7748's vectors, the
// low-order points), a failing accelerator falls back, and a whole simulation's output —
// messages, log lines, the byte-level TLS trace — is the same with and without it.

import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { keyShareFromPrivate, rsasp1, sharedSecret, useAccelerator, type Accelerator, type RsaPrivateKey } from '../../src/crypto/index.js';
import { nodeAccelerator } from '../../src/crypto/accelerator-node.js';
import { x25519 } from '../../src/crypto/x25519.js';
import { fromHex, toHex } from '../../src/der/bytes.js';
import { makeHierarchy } from '../../src/factory/index.js';
import { memFs } from '../../src/pg/fs.js';
import { simulate } from '../../src/pg/simulate.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { suiteByName } from '../../src/tls13/suites.js';
import { earlySecret, handshakeSecret } from '../../src/tls13/key-schedule.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';

const key = (name: string) => parsePrivateKey(readFileSync(`vectors/keys/${name}.pem`));
const native = nodeAccelerator();
const AT = new Date(Date.now() + 86_400_000); // a fixed clock: traces name the verification time

/** `f` once with the BigInt code alone, once with node:crypto installed */
function both<T>(f: () => T): [pure: T, accelerated: T] {
  const before = useAccelerator(undefined);
  try {
    const pure = f();
    useAccelerator(native);
    return [pure, f()];
  } finally {
    useAccelerator(before);
  }
}

afterEach(() => {
  useAccelerator(undefined);
});

describe('RSA private operation', () => {
  it.each(['rsa1024-1', 'rsa2048-1', 'rsa3072-1', 'rsa4096-1', 'rsapss2048-1'])(
    '%s: node:crypto gives the CRT answer for random m',
    (name) => {
      const k = key(name) as RsaPrivateKey;
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: k.n - 1n }), (m) => {
          const fast = native.rsaPrivate!(k, m);
          const [pure, accel] = both(() => rsasp1(k, m));
          expect(fast).toBe(pure);
          expect(accel).toBe(pure);
        }),
        { numRuns: 25 },
      );
    },
  );

  it('the edges 0, 1 and n-1', () => {
    const k = key('rsa2048-2') as RsaPrivateKey;
    for (const m of [0n, 1n, k.n - 1n]) expect(native.rsaPrivate!(k, m)).toBe(both(() => rsasp1(k, m))[0]);
  });

  it('a wrong accelerator answer is caught by the public-exponent check, not returned', () => {
    const k = key('rsa2048-2') as RsaPrivateKey;
    useAccelerator({ name: 'broken', rsaPrivate: (_k, m) => m + 1n });
    expect(() => rsasp1(k, 12345n)).toThrow(/CRT check failed/);
  });

  it('an accelerator that throws or declines falls back to BigInt', () => {
    const k = key('rsa2048-2') as RsaPrivateKey;
    const pure = both(() => rsasp1(k, 777n))[0];
    const refusing: Accelerator = {
      name: 'throws',
      rsaPrivate: () => {
        throw new Error('no');
      },
    };
    useAccelerator(refusing);
    expect(rsasp1(k, 777n)).toBe(pure);
    useAccelerator({ name: 'declines', rsaPrivate: () => undefined });
    expect(rsasp1(k, 777n)).toBe(pure);
  });
});

describe('X25519', () => {
  const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

  it('node:crypto gives the ladder answer for random scalars and u (top bit and non-canonical u included)', () => {
    fc.assert(
      fc.property(bytes32, bytes32, (k, u) => {
        const [pure, accel] = both(() => toHex(x25519(k, u)));
        expect(accel).toBe(pure);
      }),
      { numRuns: 200 },
    );
    // u >= p (non-canonical) and u with bit 255 set, explicitly
    const pMinus = fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    const big = fromHex('f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff');
    for (const u of [pMinus, big])
      expect(both(() => toHex(x25519(new Uint8Array(32).fill(7), u)))[1]).toBe(both(() => toHex(x25519(new Uint8Array(32).fill(7), u)))[0]);
  });

  it('RFC 7748 §6.1 through the accelerator', () => {
    useAccelerator(native);
    const a = keyShareFromPrivate('x25519', fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'));
    const b = keyShareFromPrivate('x25519', fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'));
    expect(toHex(a.publicKey)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(toHex(b.publicKey)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    expect(toHex(sharedSecret('x25519', a.privateKey, b.publicKey))).toBe(
      '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
    );
  });

  it('a low-order peer share is refused with the same error either way (OpenSSL refuses it natively)', () => {
    const lowOrder = new Uint8Array(32); // u = 0
    const priv = new Uint8Array(32).fill(3);
    const [pure, accel] = both(() => {
      try {
        sharedSecret('x25519', priv, lowOrder);
        return 'accepted';
      } catch (e) {
        return String(e);
      }
    });
    expect(pure).toMatch(/low-order point/);
    expect(accel).toBe(pure);
  });
});

describe('a simulation is byte-for-byte the same with the accelerator', () => {
  it.each([
    ['RSA-2048 chain, verify-full', 'rsa2048', 'sslmode=verify-full'],
    ['RSA-2048 chain, client certificate', 'rsa2048', 'sslmode=verify-full sslcert=/home/u/c.crt sslkey=/home/u/c.key'],
    ['P-256 chain, wrong root', 'p256', 'sslmode=verify-ca sslrootcert=/home/u/int.crt'],
  ])('%s', (_name, kind, opts) => {
    const n = (i: number) => key(`${kind}-${i}`);
    const h = makeHierarchy('chain', {
      cn: 'db.example.com',
      clientUser: 'alice',
      keys: { root: n(1), intermediate: n(2), server: n(3), client: n(4), other: n(5) },
    });
    const fs = memFs(
      {
        '/data/postgresql.conf': {
          content: "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nssl_ca_file = 'root.crt'\n",
          uid: 101,
        },
        '/data/pg_hba.conf': { content: 'hostssl all all 127.0.0.1/32 cert\n', uid: 101 },
        '/data/server.crt': { content: h.serverCrtPem, uid: 101 },
        '/data/server.key': { content: h.server.keyPem, uid: 101, mode: 0o600 },
        '/data/root.crt': { content: h.rootCrtPem, uid: 101 },
        '/home/u/.postgresql/root.crt': { content: h.rootCrtPem, uid: 1000 },
        '/home/u/int.crt': { content: h.intermediate!.cert.pem, uid: 1000 },
        '/home/u/c.crt': { content: h.client!.cert.pem, uid: 1000 },
        '/home/u/c.key': { content: h.client!.keyPem, uid: 1000, mode: 0o600 },
      },
      { uid: 101, gid: 104 },
    );
    const plain = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? toHex(v) : v);
    const run = () =>
      JSON.stringify(
        simulate({
          fs,
          pgdata: '/data',
          conninfo: `host=db.example.com hostaddr=127.0.0.1 user=alice dbname=app ${opts}`,
          env: { HOME: '/home/u' },
          osUser: 'alice',
          clientUser: { uid: 1000, gids: [1000] },
          at: AT,
        }),
        plain,
      );
    const [pure, accel] = both(run);
    expect(pure).toContain('"tlsTrace"');
    expect(accel).toBe(pure);
  });
});

describe('record AEADs', () => {
  const CASES = [
    ['TLS_AES_128_GCM_SHA256', 16],
    ['TLS_AES_256_GCM_SHA384', 32],
    ['TLS_CHACHA20_POLY1305_SHA256', 32],
  ] as const;

  it.each(CASES)('%s: node:crypto seals and opens exactly as noble', (suiteName, keyLength) => {
    const suite = suiteByName(suiteName);
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: keyLength, maxLength: keyLength }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 600 }),
        (k, n, aad, p) => {
          const [pure, accel] = both(() => toHex(suite.aead.encrypt(k, n, aad, p)));
          expect(accel).toBe(pure);
          useAccelerator(native);
          expect(toHex(suite.aead.decrypt(k, n, aad, fromHex(pure)))).toBe(toHex(p));
          useAccelerator(undefined);
        },
      ),
      { numRuns: 60 },
    );
  });

  it.each(CASES)("%s: a bad tag or a short record gives noble's error either way", (suiteName, keyLength) => {
    const suite = suiteByName(suiteName);
    const k = new Uint8Array(keyLength).fill(1);
    const n = new Uint8Array(12).fill(2);
    const sealed = suite.aead.encrypt(k, n, new Uint8Array(5), new Uint8Array(20));
    sealed[sealed.length - 1] ^= 1;
    for (const c of [sealed, new Uint8Array(7)]) {
      const [pure, accel] = both(() => {
        try {
          return toHex(suite.aead.decrypt(k, n, new Uint8Array(5), c));
        } catch (e) {
          return `error: ${String(e)}`;
        }
      });
      expect(pure).toMatch(/^error: /);
      expect(accel).toBe(pure);
    }
  });
});

describe("HMAC (the key schedule's HKDF)", () => {
  it.each(['sha256', 'sha384'] as const)("%s: node:crypto gives noble's HMAC, keys longer than a block included", (h) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 }), (k, d) => {
        expect(toHex(native.hmac!(h, k, d)!)).toBe(toHex(hmac(h === 'sha256' ? sha256 : sha384, k, d)));
      }),
      { numRuns: 100 },
    );
  });

  it("RFC 8448's handshake secrets come out the same through the accelerator", () => {
    useAccelerator(native);
    const v = JSON.parse(readFileSync('vectors/rfc8448/section3-simple-1rtt.json', 'utf8'));
    const { hash } = suiteByName('TLS_AES_128_GCM_SHA256');
    const early = earlySecret(hash);
    expect(toHex(early)).toBe(v.secret.early);
    const hs = handshakeSecret(hash, early, fromHex(v.shared_secret));
    expect(toHex(hs.derived)).toBe(v.secret.derived_for_handshake);
    expect(toHex(hs.secret)).toBe(v.secret.handshake);
  });
});
