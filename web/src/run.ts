// One simulation for the page: the scenario's files in an in-memory file system (memFs, the
// core's), `simulate` exactly as `pgtls simulate --pgdata DIR --home DIR` calls it, and the
// result reduced to plain data the page draws (verdict, psql's text, server log, steps, fix,
// the chains each side checked, the handshake trace). The verdict is the core's: nothing here
// decides one.

import { isInputError, decodePemOrDer, dumpDer, parseDer, type DumpLine } from '../../src/der/index.js';
import { ConninfoError, memFs, simulate, type FixAdvice, type SimulateResult, type SimStep, type MemFile } from '../../src/pg/index.js';
import { errorMessageFor, type VerifyResult } from '../../src/path/index.js';
import {
  CERTIFICATE_LABELS,
  formatSummary,
  formatNameOneline,
  parseCertificateBlock,
  parseCrlBlock,
  parsePrivateKeyBlock,
  summarizeCertificate,
  summarizeCrl,
  summarizePrivateKey,
  type Certificate,
} from '../../src/x509/index.js';
import type { TraceEntry } from '../../src/tls13/index.js';
import { FactoryError } from '../../src/factory/index.js';
import { buildFiles, type ScenarioFile } from './build.js';
import { HOME, PGDATA, SCENARIO_DIR, type Scenario } from './model.js';

export interface ChainNode {
  subject: string;
  issuer: string;
  /** the check at this depth: ok, failed (OpenSSL's error), or not checked */
  status: 'ok' | 'fail' | 'unchecked';
  error?: string;
  depth: number;
  trusted: boolean;
}

export interface ChainView {
  side: 'server' | 'client';
  /** who checked it: libpq (sslmode verify-ca/verify-full, sslrootcert) or the server (ssl_ca_file) */
  checked: boolean;
  ok: boolean;
  nodes: ChainNode[];
  error?: { code: number; name: string; message: string; depth: number };
  /** what the checking side's CA file holds (sslrootcert, or the server's ssl_ca_file): drawn beside the chain, not used to decide anything */
  anchors?: { file: string; subjects: string[] };
}

export interface TraceView {
  who: 'client' | 'server';
  direction: TraceEntry['direction'];
  step: string;
  message?: string;
  rfc?: string;
  secrets: string[];
  checks: { check: string; ok: boolean; detail?: string }[];
  alert?: { name: string; direction: 'sent' | 'received' };
}

export interface RunView {
  ok: boolean;
  serverStarted: boolean;
  message: string;
  psqlStderr: string;
  serverFatal?: string;
  serverLog: string[];
  steps: SimStep[];
  /** the fix in English (what `pgtls simulate` prints under LANG=C) */
  fix?: string;
  /** the fix as values, which the page puts in its interface language (renderFix) */
  fixes?: FixAdvice[];
  pgStatSsl?: Record<string, unknown>;
  chains: ChainView[];
  trace: TraceView[];
  files: ScenarioFile[];
  /** bad input the simulator refused (a typed input error), instead of a verdict */
  inputError?: string;
  /** milliseconds: building the files, and simulate itself */
  buildMs: number;
  simMs: number;
}

/** The simulator's input: the files at SCENARIO_DIR, owned by the user who runs it, as the CLI sees them when run as that user (root here). */
export function simulateFiles(files: ScenarioFile[], conninfo: string, v: Pick<Scenario, 'pgVersion' | 'opensslVersion'>): SimulateResult {
  const map: Record<string, MemFile> = { [`${PGDATA}/`]: { content: '' }, [`${HOME}/.postgresql/`]: { content: '' } };
  for (const f of files) map[`${SCENARIO_DIR}/${f.path}`] = { content: f.text, mode: f.mode };
  return simulate({
    fs: memFs(map),
    pgdata: PGDATA,
    conninfo,
    env: { HOME },
    osUser: 'root',
    clientUser: { uid: 0, gids: [0] },
    pgVersion: v.pgVersion,
    opensslVersion: v.opensslVersion,
  });
}

const cn = (c: Certificate) => formatNameOneline(c.subject);

/** One side's chain as checked, in the words of the OpenSSL the scenario names (1.1.1 words some errors differently). */
function chainView(side: ChainView['side'], sent: Certificate[], v: VerifyResult | undefined, openssl: string): ChainView {
  const certs = v?.chain.length ? v.chain : sent;
  const trustedFrom = v ? (v.numUntrusted ?? certs.length) : certs.length;
  const nodes = certs.map((c, depth): ChainNode => {
    const err = v?.errors.find((e) => e.depth === depth);
    return {
      subject: cn(c),
      issuer: formatNameOneline(c.issuer),
      depth,
      trusted: Boolean(v) && depth >= trustedFrom,
      status: !v ? 'unchecked' : err ? 'fail' : 'ok',
      ...(err ? { error: `${err.code} ${err.name}: ${errorMessageFor(err.code, openssl)}` } : {}),
    };
  });
  const e = v?.error;
  return {
    side,
    checked: Boolean(v),
    ok: v ? v.ok : true,
    nodes,
    ...(e ? { error: { code: e.code, name: e.name, message: errorMessageFor(e.code, openssl), depth: e.depth } } : {}),
  };
}

/** The scenario file an absolute or data-relative path names, as the simulator's file system holds it. */
function scenarioPath(path: string, base: string): string {
  const abs = path.startsWith('/') ? path : `${base}/${path}`;
  return abs.startsWith(`${SCENARIO_DIR}/`) ? abs.slice(SCENARIO_DIR.length + 1) : abs;
}

