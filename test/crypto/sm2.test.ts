// SM3 (sm3.ts) and SM2 signatures (sm2.ts, verify.ts's 'sm2' kind).
// - SM3: GB/T 32905-2016 Annex A's two examples; random messages against node:crypto's sm3
//   (OpenSSL);
// - SM2: draft-shen-sm2-ecdsa-02 A.2 (its own 256-bit curve, ID ALICE123@YAHOO.COM): Z, the
//   signature from its k, verification, and refusals;
// - against `openssl dgst -sm3 -sign` (OpenSSL 3.0) on an SM2 key on the standard curve: its
//   signatures verify with the ID it used (none by default, or -sigopt distid:), and not with
//   another; the key is an SM2 key (ECDSA signatures are a key/algorithm mismatch);
// - property: sign with random k and random messages, verify holds, a flipped bit fails.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sm3 } from '../../src/crypto/sm3.js';
import { SM2_CURVE, prepareSm2Key, sm2Sign, sm2Verify, sm2Z } from '../../src/crypto/sm2.js';
import { withSizes } from '../../src/crypto/ecdsa-prime.js';
import { encodeEcdsaSignature } from '../../src/crypto/ecdsa.js';
import { verifySignature } from '../../src/crypto/verify.js';
import { securityBits, signatureSecurityBits } from '../../src/crypto/security-level.js';
import { fromHex, toHex } from '../../src/der/bytes.js';
import { OID, der, parseDer } from '../../src/der/index.js';
import { parseSpki } from '../../src/x509/keys.js';
import { describeSignatureAlgorithm } from '../../src/x509/algorithms.js';
import type { SignatureAlgorithm } from '../../src/x509/types.js';

const te = (s: string) => new TextEncoder().encode(s);
const h = (s: string) => BigInt(`0x${s}`);
const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('SM3', () => {
  it('GB/T 32905-2016 Annex A', () => {
    expect(toHex(sm3(te('abc')))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(toHex(sm3(te('abcd'.repeat(16))))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });
  it('agrees with node:crypto (OpenSSL) on random messages of every padding length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (m) => {
        expect(toHex(sm3(m))).toBe(createHash('sm3').update(m).digest('hex'));
      }),
      { numRuns: 200 },
    );
  });
});

// draft-shen-sm2-ecdsa-02 A.2 (GB/T 32918.2 Annex A): a 256-bit test curve of its own
const DRAFT_CURVE = withSizes({
  name: 'draft-shen A.2',
  p: h('8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3'),
  a: h('787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498'),
  b: h('63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A'),
  gx: h('421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D'),
  gy: h('0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2'),
  n: h('8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7'),
  h: 1n,
});
const DRAFT = {
  id: te('ALICE123@YAHOO.COM'),
  d: h('128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263'),
  pub: fromHex(
    '040AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857',
  ),
  z: 'f4a38489e32b45b6f876e3ac2168ca392362dc8f23459c1d1146fc3dbfb7bc9a',
  k: h('6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F'),
  r: h('40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1'),
  s: h('6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7'),
};

describe('SM2: draft-shen-sm2-ecdsa-02 A.2', () => {
  const key = prepareSm2Key(DRAFT.pub, DRAFT_CURVE);
  const msg = te('message digest');
  const sig = encodeEcdsaSignature(DRAFT.r, DRAFT.s);
  it('Z_A, and the signature made with its k', () => {
    expect(toHex(sm2Z(key, DRAFT.id))).toBe(DRAFT.z);
    expect(sm2Sign(key, DRAFT.d, DRAFT.k, msg, DRAFT.id)).toEqual({ r: DRAFT.r, s: DRAFT.s });
  });
  it('verifies, and not with another ID, message, r, s or the default (empty) ID', () => {
    expect(sm2Verify(key, msg, sig, DRAFT.id)).toEqual({ ok: true });
    expect(sm2Verify(key, msg, sig).ok).toBe(false);
    expect(sm2Verify(key, msg, sig, te('ALICE123@YAHOO.CON')).ok).toBe(false);
    expect(sm2Verify(key, te('message digesT'), sig, DRAFT.id).ok).toBe(false);
    expect(sm2Verify(key, msg, encodeEcdsaSignature(DRAFT.r, DRAFT.s + 1n), DRAFT.id).ok).toBe(false);
    // out of range: r = 0, s = n, r + s = n
    expect(sm2Verify(key, msg, encodeEcdsaSignature(0n, DRAFT.s), DRAFT.id)).toMatchObject({ reason: 'malformed-signature' });
    expect(sm2Verify(key, msg, encodeEcdsaSignature(DRAFT.r, DRAFT_CURVE.n), DRAFT.id)).toMatchObject({ reason: 'malformed-signature' });
    expect(sm2Verify(key, msg, encodeEcdsaSignature(DRAFT.r, DRAFT_CURVE.n - DRAFT.r), DRAFT.id)).toMatchObject({
      reason: 'bad-signature',
    });
    // not strict DER: a leading zero on r
    const loose = Uint8Array.from([0x30, sig[1] + 1, 0x02, sig[3] + 1, 0x00, ...sig.subarray(4)]);
    expect(sm2Verify(key, msg, loose, DRAFT.id).ok).toBe(false);
  });
});

