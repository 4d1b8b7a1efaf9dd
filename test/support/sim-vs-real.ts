// One real PostgreSQL 15 for a describe block, and the comparison the oracle tests make:
// the same connection string through real psql and through simulate() over the same data
// directory, reduced to verdict, psql's stderr (port normalised) and the server log lines
// a test cares about.

import { afterAll, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFs } from '../../src/pg/fs-node.js';
import { simulate } from '../../src/pg/simulate.js';
import { PgOracle } from './pg-oracle.js';

export interface Seen {
  ok: boolean;
  stderr: string;
  log: string[];
}

export interface SimVsReal {
  /** the running server (valid inside tests) */
  readonly oracle: PgOracle;
  /** a 0755 temp directory for client files (HOME of the simulated client) */
  readonly dir: string;
  compare(conninfo: string): Promise<{ real: Seen; sim: Seen }>;
}

/** Call inside a describe: starts the server before its tests, stops it after. */
export function useSimVsReal(opts: { logLines: RegExp; users?: string[]; databases?: string[] }): SimVsReal {
  let o: PgOracle | undefined;
  let dir = '';
  const serverUser = { uid: 0, gids: [0] };
  beforeAll(async () => {
    o = await PgOracle.create({ users: opts.users ?? ['alice'], databases: opts.databases ?? ['app'] });
    dir = mkdtempSync(join(tmpdir(), 'pgtls-oracle-'));
    chmodSync(dir, 0o755);
    serverUser.uid = o.pguid;
    serverUser.gids = execFileSync('id', ['-G', 'postgres']).toString().trim().split(/\s+/).map(Number);
  });
  afterAll(() => o?.destroy());
  const norm = (s: string) => s.trim().replace(/port \d+/, 'port N');
  return {
    get oracle() {
      if (!o) throw new Error('the oracle starts in beforeAll');
      return o;
    },
    get dir() {
      return dir;
    },
    async compare(conninfo) {
      const server = this.oracle;
      const real = await server.psql(conninfo);
      const sim = simulate({ fs: nodeFs(), pgdata: server.pgdata, conninfo: `port=${server.port} hostaddr=127.0.0.1 ${conninfo}`, env: { HOME: dir }, osUser: 'root', clientUser: { uid: 0, gids: [0] }, serverUser });
      return {
        real: { ok: real.status === 0, stderr: norm(real.stderr), log: real.serverLog.split('\n').filter((l) => opts.logLines.test(l)) },
        sim: { ok: sim.ok, stderr: norm(sim.psqlStderr), log: sim.serverLog.filter((l) => opts.logLines.test(l)) },
      };
    },
  };
}
