// Small helpers private to the x509 layer: fast integer conversion (RSA moduli and serials
// sit on the certificate-parsing hot path), DER rules the value decoders in der/ do not cover
// for IMPLICIT tags, and the problem list every parser fills.

import { DerError, Tag, type Tlv } from '../der/index.js';
import type { StructureProblem } from './types.js';

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

/** Unsigned big-endian bytes to bigint, 64 bits at a time (RSA moduli: a few µs, not tens). */
export function unsignedToBigInt(b: Uint8Array): bigint {
  const n = b.length;
  if (n <= 6) {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + b[i];
    return BigInt(v);
  }
  const dv = new DataView(b.buffer, b.byteOffset, n);
  let v = 0n;
  let i = 0;
  for (const head = n % 8; i < head; i++) v = (v << 8n) | BigInt(b[i]);
  for (; i < n; i += 8) v = (v << 64n) | dv.getBigUint64(i);
  return v;
}

/** Two's complement big-endian bytes (DER INTEGER contents) to bigint. */
export function signedToBigInt(b: Uint8Array): bigint {
  const v = unsignedToBigInt(b);
  return b.length > 0 && b[0] & 0x80 ? v - (1n << BigInt(b.length * 8)) : v;
}

/** Lowercase hex, no separators. */
export function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
}

/** Latin-1 view of bytes: IA5String contents in GeneralNames, PEM headers. */
export function latin1(b: Uint8Array): string {
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

export function expectSequence(t: Tlv, what: string): Tlv {
  return t.expect(Tag.SEQUENCE, what);
}

/** Collects problems found while decoding; `oid` names the extension being decoded. */
export class Problems {
  readonly list: StructureProblem[] = [];
  add(code: StructureProblem['code'], message: string, extra: Partial<StructureProblem> = {}): void {
    this.list.push({ code, message, ...extra });
  }
  /** Run a decoder; a DerError becomes a problem of `code` instead of escaping. */
  attempt<T>(code: StructureProblem['code'], what: string, fn: () => T, extra: Partial<StructureProblem> = {}): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof DerError)) throw e;
      this.add(code, `${what}: ${e.message}`, { ...extra, error: e });
      return undefined;
    }
  }
}
