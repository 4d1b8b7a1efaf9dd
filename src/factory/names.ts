// Distinguished names: OpenSSL's `/CN=x/O=y` syntax or lists of RDNs, attribute types by
// short name, long name or OID, and string types chosen as OpenSSL 3.0 chooses them (or
// forced, wrong ones included).

import { OID, Tag, oidLongName, oidShortName, utf8Encode } from '../der/index.js';
import { type Node, der, oid, prim, raw, seq, set } from './asn1.js';
import { FactoryError } from './errors.js';

export type StringKind = 'utf8' | 'printable' | 'ia5' | 'teletex' | 'bmp' | 'universal' | 'visible' | 'numeric';

const STRING_TAG: Record<StringKind, number> = {
  utf8: Tag.UTF8String,
  printable: Tag.PrintableString,
  ia5: Tag.IA5String,
  teletex: Tag.T61String,
  bmp: Tag.BMPString,
  universal: Tag.UniversalString,
  visible: Tag.VisibleString,
  numeric: Tag.NumericString,
};

/** Content octets of `text` in a string type; characters the type cannot hold are kept as their low byte (on purpose: wrong input is allowed). */
export function stringContent(kind: StringKind, text: string): Uint8Array {
  if (kind === 'utf8') return utf8Encode(text);
  const cps = [...text].map((c) => c.codePointAt(0)!);
  if (kind === 'bmp') {
    const out = new Uint8Array(cps.length * 2);
    cps.forEach((c, i) => {
      out[2 * i] = (c >> 8) & 0xff;
      out[2 * i + 1] = c & 0xff;
    });
    return out;
  }
  if (kind === 'universal') {
    const out = new Uint8Array(cps.length * 4);
    cps.forEach((c, i) => {
      new DataView(out.buffer).setUint32(4 * i, c);
    });
    return out;
  }
  return Uint8Array.from(cps, (c) => c & 0xff);
}

export const asString = (kind: StringKind, text: string): Node => prim(STRING_TAG[kind], stringContent(kind, text));

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * Attribute types whose string type OpenSSL fixes regardless of the string mask
 * (ASN1_STRING_TABLE entries with STABLE_NO_MASK in crypto/asn1/a_strnid.c).
 */
const FIXED_TYPE: Record<string, StringKind> = {
  [OID.countryName]: 'printable',
  [OID.serialNumber]: 'printable',
  [OID.dnQualifier]: 'printable',
  [OID.emailAddress]: 'ia5',
  [OID.domainComponent]: 'ia5',
  [OID.jurisdictionCountryName]: 'printable',
};

/**
 * How to choose string types: `utf8only` is OpenSSL 3.0 with the stock openssl.cnf
 * (`string_mask = utf8only`: UTF8String except the fixed types above); `printable` is
 * PrintableString when every character allows it, else UTF8String (the RFC 5280 advice and
 * OpenSSL's `string_mask = pkix`-like behaviour).
 */
export type StringPolicy = 'utf8only' | 'printable';

export interface NameAttrSpec {
  /** short name (CN, O, emailAddress, UID...), long name, or dotted OID */
  type: string;
  value: string;
  /** force a string type */
  as?: StringKind;
}
/** One attribute whose value is raw DER (any tag), for wrong-on-purpose names. */
export interface RawNameAttrSpec {
  type: string;
  der: Uint8Array;
}

/**
 * A distinguished name: an OpenSSL-style `/CN=x/O=y` string (`+` joins a multi-valued RDN,
 * `\` escapes), a list of RDNs (each an object `{CN:'x'}` whose keys form one RDN, an
 * attribute spec, or a list of attribute specs), or raw Name DER.
 */
export type NameSpec =
  | string
  | Uint8Array
  | Array<Record<string, string> | NameAttrSpec | RawNameAttrSpec | (NameAttrSpec | RawNameAttrSpec)[]>;

const NAME_TO_OID: Record<string, string> = {};
for (const o of Object.values(OID)) {
  NAME_TO_OID[oidShortName(o).toLowerCase()] ??= o;
  NAME_TO_OID[oidLongName(o).toLowerCase()] ??= o;
}
NAME_TO_OID.email = OID.emailAddress;
NAME_TO_OID.e = OID.emailAddress;

export function attributeOid(type: string): string {
  if (/^\d+(\.\d+)+$/.test(type)) return type;
  const o = NAME_TO_OID[type.toLowerCase()];
  if (!o) throw new FactoryError(`unknown name attribute type '${type}'`);
  return o;
}

function chooseString(o: string, value: string, policy: StringPolicy): StringKind {
  const fixed = FIXED_TYPE[o];
  if (fixed) return fixed;
  if (policy === 'printable' && PRINTABLE.test(value)) return 'printable';
  return 'utf8';
}

/** Parse `/CN=a/O=b+OU=c` into RDNs of attribute specs (OpenSSL's parse_name rules). */
export function parseSlashName(s: string): NameAttrSpec[][] {
  if (!s.startsWith('/')) throw new FactoryError(`name '${s}' must start with '/' (as in -subj "/CN=host")`);
  const rdns: NameAttrSpec[][] = [];
  let cur: NameAttrSpec[] = [];
  let field = '';
  const fields: { text: string; plus: boolean }[] = [];
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) field += s[++i];
    else if (c === '/' || c === '+') {
      fields.push({ text: field, plus: c === '+' });
      field = '';
    } else field += c;
  }
  if (field !== '' || fields.length > 0) fields.push({ text: field, plus: false });
  for (const f of fields) {
    const eq = f.text.indexOf('=');
    if (eq <= 0) throw new FactoryError(`name component '${f.text}' has no '=' in '${s}'`);
    cur.push({ type: f.text.slice(0, eq), value: f.text.slice(eq + 1) });
    if (!f.plus) {
      rdns.push(cur);
      cur = [];
    }
  }
  if (cur.length) rdns.push(cur);
  return rdns;
}

export function encodeName(spec: NameSpec, policy: StringPolicy = 'utf8only'): Uint8Array {
  if (spec instanceof Uint8Array) return spec;
  const rdns: (NameAttrSpec | RawNameAttrSpec)[][] =
    typeof spec === 'string'
      ? parseSlashName(spec)
      : spec.map((r) =>
          Array.isArray(r)
            ? r
            : 'type' in r &&
                ('value' in r || 'der' in r) &&
                typeof r.type === 'string' &&
                Object.keys(r).every((k) => ['type', 'value', 'as', 'der'].includes(k))
              ? [r as NameAttrSpec | RawNameAttrSpec]
              : Object.entries(r as Record<string, string>).map(([type, value]) => ({ type, value })),
        );
  return der(
    seq(
      ...rdns.map((rdn) =>
        set(
          rdn.map((a) => {
            const o = attributeOid(a.type);
            const v = 'der' in a ? raw(a.der) : asString(a.as ?? chooseString(o, a.value, policy), a.value);
            return seq(oid(o), v);
          }),
        ),
      ),
    ),
  );
}
