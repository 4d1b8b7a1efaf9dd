// An expectations file and an inventory, from YAML text to typed plans: parsed with the
// `yaml` package (positions for every node), checked against schema.ts (validate.ts), then
// the cross-references (a connection's server and profile exist, `message` or `pattern`
// but not both, patterns compile) checked with their positions too. Matrices and
// connections without a server are expanded here into one case per server, sslmode and
// profile, in file order: the order every report and every shard keeps.

import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { EXPECTATIONS_SCHEMA, INVENTORY_SCHEMA, type JsonSchema } from './schema.js';
import { validateNode, type SchemaIssue } from './validate.js';
import { DEFAULT_PG_VERSION } from '../pg/conninfo/options.js';

export type ConformanceErrorKind = 'yaml-syntax' | 'schema' | 'reference';

/** Bad input in an expectations file or inventory: exit 2, with file, line and column. */
export class ConformanceInputError extends Error {
  override readonly name = 'ConformanceInputError';
  constructor(
    readonly kind: ConformanceErrorKind,
    readonly file: string,
    readonly issues: SchemaIssue[],
  ) {
    super(issues.map((i) => `${file}:${i.line}:${i.col}: ${i.path === '(top)' ? '' : `${i.path}: `}${i.message}`).join('\n'));
  }
}

export const SSLMODE_ORDER = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export interface Position {
  file: string;
  line: number;
  col: number;
}

export interface ServerSpec {
  name: string;
  /** absolute when the file gave one relative to itself */
  pgdata?: string;
  host?: string;
  hostaddr?: string;
  port?: number;
  settings: Record<string, string>;
  passphrase?: string;
  pgVersion: number;
  names: string[];
  /** the profile connections without one use here (inventories) */
  profile?: string;
}

export interface ProfileSpec {
  name: string;
  files: Partial<Record<'sslrootcert' | 'sslcert' | 'sslkey' | 'sslcrl' | 'sslcrldir' | 'passfile', string>>;
  env: Record<string, string>;
  home?: string;
  osUser?: string;
  address?: string;
}

export interface Outcome {
  connects?: true;
  fails?: { message?: string; pattern?: string; step?: string };
}

export interface ConnectionCase {
  kind: 'connection';
  /** stable id: its place in the whole plan, so shards merge back in order */
  id: string;
  name: string;
  server: string;
  profile?: string;
  conninfo: string;
  expect: Outcome;
  source: Position;
}

export type PropertyName =
  | 'minTlsVersion'
  | 'methods'
  | 'hostsslRequiresClientCert'
  | 'certificateDaysLeft'
  | 'keys'
  | 'noSha1'
  | 'sanCoversNames'
  | 'crlsNotStale';

export interface PropertyCase {
  kind: 'property';
  id: string;
  name: string;
  server: string;
  property: PropertyName;
  value: unknown;
  source: Position;
}

export type Case = ConnectionCase | PropertyCase;

export interface Plan {
  file: string;
  pgVersion: number;
  at?: Date;
  opensslVersion?: string;
  securityLevel?: number;
  servers: ServerSpec[];
  profiles: Record<string, ProfileSpec>;
  cases: Case[];
}

const PROPERTY_NAMES: PropertyName[] = [
  'minTlsVersion',
  'methods',
  'hostsslRequiresClientCert',
  'certificateDaysLeft',
  'keys',
  'noSha1',
  'sanCoversNames',
  'crlsNotStale',
];

/** A POSIX path relative to `base` (the directory of the file that names it). */
export function resolveFrom(base: string, p: string): string {
  const parts = (p.startsWith('/') ? p : `${base}/${p}`).split('/');
  const out: string[] = [];
  for (const s of parts) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return `/${out.join('/')}`;
}

interface Loaded {
  value: Record<string, unknown>;
  pos: (path: (string | number)[]) => Position;
}

function load(text: string, file: string, schema: JsonSchema): Loaded {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConformanceInputError(
      'yaml-syntax',
      file,
      doc.errors.map((e) => {
        const p = lc.linePos(e.pos[0]);
        return { line: p.line, col: p.col, path: '(top)', message: e.message.split('\n')[0] };
      }),
    );
  }
  const issues = validateNode(doc.contents as Node | null, schema, lc);
  if (issues.length) throw new ConformanceInputError('schema', file, issues);
  const pos = (path: (string | number)[]): Position => {
    const node = doc.getIn(path, true) as Node | undefined;
    let range = node && typeof node === 'object' && 'range' in node ? node.range : undefined;
    if (!range) {
      const parent = doc.getIn(path.slice(0, -1), true) as Node | undefined;
      range = parent && (isMap(parent) || isSeq(parent)) ? parent.range : undefined;
    }
    const lp = range ? lc.linePos(range[0]) : { line: 1, col: 1 };
    return { file, line: lp.line, col: lp.col };
  };
  return { value: (doc.toJS() ?? {}) as Record<string, unknown>, pos };
}

