import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { main } from '../../src/cli/dispatch.js';
import { deep } from '../support/deep-der.js';
import { writeRootServerPki } from '../support/cli-pki.js';

// Every command, driven with generated argument lists and generated files (missing, empty, a
// directory, random bytes, real certificates from vectors/ truncated or mutated, deep
// nesting, huge lengths, odd names): the exit code is 0, 1 or 2, never a bug's 70 or a throw;
// no stack trace or "internal error" in what it prints; a usage error (2) says which command
// and, for a file it could not open, which file; no hang. In-process through dispatch.ts's
// main() (what the binary runs) with the console captured, plus a few runs of the binary
// itself.

const ROOT = join(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/cli/main.js');
const CALL_TIMEOUT = 30_000;

let tmp = '';
let counter = 0;
let httpPort = 0;
let closedPort = 0;
let http: Server;
const F: Record<string, string> = {};
const REAL: Uint8Array[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pgtls-prop-'));
  chmodSync(tmp, 0o755);
  const pki = writeRootServerPki(join(tmp, 'pki'), 'hostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 cert\n');
  F.pki = pki;
  F.missing = join(tmp, 'missing.pem');
  F.dir = join(tmp, 'adir');
  mkdirSync(F.dir);
  F.empty = join(tmp, 'empty');
  writeFileSync(F.empty, '');
  F.deep = join(tmp, 'deep.der');
  writeFileSync(F.deep, deep(20_000));
  F.deepSet = join(tmp, 'deep-set.der');
  writeFileSync(F.deepSet, deep(3_000, 0x31));
  F.huge = join(tmp, 'huge.der');
  writeFileSync(F.huge, Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xf0, 0x02, 0x01, 0x00]));
  F.odd = join(tmp, 'naïve name\n"quoted" \u00ff.pem');
  writeFileSync(F.odd, readFileSync(join(pki, 'root.crt')));
  F.rootCrt = join(pki, 'root.crt');
  F.serverCrt = join(pki, 'server.crt');
  for (const f of [
    'all-extensions-pss.pem',
    'crl-v2-idp-delta.pem',
    'rsa2048-leaf.der',
    'p256-1.pkcs8-aes256.pem',
    'rsa1024-1.legacy-des3.pem',
  ])
    REAL.push(new Uint8Array(readFileSync(join(ROOT, 'vectors/x509', f))));
  REAL.push(new Uint8Array(readFileSync(join(pki, 'server.crt'))));

  // a port that answers like an HTTP server, and one nobody listens on
  http = createServer((s) => {
    s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  httpPort = (http.address() as { port: number }).port;
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  closedPort = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
});
afterAll(async () => {
  await new Promise<void>((r) => http.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

/** A file made for one run: written when the argument list is drawn. */
type FileSpec =
  | { kind: 'named'; name: string }
  | { kind: 'deep'; depth: number; tag: number }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'truncated'; real: number; at: number }
  | { kind: 'mutated'; real: number; at: number; xor: number }
  | { kind: 'pem-junk'; body: string };

const fileSpec: fc.Arbitrary<FileSpec> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('missing', 'dir', 'empty', 'deep', 'deepSet', 'huge', 'odd', 'rootCrt', 'serverCrt', 'pki')
      .map((name) => ({ kind: 'named' as const, name })),
  },
  fc
    .record({ depth: fc.integer({ min: 100, max: 30_000 }), tag: fc.constantFrom(0x30, 0x31, 0xa0) })
    .map((r) => ({ kind: 'deep' as const, ...r })),
  fc.uint8Array({ maxLength: 600 }).map((bytes) => ({ kind: 'bytes' as const, bytes })),
  fc.record({ real: fc.nat(5), at: fc.nat(4000) }).map((r) => ({ kind: 'truncated' as const, ...r })),
  fc.record({ real: fc.nat(5), at: fc.nat(4000), xor: fc.integer({ min: 1, max: 255 }) }).map((r) => ({ kind: 'mutated' as const, ...r })),
  fc
    .string({ maxLength: 200 })
    .map((body) => ({ kind: 'pem-junk' as const, body: `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n` })),
);

