// The state one verification carries (OpenSSL's X509_STORE_CTX, reduced to what the
// verify_chain steps read and write), the verify-callback model, the step trace and the
// work budget.

import type { Certificate, Crl } from '../x509/types.js';
import type { Verifier } from './signature.js';
import { errorMessage, errorName, X509_V_ERR, X509_V_OK, type X509ErrorCode, type X509ErrorName } from './errors.js';
import type { Purpose } from './purpose.js';

export type Profile = 'openssl' | 'rfc5280';

export interface VerifyOptions {
  leaf: Certificate;
  untrusted?: Certificate[];
  trusted: Certificate[];
  crls?: Crl[];
  /** validation time (X509_V_FLAG_USE_CHECK_TIME); default now */
  time?: Date;
  /** X509_STORE_CTX purpose; undefined = no purpose check (openssl verify without -purpose) */
  purpose?: Purpose;
  /** none | leaf (X509_V_FLAG_CRL_CHECK) | all (CRL_CHECK | CRL_CHECK_ALL) */
  crlMode?: 'none' | 'leaf' | 'all';
  /** X509_VERIFY_PARAM depth; OpenSSL's default is 100 */
  maxDepth?: number;
  /** security level for keys and signatures; 2 = Debian 12 default for TLS (PostgreSQL) */
  authLevel?: number;
  /** whose security bits authLevel compares ('1.1': OpenSSL 1.1.1's, SHA-1 80; default 3.0's, SHA-1 63) */
  opensslVersion?: string;
  profile?: Profile;
  /** X509_VERIFY_PARAM_set1_host */
  hostname?: string;
  /** X509_VERIFY_PARAM_set1_ip (4 or 16 bytes) */
  ip?: Uint8Array;
  /** X509_V_FLAG_X509_STRICT (implied by the rfc5280 profile) */
  x509Strict?: boolean;
  /** X509_V_FLAG_PARTIAL_CHAIN: a trusted certificate anchors the chain even when not self-signed */
  partialChain?: boolean;
  /** X509_V_FLAG_IGNORE_CRITICAL: unhandled critical extensions (certificates and CRLs) are no error */
  ignoreCritical?: boolean;
  /** X509_V_FLAG_NO_CHECK_TIME: no validity checks at all, unless `time` is given (USE_CHECK_TIME wins) */
  noCheckTime?: boolean;
  /** X509_V_FLAG_CHECK_SS_SIGNATURE: verify the self-signature of a self-signed anchor too */
  checkSsSig?: boolean;
  /** X509_VERIFY_PARAM_set1_email */
  email?: string;
  /** X509_V_FLAG_SUITEB_*: 128 (128-bit LOS, 192 allowed), 128_only, 192 */
  suiteB?: '128' | '128_only' | '192';
  /** X509_V_FLAG_POLICY_CHECK: RFC 5280 policy processing (with `policy`) in the openssl profile too */
  policyCheck?: boolean;
  /** signature verification (src/crypto's verifySignature) */
  verifier?: Verifier;
  /**
   * X509_set0_distinguishing_id on the leaf (`openssl verify -vfyopt distid:`): the SM2 ID its
   * own signature is verified with. Set, it makes the leaf's signature fail under any other key
   * type (EVP_DigestVerifyInit refuses the parameter). The other certificates have none.
   */
  distid?: Uint8Array;
  /** upper bound on issuer checks, signature verifications and path-search steps, for the whole verification */
  workBudget?: number;
  /**
   * 'openssl-verify': continue after the errors apps/verify.c's callback forgives (the list
   * `openssl verify` prints). 'stop': the first error ends verification (PostgreSQL, TLS).
   * The first error is the same in both; default 'openssl-verify'.
   */
  callback?: 'openssl-verify' | 'stop';
  /** RFC 5280 6.1.1 policy inputs (policy processing runs in the rfc5280 profile, or with policyCheck) */
  policy?: import('./policy.js').PolicyInputs;
  /** rfc5280 profile only: the caller's required leaf key usages / EKUs (limbo's fields) */
  extra?: { keyUsage?: string[]; extendedKeyUsage?: string[]; validationKind?: 'SERVER' | 'CLIENT' };
}

