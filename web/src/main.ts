// The page: lessons, playground and the sslmode matrix around one Scenario. It keeps the
// state in the URL, sends every simulation to the worker, and draws what comes back: the
// verdict (data-verdict="connects"|"fails"), psql's text, the server log, the fix, the chains,
// the handshake, the files with their fields and ASN.1, and the script that reproduces it all.

import { chainSvg, esc, handshakeSvg } from './diagrams.js';
import { exportScript, simulateCommand } from './export.js';
import { STRINGS, type Lang, type Strings } from './i18n.js';
import { docsUrl, LESSONS, lessonById, type Lesson } from './lessons.js';
import {
  decodeScenario,
  defaultScenario,
  encodeScenario,
  OPENSSL_VERSIONS,
  PAGE_KEY_TYPES,
  PG_VERSIONS,
  REVOCABLE,
  SSL_MODES,
  type DroppedFile,
  type Scenario,
} from './model.js';
import { MISTAKES } from '../../src/factory/index.js';
import { renderFix } from '../../src/pg/fix-render.js';
import type { MatrixCell, Request, Response } from './protocol.js';
import type { BlockView, RunView } from './run.js';

type View = 'lessons' | 'playground' | 'matrix';

interface State {
  lang: Lang;
  view: View;
  lesson: string;
  fixed: boolean;
  /** the scenario edited away from the lesson's (or the playground's) */
  custom?: Scenario;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
let nextId = 1;
let latestRun = 0;
const pending = new Map<number, (r: Response) => void>();
worker.onmessage = (ev: MessageEvent<Response>) => pending.get(ev.data.id)?.(ev.data);

/** A request without its id (distributed over the union, so each kind keeps its fields). */
type Ask = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

function ask(q: Ask, onAnswer: (r: Response) => void): number {
  const id = nextId++;
  pending.set(id, onAnswer);
  worker.postMessage({ ...q, id } as Request);
  return id;
}

// --- state and URL -------------------------------------------------------------------------

function readHash(): State {
  const p = new URLSearchParams(location.hash.slice(1));
  const lang: Lang = p.get('lang') === 'ja' ? 'ja' : p.get('lang') === 'en' ? 'en' : navigator.language.startsWith('ja') ? 'ja' : 'en';
  const view = (['lessons', 'playground', 'matrix'] as const).find((v) => v === p.get('view')) ?? 'lessons';
  const lesson = lessonById(p.get('lesson') ?? '')?.id ?? LESSONS[0].id;
  const s = p.get('s');
  return { lang, view, lesson, fixed: p.get('fix') === '1', ...(s && decodeScenario(s) ? { custom: decodeScenario(s) } : {}) };
}

function writeHash(st: State): void {
  const p = new URLSearchParams();
  p.set('lang', st.lang);
  p.set('view', st.view);
  if (st.view !== 'playground') p.set('lesson', st.lesson);
  if (st.fixed && st.view === 'lessons') p.set('fix', '1');
  if (st.custom) p.set('s', encodeScenario(st.custom));
  const hash = `#${p.toString()}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

let state = readHash();
const t = (): Strings => STRINGS[state.lang];
const lesson = (): Lesson => lessonById(state.lesson) ?? LESSONS[0];
function scenario(): Scenario {
  if (state.custom) return state.custom;
  if (state.view === 'playground') return defaultScenario();
  return state.fixed ? lesson().fixed : lesson().broken;
}
function scenarioName(): string {
  return state.view === 'playground' || state.custom ? 'playground' : `${lesson().id}${state.fixed ? ' (fixed)' : ''}`;
}

// --- rendering -----------------------------------------------------------------------------

function renderStatic(): void {
  document.documentElement.lang = state.lang;
  const s = t();
  document.title = s.title;
  for (const el of document.querySelectorAll<HTMLElement>('[data-t]')) el.textContent = String(s[el.dataset.t as keyof Strings]);
  for (const b of document.querySelectorAll<HTMLButtonElement>('[role=tab]')) {
    const on = b.dataset.view === state.view;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  $<HTMLSelectElement>('lang').value = state.lang;
  $('lessons-panel').hidden = state.view !== 'lessons';
  $('playground-intro').hidden = state.view !== 'playground';
  // the playground is the editor: open it there; in a lesson it stays as the learner left it
  if (state.view === 'playground') $<HTMLDetailsElement>('editor-box').open = true;
  $('work').hidden = state.view === 'matrix';
  $('matrix-view').hidden = state.view !== 'matrix';
}

function renderLessons(): void {
  const s = t();
  $('lesson-list').innerHTML = LESSONS.map(
    (l, i) =>
      `<li><button type="button" class="lesson-link" data-lesson="${l.id}" aria-current="${l.id === state.lesson}">${i + 1}. ${esc(l.title[state.lang])}</button></li>`,
  ).join('');
  const l = lesson();
  const text = esc(l.text[state.lang]).replace(/`([^`]+)`/g, '<code>$1</code>');
  $('lesson').innerHTML = `<h2 id="lesson-title" tabindex="-1">${esc(l.title[state.lang])}</h2>
    <p class="docs">${esc(s.docs)}: <a id="docs-link" href="${esc(docsUrl(l.docs, state.lang, scenario().pgVersion))}" rel="noopener" target="_blank">${esc(l.docs.title[state.lang])}</a></p>
    <p>${text}</p>
    ${state.fixed ? `<p class="fix-line"><strong>${esc(s.fix)}:</strong> ${esc(l.fixLabel[state.lang])}</p>` : ''}
    <button type="button" id="fix-toggle" class="primary">${esc(state.fixed ? s.showMistake : `${s.applyFix}: ${l.fixLabel[state.lang]}`)}</button>`;
}

const field = (id: string, label: string, input: string) => `<div class="field"><label for="${id}">${esc(label)}</label>${input}</div>`;
const options = (values: readonly string[], current: string, names?: Record<string, string>) =>
  values.map((v) => `<option value="${esc(v)}"${v === current ? ' selected' : ''}>${esc(names?.[v] ?? v)}</option>`).join('');
const checks = (name: string, values: readonly string[], on: readonly string[]) =>
  values
    .map(
      (v) =>
        `<label class="check"><input type="checkbox" name="${name}" value="${esc(v)}"${on.includes(v) ? ' checked' : ''}> ${esc(v)}</label>`,
    )
    .join('');
const KU = ['digitalSignature', 'keyEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign'];
const EKU = ['serverAuth', 'clientAuth'];

function renderEditor(): void {
  const s = t();
  const sc = scenario();
  $('editor-body').innerHTML = `
    <fieldset class="versions"><legend>${esc(s.versions)}</legend>
      ${field('pgVersion', s.pgVersion, `<select id="pgVersion" name="pgVersion">${options(PG_VERSIONS.map(String), String(sc.pgVersion))}</select>`)}
      ${field('opensslVersion', s.opensslVersion, `<select id="opensslVersion" name="opensslVersion">${options(OPENSSL_VERSIONS, sc.opensslVersion, s.opensslNames)}</select>`)}
    </fieldset>
    ${field('conninfo', s.connstr, `<textarea id="conninfo" name="conninfo" rows="2" spellcheck="false">${esc(sc.conninfo)}</textarea>`)}
    ${field('conf', 'postgresql.conf', `<textarea id="conf" name="conf" rows="5" spellcheck="false">${esc(sc.conf)}</textarea>`)}
    ${field('hba', 'pg_hba.conf', `<textarea id="hba" name="hba" rows="3" spellcheck="false">${esc(sc.hba)}</textarea>`)}
    ${field('ident', 'pg_ident.conf', `<textarea id="ident" name="ident" rows="2" spellcheck="false">${esc(sc.ident)}</textarea>`)}
    <fieldset><legend>${esc(s.certificates)}</legend>
      ${field('kind', s.recipe, `<select id="kind" name="kind">${options(['self-signed', 'root-server', 'chain'], sc.kind, s.recipes)}</select>`)}
      ${field('cn', s.cn, `<input id="cn" name="cn" value="${esc(sc.cn)}">`)}
      ${field('sans', s.sans, `<input id="sans" name="sans" value="${esc(sc.sans.join(', '))}">`)}
      ${field('keyType', s.keyType, `<select id="keyType" name="keyType">${options(PAGE_KEY_TYPES, sc.keyType)}</select>`)}
      ${field('days', s.days, `<input id="days" name="days" type="number" min="1" value="${sc.days}">`)}
      <fieldset class="inner"><legend>${esc(s.leafFields)}</legend>
        ${field('ca', s.caFlag, `<select id="ca" name="ca">${options(['', 'true', 'false'], sc.leaf.ca ?? '', { '': s.none })}</select>`)}
        ${field('pathLen', s.pathLen, `<input id="pathLen" name="pathLen" type="number" min="0" value="${sc.leaf.pathLen ?? ''}">`)}
        <div class="checks" role="group" aria-label="${esc(s.keyUsage)}"><span>${esc(s.keyUsage)}</span>${checks('keyUsage', KU, sc.leaf.keyUsage ?? [])}</div>
        <div class="checks" role="group" aria-label="${esc(s.eku)}"><span>${esc(s.eku)}</span>${checks('eku', EKU, sc.leaf.eku ?? [])}</div>
      </fieldset>
      <div class="checks" role="group" aria-label="${esc(s.mistakes)}"><span>${esc(s.mistakes)}</span>${checks('mistakes', MISTAKES, sc.mistakes)}</div>
      ${field('clientRoot', s.clientRoot, `<select id="clientRoot" name="clientRoot">${options(['root', 'none', 'intermediate'], sc.clientRoot, s.clientRoots)}</select>`)}
      ${field('clientCertCn', s.clientCert, `<input id="clientCertCn" name="clientCertCn" value="${esc(sc.clientCertCn)}">`)}
      <label class="check"><input type="checkbox" id="serverCa" name="serverCa"${sc.serverCa ? ' checked' : ''}> ${esc(s.serverCa)}</label>
      <label class="check"><input type="checkbox" id="crl" name="crl"${sc.crl ? ' checked' : ''}> ${esc(s.crl)}</label>
      <label class="check"><input type="checkbox" id="clientCrl" name="clientCrl"${sc.clientCrl ? ' checked' : ''}> ${esc(s.clientCrl)}</label>
      <div class="checks" role="group" aria-label="${esc(s.revoke)}"><span>${esc(s.revoke)}</span>${REVOCABLE.map(
        (v) =>
          `<label class="check"><input type="checkbox" name="revoke" value="${v}"${sc.revoke.includes(v) ? ' checked' : ''}> ${esc(s.revocable[v])}</label>`,
      ).join('')}</div>
      ${field('keyMode', s.keyMode, `<input id="keyMode" name="keyMode" pattern="0?[0-7]{3,4}" value="0${sc.keyMode.toString(8)}">`)}
      <p class="note">${esc(s.sampleKeys)}</p>
    </fieldset>
    <div id="drop" class="drop" tabindex="0"><p>${esc(s.drop)} <label class="file-btn">${esc(s.choose)}<input type="file" id="file-input" multiple></label></p>
      ${field('rootTarget', s.rootTarget, `<select id="rootTarget">${options(['home', 'data'], 'home', s.rootTargets)}</select>`)}
      ${
        Object.keys(sc.files).length
          ? `<p>${esc(s.dropped)}</p><ul id="dropped">${Object.keys(sc.files)
              .map((p) => `<li><code>${esc(p)}</code> <button type="button" data-remove="${esc(p)}">${esc(s.remove)}</button></li>`)
              .join('')}</ul>`
          : ''
      }
    </div>`;
}

/** The scenario as the form shows it now. */
function readEditor(): Scenario {
  const f = $<HTMLFormElement>('editor');
  const v = (n: string) => (f.elements.namedItem(n) as HTMLInputElement | null)?.value ?? '';
  const all = (n: string) => [...f.querySelectorAll<HTMLInputElement>(`input[name=${n}]:checked`)].map((i) => i.value);
  const base = scenario();
  const mode = Number.parseInt(v('keyMode'), 8);
  const days = Number.parseInt(v('days'), 10);
  const pathLen = Number.parseInt(v('pathLen'), 10);
  return {
    ...base,
    conninfo: v('conninfo'),
    conf: v('conf'),
    hba: v('hba'),
    ident: v('ident'),
    kind: v('kind') as Scenario['kind'],
    cn: v('cn'),
    sans: v('sans')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
    keyType: v('keyType') as Scenario['keyType'],
    days: Number.isFinite(days) && days > 0 ? days : base.days,
    leaf: {
      ...(v('ca') ? { ca: v('ca') as 'true' | 'false' } : {}),
      ...(Number.isFinite(pathLen) ? { pathLen } : {}),
      ...(all('keyUsage').length ? { keyUsage: all('keyUsage') } : {}),
      ...(all('eku').length ? { eku: all('eku') } : {}),
    },
    mistakes: all('mistakes') as Scenario['mistakes'],
    clientRoot: v('clientRoot') as Scenario['clientRoot'],
    clientCertCn: v('clientCertCn').trim(),
    serverCa: (f.elements.namedItem('serverCa') as HTMLInputElement).checked,
    crl: (f.elements.namedItem('crl') as HTMLInputElement).checked,
    clientCrl: (f.elements.namedItem('clientCrl') as HTMLInputElement).checked,
    revoke: all('revoke') as Scenario['revoke'],
    pgVersion: Number(v('pgVersion')),
    opensslVersion: v('opensslVersion') as Scenario['opensslVersion'],
    keyMode: Number.isFinite(mode) ? mode : base.keyMode,
  };
}

let lastView: RunView | undefined;
let firstVerdictAt: number | undefined;
const t0 = performance.now();

function runNow(): void {
  const sc = scenario();
  const started = performance.now();
  $('result').setAttribute('aria-busy', 'true');
  latestRun = ask({ type: 'run', scenario: sc }, (r) => {
    pending.delete(r.id);
    if (r.type !== 'run' || r.id !== latestRun) return;
    const roundTrip = performance.now() - started;
    if (firstVerdictAt === undefined) firstVerdictAt = performance.now() - t0;
    lastView = r.view;
    renderResult(r.view);
    const timing = { firstVerdictMs: firstVerdictAt, roundTripMs: roundTrip, simMs: r.view.simMs, buildMs: r.view.buildMs };
    (window as unknown as { pgtlsTiming: typeof timing }).pgtlsTiming = timing;
    $('result').setAttribute('aria-busy', 'false');
    $('result').dataset.run = String(r.id);
  });
}

let debounce: ReturnType<typeof setTimeout> | undefined;
function runSoon(): void {
  clearTimeout(debounce);
  debounce = setTimeout(runNow, 120);
}

function verdictHtml(v: RunView): string {
  const s = t();
  const word = v.inputError ? s.inputError : v.ok ? s.connects : v.serverStarted ? s.fails : `${s.fails}: ${s.serverDown}`;
  return `<p id="verdict" class="verdict ${v.ok ? 'ok' : 'bad'}" data-verdict="${v.ok ? 'connects' : 'fails'}"><span aria-hidden="true">${v.ok ? '✓' : '✗'}</span> ${esc(word)}</p>`;
}

/** The checking side's CA file beside its chain: what it holds, the one the chain ends at marked. */
function anchorsHtml(c: RunView['chains'][number]): string {
  if (!c.anchors) return '';
  const s = t();
  const top = c.nodes[c.nodes.length - 1];
  const items = c.anchors.subjects.length
    ? c.anchors.subjects
        .map((x) => {
          const used = top && (x === top.subject || x === top.issuer);
          return `<li class="${used ? 'used' : ''}">${used ? '<span aria-hidden="true">⚓ </span>' : ''}${esc(x)}</li>`;
        })
        .join('')
    : `<li class="missing">${esc(s.anchorsNone)}</li>`;
  return `<aside class="anchors" aria-label="${esc(s.anchors)}"><h4>${esc(s.anchors)}</h4><p><code>${esc(c.anchors.file)}</code></p><ul>${items}</ul></aside>`;
}

function renderResult(v: RunView): void {
  const s = t();
  const parts: string[] = [verdictHtml(v)];
  if (v.inputError) parts.push(`<pre id="input-error" class="out">${esc(v.inputError)}</pre>`);
  if (v.psqlStderr || !v.ok) parts.push(`<h3>${esc(s.psqlPrints)}</h3><pre id="psql" class="out">${esc(v.psqlStderr)}</pre>`);
  if (v.pgStatSsl)
    parts.push(
      `<h3>pg_stat_ssl</h3><pre id="stat-ssl" class="out">${esc(
        Object.entries(v.pgStatSsl)
          .filter(([k]) => k !== 'pid')
          .map(([k, x]) => `${k} = ${x === null ? 'NULL' : String(x)}`)
          .join('\n'),
      )}</pre>`,
    );
  // pgtls's own advice (src/pg/fix.ts), values put in the interface's language: what `pgtls simulate` prints in that locale
  const fix = renderFix(v.fixes, state.lang);
  if (fix) parts.push(`<h3>${esc(s.fix)}</h3><p id="fix" class="fix">${esc(fix)}</p>`);
  if (v.serverLog.length) parts.push(`<h3>${esc(s.serverLog)}</h3><pre id="server-log" class="out">${esc(v.serverLog.join('\n'))}</pre>`);
  parts.push(`<h3>${esc(s.chain)}</h3>`);
  if (!v.chains.length) parts.push(`<p>${esc(s.noHandshake)}</p>`);
  for (const c of v.chains) {
    parts.push(
      `<figure class="chain-fig" data-side="${c.side}" data-verdict="${c.ok ? 'connects' : 'fails'}"><figcaption>${esc(c.side === 'server' ? s.serverChain : s.clientChain)}${c.checked ? '' : ` (${esc(c.side === 'server' ? s.unchecked : s.uncheckedClient)})`}</figcaption><div class="chain-row">${chainSvg(c, s)}${anchorsHtml(c)}</div>${c.error ? `<p class="err">error ${c.error.code} at depth ${c.error.depth}: ${esc(c.error.message)}</p>` : ''}</figure>`,
    );
  }
  parts.push(
    `<h3>${esc(s.handshake)}</h3>`,
    v.trace.length ? `<figure id="handshake">${handshakeSvg(v.trace, s)}</figure>` : `<p>${esc(s.noHandshake)}</p>`,
  );
  parts.push(
    `<details><summary>${esc(s.steps)} (${v.steps.length})</summary><ol class="steps">${v.steps
      .map(
        (x) =>
          `<li class="${x.result}"><strong>${esc(x.result)}</strong> ${x.attempt ? `[${x.attempt}] ` : ''}${esc(x.step)} (${esc(x.who)}): ${esc(x.detail)}</li>`,
      )
      .join('')}</ol></details>`,
  );
  parts.push(
    `<details id="files-box"><summary>${esc(s.files)} · ${esc(s.inspect)}</summary><p>${esc(s.pick)}</p><ul class="files">${v.files
      .map(
        (f, i) =>
          `<li><button type="button" data-inspect="${i}"><code>${esc(f.path)}</code></button> <span class="mode">0${f.mode.toString(8)}</span></li>`,
      )
      .join('')}</ul><div id="inspect"></div></details>`,
  );
  parts.push(
    `<section class="export"><h3>${esc(s.exportTitle)}</h3><p>${esc(s.exportHelp)}</p><pre class="out" id="command">sh pgtls-scenario.sh\n${esc(simulateCommand(scenario().conninfo, scenario()))}</pre>
    <button type="button" id="download">${esc(s.download)}</button> <button type="button" id="copy-link">${esc(s.copyLink)}</button> <span id="copied" role="status"></span></section>`,
  );
  parts.push(`<p class="timing">${esc(s.timing)} ${v.simMs.toFixed(0)} ms (+ ${v.buildMs.toFixed(0)} ms ${esc(s.certTime)})</p>`);
  $('result-body').innerHTML = parts.join('');
}

function renderInspect(blocks: BlockView[]): void {
  $('inspect').innerHTML = blocks
    .map(
      (b, i) => `<section class="block"><h4>${esc(b.label || 'DER')} #${i + 1}</h4>
      ${b.error ? `<p class="err">${esc(b.error)}</p>` : ''}
      ${b.summary ? `<pre class="out">${esc(b.summary)}</pre>` : ''}
      ${
        b.dump.length
          ? `<div class="asn1-wrap"><table class="asn1"><caption>ASN.1</caption><thead><tr><th scope="col">offset</th><th scope="col">hl</th><th scope="col">len</th><th scope="col">tag</th><th scope="col">value</th></tr></thead><tbody>${b.dump
              .map(
                (d) =>
                  `<tr><td>${d.offset}</td><td>${d.headerLength}</td><td>${d.length}</td><td style="padding-left:${0.3 + d.depth}em">${esc(d.tag)}</td><td>${esc(d.value ?? '')}</td></tr>`,
              )
              .join('')}</tbody></table></div>`
          : ''
      }</section>`,
    )
    .join('');
}

function renderMatrix(): void {
  const s = t();
  const lessonRows = LESSONS.map((l) => ({ name: l.title[state.lang], id: l.id, scenario: l.broken }));
  // the scenario the learner came from (kept in the URL), first, linked back to the playground
  const rows = state.custom
    ? [
        {
          name: `${s.current} (PostgreSQL ${state.custom.pgVersion}, OpenSSL ${s.opensslNames[state.custom.opensslVersion]})`,
          id: '',
          scenario: state.custom,
        },
        ...lessonRows,
      ]
    : lessonRows;
  $('matrix-view').innerHTML =
    `<h2>${esc(s.matrix)}</h2><p>${esc(s.matrixHelp)}</p><div class="table-wrap"><table id="matrix" class="matrix"><thead><tr><th scope="col">${esc(s.scenario)}</th>${SSL_MODES.map((m) => `<th scope="col">${m}</th>`).join('')}</tr></thead><tbody>${rows
      .map(
        (r, i) =>
          `<tr data-row="${i}"${r.id ? ` data-lesson="${r.id}"` : ' data-current="1"'}><th scope="row"><a href="${r.id ? `#lang=${state.lang}&view=lessons&lesson=${r.id}` : `#lang=${state.lang}&view=playground&s=${encodeScenario(state.custom!)}`}">${esc(r.name)}</a></th>${SSL_MODES.map(() => `<td>${esc(s.computing)}</td>`).join('')}</tr>`,
      )
      .join('')}</tbody></table></div>`;
  ask({ type: 'matrix', rows: rows.map((r) => r.scenario) }, (r) => {
    if (r.type !== 'matrix-row') return;
    if (r.done) pending.delete(r.id);
    const tr = $('matrix-view').querySelector(`tr[data-row="${r.row}"]`);
    if (!tr) return;
    tr.querySelectorAll('td').forEach((td, i) => {
      const c: MatrixCell = r.cells[i];
      td.dataset.verdict = c.ok ? 'connects' : 'fails';
      td.className = c.ok ? 'ok' : 'bad';
      td.title = c.message;
      td.innerHTML = c.ok ? `✓ ${esc(s.connects)}` : `✗ <span class="cell-msg">${esc(c.message.split('\n')[0])}</span>`;
    });
  });
}

function render(rerunSim = true): void {
  writeHash(state);
  renderStatic();
  if (state.view === 'matrix') {
    renderMatrix();
    return;
  }
  if (state.view === 'lessons') renderLessons();
  renderEditor();
  if (rerunSim) runNow();
  else if (lastView) renderResult(lastView);
}

// --- events --------------------------------------------------------------------------------

function edited(): void {
  state = { ...state, custom: readEditor() };
  writeHash(state);
  // the lesson's manual link follows the PostgreSQL version chosen
  const docs = document.getElementById('docs-link') as HTMLAnchorElement | null;
  if (docs && state.view === 'lessons') docs.href = docsUrl(lesson().docs, state.lang, scenario().pgVersion);
  runSoon();
}

function download(name: string, text: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'text/x-sh' }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

const CLIENT_NAMES = new Set(['postgresql.crt', 'postgresql.key']);
const CONFIGS: Record<string, 'conf' | 'hba' | 'ident'> = { 'postgresql.conf': 'conf', 'pg_hba.conf': 'hba', 'pg_ident.conf': 'ident' };

async function addFiles(list: FileList | File[]): Promise<void> {
  const sc = { ...readEditor() };
  sc.files = { ...sc.files };
  const rootTarget = ($<HTMLSelectElement>('rootTarget').value as 'home' | 'data') ?? 'home';
  for (const file of [...list]) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let dropped: DroppedFile;
    try {
      dropped = { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } catch {
      let bin = '';
      for (const b of bytes) bin += String.fromCharCode(b);
      dropped = { base64: btoa(bin) };
    }
    const name = file.name;
    const conf = CONFIGS[name];
    if (conf && 'text' in dropped) {
      sc[conf] = dropped.text;
      continue;
    }
    const dir = CLIENT_NAMES.has(name) || (name === 'root.crt' && rootTarget === 'home') ? 'home/.postgresql' : 'data';
    sc.files[`${dir}/${name}`] = dropped;
  }
  state = { ...state, custom: sc };
  render();
}

function wire(): void {
  document.querySelector('nav')!.addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('[role=tab]');
    if (!b) return;
    const view = b.dataset.view as View;
    // the matrix takes the scenario on screen as its first row; back in the playground it is still there
    const custom =
      view === 'matrix' && state.view !== 'matrix'
        ? scenario()
        : view === 'playground' && state.view === 'matrix'
          ? state.custom
          : undefined;
    state = { ...state, view, custom };
    render();
  });
  document.querySelector('nav')!.addEventListener('keydown', (e) => {
    const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role=tab]')];
    const i = tabs.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0 || (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft')) return;
    const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    next.click();
  });
  $<HTMLSelectElement>('lang').addEventListener('change', (e) => {
    state = { ...state, lang: (e.target as HTMLSelectElement).value as Lang };
    render(false);
  });
  $('lessons-panel').addEventListener('click', (e) => {
    const el = e.target as HTMLElement;
    const link = el.closest<HTMLButtonElement>('[data-lesson]');
    if (link) {
      state = { ...state, lesson: link.dataset.lesson!, fixed: false, custom: undefined };
      render();
      $('lesson-title')?.focus();
    }
    if (el.closest('#fix-toggle')) {
      state = { ...state, fixed: !state.fixed, custom: undefined };
      render();
      $('fix-toggle').focus();
    }
  });
  const form = $<HTMLFormElement>('editor');
  form.addEventListener('input', edited);
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('click', (e) => {
    const rm = (e.target as HTMLElement).closest<HTMLButtonElement>('[data-remove]');
    if (!rm) return;
    const sc = readEditor();
    const files = { ...sc.files };
    delete files[rm.dataset.remove!];
    state = { ...state, custom: { ...sc, files } };
    render();
  });
  form.addEventListener('change', (e) => {
    const input = e.target as HTMLInputElement;
    if (input.id === 'file-input' && input.files) void addFiles(input.files);
  });
  form.addEventListener('dragover', (e) => {
    if (!(e.target as HTMLElement).closest('#drop')) return;
    e.preventDefault();
    $('drop').classList.add('over');
  });
  form.addEventListener('dragleave', () => $('drop')?.classList.remove('over'));
  form.addEventListener('drop', (e) => {
    if (!(e.target as HTMLElement).closest('#drop')) return;
    e.preventDefault();
    $('drop').classList.remove('over');
    if (e.dataTransfer?.files.length) void addFiles(e.dataTransfer.files);
  });
  $('result').addEventListener('click', (e) => {
    const el = e.target as HTMLElement;
    const ins = el.closest<HTMLButtonElement>('[data-inspect]');
    if (ins && lastView) {
      const f = lastView.files[Number(ins.dataset.inspect)];
      $('inspect').innerHTML = `<p>${esc(t().computing)}</p>`;
      ask({ type: 'inspect', text: f.text }, (r) => {
        pending.delete(r.id);
        if (r.type === 'inspect') renderInspect(r.blocks);
      });
    }
    if (el.closest('#download') && lastView)
      download('pgtls-scenario.sh', exportScript(lastView.files, scenario().conninfo, scenario(), scenarioName()));
    if (el.closest('#copy-link')) {
      const done = () => {
        $('copied').textContent = t().copied;
      };
      navigator.clipboard?.writeText(location.href).then(done, done);
    }
  });
  window.addEventListener('hashchange', () => {
    state = readHash();
    render();
  });
}

wire();
render();
