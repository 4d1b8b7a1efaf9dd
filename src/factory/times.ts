// Validity and CRL times: UTCTime before 2050 and GeneralizedTime from 2050 (RFC 5280
// §4.1.2.5, OpenSSL's ASN1_TIME_set), a forced type, or raw text for malformed times.

import { Tag } from '../der/index.js';
import { type Node, prim } from './asn1.js';
import { FactoryError } from './errors.js';

/**
 * A time field: a Date (UTCTime before 2050, GeneralizedTime from 2050, as RFC 5280 §4.1.2.5
 * and OpenSSL's ASN1_TIME_set), a Date forced into one type, or raw text under either tag
 * (for malformed times: `{ type: 'utc', text: '2501011200Z' }`).
 */
export type TimeSpec = Date | { date: Date; type: 'utc' | 'generalized' } | { text: string; type: 'utc' | 'generalized' };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function timeText(d: Date, type: 'utc' | 'generalized'): string {
  const y = d.getUTCFullYear();
  const rest = `${pad(d.getUTCMonth() + 1) + pad(d.getUTCDate()) + pad(d.getUTCHours()) + pad(d.getUTCMinutes()) + pad(d.getUTCSeconds())}Z`;
  return (type === 'utc' ? pad(y % 100) : pad(y, 4)) + rest;
}

export function encodeTime(t: TimeSpec): Node {
  let type: 'utc' | 'generalized';
  let text: string;
  if (t instanceof Date) {
    if (Number.isNaN(t.getTime())) throw new FactoryError('invalid Date in time field');
    const y = t.getUTCFullYear();
    type = y >= 1950 && y < 2050 ? 'utc' : 'generalized';
    text = timeText(t, type);
  } else if ('date' in t) {
    type = t.type;
    text = timeText(t.date, type);
  } else {
    type = t.type;
    text = t.text;
  }
  return prim(
    type === 'utc' ? Tag.UTCTime : Tag.GeneralizedTime,
    Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff),
  );
}
