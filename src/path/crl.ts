// CRL selection and scoring as OpenSSL 3.0 does it without X509_V_FLAG_EXTENDED_CRL_SUPPORT
// and without delta CRLs (x509_vfy.c: get_crl_sk, get_crl_score, crl_akid_check,
// crl_crldp_check, idp_check_dp; x_crl.c: crl_cb flags, crl_set_issuers, def_crl_lookup).

import { OID } from '../der/index.js';
import type { Certificate, Crl, DistributionPoint, GeneralName, IssuingDistributionPoint, Name, NameAttribute } from '../x509/types.js';
import { namesEqual } from './names.js';
import { certInfo, checkAkid } from './cert-info.js';
import { X509_V_OK } from './errors.js';

export const CRL_SCORE = {
  NOCRITICAL: 0x100,
  SCOPE: 0x080,
  TIME: 0x040,
  ISSUER_NAME: 0x020,
  VALID: 0x100 | 0x040 | 0x080,
  ISSUER_CERT: 0x018,
  SAME_PATH: 0x008,
  AKID: 0x004,
} as const;

export const CRLDP_ALL_REASONS = 0x807f;
const REMOVE_FROM_CRL = 8;

interface CrlInfo {
  crl: Crl;
  /** EXFLAG_CRITICAL: an unhandled critical CRL or entry extension */
  critical: boolean;
  idpInvalid: boolean;
  onlyUser: boolean;
  onlyCa: boolean;
  onlyAttr: boolean;
  indirect: boolean;
  /** crl->idp: the IssuingDistributionPoint OpenSSL sees */
  idp?: IssuingDistributionPoint;
  /** IDP_REASONS present */
  someReasons: boolean;
  reasons: number;
  isDelta: boolean;
  /** entries with their effective certificate issuer (crl_set_issuers) */
  entries: { serial: bigint; reason?: number; issuer?: GeneralName[] }[];
}

const crlCache = new WeakMap<Crl, CrlInfo>();

function bitsToReasons(bytes: Uint8Array): number {
  let v = 0;
  if (bytes.length > 0) v = bytes[0];
  if (bytes.length > 1) v |= bytes[1] << 8;
  return v & CRLDP_ALL_REASONS;
}

/**
 * X509_CRL_get_ext_d2i finds nothing when an extension appears twice (crl_cb then leaves
 * crl->idp / crl->akid NULL): a duplicated IDP or AKI counts as absent, not as invalid.
 */
function duplicated(crl: Crl, oid: string): boolean {
  return crl.extensions.filter((e) => e.oid === oid).length > 1;
}

export function crlInfo(crl: Crl): CrlInfo {
  const hit = crlCache.get(crl);
  if (hit) return hit;
  let critical = false;
  for (const e of crl.extensions) {
    if (!e.critical) continue;
    if (e.oid === OID.issuingDistributionPoint || e.oid === OID.authorityKeyIdentifier || e.oid === OID.deltaCRLIndicator) continue;
    critical = true;
    break;
  }
  let issuer: GeneralName[] | undefined;
  const entries: CrlInfo['entries'] = [];
  for (const r of crl.revoked) {
    if (r.certificateIssuer) issuer = r.certificateIssuer;
    for (const e of r.extensions) if (e.critical && e.oid !== OID.certificateIssuer) critical = true;
    entries.push({ serial: r.serial.value, reason: r.reason, issuer });
  }
  const dupIdp = duplicated(crl, OID.issuingDistributionPoint);
  const idp = dupIdp ? undefined : crl.ext.issuingDistributionPoint;
  const only = idp ? [idp.onlyContainsUserCerts, idp.onlyContainsCACerts, idp.onlyContainsAttributeCerts].filter(Boolean).length : 0;
  const info: CrlInfo = {
    crl,
    critical,
    idp,
    idpInvalid: !dupIdp && (only > 1 || crl.problems.some((p) => p.oid === OID.issuingDistributionPoint)),
    onlyUser: idp?.onlyContainsUserCerts ?? false,
    onlyCa: idp?.onlyContainsCACerts ?? false,
    onlyAttr: idp?.onlyContainsAttributeCerts ?? false,
    indirect: idp?.indirectCRL ?? false,
    someReasons: idp?.onlySomeReasons !== undefined,
    reasons: idp?.onlySomeReasons ? bitsToReasons(idp.onlySomeReasons.bytes) : CRLDP_ALL_REASONS,
    isDelta: crl.ext.deltaCrlIndicator !== undefined,
    entries,
  };
  crlCache.set(crl, info);
  return info;
}

