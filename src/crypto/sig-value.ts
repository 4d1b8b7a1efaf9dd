// The DER signature value DSA and ECDSA share: SEQUENCE { r INTEGER, s INTEGER }
// (Dss-Sig-Value, RFC 3279 §2.2.2; Ecdsa-Sig-Value, RFC 3279 §2.2.3), read strictly.

import { DerError, Tag, der, parseDer } from '../der/index.js';
import { verifyFail, type VerifyResult } from './result.js';

/** r and s as signed integers (ranges are each algorithm's to check), or a malformed-signature failure. */
export function parseRsSignature(
  sig: Uint8Array,
  algorithm: 'DSA' | 'ECDSA',
  structure: 'Dss-Sig-Value' | 'Ecdsa-Sig-Value',
): { r: bigint; s: bigint } | VerifyResult {
  try {
    const rd = parseDer(sig, structure).expect(Tag.SEQUENCE, structure).reader();
    const r = der.integer(rd.expect(Tag.INTEGER, 'r'));
    const s = der.integer(rd.expect(Tag.INTEGER, 's'));
    rd.end();
    return { r, s };
  } catch (e) {
    if (e instanceof DerError) return verifyFail('malformed-signature', `${algorithm} signature is not a DER ${structure}: ${e.message}`);
    throw e;
  }
}
