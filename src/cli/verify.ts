// `pgtls verify`: a drop-in for `openssl verify` (OpenSSL 3.0): same options, same output
// (`FILE: OK` on stdout; for each error the certificate's subject line and
// `error N at D depth lookup: MESSAGE` on stderr, then `error FILE: verification failed`),
// same exit codes (0 all verified, 2 otherwise). `--explain` prints every step of the
// decision; `--json` prints the structured result instead.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, UsageError } from './args.js';
import { parseCertificates } from '../x509/certificate.js';
import { parseCrls } from '../x509/crl.js';
import { formatNameOneline } from '../x509/name.js';
import type { Certificate, Crl } from '../x509/types.js';
import { verifyChain, type VerifyResult } from '../path/validator.js';
import { readHashedDir, dedupe, HASHED_CERT_NAME, HASHED_CRL_NAME } from '../path/store.js';
import { parseIpAsc } from '../path/hostname.js';
import { cryptoWithNodeFallback } from '../path/verify-node.js';
import type { Purpose } from '../path/purpose.js';

const HELP = `Usage: pgtls verify [options] CERT...
  -CAfile F          trusted certificates (PEM/DER)
  -CApath D          hashed directory of trusted certificates (<hash>.N) and CRLs (<hash>.rN)
  -untrusted F       untrusted intermediates (repeatable)
  -CRLfile F         CRLs (repeatable)
  -crl_check         check the leaf against CRLs
  -crl_check_all     check every certificate against CRLs
  -purpose P         sslserver | sslclient | any
  -attime EPOCH      verify at this time (seconds since 1970)
  -verify_hostname H check the host name as X509_check_host does
  -verify_ip IP      check the IP address (iPAddress SANs)
  -verify_depth N    maximum number of intermediates
  -auth_level N      security level for keys and signatures (default: none, as openssl verify)
  -x509_strict       X509_V_FLAG_X509_STRICT
  -profile P         openssl (default) | rfc5280
  --explain          print every step of the decision
  --json             print the structured result
`;

const PURPOSES: Record<string, Purpose> = { sslserver: 'sslserver', sslclient: 'sslclient', any: 'any' };

