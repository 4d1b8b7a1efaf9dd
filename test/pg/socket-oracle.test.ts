// Unix-socket connections: simulate() against real PostgreSQL 15 + psql 15. psql runs as root
// (the OS user peer authentication sees), the server as postgres, listening where
// unix_socket_directories says (the oracle's own temp directory, Debian's default
// /var/run/postgresql, an abstract name, a relative directory, a list). Each connection is
// made by psql exactly as written (no hostaddr added: see test/support/psql-as-given.ts) and by
// simulate() over the same data directory; compared: the verdict, psql's whole stderr, and the
// connection's server log lines. Server start-ups that the socket settings break compare the
// FATAL and the socket lines of the start-up log. Skipped, with the reason, without
// PostgreSQL 15.

import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, privateKeyPem } from '../../src/factory/index.js';
import { nodeFs } from '../../src/pg/fs-node.js';
import { simulate, type SimulateResult } from '../../src/pg/simulate.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { useGoldens } from '../support/golden-suite.js';
import { PgOracle, type ServerFile, type StartResult } from '../support/pg-oracle.js';
import { psqlAsGiven } from '../support/psql-as-given.js';

// recorded in vectors/oracle/socket-oracle/: replayed where PostgreSQL 15 is not installed (or with PGTLS_REPLAY=1)
const goldens = useGoldens('socket-oracle');
const unavailable = goldens.skip();
if (unavailable) console.warn(`socket-oracle: skipped, ${unavailable}`);

interface Case {
  name: string;
  /** ROOT: the oracle's socket directory; PORT: its port; PGDATA: its data directory; D: the case's directory */
  conninfo: string;
  env?: Record<string, string>;
  /** a ~/.pgpass for the case (HOME is D/home) */
  pgpass?: string;
}

interface Setup {
  name: string;
  /** settings written to the included sslconfig.conf (later lines win over postgresql.conf) */
  conf?: string;
  /** take unix_socket_directories out of postgresql.conf: the build's default applies */
  defaultSocketDir?: boolean;
  /** directories to make (owned by postgres) before the start */
  dirs?: string[];
  ssl?: boolean;
  hba: string;
  ident?: string;
  starts?: boolean;
  cases?: Case[];
}

const HBA = `local   app      app      trust
local   app      alice    scram-sha-256
local   rejectdb all      reject
local   peerdb   all      peer
local   identdb  all      ident
local   mapdb    all      peer map=rootmap
hostssl all      all      127.0.0.1/32 trust
`;
const IDENT = 'rootmap root app\n';
const LONG = `/tmp/${'d'.repeat(100)}`;

