// `pgtls test FILE`: conformance testing of PostgreSQL TLS setups in CI. Reads an
// expectations file (YAML, schema/pgtls-test.schema.json), runs every expectation offline
// through simulate() or, with --live, the connection expectations against the running
// servers, and reports (text, json, junit, tap, sarif, html). `pgtls test merge` combines
// shard reports; `pgtls test --init --pgdata DIR` writes a starting file (test-init.ts).
// Exit 0 every expectation holds, 1 some do not, 2 bad input.

import { writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  ConformanceInputError,
  exitCode,
  FORMATS,
  mergeReports,
  parseExpectations,
  parseInventory,
  renderReport,
  runPlan,
  serverFacts,
  connectOffline,
  type Report,
  type ReportFormat,
} from '../conformance/index.js';
import { connectLive } from '../conformance/live-node.js';
import { nodeFs } from '../pg/fs-node.js';
import { DEFAULT_LOCALE_DIR, nodeCatalogLoader, nodeLocaleInstalled } from '../pg/i18n/catalogs-node.js';
import { VERSION } from '../version.js';
import { hostsFileOption, parseArgs, UsageError } from './args.js';
import { fileError, readInputFile } from './fs-errors.js';

const HELP = `Usage: pgtls test [options] FILE
       pgtls test merge [--format F] [--output OUT] REPORT.json...
       pgtls test --init --pgdata DIR [--host NAME]... [--force]

Checks a PostgreSQL TLS setup against an expectations file (YAML; its JSON Schema is
schema/pgtls-test.schema.json): connections that must connect or fail (with a message,
exact or a pattern, and a step), matrices of sslmodes and profiles, and properties of the
setup (minimum TLS version, allowed pg_hba methods, client certificates on hostssl lines,
certificate lifetime left, key sizes, no SHA-1, SAN for every name, CRLs not stale).
Offline (default) every connection is simulated from the servers' data directories; with
--live the connection expectations run against the running servers.

Options:
  --live                run connection expectations against the running servers
  --format F            text (default), json, junit, tap, sarif, html
  --output FILE         write the report there (default: standard output)
  --inventory FILE      a fleet (YAML: servers with name, host, hostaddr, port, profile,
                        pgdata): replaces the file's servers; connections naming no server
                        run on each
  --shard I/N           run the servers of shard I of N (1-based; every Nth server)
  --jobs N              connections at once with --live (default 8)
  --timeout MS          per live connection (default 10000)
  --retries N           retries of a live connection the network refused or timed out (default 2)
  --at ISO-8601         the time to judge at (default: the file's defaults.at, else now)
  --hosts-file FILE     the server machine's hosts file (offline; default /etc/hosts)
  --init                write a starting expectations file from what --pgdata does today
Exit status: 0 every expectation holds, 1 some do not, 2 bad input.`;

const text = (path: string) => new TextDecoder().decode(readInputFile(path, 'openssl'));

function write(out: string | undefined, body: string): void {
  if (out === undefined) {
    process.stdout.write(body);
    return;
  }
  try {
    writeFileSync(out, body);
  } catch (e) {
    throw fileError(e, out, 'write', 'openssl');
  }
}

function formatOption(v: unknown): ReportFormat {
  const f = (v ?? 'text') as ReportFormat;
  if (!FORMATS.includes(f)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  return f;
}

function positiveInt(opts: Record<string, unknown>, name: string, dflt: number, min = 1): number {
  if (opts[name] === undefined) return dflt;
  const v = Number(opts[name]);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`--${name} must be an integer of at least ${min}`);
  return v;
}