function readCerts(file: string): Certificate[] {
  return parseCertificates(new Uint8Array(readFileSync(file)), { ignoreOtherBlocks: true });
}

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`${name} needs an integer, got '${v}'`);
  return Number(v);
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-help')) {
    process.stdout.write(HELP);
    return 0;
  }
  const { opts, positionals } = parseArgs(argv, {
    values: ['CAfile', 'CApath', 'purpose', 'attime', 'verify_hostname', 'verify_ip', 'verify_depth', 'auth_level', 'profile'],
    flags: ['crl_check', 'crl_check_all', 'x509_strict', 'explain', 'json'],
    repeat: ['untrusted', 'CRLfile'],
  });
  const trusted: Certificate[] = [];
  const crls: Crl[] = [];
  const untrusted: Certificate[] = [];
  const notes: string[] = [];
  if (typeof opts.CAfile === 'string') trusted.push(...readCerts(opts.CAfile));
  if (typeof opts.CApath === 'string') {
    const dir = opts.CApath;
    // only <hash>.N / <hash>.rN files are ever opened; the others are listed as skipped by name
    const entries = readdirSync(dir).map((name) => {
      if (!HASHED_CERT_NAME.test(name) && !HASHED_CRL_NAME.test(name)) return { name, bytes: new Uint8Array(0) };
      try {
        return { name, bytes: new Uint8Array(readFileSync(join(dir, name))) };
      } catch {
        return { name, bytes: new Uint8Array(0) };
      }
    });
    const hd = readHashedDir(entries, (b) => parseCertificates(b, { ignoreOtherBlocks: true }), (b) => parseCrls(b, { ignoreOtherBlocks: true }));
    trusted.push(...hd.certs);
    crls.push(...hd.crls);
    for (const s of hd.skipped) notes.push(`CApath: skipped ${s.name}: ${s.why}`);
  }
  for (const f of (opts.untrusted as string[] | undefined) ?? []) untrusted.push(...readCerts(f));
  for (const f of (opts.CRLfile as string[] | undefined) ?? []) crls.push(...parseCrls(new Uint8Array(readFileSync(f)), { ignoreOtherBlocks: true }));
  let purpose: Purpose | undefined;
  if (typeof opts.purpose === 'string') {
    purpose = PURPOSES[opts.purpose.replace('_', '')];
    if (!purpose) throw new UsageError(`unknown purpose '${opts.purpose}' (sslserver, sslclient, any)`);
  }
  let ip: Uint8Array | undefined;
  if (typeof opts.verify_ip === 'string') {
    ip = parseIpAsc(opts.verify_ip) ?? undefined;
    if (!ip) throw new UsageError(`invalid IP address '${opts.verify_ip}'`);
  }
  const attime = num(opts.attime as string | undefined, '-attime');
  const profile = opts.profile === 'rfc5280' ? 'rfc5280' : 'openssl';
  if (positionals.length === 0) throw new UsageError('no certificate given (pgtls verify reads files, not stdin)');

  let allOk = true;
  const jsonOut: unknown[] = [];
  for (const file of positionals) {
    let leaves: Certificate[];
    try {
      leaves = readCerts(file);
    } catch (e) {
      console.error(`Unable to load certificate file ${file}: ${e instanceof Error ? e.message : String(e)}`);
      allOk = false;
      continue;
    }
    const result = verifyChain({
      leaf: leaves[0],
      trusted: dedupe(trusted),
      untrusted: opts.untrusted ? untrusted : undefined,
      crls,
      time: attime !== undefined ? new Date(attime * 1000) : new Date(),
      purpose,
      crlMode: opts.crl_check_all ? 'all' : opts.crl_check ? 'leaf' : 'none',
      maxDepth: num(opts.verify_depth as string | undefined, '-verify_depth'),
      authLevel: num(opts.auth_level as string | undefined, '-auth_level') ?? 0,
      profile,
      hostname: typeof opts.verify_hostname === 'string' ? opts.verify_hostname : undefined,
      ip,
      x509Strict: opts.x509_strict === true || profile === 'rfc5280',
      verifier: cryptoWithNodeFallback,
      callback: 'openssl-verify',
    }, { subjectOf: (c) => formatNameOneline(c.subject) });
    if (!result.ok) allOk = false;
    if (opts.json) {
      jsonOut.push(toJson(file, result, notes));
      continue;
    }
    if (opts.explain) printTrace(result, notes);
    for (const e of result.errors) {
      if (e.noCallback) continue;
      if (e.cert) console.error(formatNameOneline(e.cert.subject));
      console.error(`${e.crlPath ? '[CRL path] ' : ''}error ${e.code} at ${e.depth} depth lookup: ${e.message}`);
    }
    if (result.ok) console.log(`${file}: OK`);
    else console.error(`error ${file}: verification failed`);
  }
  if (opts.json) console.log(JSON.stringify(jsonOut.length === 1 ? jsonOut[0] : jsonOut, null, 2));
  return allOk ? 0 : 2;
}

function printTrace(r: VerifyResult, notes: string[]): void {
  for (const n of notes) console.log(`  note: ${n}`);
  for (const s of r.trace) {
    const where = s.depth !== undefined ? ` [depth ${s.depth}]` : '';
    console.log(`  ${s.result.toUpperCase().padEnd(4)} ${s.step}${where}${s.subject ? ` ${s.subject}` : ''}: ${s.detail}`);
  }
  console.log(`  chain: ${r.chain.map((c) => formatNameOneline(c.subject)).join('  <-  ')}`);
}

function toJson(file: string, r: VerifyResult, notes: string[]): unknown {
  return {
    file,
    ok: r.ok,
    error: r.error ? { code: r.error.code, name: r.error.name, message: r.error.message, depth: r.error.depth } : undefined,
    errors: r.errors.map((e) => ({ code: e.code, name: e.name, message: e.message, depth: e.depth, subject: e.cert ? formatNameOneline(e.cert.subject) : undefined })),
    chain: r.chain.map((c) => formatNameOneline(c.subject)),
    trace: r.trace,
    notes,
    budgetExceeded: r.budgetExceeded,
  };
}
