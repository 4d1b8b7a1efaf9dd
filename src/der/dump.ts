// A generic ASN.1 tree dump (what `openssl asn1parse -i` shows, plus paths): offset, header
// length, content length, tag, and a short rendering of primitive values with OID names.
// Built on the strict reader, so a DER violation is shown where it occurs instead of being
// smoothed over.

import { isInputError } from './errors.js';
import { Tag, parseDerAt, type Tlv } from './reader.js';
import { oidShortName } from './oids.js';
import * as v from './values.js';
import { toHex } from './bytes.js';

export interface DumpLine {
  offset: number;
  depth: number;
  headerLength: number;
  length: number;
  constructed: boolean;
  tag: string;
  value?: string;
  path: string;
}

const UNIVERSAL_NAMES: Record<number, string> = {
  [Tag.BOOLEAN]: 'BOOLEAN',
  [Tag.INTEGER]: 'INTEGER',
  [Tag.BIT_STRING]: 'BIT STRING',
  [Tag.OCTET_STRING]: 'OCTET STRING',
  [Tag.NULL]: 'NULL',
  [Tag.OID]: 'OBJECT',
  [Tag.ENUMERATED]: 'ENUMERATED',
  [Tag.UTF8String]: 'UTF8STRING',
  [Tag.NumericString]: 'NUMERICSTRING',
  [Tag.PrintableString]: 'PRINTABLESTRING',
  [Tag.T61String]: 'T61STRING',
  [Tag.IA5String]: 'IA5STRING',
  [Tag.UTCTime]: 'UTCTIME',
  [Tag.GeneralizedTime]: 'GENERALIZEDTIME',
  [Tag.VisibleString]: 'VISIBLESTRING',
  [Tag.UniversalString]: 'UNIVERSALSTRING',
  [Tag.BMPString]: 'BMPSTRING',
  [Tag.SEQUENCE]: 'SEQUENCE',
  [Tag.SET]: 'SET',
};

function tagName(t: Tlv): string {
  if (t.cls === 0) return UNIVERSAL_NAMES[t.tag] ?? `UNIVERSAL ${t.tagNumber}`;
  const cls = ['univ', 'appl', 'cont', 'priv'][t.cls];
  return `${cls} [ ${t.tagNumber} ]`;
}

function render(t: Tlv): string | undefined {
  if (t.constructed) return undefined;
  try {
    switch (t.tag) {
      case Tag.INTEGER: {
        const n = v.integer(t);
        return n >= -(2n ** 64n) && n <= 2n ** 64n ? n.toString() : `0x${toHex(t.content())}`;
      }
      case Tag.BOOLEAN:
        return String(v.boolean(t));
      case Tag.OID: {
        const o = v.oid(t);
        const n = oidShortName(o);
        return n === o ? o : `${n} (${o})`;
      }
      case Tag.UTCTime:
      case Tag.GeneralizedTime:
        return v.time(t).text;
      case Tag.NULL:
        return '';
      default:
        if (v.isStringTag(t.tag)) return JSON.stringify(v.string(t).value);
        return t.length <= 32 ? toHex(t.content()) : `${toHex(t.content().subarray(0, 32))}… (${t.length} bytes)`;
    }
  } catch (e) {
    if (isInputError(e)) return `<${e.message}>`;
    throw e;
  }
}

/**
 * How deep a dump goes: `openssl asn1parse` stops at the same depth (ASN1_PARSE_MAXDEPTH,
 * "BAD RECURSION DEPTH"). Hostile input nests 20,000 deep in 60 KB.
 */
export const MAX_DUMP_DEPTH = 128;

/**
 * Dump an element and its descendants. Contents of OCTET STRING / BIT STRING that are
 * themselves DER (extension values, SPKI key bits) are opened too, as asn1parse -strictpem
 * users expect when reading certificates. Walks with its own stack (no recursion); deeper
 * than MAX_DUMP_DEPTH is a DerError TOO_DEEP.
 */
export function dumpDer(root: Tlv): DumpLine[] {
  const out: DumpLine[] = [];
  const stack: [Tlv, number][] = [[root, 0]];
  while (stack.length) {
    const [t, depth] = stack.pop()!;
    if (depth > MAX_DUMP_DEPTH) throw t.error('TOO_DEEP', `nested more than ${MAX_DUMP_DEPTH} deep`);
    out.push({
      offset: t.start,
      depth,
      headerLength: t.contentStart - t.start,
      length: t.length,
      constructed: t.constructed,
      tag: tagName(t),
      value: render(t),
      path: t.path,
    });
    if (t.constructed) {
      const kids = t.children();
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], depth + 1]);
      continue;
    }
    const inner = encapsulated(t, depth);
    if (inner) stack.push([inner, depth + 1]);
  }
  return out;
}

/** Every element below `t` parses, at most `levels` deep (iteratively). */
function wellFormed(t: Tlv, levels: number): void {
  const stack: [Tlv, number][] = [[t, 0]];
  while (stack.length) {
    const [e, d] = stack.pop()!;
    if (d > levels) throw e.error('TOO_DEEP', 'nested too deep');
    if (e.constructed) for (const c of e.children()) stack.push([c, d + 1]);
  }
}

function encapsulated(t: Tlv, depth: number): Tlv | undefined {
  let start = t.contentStart;
  if (t.tag === Tag.BIT_STRING) {
    if (t.length < 2 || t.buf[start] !== 0) return undefined;
    start++;
  } else if (t.tag !== Tag.OCTET_STRING) return undefined;
  if (t.end - start < 2) return undefined;
  const first = t.buf[start];
  if (first !== Tag.SEQUENCE && first !== Tag.SET) return undefined;
  try {
    const inner = parseDerAt(t.buf, start, t.end, `${t.path}(contents)`);
    // must be well formed all the way down (within the depth limit), else show the bytes
    wellFormed(inner, MAX_DUMP_DEPTH - depth - 1);
    return inner;
  } catch {
    return undefined;
  }
}

export function formatDump(lines: DumpLine[]): string {
  return lines
    .map((l) => {
      const head = `${String(l.offset).padStart(5)}:d=${l.depth}  hl=${l.headerLength} l=${String(l.length).padStart(4)} ${l.constructed ? 'cons' : 'prim'}: `;
      return `${head}${'  '.repeat(l.depth)}${l.tag}${l.value !== undefined && l.value !== '' ? `  ${l.value}` : ''}`;
    })
    .join('\n');
}