/** DIST_POINT_set_dpname: a relative name is appended to the issuer's name. */
function dpName(
  dp: { fullName?: GeneralName[]; relativeName?: NameAttribute[] } | undefined,
  issuer: Name,
): { full?: GeneralName[]; name?: Name } | undefined {
  if (!dp) return undefined;
  if (dp.relativeName) return { name: { rdns: [...issuer.rdns, dp.relativeName], der: new Uint8Array(0) } };
  if (dp.fullName) return { full: dp.fullName };
  return undefined;
}

function generalNamesEqual(a: GeneralName, b: GeneralName): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'dns':
    case 'email':
    case 'uri':
      return a.value === (b as typeof a).value;
    case 'ip':
      return a.bytes.length === (b as typeof a).bytes.length && a.bytes.every((x, i) => x === (b as typeof a).bytes[i]);
    case 'dirName':
      return namesEqual(a.name, (b as typeof a).name);
    case 'registeredID':
      return a.oid === (b as typeof a).oid;
    case 'otherName':
      return (
        a.oid === (b as typeof a).oid &&
        a.value.length === (b as typeof a).value.length &&
        a.value.every((x, i) => x === (b as typeof a).value[i])
      );
    default:
      return a.der.length === (b as typeof a).der.length && a.der.every((x, i) => x === (b as typeof a).der[i]);
  }
}

function idpCheckDp(a: ReturnType<typeof dpName>, b: ReturnType<typeof dpName>): boolean {
  if (!a || !b) return true;
  if (a.name) {
    if (b.name) return namesEqual(a.name, b.name);
    return (b.full ?? []).some((g) => g.type === 'dirName' && namesEqual(a.name!, g.name));
  }
  if (b.name) return (a.full ?? []).some((g) => g.type === 'dirName' && namesEqual(b.name!, g.name));
  for (const x of a.full ?? []) for (const y of b.full ?? []) if (generalNamesEqual(x, y)) return true;
  return false;
}

function crldpCheckCrlIssuer(dp: DistributionPoint, crl: Crl, score: number): boolean {
  if (!dp.crlIssuer) return (score & CRL_SCORE.ISSUER_NAME) !== 0;
  return dp.crlIssuer.some((g) => g.type === 'dirName' && namesEqual(g.name, crl.issuer));
}

/** crl_crldp_check: is `x` in the CRL's scope; the reasons it covers */
function crlCrldpCheck(x: Certificate, ci: CrlInfo, score: number): { ok: boolean; reasons: number } {
  if (ci.onlyAttr) return { ok: false, reasons: 0 };
  if (certInfo(x).ca) {
    if (ci.onlyUser) return { ok: false, reasons: 0 };
  } else if (ci.onlyCa) return { ok: false, reasons: 0 };
  let reasons = ci.reasons;
  const idp = ci.idp;
  for (const dp of x.ext.crlDistributionPoints ?? []) {
    if (!crldpCheckCrlIssuer(dp, ci.crl, score)) continue;
    const dpIssuer = dp.crlIssuer?.find((g) => g.type === 'dirName');
    const a = dpName(dp.fullName || dp.relativeName ? dp : undefined, dpIssuer && dpIssuer.type === 'dirName' ? dpIssuer.name : x.issuer);
    const b = dpName(idp?.distributionPoint, ci.crl.issuer);
    if (!idp || idpCheckDp(a, b)) {
      const dpReasons = dp.reasons ? bitsToReasons(dp.reasons.bytes) : CRLDP_ALL_REASONS;
      reasons &= dpReasons;
      return { ok: true, reasons };
    }
  }
  return { ok: !idp?.distributionPoint && (score & CRL_SCORE.ISSUER_NAME) !== 0, reasons };
}

