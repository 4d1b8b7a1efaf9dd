// The teaching page in a real browser (Debian's Chromium via playwright-core): the built site
// served from loopback, every lesson opened and fixed, each verdict, psql message and fix
// checked against what `pgtls simulate` prints for the page's own exported data directory
// (the fix in Japanese against LANGUAGE=ja); dropped files, a shared URL, the language switch,
// the manual links per version, the matrix and a phone-sized view. Screenshots go
// to test-output/web/. First-verdict and re-simulation times are measured and printed, not
// asserted (timings belong to bench/, and this machine is shared).
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { LESSONS } from '../../web/src/lessons.js';
import { buildSite, CHROMIUM, cliAsn1, launch, reproduce, ROOT, serveSite, withExport } from './browser.js';

const OUT = join(ROOT, 'test-output/web');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`test/web/page.test.ts: skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

interface Shown {
  verdict: string;
  psql: string;
  /** pgtls's fix advice, in the page's language ('' when none) */
  fix: string;
  run: string;
}

/** Wait for a simulation newer than `after` to be drawn, then read what the page shows. */
async function shown(page: Page, after = ''): Promise<Shown> {
  await page.waitForFunction(
    (prev) => {
      const r = document.getElementById('result');
      return r?.dataset.run && r.dataset.run !== prev && r.getAttribute('aria-busy') === 'false' && document.getElementById('verdict');
    },
    after,
    { timeout: 30_000 },
  );
  return page.evaluate(() => ({
    verdict: document.getElementById('verdict')!.dataset.verdict!,
    psql: document.getElementById('psql')?.textContent ?? '',
    fix: document.getElementById('fix')?.textContent ?? '',
    run: document.getElementById('result')!.dataset.run!,
  }));
}

/** Open the scenario editor (a <details> that stays as it was across in-page navigations). */
async function openEditor(page: Page): Promise<void> {
  await page.locator('#editor-box').evaluate((d) => {
    (d as HTMLDetailsElement).open = true;
  });
}

/** The page's export script for what it shows now. */
async function exported(page: Page): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  return readFileSync((await dl.path())!, 'utf8');
}

/**
 * The page and the CLI agree on the verdict, on psql's whole stderr (the page shows
 * PostgreSQL's English texts: the CLI under C.UTF-8) and on the fix, in the page's language
 * (Japanese: the CLI under LANGUAGE=ja, which asks psql for Japanese too).
 */
async function expectCliAgrees(page: Page, s: Shown, what: string): Promise<void> {
  const script = await exported(page);
  const cli = reproduce(script);
  const lang = await page.inputValue('#lang');
  const fix = lang === 'en' ? cli.fix : reproduce(script, { LANGUAGE: lang }).fix;
  expect({ what, verdict: s.verdict, psql: s.psql, fix: s.fix }).toEqual({
    what,
    verdict: cli.ok ? 'connects' : 'fails',
    psql: cli.psqlStderr,
    fix: fix ?? '',
  });
}

const timings: { lesson: string; firstOrRerun: string; roundTripMs: number; simMs: number }[] = [];
const lessonVerdicts = new Map<string, string>();

describe.skipIf(!haveChromium)(`teaching page in Chromium${haveChromium ? '' : ` (skipped: ${CHROMIUM} missing)`}`, () => {
  let site: Awaited<ReturnType<typeof serveSite>>;
  let chrome: Awaited<ReturnType<typeof launch>>;
  let ctx: BrowserContext;

  beforeAll(async () => {
    buildSite();
    mkdirSync(OUT, { recursive: true });
    site = await serveSite();
    chrome = await launch();
    ctx = chrome.browser;
  }, 180_000);

  afterAll(async () => {
    await chrome?.close();
    await site?.close();
    if (timings.length) {
      writeFileSync(join(OUT, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
      console.log(
        timings
          .map(
            (t) =>
              `${t.lesson.padEnd(24)} ${t.firstOrRerun.padEnd(8)} round trip ${t.roundTripMs.toFixed(0)} ms, simulate ${t.simMs.toFixed(0)} ms`,
          )
          .join('\n'),
      );
    }
  });

  it('shows a first verdict from the built site (time measured, not asserted)', async () => {
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const t0 = Date.now();
    await page.goto(`${site.url}index.html#lang=en`);
    const s = await shown(page);
    const wall = Date.now() - t0;
    const t = await page.evaluate(() => (window as unknown as { pgtlsTiming: { firstVerdictMs: number; simMs: number } }).pgtlsTiming);
    timings.push({ lesson: 'first load', firstOrRerun: 'first', roundTripMs: wall, simMs: t.simMs });
    console.log(`first verdict: ${wall} ms from navigation (${t.firstVerdictMs.toFixed(0)} ms after the page's script started)`);
    expect(s.verdict).toBe('fails');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens every lesson, applies its fix, and agrees with pgtls simulate on the exported files', async () => {
    const page = await ctx.newPage();
    await page.goto(`${site.url}index.html#lang=en&view=lessons`);
    let s = await shown(page);
    for (const l of LESSONS) {
      await page.click(`[data-lesson="${l.id}"]`);
      s = await shown(page, s.run);
      expect(s.verdict, `${l.id}: the mistake`).toBe('fails');
      lessonVerdicts.set(l.id, s.verdict);
      await expectCliAgrees(page, s, `${l.id} (mistake)`);
      await page.screenshot({ path: join(OUT, `lesson-${l.id}.png`), fullPage: true });
      await page.click('#fix-toggle');
      s = await shown(page, s.run);
      const t = await page.evaluate(() => (window as unknown as { pgtlsTiming: { roundTripMs: number; simMs: number } }).pgtlsTiming);
      timings.push({ lesson: l.id, firstOrRerun: 'rerun', roundTripMs: t.roundTripMs, simMs: t.simMs });
      expect(s.verdict, `${l.id}: the fix`).toBe('connects');
      await expectCliAgrees(page, s, `${l.id} (fixed)`);
      await page.screenshot({ path: join(OUT, `lesson-${l.id}-fixed.png`), fullPage: true });
    }
    await page.close();
  }, 300_000);

  it('takes dropped files, and a shared URL brings back the same scenario', async () => {
    const page = await ctx.newPage();
    await page.goto(`${site.url}index.html#lang=en&view=playground`);
    let s = await shown(page);
    expect(s.verdict).toBe('connects');
    await page.click('#editor-box summary');
    // a real drop event carrying a file, as a browser makes one from the desktop
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['hostssl all all 127.0.0.1/32 reject\n'], 'pg_hba.conf', { type: 'text/plain' }));
      const drop = document.getElementById('drop')!;
      drop.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      drop.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    s = await shown(page, s.run);
    expect(s.verdict).toBe('fails');
    expect(s.psql).toContain('pg_hba.conf rejects connection');
    expect(await page.inputValue('#hba')).toContain('reject');
    await expectCliAgrees(page, s, 'dropped pg_hba.conf');
    // a key that is not server.crt's, through the file chooser
    await page.setInputFiles('#file-input', {
      name: 'server.key',
      mimeType: 'text/plain',
      buffer: readFileSync(join(ROOT, 'vectors/keys/p256-1.pem')),
    });
    s = await shown(page, s.run);
    expect(s.verdict).toBe('fails');
    expect(await page.locator('#dropped').textContent()).toContain('data/server.key');
    await expectCliAgrees(page, s, 'dropped server.key');
    await page.screenshot({ path: join(OUT, 'playground-dropped.png'), fullPage: true });

    const shared = page.url();
    expect(shared).toContain('s=');
    const other = await ctx.newPage();
    await other.goto(shared);
    const again = await shown(other);
    expect({ verdict: again.verdict, psql: again.psql }).toEqual({ verdict: s.verdict, psql: s.psql });
    await other.click('#editor-box summary');
    expect(await other.locator('#dropped').textContent()).toContain('data/server.key');
    expect(await other.inputValue('#hba')).toContain('reject');
    await other.close();
    await page.close();
  }, 120_000);

  it("shows each file's fields and its ASN.1 tree as pgtls asn1 does", async () => {
    const page = await ctx.newPage();
    await page.goto(`${site.url}index.html#lang=en&view=lessons&lesson=chain&fix=1`);
    await shown(page);
    await page.click('#files-box summary');
    await page.click('[data-inspect] >> text=data/server.crt');
    await page.waitForSelector('#inspect table.asn1');
    const blocks = await page.evaluate(() =>
      [...document.querySelectorAll('#inspect section.block')].map((b) => ({
        summary: b.querySelector('pre')?.textContent ?? '',
        rows: [...b.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
      })),
    );
    const cli = withExport(await exported(page), (dir) => cliAsn1(join(dir, 'data/server.crt')));
    // server.crt holds the leaf then the intermediate, as the docs bundle them
    expect(blocks.map((b) => b.summary.match(/CN = [a-z.]+/)?.[0])).toEqual(['CN = db.example.com', 'CN = intermediate.yourdomain.com']);
    expect(blocks.map((b) => b.rows.map((r) => [Number(r[0]), Number(r[2]), r[3]]))).toEqual(
      cli.map((c) => c.lines.map((l) => [l.offset, l.length, l.tag])),
    );
    await page.locator('#files-box').screenshot({ path: join(OUT, 'asn1-server-crt.png') });
    await page.close();
  }, 60_000);

  it('re-simulates as the learner types (times measured, not asserted)', async () => {
    const page = await ctx.newPage();
    await page.goto(`${site.url}index.html#lang=en&view=playground`);
    let s = await shown(page);
    const base = await page.inputValue('#conninfo');
    const sims: number[] = [];
    for (let i = 1; i <= 6; i++) {
      await page.fill('#conninfo', `${base}${' '.repeat(i % 2)}`);
      s = await shown(page, s.run);
      expect(s.verdict).toBe('connects');
      const t = await page.evaluate(() => (window as unknown as { pgtlsTiming: { roundTripMs: number; simMs: number } }).pgtlsTiming);
      timings.push({ lesson: 'playground typing', firstOrRerun: 'rerun', roundTripMs: t.roundTripMs, simMs: t.simMs });
      sims.push(t.simMs);
    }
    sims.sort((a, b) => a - b);
    console.log(`re-simulation while typing: median ${sims[3].toFixed(0)} ms in simulate (${sims.map((x) => x.toFixed(0)).join(', ')})`);
    await page.close();
  }, 60_000);

  it("switches the interface to Japanese: pgtls's fix follows, psql and the server keep their own words", async () => {
    const page = await ctx.newPage();
    await page.goto(`${site.url}index.html#lang=en&view=lessons&lesson=chain`);
    const en = await shown(page);
    expect(en.fix).toMatch(/^the client's root certificate file does not hold the CA .* \(issuer "CN = intermediate\.yourdomain\.com"\)/);
    await page.selectOption('#lang', 'ja');
    await page.waitForFunction(() => document.documentElement.lang === 'ja');
    expect(await page.locator('[role=tab][data-view=lessons]').textContent()).toBe('レッスン');
    expect(await page.locator('#lesson-title').textContent()).toBe('中間証明書は server.crt に入れる');
    expect(await page.locator('#verdict').textContent()).toContain('psql は接続できない');
    expect(await page.locator('#psql').textContent()).toBe(en.psql);
    // the fix is redrawn in Japanese from the same result (no new simulation), with no "English" mark
    const ja = { ...en, fix: (await page.locator('#fix').textContent()) ?? '' };
    expect(ja.fix).toBe(
      'クライアントのルート証明書ファイルに、サーバ証明書を発行した認証局（発行者 "CN = intermediate.yourdomain.com"）がありません。その認証局が中間認証局なら、サーバが送るように server.crt のリーフ証明書の後に追加してください。ルート認証局なら sslrootcert に追加してください',
    );
    expect(await page.locator('#fix .lang-mark').count()).toBe(0);
    expect(await page.locator('#result').getAttribute('data-run')).toBe(en.run);
    // and it is what pgtls simulate prints for the exported files with LANGUAGE=ja
    await expectCliAgrees(page, ja, 'chain (mistake), Japanese');
    expect(page.url()).toContain('lang=ja');
    await page.screenshot({ path: join(OUT, 'lesson-chain-ja.png'), fullPage: true });
    await page.reload();
    expect((await shown(page)).fix).toBe(ja.fix);
    expect(await page.locator('[role=tab][data-view=playground]').textContent()).toBe('プレイグラウンド');
    await page.close();
  }, 60_000);

  it("shows every lesson's fix in Japanese as pgtls simulate prints it with LANGUAGE=ja", async () => {
    const page = await ctx.newPage();
    await page.goto(`${site.url}index.html#lang=ja&view=lessons`);
    let s = await shown(page);
    for (const l of LESSONS) {
      await page.click(`[data-lesson="${l.id}"]`);
      s = await shown(page, s.run);
      expect(s.fix, l.id).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      await expectCliAgrees(page, s, `${l.id} (mistake), Japanese`);
    }
    await page.goto(`${site.url}index.html#lang=ja&view=lessons&lesson=key-permissions`);
    s = await shown(page);
    expect(s.fix).toBe(
      'chmod 0600 server.key を実行してください（所有者は postgres）。または、所有者を root、グループを postgres にしてモードを 0640 にします',
    );
    await page.locator('#result').screenshot({ path: join(OUT, 'lesson-key-permissions-ja-fix.png') });
    await page.screenshot({ path: join(OUT, 'lesson-key-permissions-ja.png'), fullPage: true });
    await page.close();
  }, 300_000);

  it("links each lesson to the manual of the PostgreSQL version chosen, in Japanese to postgresql.jp's translation", async () => {
    const page = await ctx.newPage();
    const href = () => page.locator('#docs-link').getAttribute('href');
    await page.goto(`${site.url}index.html#lang=en&view=lessons&lesson=chain`);
    let s = await shown(page);
    expect(await href()).toBe('https://www.postgresql.org/docs/18/ssl-tcp.html#SSL-CERTIFICATE-CREATION');
    await page.selectOption('#lang', 'ja');
    await page.waitForFunction(() => document.documentElement.lang === 'ja');
    expect(await href()).toBe('https://www.postgresql.jp/document/18/html/ssl-tcp.html#SSL-CERTIFICATE-CREATION');
    await openEditor(page);
    for (const v of ['13', '14', '15', '16', '17']) {
      await page.selectOption('#pgVersion', v);
      s = await shown(page, s.run);
      expect(await href(), v).toBe(`https://www.postgresql.jp/document/${v}/html/ssl-tcp.html#SSL-CERTIFICATE-CREATION`);
    }
    // the version lives in the link: a new page on it links to 17's manual, in English when asked
    const other = await ctx.newPage();
    await other.goto(page.url().replace('lang=ja', 'lang=en'));
    await shown(other);
    expect(await other.locator('#docs-link').getAttribute('href')).toBe(
      'https://www.postgresql.org/docs/17/ssl-tcp.html#SSL-CERTIFICATE-CREATION',
    );
    await other.close();
    // every lesson's page, on another version
    for (const l of LESSONS) {
      await page.goto(`${site.url}index.html#lang=en&view=lessons&lesson=${l.id}`);
      await shown(page);
      expect(await href(), l.id).toBe(`https://www.postgresql.org/docs/18/${l.docs.page}${l.docs.anchor ? `#${l.docs.anchor}` : ''}`);
    }
    await page.close();
  }, 120_000);

  it('fills the sslmode matrix, and each lesson row agrees with its lesson', async () => {
    const page = await ctx.newPage();
    await page.goto(`${site.url}index.html#lang=en&view=matrix`);
    const cells = LESSONS.length * 6;
    await page.waitForFunction((n) => document.querySelectorAll('#matrix td[data-verdict]').length === n, cells, { timeout: 120_000 });
    expect(await page.locator('#work').isVisible(), 'the matrix view shows the matrix only').toBe(false);
    await page.screenshot({ path: join(OUT, 'matrix.png'), fullPage: true });
    const table = await page.evaluate(() =>
      [...document.querySelectorAll('#matrix tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.dataset.verdict)),
    );
    const modes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
    LESSONS.forEach((l, i) => {
      const mode = /sslmode=(\S+)/.exec(l.broken.conninfo)![1];
      expect(table[i][modes.indexOf(mode)], `${l.id} at ${mode}`).toBe(lessonVerdicts.get(l.id) ?? 'fails');
    });
    // require verifies nothing without root.crt (the self-signed lesson's client has none)
    const selfSigned = LESSONS.findIndex((l) => l.id === 'self-signed');
    expect(table[selfSigned][modes.indexOf('require')]).toBe('connects');
    expect(table[selfSigned][modes.indexOf('verify-ca')]).toBe('fails');
    await page.close();
  }, 180_000);

  it('simulates the PostgreSQL and OpenSSL versions chosen, and the export carries them to pgtls simulate', async () => {
    const page = await ctx.newPage();
    await page.goto(`${site.url}index.html#lang=en&view=lessons&lesson=host-name`);
    let s = await shown(page);
    expect(await page.locator('#command').textContent()).toContain('pgtls simulate --pg-version 18 --openssl-version 3.0 ');
    await openEditor(page);
    // PostgreSQL 13's libpq names no "connection to server at" in its message
    await page.selectOption('#pgVersion', '13');
    s = await shown(page, s.run);
    expect(s.verdict).toBe('fails');
    expect(s.psql).toContain('does not match host name "db.internal"');
    expect(s.psql).not.toContain('connection to server at');
    expect(page.url()).toContain('s=');
    expect(await page.locator('#command').textContent()).toContain('--pg-version 13 --openssl-version 3.0');
    await expectCliAgrees(page, s, 'host-name on PostgreSQL 13');
    await page.screenshot({ path: join(OUT, 'version-host-name-pg13.png'), fullPage: true });
    // an iPAddress SAN: libpq 14 checks DNS names and the CN only, 15+ matches host=127.0.0.1 against it
    await page.fill('#sans', 'IP:127.0.0.1');
    await page.fill('#conninfo', 'host=127.0.0.1 user=app dbname=app sslmode=verify-full');
    await page.waitForTimeout(300);
    s = await shown(page, s.run);
    const verdicts: Record<string, string> = {};
    for (const v of ['14', '15']) {
      await page.selectOption('#pgVersion', v);
      s = await shown(page, s.run);
      verdicts[v] = s.verdict;
      await expectCliAgrees(page, s, `IP SAN on PostgreSQL ${v}`);
      if (v === '14') expect(s.psql).toContain('server certificate for "db.example.com" does not match host name "127.0.0.1"');
    }
    expect(verdicts).toEqual({ 14: 'fails', 15: 'connects' });
    // the version lives in the link: a new page opens on 15
    const other = await ctx.newPage();
    await other.goto(page.url());
    expect((await shown(other)).verdict).toBe('connects');
    await openEditor(other);
    expect(await other.inputValue('#pgVersion')).toBe('15');
    await other.close();
    // OpenSSL 1.1.1 says "self signed certificate" where 3.0 says "self-signed": a self-signed server
    // certificate that root.crt (a dropped, unrelated CA) does not hold
    await page.goto(`${site.url}index.html#lang=en&view=lessons&lesson=self-signed&fix=1`);
    s = await shown(page);
    await openEditor(page);
    await page.setInputFiles('#file-input', {
      name: 'root.crt',
      mimeType: 'text/plain',
      buffer: readFileSync(join(ROOT, 'vectors/x509/rsa2048-leaf-issuer.pem')),
    });
    await page.waitForTimeout(300); // the file input's own input event re-runs too, after the debounce
    s = await shown(page, s.run);
    expect(s.psql).toContain('SSL error: certificate verify failed');
    expect(await page.locator('.chain-fig[data-side=server] .err').textContent()).toContain('self-signed certificate');
    await expectCliAgrees(page, s, 'unrelated root.crt on OpenSSL 3.0');
    await page.selectOption('#opensslVersion', '1.1');
    await page.waitForTimeout(300);
    s = await shown(page, s.run);
    expect(await page.locator('#command').textContent()).toContain('--openssl-version 1.1');
    expect(await page.locator('.chain-fig[data-side=server] .err').textContent()).toContain('self signed certificate');
    await expectCliAgrees(page, s, 'unrelated root.crt on OpenSSL 1.1.1');
    await page.close();
  }, 120_000);

  it('revokes any certificate of the hierarchy through the form, and the verdict follows', async () => {
    const page = await ctx.newPage();
    await page.goto(`${site.url}index.html#lang=en&view=lessons&lesson=crl&fix=1`);
    let s = await shown(page);
    expect(s.verdict).toBe('connects');
    await openEditor(page);
    const step = async (what: string, act: () => Promise<void>, verdict: string, psql?: string) => {
      await act();
      await page.waitForTimeout(300); // past the page's 120 ms debounce, so the run awaited is the last one
      s = await shown(page, s.run);
      expect(s.verdict, what).toBe(verdict);
      if (psql) expect(s.psql, what).toContain(psql);
      await expectCliAgrees(page, s, what);
    };
    // the server checks the client certificate against data/root.crl (ssl_crl_file)
    await step('client revoked', () => page.check('input[name=revoke][value=client]'), 'fails', 'sslv3 alert certificate revoked');
    await page.screenshot({ path: join(OUT, 'crl-client-revoked.png'), fullPage: true });
    await step('client back', () => page.uncheck('input[name=revoke][value=client]'), 'connects');
    // the server leaf on the CRL: only a client that has the CRL (~/.postgresql/root.crl) notices
    await step('server revoked, client without CRL', () => page.check('input[name=revoke][value=server]'), 'connects');
    await step('server revoked, client with CRL', () => page.check('#clientCrl'), 'fails', 'certificate verify failed');
    expect(await page.locator('.chain-fig[data-side=server] .err').textContent()).toContain('certificate revoked');
    await page.screenshot({ path: join(OUT, 'crl-server-revoked.png'), fullPage: true });
    // three levels: the intermediate revoked by the root
    await step(
      'chain, server back',
      async () => {
        await page.uncheck('input[name=revoke][value=server]');
        await page.selectOption('#kind', 'chain');
      },
      'connects',
    );
    await step('intermediate revoked', () => page.check('input[name=revoke][value=intermediate]'), 'fails', 'certificate verify failed');
    const err = await page.locator('.chain-fig[data-side=server] .err').textContent();
    expect(err).toContain('at depth 1');
    await page.screenshot({ path: join(OUT, 'crl-intermediate-revoked.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it("draws the client's trust anchors beside a chain that stops early", async () => {
    const page = await ctx.newPage();
    await page.goto(`${site.url}index.html#lang=en&view=lessons&lesson=chain`);
    await shown(page);
    const aside = page.locator('.chain-fig[data-side=server] .anchors');
    expect(await aside.locator('code').textContent()).toBe('home/.postgresql/root.crt');
    expect(await aside.locator('li').allTextContents()).toEqual([expect.stringContaining('CN = root.yourdomain.com')]);
    await page.locator('.chain-fig[data-side=server]').screenshot({ path: join(OUT, 'anchors-chain.png') });
    await page.goto(`${site.url}index.html#lang=en&view=lessons&lesson=trust-root`);
    await shown(page);
    expect(await aside.locator('li').allTextContents()).toEqual([expect.stringContaining('CN = intermediate.yourdomain.com')]);
    // the server's side: ssl_ca_file beside the client certificate's chain
    await page.goto(`${site.url}index.html#lang=en&view=lessons&lesson=client-cert&fix=1`);
    await shown(page);
    const server = page.locator('.chain-fig[data-side=client] .anchors');
    expect(await server.locator('code').textContent()).toBe('data/root.crt');
    expect(await server.locator('li').allTextContents()).toEqual([expect.stringContaining('CN = root.yourdomain.com')]);
    await page.close();
  }, 60_000);

  it('puts the scenario on screen in the sslmode matrix as its first row', async () => {
    const page = await ctx.newPage();
    await page.goto(`${site.url}index.html#lang=en&view=playground`);
    let s = await shown(page);
    await page.fill('#conninfo', 'host=db.internal hostaddr=127.0.0.1 user=app dbname=app sslmode=verify-full');
    s = await shown(page, s.run);
    expect(s.verdict).toBe('fails');
    await page.click('[role=tab][data-view=matrix]');
    const cells = (LESSONS.length + 1) * 6;
    await page.waitForFunction((n) => document.querySelectorAll('#matrix td[data-verdict]').length === n, cells, { timeout: 120_000 });
    const first = await page.evaluate(() => {
      const tr = document.querySelector('#matrix tbody tr')!;
      return { current: (tr as HTMLElement).dataset.current, cells: [...tr.querySelectorAll('td')].map((td) => td.dataset.verdict) };
    });
    // a wrong host name: verify-ca accepts the certificate, verify-full refuses it
    expect(first.current).toBe('1');
    expect(first.cells.slice(4)).toEqual(['connects', 'fails']);
    await page.screenshot({ path: join(OUT, 'matrix-current.png'), fullPage: true });
    // its link goes back to the same scenario in the playground
    await page.click('#matrix tbody tr[data-current] a');
    expect((await shown(page, s.run)).verdict).toBe('fails');
    expect(await page.inputValue('#conninfo')).toContain('db.internal');
    await page.close();
  }, 180_000);

  it('reads on a phone-sized screen', async () => {
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${site.url}index.html#lang=en&view=lessons&lesson=host-name`);
    await shown(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, 'no sideways scrolling').toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(OUT, 'phone-host-name.png'), fullPage: true });
    // the views are tabs the keyboard reaches: arrow keys move between them
    await page.focus('[role=tab][data-view=lessons]');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => location.hash.includes('view=playground'));
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-view'))).toBe('playground');
    await page.close();
  }, 60_000);
});
