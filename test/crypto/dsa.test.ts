// dsa.ts: RFC 6979 appendix A.2.1 / A.2.2 signatures (DSA 1024/160 and 2048/256, SHA-1..SHA-512,
// messages "sample" and "test") verify and their corruptions do not; and against node:crypto
// (OpenSSL) on random messages: whatever node signs verifies, and a changed message, signature
// or key is refused by both. Keys go through the x509 layer (SubjectPublicKeyInfo) and
// verifySignature, as certificates do.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { dsaVerify, encodeDsaSignature, type DsaPublicKey } from '../../src/crypto/dsa.js';
import { modPow } from '../../src/crypto/modular.js';
import { verifySignature } from '../../src/crypto/verify.js';
import { parseSpki } from '../../src/x509/keys.js';
import type { HashName, SignatureAlgorithm } from '../../src/x509/types.js';

const h = (s: string) => BigInt(`0x${s.replace(/\s+/g, '')}`);
const te = (s: string) => new TextEncoder().encode(s);

// RFC 6979 A.2.1 (1024-bit p, 160-bit q) and A.2.2 (2048-bit p, 256-bit q): p, q, g, x; y = g^x mod p
const KEYS = {
  '1024': {
    p: h(`86F5CA03DCFEB225063FF830A0C769B9DD9D6153AD91D7CE27F787C43278B447 E6533B86B18BED6E8A48B784A14C252C5BE0DBF60B86D6385BD2F12FB763ED88
          73ABFD3F5BA2E0A8C0A59082EAC056935E529DAF7C610467899C77ADEDFC846C 881870B7B19B2B58F9BE0521A17002E3BDD6B86685EE90B3D9A1B02B782B1779`),
    q: h('996F967F6C8E388D9E28D01E205FBA957A5698B1'),
    g: h(`07B0F92546150B62514BB771E2A0C0CE387F03BDA6C56B505209FF25FD3C133D 89BBCD97E904E09114D9A7DEFDEADFC9078EA544D2E401AEECC40BB9FBBF78FD
          87995A10A1C27CB7789B594BA7EFB5C4326A9FE59A070E136DB77175464ADCA4 17BE5DCE2F40D10A46A3A3943F26AB7FD9C0398FF8C76EE0A56826A8A88F1DBD`),
    x: h('411602CB19A6CCC34494D79D98EF1E7ED5AF25F7'),
  },
  '2048': {
    p: h(`9DB6FB5951B66BB6FE1E140F1D2CE5502374161FD6538DF1648218642F0B5C48 C8F7A41AADFA187324B87674FA1822B00F1ECF8136943D7C55757264E5A1A44F
          FE012E9936E00C1D3E9310B01C7D179805D3058B2A9F4BB6F9716BFE6117C6B5 B3CC4D9BE341104AD4A80AD6C94E005F4B993E14F091EB51743BF33050C38DE2
          35567E1B34C3D6A5C0CEAA1A0F368213C3D19843D0B4B09DCB9FC72D39C8DE41 F1BF14D4BB4563CA28371621CAD3324B6A2D392145BEBFAC748805236F5CA2FE
          92B871CD8F9C36D3292B5509CA8CAA77A2ADFC7BFD77DDA6F71125A7456FEA15 3E433256A2261C6A06ED3693797E7995FAD5AABBCFBE3EDA2741E375404AE25B`),
    q: h('F2C3119374CE76C9356990B465374A17F23F9ED35089BD969F61C6DDE9998C1F'),
    g: h(`5C7FF6B06F8F143FE8288433493E4769C4D988ACE5BE25A0E24809670716C613 D7B0CEE6932F8FAA7C44D2CB24523DA53FBE4F6EC3595892D1AA58C4328A06C4
          6A15662E7EAA703A1DECF8BBB2D05DBE2EB956C142A338661D10461C0D135472 085057F3494309FFA73C611F78B32ADBB5740C361C9F35BE90997DB2014E2EF5
          AA61782F52ABEB8BD6432C4DD097BC5423B285DAFB60DC364E8161F4A2A35ACA 3A10B1C4D203CC76A470A33AFDCBDD92959859ABD8B56E1725252D78EAC66E71
          BA9AE3F1DD2487199874393CD4D832186800654760E1E34C09E4D155179F9EC0 DC4473F996BDCE6EED1CABED8B6F116F7AD9CF505DF0F998E34AB27514B0FFE7`),
    x: h('69C7548C21D0DFEA6B9A51C9EAD4E27C33D3B3F180316E5BCAB92C933F0E4DBC'),
  },
};

