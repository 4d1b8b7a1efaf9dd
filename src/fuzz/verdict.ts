// Our side of the differential: run the path validator on a built case the way each oracle
// runs OpenSSL (`openssl verify` with PostgreSQL's flags; a TLS 1.3 client that forgives
// nothing but records the last error), reduce the outcome to a comparable Verdict, name the
// decision path it took (for guidance), and compare with an oracle's Verdict.

import { isX509InputError } from '../x509/errors.js';
import { loadCertificate } from '../x509/certificate.js';
import { loadCrl } from '../x509/crl.js';
import type { Certificate, Crl } from '../x509/types.js';
import { verifyChain } from '../path/validator.js';
import { OPENSSL_VERIFY_FORGIVES, type VerifyOptions, type VerifyResult } from '../path/context.js';
import { parseIpAsc } from '../path/hostname.js';
import { errorName } from '../path/errors.js';
import type { Verifier } from '../path/signature.js';
import type { BuiltCase } from './build.js';

/** ok, failed with errors (`code@depth`, in order), or an input that does not load at all. */
export interface Verdict {
  status: 'ok' | 'fail' | 'load';
  errors: string[];
  /** free text: which input did not load, the oracle's message */
  note?: string;
}

export interface Ours {
  /** as `openssl verify` with PostgreSQL's flags (forgiving callback of apps/verify.c) */
  verify: Verdict;
  /** as a TLS client does: purpose sslserver, no host check; undefined when an input does not load */
  tls?: Verdict;
  /** the decision path: verdict, errors and the set of trace steps */
  pathKey: string;
  /** an exception that is not a typed input error: a bug */
  crash?: string;
  /** every time in the case sits on the same side of T as of the wall clock (the TLS oracle cannot set a time) */
  timeStable: boolean;
  result?: VerifyResult;
}

interface Parsed {
  leaf: Certificate;
  trusted: Certificate[];
  untrusted: Certificate[];
  crls: Crl[];
}

/** Parses every input; a typed error names the input that failed. */
export function parseCase(b: BuiltCase): Parsed | { failed: string; message: string } {
  const one = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (isX509InputError(e)) throw new LoadFailure(what, e.message);
      throw e;
    }
  };
  try {
    return {
      leaf: one('leaf', () => loadCertificate(b.leaf)),
      trusted: b.trusted.map((d, i) => one(`trusted[${i}]`, () => loadCertificate(d))),
      untrusted: b.untrusted.map((d, i) => one(`untrusted[${i}]`, () => loadCertificate(d))),
      crls: b.crls.map((d, i) => one(`crl[${i}]`, () => loadCrl(d))),
    };
  } catch (e) {
    if (e instanceof LoadFailure) return { failed: e.what, message: e.message };
    throw e;
  }
}

class LoadFailure extends Error {
  constructor(
    readonly what: string,
    message: string,
  ) {
    super(message);
  }
}

function verdictOf(r: VerifyResult): Verdict {
  const errors = r.errors.filter((e) => !e.noCallback).map((e) => `${e.code}@${e.depth}`);
  return { status: r.ok ? 'ok' : 'fail', errors, ...(r.budgetExceeded ? { note: 'work budget exceeded' } : {}) };
}

function timeStable(p: Parsed, t: number, now: number): boolean {
  const side = (x: number, lo: number | null, hi: number | null) =>
    `${lo === null ? '?' : x < lo ? '<' : '='}${hi === null ? '?' : x > hi ? '>' : '='}`;
  const certs = [p.leaf, ...p.trusted, ...p.untrusted];
  for (const c of certs) if (side(t, c.notBefore.ms, c.notAfter.ms) !== side(now, c.notBefore.ms, c.notAfter.ms)) return false;
  for (const c of p.crls) {
    const nu = c.nextUpdate ? c.nextUpdate.ms : Infinity;
    if (side(t, c.thisUpdate.ms, nu) !== side(now, c.thisUpdate.ms, nu)) return false;
  }
  return true;
}