function materialise(spec: FileSpec): string {
  if (spec.kind === 'named') return F[spec.name];
  const file = join(tmp, `gen-${counter++}`);
  if (spec.kind === 'bytes') writeFileSync(file, spec.bytes);
  else if (spec.kind === 'deep') writeFileSync(file, deep(spec.depth, spec.tag));
  else if (spec.kind === 'pem-junk') writeFileSync(file, spec.body);
  else {
    const real = REAL[spec.real % REAL.length];
    const at = spec.at % Math.max(1, real.length);
    if (spec.kind === 'truncated') writeFileSync(file, real.subarray(0, at));
    else {
      const b = real.slice();
      b[at] ^= spec.xor;
      writeFileSync(file, b);
    }
  }
  return file;
}

const junk = fc.oneof(
  fc.constantFrom('--', '-', '--json=1', '--help=x', '-x', '', '--at', '--port', '=', '--pgdata', '-CAfile'),
  fc.string({ maxLength: 12 }),
);
const maybe = <T>(a: fc.Arbitrary<T[]>) => fc.oneof({ weight: 3, arbitrary: fc.constant([] as T[]) }, { weight: 1, arbitrary: a });
/** Arguments are either plain strings or files still to be written. */
type Arg = string | FileSpec;
const file = fileSpec as fc.Arbitrary<Arg>;
const opt = (name: string, value: fc.Arbitrary<Arg>) => maybe(value.map((v) => [name, v] as Arg[]));
const conninfo = (files: boolean) =>
  fc
    .tuple(
      fc.constantFrom(
        'host=localhost hostaddr=127.0.0.1',
        'host=db.example.com',
        "host='",
        'postgresql://u@localhost:5/db?sslmode=verify-full',
        'host=/tmp',
        'hostaddr=::1 port=70000',
        '',
      ),
      fc.constantFrom('', 'sslmode=require', 'sslmode=verify-full', 'sslmode=disable', 'sslmode=bogus', 'sslcertmode=require'),
      files ? fc.subarray(['sslrootcert', 'sslcert', 'sslkey', 'sslcrl', 'sslcrldir', 'passfile']) : fc.constant([] as string[]),
      fc.array(fileSpec, { minLength: 6, maxLength: 6 }),
    )
    .map(([a, b, keys, specs]) =>
      [a, b, ...keys.map((k, i) => `${k}='${materialise(specs[i]).replace(/['\\]/g, '\\$&')}'`)].filter(Boolean).join(' '),
    );

