// What `openssl verify` prints of the policy tree (OpenSSL 3.0's policies_print in
// apps/lib/apps.c, X509_POLICY_NODE_print and print_qualifiers in crypto/x509/v3_cpols.c):
// "Require explicit Policy", then the authority and user policy sets, each node with its
// policy's long name, whether its certificatePolicies extension was critical, and its
// qualifiers (CPS pointers, user notices) exactly as OpenSSL words them.

import { der, parseDer, Tag, oidLongName, OID } from '../der/index.js';
import type { PolicyNodeInfo, PolicyReport } from '../path/policy.js';

/** `%.*s` of an ASN1_STRING's data: the raw octets, up to a NUL (UTF-8 octets stay UTF-8) */
function cString(t: ReturnType<typeof parseDer>): string {
  const s = der.string(t);
  const raw = s.raw.subarray(0, s.raw.indexOf(0) >= 0 ? s.raw.indexOf(0) : s.raw.length);
  return s.type === 'UTF8String' ? new TextDecoder().decode(raw) : String.fromCharCode(...raw);
}

/** i2s_ASN1_INTEGER: decimal below 128 bits, else 0x and hex digits */
function i2s(v: bigint): string {
  const abs = v < 0n ? -v : v;
  const text = abs < 1n << 127n ? abs.toString(10) : `0x${abs.toString(16).toUpperCase()}`;
  return v < 0n ? `-${text}` : text;
}

/** print_notice: organisation and numbers, then the explicit text, with no final newline */
function notice(bytes: Uint8Array, indent: string): string {
  const r = parseDer(bytes, 'UserNotice').expect(Tag.SEQUENCE, 'UserNotice').reader();
  let out = '';
  const ref = r.optional(Tag.SEQUENCE, 'noticeRef');
  const text = r.done() ? undefined : r.next('explicitText');
  if (ref) {
    const rr = ref.reader();
    const org = cString(rr.next('organization'));
    const nums = rr
      .expect(Tag.SEQUENCE, 'noticeNumbers')
      .children()
      .map((n) => i2s(der.integer(n)));
    out += `${indent}Organization: ${org}\n${indent}Number${nums.length > 1 ? 's' : ''}: ${nums.join(', ')}`;
    if (text) out += '\n';
  }
  if (text) out += `${indent}Explicit Text: ${cString(text)}`;
  return out;
}

/** print_qualifiers at `indent` spaces: one per line, no final newline */
function qualifiers(qs: NonNullable<PolicyNodeInfo['qualifiers']>, indent: number): string {
  const pad = ' '.repeat(indent);
  return qs
    .map((q) => {
      try {
        if (q.oid === OID.cps) return `${pad}CPS: ${cString(parseDer(q.der, 'CPSuri'))}`;
        if (q.oid === OID.userNotice) return `${pad}User Notice:\n${notice(q.der, ' '.repeat(indent + 2))}`;
      } catch {
        // OpenSSL would not have decoded the certificate: print it as the unknown kind
      }
      return `${' '.repeat(indent + 2)}Unknown Qualifier: ${oidLongName(q.oid)}`;
    })
    .join('\n');
}

/** X509_POLICY_NODE_print(out, node, 2) */
function nodeText(n: PolicyNodeInfo): string {
  const head = `  Policy: ${oidLongName(n.policy)}\n    ${n.critical ? 'Critical' : 'Non Critical'}\n`;
  return head + (n.qualifiers ? `${qualifiers(n.qualifiers, 4)}\n` : '    No Qualifiers\n');
}

/** nodes_print */
function nodes(name: string, list: PolicyNodeInfo[] | undefined): string {
  return list ? `${name} Policies:\n${list.map(nodeText).join('')}` : `${name} Policies: <empty>\n`;
}

/** policies_print: the lines `openssl verify` writes to stderr */
export function policiesPrint(r: PolicyReport | undefined): string {
  return `Require explicit Policy: ${r?.explicit ? 'True' : 'False'}\n${nodes('Authority', r?.authority)}${nodes('User', r?.user)}`;
}
