import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Running the command line from a checkout must neither rebuild nor race a build: `npx pgtls`
// inside the repository installs it and runs `prepare` (tsc). The README's examples and the
// `npm run pgtls` script run dist/ as built.

const ROOT = join(import.meta.dirname, '../..');

describe('running pgtls from a checkout', () => {
  it("the README's and docs' commands run dist/cli/main.js, never npx pgtls", () => {
    for (const doc of ['README.md', 'docs/fuzzing.md']) {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      const blocks = [...text.matchAll(/```(?:sh|yaml)\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
      expect(blocks).not.toMatch(/npx pgtls/);
    }
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/node dist\/cli\/main\.js gen chain/);
  });

  it('npm run -s pgtls runs the built CLI without building (dist/ untouched) and keeps its exit code', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.pgtls).toBe('node dist/cli/main.js');
    const before = statSync(join(ROOT, 'dist/cli/main.js')).mtimeMs;
    const v = spawnSync('npm', ['run', '-s', 'pgtls', '--', '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(pkg.version);
    const bad = spawnSync('npm', ['run', '-s', 'pgtls', '--', 'asn1', join(ROOT, 'no-such-file.pem')], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(statSync(join(ROOT, 'dist/cli/main.js')).mtimeMs).toBe(before);
  });
});
