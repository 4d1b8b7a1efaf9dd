// X25519 per operation: src/crypto/x25519.ts's ladder (through dist/, no accelerator
// installed) beside the BigInt ladder it replaced (copied here, the only place it still
// lives), @noble/curves' x25519 and node:crypto's (what the CLI's accelerator uses),
// interleaved in one process by harness.ts; all four are checked to agree before timing.
// `npm run bench -- x25519`.

import { x25519 as noble } from '@noble/curves/ed25519.js';
import { useAccelerator } from '../dist/crypto/accelerator.js';
import { nodeAccelerator } from '../dist/crypto/accelerator-node.js';
import { bench, formatTable } from './harness.js';
import { modInverse } from '../dist/crypto/modular.js';
import { x25519 } from '../dist/crypto/x25519.js';

// ---- the BigInt ladder x25519.ts had before the limb version (for comparison only) ----
const P = (1n << 255n) - 19n;
const MASK255 = (1n << 255n) - 1n;
const A24 = 121665n;
const P4 = 4n * P;
function fold(a: bigint): bigint {
  a = (a & MASK255) + (a >> 255n) * 19n;
  return (a & MASK255) + (a >> 255n) * 19n;
}
function decodeLittleEndian(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return x;
}
function encodeLittleEndian(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}
function clamp(k: Uint8Array): bigint {
  const c = k.slice();
  c[0] &= 248;
  c[31] &= 127;
  c[31] |= 64;
  return decodeLittleEndian(c);
}
export function bigintLadder(scalar: Uint8Array, u: Uint8Array): Uint8Array {
  const k = clamp(scalar);
  const x1 = (decodeLittleEndian(u) & MASK255) % P;
  let x2 = 1n;
  let z2 = 0n;
  let x3 = x1;
  let z3 = 1n;
  let swap = 0n;
  for (let t = 254n; t >= 0n; t--) {
    const kt = (k >> t) & 1n;
    const mask = -(swap ^ kt);
    let d = mask & (x2 ^ x3);
    x2 ^= d;
    x3 ^= d;
    d = mask & (z2 ^ z3);
    z2 ^= d;
    z3 ^= d;
    swap = kt;
    const a = x2 + z2;
    const b = x2 - z2 + P4;
    const aa = fold(a * a);
    const bb = fold(b * b);
    const e = aa - bb + P4;
    const c = x3 + z3;
    const dd = x3 - z3 + P4;
    const da = fold(dd * a);
    const cb = fold(c * b);
    const sum = da + cb;
    const diff = da - cb + P4;
    x3 = fold(sum * sum);
    z3 = fold(x1 * fold(diff * diff));
    x2 = fold(aa * bb);
    z2 = fold(e * (aa + fold(A24 * e)));
  }
  const mask = -swap;
  x2 ^= mask & (x2 ^ x3);
  z2 ^= mask & (z2 ^ z3);
  const z = z2 % P;
  return encodeLittleEndian(z === 0n ? 0n : ((x2 % P) * modInverse(z, P)) % P);
}
// ---------------------------------------------------------------------------------------

useAccelerator(undefined);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const rand = (n: number) => Uint8Array.from({ length: n }, () => (Math.random() * 256) | 0);

export function runX25519Bench(): string {
  const inputs = Array.from({ length: 64 }, () => [rand(32), rand(32)] as const);
  const native = nodeAccelerator();
  for (const [s, u] of inputs) {
    const want = hex(bigintLadder(s, u));
    if (hex(x25519(s, u)) !== want || hex(native.x25519!(s, u)!) !== want) throw new Error(`disagree on ${hex(s)} ${hex(u)}`);
  }
  let i = 0;
  const on = (f: (s: Uint8Array, u: Uint8Array) => Uint8Array | undefined) => () => f(...inputs[i++ & 63]);
  const previous = useAccelerator(undefined);
  const results = bench(
    [
      { name: 'pgtls x25519.ts (limbs in doubles)', run: on(x25519) },
      { name: 'BigInt ladder it replaced', run: on(bigintLadder) },
      { name: '@noble/curves x25519', run: on((s, u) => noble.scalarMult(s, u)) },
      { name: 'node:crypto (the accelerator)', run: on((s, u) => native.x25519!(s, u)) },
    ],
    { rounds: 9, batchMs: 60 },
  );
  useAccelerator(previous);
  return formatTable('X25519 scalar multiplication, TypeScript (no accelerator) beside peers', results);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(runX25519Bench());
