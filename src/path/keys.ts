// How OpenSSL 3.0 sees a certificate's public key, including keys src/x509 leaves as
// 'unknown' because pgtls cannot compute with them (DSA, other named curves, explicit EC
// parameters, X25519): OpenSSL still decodes those (X509_get0_pubkey != NULL), so they can
// be issuers, get security-level checks and trip check_curve.

import { OID, der, parseDer } from '../der/index.js';
import { derOid, derSequence } from '../der/writer.js';
import type { Certificate, PublicKey } from '../x509/types.js';
import { namesEqual } from './names.js';
import { OTHER_CURVE_ORDER_BITS, securityBits } from '../crypto/security-level.js';

export interface KeyView {
  /** X509_get0_pubkey(x) != NULL */
  usable: boolean;
  /** EVP_PKEY_get_security_bits (src/crypto's securityBits) */
  secBits: number;
  /** EVP_PKEY_EC decoded from explicit parameters (check_curve) */
  explicitEc: boolean;
  /** OpenSSL key type for check_sig_alg_match */
  type: 'rsa' | 'rsa-pss' | 'ec' | 'sm2' | 'ed25519' | 'ed448' | 'dsa' | 'x25519' | 'x448' | 'none';
}

const viewCache = new WeakMap<PublicKey, KeyView>();

export function keyView(k: PublicKey): KeyView {
  const hit = viewCache.get(k);
  if (hit) return hit;
  let v: KeyView;
  switch (k.kind) {
    case 'rsa':
      v = { usable: true, secBits: securityBits(k), explicitEc: false, type: k.pss ? 'rsa-pss' : 'rsa' };
      break;
    case 'ec':
    case 'ed25519':
    case 'ed448':
      v = { usable: true, secBits: securityBits(k), explicitEc: false, type: k.kind };
      break;
    default:
      v = unknownView(k);
  }
  viewCache.set(k, v);
  return v;
}

function unknownView(k: Extract<PublicKey, { kind: 'unknown' }>): KeyView {
  const none: KeyView = { usable: false, secBits: 0, explicitEc: false, type: 'none' };
  const params = k.algorithm.parameters;
  try {
    switch (k.algorithm.oid) {
      case OID.ecPublicKey: {
        if (!params || !k.key.length) return none;
        const p = parseDer(params, 'parameters');
        if (p.tag === 0x06) {
          const curve = der.oid(p);
          const known = OTHER_CURVE_ORDER_BITS[curve] !== undefined;
          // a key on the SM2 curve decodes as an SM2 key, not an EC one (EC_FLAG_SM2_RANGE)
          return known ? { usable: true, secBits: securityBits(k), explicitEc: false, type: curve === OID.sm2 ? 'sm2' : 'ec' } : none;
        }
        if (p.tag !== 0x30) return none;
        // ECParameters: version, fieldID {fieldType, prime}, curve, base, order, cofactor; without
        // an INTEGER order OpenSSL cannot decode it (the throw lands in `none` below)
        der.integerBytes(p.children()[4]);
        return { usable: true, secBits: securityBits(k), explicitEc: true, type: 'ec' };
      }
      case OID.dsa: {
        // OpenSSL 3.0 cannot decode a DSA key whose parameters are inherited from the issuer
        if (!params) return none;
        // Dss-Parms { p, q, g }: p and q must be INTEGERs for OpenSSL to decode the key
        const kids = parseDer(params, 'parameters').children();
        der.integerBytes(kids[0]);
        der.integerBytes(kids[1]);
        return { usable: true, secBits: securityBits(k), explicitEc: false, type: 'dsa' };
      }
      case OID.x25519:
        return { usable: k.key.length === 32, secBits: securityBits(k), explicitEc: false, type: 'x25519' };
      case OID.x448:
        return { usable: k.key.length === 56, secBits: securityBits(k), explicitEc: false, type: 'x448' };
      default:
        return none;
    }
  } catch {
    return none;
  }
}

/**
 * RFC 5280 6.1.4 (e)-(f) for the rfc5280 profile: a DSA key whose SubjectPublicKeyInfo omits
 * the parameters takes them from its issuer's DSA key (itself possibly inherited), so it can
 * verify what it signed. OpenSSL cannot use such a key (X509_get0_pubkey is NULL), which is
 * why the openssl profile never calls this. Certificates come back as copies whose key
 * carries the inherited parameters; the issuer is found by name among `certs`.
 */
export function inheritDsaParameters(certs: readonly Certificate[]): Map<Certificate, Certificate> {
  const out = new Map<Certificate, Certificate>();
  const isDsa = (c: Certificate) => c.publicKey.kind === 'unknown' && c.publicKey.algorithm.oid === OID.dsa;
  const paramsOf = (c: Certificate, seen: Set<Certificate>): Uint8Array | undefined => {
    if (!isDsa(c) || seen.has(c)) return undefined;
    const own = (c.publicKey as Extract<PublicKey, { kind: 'unknown' }>).algorithm.parameters;
    if (own && !(own.length === 2 && own[0] === 0x05)) return own;
    seen.add(c);
    for (const i of certs) {
      if (i !== c && namesEqual(i.subject, c.issuer)) {
        const p = paramsOf(i, seen);
        if (p) return p;
      }
    }
    return undefined;
  };
  for (const c of certs) {
    const k = c.publicKey;
    if (
      k.kind !== 'unknown' ||
      !isDsa(c) ||
      (k.algorithm.parameters && !(k.algorithm.parameters.length === 2 && k.algorithm.parameters[0] === 0x05))
    )
      continue;
    const params = paramsOf(c, new Set());
    if (!params) continue;
    const algorithm = { oid: OID.dsa, parameters: params, bytes: derSequence(derOid(OID.dsa), params) };
    out.set(c, { ...c, publicKey: { ...k, algorithm } });
  }
  return out;
}
