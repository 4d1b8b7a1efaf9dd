// node:crypto (OpenSSL's libcrypto, in-process) behind the accelerator seam of
// accelerator.ts: the raw RSA private operation (RSA_NO_PADDING private decrypt is exactly
// RSASP1), X25519 on raw keys, the record AEADs and HMAC. Installed by the CLI; the core never
// imports this file. Key objects are cached per parsed key, since importing a key costs
// more than using it once.

import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  privateDecrypt,
  type KeyObject,
} from 'node:crypto';
import type { Accelerator } from './accelerator.js';
import { i2osp, os2ip } from './rsa.js';
import type { PrivateKey } from '../x509/types.js';

type RsaPrivate = Extract<PrivateKey, { kind: 'rsa' }>;

const rsaKeys = new WeakMap<RsaPrivate, { key: KeyObject; k: number }>();

function base64url(x: bigint): string {
  const h = x.toString(16);
  return Buffer.from(h.length % 2 ? `0${h}` : h, 'hex').toString('base64url');
}

function rsaKeyObject(key: RsaPrivate): { key: KeyObject; k: number } {
  let entry = rsaKeys.get(key);
  if (!entry) {
    const jwk = {
      kty: 'RSA',
      n: base64url(key.n),
      e: base64url(key.e),
      d: base64url(key.d),
      p: base64url(key.p),
      q: base64url(key.q),
      dp: base64url(key.dp),
      dq: base64url(key.dq),
      qi: base64url(key.qi),
    };
    entry = { key: createPrivateKey({ key: jwk, format: 'jwk' }), k: Math.ceil(key.n.toString(16).length / 2) };
    rsaKeys.set(key, entry);
  }
  return entry;
}

// Raw X25519 keys go in as JWK: OpenSSL 3.0's DER decoders cost ~6x more than the scalar
// multiplication itself (measured: 508 µs against 85 µs per shared secret). Node reads only
// `d` of a private OKP key (OpenSSL derives the public half), but insists that `x` is a string.
const okp = (raw: Uint8Array) => Buffer.from(raw).toString('base64url');

export function nodeAccelerator(): Accelerator {
  return {
    name: `node:crypto (OpenSSL ${process.versions.openssl})`,
    rsaPrivate(key, m) {
      if (!(key.p > 1n && key.q > 1n)) return undefined; // no CRT values: let BigInt do it
      const { key: ko, k } = rsaKeyObject(key);
      return os2ip(privateDecrypt({ key: ko, padding: constants.RSA_NO_PADDING }, i2osp(m, k)));
    },
    x25519(scalar, u) {
      const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: okp(scalar), x: '' }, format: 'jwk' });
      const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: okp(u) }, format: 'jwk' });
      return new Uint8Array(diffieHellman({ privateKey, publicKey }));
    },
    hmac(hash, key, data) {
      return new Uint8Array(createHmac(hash, key).update(data).digest());
    },
    aead(alg, op, key, nonce, aad, data) {
      const TAG = 16;
      // node's typings split GCM from ChaCha20-Poly1305; both take these options
      const name = alg as 'aes-256-gcm';
      if (op === 'seal') {
        const c = createCipheriv(name, key, nonce, { authTagLength: TAG }).setAAD(aad, { plaintextLength: data.length });
        return new Uint8Array(Buffer.concat([c.update(data), c.final(), c.getAuthTag()]));
      }
      if (data.length < TAG) return undefined;
      const d = createDecipheriv(name, key, nonce, { authTagLength: TAG }).setAAD(aad, { plaintextLength: data.length - TAG });
      d.setAuthTag(data.subarray(data.length - TAG));
      return new Uint8Array(Buffer.concat([d.update(data.subarray(0, data.length - TAG)), d.final()]));
    },
  };
}
