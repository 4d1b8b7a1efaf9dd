// Test helpers: run OpenSSL (the oracle) in batches through one bash script, and read the
// parts of `openssl x509|crl -text` output the x509 tests compare against.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KEYS = fileURLToPath(new URL('../../vectors/keys', import.meta.url));

/** Single-quote a string for bash (handles every byte but NUL). */
export const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run a bash script in `cwd`; returns stdout. Throws with stderr on failure. */
export function bash(script: string, cwd: string, timeoutMs = 120_000): string {
  return execFileSync('bash', ['-s'], {
    cwd,
    input: script,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: timeoutMs,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `pgtls-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Split output made of sections that start with `=====NAME` lines. */
export function sections(out: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith('=====')) {
      cur = [];
      m.set(line.slice(5).trim(), cur);
    } else if (cur) cur.push(line);
  }
  return m;
}

export interface TextExtension {
  name: string;
  critical: boolean;
  /** value lines with the common indentation removed (relative indentation kept) */
  lines: string[];
}

/** The `X509v3 extensions:` / `CRL extensions:` block of -text output, in order. */
export function textExtensions(lines: string[], header = 'X509v3 extensions:'): TextExtension[] {
  const start = lines.findIndex((l) => l.trim() === header);
  if (start < 0) return [];
  const headIndent = lines[start + 1]?.search(/\S/) ?? 0;
  const out: TextExtension[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    const ind = l.search(/\S/);
    if (ind < 0) continue;
    if (ind < headIndent) break;
    if (ind === headIndent) {
      const m = /^(.*?):( critical)?\s*$/.exec(l.trim());
      if (!m) break;
      out.push({ name: m[1], critical: !!m[2], lines: [] });
    } else {
      out[out.length - 1].lines.push(l.slice(headIndent + 4));
    }
  }
  return out;
}

/** Lines after a `label` line that are hex dumps (`aa:bb:...`), joined into lowercase hex. */
export function hexBlockAfter(lines: string[], label: string): string | undefined {
  const i = lines.findIndex((l) => l.trim() === label);
  if (i < 0) return undefined;
  let h = '';
  for (let j = i + 1; j < lines.length && /^\s+([0-9a-f]{2}:)*[0-9a-f]{2}:?$/.test(lines[j]); j++) h += lines[j].trim().replace(/:/g, '');
  return h;
}

/** Value of the first `Label: value` line (trimmed), searching from `from`. */
export function field(lines: string[], label: string, from = 0): string | undefined {
  for (let i = from; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t.startsWith(`${label}:`)) return t.slice(label.length + 1).trim();
  }
  return undefined;
}

/** `key=value` lines (subject=, serial=, notBefore=, sha256 Fingerprint=). */
export function kv(lines: string[], key: string): string | undefined {
  const l = lines.find((x) => x.startsWith(`${key}=`));
  return l?.slice(key.length + 1);
}
