// `pgtls verify` against the real `openssl verify` (OpenSSL 3.0) on chains OpenSSL makes with
// binary-field ECDSA keys and SM2 keys, byte for byte on stdout, stderr and the exit code:
// for a sample of binary curves (SECG, X9.62 pentanomial and trinomial, WTLS; not the Oakley
// curves, whose even group orders OpenSSL cannot sign with) a root and a leaf, the leaf with a flipped
// signature bit, the auth levels around each key's security bits (sect163k1: 80, sect571r1:
// 256), a leaf key with explicit parameters and one with a compressed point; for SM2, leaves
// signed with no distinguishing ID and with one, under every -vfyopt form. The only
// normalisation: OpenSSL starts each error-queue line with its thread id, pgtls with a constant.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/verify.js';

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

const CURVES = ['sect163k1', 'sect233r1', 'sect283k1', 'sect571r1', 'c2pnb176v1', 'c2tnb191v1', 'c2pnb368w1', 'wap-wsg-idm-ecid-wtls1'];

let dir = '';
const p = (f: string) => join(dir, f);

function sh(script: string): void {
  const r = spawnSync('sh', ['-ec', script], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script}\n${r.stderr}`);
}

/** root CA (self-signed, sha256) and a leaf (sha384) for a curve or `-newkey` spec */
function chain(tag: string, genkey: string, digest = 'sha384'): void {
  sh(`
    ${genkey.replaceAll('KEY', `${tag}-ca.key`)}
    openssl req -x509 -new -key ${tag}-ca.key -out ${tag}-ca.pem -subj "/CN=${tag} root" -days 30 -${digest === 'sm3' ? 'sm3' : 'sha256'} 2>/dev/null
    ${genkey.replaceAll('KEY', `${tag}-leaf.key`)}
    openssl req -new -key ${tag}-leaf.key -subj "/CN=${tag} leaf" -out ${tag}.csr 2>/dev/null
    openssl x509 -req -in ${tag}.csr -CA ${tag}-ca.pem -CAkey ${tag}-ca.key -set_serial 7 -out ${tag}-leaf.pem -days 5 -${digest} 2>/dev/null
  `);
  flipSignatureBit(`${tag}-leaf.pem`, `${tag}-bad.pem`);
}

/** a copy of a PEM certificate with one bit of the signature's last octet flipped */
function flipSignatureBit(from: string, to: string): void {
  const pem = readFileSync(p(from), 'utf8');
  const b = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
  b[b.length - 1] ^= 1;
  const body = b.toString('base64').replace(/.{64}/g, '$&\n');
  writeFileSync(p(to), `-----BEGIN CERTIFICATE-----\n${body.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`);
}

beforeAll(() => {
  if (!haveOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), 'pgtls-bin-sm2-'));
  for (const c of CURVES) chain(c, `openssl ecparam -genkey -noout -name ${c} -out KEY`);
  // explicit parameters and a compressed point on named curves (the leaf key; the CA's too)
  chain('explicit', 'openssl ecparam -genkey -noout -name sect283r1 -param_enc explicit -out KEY');
  chain('compressed', 'openssl ecparam -genkey -noout -name c2pnb176v1 -conv_form compressed -out KEY');
  chain('compressed2', 'openssl ecparam -genkey -noout -name sect233k1 -conv_form compressed -out KEY');
  // SM2: a leaf signed with no ID, one signed with distid abc
  chain('sm2', 'openssl genpkey -algorithm SM2 -out KEY', 'sm3');
  sh(
    'openssl x509 -req -in sm2.csr -CA sm2-ca.pem -CAkey sm2-ca.key -set_serial 8 -out sm2-abc.pem -days 5 -sm3 -sigopt distid:abc 2>/dev/null',
  );
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const norm = (t: string) => t.replace(/^[0-9A-F]+:error:/gm, 'X:error:');

function openssl(args: string[]) {
  const r = spawnSync('openssl', ['verify', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: norm(r.stderr) };
}

async function pgtls(args: string[]) {
  let out = '';
  let err = '';
  const code = await run(args, {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: () => new Uint8Array(0),
    env: process.env,
  });
  return { code, out, err: norm(err) };
}

async function same(args: string[]): Promise<void> {
  const full = args.map((a) => (/\.pem$/.test(a) ? p(a) : a));
  const theirs = openssl(full);
  expect(await pgtls(full)).toEqual(theirs);
}

describe.skipIf(!haveOpenssl)('pgtls verify = openssl verify on binary-field ECDSA chains', () => {
  const tags = [...CURVES, 'explicit', 'compressed', 'compressed2'];
  it.each(tags)('%s: the leaf, a flipped signature bit, auth levels 1-3, the root with -check_ss_sig', async (tag) => {
    await same(['-CAfile', `${tag}-ca.pem`, `${tag}-leaf.pem`]);
    await same(['-CAfile', `${tag}-ca.pem`, `${tag}-bad.pem`]);
    for (const level of ['1', '2', '3']) await same(['-auth_level', level, '-CAfile', `${tag}-ca.pem`, `${tag}-leaf.pem`]);
    await same(['-check_ss_sig', '-CAfile', `${tag}-ca.pem`, `${tag}-ca.pem`]);
  });
  it('the high levels for sect571r1 (256 bits) and a distinguishing ID on an ECDSA leaf', async () => {
    for (const level of ['4', '5']) await same(['-auth_level', level, '-CAfile', 'sect571r1-ca.pem', 'sect571r1-leaf.pem']);
    await same(['-vfyopt', 'distid:abc', '-CAfile', 'sect163k1-ca.pem', 'sect163k1-leaf.pem']);
  });
});

describe.skipIf(!haveOpenssl)('pgtls verify = openssl verify on SM2 chains and -vfyopt', () => {
  const opts = [
    [],
    ['-vfyopt', 'distid:abc'],
    ['-vfyopt', 'distid:1234567812345678'],
    ['-vfyopt', 'distid'],
    ['-vfyopt', 'distid:'],
    ['-vfyopt', 'hexdistid:616263'],
    ['-vfyopt', 'hexdistid:61:62:63'],
    ['-vfyopt', 'hexdistid:zz'],
    ['-vfyopt', 'hexdistid:616'],
    ['-vfyopt', 'distid:abc', '-vfyopt', 'distid:x'],
    ['-vfyopt', 'distid:x', '-vfyopt', 'hexdistid:616263'],
    ['-vfyopt', 'distid:abc', '-vfyopt', 'foo:x'],
  ];
  it.each(opts.map((o) => [o.join(' ') || '(none)', o]))('%s', async (_, o) => {
    for (const leaf of ['sm2-leaf.pem', 'sm2-abc.pem', 'sm2-bad.pem']) await same([...(o as string[]), '-CAfile', 'sm2-ca.pem', leaf]);
  });
  it('auth levels: an SM2 key and SM2-with-SM3 count 128 bits', async () => {
    for (const level of ['3', '4']) await same(['-auth_level', level, '-CAfile', 'sm2-ca.pem', 'sm2-leaf.pem']);
  });
});
