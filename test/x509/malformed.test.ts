// Hostile input: fast-check mutations (bit flips, truncation, insertion, deletion, and length
// octets nudged) of real certificates, CRLs and keys. Whatever the bytes, the parsers and
// everything built on their output (printing, hashing, summaries, key derivation) may only
// succeed or throw the typed input errors, never crash or hang.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePemOrDer, pemEncode, readTlv, type Tlv } from '../../src/der/index.js';
import { derOid, derSequence, derTlv } from '../../src/der/writer.js';
import {
  formatNameOneline,
  formatNamePostgres,
  formatNameRfc2253,
  isX509InputError,
  keyMatchesCertificate,
  nameHash,
  parseCertificate,
  parseCertificates,
  parseCrl,
  parsePrivateKey,
  publicKeyFromPrivate,
  encodeSpki,
  summarizeCertificate,
  summarizeCrl,
} from '../../src/x509/index.js';

const vec = (f: string) => new Uint8Array(readFileSync(new URL(`../../vectors/x509/${f}`, import.meta.url)));
const derOf = (f: string) => decodePemOrDer(vec(f))[0].der;

const CERTS = [vec('rsa2048-leaf.der'), derOf('all-extensions-pss.pem'), derOf('rsa2048-leaf-issuer.pem')];
const CRL = derOf('crl-v2-idp-delta.pem');
const KEY_PKCS8 = decodePemOrDer(new Uint8Array(readFileSync(new URL('../../vectors/keys/p256-1.pem', import.meta.url))))[0].der;
const ENC_PKCS8 = derOf('p256-1.pkcs8-aes256.pem');
const LEGACY = decodePemOrDer(vec('rsa1024-1.legacy-des3.pem'))[0];
/** SEC1 without the public point, so that the public key has to be derived from the (mutated) scalar. */
const SEC1_NOPUB = (() => {
  const k = parsePrivateKey(KEY_PKCS8);
  if (k.kind !== 'ec') throw new Error('not EC');
  return derSequence(Uint8Array.of(2, 1, 1), derTlv(0x04, k.d), derTlv(0xa0, derOid('1.2.840.10045.3.1.7')));
})();

/** Offsets of every length octet in a DER tree (where length mutations hurt most). */
function lengthOffsets(buf: Uint8Array): number[] {
  const out: number[] = [];
  const walk = (start: number, end: number, depth: number) => {
    for (let p = start; p < end; ) {
      let t: Tlv;
      try {
        t = readTlv(buf, p, end, '');
      } catch {
        return;
      }
      out.push(t.start + 1);
      if (t.constructed && depth < 12) walk(t.contentStart, t.end, depth + 1);
      else if ((t.tag === 0x04 || t.tag === 0x03) && depth < 12) walk(t.contentStart + (t.tag === 0x03 ? 1 : 0), t.end, depth + 1);
      p = t.end;
    }
  };
  walk(0, buf.length, 0);
  return out;
}

type Mutation =
  | { kind: 'flip'; pos: number; bit: number }
  | { kind: 'set'; pos: number; byte: number }
  | { kind: 'truncate'; len: number }
  | { kind: 'insert'; pos: number; bytes: Uint8Array }
  | { kind: 'delete'; pos: number; n: number }
  | { kind: 'length'; idx: number; delta: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.nat(7) }),
  fc.record({
    kind: fc.constant('set' as const),
    pos: fc.nat(),
    byte: fc.constantFrom(0x00, 0x01, 0x05, 0x30, 0x7f, 0x80, 0x81, 0x82, 0x84, 0x85, 0xa0, 0xff),
  }),
  fc.record({ kind: fc.constant('truncate' as const), len: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), n: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('length' as const), idx: fc.nat(), delta: fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0) }),
  fc.record({ kind: fc.constant('length' as const), idx: fc.nat(), delta: fc.constantFrom(0x40, 0x80, -0x40) }),
);

