// The `rfc5280` profile's extra rules: what x509-limbo's expected results demand beyond
// what OpenSSL 3.0 checks even with X509_V_FLAG_X509_STRICT (RFC 5280 MUSTs on issued
// certificates, and the CA/Browser Forum profile limbo's webpki cases encode). Each rule
// names its source; each failure is reported with the closest OpenSSL error code. Runs
// after check_extensions on a built chain. Not enforced, because PKITS (RFC 5280's own test
// suite) accepts it: a non-critical policyConstraints (limbo rfc5280::pc::ica-noncritical-pc).

import { OID } from '../der/index.js';
import type { Certificate, GeneralName } from '../x509/types.js';
import type { Ctx } from './context.js';
import { formatIp, inetAton, inetPton6 } from './hostname.js';
import { keyView } from './keys.js';
import { certInfo, KU } from './cert-info.js';
import { X509_V_ERR, type X509ErrorCode } from './errors.js';

interface Rule {
  /** where the rule comes from */
  source: string;
  /** the OpenSSL error to report */
  code: X509ErrorCode;
  /** which chain positions it applies to */
  applies: 'leaf' | 'ca' | 'all' | 'anchor' | 'non-anchor';
  /** true when the certificate breaks the rule */
  broken: (c: Certificate, ctx: Ctx, i: number) => boolean;
}

const ext = (c: Certificate, oid: string) => c.extensions.find((e) => e.oid === oid);
const hasProblem = (c: Certificate, code: string) => c.problems.some((p) => p.code === code);

/** RFC 1034 preferred name syntax with the usual leading wildcard label */
function validDnsName(s: string, allowWildcard: boolean): boolean {
  const labels = s.split('.');
  return labels.every(
    (l, i) => (allowWildcard && i === 0 && l === '*' && labels.length > 2) || /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l),
  );
}

function validEmail(s: string): boolean {
  const at = s.lastIndexOf('@');
  return at > 0 && s.indexOf('@') === at && validDnsName(s.slice(at + 1), false);
}

function sanNames(c: Certificate): GeneralName[] {
  return c.ext.subjectAltName?.names ?? [];
}

function cnValues(c: Certificate): string[] {
  const out: string[] = [];
  for (const rdn of c.subject.rdns) for (const a of rdn) if (a.oid === OID.commonName && 'raw' in a.value) out.push(a.value.value);
  return out;
}

