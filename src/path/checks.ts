// The verify_chain steps after chain building, in OpenSSL 3.0's order and with its error
// codes and depths: check_extensions (CA flags, purpose, path length, critical extensions,
// X509_STRICT extras), check_auth_level, check_id (host/IP), check_revocation (CRLs),
// internal_verify (signatures, key usage of issuers, validity of every certificate incl. the
// anchor) and check_name_constraints. Each returns false when verification must stop.

import type { AlgorithmIdentifier, Certificate, Crl, GeneralName } from '../x509/types.js';
import type { DecodedTime } from '../der/index.js';
import type { Ctx, OutOfBudget } from './context.js';
import { checkKeyLevel, checkSigLevel } from './auth-level.js';
import { defaultVerifier, pssParametersReason, signatureAlgorithmOf } from './signature.js';
import { bestCrl, crlInfo, crlLookup, CRL_SCORE, CRLDP_ALL_REASONS, deltaCrlFor } from './crl.js';
import { x509CheckEmail, x509CheckHost, x509CheckIp } from './hostname.js';
import { hasSanOfType, nameConstraintsCheck, nameConstraintsCheckCn } from './name-constraints.js';
import { KU, certInfo, checkCa, likelyIssued, signingAllowed } from './cert-info.js';
import { checkPurpose } from './purpose.js';
import { OID, bytesEqual } from '../der/index.js';
import { keyView } from './keys.js';
import { X509_V_ERR, X509_V_OK, type X509ErrorCode } from './errors.js';

/** X509_cmp_time: 0 = bad format, -1 = time <= t, 1 = time > t */
function cmpTime(t: DecodedTime, now: number): number {
  if (!t.strict || t.ms === null) return 0;
  return t.ms > now ? 1 : -1;
}

/** the rfc5280 profile: validity is inclusive of notAfter, compared at one-second granularity */
function cmpNotAfter(ctx: Ctx, t: DecodedTime): number {
  if (!ctx.rfc5280) return cmpTime(t, ctx.timeMs);
  if (t.ms === null || !t.strict) return 0;
  return t.ms >= Math.floor(ctx.timeMs / 1000) * 1000 ? 1 : -1;
}

/** ossl_x509_check_cert_time(ctx, x, -1): silent validity test used to rank candidates */
export function certTimeOk(ctx: Ctx, x: Certificate): boolean {
  if (!ctx.checkTime) return true;
  const nb = cmpTime(x.notBefore, ctx.timeMs);
  if (nb >= 0) return false;
  const na = cmpNotAfter(ctx, x.notAfter);
  return na > 0;
}

/** ossl_x509_check_cert_time(ctx, x, depth) with callbacks */
function checkCertTime(ctx: Ctx, x: Certificate, depth: number): boolean {
  if (!ctx.checkTime) return true;
  const nb = cmpTime(x.notBefore, ctx.timeMs);
  if (nb === 0 && !ctx.fail(X509_V_ERR.ERROR_IN_CERT_NOT_BEFORE_FIELD, depth, x, 'validity')) return false;
  if (nb > 0 && !ctx.fail(X509_V_ERR.CERT_NOT_YET_VALID, depth, x, 'validity')) return false;
  const na = cmpNotAfter(ctx, x.notAfter);
  if (na === 0 && !ctx.fail(X509_V_ERR.ERROR_IN_CERT_NOT_AFTER_FIELD, depth, x, 'validity')) return false;
  if (na < 0 && !ctx.fail(X509_V_ERR.CERT_HAS_EXPIRED, depth, x, 'validity')) return false;
  return true;
}

/** check_cert_key_level for the leaf (before chain building) */
export function checkLeafKey(ctx: Ctx): boolean {
  if (ctx.authLevel <= 0) return true;
  const leaf = ctx.chain[0];
  if (!checkKeyLevel(leaf.publicKey, ctx.authLevel, ctx.opts.opensslVersion))
    return ctx.fail(X509_V_ERR.EE_KEY_TOO_SMALL, 0, leaf, 'key-level');
  return true;
}

