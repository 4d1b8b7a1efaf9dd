// verify.ts: OpenSSL's key/algorithm rules, AlgorithmIdentifier parameters, certificates made by the openssl
// CLI, the caches, and the never-throws property.

import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, verify as nodeVerify } from 'node:crypto';
import fc from 'fast-check';
import { CryptoError, clearVerifyCache, signMessage, verifyCacheStats, verifySignature } from '../../src/crypto/index.js';
import { OID } from '../../src/der/oids.js';
import { DER_NULL, derOid, derSequence, derSmallInteger, derTlv } from '../../src/der/writer.js';
import { Tag, der, parseDer, parsePemBlocks } from '../../src/der/index.js';
import type { AlgorithmIdentifier, PssParams, PublicKey, SignatureAlgorithm } from '../../src/x509/types.js';
import { KEY_DIR, algId, bytes, flip, loadKey, pssParamsDer, restrictedPssKey } from './helpers.js';

const msg = bytes('tbsCertificate bytes');
const rsa = loadKey('rsa2048-1');
const pss = loadKey('rsapss2048-1');
const p256 = loadKey('p256-1');
const p384 = loadKey('p384-1');
const ed = loadKey('ed25519-1');
const ed448 = loadKey('ed448-1');

const A = {
  pkcs1: { kind: 'rsa-pkcs1', oid: OID.sha256WithRSAEncryption, hash: 'sha256' },
  pss: { kind: 'rsa-pss', oid: OID.rsassaPss, pss: { hash: 'sha256', mgfHash: 'sha256', saltLength: 32, trailerField: 1 } },
  ecdsa: { kind: 'ecdsa', oid: OID.ecdsaWithSHA256, hash: 'sha256' },
  ed25519: { kind: 'ed25519', oid: OID.ed25519 },
  ed448: { kind: 'ed448', oid: OID.ed448 },
} satisfies Record<string, SignatureAlgorithm>;

describe('verifySignature: key/algorithm rules', () => {
  const keys = { rsa, pss, p256, ed, ed448 };
  // which (algorithm, key) pairs OpenSSL's ASN1_item_verify lets through
  const allowed: Record<keyof typeof A, (keyof typeof keys)[]> = {
    pkcs1: ['rsa'],
    pss: ['rsa', 'pss'],
    ecdsa: ['p256'],
    ed25519: ['ed'],
    ed448: ['ed448'],
  };
  for (const [algName, alg] of Object.entries(A) as [keyof typeof A, SignatureAlgorithm][]) {
    for (const [keyName, k] of Object.entries(keys) as [keyof typeof keys, (typeof keys)['rsa']][]) {
      const ok = allowed[algName].includes(keyName);
      it(`${algName} with a ${keyName} key: ${ok ? 'verifies' : 'key-algorithm-mismatch'}`, () => {
        if (ok) {
          const sig = signMessage(alg, k.priv, msg);
          expect(verifySignature(alg, k.pub, msg, sig)).toEqual({ ok: true });
          expect(verifySignature(alg, k.pub, bytes('other'), sig)).toMatchObject({ ok: false, reason: 'bad-signature' });
        } else {
          expect(verifySignature(alg, k.pub, msg, new Uint8Array(64))).toMatchObject({ ok: false, reason: 'key-algorithm-mismatch' });
        }
      });
    }
  }

  it('PKCS#1 v1.5 with an id-RSASSA-PSS key: signable (for the factory) but refused, as OpenSSL refuses it', () => {
    const sig = signMessage(A.pkcs1, pss.priv, msg);
    expect(verifySignature(A.pkcs1, pss.pub, msg, sig)).toMatchObject({ ok: false, reason: 'key-algorithm-mismatch' });
    expect(() => nodeVerify('sha256', msg, { key: pss.nodePub, padding: constants.RSA_PKCS1_PADDING }, sig)).toThrow();
  });

  it('an ECDSA signature made on one curve does not verify with a key on another', () => {
    const sig = signMessage(A.ecdsa, p384.priv, msg);
    expect(verifySignature(A.ecdsa, p384.pub, msg, sig)).toEqual({ ok: true });
    expect(verifySignature(A.ecdsa, p256.pub, msg, sig).ok).toBe(false);
  });

  it('restricted RSA-PSS keys: parameters outside the restriction are a mismatch, impossible restrictions bad parameters', () => {
    const r: PssParams = { hash: 'sha256', mgfHash: 'sha256', saltLength: 32, trailerField: 1 };
    const k = restrictedPssKey(r);
    const good = signMessage(A.pss, k.priv, msg);
    expect(nodeVerify('sha256', msg, k.nodePub, good)).toBe(true);
    expect(verifySignature(A.pss, k.pub, msg, good)).toEqual({ ok: true });
    const sha384: SignatureAlgorithm = { kind: 'rsa-pss', oid: OID.rsassaPss, pss: { ...r, hash: 'sha384', saltLength: 48 } };
    const s384 = signMessage(sha384, k.priv, msg);
    expect(verifySignature(sha384, k.pub, msg, s384)).toMatchObject({ ok: false, reason: 'key-algorithm-mismatch' });
    expect(verifySignature(sha384, pss.pub, msg, s384)).toEqual({ ok: true }); // the unrestricted key takes it
    const salt20: SignatureAlgorithm = { kind: 'rsa-pss', oid: OID.rsassaPss, pss: { ...r, saltLength: 20 } };
    expect(verifySignature(salt20, k.pub, msg, signMessage(salt20, k.priv, msg))).toMatchObject({
      ok: false,
      reason: 'key-algorithm-mismatch',
    });
    const impossible = { ...k.pub, pss: { restricted: { ...r, saltLength: 300 } } } as PublicKey;
    expect(verifySignature(A.pss, impossible, msg, good)).toMatchObject({ ok: false, reason: 'bad-parameters' });
  });
});