const SETUPS: Setup[] = [
  {
    name: 'sockets in the oracle directory, SSL on, local and hostssl lines',
    ssl: true,
    hba: HBA,
    ident: IDENT,
    cases: [
      { name: 'local trust', conninfo: 'host=ROOT port=PORT user=app dbname=app' },
      { name: 'sslmode=require over a socket connects in plaintext', conninfo: 'host=ROOT port=PORT user=app dbname=app sslmode=require' },
      {
        name: 'sslmode=verify-full with a missing root file: no SSL, no check',
        conninfo: 'host=ROOT port=PORT user=app dbname=app sslmode=verify-full sslrootcert=/nonexistent.crt',
      },
      { name: 'sslmode=prefer: one plaintext attempt', conninfo: 'host=ROOT port=PORT user=app dbname=app sslmode=prefer' },
      { name: 'no local line for the database: [local] in the FATAL', conninfo: 'host=ROOT port=PORT user=app dbname=nolocal' },
      {
        name: 'no local line, sslmode=require: still no encryption',
        conninfo: 'host=ROOT port=PORT user=app dbname=nolocal sslmode=require',
      },
      { name: 'local reject', conninfo: 'host=ROOT port=PORT user=app dbname=rejectdb' },
      { name: 'peer as root for role app fails', conninfo: 'host=ROOT port=PORT user=app dbname=peerdb' },
      { name: 'ident on a local line is peer', conninfo: 'host=ROOT port=PORT user=app dbname=identdb' },
      { name: 'peer with a map root -> app', conninfo: 'host=ROOT port=PORT user=app dbname=mapdb' },
      { name: 'peer with a map that has no line for the role', conninfo: 'host=ROOT port=PORT user=alice dbname=mapdb' },
      { name: 'scram-sha-256 without a password', conninfo: 'host=ROOT port=PORT user=alice dbname=app' },
      { name: 'scram-sha-256 with PGPASSWORD', conninfo: 'host=ROOT port=PORT user=alice dbname=app', env: { PGPASSWORD: 'secret' } },
      {
        name: 'scram-sha-256 with a wrong PGPASSWORD',
        conninfo: 'host=ROOT port=PORT user=alice dbname=app',
        env: { PGPASSWORD: 'wrong' },
      },
      {
        name: 'password file: a socket directory other than the default is looked up as written',
        conninfo: 'host=ROOT port=PORT user=alice dbname=app',
        pgpass: 'localhost:PORT:app:alice:wrong\nROOT:PORT:app:alice:secret\n',
      },
      {
        name: 'password file: a localhost line does not match that directory',
        conninfo: 'host=ROOT port=PORT user=alice dbname=app',
        pgpass: 'localhost:PORT:app:alice:secret\n',
      },
      {
        name: 'password file: a wrong password names the file',
        conninfo: 'host=ROOT port=PORT user=alice dbname=app',
        pgpass: '*:*:*:alice:wrong\n',
      },
      { name: 'a trailing slash on the directory', conninfo: 'host=ROOT/ port=PORT user=app dbname=app' },
      { name: 'another port: no such socket', conninfo: 'host=ROOT port=1 user=app dbname=app' },
      { name: 'another directory: no such socket', conninfo: 'host=/nonexistent/dir port=PORT user=app dbname=app' },
      { name: 'the default directory, where this server has no socket', conninfo: 'port=PORT user=app dbname=app' },
      {
        name: 'an abstract name nothing listens on: connection refused',
        conninfo: 'host=@pgtls-nothing-PORT port=PORT user=app dbname=app',
      },
      { name: 'a socket path longer than 107 bytes', conninfo: `host=${LONG} port=PORT user=app dbname=app` },
      { name: 'hosts: no socket, too long, then the right one', conninfo: `host=/nonexistent,${LONG},ROOT port=PORT user=app dbname=app` },
      { name: 'hosts: none reachable', conninfo: `host=/nonexistent,${LONG},/other port=PORT user=app dbname=app` },
      {
        name: 'hosts: a socket, then a TCP port nothing listens on',
        conninfo: 'host=/nonexistent,127.0.0.1 port=PORT,1 user=app dbname=app',
      },
      {
        name: 'hostaddr makes it TCP: the hostssl line',
        conninfo: 'host=ROOT hostaddr=127.0.0.1 port=PORT user=app dbname=app sslmode=require',
      },
      { name: 'requirepeer=postgres', conninfo: 'host=ROOT port=PORT user=app dbname=app requirepeer=postgres' },
      { name: 'requirepeer names another user', conninfo: 'host=ROOT port=PORT user=app dbname=app requirepeer=nobody' },
      {
        name: 'requirepeer over TCP is ignored',
        conninfo: 'host=127.0.0.1 port=PORT user=app dbname=app requirepeer=nobody sslmode=require',
      },
      { name: 'gssencmode=require over a socket', conninfo: 'host=ROOT port=PORT user=app dbname=app gssencmode=require' },
    ],
  },
  {
    name: 'hostssl lines only',
    ssl: true,
    hba: 'hostssl all all 127.0.0.1/32 trust\n',
    cases: [
      { name: 'a socket connection matches no line', conninfo: 'host=ROOT port=PORT user=app dbname=app' },
      { name: 'sslmode=verify-full changes nothing on a socket', conninfo: 'host=ROOT port=PORT user=app dbname=app sslmode=verify-full' },
      { name: 'the same over TCP connects', conninfo: 'host=127.0.0.1 port=PORT user=app dbname=app sslmode=require' },
    ],
  },
  {
    name: "Debian's default directory (unix_socket_directories not set)",
    defaultSocketDir: true,
    hba: 'local all all trust\nlocal app alice scram-sha-256\n',
    cases: [
      { name: 'no host: the default directory', conninfo: 'port=PORT user=app dbname=app' },
      { name: 'host=/run/postgresql (/var/run is a link to /run)', conninfo: 'host=/run/postgresql port=PORT user=app dbname=app' },
      { name: 'the oracle directory has no socket now', conninfo: 'host=ROOT port=PORT user=app dbname=app' },
      {
        name: 'password file: the default directory is looked up as localhost',
        conninfo: 'port=PORT user=alice dbname=app',
        pgpass: 'localhost:PORT:app:alice:secret\n',
      },
    ],
  },
  {
    name: 'an abstract name and a relative directory',
    conf: "unix_socket_directories = '@pgtls-abs-PORT, sock'\n",
    dirs: ['PGDATA/sock'],
    hba: 'local all all trust\n',
    cases: [
      { name: 'the abstract name', conninfo: 'host=@pgtls-abs-PORT port=PORT user=app dbname=app' },
      { name: 'the relative directory, by its absolute path', conninfo: 'host=PGDATA/sock port=PORT user=app dbname=app' },
      { name: 'the oracle directory is not in the list', conninfo: 'host=ROOT port=PORT user=app dbname=app' },
    ],
  },
  {
    name: 'a directory too long for a socket, then a usable one',
    conf: `unix_socket_directories = '${LONG}, "ROOT/sub"'\n`,
    dirs: ['ROOT/sub'],
    hba: 'local all all trust\n',
    cases: [{ name: 'the usable one', conninfo: 'host=ROOT/sub port=PORT user=app dbname=app' }],
  },
  {
    name: 'no Unix sockets (TCP only)',
    conf: "unix_socket_directories = ''\n",
    hba: 'local all all trust\nhost all all 127.0.0.1/32 trust\n',
    cases: [
      { name: 'a socket connection finds nothing', conninfo: 'host=ROOT port=PORT user=app dbname=app' },
      { name: 'TCP connects', conninfo: 'host=127.0.0.1 port=PORT user=app dbname=app sslmode=disable' },
    ],
  },
  // ---- start-up failures
  { name: 'an unterminated quote in the list', conf: `unix_socket_directories = '"ROOT'\n`, hba: 'local all all trust\n', starts: false },
  { name: 'every directory too long', conf: `unix_socket_directories = '${LONG}'\n`, hba: 'local all all trust\n', starts: false },
  {
    name: 'no socket and no TCP address',
    conf: "unix_socket_directories = ''\nlisten_addresses = ''\n",
    hba: 'local all all trust\n',
    starts: false,
  },
];