export function checkExtensions(ctx: Ctx): boolean {
  const purpose = ctx.opts.purpose;
  const num = ctx.chain.length;
  let mustBeCa = -1;
  let plen = 0;
  for (let i = 0; i < num; i++) {
    const x = ctx.chain[i];
    const info = certInfo(x);
    if (
      info.unhandledCritical &&
      !ctx.opts.ignoreCritical &&
      !ctx.fail(X509_V_ERR.UNHANDLED_CRITICAL_EXTENSION, i, x, 'critical-extensions')
    )
      return false;
    const ret = checkCa(info);
    if (mustBeCa === -1) {
      if (ctx.strict && ret !== 1 && ret !== 0 && !ctx.fail(X509_V_ERR.INVALID_CA, i, x, 'ca')) return false;
    } else if (ret === 0 || ((i + 1 < num || ctx.strict) && ret !== 1)) {
      if (!ctx.fail(X509_V_ERR.INVALID_CA, i, x, 'ca')) return false;
    }
    if (num > 1) {
      // check_curve: explicit EC parameters are refused for every certificate of a real chain
      const kv = keyView(x.publicKey);
      if (!kv.usable && !ctx.fail(X509_V_ERR.UNSPECIFIED, i, x, 'key')) return false;
      if (kv.explicitEc && !ctx.fail(X509_V_ERR.EC_KEY_EXPLICIT_PARAMS, i, x, 'key')) return false;
    }
    if (ctx.strict && num > 1 && !strictChecks(ctx, x, i, num)) return false;
    if (purpose) {
      // rfc5280 profile: RFC 5280 puts no key usage demands on a server/client leaf
      // beyond what the caller asks (limbo's key_usage), so only EKU/nsCertType count there
      const r =
        ctx.rfc5280 && i === 0 ? checkPurpose({ ...info, kusage: undefined }, purpose, false) : checkPurpose(info, purpose, mustBeCa > 0);
      // check_purpose: anything but 1 and 0 (a CA "level", an invalid certificate) passes unless X509_STRICT
      const okp = r === 1 || (r !== 0 && !ctx.strict);
      if (!okp && !ctx.fail(X509_V_ERR.INVALID_PURPOSE, i, x, 'purpose')) return false;
      if (okp) ctx.note('purpose', 'ok', `${purpose}${mustBeCa > 0 ? ' (as CA)' : ''}`, x, i);
    }
    if (i > 1 && info.pathlen !== -1 && plen > info.pathlen && !ctx.fail(X509_V_ERR.PATH_LENGTH_EXCEEDED, i, x, 'path-length'))
      return false;
    if (i > 0 && !info.selfIssued) plen++;
    mustBeCa = 1;
  }
  return true;
}

/** X509_V_FLAG_X509_STRICT checks of check_extensions (RFC 5280 profile rules) */
function strictChecks(ctx: Ctx, x: Certificate, i: number, num: number): boolean {
  const info = certInfo(x);
  const ku = info.kusage;
  if (info.pathlen !== -1) {
    if (!info.ca && !ctx.fail(X509_V_ERR.PATHLEN_INVALID_FOR_NON_CA, i, x, 'strict')) return false;
    if (((ku ?? 0) & KU.KEY_CERT_SIGN) === 0 && !ctx.fail(X509_V_ERR.PATHLEN_WITHOUT_KU_KEY_CERT_SIGN, i, x, 'strict')) return false;
  }
  if (info.ca) {
    // X509_STRICT wants keyUsage in every CA; RFC 5280 only says SHOULD (limbo agrees)
    if (ku === undefined && !ctx.rfc5280 && !ctx.fail(X509_V_ERR.CA_CERT_MISSING_KEY_USAGE, i, x, 'strict')) return false;
  } else if (((ku ?? 0) & KU.KEY_CERT_SIGN) !== 0 && !ctx.fail(X509_V_ERR.KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA, i, x, 'strict'))
    return false;
  if (x.issuer.rdns.length === 0 && !ctx.fail(X509_V_ERR.ISSUER_NAME_EMPTY, i, x, 'strict')) return false;
  const san = x.ext.subjectAltName;
  if (
    (info.ca || ((ku ?? 0) & KU.CRL_SIGN) !== 0 || !san) &&
    x.subject.rdns.length === 0 &&
    !ctx.fail(X509_V_ERR.SUBJECT_NAME_EMPTY, i, x, 'strict')
  )
    return false;
  if (san && san.names.length === 0 && !ctx.fail(X509_V_ERR.EMPTY_SUBJECT_ALT_NAME, i, x, 'strict')) return false;
  if (
    !bytesEqual(x.signatureAlgorithm.bytes, x.tbsSignatureAlgorithm.bytes) &&
    !ctx.fail(X509_V_ERR.SIGNATURE_ALGORITHM_INCONSISTENCY, i, x, 'strict')
  )
    return false;
  if (x.version >= 3) {
    const checkAkid = (i + 1 < num || (ctx.partialChain && ctx.rfc5280)) && !info.selfSigned;
    if (checkAkid && !x.ext.authorityKeyIdentifier && !ctx.fail(X509_V_ERR.MISSING_AUTHORITY_KEY_IDENTIFIER, i, x, 'strict')) return false;
    if (info.ca && !x.ext.subjectKeyIdentifier && !ctx.fail(X509_V_ERR.MISSING_SUBJECT_KEY_IDENTIFIER, i, x, 'strict')) return false;
  } else if (x.extensions.length > 0 && !ctx.fail(X509_V_ERR.EXTENSIONS_REQUIRE_VERSION_3, i, x, 'strict')) return false;
  return true;
}

