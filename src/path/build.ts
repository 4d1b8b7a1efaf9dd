// Chain building as OpenSSL 3.0's build_chain (crypto/x509/x509_vfy.c) does it with the
// default flags: trusted-first, alternative chains allowed (irrelevant with trusted-first),
// no partial chains. Candidates are found by issuer name, preferring one whose validity
// covers the time, else the one with the latest notAfter (get0_best_issuer_sk /
// X509_STORE_CTX_get1_issuer). Trust = a self-signed certificate from the trusted set
// (X509_check_trust with no auxiliary trust: trust_compat).

import { bytesEqual } from '../der/index.js';
import type { Certificate } from '../x509/types.js';
import type { Ctx, OutOfBudget } from './context.js';
import { certInfo, likelyIssued } from './cert-info.js';
import { certTimeOk } from './checks.js';
import { X509_V_ERR, X509_V_OK, type X509ErrorCode } from './errors.js';

const S_DOUNTRUSTED = 1;
const S_DOTRUSTED = 2;
const S_DOALTERNATE = 4;

type Trust = 'trusted' | 'rejected' | 'untrusted';

const sameCert = (a: Certificate, b: Certificate) => a === b || bytesEqual(a.der, b.der);

/** X509_self_signed(cert, 0): 1, 0, or -1 when the key or extensions cannot be used */
function selfSigned(c: Certificate): number {
  const i = certInfo(c);
  if (!i.hasKey) return -1;
  if (i.invalid.length) return -1;
  return i.selfSigned ? 1 : 0;
}

const REJECT_WHY: Partial<Record<X509ErrorCode, string>> = {
  [X509_V_ERR.UNSPECIFIED]: 'a certificate has invalid extensions (EXFLAG_INVALID)',
  [X509_V_ERR.NO_ISSUER_PUBLIC_KEY]: 'the candidate has no usable public key',
  [X509_V_ERR.AKID_SKID_MISMATCH]: "the subject's AKID key identifier differs from the candidate's SKID",
  [X509_V_ERR.AKID_ISSUER_SERIAL_MISMATCH]: "the subject's AKID issuer/serial does not name the candidate",
  [X509_V_ERR.UNSUPPORTED_SIGNATURE_ALGORITHM]: "the subject's signature algorithm is unknown",
  [X509_V_ERR.SIGNATURE_ALGORITHM_MISMATCH]: "the subject's signature algorithm does not fit the candidate's key type",
};

/** The errors of ossl_x509_check_cert_time: build_chain leaves them to internal_verify to report. */
const TIME_ERRORS: ReadonlySet<X509ErrorCode> = new Set([
  X509_V_ERR.ERROR_IN_CERT_NOT_BEFORE_FIELD,
  X509_V_ERR.CERT_NOT_YET_VALID,
  X509_V_ERR.ERROR_IN_CERT_NOT_AFTER_FIELD,
  X509_V_ERR.CERT_HAS_EXPIRED,
]);

/** check_issued via ossl_x509_likely_issued, counted against the work budget */
function checkIssued(ctx: Ctx, x: Certificate, issuer: Certificate, where: string): boolean | OutOfBudget {
  if (!ctx.budget.take()) return 'out-of-budget';
  const r = likelyIssued(issuer, x);
  if (r !== X509_V_OK && r !== X509_V_ERR.SUBJECT_ISSUER_MISMATCH)
    ctx.note(`${where}-lookup`, 'info', `candidate with the issuer's name rejected: ${REJECT_WHY[r] ?? `error ${r}`}`, issuer);
  return r === X509_V_OK;
}

/** get0_best_issuer_sk (and X509_STORE_CTX_get1_issuer for the trusted list) */
function bestIssuer(ctx: Ctx, noDup: boolean, sk: Certificate[], x: Certificate, where: string): Certificate | undefined | OutOfBudget {
  let issuer: Certificate | undefined;
  const xi = certInfo(x);
  for (const cand of sk) {
    if (noDup && !(xi.selfIssued && ctx.chain.length === 1) && ctx.chain.some((c) => sameCert(c, cand))) continue;
    const issued = checkIssued(ctx, x, cand, where);
    if (issued === 'out-of-budget') return issued;
    if (!issued) continue;
    if (certTimeOk(ctx, cand)) {
      ctx.note(`${where}-lookup`, 'ok', `issuer candidate accepted (name, AKID/SKID and key type match; valid at the time)`, cand);
      return cand;
    }
    ctx.note(`${where}-lookup`, 'info', `issuer candidate matches but is not valid at the time`, cand);
    if (!issuer || (cand.notAfter.ms ?? -Infinity) > (issuer.notAfter.ms ?? -Infinity)) issuer = cand;
  }
  return issuer;
}

/**
 * check_trust: a self-signed trusted certificate at depth >= numUntrusted makes the chain
 * trusted; with X509_V_FLAG_PARTIAL_CHAIN any trusted certificate does, and a chain of
 * untrusted certificates alone is trusted when its leaf is itself in the trust store.
 */
function checkTrust(ctx: Ctx, numUntrusted: number): Trust {
  for (let i = numUntrusted; i < ctx.chain.length; i++) {
    const c = ctx.chain[i];
    const info = certInfo(c);
    if (info.invalid.length === 0 && info.selfSigned) {
      ctx.note('check-trust', 'ok', 'self-signed certificate from the trusted set: trust anchor', c, i);
      return 'trusted';
    }
  }
  if (!ctx.partialChain) return 'untrusted';
  if (numUntrusted < ctx.chain.length) {
    ctx.note(
      'check-trust',
      'ok',
      'certificate from the trusted set (partial chain allowed): trust anchor',
      ctx.chain[numUntrusted],
      numUntrusted,
    );
    return 'trusted';
  }
  // lookup_cert_match: the leaf itself in the trust store
  const leaf = ctx.chain[0];
  const match = ctx.opts.trusted.find((t) => sameCert(t, leaf));
  if (!match) return 'untrusted';
  ctx.chain[0] = match;
  ctx.numUntrusted = 0;
  ctx.note('check-trust', 'ok', 'the leaf is in the trusted set (partial chain allowed): trust anchor', match, 0);
  return 'trusted';
}

