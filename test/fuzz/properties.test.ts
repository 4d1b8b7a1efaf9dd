// Property tests over the fuzzer's generators: round trips (factory -> DER -> parse, PEM <->
// DER, names -> RFC 2253 -> same comparison key), determinism and order independence of
// verifyChain, monotonicity (removing the anchor, leaving a validity window, revoking or
// breaking a signature on the chain never makes a failing chain pass, nor a passing chain
// pass through another path), and robustness (bytes, mutated certificates, CRLs, keys and
// PEM end in a typed error or a verdict, within the work budget).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesEqual, decodePemOrDer, pemEncode, utf8Decode } from '../../src/der/index.js';
import { makeCertificate, type ExtensionSpec, type NameAttrSpec, type RawNameAttrSpec } from '../../src/factory/index.js';
import {
  buildCase,
  caseArb,
  mutateTbs,
  type MUTATION_OPS,
  parseCase,
  verifyOptions,
  type BuiltCase,
  type CaseSpec,
} from '../../src/fuzz/index.js';
import { verifyChain } from '../../src/path/index.js';
import { formatNameRfc2253, isX509InputError, namesEqual, parseCertificate, parseCrl, parsePrivateKey } from '../../src/x509/index.js';
import type { Certificate } from '../../src/x509/types.js';
import { fuzzContext } from './helpers.js';

const { keys, build } = fuzzContext();
const T = new Date('2026-06-01T00:00:00Z');
const RUNS = 60;

function verify(b: BuiltCase, over: Partial<ReturnType<typeof verifyOptions>> = {}) {
  const p = parseCase(b);
  if ('failed' in p) return undefined;
  return verifyChain({ ...verifyOptions(b, p), callback: 'stop', ...over });
}

const chainKey = (c: Certificate[]) => c.map((x) => Buffer.from(x.der).toString('base64')).join('|');