export function checkAuthLevel(ctx: Ctx): boolean {
  if (ctx.authLevel <= 0) return true;
  const num = ctx.chain.length;
  const v = ctx.opts.opensslVersion;
  for (let i = 0; i < num; i++) {
    const c = ctx.chain[i];
    if (i > 0 && !checkKeyLevel(c.publicKey, ctx.authLevel, v) && !ctx.fail(X509_V_ERR.CA_KEY_TOO_SMALL, i, c, 'key-level')) return false;
    if (i < num - 1 && !checkSigLevel(c, ctx.authLevel, v) && !ctx.fail(X509_V_ERR.CA_MD_TOO_WEAK, i, c, 'sig-level')) return false;
  }
  return true;
}

export function checkId(ctx: Ctx): boolean {
  const leaf = ctx.opts.leaf;
  if (ctx.opts.hostname !== undefined) {
    // rfc5280 profile: RFC 6125 / CABF, the subject CN is never a host name
    const r = x509CheckHost(leaf, ctx.opts.hostname, { neverCheckSubject: ctx.rfc5280 });
    if (r <= 0 && !ctx.fail(X509_V_ERR.HOSTNAME_MISMATCH, 0, leaf, 'hostname')) return false;
    if (r > 0) ctx.note('hostname', 'ok', `matches ${ctx.opts.hostname}`, leaf, 0);
  }
  if (ctx.opts.email !== undefined) {
    const r = x509CheckEmail(leaf, ctx.opts.email);
    if (r <= 0 && !ctx.fail(X509_V_ERR.EMAIL_MISMATCH, 0, leaf, 'email')) return false;
    if (r > 0) ctx.note('email', 'ok', `matches ${ctx.opts.email}`, leaf, 0);
  }
  if (ctx.opts.ip !== undefined) {
    const r = x509CheckIp(leaf, ctx.opts.ip);
    if (r <= 0 && !ctx.fail(X509_V_ERR.IP_ADDRESS_MISMATCH, 0, leaf, 'ip')) return false;
  }
  return true;
}

/** check_crl_time(ctx, crl, notify) */
function crlTimeOk(ctx: Ctx, crl: Crl): boolean {
  if (!ctx.checkTime) return true;
  const lu = cmpTime(crl.thisUpdate, ctx.timeMs);
  if (lu >= 0) return false;
  if (crl.nextUpdate) {
    const nu = cmpTime(crl.nextUpdate, ctx.timeMs);
    if (nu <= 0) return false;
  }
  return true;
}

function crlTimeNotify(ctx: Ctx, crl: Crl, depth: number): boolean {
  if (!ctx.checkTime) return true;
  const x = ctx.chain[depth];
  const lu = cmpTime(crl.thisUpdate, ctx.timeMs);
  if (lu === 0 && !ctx.fail(X509_V_ERR.ERROR_IN_CRL_LAST_UPDATE_FIELD, depth, x, 'crl-time')) return false;
  if (lu > 0 && !ctx.fail(X509_V_ERR.CRL_NOT_YET_VALID, depth, x, 'crl-time')) return false;
  if (crl.nextUpdate) {
    const nu = cmpTime(crl.nextUpdate, ctx.timeMs);
    if (nu === 0 && !ctx.fail(X509_V_ERR.ERROR_IN_CRL_NEXT_UPDATE_FIELD, depth, x, 'crl-time')) return false;
    if (nu < 0 && !ctx.fail(X509_V_ERR.CRL_HAS_EXPIRED, depth, x, 'crl-time')) return false;
  }
  return true;
}