const START_LOG = /Unix-domain|could not create|no socket created|invalid list syntax/;
const CONNECTION_LOG = (l: string) => l !== '' && !/checkpoint/.test(l);

describe.skipIf(unavailable)('Unix-socket connections: simulate() vs PostgreSQL 15 + psql', () => {
  let o: PgOracle;
  let dir = '';
  let serverUser = { uid: 0, gids: [0] };
  let confWithSockets = '';
  let sslFiles: Record<string, ServerFile> = {};
  beforeAll(async () => {
    o = await PgOracle.create({ users: ['app', 'alice'], databases: ['app', 'mapdb'] });
    dir = mkdtempSync(join(tmpdir(), 'pgtls-socket-'));
    chmodSync(dir, 0o755);
    o.alias(dir, 'client dir');
    serverUser = o.serverIdentity;
    confWithSockets = readFileSync(join(o.pgdata, 'postgresql.conf'), 'utf8');
    const key = parsePrivateKey(readFileSync(join(import.meta.dirname, '../../vectors/keys/p256-6.pem')));
    const cert = makeCertificate({ subject: '/CN=db.test', selfSigned: true, issuerKey: key });
    sslFiles = { 'server.crt': { content: cert.pem }, 'server.key': { content: privateKeyPem(key, 'pkcs8') } };
    // the bootstrap pg_hba.conf (local all all trust) is still in place
    if (!o.start().started) throw new Error('the oracle server did not start');
    const r = await psqlAsGiven(o, `host=${o.root} port=${o.port} user=postgres dbname=postgres`, {
      sql: "ALTER ROLE alice PASSWORD 'secret'",
    });
    if (r.status !== 0) throw new Error(`setting alice's password failed: ${r.stderr}`);
    o.stop();
  }, 60_000);
  afterAll(() => {
    o?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const fill = (s: string, d = '') =>
    s
      .replace(/PGDATA/g, o.pgdata)
      .replace(/ROOT/g, o.root)
      .replace(/PORT/g, String(o.port))
      .replace(/\bD\//g, `${d}/`);

  const sim = (conninfo: string, home: string, env: Record<string, string> = {}): SimulateResult =>
    simulate({
      pgVersion: 15,
      fs: nodeFs(),
      pgdata: o.pgdata,
      conninfo,
      env: { HOME: home, ...env },
      osUser: 'root',
      clientUser: { uid: 0, gids: [0] },
      serverUser,
      rolePasswords: { alice: 'secret' },
    });

  let n = 0;
  for (const setup of SETUPS) {
    describe(setup.name, () => {
      let st: StartResult = { started: false, log: '' };
      beforeAll(async () => {
        const conf = setup.defaultSocketDir ? confWithSockets.replace(/^unix_socket_directories.*\n/m, '') : confWithSockets;
        o.writeConf('postgresql.conf', conf);
        for (const d of setup.dirs ?? []) {
          const p = fill(d);
          mkdirSync(p, { recursive: true });
          chownSync(p, o.pguid, serverUser.gids[0]);
        }
        const ssl = setup.ssl ? "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" : '';
        st = o
          .scenario(setup.name)
          .apply({ files: setup.ssl ? sslFiles : {}, sslConf: ssl + fill(setup.conf ?? ''), hba: setup.hba, ident: setup.ident });
      }, 60_000);

      it('starts (or not) as the real server does, with the same socket lines', () => {
        expect(st.started).toBe(setup.starts ?? true);
        const s = simulate({ pgVersion: 15, fs: nodeFs(), pgdata: o.pgdata, conninfo: '', serverUser, startupOnly: true });
        expect(s.serverStarted).toBe(st.started);
        const real = st.log.split('\n');
        expect(s.serverLog.filter((l) => START_LOG.test(l))).toEqual(real.filter((l) => START_LOG.test(l)));
        if (!st.started) expect(real).toContain(`FATAL:  ${s.serverFatal}`);
      });

      for (const c of setup.cases ?? []) {
        const i = n++;
        it(c.name, async () => {
          const d = join(dir, `case-${i}`);
          const home = join(d, 'home');
          mkdirSync(home, { recursive: true, mode: 0o755 });
          if (c.pgpass !== undefined) writeFileSync(join(home, '.pgpass'), fill(c.pgpass, d), { mode: 0o600 });
          const conninfo = fill(c.conninfo, d);
          const env = Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, fill(v, d)]));
          const real = await psqlAsGiven(o, conninfo, { home, env });
          const s = sim(conninfo, home, env);
          expect({ ok: s.ok, stderr: s.psqlStderr }).toEqual({ ok: real.status === 0, stderr: real.stderr.replace(/\n$/, '') });
          // a TCP connection's client port is unknowable
          const realLog = real.serverLog.replace(/^(LOG: {2}connection received: host=\S+ port=)\d+$/gm, '$1<client port>');
          expect(s.connectionLog.filter(CONNECTION_LOG)).toEqual(realLog.split('\n').filter(CONNECTION_LOG));
        });
      }
    });
  }
});
