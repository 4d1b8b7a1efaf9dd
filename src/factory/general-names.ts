// GeneralNames in OpenSSL's config syntax (`DNS:x`, `IP:10.0.0.1`, `dirName:/CN=x`...) or as
// objects, and the iPAddress octets of `IP:` values (read by src/x509/ip-address.ts with
// OpenSSL's a2i_ipadd rules).

import { IP_TEXT, parseIpAddress } from '../x509/ip-address.js';
import { type Node, ctxCons, implicitCons, implicitOf, implicitPrim, oid, raw, seq } from './asn1.js';
import { FactoryError } from './errors.js';
import { type NameSpec, type StringPolicy, encodeName } from './names.js';

/**
 * A GeneralName: OpenSSL config syntax (`DNS:db.example.com`, `IP:10.0.0.1`, `IP:::1`,
 * `email:a@b`, `URI:https://x`, `dirName:/CN=x`, `RID:1.2.3`; in name constraints
 * `IP:10.0.0.0/255.0.0.0` or `IP:10.0.0.0/8`) or an object.
 */
export type GeneralNameSpec =
  | string
  | { dns: string }
  | { email: string }
  | { uri: string }
  | { ip: string | Uint8Array }
  | { dirName: NameSpec }
  | { rid: string }
  | { otherName: { oid: string; value: Uint8Array } }
  | { raw: Uint8Array };

/**
 * The iPAddress octets of an `IP:` value, read as OpenSSL reads it (a2i_IPADDRESS: "01.2.3.4"
 * and "+1.2.3.4" are 1.2.3.4). In name constraints `address/mask` (a2i_IPADDRESS_NC) gives the
 * address then the mask; beyond OpenSSL, `address/N` takes a prefix length for the mask.
 */
export function parseIp(s: string): Uint8Array {
  const slash = s.indexOf('/');
  if (slash >= 0) {
    const addr = parseIp(s.slice(0, slash));
    const m = s.slice(slash + 1);
    let mask: Uint8Array;
    if (/^\d+$/.test(m)) {
      const n = Number(m);
      if (n > addr.length * 8) throw new FactoryError(`prefix length ${n} too long in '${s}'`);
      mask = new Uint8Array(addr.length);
      for (let i = 0; i < n; i++) mask[i >> 3] |= 0x80 >> (i & 7);
    } else mask = parseIp(m);
    if (mask.length !== addr.length) throw new FactoryError(`address and mask of different families in '${s}'`);
    const out = new Uint8Array(addr.length * 2);
    out.set(addr);
    out.set(mask, addr.length);
    return out;
  }
  const a = parseIpAddress(s, IP_TEXT.openssl);
  if (!a) throw new FactoryError(`bad IP address '${s}'`);
  return a.bytes;
}

/** IA5String-like content: each character's low byte (wrong input kept on purpose). */
export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

export function generalName(g: GeneralNameSpec, policy: StringPolicy = 'utf8only'): Node {
  if (typeof g === 'string') {
    const c = g.indexOf(':');
    if (c <= 0) throw new FactoryError(`general name '${g}' needs a type prefix (DNS:, IP:, email:, URI:, dirName:, RID:)`);
    const kind = g.slice(0, c).toLowerCase();
    const v = g.slice(c + 1);
    const table: Record<string, () => GeneralNameSpec> = {
      dns: () => ({ dns: v }),
      ip: () => ({ ip: v }),
      email: () => ({ email: v }),
      uri: () => ({ uri: v }),
      dirname: () => ({ dirName: v }),
      rid: () => ({ rid: v }),
    };
    const f = table[kind];
    if (!f) throw new FactoryError(`unknown general name type '${g.slice(0, c)}'`);
    return generalName(f(), policy);
  }
  if ('dns' in g) return implicitPrim(2, ascii(g.dns));
  if ('email' in g) return implicitPrim(1, ascii(g.email));
  if ('uri' in g) return implicitPrim(6, ascii(g.uri));
  if ('ip' in g) return implicitPrim(7, typeof g.ip === 'string' ? parseIp(g.ip) : g.ip);
  if ('dirName' in g) return ctxCons(4, raw(encodeName(g.dirName, policy)));
  if ('rid' in g) return implicitOf(8, oid(g.rid));
  if ('otherName' in g) return implicitCons(0, seq(oid(g.otherName.oid), ctxCons(0, raw(g.otherName.value))));
  return raw(g.raw);
}

export const generalNames = (names: GeneralNameSpec[], policy?: StringPolicy): Node => seq(...names.map((n) => generalName(n, policy)));