/** X509_CRL_verify with the issuer's key, counted against the work budget */
function verifyCrlSignature(ctx: Ctx, crl: Crl, issuer: Certificate): boolean | OutOfBudget {
  if (!ctx.budget.take()) return 'out-of-budget';
  if (crl.signature.unusedBits !== 0) return queueReason(ctx, 'invalid bit string bits left');
  // X509_CRL_verify goes straight to ASN1_item_verify with the outer algorithm: unlike
  // X509_verify it never compares it with the one inside tbsCertList (RFC 5280 5.1.1.2 does)
  if (ctx.rfc5280 && !bytesEqual(crl.signatureAlgorithm.bytes, crl.tbsSignatureAlgorithm.bytes)) return false;
  return signatureOk(ctx, crl.signatureAlgorithm, signatureAlgorithmOf(crl), issuer, crl.tbs, crl.signature.bytes);
}

/**
 * What OpenSSL's error queue holds after a signature check fails, kept for the next error
 * the context records: the algorithm's own error when its code pushes one (RSA padding and
 * PSS checks), else the "EVP lib" ASN1_item_verify pushes when EVP_DigestVerify fails.
 * libpq and the server print this first queued reason, not "certificate verify failed".
 */
function queueReason(ctx: Ctx, reason: string): false {
  ctx.pendingOpensslReason = reason;
  return false;
}

function signatureOk(
  ctx: Ctx,
  algId: AlgorithmIdentifier,
  alg: ReturnType<typeof signatureAlgorithmOf>,
  issuer: Certificate,
  tbs: Uint8Array,
  sig: Uint8Array,
  distid?: Uint8Array,
): boolean {
  const r = (ctx.opts.verifier ?? defaultVerifier)(alg, issuer.publicKey, tbs, sig, distid ? { distid } : undefined);
  if (r.ok) return true;
  // a bad-parameters failure OpenSSL meets inside the algorithm (a PSS salt too long for the
  // modulus) queues its reason as a bad signature does
  if (r.reason === 'bad-signature' || r.reason === 'malformed-signature' || (r.reason === 'bad-parameters' && r.openssl)) {
    ctx.pendingSignatureKind = alg.kind;
    ctx.pendingPssSalt = r.pssSalt;
    return queueReason(ctx, r.openssl ?? 'EVP lib');
  }
  // PSS parameters OpenSSL cannot set up: it fails before the signature is looked at
  const pss = pssParametersReason(algId);
  if (pss) {
    ctx.pendingSignatureKind = 'rsa-pss';
    return queueReason(ctx, pss);
  }
  return false;
}