/** The certificates' subjects in a CA file of the scenario (empty when it is missing or unreadable). */
function caFile(files: ScenarioFile[], path: string): { file: string; subjects: string[] } {
  const f = files.find((x) => x.path === path);
  if (!f) return { file: path, subjects: [] };
  try {
    const bytes = typeof f.text === 'string' ? new TextEncoder().encode(f.text) : f.text;
    const subjects = decodePemOrDer(bytes)
      .filter((b) => (CERTIFICATE_LABELS as readonly string[]).includes(b.label))
      .map((b) => cn(parseCertificateBlock(b)));
    return { file: path, subjects };
  } catch {
    return { file: path, subjects: [] };
  }
}

/**
 * Where each side's trust anchors come from, for the picture: sslrootcert (default
 * ~/.postgresql/root.crt) for libpq, ssl_ca_file for the server. Read from the texts the
 * learner edits, only to show what those files hold.
 */
function anchorFiles(s: Scenario): { server: string; client?: string } {
  const root = /(?:^|\s)sslrootcert\s*=\s*'?([^'\s]+)/.exec(s.conninfo)?.[1];
  const ca = /^\s*ssl_ca_file\s*=\s*'([^']*)'/m.exec(s.conf)?.[1];
  return {
    server: root ? scenarioPath(root, HOME) : 'home/.postgresql/root.crt',
    ...(ca ? { client: scenarioPath(ca, PGDATA) } : {}),
  };
}

function traceView(t: TraceEntry[]): TraceView[] {
  return t.map((e) => ({
    who: e.who,
    direction: e.direction,
    step: e.step,
    ...(e.message ? { message: e.message } : {}),
    ...(e.rfc ? { rfc: e.rfc } : {}),
    secrets: e.secrets.map((s) => s.name),
    checks: e.checks.map((c) => ({ check: c.check, ok: c.ok, ...(c.detail ? { detail: c.detail } : {}) })),
    ...(e.alert ? { alert: { name: e.alert.name, direction: e.alert.direction } } : {}),
  }));
}

export function runScenario(s: Scenario): RunView {
  const t0 = performance.now();
  let files: ScenarioFile[];
  try {
    files = buildFiles(s);
  } catch (e) {
    return refused(e, [], performance.now() - t0, 0);
  }
  const t1 = performance.now();
  let r: SimulateResult;
  try {
    r = simulateFiles(files, s.conninfo, s);
  } catch (e) {
    return refused(e, files, t1 - t0, performance.now() - t1);
  }
  const simMs = performance.now() - t1;
  const last = [...r.attempts].reverse().find((a) => a.handshake);
  const hs = last?.handshake;
  const chains: ChainView[] = [];
  const where = anchorFiles(s);
  if (hs?.serverChain.length)
    chains.push({ ...chainView('server', hs.serverChain, hs.serverVerify, s.opensslVersion), anchors: caFile(files, where.server) });
  if (hs?.clientChain.length)
    chains.push({
      ...chainView('client', hs.clientChain, hs.clientVerify, s.opensslVersion),
      ...(where.client ? { anchors: caFile(files, where.client) } : {}),
    });
  return {
    ok: r.ok,
    serverStarted: r.serverStarted,
    message: r.message,
    psqlStderr: r.psqlStderr,
    ...(r.serverFatal !== undefined ? { serverFatal: r.serverFatal } : {}),
    serverLog: r.serverLog,
    steps: r.steps,
    ...(r.fix ? { fix: r.fix } : {}),
    ...(r.fixes ? { fixes: r.fixes } : {}),
    ...(r.pgStatSsl ? { pgStatSsl: { ...r.pgStatSsl } } : {}),
    chains,
    trace: traceView(r.tlsTrace),
    files,
    buildMs: t1 - t0,
    simMs,
  };
}

/**
 * A typed input error becomes a message on the page (what the CLI prints with exit 2). Anything
 * else is a bug in pgtls: the page says so instead of dying, so the learner can report it.
 */
function refused(e: unknown, files: ScenarioFile[], buildMs: number, simMs: number): RunView {
  const input = isInputError(e) || e instanceof ConninfoError || e instanceof FactoryError;
  const text = e instanceof Error ? e.message : String(e);
  return {
    ok: false,
    serverStarted: false,
    message: '',
    psqlStderr: '',
    serverLog: [],
    steps: [],
    chains: [],
    trace: [],
    files,
    inputError: input ? text : `pgtls bug (please report): ${text}`,
    buildMs,
    simMs,
  };
}

export interface BlockView {
  label: string;
  summary: string;
  dump: DumpLine[];
  error?: string;
}

/** `pgtls show` and `pgtls asn1` for one file: each PEM block's summary and its ASN.1 tree with offsets. */
export function inspectFile(text: string | Uint8Array): BlockView[] {
  const now = Date.now();
  let blocks: ReturnType<typeof decodePemOrDer>;
  try {
    blocks = decodePemOrDer(typeof text === 'string' ? new TextEncoder().encode(text) : text);
  } catch (e) {
    return [{ label: '', summary: '', dump: [], error: e instanceof Error ? e.message : String(e) }];
  }
  return blocks.map((b) => {
    try {
      const summary = (CERTIFICATE_LABELS as readonly string[]).includes(b.label)
        ? formatSummary(summarizeCertificate(parseCertificateBlock(b), now))
        : b.label === 'X509 CRL'
          ? formatSummary(summarizeCrl(parseCrlBlock(b), now))
          : /PRIVATE KEY/.test(b.label)
            ? formatSummary(summarizePrivateKey(parsePrivateKeyBlock(b)))
            : '';
      return { label: b.label, summary, dump: dumpDer(parseDer(b.der, b.label || 'der')) };
    } catch (e) {
      return { label: b.label, summary: '', dump: [], error: e instanceof Error ? e.message : String(e) };
    }
  });
}
