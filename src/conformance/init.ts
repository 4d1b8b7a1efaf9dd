// `pgtls test --init`: a starting expectations file from what a setup does today. The
// `check` matrix gives the clients to try (each pg_hba.conf host line's user, database and
// address); the names the server certificate covers give verify-full cases; client
// certificates found beside the data directory (a .crt with a .key of the same name, issued
// by a CA of ssl_ca_file) give profiles of their own. Every case is then run offline and
// written down with what happened, so the file passes as written and fails when the setup
// changes; properties are listed with today's values when they hold.

import { stringify } from 'yaml';
import { checkServer, type CheckReport } from '../pg/check.js';
import { certificatesIn } from '../pg/files.js';
import { DEFAULT_PG_VERSION } from '../pg/conninfo/options.js';
import type { ProcessIdentity, SimFs } from '../pg/fs.js';
import { likelyIssued } from '../path/index.js';
import type { Certificate } from '../x509/index.js';
import { OID } from '../der/oids.js';
import { connectOffline, type OfflineBase } from './connect.js';
import { serverFacts } from './facts.js';
import { checkProperty } from './properties.js';
import { parseExpectations, SSLMODE_ORDER, type PropertyName } from './spec.js';

export interface InitInput {
  base: OfflineBase;
  /** the data directory, absolute */
  pgdata: string;
  /** how the file names it (relative to where the file is written) */
  pgdataAsWritten: string;
  /** the directory the file is written in */
  dir: string;
  hosts: string[];
  at: Date;
  serverUser?: ProcessIdentity;
}

const PASSWORD_METHODS = new Set(['scram-sha-256', 'md5', 'password', 'ldap', 'radius', 'pam', 'bsd']);

const cn = (c: Certificate) =>
  c.subject.rdns
    .flatMap((r) => r.filter((x) => x.oid === OID.commonName).map((x) => ('value' in x.value ? x.value.value : '')))
    .find(Boolean);

function sanNames(c: Certificate): string[] {
  const sans = c.ext.subjectAltName?.names ?? [];
  const dns = sans.flatMap((n) => (n.type === 'dns' && !n.value.includes('*') ? [n.value] : []));
  if (sans.length) return dns;
  const name = cn(c);
  return name ? [name] : [];
}

type Raw = Record<string, unknown>;