/** check_cert_crl for the certificate at `depth` */
function checkCertCrl(ctx: Ctx, depth: number): boolean {
  // check_cert skips nothing but proxy certificates: with CRL_CHECK_ALL a self-signed anchor
  // (or a trusted self-signed leaf) needs a CRL of its own too, signed by itself
  const x = ctx.chain[depth];
  let currentReasons = 0;
  const fail = (code: X509ErrorCode) => ctx.fail(code, depth, x, 'crl');
  while (currentReasons !== CRLDP_ALL_REASONS) {
    const last = currentReasons;
    // rfc5280 profile: a delta CRL is never a complete CRL (as OpenSSL after 3.0 decides)
    const { best } = bestCrl(
      ctx.chain,
      depth,
      ctx.crls,
      currentReasons,
      (c) => crlTimeOk(ctx, c),
      ctx.rfc5280 ? { untrusted: ctx.opts.untrusted ?? [] } : undefined,
    );
    if (!best) {
      ctx.note('crl', 'fail', "no CRL from this certificate's issuer", x, depth);
      return fail(X509_V_ERR.UNABLE_TO_GET_CRL);
    }
    ctx.note(
      'crl',
      'info',
      `using a CRL from ${best.issuer ? ctx.subjectOf(best.issuer) : '?'} (score 0x${best.score.toString(16)})`,
      x,
      depth,
    );
    currentReasons = best.reasons;
    const crl = best.crl;
    // check_crl
    const issuer = best.issuer;
    if (issuer) {
      const ii = certInfo(issuer);
      if (ii.kusage !== undefined && (ii.kusage & KU.CRL_SIGN) === 0 && !fail(X509_V_ERR.KEYUSAGE_NO_CRL_SIGN)) return false;
      if ((best.score & CRL_SCORE.SCOPE) === 0 && !fail(X509_V_ERR.DIFFERENT_CRL_SCOPE)) return false;
      if ((best.score & CRL_SCORE.SAME_PATH) === 0) {
        const pathOk = crlPathOk(ctx, issuer);
        if (pathOk === 'out-of-budget') return false;
        if (!pathOk && !fail(X509_V_ERR.CRL_PATH_VALIDATION_ERROR)) return false;
      }
      if (crlInfo(crl).idpInvalid && !fail(X509_V_ERR.INVALID_EXTENSION)) return false;
      if ((best.score & CRL_SCORE.TIME) === 0 && !crlTimeNotify(ctx, crl, depth)) return false;
      if (!ii.hasKey) {
        if (!fail(X509_V_ERR.UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY)) return false;
      } else {
        const verified = verifyCrlSignature(ctx, crl, issuer);
        if (verified === 'out-of-budget') return false;
        if (!verified && !fail(X509_V_ERR.CRL_SIGNATURE_FAILURE)) return false;
      }
    }
    // RFC 5280 5.2.3: conforming CRL issuers MUST include the CRL number
    if (ctx.rfc5280 && crl.ext.crlNumber === undefined && !fail(X509_V_ERR.INVALID_EXTENSION)) return false;
    // rfc5280 profile: a delta CRL (5.2.4) is checked like its complete CRL, then consulted
    // first: removeFromCRL there means the complete CRL's entry no longer counts (check_cert)
    const delta = ctx.rfc5280 ? deltaCrlFor(x, crl, ctx.crls) : undefined;
    let inDelta = 0;
    if (delta) {
      ctx.note('crl', 'info', 'using the delta CRL that follows it (freshestCRL)', x, depth);
      if (!crlTimeOk(ctx, delta) && !crlTimeNotify(ctx, delta, depth)) return false;
      if (issuer && certInfo(issuer).hasKey) {
        const verified = verifyCrlSignature(ctx, delta, issuer);
        if (verified === 'out-of-budget') return false;
        if (!verified && !fail(X509_V_ERR.CRL_SIGNATURE_FAILURE)) return false;
      }
      if (crlInfo(delta).critical && !fail(X509_V_ERR.UNHANDLED_CRITICAL_CRL_EXTENSION)) return false;
      inDelta = crlLookup(delta, x);
      if (inDelta === 1) {
        ctx.note('crl', 'fail', 'serial number is listed in the delta CRL', x, depth);
        if (!fail(X509_V_ERR.CERT_REVOKED)) return false;
      }
    }
    // cert_crl
    if (inDelta !== 2) {
      if (crlInfo(crl).critical && !ctx.opts.ignoreCritical && !fail(X509_V_ERR.UNHANDLED_CRITICAL_CRL_EXTENSION)) return false;
      const r = crlLookup(crl, x);
      if (r === 1) {
        ctx.note('crl', 'fail', 'serial number is listed in the CRL', x, depth);
        if (!fail(X509_V_ERR.CERT_REVOKED)) return false;
      } else ctx.note('crl', 'ok', 'not revoked', x, depth);
    } else ctx.note('crl', 'ok', 'removed from the CRL by the delta CRL', x, depth);
    if (last === currentReasons) return fail(X509_V_ERR.UNABLE_TO_GET_CRL);
  }
  return true;
}

export function checkRevocation(ctx: Ctx): boolean {
  const mode = ctx.opts.crlMode ?? 'none';
  if (mode === 'none') return true;
  // check_revocation: CRL_CHECK_ALL checks every certificate up to and including the anchor;
  // (revocation_check_end, later releases) with a partial chain, stop before the first trusted one
  const last = mode === 'all' ? (ctx.partialChain && ctx.rfc5280 ? ctx.numUntrusted - 1 : ctx.chain.length - 1) : 0;
  for (let i = 0; i <= last; i++) {
    ctx.errorDepth = i;
    if (!checkCertCrl(ctx, i)) return false;
  }
  return true;
}

