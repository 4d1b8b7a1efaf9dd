// The reports of a run: human text (each failing expectation, what happened instead, the
// steps and the fix), JSON (the Report itself, what `pgtls test merge` reads), JUnit XML
// (Ant's schema, which Jenkins, GitLab and GitHub test reporters read), TAP 13 (the format of
// PostgreSQL's own TAP suites), SARIF 2.1.0 (code-scanning annotations on the pg_hba.conf or
// postgresql.conf line responsible) and one self-contained HTML page.

import type { CaseResult, Report } from './run.js';

export const FORMATS = ['text', 'json', 'junit', 'tap', 'sarif', 'html'] as const;
export type ReportFormat = (typeof FORMATS)[number];

const MARK: Record<CaseResult['status'], string> = { pass: 'ok  ', fail: 'FAIL', error: 'ERR ', skip: 'skip' };

function summaryLine(r: Report): string {
  const s = r.summary;
  return `${s.total} expectation(s): ${s.passed} passed, ${s.failed} failed${s.errors ? `, ${s.errors} could not run` : ''}${s.skipped ? `, ${s.skipped} skipped` : ''}`;
}

/** Per server: how many expectations held (the fleet summary table). */
export function serverTable(r: Report): string[] {
  const by = new Map<string, CaseResult[]>();
  for (const c of r.cases) by.set(c.server, [...(by.get(c.server) ?? []), c]);
  if (by.size < 2) return [];
  const w = Math.max(6, ...[...by.keys()].map((k) => k.length));
  const rows = [`${'server'.padEnd(w)}  passed  failed  errors  skipped`];
  for (const [name, cs] of by) {
    const n = (s: CaseResult['status']) => String(cs.filter((c) => c.status === s).length);
    rows.push(`${name.padEnd(w)}  ${n('pass').padStart(6)}  ${n('fail').padStart(6)}  ${n('error').padStart(6)}  ${n('skip').padStart(7)}`);
  }
  return rows;
}

export function renderText(r: Report): string {
  const out: string[] = [`pgtls test ${r.file} (${r.mode}, at ${r.at}${r.shard ? `, shard ${r.shard.index}/${r.shard.count}` : ''})`, ''];
  for (const c of r.cases) out.push(`${MARK[c.status]} ${c.name}`);
  for (const c of r.cases.filter((x) => x.status === 'fail' || x.status === 'error')) {
    out.push(
      '',
      `${c.status === 'fail' ? 'FAILED' : 'COULD NOT RUN'}: ${c.name}`,
      `  at ${c.source.file}:${c.source.line}:${c.source.col}`,
    );
    out.push(`  expected: ${c.expected}`, `  actual:   ${c.actual.replace(/\n/g, '\n            ')}`);
    if (c.why) out.push(`  why:      ${c.why}`);
    if (c.blame) out.push(`  blame:    ${c.blame.file}${c.blame.line ? `:${c.blame.line}` : ''}: ${c.blame.what}`);
    if (c.chain.length) out.push(`  chain:    ${c.chain.join(' <- ')}`);
    if (c.steps.length) out.push('  steps:', ...c.steps.map((s) => `    ${s}`));
    if (c.fix) out.push(`  fix:      ${c.fix}`);
  }
  const table = serverTable(r);
  if (table.length) out.push('', ...table);
  out.push('', summaryLine(r));
  return out.join('\n');
}

/** XML 1.0 allows no control characters but tab, newline and carriage return: each becomes '?'. */
const xmlChars = (s: string) =>
  Array.from(s, (ch) => {
    const c = ch.charCodeAt(0);
    return c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d ? '?' : ch;
  }).join('');

