import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli/registry.js';

// The pgtls binary as npx runs it (dist/, built by `pretest`): help, version, dispatch and
// the exit codes the issues ask for.

const ROOT = join(import.meta.dirname, '../..');
const pgtls = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), ...args], { encoding: 'utf8' });

describe('pgtls (dist/cli/main.js)', () => {
  it('--help lists every command with its one-line summary', () => {
    const r = pgtls('--help');
    expect(r.status).toBe(0);
    for (const [name, c] of Object.entries(COMMANDS)) expect(r.stdout).toMatch(new RegExp(`^  ${name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });
  it("--version prints package.json's version", () => {
    const r = pgtls('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
  it('an unknown command exits 2 with the usage; bad input to a command exits 2 with one line', () => {
    const u = pgtls('nope');
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/^pgtls: unknown command 'nope'/);
    const b = pgtls('show', join(ROOT, 'package.json'));
    expect(b.status).toBe(2);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).not.toMatch(/\n\s+at /);
  });
});