/** X509_verify(xs, key of xi), counted against the work budget */
function verifyCertSignature(ctx: Ctx, xs: Certificate, xi: Certificate): boolean | OutOfBudget {
  if (!ctx.budget.take()) return 'out-of-budget';
  // X509_verify compares the two algorithm fields first and pushes no error when they differ
  if (!bytesEqual(xs.signatureAlgorithm.bytes, xs.tbsSignatureAlgorithm.bytes)) return false;
  if (xs.signature.unusedBits !== 0) return queueReason(ctx, 'invalid bit string bits left');
  // the distinguishing ID belongs to the certificate object it was set on (the leaf as loaded)
  const distid = xs === ctx.opts.leaf ? ctx.opts.distid : undefined;
  return signatureOk(ctx, xs.signatureAlgorithm, signatureAlgorithmOf(xs), xi, xs.tbs, xs.signature.bytes, distid);
}

export function internalVerify(ctx: Ctx): boolean {
  let n = ctx.chain.length - 1;
  let xi = ctx.chain[n];
  let xs = xi;
  ctx.errorDepth = n;
  let skipSig = false;
  if (ctx.partialChain && likelyIssued(xi, xi) !== X509_V_OK) {
    skipSig = true; // a trust anchor that is not self-issued: only its validity is checked
  } else if (likelyIssued(xi, xi) !== X509_V_OK) {
    if (n <= 0) {
      if (!ctx.fail(X509_V_ERR.UNABLE_TO_VERIFY_LEAF_SIGNATURE, 0, xi, 'signature')) return false;
      skipSig = true;
    } else {
      n--;
      ctx.errorDepth = n;
      xs = ctx.chain[n];
    }
  }
  while (n >= 0) {
    if (!skipSig && (xs !== xi || (ctx.opts.checkSsSig && certInfo(xi).selfSigned))) {
      const issuerDepth = n + (xs === xi ? 0 : 1);
      // a self-issued end-entity anchor signing itself has no key usage to honour (RFC 6818 2)
      const ret = xs === xi && !certInfo(xi).ca ? X509_V_OK : signingAllowed(certInfo(xi));
      if (ret !== X509_V_OK && !ctx.fail(ret, issuerDepth, xi, 'signature')) return false;
      if (!certInfo(xi).hasKey) {
        if (!ctx.fail(X509_V_ERR.UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, issuerDepth, xi, 'signature')) return false;
      } else {
        const verified = verifyCertSignature(ctx, xs, xi);
        if (verified === 'out-of-budget') return false;
        if (!verified) {
          if (!ctx.fail(X509_V_ERR.CERT_SIGNATURE_FAILURE, n, xs, 'signature')) return false;
        } else ctx.note('signature', 'ok', "signature verified with the issuer's key", xs, n);
      }
    }
    skipSig = false;
    if (!checkCertTime(ctx, xs, n)) return false;
    if (--n >= 0) {
      xi = xs;
      xs = ctx.chain[n];
    }
  }
  return true;
}

const SUITEB_128_LOS_ONLY = 0x10000;
const SUITEB_192_LOS = 0x20000;
const SUITEB_FLAGS = { '128_only': SUITEB_128_LOS_ONLY, '128': SUITEB_128_LOS_ONLY | SUITEB_192_LOS, '192': SUITEB_192_LOS } as const;

/** check_suite_b (x509_cmp.c): the key (and the algorithm it signed with) against the levels of security left in `flags` */
function suiteBKey(c: Certificate, signOid: string | undefined, flags: { v: number }): X509ErrorCode {
  const k = c.publicKey;
  const ec = k.kind === 'ec' || (k.kind === 'unknown' && k.algorithm.oid === OID.ecPublicKey);
  if (!ec || !keyView(k).usable) return X509_V_ERR.SUITE_B_INVALID_ALGORITHM;
  if (k.kind === 'ec' && k.curve === 'P-384') {
    if (signOid !== undefined && signOid !== OID.ecdsaWithSHA384) return X509_V_ERR.SUITE_B_INVALID_SIGNATURE_ALGORITHM;
    if (!(flags.v & SUITEB_192_LOS)) return X509_V_ERR.SUITE_B_LOS_NOT_ALLOWED;
    flags.v &= ~SUITEB_128_LOS_ONLY;
  } else if (k.kind === 'ec' && k.curve === 'P-256') {
    if (signOid !== undefined && signOid !== OID.ecdsaWithSHA256) return X509_V_ERR.SUITE_B_INVALID_SIGNATURE_ALGORITHM;
    if (!(flags.v & SUITEB_128_LOS_ONLY)) return X509_V_ERR.SUITE_B_LOS_NOT_ALLOWED;
  } else return X509_V_ERR.SUITE_B_INVALID_CURVE;
  return X509_V_OK;
}