describe('round trips', () => {
  it('factory -> DER -> parse gives back the fields', () => {
    const safe = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -.,+=éü漢'.split('')), minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(
        fc.record({
          cn: safe,
          serial: fc.bigInt({ min: 1n, max: (1n << 158n) - 1n }),
          nb: fc.integer({ min: -2_000_000_000, max: 0 }),
          span: fc.integer({ min: 1, max: 3_000_000_000 }),
          ca: fc.boolean(),
          pathLen: fc.option(fc.nat(10), { nil: undefined }),
          ku: fc.subarray(['digitalSignature', 'keyEncipherment', 'keyCertSign', 'cRLSign'] as const),
          dns: fc.array(fc.constantFrom('a.example.com', 'b.example.org', '*.example.net'), { maxLength: 3 }),
        }),
        (r) => {
          const notBefore = new Date(Math.floor((T.getTime() + r.nb * 1000) / 1000) * 1000);
          const notAfter = new Date(notBefore.getTime() + r.span * 1000);
          const exts: ExtensionSpec[] = [{ type: 'basicConstraints', ca: r.ca, pathLen: r.ca ? r.pathLen : undefined }];
          if (r.ku.length) exts.push({ type: 'keyUsage', usages: [...r.ku] });
          if (r.dns.length) exts.push({ type: 'subjectAltName', names: r.dns.map((d) => `DNS:${d}`) });
          const m = makeCertificate({
            subject: [{ CN: r.cn }],
            serial: r.serial,
            selfSigned: true,
            issuerKey: keys['ed25519-1'],
            notBefore,
            notAfter,
            extensions: exts,
          });
          const c = parseCertificate(m.der);
          expect(c.serial.value).toBe(r.serial);
          expect(c.subject.rdns[0][0].value).toMatchObject({ value: r.cn });
          expect(c.notBefore.ms).toBe(notBefore.getTime());
          expect(c.notAfter.ms).toBe(notAfter.getTime());
          expect(c.ext.basicConstraints?.ca).toBe(r.ca);
          expect(c.ext.basicConstraints?.pathLen).toBe(r.ca ? r.pathLen : undefined);
          expect(c.ext.subjectAltName?.names.map((n) => ('value' in n ? n.value : '')) ?? []).toEqual(r.dns);
          expect(c.problems).toEqual([]);
          expect(bytesEqual(c.der, m.der)).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('PEM <-> DER is the identity on any bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        fc.constantFrom('CERTIFICATE', 'X509 CRL', 'PRIVATE KEY'),
        (bytes, label) => {
          const blocks = decodePemOrDer(new TextEncoder().encode(pemEncode(label, bytes)));
          expect(blocks).toHaveLength(1);
          expect(blocks[0].label).toBe(label);
          expect(bytesEqual(blocks[0].der, bytes)).toBe(true);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('names -> RFC 2253 string -> names compare equal (OpenSSL canonical comparison)', () => {
    const value = fc.string({ unit: fc.constantFrom(...'ab Z09,+"\\<>;=#é漢-'.split('')), minLength: 1, maxLength: 12 });
    const attr = fc.record({ type: fc.constantFrom('CN', 'O', 'OU', 'L', 'ST'), value });
    const nameArb = fc.array(fc.array(attr, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(nameArb, (rdns) => {
        const m = makeCertificate({ subject: rdns, serial: 7, selfSigned: true, issuerKey: keys['ed25519-1'] });
        const name = parseCertificate(m.der).subject;
        const text = formatNameRfc2253(name);
        const again = makeCertificate({ subject: parseRfc2253(text), serial: 7, selfSigned: true, issuerKey: keys['ed25519-1'] });
        expect(namesEqual(parseCertificate(again.der).subject, name)).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

/** RFC 2253 (as OpenSSL prints it) back to RDNs: reversed order, `\` escapes, `\HH` bytes, `#hex` DER values. */
function parseRfc2253(s: string): (NameAttrSpec | RawNameAttrSpec)[][] {
  const split = (t: string, sep: string) => {
    const out: string[] = [];
    let cur = '';
    for (let i = 0; i < t.length; i++) {
      if (t[i] === '\\') {
        cur += t.slice(i, i + 2);
        i++;
      } else if (t[i] === sep) {
        out.push(cur);
        cur = '';
      } else cur += t[i];
    }
    out.push(cur);
    return out;
  };
  const unescapeDn = (v: string) => {
    const bytes: number[] = [];
    for (let i = 0; i < v.length; i++) {
      if (v[i] === '\\' && /^[0-9A-Fa-f]{2}$/.test(v.slice(i + 1, i + 3))) {
        bytes.push(parseInt(v.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (v[i] === '\\') {
        bytes.push(...new TextEncoder().encode(v[i + 1]));
        i++;
      } else bytes.push(...new TextEncoder().encode(v[i]));
    }
    return utf8Decode(Uint8Array.from(bytes));
  };
  return split(s, ',')
    .reverse()
    .map((rdn) =>
      split(rdn, '+').map((a) => {
        const eq = a.indexOf('=');
        const type = a.slice(0, eq);
        const v = a.slice(eq + 1);
        // OpenSSL escapes a leading '#' except when it is the whole value
        if (/^#([0-9A-Fa-f]{2})+$/.test(v)) return { type, der: Uint8Array.from(Buffer.from(v.slice(1), 'hex')) };
        return { type, value: unescapeDn(v) };
      }),
    );
}

// cases without mutations, cross-signing or impostors: exactly one candidate issuer per certificate
const plainCase = caseArb(0).map(
  (c): CaseSpec => ({
    ...c,
    bundle: { ...c.bundle, impostor: false, cross: 'none', dup: false },
    anchor: c.anchor === 'root-dup' ? 'root' : c.anchor,
  }),
);

describe('determinism and order independence', () => {
  it('the same case gives the same result; bundle and trust store order do not matter when each name is unique', () => {
    fc.assert(
      fc.property(plainCase, fc.nat(), (spec, rot) => {
        const b = buildCase(spec, build);
        const r1 = verify(b);
        const r2 = verify(buildCase(spec, build));
        if (!r1 || !r2) return;
        expect(r2.errors.map((e) => `${e.code}@${e.depth}`)).toEqual(r1.errors.map((e) => `${e.code}@${e.depth}`));
        const names = [b.leaf, ...b.untrusted, ...b.trusted].map((d) => Buffer.from(parseCertificate(d).subject.der).toString('hex'));
        if (new Set(names).size !== names.length) return; // OpenSSL picks the first candidate: order matters there
        const rotate = <T>(a: T[]) => (a.length ? [...a.slice(rot % a.length), ...a.slice(0, rot % a.length)].reverse() : a);
        const r3 = verify({ ...b, untrusted: rotate(b.untrusted), trusted: rotate(b.trusted) });
        expect(r3!.ok).toBe(r1.ok);
        expect(r3!.errors.map((e) => `${e.code}@${e.depth}`)).toEqual(r1.errors.map((e) => `${e.code}@${e.depth}`));
        expect(chainKey(r3!.chain)).toBe(chainKey(r1.chain));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('monotonicity', () => {
  const check = (before: ReturnType<typeof verify>, after: ReturnType<typeof verify>) => {
    if (!before || !after) return;
    if (!before.ok) expect(after.ok).toBe(false);
    else if (after.ok) expect(chainKey(after.chain)).toBe(chainKey(before.chain));
  };

  it('removing the trust anchor, leaving a validity window, breaking a signature', () => {
    fc.assert(
      fc.property(plainCase, fc.nat(), (spec, k) => {
        const b = buildCase(spec, build);
        const r = verify(b);
        if (!r) return;
        const top = r.chain[r.chain.length - 1];
        // the anchor goes
        check(r, verify({ ...b, trusted: b.trusted.filter((d) => !bytesEqual(d, top.der)) }));
        // the time moves past the end (or before the start) of one certificate on the chain
        const c = r.chain[k % r.chain.length];
        if (c.notAfter.ms !== null && c.notBefore.ms !== null) {
          check(r, verify(b, { time: new Date(c.notAfter.ms + 86_400_000) }));
          check(r, verify(b, { time: new Date(c.notBefore.ms - 86_400_000) }));
        }
        // one signature on the chain breaks (every copy of that certificate)
        if (r.chain.length > 1) {
          const victim = r.chain[k % (r.chain.length - 1)].der;
          const broken = victim.slice();
          broken[broken.length - 1] ^= 1;
          const swap = (d: Uint8Array) => (bytesEqual(d, victim) ? broken : d);
          check(r, verify({ ...b, leaf: swap(b.leaf), untrusted: b.untrusted.map(swap), trusted: b.trusted.map(swap) }));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('revoking a certificate of the chain', () => {
    fc.assert(
      fc.property(plainCase, fc.nat(), (spec, r0) => {
        const base = { ...spec, crl: { mode: 'all' as const } };
        const before = verify(buildCase(base, build));
        const after = verify(buildCase({ ...base, crl: { mode: 'all', revoke: r0 % spec.chain.length } }, build));
        check(before, after);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('robustness', () => {
  const typedOrValue = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (!isX509InputError(e)) throw e;
    }
  };

  it('any bytes given to the parsers end in a value or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        typedOrValue(() => parseCertificate(bytes));
        typedOrValue(() => parseCrl(bytes));
        typedOrValue(() => parsePrivateKey(bytes));
        typedOrValue(() => decodePemOrDer(bytes));
      }),
      { numRuns: RUNS * 5 },
    );
  });

  it('mutated certificates, CRLs, keys and PEM text end in a typed error or a verdict within the work budget', () => {
    const keyDer = decodePemOrDer(readFileSync(join(import.meta.dirname, '../../vectors/keys/p256-1.pem')))[0].der;
    const op = fc.constantFrom('tbs-bit-flip', 'tbs-len-corrupt', 'tbs-tag-corrupt', 'tbs-byte-insert', 'tbs-truncate-ext') as fc.Arbitrary<
      (typeof MUTATION_OPS)[number]
    >;
    fc.assert(
      fc.property(caseArb(4), op, fc.nat(), (spec, o, n) => {
        const b = buildCase(spec, build);
        const p = parseCase(b);
        if (!('failed' in p)) {
          const r = verifyChain({ ...verifyOptions(b, p), workBudget: 500 });
          expect(typeof r.ok).toBe('boolean');
          if (r.budgetExceeded) expect(r.ok).toBe(false);
        }
        for (const d of [b.leaf, ...b.crls]) {
          const m = mutateTbs(d, o, n);
          typedOrValue(() => parseCertificate(m));
          typedOrValue(() => parseCrl(m));
          const pem = pemEncode('CERTIFICATE', d);
          const cut = new TextEncoder().encode(pem.slice(0, n % pem.length) + pem.slice((n % pem.length) + 1));
          typedOrValue(() =>
            decodePemOrDer(cut).forEach((blk) => {
              parseCertificate(blk.der);
            }),
          );
        }
        typedOrValue(() => parsePrivateKey(mutateTbs(keyDer, o, n)));
      }),
      { numRuns: RUNS },
    );
  });
});
