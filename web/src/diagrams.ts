// Pictures drawn from the simulator's data: the certificate chains (who issued whom, each
// depth's check with OpenSSL's error) and the TLS 1.3 handshake as a sequence diagram from the
// engine's trace. SVG as text; every mark also has words, so colour is never the only signal.

import type { Strings } from './i18n.js';
import type { ChainView, TraceView } from './run.js';

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Cut a line of text to about n characters for a box. */
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Words of a long note over lines of about n characters. */
function wrap(s: string, n: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const w of s.split(' ')) {
    if (cur && cur.length + w.length + 1 > n) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** The rows worth drawing: each message sent, each key derivation, each failed or certificate check, each alert. */
function rows(trace: TraceView[], t: Strings): Row[] {
  const out: Row[] = [];
  for (const e of trace) {
    if (e.alert?.direction === 'sent') {
      out.push({ kind: 'alert', who: e.who, text: `${t.alert} ${e.alert.name}`, bad: true });
      continue;
    }
    if (e.direction === 'send' && e.message)
      out.push({ kind: 'msg', who: e.who, text: e.message, sub: e.rfc ? `RFC 8446 §${e.rfc}` : undefined });
    const secrets = e.secrets.filter((s) => /traffic_secret|master_secret|handshake_secret/.test(s));
    if (e.direction === 'local' && secrets.length) out.push({ kind: 'note', who: e.who, text: `${t.derives}: ${secrets.join(', ')}` });
    for (const c of e.checks) {
      if (!c.ok && e.direction === 'recv' && /key share/.test(c.check)) continue; // an HRR reason, not a failure
      if (!c.ok || /verifyPeerChain|CertificateVerify|Finished|host name/i.test(c.check))
        out.push({ kind: 'note', who: e.who, text: `${c.ok ? '✓' : '✗'} ${c.check}`, sub: c.detail, bad: !c.ok });
    }
  }
  return out;
}

/** One chain, root at the top, leaf at the bottom, an arrow for each "issued". */
export function chainSvg(c: ChainView, t: Strings): string {
  const W = 520;
  const GAP = 34;
  const nodes = [...c.nodes].reverse();
  const errLines = nodes.map((n) => (n.error ? wrap(n.error, 74) : []));
  const boxes = errLines.map((e) => 54 + e.length * 14);
  const H = boxes.reduce((a, b) => a + b + GAP, 0) - GAP + 8;
  const parts: string[] = [];
  let y = 4;
  nodes.forEach((n, i) => {
    if (i > 0) y += boxes[i - 1] + GAP;
    const BOX = boxes[i];
    const cls = n.status;
    const mark = n.status === 'ok' ? '✓' : n.status === 'fail' ? '✗' : '–';
    const tag = `${t.depth} ${n.depth}${n.trusted ? ` · ${t.trusted}` : ''}${n.status === 'unchecked' ? ` · ${t.notChecked}` : ''}`;
    parts.push(
      `<g class="node ${cls}"><rect x="4" y="${y}" width="${W - 8}" height="${BOX}" rx="8"/>`,
      `<text x="18" y="${y + 24}" class="mark">${mark}</text>`,
      `<text x="44" y="${y + 24}" class="subject">${esc(clip(n.subject, 52))}</text>`,
      `<text x="44" y="${y + 44}" class="meta">${esc(tag)}</text>`,
      ...errLines[i].map((line, j) => `<text x="44" y="${y + 62 + j * 14}" class="cerr">${esc(line)}</text>`),
      '</g>',
    );
    if (i < nodes.length - 1) {
      const y1 = y + BOX;
      parts.push(
        `<line x1="60" y1="${y1}" x2="60" y2="${y1 + GAP - 4}" class="arrow" marker-end="url(#arrowhead)"/>`,
        `<text x="72" y="${y1 + GAP / 2 + 4}" class="meta">${esc(t.issues)}</text>`,
      );
    }
  });
  const label = c.side === 'server' ? t.serverChain : t.clientChain;
  return `<svg class="chain" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(label)}"><defs><marker id="arrowhead" markerWidth="8" markerHeight="8" refX="4" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z"/></marker></defs>${parts.join('')}</svg>`;
}

interface Row {
  kind: 'msg' | 'note' | 'alert';
  who: 'client' | 'server';
  text: string;
  sub?: string;
  bad?: boolean;
}

export function handshakeSvg(trace: TraceView[], t: Strings): string {
  const W = 560;
  const LX = 70;
  const RX = W - 70;
  const rs = rows(trace, t);
  const lineCount = (r: Row) => (r.kind === 'note' ? wrap(r.text, 66).length + (r.sub ? wrap(r.sub, 76).length : 0) : 2);
  const heights = rs.map((r) => 18 + 15 * lineCount(r));
  const H = 50 + heights.reduce((a, b) => a + b, 0) + 10;
  const parts: string[] = [
    `<text x="${LX}" y="20" class="who" text-anchor="middle">${esc(t.client)}</text>`,
    `<text x="${RX}" y="20" class="who" text-anchor="middle">${esc(t.server)}</text>`,
    `<line x1="${LX}" y1="30" x2="${LX}" y2="${H - 4}" class="life"/>`,
    `<line x1="${RX}" y1="30" x2="${RX}" y2="${H - 4}" class="life"/>`,
  ];
  let y = 46;
  rs.forEach((r, i) => {
    y += i === 0 ? 10 : heights[i - 1];
    const from = r.who === 'client' ? LX : RX;
    const to = r.who === 'client' ? RX : LX;
    if (r.kind === 'msg' || r.kind === 'alert') {
      parts.push(
        `<line x1="${from}" y1="${y}" x2="${to + (to > from ? -6 : 6)}" y2="${y}" class="${r.kind === 'alert' ? 'arrow bad' : 'arrow'}" marker-end="url(#hs-arrow)"/>`,
        `<text x="${W / 2}" y="${y - 6}" text-anchor="middle" class="${r.kind === 'alert' ? 'msg bad' : 'msg'}">${esc(r.text)}</text>`,
        r.sub ? `<text x="${W / 2}" y="${y + 14}" text-anchor="middle" class="meta">${esc(r.sub)}</text>` : '',
      );
    } else {
      const x = r.who === 'client' ? LX + 8 : RX - 8;
      const anchor = r.who === 'client' ? 'start' : 'end';
      const main = wrap(r.text, 66);
      const sub = r.sub ? wrap(r.sub, 76) : [];
      main.forEach((line, j) => {
        parts.push(`<text x="${x}" y="${y + j * 15}" text-anchor="${anchor}" class="${r.bad ? 'note bad' : 'note'}">${esc(line)}</text>`);
      });
      sub.forEach((line, j) => {
        parts.push(`<text x="${x}" y="${y + (main.length + j) * 15}" text-anchor="${anchor}" class="meta">${esc(line)}</text>`);
      });
    }
  });
  return `<svg class="handshake" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(t.handshake)}"><defs><marker id="hs-arrow" markerWidth="8" markerHeight="8" refX="6" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z"/></marker></defs>${parts.join('')}</svg>`;
}