/** X509_chain_check_suiteb, as verify_chain runs it after check_revocation */
export function checkSuiteB(ctx: Ctx): boolean {
  if (!ctx.opts.suiteB) return true;
  const initial = SUITEB_FLAGS[ctx.opts.suiteB];
  const flags = { v: initial };
  const chain = ctx.chain;
  let i = 1;
  let rv: X509ErrorCode = X509_V_OK;
  let x = chain[0];
  if (x.version !== 3) {
    rv = X509_V_ERR.SUITE_B_INVALID_VERSION;
    i = 0;
  } else if ((rv = suiteBKey(x, undefined, flags)) !== X509_V_OK) i = 0;
  else {
    for (; i < chain.length; i++) {
      const signOid = x.signatureAlgorithm.oid;
      x = chain[i];
      if (x.version !== 3) {
        rv = X509_V_ERR.SUITE_B_INVALID_VERSION;
        break;
      }
      if ((rv = suiteBKey(x, signOid, flags)) !== X509_V_OK) break;
    }
    // the root's own signature
    if (rv === X509_V_OK) rv = suiteBKey(x, x.signatureAlgorithm.oid, flags);
  }
  if (rv === X509_V_OK) return true;
  // a bad signature algorithm or level is the previous certificate's
  if ((rv === X509_V_ERR.SUITE_B_INVALID_SIGNATURE_ALGORITHM || rv === X509_V_ERR.SUITE_B_LOS_NOT_ALLOWED) && i) i--;
  if (rv === X509_V_ERR.SUITE_B_LOS_NOT_ALLOWED && flags.v !== initial) rv = X509_V_ERR.SUITE_B_CANNOT_SIGN_P_384_WITH_P_256;
  return ctx.fail(rv, i, chain[i], 'suite-b');
}

export function checkNameConstraints(ctx: Ctx): boolean {
  const num = ctx.chain.length;
  for (let i = num - 1; i >= 0; i--) {
    const x = ctx.chain[i];
    if (i !== 0 && certInfo(x).selfIssued) continue;
    for (let j = num - 1; j > i; j--) {
      const nc = ctx.chain[j].ext.nameConstraints;
      if (!nc) continue;
      let rv = nameConstraintsCheck(x, nc);
      // 3.0 applies DNS constraints to a SAN-less leaf's CN unless NEVER_CHECK_SUBJECT
      if (rv === X509_V_OK && i === 0 && !ctx.rfc5280 && !hasSanOfType(x, 'dns')) rv = nameConstraintsCheckCn(x, nc);
      if (rv === X509_V_OK && ctx.rfc5280) rv = wildcardVsExcluded(x, nc);
      if (rv !== X509_V_OK) {
        if (!ctx.fail(rv, i, x, 'name-constraints')) return false;
      } else ctx.note('name-constraints', 'ok', `within the constraints of depth ${j}`, x, i);
    }
  }
  return true;
}

/**
 * rfc5280 profile (CVE-2025-61727): a wildcard dNSName `*.d` may stand for any name in `d`,
 * so it breaks an excluded subtree that lies inside `d`.
 */
function wildcardVsExcluded(x: Certificate, nc: { excluded?: { base: GeneralName }[] }): X509ErrorCode {
  for (const g of x.ext.subjectAltName?.names ?? []) {
    if (g.type !== 'dns' || !g.value.startsWith('*.')) continue;
    const dom = g.value.slice(2).toLowerCase();
    for (const s of nc.excluded ?? []) {
      if (s.base.type !== 'dns') continue;
      const b = s.base.value.toLowerCase().replace(/^\./, '');
      if (b === dom || b.endsWith(`.${dom}`)) return X509_V_ERR.EXCLUDED_VIOLATION;
    }
  }
  return X509_V_OK;
}

/** check_crl_path: the CRL issuer's own path must end at this chain's trust anchor */
function crlPathOk(ctx: Ctx, issuer: Certificate): boolean | OutOfBudget {
  if (!ctx.crlPathHook) return false;
  const anchor = ctx.chain[ctx.chain.length - 1];
  const chain = ctx.crlPathHook(issuer);
  if (chain === 'out-of-budget') return chain;
  return chain !== undefined && bytesEqual(chain[chain.length - 1].der, anchor.der);
}