export interface VerifyError {
  code: X509ErrorCode;
  /** X509_V_ERR_<name> */
  name: X509ErrorName;
  message: string;
  depth: number;
  /** the certificate OpenSSL reports as current (its subject is printed before the error) */
  cert?: Certificate;
  /** true when this came from CRL checking of a CRL issuer path ([CRL path]) */
  crlPath?: boolean;
  /** set by an internal error: OpenSSL records it without calling the callback (nothing printed) */
  noCallback?: boolean;
  /**
   * The reason OpenSSL's error queue holds first after this error, when a lower layer
   * pushed one (signature failures: "invalid padding", "EVP lib"...): what libpq prints as
   * `SSL error: ...` and the server logs instead of "certificate verify failed".
   */
  opensslReason?: string;
  /** the kind of signature whose check left `opensslReason` (the queue's RSA lines differ for PKCS#1 v1.5 and PSS) */
  signatureKind?: import('../x509/types.js').SignatureAlgorithm['kind'];
  /** with "salt length check failed": the salt length the PSS parameters require and the one the signature holds */
  pssSalt?: { expected: number; retrieved: number };
}

export interface Step {
  /** what ran: build, trusted-lookup, untrusted-lookup, candidate, check-extensions, ... */
  step: string;
  depth?: number;
  /** subject line of the certificate concerned */
  subject?: string;
  result: 'ok' | 'fail' | 'info' | 'skip';
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  /** the first error: what PostgreSQL / a TLS peer would see */
  error?: VerifyError;
  /** every error in order, as `openssl verify` prints them */
  errors: VerifyError[];
  chain: Certificate[];
  /** how many certificates at the start of `chain` are untrusted (X509_STORE_CTX_get_num_untrusted) */
  numUntrusted?: number;
  trace: Step[];
  /** true when the work budget ran out (the result is then a failure) */
  budgetExceeded?: boolean;
  /**
   * openssl profile with policy checking: what OpenSSL's policy check left for policies_print
   * (printed with -policy_print after a clean success, and with NO_EXPLICIT_POLICY)
   */
  policyReport?: import('./policy.js').PolicyReport;
}

/** Errors apps/verify.c's cb() turns into ok=1 so that verification continues. */
export const OPENSSL_VERIFY_FORGIVES: ReadonlySet<number> = new Set<X509ErrorCode>([
  X509_V_ERR.NO_EXPLICIT_POLICY,
  X509_V_ERR.CERT_HAS_EXPIRED,
  X509_V_ERR.DEPTH_ZERO_SELF_SIGNED_CERT,
  X509_V_ERR.INVALID_CA,
  X509_V_ERR.INVALID_NON_CA,
  X509_V_ERR.PATH_LENGTH_EXCEEDED,
  X509_V_ERR.INVALID_PURPOSE,
  X509_V_ERR.CRL_HAS_EXPIRED,
  X509_V_ERR.CRL_NOT_YET_VALID,
  X509_V_ERR.UNHANDLED_CRITICAL_EXTENSION,
  // errors due to strict conformance checking
  X509_V_ERR.PATHLEN_INVALID_FOR_NON_CA,
  X509_V_ERR.PATHLEN_WITHOUT_KU_KEY_CERT_SIGN,
  X509_V_ERR.KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA,
  X509_V_ERR.ISSUER_NAME_EMPTY,
  X509_V_ERR.SUBJECT_NAME_EMPTY,
  X509_V_ERR.MISSING_AUTHORITY_KEY_IDENTIFIER,
  X509_V_ERR.MISSING_SUBJECT_KEY_IDENTIFIER,
  X509_V_ERR.EMPTY_SUBJECT_ALT_NAME,
  X509_V_ERR.EMPTY_SUBJECT_SAN_NOT_CRITICAL,
  X509_V_ERR.CA_BCONS_NOT_CRITICAL,
  X509_V_ERR.AUTHORITY_KEY_IDENTIFIER_CRITICAL,
  X509_V_ERR.SUBJECT_KEY_IDENTIFIER_CRITICAL,
  X509_V_ERR.CA_CERT_MISSING_KEY_USAGE,
  X509_V_ERR.EXTENSIONS_REQUIRE_VERSION_3,
  // not EC_KEY_EXPLICIT_PARAMS: openssl verify 3.0.19 stops at the first key with explicit
  // parameters (leaf, intermediate and root all explicit: one error 94, at depth 0)
]);

/** The work budget when the caller sets none: far above what any real chain needs (x509-limbo's pathological cases included). */
const DEFAULT_WORK_BUDGET = 20000;

/**
 * The work one verification may do (rustls-webpki's Budget): issuer checks, signature
 * verifications and path-search steps, one allowance shared by chain building, every check,
 * CRL issuer paths and the rfc5280 profile's search for another path, so that no input makes
 * verification slow. Each step takes its share before it runs; running out is an outcome the
 * step returns ('out-of-budget'), never an exception.
 */