describe('verifySignature with AlgorithmIdentifiers (as found in certificates)', () => {
  it('hash-and-sign OIDs, with NULL or absent parameters (OpenSSL ignores them)', () => {
    const sig = signMessage(A.pkcs1, rsa.priv, msg);
    expect(verifySignature(algId(OID.sha256WithRSAEncryption, DER_NULL), rsa.pub, msg, sig)).toEqual({ ok: true });
    expect(verifySignature(algId(OID.sha256WithRSAEncryption), rsa.pub, msg, sig)).toEqual({ ok: true });
    expect(verifySignature(algId(OID.sha384WithRSAEncryption, DER_NULL), rsa.pub, msg, sig)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    const esig = signMessage(A.ecdsa, p256.priv, msg);
    expect(verifySignature(algId(OID.ecdsaWithSHA256), p256.pub, msg, esig)).toEqual({ ok: true });
  });

  it('RSASSA-PSS parameters: explicit, all-default (SHA-1/MGF1-SHA-1/20), absent, bad trailer', () => {
    const p: PssParams = { hash: 'sha384', mgfHash: 'sha1', saltLength: 10, trailerField: 1 };
    const sig = signMessage({ kind: 'rsa-pss', oid: OID.rsassaPss, pss: p }, rsa.priv, msg);
    expect(verifySignature(algId(OID.rsassaPss, pssParamsDer(p)), rsa.pub, msg, sig)).toEqual({ ok: true });
    expect(verifySignature(algId(OID.rsassaPss, pssParamsDer({ ...p, saltLength: 11 })), rsa.pub, msg, sig)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    const dflt: PssParams = { hash: 'sha1', mgfHash: 'sha1', saltLength: 20, trailerField: 1 };
    const dsig = signMessage({ kind: 'rsa-pss', oid: OID.rsassaPss, pss: dflt }, rsa.priv, msg);
    expect(verifySignature(algId(OID.rsassaPss, derSequence()), rsa.pub, msg, dsig)).toEqual({ ok: true });
    expect(verifySignature(algId(OID.rsassaPss), rsa.pub, msg, dsig)).toMatchObject({ ok: false, reason: 'bad-parameters' });
    expect(verifySignature(algId(OID.rsassaPss, derSequence(derTlv(0xa3, derSmallInteger(2)))), rsa.pub, msg, dsig)).toMatchObject({
      ok: false,
      reason: 'bad-parameters',
    });
    const notMgf1 = derSequence(derTlv(0xa1, derSequence(derOid('1.2.3.4'), derSequence(derOid(OID.sha1), DER_NULL))));
    expect(verifySignature(algId(OID.rsassaPss, notMgf1), rsa.pub, msg, dsig)).toMatchObject({ ok: false, reason: 'bad-parameters' });
  });

  it('EdDSA identifiers must not carry parameters (ecd_item_verify)', () => {
    const sig = signMessage(A.ed25519, ed.priv, msg);
    expect(verifySignature(algId(OID.ed25519), ed.pub, msg, sig)).toEqual({ ok: true });
    expect(verifySignature(algId(OID.ed25519, DER_NULL), ed.pub, msg, sig)).toMatchObject({ ok: false, reason: 'bad-parameters' });
  });

  it('unknown and MD2 algorithms are unsupported; DSA needs a DSA key', () => {
    const sig = new Uint8Array(256);
    expect(verifySignature(algId('1.2.3.4.5'), rsa.pub, msg, sig)).toMatchObject({ ok: false, reason: 'unsupported-algorithm' });
    expect(verifySignature(algId(OID.md2WithRSAEncryption, DER_NULL), rsa.pub, msg, sig)).toMatchObject({
      ok: false,
      reason: 'unsupported-algorithm',
    });
    expect(verifySignature(algId(OID.dsaWithSHA1), rsa.pub, msg, sig)).toMatchObject({ ok: false, reason: 'key-algorithm-mismatch' });
    const unknownKey: PublicKey = { kind: 'unknown', algorithm: algId('1.2.3'), key: new Uint8Array(3), bits: 0, reason: 'test' };
    expect(verifySignature(A.pkcs1, unknownKey, msg, sig)).toMatchObject({ ok: false, reason: 'unsupported-algorithm' });
  });
});

/** tbsCertificate, signatureAlgorithm and signature bits of a PEM certificate. */
function splitCert(pem: string): { tbs: Uint8Array; alg: AlgorithmIdentifier; sig: Uint8Array } {
  const certDer = parsePemBlocks(pem)[0].der;
  const r = parseDer(certDer).reader();
  const tbs = r.next('tbs').bytes();
  const algT = r.expect(Tag.SEQUENCE, 'sigalg');
  const ar = algT.reader();
  const oid = der.oid(ar.expect(Tag.OID, 'oid'));
  const parameters = ar.done() ? undefined : ar.next('params').bytes();
  const sig = der.bitString(r.expect(Tag.BIT_STRING, 'sig')).bytes;
  return { tbs, alg: parameters ? { oid, parameters, bytes: algT.bytes() } : { oid, bytes: algT.bytes() }, sig };
}

describe('self-signed certificates made by the openssl CLI verify with their AlgorithmIdentifier', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgtls-crypto-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cases: [string, string, string[], () => PublicKey][] = [
    ['rsa sha256', 'rsa2048-1', ['-sha256'], () => rsa.pub],
    ['rsa sha1', 'rsa2048-1', ['-sha1'], () => rsa.pub],
    ['rsa sha512', 'rsa4096-1', ['-sha512'], () => loadKey('rsa4096-1').pub],
    [
      'rsa-pss on an rsaEncryption key, salt 32',
      'rsa2048-1',
      ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'],
      () => rsa.pub,
    ],
    [
      'rsa-pss sha384 / mgf1 sha1 / salt 7',
      'rsa2048-1',
      ['-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:7', '-sigopt', 'rsa_mgf1_md:sha1'],
      () => rsa.pub,
    ],
    ['rsa-pss key, defaults', 'rsapss2048-1', ['-sha256'], () => pss.pub],
    ['ecdsa p384 sha384', 'p384-1', ['-sha384'], () => p384.pub],
    ['ecdsa p521 sha512', 'p521-1', ['-sha512'], () => loadKey('p521-1').pub],
    ['ed25519', 'ed25519-2', [], () => loadKey('ed25519-2').pub],
    ['ed448', 'ed448-1', [], () => ed448.pub],
  ];
  for (const [label, keyName, args, pub] of cases) {
    it(label, () => {
      const out = join(dir, `${keyName}-${label.replace(/\W+/g, '_')}.pem`);
      execFileSync(
        'openssl',
        ['req', '-x509', '-new', '-key', `${KEY_DIR}${keyName}.pem`, '-subj', '/CN=pgtls', '-days', '1', ...args, '-out', out],
        { stdio: 'pipe' },
      );
      const { tbs, alg, sig } = splitCert(readFileSync(out, 'utf8'));
      expect(verifySignature(alg, pub(), tbs, sig)).toEqual({ ok: true });
      expect(verifySignature(alg, pub(), flip(tbs, 100), sig).ok).toBe(false);
    });
  }
});

describe('caches', () => {
  it('memoises results and prepares a key once, whatever object carries it', () => {
    clearVerifyCache();
    const sig = signMessage(A.ecdsa, p256.priv, msg);
    expect(verifySignature(A.ecdsa, p256.pub, msg, sig)).toEqual({ ok: true });
    const before = verifyCacheStats();
    expect(before.preparedKeys).toBe(1);
    const copy = { ...p256.pub } as PublicKey; // same key, another object
    expect(verifySignature(A.ecdsa, copy, Uint8Array.from(msg), Uint8Array.from(sig))).toEqual({ ok: true });
    const after = verifyCacheStats();
    expect(after.resultHits).toBe(before.resultHits + 1);
    expect(after.preparedKeys).toBe(1);
    // any change in message, signature, algorithm or key is a different entry
    expect(verifySignature(A.ecdsa, p256.pub, flip(msg, 3), sig).ok).toBe(false);
    expect(verifySignature(A.ecdsa, p256.pub, msg, flip(sig, 200)).ok).toBe(false);
    expect(verifySignature({ ...A.ecdsa, hash: 'sha384' }, p256.pub, msg, sig).ok).toBe(false);
    expect(verifySignature(A.ecdsa, loadKey('p256-2').pub, msg, sig).ok).toBe(false);
    expect(verifyCacheStats().resultHits).toBe(after.resultHits);
    // restrictions are part of the key's identity
    const r: PssParams = { hash: 'sha384', mgfHash: 'sha384', saltLength: 48, trailerField: 1 };
    const psig = signMessage(A.pss, pss.priv, msg);
    expect(verifySignature(A.pss, pss.pub, msg, psig)).toEqual({ ok: true });
    expect(verifySignature(A.pss, { ...pss.pub, pss: { restricted: r } } as PublicKey, msg, psig)).toMatchObject({
      reason: 'key-algorithm-mismatch',
    });
  });
});

describe('never throws', () => {
  const algs: (SignatureAlgorithm | AlgorithmIdentifier)[] = [
    ...Object.values(A),
    { kind: 'rsa-pkcs1', oid: '', hash: 'md2' },
    { kind: 'rsa-pss', oid: '', pss: { hash: 'sha256', mgfHash: 'md2', saltLength: -1, trailerField: 1 } },
    { kind: 'ecdsa', oid: '', hash: 'md5' },
    { kind: 'dsa', oid: '', hash: 'sha1' },
    { kind: 'unknown', oid: '1.2', reason: 'x' },
    algId(OID.rsassaPss, Uint8Array.of(0x30, 0x80)),
    algId(OID.sha1WithRSAEncryption),
  ];
  const keys: PublicKey[] = [rsa.pub, pss.pub, p256.pub, ed.pub, ed448.pub, loadKey('rsa1024-1').pub];

  it('random bytes as signatures, for every algorithm and key, return a result', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...algs),
        fc.constantFrom(...keys),
        fc.uint8Array({ maxLength: 600 }),
        fc.uint8Array({ maxLength: 64 }),
        (alg, key, sig, m) => {
          const r = verifySignature(alg, key, m, sig);
          expect(typeof r.ok).toBe('boolean');
          if (!r.ok) expect(r.message.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random public keys and random AlgorithmIdentifier parameters return a result', () => {
    const randomKey = fc.oneof(
      fc.record({
        kind: fc.constant('rsa' as const),
        n: fc.bigInt({ min: -5n, max: 1n << 600n }),
        e: fc.bigInt({ min: -1n, max: 1n << 70n }),
        bits: fc.nat(),
      }),
      fc.record({
        kind: fc.constant('ec' as const),
        curve: fc.constantFrom('P-256' as const, 'P-384' as const, 'P-521' as const),
        point: fc.uint8Array({ maxLength: 140 }),
        bits: fc.nat(),
      }),
      fc.record({ kind: fc.constantFrom('ed25519' as const, 'ed448' as const), key: fc.uint8Array({ maxLength: 60 }), bits: fc.nat() }),
    );
    const randomAlg = fc
      .tuple(
        fc.constantFrom(OID.rsassaPss, OID.ed25519, OID.sha256WithRSAEncryption, OID.ecdsaWithSHA1, '2.999'),
        fc.option(fc.uint8Array({ maxLength: 40 })),
      )
      .map(([oid, p]) => algId(oid, p ?? undefined));
    fc.assert(
      fc.property(fc.oneof(randomAlg, fc.constantFrom(...algs)), randomKey, fc.uint8Array({ maxLength: 300 }), (alg, key, sig) => {
        const r = verifySignature(alg, key as PublicKey, msg, sig);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('non-byte inputs are malformed, not a crash', () => {
    expect(verifySignature(A.pkcs1, rsa.pub, 'x' as unknown as Uint8Array, new Uint8Array())).toMatchObject({
      ok: false,
      reason: 'malformed-signature',
    });
  });
});

describe('signMessage', () => {
  it('refuses impossible combinations with a typed error', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof CryptoError ? e.code : 'other';
      }
      return 'none';
    };
    expect(codeOf(() => signMessage(A.ecdsa, rsa.priv, msg))).toBe('KEY_MISMATCH');
    expect(codeOf(() => signMessage(A.ed25519, ed448.priv, msg))).toBe('KEY_MISMATCH');
    expect(codeOf(() => signMessage(A.pkcs1, p256.priv, msg))).toBe('KEY_MISMATCH');
    expect(codeOf(() => signMessage({ kind: 'dsa', oid: '', hash: 'sha1' }, rsa.priv, msg))).toBe('UNSUPPORTED_ALGORITHM');
    expect(codeOf(() => signMessage({ kind: 'rsa-pkcs1', oid: '', hash: 'md2' }, rsa.priv, msg))).toBe('UNSUPPORTED_HASH');
    expect(
      codeOf(() =>
        signMessage(
          { kind: 'rsa-pss', oid: '', pss: { hash: 'sha512', mgfHash: 'sha512', saltLength: 200, trailerField: 1 } },
          rsa.priv,
          msg,
        ),
      ),
    ).toBe('BAD_PARAMETERS');
  });

  it('PSS with an explicit salt is reproducible and node verifies it', () => {
    const salt = new Uint8Array(32).fill(7);
    const a = signMessage(A.pss, rsa.priv, msg, { pssSalt: salt });
    expect(Buffer.from(a).equals(Buffer.from(signMessage(A.pss, rsa.priv, msg, { pssSalt: salt })))).toBe(true);
    expect(nodeVerify('sha256', msg, { key: rsa.nodePub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, a)).toBe(true);
  });
});
