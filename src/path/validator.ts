// verifyChain: OpenSSL 3.0's X509_verify_cert (x509_verify_x509 + verify_chain) in the
// order OpenSSL runs its steps, with two profiles: `openssl` (what OpenSSL 3.0 decides
// with PostgreSQL's flags) and `rfc5280` (the same engine plus X509_STRICT and the extra
// RFC 5280 rules OpenSSL skips, see rfc5280-profile.ts).

import type { Certificate } from '../x509/types.js';
import { buildChain } from './build.js';
import {
  certTimeOk,
  checkSuiteB,
  checkAuthLevel,
  checkExtensions,
  checkId,
  checkLeafKey,
  checkNameConstraints,
  checkRevocation,
  internalVerify,
} from './checks.js';
import { certInfo, likelyIssued } from './cert-info.js';
import { OID, bytesEqual } from '../der/index.js';
import { inheritDsaParameters } from './keys.js';
import { type Budget, Ctx, type OutOfBudget, type VerifyOptions, type VerifyResult } from './context.js';
import { rfc5280Checks } from './rfc5280-profile.js';
import { opensslPolicyCheck, processPolicies } from './policy.js';
import { errorMessage, errorName, X509_V_ERR, X509_V_OK } from './errors.js';

export type { VerifyOptions, VerifyResult, VerifyError, Step, Profile } from './context.js';

function defaultSubject(c: Certificate): string {
  return c.subject.rdns.map((rdn) => rdn.map((a) => ('raw' in a.value ? a.value.value : '#')).join('+')).join(', ');
}

export interface VerifyHooks {
  /** how the trace names a certificate (default: the subject's attribute values) */
  subjectOf?: (c: Certificate) => string;
}

export function verifyChain(given: VerifyOptions, hooks: VerifyHooks = {}): VerifyResult {
  return verifyWithin(given, hooks, undefined);
}

/** verifyChain drawing on `budget` (a CRL issuer's path shares its certificate's), or on a new one */
function verifyWithin(given: VerifyOptions, hooks: VerifyHooks, budget: Budget | undefined): VerifyResult {
  const opts = given.profile === 'rfc5280' ? withInheritedDsaParameters(given) : given;
  const ctx = new Ctx(opts, hooks.subjectOf ?? defaultSubject, budget);
  installCrlPathHook(ctx);
  ctx.chain = [opts.leaf];
  ctx.numUntrusted = 1;
  const outcome = run(ctx);
  const budgetExceeded = outcome === 'out-of-budget';
  if (budgetExceeded) {
    // OpenSSL has no such limit; its own resource limits (NAME_CHECK_MAX) end in UNSPECIFIED too
    ctx.note('budget', 'fail', `work budget of ${ctx.budget.limit} issuer checks / signature verifications exceeded`);
    ctx.fail(X509_V_ERR.UNSPECIFIED, ctx.errorDepth);
  }
  const passed = outcome === 'passed' && ctx.errors.length === 0;
  if (!passed && !budgetExceeded && ctx.rfc5280) {
    // RFC 5280 §6 asks for *a* valid path: try the other candidate paths OpenSSL never builds
    const alt = searchPaths(opts, ctx);
    if (alt === 'out-of-budget') ctx.note('path-search', 'fail', 'the work budget ran out before another path was found (rfc5280 profile)');
    else if (alt) {
      alt.trace.unshift(...ctx.trace, {
        step: 'path-search',
        result: 'info',
        detail: 'the first path failed; trying alternative paths (rfc5280 profile)',
      });
      return { ok: true, errors: [], chain: alt.chain, numUntrusted: alt.numUntrusted, trace: alt.trace };
    }
  }
  return {
    ok: passed,
    error: ctx.errors[0],
    errors: ctx.errors,
    chain: ctx.chain,
    numUntrusted: ctx.numUntrusted,
    trace: ctx.trace,
    ...(budgetExceeded ? { budgetExceeded } : {}),
    ...(ctx.policyReport ? { policyReport: ctx.policyReport } : {}),
  };
}