const xml = (s: string) => xmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function failureBody(c: CaseResult): string {
  return [
    `expected: ${c.expected}`,
    `actual: ${c.actual}`,
    c.why ? `why: ${c.why}` : '',
    c.blame ? `blame: ${c.blame.file}${c.blame.line ? `:${c.blame.line}` : ''}: ${c.blame.what}` : '',
    c.chain.length ? `chain: ${c.chain.join(' <- ')}` : '',
    ...c.steps,
    c.fix ? `fix: ${c.fix}` : '',
    `expectation: ${c.source.file}:${c.source.line}:${c.source.col}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** JUnit XML as Ant writes it (testsuites > testsuite per server, with package and id). */
export function renderJunit(r: Report, hostname = 'localhost'): string {
  const by = new Map<string, CaseResult[]>();
  for (const c of r.cases) by.set(c.server, [...(by.get(c.server) ?? []), c]);
  // Ant's timestamp has no zone
  const ts = r.at.replace(/\.\d+Z$|Z$/, '');
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>'];
  let id = 0;
  for (const [server, cs] of by) {
    const n = (s: CaseResult['status']) => cs.filter((c) => c.status === s).length;
    out.push(
      `  <testsuite package="pgtls" id="${id++}" name="${xml(server)}" timestamp="${ts}" hostname="${xml(hostname)}" tests="${cs.length}" failures="${n('fail')}" errors="${n('error')}" skipped="${n('skip')}" time="${secs(cs.reduce((a, c) => a + c.durationMs, 0))}">`,
      '    <properties>',
      `      <property name="file" value="${xml(r.file)}"/>`,
      `      <property name="mode" value="${r.mode}"/>`,
      '    </properties>',
    );
    for (const c of cs) {
      const open = `    <testcase name="${xml(c.name)}" classname="pgtls.${xml(server)}" time="${secs(c.durationMs)}"`;
      if (c.status === 'pass') out.push(`${open}/>`);
      else if (c.status === 'skip') out.push(`${open}>`, '      <skipped/>', '    </testcase>');
      else {
        const tag = c.status === 'fail' ? 'failure' : 'error';
        out.push(
          `${open}>`,
          `      <${tag} message="${xml(c.why ?? c.actual)}" type="${c.kind}">${xml(failureBody(c))}</${tag}>`,
          '    </testcase>',
        );
      }
    }
    out.push('    <system-out></system-out>', '    <system-err></system-err>', '  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/** TAP version 13, as PostgreSQL's TAP suites print it (with YAML diagnostics for failures). */
export function renderTap(r: Report): string {
  const out = ['TAP version 13', `1..${r.cases.length}`];
  r.cases.forEach((c, i) => {
    const name = c.name.replace(/#/g, '\\#');
    if (c.status === 'skip') out.push(`ok ${i + 1} - ${name} # SKIP ${c.actual}`);
    else out.push(`${c.status === 'pass' ? 'ok' : 'not ok'} ${i + 1} - ${name}`);
    if (c.status === 'fail' || c.status === 'error') {
      out.push('  ---');
      out.push(`  expected: ${JSON.stringify(c.expected)}`, `  actual: ${JSON.stringify(c.actual)}`);
      if (c.blame) out.push(`  blame: ${JSON.stringify(`${c.blame.file}${c.blame.line ? `:${c.blame.line}` : ''}`)}`);
      if (c.fix) out.push(`  fix: ${JSON.stringify(c.fix)}`);
      out.push(`  at: ${JSON.stringify(`${c.source.file}:${c.source.line}:${c.source.col}`)}`, '  ...');
    }
  });
  return `${out.join('\n')}\n`;
}

/** A file URI relative to the working directory when it lies below it (what code scanning expects). */
function artifactUri(file: string, cwd?: string): string {
  if (cwd && file.startsWith(`${cwd.replace(/\/+$/, '')}/`)) return file.slice(cwd.replace(/\/+$/, '').length + 1);
  return file.startsWith('/') ? `file://${file}` : file;
}

const RULES = {
  connection: { id: 'PGTLS-CONNECTION', name: 'ConnectionExpectation', text: 'A connection expectation does not hold' },
  property: { id: 'PGTLS-PROPERTY', name: 'PropertyExpectation', text: 'A property of the server setup does not hold' },
} as const;

