// `pgtls test --init --pgdata DIR`: the file it writes passes against the setup as it is,
// holds verify-full for the names the certificate covers and the client certificates found
// beside it, and fails once the setup changes (here: pg_hba.conf lets plaintext in).

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fixExampleKeyModes, ROOT } from './examples.js';

const pgtls = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'test', ...args], { encoding: 'utf8', cwd });

describe('pgtls test --init', () => {
  it('writes a file that passes today, covers client certificates, and fails when pg_hba.conf changes', () => {
    fixExampleKeyModes();
    const work = mkdtempSync(join(tmpdir(), 'pgtls-init-'));
    cpSync(join(ROOT, 'examples/client-cert'), join(work, 'setup'), { recursive: true });
    const r = pgtls(work, '--init', '--pgdata', 'setup/pgdata');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Wrote ${join(work, 'pgtls-test.yaml')}: \\d+ connection expectation\\(s\\)`));
    const doc = parse(readFileSync(join(work, 'pgtls-test.yaml'), 'utf8'));
    expect(doc.servers.db).toMatchObject({ pgdata: 'setup/pgdata', host: 'db.example.com' });
    expect(Object.keys(doc.profiles)).toEqual(expect.arrayContaining(['cert-app', 'cert-stranger']));
    const app = doc.connections.find((c: any) => c.profile === 'cert-app' && c.conninfo.includes('user=app sslmode=verify-full'));
    expect(app).toMatchObject({ connects: true });
    const stranger = doc.connections.find((c: any) => c.profile === 'cert-stranger');
    expect(stranger.fails).toEqual({ message: 'SSL error: tlsv1 alert decrypt error', step: 'alert-after-handshake' });
    expect(doc.properties[0]).toMatchObject({ minTlsVersion: 'TLSv1.3', hostsslRequiresClientCert: true, noSha1: true });

    const ok = pgtls(work, 'pgtls-test.yaml');
    expect(ok.stdout).toMatch(/(\d+) expectation\(s\): \1 passed, 0 failed$/m);
    expect(ok.status).toBe(0);

    // a refusal to overwrite, then a changed setup
    expect(pgtls(work, '--init', '--pgdata', 'setup/pgdata').status).toBe(2);
    const hba = join(work, 'setup/pgdata/pg_hba.conf');
    writeFileSync(
      hba,
      readFileSync(hba, 'utf8').replace(
        'hostssl all       all       127.0.0.1/32   cert',
        'host    all       all       127.0.0.1/32   trust',
      ),
    );
    const broken = pgtls(work, 'pgtls-test.yaml');
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/^FAILED: pg_hba\.conf line 3: postgres@postgres from 127\.0\.0\.1, sslmode=disable$/m);
    expect(broken.stdout).toMatch(/^FAILED: methods$/m);
  });
});
