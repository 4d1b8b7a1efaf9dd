// DER values under IMPLICIT context tags that der/'s value decoders do not cover: a BOOLEAN
// under any tag (IssuingDistributionPoint) and IA5String contents of GeneralNames (dNSName,
// rfc822Name, URI), each also in the BER forms OpenSSL's d2i reads.

import type { Tlv } from '../der/index.js';

/** Latin-1 view of bytes: IA5String contents in GeneralNames, PEM headers. */
function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** A DER BOOLEAN under any tag ([1] IMPLICIT BOOLEAN in IssuingDistributionPoint). */
export function booleanTagged(t: Tlv, tag: number): boolean {
  t.expect(tag, 'BOOLEAN');
  if (t.length !== 1) throw t.error('BAD_VALUE', `BOOLEAN must have one content octet, has ${t.length}`);
  const b = t.buf[t.contentStart];
  if (b !== 0 && b !== 0xff) {
    if (!t.ber) throw t.error('BAD_VALUE', `BOOLEAN content 0x${b.toString(16)} is not DER (0x00 or 0xFF)`);
    t.ber.add('boolean-value', t.start, t.path); // asn1_ex_c2i: any non-zero octet is TRUE
  }
  return b !== 0;
}

/** IA5String contents under an IMPLICIT context tag (dNSName, rfc822Name, URI). */
export function ia5Tagged(t: Tlv, tag: number, what: string): string {
  if (t.ber && t.tag === (tag | 0x20)) return latin1(t.stringContent(what)); // segmented (BER), as OpenSSL reads it
  t.expect(tag, what);
  return latin1(t.content());
}