function shardOption(v: unknown): { index: number; count: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(String(v));
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard wants I/N with 1 <= I <= N, not ${v}`);
  return { index, count };
}

async function merge(argv: string[]): Promise<number> {
  const { opts, positionals } = parseArgs(argv, { values: ['format', 'output'], flags: ['help'] });
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  if (!positionals.length) throw new UsageError('merge: give the JSON reports to merge');
  const reports = positionals.map((p) => {
    try {
      const r = JSON.parse(text(p)) as Report;
      if (!Array.isArray(r.cases) || !r.summary) throw new Error('not a report');
      return r;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`merge: ${p} is not a pgtls test JSON report (--format json): ${(e as Error).message}`);
    }
  });
  const files = new Set(reports.map((r) => r.file));
  if (files.size > 1) throw new UsageError(`merge: the reports are of different files: ${[...files].join(', ')}`);
  const merged = mergeReports(reports);
  write(opts.output as string | undefined, renderReport(merged, formatOption(opts.format), { cwd: process.cwd(), hostname: hostname() }));
  return exitCode(merged);
}

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'merge') return merge(argv.slice(1));
  const { opts, positionals } = parseArgs(argv, {
    values: ['format', 'output', 'inventory', 'shard', 'jobs', 'timeout', 'retries', 'at', 'hosts-file', 'pgdata'],
    repeat: ['host'],
    flags: ['help', 'live', 'init', 'force'],
  });
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  if (opts.init) return (await import('./test-init.js')).init(opts);
  for (const o of ['pgdata', 'host', 'force'])
    if (opts[o] !== undefined) throw new UsageError(`--${o} goes with --init (an expectations file names its servers)`);
  if (positionals.length !== 1) throw new UsageError('give exactly one expectations file (try --help)');
  const format = formatOption(opts.format);
  const shard = shardOption(opts.shard);
  const jobs = positiveInt(opts, 'jobs', 8);
  const timeoutMs = positiveInt(opts, 'timeout', 10_000);
  const retries = positiveInt(opts, 'retries', 2, 0);
  const file = positionals[0];
  const abs = resolve(file);
  let plan: ReturnType<typeof parseExpectations>;
  try {
    const inventory = opts.inventory
      ? parseInventory(text(String(opts.inventory)), String(opts.inventory), dirname(resolve(String(opts.inventory))))
      : undefined;
    plan = parseExpectations(text(file), file, dirname(abs), inventory);
  } catch (e) {
    if (e instanceof ConformanceInputError)
      throw new UsageError(`${e.kind === 'yaml-syntax' ? 'YAML syntax error' : 'invalid expectations'}:\n${e.message}`);
    throw e;
  }
  let at = plan.at ?? new Date();
  if (opts.at !== undefined) {
    at = new Date(String(opts.at));
    if (Number.isNaN(at.getTime())) throw new UsageError(`--at: not an ISO-8601 time: ${opts.at}`);
  }
  if (opts.live && plan.at && opts.at === undefined)
    // a live server judges certificates at its own clock
    at = new Date();
  const fs = nodeFs();
  for (const s of plan.servers)
    if (s.pgdata && !fs.stat(s.pgdata)?.isDir) throw new UsageError(`${file}: server "${s.name}": pgdata ${s.pgdata} is not a directory`);
  const me = userInfo();
  const clientUser = { uid: me.uid, gids: [me.gid] };
  const offlineBase = {
    fs,
    clientUser,
    osUser: me.username,
    catalogs: nodeCatalogLoader(DEFAULT_LOCALE_DIR),
    localeInstalled: nodeLocaleInstalled(),
    hosts: hostsFileOption(opts),
  };
  const report = await runPlan(plan, {
    mode: opts.live ? 'live' : 'offline',
    at,
    version: VERSION,
    shard,
    concurrency: opts.live ? jobs : 1,
    facts: (s) => serverFacts({ ...s, pgdata: s.pgdata! }, { fs, securityLevel: plan.securityLevel, opensslVersion: plan.opensslVersion }),
    connect: async (c, s, facts) =>
      opts.live
        ? connectLive(plan, { osUser: me.username, clientUser, timeoutMs, retries, at }, c, s)
        : connectOffline(plan, offlineBase, c, s, facts!, at),
  });
  write(opts.output as string | undefined, renderReport(report, format, { cwd: process.cwd(), hostname: hostname() }));
  return exitCode(report);
}
