// The two OpenSSL oracles (Node only). `openssl verify` as a process, with PostgreSQL's
// flags, many cases per shell script (one process spawn per case, one shell per batch), and
// OpenSSL in-process through Node's `tls`: a TLS 1.3 handshake over an in-memory duplex
// pair, the server presenting leaf + bundle, the client holding `ca`/`crl` at security level
// 2; the client's verify result is read from the socket. Node cannot set a verification
// time, so the campaign sends it only cases whose times classify the wall clock like the
// fixed validation time (Ours.timeStable).

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { X509_ERRORS } from '../path/errors.js';
import type { BuiltCase } from './build.js';
import type { Oracle } from './campaign.js';
import type { KeyName } from './model.js';
import type { Verdict } from './verdict.js';
import { opensslVerifyArgs, pemOf } from './vector.js';

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Parses one `openssl verify` transcript (stdout+stderr) and its exit status. */
export function parseOpensslVerify(out: string, rc: number): Verdict {
  const errors = [...out.matchAll(/error (\d+) at (\d+) depth lookup/g)].map((m) => `${m[1]}@${m[2]}`);
  if (rc === 0) return { status: 'ok', errors: [] };
  if (errors.length || /: verification failed/.test(out)) return { status: 'fail', errors };
  // the first line and OpenSSL's reasons (`...:mstring not universal:...`)
  const lines = out.trim().split('\n');
  const reasons = lines
    .slice(1)
    .filter((l) => /routines:/.test(l))
    .map((l) => l.split(':').slice(3, 6).join(':'));
  return { status: 'load', errors: [], note: [lines[0], ...new Set(reasons)].join(' | ').slice(0, 400) };
}

export function opensslProcessOracle(o: { bin?: string; tmp?: string } = {}): Oracle {
  const bin = o.bin ?? 'openssl';
  return {
    name: 'openssl',
    async run(cases: BuiltCase[]): Promise<Verdict[]> {
      if (!cases.length) return [];
      const dir = mkdtempSync(join(o.tmp ?? tmpdir(), 'pgtls-fuzz-'));
      try {
        const script: string[] = [];
        cases.forEach((b, i) => {
          const f = {
            trusted: join(dir, `${i}-ca.pem`),
            untrusted: join(dir, `${i}-u.pem`),
            crls: join(dir, `${i}-crl.pem`),
            leaf: join(dir, `${i}-leaf.pem`),
          };
          writeFileSync(f.leaf, pemOf('CERTIFICATE', [b.leaf]));
          if (b.trusted.length) writeFileSync(f.trusted, pemOf('CERTIFICATE', b.trusted));
          if (b.untrusted.length) writeFileSync(f.untrusted, pemOf('CERTIFICATE', b.untrusted));
          if (b.crls.length) writeFileSync(f.crls, pemOf('X509 CRL', b.crls));
          script.push(`echo "@@CASE ${i}"; ${shq(bin)} ${opensslVerifyArgs(b, f).map(shq).join(' ')} 2>&1; echo "@@RC $?"`);
        });
        writeFileSync(join(dir, 'run.sh'), `${script.join('\n')}\n`);
        const out = await new Promise<string>((resolve, reject) =>
          execFile('sh', [join(dir, 'run.sh')], { maxBuffer: 256 << 20 }, (err, stdout) =>
            err && !stdout ? reject(err) : resolve(stdout),
          ),
        );
        const parts = out.split('@@CASE ').slice(1);
        return cases.map((_, i) => {
          const p = parts[i] ?? '';
          const rc = Number(/@@RC (\d+)/.exec(p)?.[1] ?? 255);
          return parseOpensslVerify(
            p
              .replace(/@@RC \d+\s*$/, '')
              .replace(/^\d+\n/, '')
              .replaceAll(`${dir}/`, ''),
            rc,
          );
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Two Duplex streams wired to each other: bytes written to one are read from the other. */
function duplexPair(): [Duplex, Duplex] {
  let b: Duplex;
  const a = new Duplex({
    read() {},
    write(chunk, _e, cb) {
      b.push(chunk);
      cb();
    },
    final(cb) {
      b.push(null);
      cb();
    },
  });
  b = new Duplex({
    read() {},
    write(chunk, _e, cb) {
      a.push(chunk);
      cb();
    },
    final(cb) {
      a.push(null);
      cb();
    },
  });
  return [a, b];
}

const BY_MESSAGE = new Map<string, number>(X509_ERRORS.map(([c, , m]) => [m, c]));
const BY_NAME = new Map<string, number>(X509_ERRORS.map(([c, n]) => [n, c]));

/** One handshake: the client's verdict, or undefined when the server cannot present the chain or the handshake fails otherwise. */
function handshake(b: BuiltCase, keyPem: string, timeoutMs: number): Promise<Verdict | undefined> {
  let serverCtx: tls.SecureContext;
  try {
    serverCtx = tls.createSecureContext({ cert: pemOf('CERTIFICATE', [b.leaf, ...b.untrusted]), key: keyPem });
  } catch (e) {
    return Promise.resolve({ status: 'load', errors: [], note: `server: ${(e as Error).message}` });
  }
  let clientCtx: tls.SecureContext;
  try {
    clientCtx = tls.createSecureContext({
      ca: b.trusted.map((d) => pemOf('CERTIFICATE', [d])),
      ...(b.crls.length ? { crl: b.crls.map((d) => pemOf('X509 CRL', [d])) } : {}),
      ciphers: 'DEFAULT@SECLEVEL=2',
      minVersion: 'TLSv1.3',
    });
  } catch (e) {
    return Promise.resolve({ status: 'load', errors: [], note: `client: ${(e as Error).message}` });
  }
  return new Promise((resolve) => {
    const [sa, ca] = duplexPair();
    let done = false;
    const finish = (v: Verdict | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      server.destroy();
      client.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const server = new tls.TLSSocket(sa, { isServer: true, secureContext: serverCtx });
    server.on('error', () => {});
    const client = tls.connect({ socket: ca, secureContext: clientCtx, rejectUnauthorized: false, checkServerIdentity: () => undefined });
    client.on('secureConnect', () => {
      if (client.authorized) return finish({ status: 'ok', errors: [] });
      // the handle's Error carries X509_verify_cert_error_string; Node's code names cover only some errors
      const h = (client as unknown as { _handle?: { verifyError?: () => Error & { code?: string } } })._handle;
      const err = h?.verifyError?.();
      const code = (err && BY_MESSAGE.get(err.message)) ?? BY_NAME.get(String(client.authorizationError)) ?? 1;
      finish({ status: 'fail', errors: [`${code}@-1`], note: err?.message ?? String(client.authorizationError) });
    });
    client.on('error', () => finish(undefined));
  });
}

export function nodeTlsOracle(keyPems: Record<KeyName, string>, o: { timeoutMs?: number; concurrency?: number } = {}): Oracle {
  const concurrency = o.concurrency ?? 8;
  return {
    name: 'node-tls',
    async run(cases: BuiltCase[]): Promise<(Verdict | undefined)[]> {
      const out: (Verdict | undefined)[] = new Array(cases.length);
      let next = 0;
      const worker = async () => {
        while (next < cases.length) {
          const i = next++;
          const b = cases[i];
          out[i] = b.leafKey ? await handshake(b, keyPems[b.leafKey], o.timeoutMs ?? 5000) : undefined;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, worker));
      return out;
    },
  };
}
