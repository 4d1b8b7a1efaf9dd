// A finding as a replayable vector: the PEM files of the case, the `openssl verify` command
// line with PostgreSQL's flags that judges it, and a case.json with the spec (to rebuild it
// from the fixed keys), both verdicts and the run that found it. Also reads a vector back.

import { pemEncode } from '../der/index.js';
import type { BuiltCase } from './build.js';
import { FUZZ_TIME, type CaseSpec } from './model.js';
import type { Verdict } from './verdict.js';

export interface VectorMeta {
  id: string;
  seed: number;
  index: number;
  oracle: string;
  kind: string;
  ours: Verdict;
  theirs?: Verdict;
  original?: CaseSpec;
  crash?: string;
}

export interface CaseJson extends VectorMeta {
  spec: CaseSpec;
  time: string;
  purpose?: string;
  hostname?: string;
  ip?: string;
  replay: string;
}

/**
 * `openssl verify` as PostgreSQL configures OpenSSL: the given trust store only (no default
 * paths), -untrusted for the bundle, CRL_CHECK_ALL exactly when there are CRLs, a fixed
 * -attime, security level 2, no -partial_chain; purpose and host name as the case says.
 */
export function opensslVerifyArgs(b: BuiltCase, f: { trusted: string; untrusted: string; crls: string; leaf: string }): string[] {
  const a = ['verify', '-no-CApath', '-no-CAstore'];
  if (b.trusted.length) a.push('-CAfile', f.trusted);
  else a.push('-no-CAfile');
  if (b.untrusted.length) a.push('-untrusted', f.untrusted);
  if (b.crls.length) a.push('-CRLfile', f.crls, '-crl_check_all');
  a.push('-attime', String(Math.floor(b.time.getTime() / 1000)), '-auth_level', '2');
  if (b.purpose) a.push('-purpose', b.purpose);
  if (b.hostname) a.push('-verify_hostname', b.hostname);
  if (b.ip) a.push('-verify_ip', b.ip);
  a.push(f.leaf);
  return a;
}

export const pemOf = (label: string, ders: Uint8Array[]): string => ders.map((d) => pemEncode(label, d)).join('');

export const VECTOR_FILES = { leaf: 'leaf.pem', trusted: 'trusted.pem', untrusted: 'untrusted.pem', crls: 'crls.pem' };

export function findingFiles(b: BuiltCase, meta: VectorMeta): Record<string, string> {
  const shq = (s: string) => (/^[\w./:=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const replay = `openssl ${opensslVerifyArgs(b, VECTOR_FILES).map(shq).join(' ')}`;
  const json: CaseJson = {
    ...meta,
    spec: b.spec,
    time: (b.time ?? FUZZ_TIME).toISOString(),
    purpose: b.purpose,
    hostname: b.hostname,
    ip: b.ip,
    replay,
  };
  const files: Record<string, string> = {
    'case.json': `${JSON.stringify(json, null, 2)}\n`,
    [VECTOR_FILES.leaf]: pemOf('CERTIFICATE', [b.leaf]),
    'replay.sh': `#!/bin/sh\n# ${meta.id}: ours ${JSON.stringify(meta.ours)} / ${meta.oracle} ${JSON.stringify(meta.theirs ?? null)}\ncd "$(dirname "$0")" && ${replay}\n`,
  };
  if (b.trusted.length) files[VECTOR_FILES.trusted] = pemOf('CERTIFICATE', b.trusted);
  if (b.untrusted.length) files[VECTOR_FILES.untrusted] = pemOf('CERTIFICATE', b.untrusted);
  if (b.crls.length) files[VECTOR_FILES.crls] = pemOf('X509 CRL', b.crls);
  return files;
}