function run(cmd: string, args: string[], input?: Uint8Array): Uint8Array {
  const r = spawnSync(cmd, args, { input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

/** an SM2 key made by openssl: its SubjectPublicKeyInfo, private scalar and PEM file */
function opensslSm2Key(dir: string): { spki: Uint8Array; d: bigint; file: string } {
  const file = join(dir, 'sm2.key');
  run('openssl', ['genpkey', '-algorithm', 'SM2', '-out', file]);
  const spki = run('openssl', ['pkey', '-in', file, '-pubout', '-outform', 'DER']);
  // openssl writes an SM2 key in DER as ECPrivateKey { 1, d OCTET STRING, [0] curve, [1] point }
  const ec = parseDer(run('openssl', ['pkey', '-in', file, '-outform', 'DER']), 'ECPrivateKey').children();
  return { spki, d: der.bytesToUnsigned(der.octetString(ec[1])), file };
}

const SM2_ALG: SignatureAlgorithm = describeSignatureAlgorithm({ oid: OID.sm2WithSm3, bytes: new Uint8Array(0) });
const ECDSA_ALG: SignatureAlgorithm = { kind: 'ecdsa', hash: 'sha256', oid: '1.2.840.10045.4.3.2' };

describe.skipIf(!haveOpenssl)('SM2 against openssl dgst -sm3 -sign (OpenSSL 3.0)', () => {
  it('its signatures verify with the ID it signed with, and only with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-sm2-'));
    try {
      const { spki, file } = opensslSm2Key(dir);
      const key = parseSpki(spki);
      expect(key.kind).toBe('unknown');
      expect(SM2_ALG.kind).toBe('sm2');
      // an SM2 key: 128 bits of security, SM2-with-SM3 counts 128 too
      expect(securityBits(key)).toBe(128);
      expect(signatureSecurityBits(SM2_ALG)).toBe(128);
      const samples = fc.sample(fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.option(fc.string({ minLength: 1, maxLength: 20 }))), 6);
      for (const [msg, id] of samples) {
        const msgFile = join(dir, 'msg');
        writeFileSync(msgFile, msg);
        const sig = run('openssl', ['dgst', '-sm3', '-sign', file, ...(id === null ? [] : ['-sigopt', `distid:${id}`]), msgFile]);
        const distid = id === null ? undefined : te(id);
        expect(verifySignature(SM2_ALG, key, msg, sig, { distid })).toEqual({ ok: true });
        // the other ID: none for a signature with one, "1234567812345678" for one without
        const other = id === null ? te('1234567812345678') : undefined;
        expect(verifySignature(SM2_ALG, key, msg, sig, { distid: other }).ok).toBe(false);
        // an SM2 key does not verify ECDSA, and an ID on ECDSA is refused
        expect(verifySignature(ECDSA_ALG, key, msg, sig)).toMatchObject({ ok: false, reason: 'key-algorithm-mismatch' });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('property: sign with random k, verify; a flipped bit or another message fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-sm2-'));
    try {
      const { spki, d } = opensslSm2Key(dir);
      const pub = parseSpki(spki);
      if (pub.kind !== 'unknown') throw new Error('SM2 key parsed as a known kind');
      const key = prepareSm2Key(pub.key);
      expect(key.curve).toBe(SM2_CURVE);
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 100 }),
          fc.bigInt({ min: 1n, max: SM2_CURVE.n - 1n }),
          fc.option(fc.uint8Array({ minLength: 1, maxLength: 20 })),
          fc.nat(),
          (msg, k, id, pick) => {
            let rs: { r: bigint; s: bigint };
            try {
              rs = sm2Sign(key, d, k, msg, id ?? undefined);
            } catch {
              return; // "choose another k" (probability ~2^-255)
            }
            const sig = encodeEcdsaSignature(rs.r, rs.s);
            const distid = id ?? undefined;
            expect(verifySignature(SM2_ALG, pub, msg, sig, { distid })).toEqual({ ok: true });
            const bad = sig.slice();
            bad[pick % bad.length] ^= 1 << (pick % 8);
            expect(verifySignature(SM2_ALG, pub, msg, bad, { distid }).ok).toBe(false);
            expect(verifySignature(SM2_ALG, pub, Uint8Array.of(...msg, 0), sig, { distid }).ok).toBe(false);
          },
        ),
        { numRuns: 20 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a distinguishing ID on other algorithms', () => {
  it('is refused (EVP_DigestVerifyInit takes no ID for ECDSA, RSA, EdDSA)', () => {
    const spki = fromHex(
      '3059301306072a8648ce3d020106082a8648ce3d03010703420004' +
        '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296' +
        '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
    );
    const key = parseSpki(spki);
    const r = verifySignature(ECDSA_ALG, key, te('x'), encodeEcdsaSignature(1n, 1n), { distid: te('x') });
    expect(r).toMatchObject({ ok: false, reason: 'bad-parameters' });
  });
});