type Raw = Record<string, unknown>;

/** An expectations file's text -> the plan of cases, in file order. `dir`: the file's directory. */
export function parseExpectations(text: string, file: string, dir: string, inventory?: InventoryServer[]): Plan {
  const { value, pos } = load(text, file, EXPECTATIONS_SCHEMA);
  const refIssues: SchemaIssue[] = [];
  const refError = (path: (string | number)[], message: string) => {
    const p = pos(path);
    refIssues.push({ line: p.line, col: p.col, path: path.join('.'), message });
  };
  const defaults = (value.defaults ?? {}) as Raw;
  const pgVersion = (defaults.pgVersion as number | undefined) ?? DEFAULT_PG_VERSION;
  let at: Date | undefined;
  if (defaults.at !== undefined) {
    at = new Date(String(defaults.at));
    if (Number.isNaN(at.getTime())) refError(['defaults', 'at'], `not an ISO-8601 time: ${defaults.at}`);
  }
  const fromFile: ServerSpec[] = Object.entries((value.servers ?? {}) as Record<string, Raw>).map(([name, s]) => ({
    name,
    pgdata: s.pgdata === undefined ? undefined : resolveFrom(dir, String(s.pgdata)),
    host: s.host as string | undefined,
    hostaddr: s.hostaddr as string | undefined,
    port: s.port as number | undefined,
    settings: (s.settings ?? {}) as Record<string, string>,
    passphrase: s.passphrase as string | undefined,
    pgVersion: (s.pgVersion as number | undefined) ?? pgVersion,
    names: (s.names ?? []) as string[],
  }));
  // an inventory's servers replace the file's; a server of the file with the same name lends its settings
  const servers: ServerSpec[] = inventory
    ? inventory.map((s) => {
        const base = fromFile.find((f) => f.name === s.name);
        return {
          settings: {},
          names: [],
          ...base,
          ...Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)),
          pgVersion: base?.pgVersion ?? pgVersion,
        } as ServerSpec;
      })
    : fromFile;
  if (!servers.length) refError(['servers'], 'name at least one server (or give --inventory)');
  const profiles: Record<string, ProfileSpec> = {};
  for (const [name, p] of Object.entries((value.profiles ?? {}) as Record<string, Raw>)) {
    const files = Object.fromEntries(Object.entries((p.files ?? {}) as Record<string, string>).map(([k, v]) => [k, resolveFrom(dir, v)]));
    profiles[name] = {
      name,
      files,
      env: (p.env ?? {}) as Record<string, string>,
      home: p.home === undefined ? undefined : resolveFrom(dir, String(p.home)),
      osUser: p.osUser as string | undefined,
      address: p.address as string | undefined,
    };
  }
  const serverNames = servers.map((s) => s.name);
  const checkServer = (path: (string | number)[], name: unknown) => {
    if (name !== undefined && !serverNames.includes(String(name)))
      refError(path, `no server named "${name}" (servers: ${serverNames.join(', ')})`);
  };
  const checkProfile = (path: (string | number)[], name: unknown) => {
    if (name !== undefined && !profiles[String(name)])
      refError(path, `no profile named "${name}"${Object.keys(profiles).length ? ` (profiles: ${Object.keys(profiles).join(', ')})` : ''}`);
  };
  const checkOutcome = (path: (string | number)[], o: Raw) => {
    if ((o.connects === undefined) === (o.fails === undefined)) refError(path, 'say either "connects: true" or "fails: ..."');
    const f = o.fails as Raw | undefined;
    if (f?.message !== undefined && f.pattern !== undefined) refError([...path, 'fails'], 'give "message" or "pattern", not both');
    if (f?.pattern !== undefined) {
      try {
        new RegExp(String(f.pattern));
      } catch (e) {
        refError([...path, 'fails', 'pattern'], `not a regular expression: ${(e as Error).message}`);
      }
    }
  };
  const checkConninfo = (path: (string | number)[], c: string) => {
    if (/^postgres(ql)?:\/\//.test(c))
      refError(path, 'use a key=value connection string (host, hostaddr and port are added from the server)');
  };
  const outcomeOf = (o: Raw): Outcome => (o.connects ? { connects: true } : { fails: { ...(o.fails as Raw) } as Outcome['fails'] });

  const cases: Case[] = [];
  const id = () => String(cases.length + 1).padStart(6, '0');
  const targets = (s: unknown) => (s === undefined ? servers : servers.filter((x) => x.name === s));
  const describeOutcome = (o: Outcome) => (o.connects ? 'connects' : 'fails');

  ((value.connections ?? []) as Raw[]).forEach((c, i) => {
    checkServer(['connections', i, 'server'], c.server);
    checkProfile(['connections', i, 'profile'], c.profile);
    checkOutcome(['connections', i], c);
    checkConninfo(['connections', i, 'conninfo'], String(c.conninfo));
    const expect = outcomeOf(c);
    for (const s of targets(c.server)) {
      const profile = (c.profile as string | undefined) ?? s.profile;
      cases.push({
        kind: 'connection',
        id: id(),
        name: `${c.name ?? `${c.conninfo}${profile ? ` as ${profile}` : ''} ${describeOutcome(expect)}`}${servers.length > 1 ? ` [${s.name}]` : ''}`,
        server: s.name,
        profile,
        conninfo: String(c.conninfo),
        expect,
        source: pos(['connections', i]),
      });
    }
  });

  ((value.matrices ?? []) as Raw[]).forEach((m, i) => {
    checkServer(['matrices', i, 'server'], m.server);
    ((m.profiles ?? []) as string[]).forEach((p, j) => {
      checkProfile(['matrices', i, 'profiles', j], p);
    });
    checkOutcome(['matrices', i], m);
    checkConninfo(['matrices', i, 'conninfo'], String(m.conninfo));
    if ((m.sslmodes === undefined) === (m.sslmodesBelow === undefined)) refError(['matrices', i], 'give "sslmodes" or "sslmodesBelow"');
    const modes =
      (m.sslmodes as string[] | undefined) ??
      SSLMODE_ORDER.slice(0, Math.max(0, SSLMODE_ORDER.indexOf((m.sslmodesBelow as (typeof SSLMODE_ORDER)[number]) ?? 'disable')));
    const expect = outcomeOf(m);
    for (const s of targets(m.server))
      for (const profile of (m.profiles as string[] | undefined) ?? [s.profile])
        for (const mode of modes) {
          const conninfo = `${m.conninfo} sslmode=${mode}`;
          cases.push({
            kind: 'connection',
            id: id(),
            name: `${m.name ?? 'matrix'}: sslmode=${mode}${profile ? ` as ${profile}` : ''} ${describeOutcome(expect)}${servers.length > 1 ? ` [${s.name}]` : ''}`,
            server: s.name,
            profile,
            conninfo,
            expect,
            source: pos(['matrices', i]),
          });
        }
  });

  ((value.properties ?? []) as Raw[]).forEach((p, i) => {
    checkServer(['properties', i, 'server'], p.server);
    for (const s of targets(p.server))
      for (const prop of PROPERTY_NAMES) {
        if (p[prop] === undefined) continue;
        cases.push({
          kind: 'property',
          id: id(),
          name: `${p.name ? `${p.name}: ` : ''}${prop}${servers.length > 1 ? ` [${s.name}]` : ''}`,
          server: s.name,
          property: prop,
          value: p[prop],
          source: pos(['properties', i, prop]),
        });
      }
  });
  if (refIssues.length) throw new ConformanceInputError('reference', file, refIssues);
  return {
    file,
    pgVersion,
    at,
    opensslVersion: defaults.opensslVersion as string | undefined,
    securityLevel: defaults.securityLevel as number | undefined,
    servers,
    profiles,
    cases,
  };
}

/**
 * An inventory replaces the expectations file's servers: each entry is a server (its pgdata
 * relative to the inventory), and connections without a server run on every one of them.
 * The expectations are parsed again against the new server list, so ids stay in file order.
 */
export type InventoryServer = Pick<ServerSpec, 'name' | 'host' | 'hostaddr' | 'port' | 'profile' | 'pgdata'>;

export function parseInventory(text: string, file: string, dir: string): InventoryServer[] {
  const { value } = load(text, file, INVENTORY_SCHEMA);
  const seen = new Set<string>();
  const out: InventoryServer[] = [];
  const issues: SchemaIssue[] = [];
  for (const s of (value.servers ?? []) as Raw[]) {
    const name = String(s.name);
    if (seen.has(name)) issues.push({ line: 1, col: 1, path: 'servers', message: `server "${name}" is listed twice` });
    seen.add(name);
    out.push({
      name,
      host: s.host as string | undefined,
      hostaddr: s.hostaddr as string | undefined,
      port: s.port as number | undefined,
      profile: s.profile as string | undefined,
      pgdata: s.pgdata === undefined ? undefined : resolveFrom(dir, String(s.pgdata)),
    });
  }
  if (issues.length) throw new ConformanceInputError('reference', file, issues);
  return out;
}