interface CrlChoice {
  crl: Crl;
  score: number;
  reasons: number;
  issuer?: Certificate;
}

type TimeCheck = (crl: Crl) => boolean;

/** get_crl_score for CRL `crl` and the certificate at `depth` of `chain`. */
/**
 * X509_V_FLAG_EXTENDED_CRL_SUPPORT (the rfc5280 profile): indirect and reason-partitioned CRLs,
 * CRL issuers found among the untrusted certificates, delta CRLs never used as complete ones.
 */
interface ExtendedCrl {
  untrusted: Certificate[];
}

function crlScore(
  chain: Certificate[],
  depth: number,
  crl: Crl,
  currentReasons: number,
  timeOk: TimeCheck,
  extended?: ExtendedCrl,
): CrlChoice | undefined {
  const x = chain[depth];
  const ci = crlInfo(crl);
  if (extended && ci.isDelta) return undefined;
  if (ci.idpInvalid) return undefined;
  if (!extended) {
    if (ci.indirect || ci.someReasons) return undefined; // need EXTENDED_CRL_SUPPORT
  } else if (ci.someReasons && (ci.reasons & ~currentReasons) === 0) return undefined;
  // OpenSSL 3.0's `else if (crl->base_crl_number)` is only reached with extended CRL support,
  // so without it delta CRLs are scored like complete ones (fixed in later releases).
  let score = 0;
  if (!namesEqual(x.issuer, crl.issuer)) {
    if (!ci.indirect) return undefined;
  } else score |= CRL_SCORE.ISSUER_NAME;
  if (!ci.critical) score |= CRL_SCORE.NOCRITICAL;
  if (timeOk(crl)) score |= CRL_SCORE.TIME;
  // crl_akid_check
  let issuer: Certificate | undefined;
  let cidx = depth;
  if (cidx !== chain.length - 1) cidx++;
  const matches = (c: Certificate) => namesEqual(c.subject, crl.issuer) && checkAkidCrl(c, crl) === X509_V_OK;
  if (matches(chain[cidx]) && score & CRL_SCORE.ISSUER_NAME) {
    score |= CRL_SCORE.AKID | CRL_SCORE.ISSUER_CERT;
    issuer = chain[cidx];
  } else {
    for (cidx++; cidx < chain.length; cidx++) {
      if (matches(chain[cidx])) {
        score |= CRL_SCORE.AKID | CRL_SCORE.SAME_PATH;
        issuer = chain[cidx];
        break;
      }
    }
  }
  if ((score & CRL_SCORE.AKID) === 0 && extended) {
    // RFC 5280 6.3.3 (f) asks for a validated path for the CRL's issuer. When the issuer is
    // the certificate being checked or one below it (a CRL issuer covering its own
    // certificate, PKITS 4.14.30), that path is this one. OpenSSL's crl_akid_check looks
    // only above the certificate and then refuses the recursive CRL path validation.
    const below = chain.slice(0, depth + 1).find(matches);
    if (below) return scope({ crl, score: score | CRL_SCORE.AKID | CRL_SCORE.SAME_PATH, reasons: currentReasons, issuer: below });
    // the CRL issuer is not on the path: look among the untrusted certificates
    const other = extended.untrusted.find(matches);
    if (other) {
      score |= CRL_SCORE.AKID;
      issuer = other;
    }
  }
  if ((score & CRL_SCORE.AKID) === 0) return undefined;
  return scope({ crl, score, reasons: currentReasons, issuer });

  /** crl_crldp_check: the reasons this CRL adds for the certificate, and whether it is in scope */
  function scope(c: CrlChoice): CrlChoice | undefined {
    const dp = crlCrldpCheck(x, ci, c.score);
    if (!dp.ok) return c;
    if ((dp.reasons & ~currentReasons) === 0) return undefined;
    return { ...c, reasons: c.reasons | dp.reasons, score: c.score | CRL_SCORE.SCOPE };
  }
}

