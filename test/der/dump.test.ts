import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpDer, parseDer, parsePemBlocks } from '../../src/der/index.js';

// Oracle: `openssl asn1parse` reports offset, depth, header length and length of every
// element; our dump must agree on all of them (it additionally opens encapsulated DER,
// which asn1parse only does with -strparse, so those lines are compared separately).
describe('ASN.1 dump vs openssl asn1parse', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgtls-dump-'));
  const keys = readdirSync('vectors/keys').filter((f) => /^(rsa2048-1|p256-1|ed25519-1|p384-1)\.pem$/.test(f));
  it.each(keys)('certificate with key %s', (k) => {
    const cert = join(dir, `${k}.crt`);
    execFileSync('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      join('vectors/keys', k),
      '-subj',
      '/CN=dump test/O=pgtls',
      '-days',
      '3',
      '-addext',
      'subjectAltName=DNS:a.example,IP:10.0.0.1',
      '-out',
      cert,
    ]);
    const ours = dumpDer(parseDer(parsePemBlocks(readFileSync(cert, 'latin1'))[0].der));
    const theirs = execFileSync('openssl', ['asn1parse', '-in', cert])
      .toString()
      .trim()
      .split('\n')
      .map((l) => {
        const m = /^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)/.exec(l)!;
        return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
      });
    const outer = ours.filter((l) => !l.path.includes('(contents)')).map((l) => [l.offset, l.depth, l.headerLength, l.length]);
    expect(outer).toEqual(theirs);
  });
  it('reports the location of a DER violation', () => {
    const bad = new Uint8Array([0x30, 0x05, 0x02, 0x81, 0x01, 0x05, 0x00]);
    writeFileSync(join(dir, 'bad.der'), bad);
    expect(() => dumpDer(parseDer(bad, 'x'))).toThrow(/length 1 must use the short form at byte 3 \(x\[0\]\)/);
  });
});