/**
 * What build_chain ended with: a chain to check further ('built': trusted, or the verify
 * callback let an error pass), an error that stops verification ('stop'), an internal error
 * (OpenSSL's -1: ctx.error set, no callback) or an exhausted work budget.
 */
type BuildOutcome = 'built' | 'stop' | 'internal-error' | OutOfBudget;

/** the verify callback's answer to an error build_chain reports: go on checking the chain, or stop */
const verdict = (goOn: boolean): BuildOutcome => (goOn ? 'built' : 'stop');

/** build_chain: fills ctx.chain */
export function buildChain(ctx: Ctx): BuildOutcome {
  const trustedSet = ctx.opts.trusted;
  const skUntrusted = ctx.untrusted ? [...ctx.untrusted] : [];
  let search = ctx.untrusted ? S_DOUNTRUSTED : 0;
  // X509_V_FLAG_TRUSTED_FIRST is OpenSSL's default
  search |= S_DOTRUSTED;
  const mayTrusted = true;
  const mayAlternate = false;
  let trust: Trust = 'untrusted';
  let altUntrusted = 0;
  const maxDepth = ctx.depth + 1;

  while (search !== 0) {
    let num = ctx.chain.length;
    ctx.errorDepth = num - 1;
    if (search & S_DOTRUSTED) {
      let i = num;
      if (search & S_DOALTERNATE) i = altUntrusted;
      const curr = ctx.chain[i - 1];
      let issuer: Certificate | undefined;
      let ok = false;
      if (num <= maxDepth) {
        const found = bestIssuer(ctx, false, trustedSet, curr, 'trusted');
        if (found === 'out-of-budget') return found;
        issuer = found;
        ok = issuer !== undefined;
      }
      if (ok && issuer) {
        const ss = selfSigned(curr);
        if (ss < 0) {
          ctx.note(
            'build',
            'fail',
            'certificate has no usable public key or invalid extensions (X509_self_signed < 0): internal error',
            curr,
            i - 1,
          );
          ctx.error = X509_V_ERR.UNSPECIFIED;
          return 'internal-error';
        }
        if (search & S_DOALTERNATE) {
          search &= ~S_DOALTERNATE;
          for (; num > i; --num) ctx.chain.pop();
          ctx.numUntrusted = num;
        }
        if (!ss) {
          ctx.chain.push(issuer);
          ctx.note('build', 'info', `added trusted issuer at depth ${num}`, issuer, num);
        } else if (!sameCert(curr, issuer)) {
          ctx.note('build', 'info', 'self-signed untrusted certificate differs from the trusted one with its name: ignored', issuer);
          ok = false;
        } else {
          ctx.numUntrusted = --num;
          ctx.chain[num] = issuer;
          ctx.note('build', 'info', 'self-signed certificate found in the trusted set: replaced by it', issuer, num);
        }
        if (ok) {
          search &= ~S_DOUNTRUSTED;
          trust = checkTrust(ctx, num);
          if (trust !== 'untrusted') break;
          if (!ss) continue;
        }
      }
      if ((search & S_DOUNTRUSTED) === 0) {
        if (search & S_DOALTERNATE && --altUntrusted > 0) continue;
        if (!mayAlternate || search & S_DOALTERNATE || ctx.numUntrusted < 2) break;
        search |= S_DOALTERNATE;
        altUntrusted = ctx.numUntrusted - 1;
      }
    }
    if (search & S_DOUNTRUSTED) {
      num = ctx.chain.length;
      const curr = ctx.chain[num - 1];
      const issuer = selfSigned(curr) > 0 || num > maxDepth ? undefined : bestIssuer(ctx, true, skUntrusted, curr, 'untrusted');
      if (issuer === 'out-of-budget') return issuer;
      if (!issuer) {
        search &= ~S_DOUNTRUSTED;
        if (mayTrusted) search |= S_DOTRUSTED;
        continue;
      }
      skUntrusted.splice(skUntrusted.indexOf(issuer), 1);
      ctx.chain.push(issuer);
      ctx.numUntrusted++;
      ctx.note('build', 'info', `added untrusted issuer at depth ${num}`, issuer, num);
    }
  }

  const num = ctx.chain.length;
  if (num <= maxDepth && trust === 'untrusted' && num === ctx.numUntrusted) trust = checkTrust(ctx, num);
  if (trust === 'trusted') return 'built';
  if (ctx.error !== X509_V_OK) {
    if (TIME_ERRORS.has(ctx.error)) return 'stop';
    return verdict(ctx.fail(ctx.error, num - 1, undefined, 'build'));
  }
  if (num > maxDepth) return verdict(ctx.fail(X509_V_ERR.CERT_CHAIN_TOO_LONG, num - 1, undefined, 'build'));
  if (selfSigned(ctx.chain[num - 1]) > 0) {
    const code = num === 1 ? X509_V_ERR.DEPTH_ZERO_SELF_SIGNED_CERT : X509_V_ERR.SELF_SIGNED_CERT_IN_CHAIN;
    return verdict(ctx.fail(code, num - 1, undefined, 'build'));
  }
  const code = ctx.numUntrusted < num ? X509_V_ERR.UNABLE_TO_GET_ISSUER_CERT : X509_V_ERR.UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
  return verdict(ctx.fail(code, num - 1, undefined, 'build'));
}