function checkAkidCrl(issuer: Certificate, crl: Crl): ReturnType<typeof checkAkid> {
  // X509_check_akid(issuer, crl->akid)
  const akid = duplicated(crl, OID.authorityKeyIdentifier) ? undefined : crl.ext.authorityKeyIdentifier;
  const fake = { ext: { authorityKeyIdentifier: akid } } as unknown as Certificate;
  return checkAkid(issuer, fake);
}

/** get_crl_sk: best-scoring CRL; `valid` when its score reaches CRL_SCORE_VALID. */
export function bestCrl(
  chain: Certificate[],
  depth: number,
  crls: Crl[],
  currentReasons: number,
  timeOk: TimeCheck,
  extended?: ExtendedCrl,
): { best?: CrlChoice; valid: boolean } {
  let best: CrlChoice | undefined;
  let bestScore = 0;
  for (const crl of crls) {
    const c = crlScore(chain, depth, crl, currentReasons, timeOk, extended);
    if (!c || c.score < bestScore || c.score === 0) continue;
    if (c.score === bestScore && best) {
      const a = best.crl.thisUpdate.ms ?? 0;
      const b = crl.thisUpdate.ms ?? 0;
      if (b <= a) continue;
    }
    best = c;
    bestScore = c.score;
  }
  return { best, valid: bestScore >= CRL_SCORE.VALID };
}

/** X509_CRL_get0_by_cert: 0 not listed, 1 revoked, 2 removeFromCRL */
export function crlLookup(crl: Crl, x: Certificate): number {
  const ci = crlInfo(crl);
  for (const e of ci.entries) {
    if (e.serial !== x.serial.value) continue;
    let match: boolean;
    if (!e.issuer) match = namesEqual(x.issuer, crl.issuer);
    else match = e.issuer.some((g) => g.type === 'dirName' && namesEqual(x.issuer, g.name));
    if (match) return e.reason === REMOVE_FROM_CRL ? 2 : 1;
  }
  return 0;
}

/**
 * X509_V_FLAG_USE_DELTAS (the rfc5280 profile; get_delta_sk, check_delta_base): when the
 * certificate or its complete CRL names a freshest CRL, the first delta CRL of the same
 * issuer, AKID and IDP whose base number does not exceed the complete CRL's number and
 * whose own number does.
 */
export function deltaCrlFor(x: Certificate, base: Crl, crls: readonly Crl[]): Crl | undefined {
  const freshest = (exts: { oid: string }[]) => exts.some((e) => e.oid === OID.freshestCRL);
  if (!freshest(x.extensions) && !freshest(base.extensions)) return undefined;
  const baseNumber = base.ext.crlNumber;
  if (baseNumber === undefined) return undefined;
  const extValue = (c: Crl, oid: string) => c.extensions.find((e) => e.oid === oid)?.value;
  const sameExt = (a: Crl, b: Crl, oid: string) => {
    const va = extValue(a, oid);
    const vb = extValue(b, oid);
    return va === undefined || vb === undefined ? va === vb : va.length === vb.length && va.every((v, i) => v === vb[i]);
  };
  return crls.find(
    (d) =>
      d.ext.deltaCrlIndicator !== undefined &&
      namesEqual(d.issuer, base.issuer) &&
      sameExt(d, base, OID.authorityKeyIdentifier) &&
      sameExt(d, base, OID.issuingDistributionPoint) &&
      d.ext.deltaCrlIndicator <= baseNumber &&
      d.ext.crlNumber !== undefined &&
      d.ext.crlNumber > baseNumber,
  );
}