export class Budget {
  private spent = 0;
  constructor(readonly limit: number) {}

  /** takes `n` units; false once more than `limit` have been taken (and from then on) */
  take(n = 1): boolean {
    this.spent += n;
    return !this.exhausted;
  }

  get exhausted(): boolean {
    return this.spent > this.limit;
  }
}

/** What a step that spends the budget found: its answer, or that the budget ran out first. */
export type OutOfBudget = 'out-of-budget';

export class Ctx {
  chain: Certificate[] = [];
  numUntrusted = 0;
  /** ctx->error: sticky, last error reported */
  error: X509ErrorCode = X509_V_OK;
  errorDepth = 0;
  errors: VerifyError[] = [];
  /** set by the openssl profile's policy check (VerifyResult.policyReport) */
  policyReport?: import('./policy.js').PolicyReport;
  trace: Step[] = [];
  /** validates a CRL issuer that is not on the path; returns its chain when valid */
  crlPathHook?: (issuer: Certificate) => Certificate[] | undefined | OutOfBudget;
  /** the top of the chain is a trust anchor even when not self-signed (rfc5280 path search) */
  partialChain = false;
  /** OpenSSL's first queued error reason from the last failed signature check, for the next fail() */
  pendingOpensslReason?: string;
  /** the kind of that signature */
  pendingSignatureKind?: import('../x509/types.js').SignatureAlgorithm['kind'];
  /** the PSS salt lengths that signature check found in disagreement */
  pendingPssSalt?: { expected: number; retrieved: number };
  readonly strict: boolean;
  /** the rfc5280 profile's extra rules are on */
  readonly rfc5280: boolean;
  readonly timeMs: number;
  /** false with X509_V_FLAG_NO_CHECK_TIME and no explicit time: every time check passes */
  readonly checkTime: boolean;
  readonly authLevel: number;
  readonly depth: number;
  readonly crls: Crl[];
  readonly untrusted: Certificate[] | undefined;

  constructor(
    readonly opts: VerifyOptions,
    readonly subjectOf: (c: Certificate) => string,
    /** shared with every other Ctx of the same verification (alternative paths, CRL issuer paths) */
    readonly budget: Budget = new Budget(opts.workBudget ?? DEFAULT_WORK_BUDGET),
  ) {
    this.rfc5280 = opts.profile === 'rfc5280';
    this.strict = opts.x509Strict ?? this.rfc5280;
    this.timeMs = (opts.time ?? new Date()).getTime();
    this.checkTime = !(opts.noCheckTime && opts.time === undefined);
    this.partialChain = opts.partialChain === true;
    this.authLevel = opts.authLevel ?? 2;
    this.depth = Math.min(opts.maxDepth ?? 100, 0x3fffffff);
    this.crls = opts.crls ?? [];
    this.untrusted = opts.untrusted;
  }

  note(step: string, result: Step['result'], detail: string, cert?: Certificate, depth?: number): void {
    this.trace.push({ step, result, detail, depth, subject: cert ? this.subjectOf(cert) : undefined });
  }

  /** verify_cb_cert(ctx, x, depth, err) with ok=0: records the error; returns "continue?" */
  fail(code: X509ErrorCode, depth: number, cert?: Certificate | null, step = 'error'): boolean {
    this.error = code;
    this.errorDepth = depth;
    // null: OpenSSL reports no current certificate (check_policy's NO_EXPLICIT_POLICY)
    const c = cert === null ? undefined : (cert ?? this.chain[depth]);
    const opensslReason = this.pendingOpensslReason;
    const signatureKind = this.pendingSignatureKind;
    const pssSalt = this.pendingPssSalt;
    this.pendingOpensslReason = undefined;
    this.pendingSignatureKind = undefined;
    this.pendingPssSalt = undefined;
    this.errors.push({
      code,
      name: errorName(code),
      message: errorMessage(code),
      depth,
      cert: c,
      ...(opensslReason ? { opensslReason } : {}),
      ...(opensslReason && signatureKind ? { signatureKind } : {}),
      ...(opensslReason && pssSalt ? { pssSalt } : {}),
    });
    this.note(step, 'fail', `error ${code} (${errorName(code)}): ${errorMessage(code)}`, c, depth);
    if (this.opts.callback === 'stop') return false;
    return OPENSSL_VERIFY_FORGIVES.has(code);
  }
}
