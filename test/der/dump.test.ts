import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpDer, parseDer, parsePemBlocks } from '../../src/der/index.js';
import { GOLDEN_ROOT, recordingForced } from '../support/golden.js';
import { useOpensslGoldens } from '../support/openssl-goldens.js';

const goldens = useOpensslGoldens('der-dump');
/** the certificates openssl req made when the book was recorded (openssl signs with the time of the run) */
const OPENSSL_MADE = join(GOLDEN_ROOT, 'der-dump', 'openssl-made');
const asn1parse = (cert: string) => execFileSync('openssl', ['asn1parse', '-in', cert]).toString();

// Oracle: `openssl asn1parse` reports offset, depth, header length and length of every
// element; our dump must agree on all of them (it additionally opens encapsulated DER,
// which asn1parse only does with -strparse, so those lines are compared separately).
// Each key's certificate is checked twice: one openssl req makes now (live-only: new bytes each
// run), and the one it made when vectors/oracle/der-dump/ was recorded, whose asn1parse output is
// in the book (openssl live, or its recording without openssl).
describe('ASN.1 dump vs openssl asn1parse', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgtls-dump-'));
  const keys = readdirSync('vectors/keys').filter((f) => /^(rsa2048-1|p256-1|ed25519-1|p384-1)\.pem$/.test(f));
  const compare = (cert: string, asn1: string) => {
    const ours = dumpDer(parseDer(parsePemBlocks(readFileSync(cert, 'latin1'))[0].der));
    const theirs = asn1
      .trim()
      .split('\n')
      .map((l) => {
        const m = /^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)/.exec(l)!;
        return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
      });
    const outer = ours.filter((l) => !l.path.includes('(contents)')).map((l) => [l.offset, l.depth, l.headerLength, l.length]);
    expect(outer).toEqual(theirs);
  };
  it.skipIf(goldens.skip).each(keys)('certificate with key %s', (k) => {
    const kept = join(OPENSSL_MADE, `${k}.crt`);
    if (goldens.live) {
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
      compare(cert, asn1parse(cert));
      if (recordingForced()) {
        mkdirSync(OPENSSL_MADE, { recursive: true });
        copyFileSync(cert, kept);
      }
    }
    compare(
      kept,
      goldens.call(`asn1parse ${k}.crt`, () => asn1parse(kept)),
    );
  });
  it('reports the location of a DER violation', () => {
    const bad = new Uint8Array([0x30, 0x05, 0x02, 0x81, 0x01, 0x05, 0x00]);
    writeFileSync(join(dir, 'bad.der'), bad);
    expect(() => dumpDer(parseDer(bad, 'x'))).toThrow(/length 1 must use the short form at byte 3 \(x\[0\]\)/);
  });
});