function mutate(src: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Uint8Array.from(src);
  for (const m of ms) {
    if (b.length === 0) break;
    const at = (p: number) => p % b.length;
    switch (m.kind) {
      case 'flip':
        b[at(m.pos)] ^= 1 << m.bit;
        break;
      case 'set':
        b[at(m.pos)] = m.byte;
        break;
      case 'truncate':
        b = b.subarray(0, m.len % b.length);
        break;
      case 'insert': {
        const p = at(m.pos);
        b = Uint8Array.from([...b.subarray(0, p), ...m.bytes, ...b.subarray(p)]);
        break;
      }
      case 'delete': {
        const p = at(m.pos);
        b = Uint8Array.from([...b.subarray(0, p), ...b.subarray(p + m.n)]);
        break;
      }
      case 'length': {
        const offs = lengthOffsets(b);
        if (offs.length) {
          const o = offs[m.idx % offs.length];
          b[o] = (b[o] + m.delta) & 0xff;
        }
        break;
      }
    }
  }
  return b;
}

const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

/** Run `f`; a typed input error is fine, anything else fails the property with the input. */
function typedOnly(input: Uint8Array, f: () => void): void {
  try {
    f();
  } catch (e) {
    if (isX509InputError(e)) return;
    throw new Error(`untyped error ${e instanceof Error ? e.stack : String(e)}\ninput ${Buffer.from(input).toString('hex')}`);
  }
}

const NOW = Date.UTC(2030, 0, 1);

describe('mutated inputs give results or typed errors only', () => {
  it('certificates (and names, hashes, summaries built from them)', () => {
    let parsed = 0;
    fc.assert(
      fc.property(fc.nat(CERTS.length - 1), mutations, (which, ms) => {
        const input = mutate(CERTS[which], ms);
        typedOnly(input, () => {
          const c = parseCertificate(input);
          parsed++;
          formatNameOneline(c.subject);
          formatNameRfc2253(c.issuer);
          formatNamePostgres(c.subject);
          summarizeCertificate(c, NOW);
          nameHash(c.subject);
        });
        typedOnly(input, () => void parseCertificates(new TextEncoder().encode(pemEncode('CERTIFICATE', input))));
      }),
      { numRuns: 1500 },
    );
    expect(parsed).toBeGreaterThan(50); // some mutations keep the structure valid (e.g. inside a signature)
  });

  it('CRLs', () => {
    fc.assert(
      fc.property(mutations, (ms) => {
        const input = mutate(CRL, ms);
        typedOnly(input, () => {
          const crl = parseCrl(input);
          summarizeCrl(crl, NOW);
          formatNameRfc2253(crl.issuer);
          nameHash(crl.issuer);
        });
      }),
      { numRuns: 800 },
    );
  });

  it('private keys: PKCS#8, encrypted PKCS#8 (no passphrase), legacy encrypted PEM (with passphrase)', () => {
    const cert = parseCertificate(CERTS[0]);
    fc.assert(
      fc.property(mutations, fc.nat(3), (ms, which) => {
        if (which === 3) {
          const input = mutate(SEC1_NOPUB, ms);
          typedOnly(input, () => void keyMatchesCertificate(parsePrivateKey(input), cert));
        } else if (which === 0) {
          const input = mutate(KEY_PKCS8, ms);
          typedOnly(input, () => {
            const k = parsePrivateKey(input);
            encodeSpki(publicKeyFromPrivate(k));
            keyMatchesCertificate(k, cert);
          });
        } else if (which === 1) {
          const input = mutate(ENC_PKCS8, ms);
          typedOnly(input, () => void parsePrivateKey(new TextEncoder().encode(pemEncode('ENCRYPTED PRIVATE KEY', input))));
        } else {
          const input = mutate(LEGACY.der, ms);
          const pem = pemEncode('RSA PRIVATE KEY', input).replace(
            '-----\n',
            `-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: ${LEGACY.headers['DEK-Info']}\n\n`,
          );
          typedOnly(input, () => void parsePrivateKey(new TextEncoder().encode(pem), 'secret'));
        }
      }),
      { numRuns: 600 },
    );
  });

  it('random bytes and random PEM text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        typedOnly(b, () => void parseCertificate(b));
        typedOnly(b, () => void parseCrl(b));
        typedOnly(b, () => void parsePrivateKey(b, 'x'));
        typedOnly(b, () => void parseCertificates(b));
      }),
      { numRuns: 500 },
    );
  });
});