// [key, hash, message, r, s]
const VECTORS: [keyof typeof KEYS, HashName, string, string, string][] = [
  ['1024', 'sha1', 'sample', '2E1A0C2562B2912CAAF89186FB0F42001585DA55', '29EFB6B0AFF2D7A68EB70CA313022253B9A88DF5'],
  ['1024', 'sha224', 'sample', '4BC3B686AEA70145856814A6F1BB53346F02101E', '410697B92295D994D21EDD2F4ADA85566F6F94C1'],
  ['1024', 'sha256', 'sample', '81F2F5850BE5BC123C43F71A3033E9384611C545', '4CDD914B65EB6C66A8AAAD27299BEE6B035F5E89'],
  ['1024', 'sha384', 'sample', '07F2108557EE0E3921BC1774F1CA9B410B4CE65A', '54DF70456C86FAC10FAB47C1949AB83F2C6F7595'],
  ['1024', 'sha512', 'sample', '16C3491F9B8C3FBBDD5E7A7B667057F0D8EE8E1B', '02C36A127A7B89EDBB72E4FFBC71DABC7D4FC69C'],
  ['1024', 'sha1', 'test', '42AB2052FD43E123F0607F115052A67DCD9C5C77', '183916B0230D45B9931491D4C6B0BD2FB4AAF088'],
  ['1024', 'sha256', 'test', '22518C127299B0F6FDC9872B282B9E70D0790812', '6837EC18F150D55DE95B5E29BE7AF5D01E4FE160'],
  ['1024', 'sha512', 'test', '8EA47E475BA8AC6F2D821DA3BD212D11A3DEB9A0', '7C670C7AD72B6C050C109E1790008097125433E8'],
  [
    '2048',
    'sha1',
    'sample',
    '3A1B2DBD7489D6ED7E608FD036C83AF396E290DBD602408E8677DAABD6E7445A',
    'D26FCBA19FA3E3058FFC02CA1596CDBB6E0D20CB37B06054F7E36DED0CDBBCCF',
  ],
  [
    '2048',
    'sha224',
    'sample',
    'DC9F4DEADA8D8FF588E98FED0AB690FFCE858DC8C79376450EB6B76C24537E2C',
    'A65A9C3BC7BABE286B195D5DA68616DA8D47FA0097F36DD19F517327DC848CEC',
  ],
  [
    '2048',
    'sha256',
    'sample',
    'EACE8BDBBE353C432A795D9EC556C6D021F7A03F42C36E9BC87E4AC7932CC809',
    '7081E175455F9247B812B74583E9E94F9EA79BD640DC962533B0680793A38D53',
  ],
  [
    '2048',
    'sha384',
    'sample',
    'B2DA945E91858834FD9BF616EBAC151EDBC4B45D27D0DD4A7F6A22739F45C00B',
    '19048B63D9FD6BCA1D9BAE3664E1BCB97F7276C306130969F63F38FA8319021B',
  ],
  [
    '2048',
    'sha512',
    'sample',
    '2016ED092DC5FB669B8EFB3D1F31A91EECB199879BE0CF78F02BA062CB4C942E',
    'D0C76F84B5F091E141572A639A4FB8C230807EEA7D55C8A154A224400AFF2351',
  ],
  [
    '2048',
    'sha1',
    'test',
    'C18270A93CFC6063F57A4DFA86024F700D980E4CF4E2CB65A504397273D98EA0',
    '414F22E5F31A8B6D33295C7539C1C1BA3A6160D7D68D50AC0D3A5BEAC2884FAA',
  ],
  [
    '2048',
    'sha256',
    'test',
    '8190012A1969F9957D56FCCAAD223186F423398D58EF5B3CEFD5A4146A4476F0',
    '7452A53F7075D417B4B013B278D1BB8BBD21863F5E7B1CEE679CF2188E1AB19E',
  ],
  [
    '2048',
    'sha512',
    'test',
    '89EC4BB1400ECCFF8E7D9AA515CD1DE7803F2DAFF09693EE7FD1353E90A68307',
    'C9F0BDABCC0D880BB137A994CC7F3980CE91CC10FAF529FC46565B15CEA854E1',
  ],
];

