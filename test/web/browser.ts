// What the browser tests share: the built site served from loopback on a free port, Debian's
// Chromium driven by playwright-core (no browser download), a fresh profile per launch, and
// the CLI run on an exported scenario.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = resolve(import.meta.dirname, '../..');
export const SITE = join(ROOT, 'web/dist');
export const CLI = join(ROOT, 'dist/cli/main.js');
/** Where the page puts its scenario (web/src/model.ts SCENARIO_DIR): the paths psql's messages name. */
export const PAGE_DIR = '/tmp/pgtls-scenario';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** Build the site (vite, as `npm run web:build`) and the CLI when dist/ lacks it. */
export function buildSite(): void {
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', 'web', '--logLevel', 'warn'],
    {
      cwd: ROOT,
      stdio: 'pipe',
    },
  );
  if (!existsSync(CLI)) execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'pipe' });
}

/** A static file server for web/dist on 127.0.0.1 and a free port. */
export async function serveSite(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(SITE, path));
    if (!file.startsWith(SITE)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${addr.port}/`, close: () => new Promise((ok) => server.close(() => ok())) };
}

/** Chromium with a fresh profile (playwright takes --user-data-dir as the persistent context's directory). */
export async function launch(): Promise<{ browser: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'pgtls-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  ok: boolean;
  psqlStderr: string;
  message: string;
  fix: string | null;
}

/** Run an exported script into a fresh directory and give `run` the directory the script wrote. */
export function withExport<T>(script: string, run: (dir: string, printed: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'pgtls-web-export-'));
  try {
    const scriptFile = join(dir, 'pgtls-scenario.sh');
    writeFileSync(scriptFile, script);
    const printed = execFileSync('sh', [scriptFile, join(dir, 's')], { encoding: 'utf8' }).trim();
    return run(join(dir, 's'), printed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `pgtls asn1 --json FILE`: each block's ASN.1 lines. */
export function cliAsn1(file: string): { label: string; lines: { offset: number; tag: string; length: number }[] }[] {
  return JSON.parse(execFileSync(process.execPath, [CLI, 'asn1', '--json', file], { encoding: 'utf8' }));
}

/**
 * Run an exported script into a fresh directory, then `pgtls simulate` on it as the script
 * says (its versions included), in the C.UTF-8 locale plus `locale` (LANGUAGE=ja: the fix in
 * Japanese); paths are put back to the page's.
 */
export function reproduce(script: string, locale: Record<string, string> = {}): CliResult {
  return withExport(script, (dir, printed) => {
    const m = /^pgtls simulate --pg-version (\d+) --openssl-version (\S+) --pgdata (\S+) --home (\S+) '(.*)'$/s.exec(printed);
    if (!m) throw new Error(`unexpected command from the exported script: ${printed}`);
    const [, pgVersion, opensslVersion, pgdata, home] = m;
    const conninfo = m[5].replace(/'\\''/g, "'");
    let out: string;
    try {
      out = execFileSync(
        process.execPath,
        [
          CLI,
          'simulate',
          '--pg-version',
          pgVersion,
          '--openssl-version',
          opensslVersion,
          '--pgdata',
          pgdata,
          '--home',
          home,
          '--json',
          conninfo,
        ],
        {
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', USER: 'root', LANG: 'C.UTF-8', ...locale },
        },
      );
    } catch (e) {
      const err = e as { status?: number; stdout?: string; stderr?: string };
      if (err.status !== 1 || !err.stdout) throw new Error(`pgtls simulate failed (${err.status}): ${err.stderr}`);
      out = err.stdout;
    }
    const back = (s: string) => s.split(dir).join(PAGE_DIR);
    const r = JSON.parse(out) as CliResult;
    return { ok: r.ok, psqlStderr: back(r.psqlStderr), message: back(r.message), fix: r.fix === null ? null : back(r.fix) };
  });
}