/** X509_verify_cert: 'passed' when every step let verification go on (errors may still have been forgiven) */
function run(ctx: Ctx): 'passed' | 'failed' | OutOfBudget {
  ctx.note(
    'start',
    'info',
    `verify at ${new Date(ctx.timeMs).toISOString()}, purpose ${ctx.opts.purpose ?? 'none'}, security level ${ctx.authLevel}, profile ${ctx.opts.profile ?? 'openssl'}`,
    ctx.opts.leaf,
    0,
  );
  if (!checkLeafKey(ctx)) return 'failed';
  const b = buildChain(ctx);
  if (b === 'out-of-budget') return b;
  if (b !== 'built') {
    if (b === 'internal-error') {
      // internal error: OpenSSL sets ctx->error without calling the verify callback
      const code = ctx.error || X509_V_ERR.UNSPECIFIED;
      ctx.errors.push({
        code,
        name: errorName(code),
        message: errorMessage(code),
        depth: ctx.errorDepth,
        cert: ctx.chain[ctx.errorDepth],
        noCallback: true,
      });
    }
    return 'failed';
  }
  if (checkBuilt(ctx)) return 'passed';
  // the checks stop on an exhausted budget as on an error that ends verification
  return ctx.budget.exhausted ? 'out-of-budget' : 'failed';
}

/** verify_chain after build_chain */
function checkBuilt(ctx: Ctx): boolean {
  if (!checkExtensions(ctx)) return false;
  if (ctx.rfc5280 && !rfc5280Checks(ctx)) return false;
  if (!checkAuthLevel(ctx)) return false;
  if (!checkId(ctx)) return false;
  if (!checkRevocation(ctx)) return false;
  if (!checkSuiteB(ctx)) return false;
  if (!internalVerify(ctx)) return false;
  if (!checkNameConstraints(ctx)) return false;
  if (ctx.rfc5280) {
    const r = processPolicies(ctx, ctx.opts.policy);
    if (r !== X509_V_OK) {
      ctx.note(
        'policy',
        'fail',
        r === X509_V_ERR.NO_EXPLICIT_POLICY ? 'no valid policy for the path (explicit policy required)' : 'anyPolicy in a policy mapping',
        undefined,
        0,
      );
      if (!ctx.fail(r, 0, undefined, 'policy')) return false;
    } else ctx.note('policy', 'ok', 'RFC 5280 6.1 policy processing passed');
  } else if (ctx.opts.policyCheck) {
    // check_policy: X509_policy_check, OpenSSL's own tree
    const r = opensslPolicyCheck(ctx, ctx.opts.policy);
    if (r.code === X509_V_ERR.INVALID_POLICY_EXTENSION) {
      for (const d of r.invalid ?? []) {
        ctx.note('policy', 'fail', 'invalid policy extensions (a policy listed twice, or anyPolicy in a mapping)', ctx.chain[d], d);
        if (!ctx.fail(r.code, d, ctx.chain[d], 'policy')) return false;
      }
      return true;
    }
    ctx.policyReport = r.report;
    if (r.code === X509_V_ERR.NO_EXPLICIT_POLICY) {
      ctx.note('policy', 'fail', 'no acceptable policy for the path (explicit policy required)', undefined, 0);
      // check_policy reports NO_EXPLICIT_POLICY with no current certificate
      if (!ctx.fail(r.code, 0, null, 'policy')) return false;
    } else ctx.note('policy', 'ok', "OpenSSL's policy check (X509_policy_check) passed");
  }
  return true;
}

/**
 * Depth-first search over every issuer candidate (rfc5280 profile), each complete path checked
 * in full; the search and its attempts draw on the first path's work budget.
 */
