// `pgtls demo` (what `npm start` runs): makes the PostgreSQL docs' three certificate recipes
// and the mistakes people make with them in a temp directory, then asks the simulator, for
// every scenario and sslmode, whether psql would connect and what it would print.

import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '../crypto/index.js';
import { makeHierarchy, type Hierarchy, type HierarchyKind, type Mistake } from '../factory/index.js';
import { nodeFs } from '../pg/fs-node.js';
import { simulate } from '../pg/simulate.js';
import type { PrivateKey } from '../x509/index.js';
import { parseArgs } from './args.js';

const HOST = 'db.example.com';
const MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

interface Scenario {
  name: string;
  kind: HierarchyKind;
  mistakes?: Mistake[];
  /** what the client is given as root.crt: the real root (default), nothing, or the intermediate only */
  clientRoot?: 'root' | 'none' | 'intermediate';
  /** server.key mode, default 0600 */
  keyMode?: number;
  /** client connects as this user with a client certificate (cert auth line) */
  clientCert?: boolean;
  /** host name the client uses (default the certificate's) */
  host?: string;
}

const SCENARIOS: Scenario[] = [
  { name: 'self-signed (docs recipe 1)', kind: 'self-signed' },
  { name: 'root + server (docs recipe 2)', kind: 'root-server' },
  { name: 'root + intermediate + leaf (recipe 3)', kind: 'chain' },
  { name: 'chain: intermediate not bundled', kind: 'chain', mistakes: ['leaf-without-intermediate'] },
  { name: 'chain: intermediate without v3_ca', kind: 'chain', mistakes: ['intermediate-v1'] },
  { name: 'client has no root.crt', kind: 'root-server', clientRoot: 'none' },
  { name: 'client trusts only the intermediate', kind: 'chain', clientRoot: 'intermediate' },
  { name: 'server certificate expired', kind: 'root-server', mistakes: ['expired-leaf'] },
  { name: 'host name not in certificate', kind: 'root-server', host: 'db.internal' },
  { name: 'server.key readable by group', kind: 'root-server', keyMode: 0o640 },
  { name: 'server.key does not match server.crt', kind: 'root-server', mistakes: ['key-mismatch'] },
  { name: 'client certificate (cert auth)', kind: 'root-server', clientCert: true },
  { name: 'client certificate revoked', kind: 'root-server', clientCert: true, mistakes: ['revoked-client'] },
];

function write(path: string, content: string, mode = 0o644): void {
  writeFileSync(path, content);
  chmodSync(path, mode);
}