function pub(k: keyof typeof KEYS): DsaPublicKey {
  const { p, q, g, x } = KEYS[k];
  return { p, q, g, y: modPow(g, x, p) };
}

describe('DSA: RFC 6979 appendix A.2 vectors', () => {
  it.each(VECTORS)('%s-bit key, %s, "%s"', (k, hashName, msg, r, s) => {
    const key = pub(k);
    const sig = encodeDsaSignature(h(r), h(s));
    expect(dsaVerify(key, hashName, te(msg), sig)).toEqual({ ok: true });
    // another message, r + 1, s + 1, the other message's hash: all refused
    expect(dsaVerify(key, hashName, te(`${msg}!`), sig).ok).toBe(false);
    expect(dsaVerify(key, hashName, te(msg), encodeDsaSignature(h(r) + 1n, h(s))).ok).toBe(false);
    expect(dsaVerify(key, hashName, te(msg), encodeDsaSignature(h(r), h(s) + 1n)).ok).toBe(false);
    expect(dsaVerify(key, hashName === 'sha1' ? 'sha256' : 'sha1', te(msg), sig).ok).toBe(false);
  });

  it('refuses r or s outside [1, q-1], non-DER signatures and q sizes OpenSSL refuses', () => {
    const key = pub('1024');
    const [, , msg, r, s] = VECTORS[0];
    expect(dsaVerify(key, 'sha1', te(msg), encodeDsaSignature(0n, h(s))).ok).toBe(false);
    expect(dsaVerify(key, 'sha1', te(msg), encodeDsaSignature(h(r) + key.q, h(s))).ok).toBe(false);
    const good = encodeDsaSignature(h(r), h(s));
    expect(dsaVerify(key, 'sha1', te(msg), Uint8Array.of(...good, 0)).ok).toBe(false);
    // a 161-bit q: DSA_R_BAD_Q_VALUE, whatever the signature
    expect(dsaVerify({ ...key, q: key.q * 2n }, 'sha1', te(msg), good)).toMatchObject({ ok: false, reason: 'bad-parameters' });
  });
});

describe('DSA against node:crypto (OpenSSL)', () => {
  // parameter generation is slow: one key per size, made once
  const sizes = [
    { modulusLength: 1024, divisorLength: 160, hash: 'sha1' as const, oid: '1.2.840.10040.4.3' },
    { modulusLength: 2048, divisorLength: 224, hash: 'sha224' as const, oid: '2.16.840.1.101.3.4.3.1' },
    { modulusLength: 2048, divisorLength: 256, hash: 'sha256' as const, oid: '2.16.840.1.101.3.4.3.2' },
  ];
  it.each(sizes)(
    '$modulusLength/$divisorLength with $hash: node signs, pgtls verifies; corruptions are refused by both',
    ({ modulusLength, divisorLength, hash, oid }) => {
      const { publicKey, privateKey } = generateKeyPairSync('dsa', { modulusLength, divisorLength });
      const other = generateKeyPairSync('dsa', { modulusLength, divisorLength });
      const key = parseSpki(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
      const otherKey = parseSpki(new Uint8Array(other.publicKey.export({ type: 'spki', format: 'der' })));
      expect(key.kind).toBe('unknown');
      const alg: SignatureAlgorithm = { kind: 'dsa', hash, oid };
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (msg, flip) => {
          const sig = new Uint8Array(nodeSign(hash, msg, { key: privateKey, dsaEncoding: 'der' }));
          expect(verifySignature(alg, key, msg, sig).ok).toBe(true);
          expect(verifySignature(alg, otherKey, msg, sig).ok).toBe(false);
          const bad = sig.slice();
          bad[flip % bad.length] ^= 1 << (flip % 8);
          const theirs = nodeVerify(hash, msg, { key: publicKey, dsaEncoding: 'der' }, bad);
          expect(verifySignature(alg, key, msg, bad).ok).toBe(theirs);
          const msg2 = Uint8Array.of(...msg, 1);
          expect(verifySignature(alg, key, msg2, sig).ok).toBe(nodeVerify(hash, msg2, { key: publicKey, dsaEncoding: 'der' }, sig));
        }),
        { numRuns: 25 },
      );
    },
  );
});