function searchPaths(opts: VerifyOptions, first: Ctx): Ctx | undefined | OutOfBudget {
  const maxDepth = first.depth + 1;
  const budget = first.budget;
  const pool = [...opts.trusted.map((c) => ({ c, trusted: true })), ...(opts.untrusted ?? []).map((c) => ({ c, trusted: false }))];
  const path: Certificate[] = [opts.leaf];
  const onPath = (c: Certificate) => path.some((p) => p === c || bytesEqual(p.der, c.der));
  let found: Ctx | undefined;
  let attempts = 0;
  const tryChain = (numUntrusted: number): boolean => {
    // each attempt re-runs every check (signatures included): bound them
    if (++attempts > 64) return false;
    const attemptOpts: VerifyOptions = { ...opts, callback: 'stop' };
    // a CRL issuer's own validation stays without CRL path validation in its alternative paths too
    if (nestedCrlPath.has(opts)) nestedCrlPath.add(attemptOpts);
    const ctx = new Ctx(attemptOpts, first.subjectOf, budget);
    installCrlPathHook(ctx);
    ctx.chain = [...path];
    ctx.numUntrusted = numUntrusted;
    ctx.partialChain = true;
    if (checkLeafKey(ctx) && checkBuilt(ctx) && ctx.errors.length === 0) {
      found = ctx;
      return true;
    }
    return false;
  };
  const dfs = (): boolean => {
    if (!budget.take() || attempts > 64) return false;
    const x = path[path.length - 1];
    // self-issued intermediates do not count toward the depth limit (RFC 5280 6.1.4 (l))
    const logical = path.slice(1).filter((c) => !certInfo(c).selfIssued).length;
    if (logical + 1 > maxDepth) return false;
    const cands = pool.filter(({ c }) => !onPath(c) && likelyIssued(c, x) === X509_V_OK);
    budget.take(pool.length);
    // trusted first, then those valid at the time
    cands.sort((a, b) => Number(b.trusted) - Number(a.trusted) || Number(certTimeOk(first, b.c)) - Number(certTimeOk(first, a.c)));
    for (const { c, trusted } of cands) {
      path.push(c);
      if (trusted ? tryChain(path.length - 1) : dfs()) return true;
      path.pop();
    }
    return false;
  };
  // a trusted leaf is its own anchor
  if (opts.trusted.some((t) => bytesEqual(t.der, opts.leaf.der)) && tryChain(0)) return found;
  if (dfs()) return found;
  return budget.exhausted ? 'out-of-budget' : undefined;
}

/** options of a CRL issuer's own validation: no further CRL path validation inside it */
const nestedCrlPath = new WeakSet<VerifyOptions>();

/** The options with DSA keys that omit their parameters completed from their issuers (rfc5280 profile). */
function withInheritedDsaParameters(opts: VerifyOptions): VerifyOptions {
  const all = [opts.leaf, ...(opts.untrusted ?? []), ...opts.trusted];
  if (!all.some((c) => c.publicKey.kind === 'unknown' && c.publicKey.algorithm.oid === OID.dsa)) return opts;
  const m = inheritDsaParameters(all);
  if (m.size === 0) return opts;
  const swap = (c: Certificate) => m.get(c) ?? c;
  const out: VerifyOptions = { ...opts, leaf: swap(opts.leaf), untrusted: opts.untrusted?.map(swap), trusted: opts.trusted.map(swap) };
  if (nestedCrlPath.has(opts)) nestedCrlPath.add(out);
  return out;
}

/** check_crl_path: verify the CRL issuer with the same inputs (CRLs too), without recursion */
function installCrlPathHook(ctx: Ctx): void {
  const o = ctx.opts;
  if (o.profile !== 'rfc5280' || o.crlMode === 'none' || o.crlMode === undefined || nestedCrlPath.has(o)) return;
  ctx.crlPathHook = (issuer) => {
    const nested: VerifyOptions = {
      ...o,
      leaf: issuer,
      purpose: undefined,
      hostname: undefined,
      ip: undefined,
      callback: 'stop',
      extra: undefined,
    };
    nestedCrlPath.add(nested);
    const r = verifyWithin(nested, {}, ctx.budget);
    if (ctx.budget.exhausted) return 'out-of-budget';
    return r.ok ? r.chain : undefined;
  };
}
