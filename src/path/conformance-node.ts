// File access for the conformance suites (../shared/conformance): loading x509-limbo and
// NIST PKITS with OpenSSL's recorded verdicts, and running one PKITS case the way the
// recording ran `openssl verify -attime 1302825600 -CAfile TA -untrusted INTERMEDIATES
// -CRLfile CRLS -crl_check_all EE`. Shared by scripts/limbo.ts, scripts/pkits.ts and the tests.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseCertificates } from '../x509/certificate.js';
import { parseCrls } from '../x509/crl.js';
import type { Certificate, Crl } from '../x509/types.js';
import type { Profile, VerifyResult } from './context.js';
import type { LimboCase } from './limbo-case.js';
import { verifyChain } from './validator.js';
import type { Verifier } from './signature.js';

/** ../shared/conformance relative to the repository root, or undefined when absent */
export function conformanceDir(repoRoot: string): string | undefined {
  const d = resolve(repoRoot, '../shared/conformance');
  return existsSync(d) ? d : undefined;
}

interface LimboData {
  testcases: LimboCase[];
  openssl: Record<string, { result: 'SUCCESS' | 'FAILURE' | 'SKIPPED'; context: string | null }>;
}

export function loadLimbo(dir: string): LimboData {
  const raw = readFileSync(join(dir, 'x509-limbo/limbo.json.gz'));
  const testcases = (JSON.parse(gunzipSync(raw).toString('utf8')) as { testcases: LimboCase[] }).testcases;
  const openssl = (
    JSON.parse(readFileSync(join(dir, 'x509-limbo/openssl-3.0.19-pglike.json'), 'utf8')) as { results: LimboData['openssl'] }
  ).results;
  return { testcases, openssl };
}

interface PkitsTest {
  number: string;
  name: string;
  certs: string[];
  crls: string[];
  should_validate: boolean;
  initial_policy_set?: string[];
  initial_explicit_policy?: boolean;
  initial_policy_mapping_inhibit?: boolean;
  initial_inhibit_any_policy?: boolean;
}

interface PkitsRecord {
  number: string;
  name: string;
  expected_valid: boolean;
  openssl_valid: boolean;
  openssl_error: string;
}

interface PkitsData {
  dir: string;
  tests: PkitsTest[];
  openssl: PkitsRecord[];
  time: Date;
  policyOids: Record<string, string>;
}

export function loadPkits(dir: string): PkitsData {
  const p = join(dir, 'pkits');
  const tc = JSON.parse(readFileSync(join(p, 'pkits-testcases.json'), 'utf8')) as {
    defaults: { time: string; policy_oids: Record<string, string> };
    tests: PkitsTest[];
  };
  const rec = JSON.parse(readFileSync(join(p, 'openssl-3.0.19-pg.json'), 'utf8')) as { results: PkitsRecord[] };
  return { dir: p, tests: tc.tests, openssl: rec.results, time: new Date(tc.defaults.time), policyOids: tc.defaults.policy_oids };
}

const certCache = new Map<string, Certificate>();
const crlCache = new Map<string, Crl>();

function pkitsCert(dir: string, name: string): Certificate {
  let c = certCache.get(name);
  if (!c) certCache.set(name, (c = parseCertificates(new Uint8Array(readFileSync(join(dir, 'certs', `${name}.crt`))))[0]));
  return c;
}

function pkitsCrl(dir: string, name: string): Crl {
  let c = crlCache.get(name);
  if (!c) crlCache.set(name, (c = parseCrls(new Uint8Array(readFileSync(join(dir, 'crls', `${name}.crl`))))[0]));
  return c;
}

/** `error N at D` pairs of an `openssl verify` transcript */
export function opensslErrorPairs(text: string): string[] {
  return [...text.matchAll(/error (\d+) at (\d+) depth lookup/g)].map((m) => `${m[1]}@${m[2]}`);
}

export function runPkits(data: PkitsData, t: PkitsTest, profile: Profile, verifier: Verifier | undefined = undefined): VerifyResult {
  const certs = t.certs.map((n) => pkitsCert(data.dir, n));
  const crls = t.crls.map((n) => pkitsCrl(data.dir, n));
  return verifyChain({
    leaf: certs[certs.length - 1],
    trusted: [certs[0]],
    untrusted: certs.slice(1, -1),
    crls,
    // 2011-04-15T00:00:00Z is -attime 1302825600
    time: data.time,
    crlMode: crls.length ? 'all' : 'none',
    authLevel: 0,
    profile,
    verifier,
    callback: 'openssl-verify',
    // PKITS's RFC 5280 inputs; only the rfc5280 profile processes policies
    policy: {
      initialPolicySet: t.initial_policy_set?.map((n) => data.policyOids[n] ?? n),
      initialExplicitPolicy: t.initial_explicit_policy,
      initialPolicyMappingInhibit: t.initial_policy_mapping_inhibit,
      initialAnyPolicyInhibit: t.initial_inhibit_any_policy,
    },
  });
}