const RULES: Rule[] = [
  {
    source: 'RFC 5280 4.1.2.2: serial numbers are positive and at most 20 octets',
    code: X509_V_ERR.INVALID_EXTENSION,
    applies: 'non-anchor',
    broken: (c) => hasProblem(c, 'NEGATIVE_SERIAL') || hasProblem(c, 'ZERO_SERIAL') || hasProblem(c, 'LONG_SERIAL'),
  },
  {
    // Only enforced on the trust anchor: PKITS 4.6.4 accepts a non-critical one in an intermediate.
    source: 'RFC 5280 4.2.1.9: CAs MUST mark basicConstraints critical',
    code: X509_V_ERR.CA_BCONS_NOT_CRITICAL,
    applies: 'anchor',
    broken: (c) => c.ext.basicConstraints?.ca === true && !c.ext.basicConstraints.critical,
  },
  {
    source: 'RFC 5280 4.2.1.10: nameConstraints only in CA certificates, and critical',
    code: X509_V_ERR.INVALID_EXTENSION,
    applies: 'all',
    broken: (c, _ctx, i) => {
      const nc = c.ext.nameConstraints;
      if (!nc) return false;
      return i === 0 || !nc.critical;
    },
  },
  {
    source: 'RFC 5280 4.2.1.10 / CABF 7.1.2.5.2: nameConstraints names at least one subtree, DNS bases are host names',
    code: X509_V_ERR.UNSUPPORTED_NAME_SYNTAX,
    applies: 'ca',
    broken: (c) => {
      const nc = c.ext.nameConstraints;
      if (!nc) return false;
      const all = [...(nc.permitted ?? []), ...(nc.excluded ?? [])];
      if (all.length === 0) return true;
      return all.some((s) => s.base.type === 'dns' && s.base.value !== '' && !validDnsName(s.base.value, false));
    },
  },
  {
    source: 'RFC 5280 4.2.1.6: an empty subject needs a critical subjectAltName; CABF: otherwise not critical',
    code: X509_V_ERR.EMPTY_SUBJECT_SAN_NOT_CRITICAL,
    applies: 'leaf',
    broken: (c) => {
      const san = c.ext.subjectAltName;
      if (!san) return false;
      return c.subject.rdns.length === 0 ? !san.critical : san.critical;
    },
  },
  {
    source: 'RFC 5280 4.2.1.6: dNSName and rfc822Name entries use the preferred syntax',
    code: X509_V_ERR.UNSUPPORTED_NAME_SYNTAX,
    applies: 'leaf',
    broken: (c) =>
      sanNames(c).some((g) => (g.type === 'dns' && !validDnsName(g.value, true)) || (g.type === 'email' && !validEmail(g.value))),
  },
  {
    source: 'CABF 7.1.4.3 / RFC 3986 3.2.2: a CN holding an IP address writes it in canonical form',
    code: X509_V_ERR.UNSUPPORTED_NAME_SYNTAX,
    applies: 'leaf',
    broken: (c) =>
      cnValues(c).some((cn) => {
        if (!/^[0-9A-Fa-fx.:]+$/.test(cn) || !/[.:]/.test(cn)) return false;
        const ip = cn.includes(':') ? inetPton6(cn) : inetAton(cn);
        return ip !== null && formatIp(ip) !== cn;
      }),
  },
  {
    source: 'CABF 7.1.2.1.3: a root AKI has only a keyIdentifier, equal to its SKI',
    code: X509_V_ERR.AKID_SKID_MISMATCH,
    applies: 'anchor',
    broken: (c) => {
      const aki = c.ext.authorityKeyIdentifier;
      if (!aki || !certInfo(c).selfIssued) return false;
      const ski = c.ext.subjectKeyIdentifier;
      return !aki.keyId || aki.issuer !== undefined || aki.serial !== undefined || (ski !== undefined && !sameBytes(aki.keyId, ski));
    },
  },
  {
    source: 'RFC 5280 4.2.1.1: certificates from conforming CAs carry an AKI (also a cross-signed anchor)',
    code: X509_V_ERR.MISSING_AUTHORITY_KEY_IDENTIFIER,
    applies: 'anchor',
    broken: (c) => !certInfo(c).selfSigned && !c.ext.authorityKeyIdentifier,
  },
  {
    source: 'CABF 7.1.2.1.2: a root has no extKeyUsage',
    code: X509_V_ERR.INVALID_PURPOSE,
    applies: 'anchor',
    broken: (c) => certInfo(c).selfSigned && c.ext.extKeyUsage !== undefined,
  },
  {
    source: 'CABF 7.1.2.7.6 / 7.1.2.7.10: a subscriber certificate has a non-critical EKU without anyExtendedKeyUsage',
    code: X509_V_ERR.INVALID_PURPOSE,
    applies: 'leaf',
    broken: (c) => {
      const eku = c.ext.extKeyUsage;
      if (!eku) return false;
      return eku.critical || eku.oids.includes(OID.anyExtendedKeyUsage);
    },
  },
  {
    source: 'CABF 7.1.2.7.8: a subscriber certificate is not a CA unless it may sign certificates',
    code: X509_V_ERR.INVALID_CA,
    applies: 'leaf',
    broken: (c) => c.ext.basicConstraints?.ca === true && c.ext.keyUsage !== undefined && (certInfo(c).kusage! & KU.KEY_CERT_SIGN) === 0,
  },
  {
    source: 'CABF 7.1.2.7.7: authorityInfoAccess holds at least one AccessDescription',
    code: X509_V_ERR.INVALID_EXTENSION,
    applies: 'all',
    broken: (c) => ext(c, OID.authorityInfoAccess) !== undefined && (c.ext.authorityInfoAccess?.length ?? 0) === 0,
  },
  {
    source: 'CABF 6.1.5: RSA moduli are a multiple of 8 bits; DSA keys are not allowed',
    code: X509_V_ERR.EE_KEY_TOO_SMALL,
    applies: 'all',
    broken: (c) => (c.publicKey.kind === 'rsa' && c.publicKey.bits % 8 !== 0) || keyView(c.publicKey).type === 'dsa',
  },
];

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The caller's purpose as limbo states it: leaf EKU must allow it; leaf key usages requested must be set. */
function purposeRules(ctx: Ctx): boolean {
  const leaf = ctx.chain[0];
  const want = ctx.opts.extra?.keyUsage ?? [];
  const info = certInfo(leaf);
  for (const name of want) {
    const bit = (KU as Record<string, number>)[name.replace(/([A-Z])/g, '_$1').toUpperCase()];
    if (bit !== undefined && info.kusage !== undefined && (info.kusage & bit) === 0) {
      if (!ctx.fail(X509_V_ERR.INVALID_PURPOSE, 0, leaf, 'rfc5280')) return false;
    }
  }
  return true;
}

/**
 * The CA/Browser Forum rules govern certificates used for TLS: they apply when the caller
 * validates for a purpose (limbo always names one), not to a plain RFC 5280 path check
 * (PKITS names none, and expects e.g. DSA keys to validate).
 */
const forTls = (r: Rule) => r.source.startsWith('CABF');

export function rfc5280Checks(ctx: Ctx): boolean {
  const n = ctx.chain.length;
  const rules = ctx.opts.purpose === undefined ? RULES.filter((r) => !forTls(r)) : RULES;
  for (let i = 0; i < n; i++) {
    const c = ctx.chain[i];
    const isAnchor = i === n - 1;
    for (const r of rules) {
      const applies =
        r.applies === 'all' ||
        (r.applies === 'leaf' && i === 0) ||
        (r.applies === 'ca' && i > 0) ||
        (r.applies === 'anchor' && isAnchor && i > 0) ||
        (r.applies === 'non-anchor' && !isAnchor);
      if (!applies || !r.broken(c, ctx, i)) continue;
      ctx.note('rfc5280', 'fail', r.source, c, i);
      const code = r.code === X509_V_ERR.EE_KEY_TOO_SMALL && i > 0 ? X509_V_ERR.CA_KEY_TOO_SMALL : r.code;
      if (!ctx.fail(code, i, c, 'rfc5280')) return false;
    }
  }
  return purposeRules(ctx);
}