/** SARIF 2.1.0: one result per failing expectation, located at the configuration line responsible. */
export function renderSarif(r: Report, opts: { cwd?: string; version?: string } = {}): string {
  const results = r.cases
    .filter((c) => c.status === 'fail' || c.status === 'error')
    .map((c) => {
      const loc = c.blame ? { file: c.blame.file, line: c.blame.line } : { file: c.source.file, line: c.source.line };
      return {
        ruleId: RULES[c.kind].id,
        level: c.status === 'fail' ? 'error' : 'warning',
        message: {
          text: `${c.name}: expected ${c.expected}; ${c.actual.split('\n')[0]}${c.blame ? ` (${c.blame.what})` : ''}${c.fix ? `. Fix: ${c.fix}` : ''}`,
        },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: artifactUri(loc.file, opts.cwd) },
              ...(loc.line ? { region: { startLine: loc.line } } : {}),
            },
          },
        ],
        relatedLocations: [
          {
            id: 1,
            message: { text: 'the expectation' },
            physicalLocation: {
              artifactLocation: { uri: artifactUri(c.source.file, opts.cwd) },
              region: { startLine: c.source.line, startColumn: c.source.col },
            },
          },
        ],
        partialFingerprints: { expectation: `${c.server}/${c.name}` },
      };
    });
  const log = {
    $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pgtls',
            version: r.tool.version,
            rules: Object.values(RULES).map((x) => ({ id: x.id, name: x.name, shortDescription: { text: x.text } })),
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One self-contained page: a summary table, then per failure the trace, the chain and the fix. */
export function renderHtml(r: Report): string {
  const rows = r.cases
    .map(
      (c) =>
        `<tr class="${c.status}"><td>${c.status}</td><td>${html(c.server)}</td><td>${c.status === 'fail' || c.status === 'error' ? `<a href="#c${c.id}">${html(c.name)}</a>` : html(c.name)}</td><td>${html(c.expected)}</td><td>${html(c.actual)}</td></tr>`,
    )
    .join('\n');
  const failures = r.cases
    .filter((c) => c.status === 'fail' || c.status === 'error')
    .map(
      (c) => `<section id="c${c.id}"><h2>${html(c.name)}</h2>
<p>Expected <b>${html(c.expected)}</b>; ${html(c.actual)}</p>
${c.why ? `<p>${html(c.why)}</p>` : ''}
${c.blame ? `<p>Line responsible: <code>${html(c.blame.file)}${c.blame.line ? `:${c.blame.line}` : ''}</code>: <code>${html(c.blame.what)}</code></p>` : ''}
${c.chain.length ? `<p>Server chain: ${c.chain.map((s) => `<code>${html(s)}</code>`).join(' &larr; ')}</p>` : ''}
${c.steps.length ? `<pre>${html(c.steps.join('\n'))}</pre>` : ''}
${c.fix ? `<p class="fix">Fix: ${html(c.fix)}</p>` : ''}
<p class="src">Expectation: <code>${html(c.source.file)}:${c.source.line}:${c.source.col}</code></p></section>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>pgtls test: ${html(r.file)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
tr.fail td:first-child,tr.error td:first-child{background:#fdd}tr.pass td:first-child{background:#dfd}tr.skip td:first-child{background:#eee}
pre{background:#f6f6f6;padding:8px;overflow:auto}.fix{font-weight:bold}</style></head>
<body><h1>pgtls test</h1><p>${html(r.file)}, ${r.mode}, at ${html(r.at)}: ${html(summaryLine(r))}</p>
<table><tr><th>result</th><th>server</th><th>expectation</th><th>expected</th><th>actual</th></tr>
${rows}
</table>
${failures}
</body></html>
`;
}

export function renderReport(r: Report, format: ReportFormat, opts: { cwd?: string; hostname?: string } = {}): string {
  switch (format) {
    case 'text':
      return `${renderText(r)}\n`;
    case 'json':
      return `${JSON.stringify(r, null, 2)}\n`;
    case 'junit':
      return renderJunit(r, opts.hostname);
    case 'tap':
      return renderTap(r);
    case 'sarif':
      return renderSarif(r, opts);
    case 'html':
      return renderHtml(r);
  }
}
