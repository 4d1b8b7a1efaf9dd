// New private keys by name (what the factory and the demo need) and the public half of a
// private key. RSA keys come from our BigInt generator (generateRsaKey: a fraction of a
// second for 2048 bits up to seconds for 4096); EC and EdDSA keys from @noble/curves with
// the platform CSPRNG.

import type { EcCurve, PrivateKey, PublicKey } from '../x509/types.js';
import { CryptoError } from './errors.js';
import { publicKeyFromPrivate } from '../x509/keys.js';
import { ecPublicPoint, randomEcScalar } from './ecdsa.js';
import { edPublicKey, randomEdSeed } from './eddsa.js';
import { generateRsaKey } from './rsa.js';

export type KeySpec =
  | 'rsa1024'
  | 'rsa2048'
  | 'rsa3072'
  | 'rsa4096'
  | { rsa: number; e?: bigint }
  | 'rsa-pss2048'
  | 'p256'
  | 'p384'
  | 'p521'
  | 'ed25519'
  | 'ed448';

const CURVE_OF: Record<'p256' | 'p384' | 'p521', EcCurve> = { p256: 'P-256', p384: 'P-384', p521: 'P-521' };
const RSA_BITS: Record<'rsa1024' | 'rsa2048' | 'rsa3072' | 'rsa4096', number> = {
  rsa1024: 1024,
  rsa2048: 2048,
  rsa3072: 3072,
  rsa4096: 4096,
};

/** EVP_PKEY_get_bits for EC keys (order bits) and EdDSA keys (OpenSSL's ED25519_BITS 253, ED448_BITS 456). */

export function generateKey(spec: KeySpec): PrivateKey {
  if (typeof spec === 'object') return generateRsaKey(spec.rsa, spec.e ?? 65537n);
  switch (spec) {
    case 'rsa1024':
    case 'rsa2048':
    case 'rsa3072':
    case 'rsa4096':
      return generateRsaKey(RSA_BITS[spec]);
    case 'rsa-pss2048':
      // an unrestricted id-RSASSA-PSS key, as `openssl genpkey -algorithm RSA-PSS` makes by default
      return { ...generateRsaKey(2048), pss: {} };
    case 'p256':
    case 'p384':
    case 'p521': {
      const curve = CURVE_OF[spec];
      const d = randomEcScalar(curve);
      return { kind: 'ec', curve, d, publicPoint: ecPublicPoint(curve, d) };
    }
    case 'ed25519':
    case 'ed448': {
      const seed = randomEdSeed(spec);
      return { kind: spec, seed, publicKey: edPublicKey(spec, seed) };
    }
    default:
      throw new CryptoError('UNSUPPORTED_ALGORITHM', `unknown key spec ${JSON.stringify(spec)}`, 'generateKey');
  }
}

/** The public half of a private key: the x509 layer's derivation (it needs it for key/certificate matching). */
export const publicKeyOf: (priv: PrivateKey) => PublicKey = publicKeyFromPrivate;