/** The YAML text of a starting expectations file. */
export function initExpectations(input: InitInput, fs: SimFs): { text: string; report: CheckReport; cases: number } {
  const report = checkServer({ fs, pgdata: input.pgdata, serverUser: input.serverUser, at: input.at, hosts: input.hosts });
  const facts = serverFacts(
    { name: 'db', pgdata: input.pgdata, settings: {}, names: [], pgVersion: DEFAULT_PG_VERSION },
    { fs, serverUser: input.serverUser },
  );
  const tls = facts.state?.tls;
  const names = tls ? sanNames(tls.chain[0]) : [];
  const host = input.hosts[0] ?? names[0] ?? 'localhost';
  const server: Raw = { pgdata: input.pgdataAsWritten, host, hostaddr: '127.0.0.1' };
  const extra = [...new Set([...input.hosts, ...names])].filter((n) => n !== host);
  if (extra.length) server.names = extra;
  if (facts.state?.settings.port && facts.state.settings.port !== 5432) server.port = facts.state.settings.port;

  // the client's root certificate: where check found the server chain's root
  const src = report.clientRoot?.source;
  const rootFile = !src
    ? undefined
    : src === 'server certificate file'
      ? facts.state?.settings.sslPaths.certFile
      : src.startsWith('ssl_ca_file ')
        ? facts.state?.settings.sslPaths.caFile
        : `${input.pgdata}/${src}`;
  const needsPassword = (facts.state?.hba.lines ?? []).some((l) => PASSWORD_METHODS.has(l.method));
  const profiles: Record<string, Raw> = {};
  const lineProfiles = new Map<string, string>();
  for (const l of report.lines) {
    if (!l.client || l.socket) continue;
    const name = `from-${l.client.address.replace(/[^0-9a-zA-Z]+/g, '-')}`;
    lineProfiles.set(l.client.address, name);
    profiles[name] = {
      ...(rootFile ? { files: { sslrootcert: rootFile } } : {}),
      ...(needsPassword ? { env: { PGPASSWORD: 'change-me' } } : {}),
      address: l.client.address,
    };
  }
  // client certificates beside the data directory, from a CA the server trusts
  const parent = input.pgdata.replace(/\/[^/]+\/?$/, '') || '/';
  const clientCerts: { user: string; crt: string; key: string; name: string }[] = [];
  for (const dir of [input.pgdata, parent, `${parent}/client`]) {
    for (const { cert, source } of certificatesIn(fs, dir)) {
      const crt = `${dir}/${source}`;
      const key = crt.replace(/\.(crt|pem)$/, '.key');
      const user = cn(cert);
      if (!user || !fs.stat(key)?.isFile || cert.ext.basicConstraints?.ca) continue;
      if (!tls?.caCerts.some((ca) => likelyIssued(ca, cert) === 0)) continue;
      if (crt === facts.state?.settings.sslPaths.certFile) continue;
      if (!clientCerts.some((c) => c.crt === crt)) clientCerts.push({ user, crt, key, name: source.replace(/\.(crt|pem)$/, '') });
    }
  }
  for (const c of clientCerts) {
    profiles[`cert-${c.name}`] = {
      files: { ...(rootFile ? { sslrootcert: rootFile } : {}), sslcert: c.crt, sslkey: c.key },
    };
  }

  const connections: Raw[] = [];
  for (const l of report.lines) {
    if (!l.client || l.socket) continue;
    const profile = lineProfiles.get(l.client.address)!;
    const who = `dbname=${l.client.database} user=${l.client.user}`;
    for (const mode of SSLMODE_ORDER) {
      if ((mode === 'verify-ca' || mode === 'verify-full') && !rootFile) continue;
      const hostsFor = mode === 'verify-full' ? [host, ...extra] : [host];
      for (const h of hostsFor)
        connections.push({
          name: `pg_hba.conf line ${l.lineNum}: ${l.client.user}@${l.client.database} from ${l.client.address}, sslmode=${mode}${h !== host ? ` to ${h}` : ''}`,
          profile,
          conninfo: `${h !== host ? `host=${h} ` : ''}${who} sslmode=${mode}`,
          connects: true,
        });
    }
    for (const c of clientCerts)
      connections.push({
        name: `pg_hba.conf line ${l.lineNum}: the client certificate ${c.name} (CN ${c.user}), ${rootFile ? 'verify-full' : 'require'}`,
        profile: `cert-${c.name}`,
        conninfo: `dbname=${l.client.database} user=${c.user} sslmode=${rootFile ? 'verify-full' : 'require'}`,
        connects: true,
      });
  }

  const doc: Raw = { version: 1, defaults: { pgVersion: DEFAULT_PG_VERSION }, servers: { db: server }, profiles, connections };
  // run every case offline and write down what happens today
  const plan = parseExpectations(stringify(doc), 'init', input.dir);
  connections.forEach((c, i) => {
    const kase = plan.cases[i];
    if (kase.kind !== 'connection') return;
    const o = connectOffline(plan, input.base, kase, plan.servers[0], facts, input.at);
    if (o.connects) return;
    delete c.connects;
    c.fails = { message: o.message, ...(o.stage ? { step: o.stage } : {}) };
  });
  const props: Raw = {};
  const candidates: [PropertyName, unknown][] = [
    ['minTlsVersion', tls?.minVersion ?? facts.state?.settings.ssl.minProtocol],
    [
      'methods',
      // every TCP connection type, with the methods in use today (none: no such line may appear)
      Object.fromEntries(
        (['host', 'hostssl', 'hostnossl'] as const).map(
          (t) => [t, [...new Set((facts.state?.hba.lines ?? []).filter((l) => l.connType === t).map((l) => l.method))]] as const,
        ),
      ),
    ],
    ['hostsslRequiresClientCert', true],
    ['certificateDaysLeft', 30],
    ['keys', { minRsaBits: 2048 }],
    ['noSha1', true],
    ['sanCoversNames', true],
    ['crlsNotStale', true],
  ];
  const spec = plan.servers[0];
  for (const [name, value] of candidates)
    if (value !== undefined && facts.starts && checkProperty(facts, name, value, spec, input.at).ok) props[name] = value;
  if (Object.keys(props).length) doc.properties = [props];
  const header = [
    `# pgtls test expectations for ${input.pgdata}, written by pgtls test --init from what the`,
    `# setup does at ${input.at.toISOString()}. Edit it: say what must hold, remove what need not.`,
    '# Each pg_hba.conf host line was tried with every sslmode from an address in its range;',
    '# properties are listed with the values that hold today.',
    needsPassword ? '# PGPASSWORD: offline any password is taken as right; --live needs the real one.' : '',
    '# Its JSON Schema is schema/pgtls-test.schema.json in the pgtls package.',
  ]
    .filter(Boolean)
    .join('\n');
  return { text: `${header}\n${stringify(doc, { lineWidth: 0 })}`, report, cases: connections.length };
}
