// `pgtls show`: text and JSON summaries of certificates, CRLs and keys, and exit code 2 with a
// located message for bad input.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/show.js';
import { UsageError } from '../../src/cli/args.js';
import { bash, tempDir } from './openssl.js';

const V = (f: string) => new URL(`../../vectors/x509/${f}`, import.meta.url).pathname;
const K = (f: string) => new URL(`../../vectors/keys/${f}`, import.meta.url).pathname;
const tmp = tempDir('x509-show');
afterAll(() => tmp.cleanup());

async function show(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    const code = await run(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('pgtls show', () => {
  it('summarises a certificate like openssl prints it, with validity relative to --at', async () => {
    const leaf = V('rsa2048-leaf.der');
    const o = bash(`openssl x509 -inform DER -in ${leaf} -noout -subject -issuer -fingerprint -sha256 -enddate`, tmp.dir).split('\n');
    const notAfter = Date.parse(o[3].slice('notAfter='.length));
    const r = await show('--at', new Date(notAfter - 10.5 * 86_400_000).toISOString(), leaf);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Subject:             ${o[0].slice('subject='.length)}`);
    expect(r.out).toContain(`Issuer:              ${o[1].slice('issuer='.length)}`);
    expect(r.out).toContain(o[2].split('=')[1]);
    expect(r.out).toMatch(/expires in 10 days/);
    expect(r.out).toMatch(/Key usage: +Digital Signature, Key Encipherment \(critical\)/);
    expect(r.out).toMatch(/Subject alt names: +DNS:db\.example\.com, DNS:\*\.db\.example\.com/);
    const later = await show('--at', new Date(notAfter + 3.5 * 86_400_000).toISOString(), leaf);
    expect(later.out).toMatch(/expired 4 days ago/);
  });

  it('--json gives the same facts as data (bigints as strings, bytes as hex)', async () => {
    const r = await show(
      '--json',
      V('all-extensions-pss.pem'),
      V('crl-v2-idp-delta.pem'),
      K('ed25519-1.pem'),
      V('p256-1.pkcs8-aes256.pem'),
    );
    expect(r.code).toBe(0);
    const items = JSON.parse(r.out);
    expect(items.map((i: { type: string }) => i.type)).toEqual(['certificate', 'crl', 'private-key', 'encrypted-private-key']);
    const [cert, crl, key, enc] = items;
    const serial = bash(`openssl x509 -in ${V('all-extensions-pss.pem')} -noout -serial`, tmp.dir)
      .trim()
      .split('=')[1];
    expect(cert.serial).toBe(serial);
    expect(cert.serialDecimal).toBe(BigInt(`0x${serial}`).toString());
    expect(cert.signatureAlgorithm).toMatch(/^rsassaPss \(hash sha384, MGF1 sha384, salt 32\)$/);
    expect(cert.nameConstraints.permitted).toContain('IP:2001:DB8:0:0:0:0:0:0/FFFF:FFFF:0:0:0:0:0:0');
    expect(cert.otherExtensions).toContain('1.2.3.4.5.6 (critical)');
    expect(crl.revoked).toHaveLength(4);
    expect(crl.deltaCrlIndicator).toBe('5');
    expect(key).toMatchObject({ type: 'private-key', key: 'Ed25519' });
    expect(enc.scheme).toBe('PBES2/PBKDF2/AES-256-CBC');
    const dec = JSON.parse((await show('--json', '--passphrase', 'secret', V('p256-1.pkcs8-aes256.pem'))).out);
    expect(dec[0]).toMatchObject({ type: 'private-key', key: 'EC P-256', encrypted: 'PKCS#8 PBES2' });
  });

  it('DER CRLs and keys are recognised without a label', async () => {
    const der = join(tmp.dir, 'crl.der');
    bash(`openssl crl -in ${V('crl-v2-idp-delta.pem')} -outform DER -out ${der}`, tmp.dir);
    const keyDer = join(tmp.dir, 'key.der');
    bash(`openssl pkey -in ${K('p384-1.pem')} -outform DER -out ${keyDer}`, tmp.dir);
    const items = JSON.parse((await show('--json', der, keyDer)).out);
    expect(items.map((i: { type: string }) => i.type)).toEqual(['crl', 'private-key']);
  });

  it('bad input: located message on stderr, exit 2; other files are still shown', async () => {
    const bad = join(tmp.dir, 'bad.pem');
    const pem = readFileSync(V('rsa2048-leaf-issuer.pem'), 'utf8');
    writeFileSync(bad, pem + pem.replace(/^(-----BEGIN CERTIFICATE-----\n)(.)/m, (_, a) => `${a}A`));
    const r = await show(bad, join(tmp.dir, 'missing.pem'));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^Certificate \(.*bad\.pem, line 1\)/);
    expect(r.err).toMatch(/bad\.pem, line \d+: .*(at byte \d+|base64)/);
    expect(r.err).toMatch(/^pgtls show: Can't open ".*missing\.pem" for reading, No such file or directory$/m);
    await expect(run([])).rejects.toThrow(UsageError);
    await expect(run(['--at', 'yesterday-ish', bad])).rejects.toThrow(UsageError);
  });
});
