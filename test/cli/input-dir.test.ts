// `pgtls asn1` and `pgtls show` given a directory: asn1 says what `openssl asn1parse -in DIR`
// says (with -inform PEM and DER alike: the same lines), after the directory's name; show,
// which stands in for no single openssl command, uses fs-errors.ts's wording, naming the
// directory once. Both are bad input: exit 2, as for a missing file. openssl's output is
// recorded (vectors/oracle/input-dir/openssl-3.0.json, the temp directory as <dir>), so a
// machine without openssl replays it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileErrorFor } from '../../src/cli/fs-errors.js';
import { placeholders, useOpensslGoldens } from '../support/openssl-goldens.js';

const ROOT = join(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/cli/main.js');
const goldens = useOpensslGoldens('input-dir');
const pgtls = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });
const norm = (t: string) => t.replace(/^(?:[0-9A-F]+|<thread>):error:/gm, 'X:error:'); // <thread>: the book's

describe('a directory given as the input file', () => {
  let tmp = '';
  let dir = '';
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'pgtls-input-dir-'));
    dir = join(tmp, 'certs.d');
    mkdirSync(dir);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it.skipIf(goldens.skip)('asn1: openssl asn1parse -in DIR (PEM and DER) lines, after the name; exit 2', () => {
    const mine = pgtls(['asn1', dir]);
    expect(mine.status).toBe(2);
    expect(mine.stdout).toBe('');
    const prefix = `pgtls asn1: ${dir}: `;
    expect(mine.stderr.startsWith(prefix)).toBe(true);
    for (const inform of [[], ['-inform', 'PEM'], ['-inform', 'DER']]) {
      const args = ['asn1parse', ...inform, '-in', dir];
      const real = goldens.call(
        `asn1parse ${inform.join(' ') || '(default inform)'} -in <dir>`,
        () => {
          const r = spawnSync('openssl', args, { encoding: 'utf8' });
          return { status: r.status, stderr: r.stderr };
        },
        placeholders([[dir, 'dir']]),
      );
      expect(real.status).toBe(1);
      expect(real.stderr).toMatch(/Is a directory/);
      expect(norm(mine.stderr.slice(prefix.length))).toBe(norm(real.stderr));
    }
  });

  it("show: fs-errors.ts's words, the directory named once; exit 2", () => {
    const r = pgtls(['show', dir]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`pgtls show: ${fileErrorFor('EISDIR', dir, 'read', 'openssl').message}\n`);
    expect(r.stderr.split(dir).length).toBe(2);
  });
});