/** Per command: an argument list (before the junk tokens are mixed in). */
const COMMAND_ARGS: Record<string, fc.Arbitrary<Arg[]>> = {
  asn1: fc.tuple(maybe(fc.constant(['--json'])), fc.array(file, { minLength: 0, maxLength: 3 })).map(([a, b]) => [...a, ...b]),
  show: fc
    .tuple(
      maybe(fc.constant(['--json'])),
      opt('--at', fc.constantFrom('2030-01-01T00:00:00Z', 'yesterday')),
      opt('--passphrase', fc.constantFrom('', 'x')),
      fc.array(file, { maxLength: 3 }),
    )
    .map((p) => p.flat()),
  // at least one certificate file: without one, openssl verify (and pgtls verify) reads its
  // standard input, which in-process is the test runner's
  verify: fc
    .tuple(
      opt('-CAfile', file),
      opt('-untrusted', file),
      opt('-CRLfile', file),
      maybe(fc.constant(['-crl_check'])),
      opt('-purpose', fc.constantFrom('sslserver', 'nope')),
      fc.array(file, { minLength: 1, maxLength: 2 }),
    )
    .map((p) => p.flat()),
  simulate: fc
    .tuple(
      opt('--pgdata', fc.oneof(fc.constantFrom<Arg>({ kind: 'named', name: 'pki' }, '.', 'relative/dir'), file)),
      opt('--started-with', file),
      opt('--at', fc.constantFrom('2030-01-01T00:00:00Z', 'soon')),
      opt('--home', file),
      opt('--pg-version', fc.constantFrom('13', '17', '99', 'x')),
      opt('--env', fc.constantFrom('PGSSLMODE=require', 'PGSERVICEFILE=/nonexistent', 'NOEQUALS')),
      maybe(fc.constant(['--json'])),
      fc.array(conninfo(true), { maxLength: 2 }),
    )
    .map((p) => p.flat()),
  check: fc
    .tuple(
      opt('--pgdata', fc.oneof(fc.constant<Arg>('.'), file)),
      opt('--host', fc.constantFrom('db', '')),
      opt('--at', fc.constantFrom('2030-01-01T00:00:00Z', 'x')),
      maybe(fc.constant(['--json'])),
    )
    .map((p) => p.flat()),
  gen: fc
    .tuple(
      fc.constantFrom('self-signed', 'root-server', 'chain', 'bogus'),
      opt('--cn', fc.constantFrom('db.example.com', '', 'a b')),
      // never the shared files (a directory made there would change them) nor '' (the working directory)
      opt(
        '--out',
        fc.oneof(
          fc.constant<Arg>('/proc/pgtls-nope'),
          fileSpec.filter((f) => f.kind !== 'named'),
          fc.nat().map((n) => join(tmp, `out-${n}`)),
        ),
      ),
      opt('--key', fc.constantFrom('p256', 'ed25519', 'rsa9')),
      opt('--san', fc.constantFrom('DNS:x', 'IP:1.2.3', 'bogus')),
      opt('--days', fc.constantFrom('0', '30', 'x')),
      maybe(fc.constant(['--force'])),
    )
    .map(([k, ...p]) => [k, ...p.flat()]),
  demo: fc.constantFrom(['--help'], ['--bogus'], ['--help', 'extra']),
  probe: fc
    .tuple(
      fc.constantFrom(
        () => httpPort,
        () => closedPort,
      ),
      conninfo(false),
      opt('--timeout', fc.constantFrom('3000', '-1', 'x')),
      maybe(fc.constant(['--json'])),
    )
    .map(([port, ci, t, j]) => [
      ...t,
      ...j,
      '--timeout',
      '5000',
      `host=127.0.0.1 port=${port()} ${ci.replace(/host\S*|port=\S+|postgresql:\S+/g, '')}`,
    ]),
  // always the busy port (a free one would serve until killed)
  serve: fc
    .tuple(
      opt('--pgdata', fc.oneof(fc.constant<Arg>({ kind: 'named', name: 'pki' }), file)),
      opt('--host', fc.constantFrom('nosuch.invalid', '10.255.255.1')),
    )
    .map((p) => [...p.flat(), '--port', String(httpPort)]),
};

/** A command line: the command's arguments with junk tokens mixed in now and then. */
/** The file readers weigh more: they are cheap and their inputs are the most varied. */
const WEIGHT: Record<string, number> = { asn1: 3, show: 3, verify: 2, simulate: 2 };
const commandLine = fc
  .oneof(...Object.keys(COMMAND_ARGS).map((c) => ({ weight: WEIGHT[c] ?? 1, arbitrary: fc.constant(c) })))
  // no junk for serve (a stray "--port 1" would serve until killed), demo (a "--" before
  // --help would run the whole demo) nor verify (a junk option could take the certificate's
  // place, and verify would read its standard input)
  .chain((cmd) =>
    fc.tuple(
      fc.constant(cmd),
      COMMAND_ARGS[cmd],
      cmd === 'serve' || cmd === 'demo' || cmd === 'verify'
        ? fc.constant([] as [number, string][])
        : maybe(fc.array(fc.tuple(fc.nat(), junk), { maxLength: 2 })),
    ),
  )
  .map(([cmd, args, extra]) => {
    const out = [...args];
    for (const [i, j] of extra) out.splice(i % (out.length + 1), 0, j);
    return { cmd, args: out };
  });