/** Lay out one scenario: a data directory the server reads and a HOME the client reads. */
function layout(dir: string, s: Scenario, h: Hierarchy): { pgdata: string; home: string } {
  const pgdata = join(dir, 'data');
  const home = join(dir, 'home');
  mkdirSync(pgdata, { recursive: true });
  mkdirSync(join(home, '.postgresql'), { recursive: true });
  write(join(pgdata, 'server.crt'), h.serverCrtPem);
  write(join(pgdata, 'server.key'), h.server.keyPem, s.keyMode ?? 0o600);
  const conf = ['ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'"];
  const hba = ['# TYPE  DATABASE USER ADDRESS       METHOD'];
  if (s.clientCert) {
    write(join(pgdata, 'root.crt'), h.rootCrtPem);
    conf.push("ssl_ca_file = 'root.crt'");
    if (h.crl) {
      write(join(pgdata, 'root.crl'), h.crl.pem);
      conf.push("ssl_crl_file = 'root.crl'");
    }
    hba.push('hostssl all      all  127.0.0.1/32  cert');
    write(join(home, '.postgresql', 'postgresql.crt'), h.client!.cert.pem);
    write(join(home, '.postgresql', 'postgresql.key'), h.client!.keyPem, 0o600);
  } else {
    hba.push('hostssl all      all  127.0.0.1/32  trust');
  }
  write(join(pgdata, 'postgresql.conf'), `${conf.join('\n')}\n`);
  write(join(pgdata, 'pg_hba.conf'), `${hba.join('\n')}\n`);
  write(join(pgdata, 'pg_ident.conf'), '');
  const root = s.clientRoot ?? 'root';
  if (root === 'root') write(join(home, '.postgresql', 'root.crt'), h.rootCrtPem);
  if (root === 'intermediate') write(join(home, '.postgresql', 'root.crt'), h.intermediate!.cert.pem);
  return { pgdata, home };
}

export async function run(argv: string[]): Promise<number> {
  const { opts } = parseArgs(argv, { values: ['out'], flags: ['help', 'json'] });
  if (opts.help) {
    console.log(
      "Usage: pgtls demo [--out DIR] [--json]\nMakes the docs' certificate recipes and common mistakes, and prints whether psql connects for each sslmode.",
    );
    return 0;
  }
  const dir = (opts.out as string | undefined) ?? mkdtempSync(join(tmpdir(), 'pgtls-demo-'));
  // One set of RSA-2048 keys for every hierarchy: generation is the slow part.
  const keys: Record<'root' | 'intermediate' | 'server' | 'client' | 'other', PrivateKey> = {
    root: generateKey('rsa2048'),
    intermediate: generateKey('rsa2048'),
    server: generateKey('rsa2048'),
    client: generateKey('rsa2048'),
    other: generateKey('rsa2048'),
  };
  const me = userInfo();
  const rows: { scenario: string; dir: string; cells: { mode: string; ok: boolean; message: string; fix?: string }[] }[] = [];
  for (const [i, s] of SCENARIOS.entries()) {
    const h = makeHierarchy(s.kind, {
      cn: HOST,
      keys,
      clientUser: s.clientCert ? 'alice' : undefined,
      mistakes: s.mistakes,
      crl: s.clientCert,
    });
    const sdir = join(
      dir,
      `${String(i + 1).padStart(2, '0')}-${s.name
        .replace(/[^a-z0-9]+/gi, '-')
        .replace(/-$/, '')
        .toLowerCase()}`,
    );
    const { pgdata, home } = layout(sdir, s, h);
    const cells = MODES.map((mode) => {
      const r = simulate({
        fs: nodeFs(),
        pgdata,
        conninfo: `host=${s.host ?? HOST} hostaddr=127.0.0.1 user=${s.clientCert ? 'alice' : 'app'} dbname=app sslmode=${mode}`,
        env: { HOME: home },
        osUser: me.username,
        clientUser: { uid: me.uid, gids: [me.gid] },
        serverUser: { uid: me.uid, gids: [me.gid] },
      });
      // a server that does not start: psql only says "Connection refused"; the server log says why
      const message = r.ok
        ? ''
        : r.serverFatal !== undefined
          ? `the server does not start: FATAL:  ${r.serverFatal} (psql: ${r.message.split('\n')[0]})`
          : r.message;
      return { mode, ok: r.ok, message, fix: r.fix };
    });
    rows.push({ scenario: s.name, dir: sdir, cells });
  }
  if (opts.json) {
    console.log(JSON.stringify({ dir, rows }, null, 2));
    return 0;
  }
  const w = Math.max(...rows.map((r) => r.scenario.length));
  const notes = new Map<string, number>();
  const noteOf = (m: string) => {
    if (!notes.has(m)) notes.set(m, notes.size + 1);
    return notes.get(m)!;
  };
  console.log(`pgtls: will psql connect? (files in ${dir})\n`);
  console.log(`${'scenario'.padEnd(w)}  ${MODES.map((m) => m.padEnd(11)).join(' ')}`);
  for (const r of rows) {
    const cells = r.cells.map((c) => (c.ok ? 'connects' : `FAIL [${noteOf(c.message)}]`).padEnd(11));
    console.log(`${r.scenario.padEnd(w)}  ${cells.join(' ')}`);
  }
  console.log('\nWhat psql prints (after "connection to server at ... failed: "; when the server cannot start, its FATAL first):');
  for (const [m, n] of notes) console.log(`  [${n}] ${m.replace(/\n/g, '\n      ')}`);
  console.log(
    `\nExplain any cell: pgtls simulate --pgdata DIR/data --home DIR/home "host=${HOST} hostaddr=127.0.0.1 user=app dbname=app sslmode=verify-full"`,
  );
  return 0;
}
