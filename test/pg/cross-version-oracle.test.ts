// simulate() against a real server of one major and a real libpq of another: Debian's psql 15
// on libpq 17 or 18 (LD_LIBRARY_PATH) against PostgreSQL 13, 14, 15 (Debian's), 16, 17 and 18,
// simulate({ pgVersion: <server>, libpqVersion: <libpq> }) over the same data directory.
// The cases: sslnegotiation=direct to a server before 17 (it reads the ClientHello as a startup
// packet), direct TLS between a 17 libpq and an 18 server and back (ALPN postgresql), direct
// with an sslmode below require (libpq refuses before connecting), and libpq 18's
// sslkeylogfile against an 18 server: the labels of the lines it appends, in order, and the
// file's mode (compared with the labels simulate()'s handshake hands the key-log callback).
// Compared exactly as versions-oracle does: verdict, psql's stderr, the connection's log lines.
// Recorded in vectors/oracle/cross-version-oracle/pg<server major>.json (PGTLS_REPLAY=1, or a
// major not installed, replays them).

import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { nodeFs } from '../../src/pg/fs-node.js';
import { simulate } from '../../src/pg/simulate.js';
import { useGoldens } from '../support/golden-suite.js';
import { pgInstall, pgOracleUnavailable, psqlEnv, sslConfLines } from '../support/pg-oracle.js';
import { makeTestPki } from '../support/pki.js';
import { libpqEnv, type VersionConn, VersionOracle, type VersionSetup } from '../support/version-oracle.js';

const pki = makeTestPki();
const DEF = 'sslcert=invalid sslkey=invalid sslrootcert=invalid sslcrl=invalid';
const HBA = 'hostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 trust\n';
const files: VersionSetup['files'] = {
  'server.crt': { content: pki.server.cnOnly.pem },
  'server.key': { content: pki.keys.server.pem, mode: 0o600 },
};

const SERVERS = [13, 14, 15, 16, 17, 18];
const NEWER = [17, 18];

const direct = (libpq: number, sslmode = 'require', more = ''): VersionConn => ({
  name: `libpq ${libpq}, sslnegotiation=direct sslmode=${sslmode}${more ? ` ${more}` : ''}`,
  conninfo: `${DEF} sslmode=${sslmode} sslnegotiation=direct ${more}dbname=postgres user=ssltestuser`,
  libpq,
});

function setupFor(server: number): VersionSetup {
  const conns: VersionConn[] = [];
  for (const libpq of NEWER) {
    // 17 to 17 and 18 to 18 are the versions oracle's; here the other one
    if (libpq !== server) conns.push(direct(libpq));
    // libpq refuses before it connects, whatever the server
    conns.push(direct(libpq, 'prefer'));
  }
  // libpq's SSL set-up fails (no root file for verify-ca) before it sends the ClientHello
  conns.push(direct(18, 'verify-ca'));
  // the SSLRequest path of a newer libpq still works with an older server
  conns.push({ name: 'libpq 18, sslnegotiation=postgres', conninfo: `${DEF} sslmode=require dbname=postgres user=ssltestuser`, libpq: 18 });
  return { name: `server ${server}, libpq 17 and 18`, files, sslConf: sslConfLines(), hba: HBA, conns };
}

const goldens = useGoldens('cross-version-oracle');

/** libpq 18's key log file: the labels of its lines, in order, and its mode */
interface KeyLog {
  labels: string[];
  mode: string;
}

describe('simulate() vs a real server of one major with a real libpq 17/18', () => {
  for (const server of SERVERS) {
    const unavailable =
      goldens.skip(server) ?? (goldens.mode(server) === 'live' ? (pgOracleUnavailable(17) ?? pgOracleUnavailable(18)) : undefined);
    if (unavailable) console.warn(`cross-version-oracle: PostgreSQL ${server} skipped, ${unavailable}`);

    // one at a time, under a name that does not change in replay: the cluster's first
    // recordings (initdb's start, the password) are keyed by the running test's name
    it.skipIf(Boolean(unavailable))(
      `PostgreSQL ${server} server`,
      async ({ expect }) => {
        const vo = await VersionOracle.create(server);
        try {
          const setup = setupFor(server);
          const cases = await vo.run(setup);
          expect(cases.length).toBe(setup.conns!.length);
          for (const c of cases) expect.soft({ case: c.name, ...c.sim }).toEqual({ case: c.name, ...c.real });
          if (server === 18) await keyLogCases(vo, expect);
        } finally {
          vo.destroy();
        }
      },
      300_000,
    );
  }
});

/**
 * libpq 18 against the 18 server, TLS 1.3 and 1.2: the file psql leaves (labels, mode) is
 * recorded as the psql run's output, and compared with simulate()'s key log lines.
 */
async function keyLogCases(vo: VersionOracle, expect: import('vitest').ExpectStatic): Promise<void> {
  const o = vo.oracle;
  for (const max of ['TLSv1.3', 'TLSv1.2']) {
    const path = join(o.root, `keylog-${max}`);
    const conninfo = `port=${o.port} hostaddr=127.0.0.1 ${DEF} sslmode=require ssl_max_protocol_version=${max} sslkeylogfile=${path} dbname=postgres user=ssltestuser`;
    const real = await o.recordPsql('psql-keylog', `${JSON.stringify(conninfo)} libpq 18, umask 022`, async () => {
      rmSync(path, { force: true });
      const r = spawnSync(pgInstall(18).psql, ['-X', '-w', '-qAt', '-d', conninfo, '-c', 'select 1'], {
        encoding: 'utf8',
        env: psqlEnv(join(o.root, 'empty-home'), libpqEnv(18)),
      });
      let seen: KeyLog = { labels: [], mode: 'absent' };
      try {
        const text = (await import('node:fs')).readFileSync(path, 'utf8');
        seen = {
          labels: text
            .split('\n')
            .filter(Boolean)
            .map((l) => l.split(' ')[0]),
          mode: (statSync(path).mode & 0o777).toString(8),
        };
      } catch {}
      return { status: r.status ?? -1, stdout: JSON.stringify(seen), stderr: r.stderr, serverLog: '' };
    });
    const sim = simulate({
      fs: nodeFs(),
      pgdata: o.pgdata,
      conninfo,
      env: { HOME: join(o.root, 'empty-home') },
      osUser: 'root',
      clientUser: { uid: 0, gids: [0] },
      serverUser: o.serverIdentity,
      pgVersion: 18,
      libpqVersion: 18,
      opensslVersion: '1.1',
      pgWrapper: false,
    });
    const hs = sim.attempts.find((a) => a.handshake)?.handshake;
    const labels = (hs?.keylog ?? []).map((l) => l.split(' ')[0]);
    const seen = JSON.parse(real.stdout) as KeyLog;
    expect.soft({ max, ok: real.status === 0, labels: seen.labels }).toEqual({ max, ok: sim.ok, labels });
    // libpq opens the file O_CREAT with 0600, whatever the umask
    expect.soft({ max, mode: seen.mode }).toEqual({ max, mode: '600' });
    expect.soft(real.stderr).toBe(sim.psqlStderr);
  }
}