/** Run dispatch.ts's main() with the console captured. */
async function inProcess(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const saved = { log: console.log, error: console.error, warn: console.warn, out: process.stdout.write, err: process.stderr.write };
  console.log = (...a: unknown[]) => void (stdout += `${a.join(' ')}\n`);
  console.error = console.warn = (...a: unknown[]) => void (stderr += `${a.join(' ')}\n`);
  process.stdout.write = ((c: string | Uint8Array) => {
    stdout += String(c);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => {
    stderr += String(c);
    return true;
  }) as typeof process.stderr.write;
  let timer: NodeJS.Timeout | undefined;
  try {
    const code = await Promise.race([
      main(argv),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${CALL_TIMEOUT} ms: pgtls ${argv.join(' ')}`)), CALL_TIMEOUT);
      }),
    ]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
    Object.assign(console, { log: saved.log, error: saved.error, warn: saved.warn });
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
  }
}

function judge(cmd: string, argv: string[], r: { code: number | null; stdout: string; stderr: string }) {
  const shown = `pgtls ${argv.map((a) => JSON.stringify(a)).join(' ')}\n--- stderr:\n${r.stderr}`;
  expect([0, 1, 2], shown).toContain(r.code);
  expect(r.stderr + r.stdout, shown).not.toMatch(/internal error|^\s{4}at /m);
  if (r.code !== 2) return;
  expect(r.stderr.trim(), shown).not.toBe('');
  // a usage error says which command; one about a file it could not open names the file
  if (cmd !== 'verify') expect(r.stderr, shown).toMatch(new RegExp(`^pgtls( ${cmd})?: `, 'm'));
  const cannot = /Can't open "([^"]*)"|could not (?:open|read|access)[^"]*"([^"]*)"/.exec(r.stderr);
  if (cannot) {
    // paths are named as the real tools name them: made absolute and canonical (postgres -D's
    // canonicalize_path folds "a//b" to "a/b"), so compare canonical forms
    const canon = (p: string) => p.replace(/\/{2,}/g, '/');
    const named = canon(cannot[1] ?? cannot[2]);
    expect(
      argv.map(canon).some((a) => a.includes(named) || named.endsWith(a.replace(/^\.\/?/, '')) || named.includes(a)),
      shown,
    ).toBe(true);
  }
}

const materialiseAll = (args: Arg[]) => args.map((a) => (typeof a === 'string' ? a : materialise(a)));

describe('hostile command lines', () => {
  it('in-process: every command, generated arguments and files: exit 0/1/2, no trace, a message naming what is wrong', async () => {
    await fc.assert(
      fc.asyncProperty(commandLine, async ({ cmd, args }) => {
        const argv = [cmd, ...materialiseAll(args)];
        judge(cmd, argv, await inProcess(argv));
      }),
      { numRuns: 400 },
    );
  }, 240_000);

  it('the binary: the same, through dist/cli/main.js with a timeout', async () => {
    await fc.assert(
      fc.asyncProperty(commandLine, async ({ cmd, args }) => {
        const argv = [cmd, ...materialiseAll(args)];
        const r = await new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>((resolve) =>
          // stdin at end of file, as under CI: a command that reads it gets nothing rather than waiting
          execFile(
            process.execPath,
            [MAIN, ...argv],
            { encoding: 'utf8', timeout: CALL_TIMEOUT, maxBuffer: 64 << 20 },
            (err, stdout, stderr) =>
              resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr, killed: Boolean(err?.killed) }),
          ).stdin?.end(),
        );
        expect(r.killed, `hung: pgtls ${argv.join(' ')}`).toBe(false);
        judge(cmd, argv, r);
      }),
      { numRuns: 15 },
    );
  }, 240_000);
});