export function verifyOptions(b: BuiltCase, p: Parsed, verifier?: Verifier): VerifyOptions {
  return {
    leaf: p.leaf,
    trusted: p.trusted,
    untrusted: p.untrusted,
    crls: p.crls,
    time: b.time,
    purpose: b.purpose,
    crlMode: p.crls.length ? 'all' : 'none',
    authLevel: 2,
    hostname: b.hostname,
    ip: b.ip ? (parseIpAsc(b.ip) ?? undefined) : undefined,
    callback: 'openssl-verify',
    verifier,
  };
}

export function runOurs(b: BuiltCase, verifier?: Verifier, now = Date.now()): Ours {
  let p: ReturnType<typeof parseCase>;
  try {
    p = parseCase(b);
  } catch (e) {
    return crashed(e);
  }
  if ('failed' in p) {
    const v: Verdict = { status: 'load', errors: [], note: `${p.failed}: ${p.message}` };
    return { verify: v, pathKey: `load|${p.failed.replace(/\[\d+\]/, '')}`, timeStable: false };
  }
  try {
    const opts = verifyOptions(b, p, verifier);
    const r = verifyChain(opts);
    const tls = verifyChain({ ...opts, purpose: 'sslserver', hostname: undefined, ip: undefined });
    const verify = verdictOf(r);
    const steps = [...new Set(r.trace.map((s) => `${s.step}:${s.result}`))].sort().join(',');
    return {
      verify,
      tls: verdictOf(tls),
      pathKey: `${verify.status}|${verify.errors.join(',')}|${steps}`,
      timeStable: timeStable(p, b.time.getTime(), now),
      result: r,
    };
  } catch (e) {
    return crashed(e);
  }
}

function crashed(e: unknown): Ours {
  const msg = e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}` : String(e);
  return { verify: { status: 'fail', errors: [], note: 'crash' }, pathKey: 'crash', crash: msg, timeStable: false };
}

export type OracleName = 'openssl' | 'node-tls';

/** How two verdicts differ; undefined when they agree. */
export type DiffKind =
  | 'verdict-we-accept'
  | 'verdict-we-reject'
  | 'load-we-accept'
  | 'load-we-reject'
  | 'first-error'
  | 'later-errors'
  | 'last-error';

const code = (e: string) => Number(e.split('@')[0]);

export function compareVerify(ours: Verdict, theirs: Verdict): DiffKind | undefined {
  if (ours.status === 'load' || theirs.status === 'load') {
    if (ours.status === theirs.status) return undefined;
    return ours.status === 'load' ? 'load-we-reject' : 'load-we-accept';
  }
  if (ours.status !== theirs.status) return ours.status === 'ok' ? 'verdict-we-accept' : 'verdict-we-reject';
  if (ours.errors[0] !== theirs.errors[0]) return 'first-error';
  if (ours.errors.join(' ') !== theirs.errors.join(' ')) return 'later-errors';
  return undefined;
}

/**
 * The TLS oracle sees the verdict and the last error only (Node's callback forgives every
 * error, so OpenSSL continues where `openssl verify` stops): the codes are comparable
 * exactly when every error we report is one apps/verify.c forgives too.
 */
export function compareTls(ours: Verdict, theirs: Verdict): DiffKind | undefined {
  if (ours.status === 'load' || theirs.status === 'load') {
    if (ours.status === theirs.status) return undefined;
    return ours.status === 'load' ? 'load-we-reject' : 'load-we-accept';
  }
  if (ours.status !== theirs.status) return ours.status === 'ok' ? 'verdict-we-accept' : 'verdict-we-reject';
  if (ours.status === 'fail' && ours.errors.every((e) => OPENSSL_VERIFY_FORGIVES.has(code(e)))) {
    const last = ours.errors[ours.errors.length - 1];
    if (last && theirs.errors[0] && code(last) !== code(theirs.errors[0])) return 'last-error';
  }
  return undefined;
}

export function describeVerdict(v: Verdict): string {
  if (v.status === 'ok') return 'OK';
  if (v.status === 'load') return `load error${v.note ? ` (${v.note})` : ''}`;
  return v.errors.map((e) => `${errorName(code(e))}(${e})`).join(' ') || `fail${v.note ? ` (${v.note})` : ''}`;
}
