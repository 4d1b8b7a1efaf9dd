// What the test needs to know about one server setup, read once: the postmaster's start-up
// (configuration, the SSL context, pg_hba.conf) through the pg layer, and where in the
// configuration files a setting or a pg_hba.conf line lives, so a failure can point at the
// line responsible (the SARIF report's location).

import { startServer, type ServerState } from '../pg/server/postmaster.js';
import type { ProcessIdentity, SimFs } from '../pg/fs.js';
import { formatLog } from '../pg/log.js';
import type { ServerSpec } from './spec.js';
import { defaultSecurityLevel } from '../crypto/index.js';

/** A line of a configuration file a result blames. */
export interface Blame {
  file: string;
  line?: number;
  /** what is there: the setting or the pg_hba.conf line */
  what: string;
}

export interface ServerFacts {
  starts: boolean;
  /** the start-up log when it does not start */
  fatal?: string;
  state?: ServerState;
  pgdata: string;
}

export interface FactsInput {
  fs: SimFs;
  serverUser?: ProcessIdentity;
  securityLevel?: number;
  /** the plan's OpenSSL build: its default level (when securityLevel is unset) and its security bits */
  opensslVersion?: string;
}

export function serverFacts(server: ServerSpec & { pgdata: string }, input: FactsInput): ServerFacts {
  const start = startServer({
    fs: input.fs,
    pgdata: server.pgdata,
    serverUser: input.serverUser,
    passphrase: server.passphrase,
    pgVersion: server.pgVersion,
    serverOverrides: server.settings,
    // the level simulate() starts the same server at (runOf: the build's default)
    securityLevel: input.securityLevel ?? (input.opensslVersion ? defaultSecurityLevel(input.opensslVersion) : undefined),
    opensslVersion: input.opensslVersion,
  });
  if (!start.ok)
    return {
      starts: false,
      pgdata: server.pgdata,
      fatal: formatLog(start.log.some((l) => l.level === 'FATAL') ? start.log : [...start.log, start.fatal]),
    };
  return { starts: true, state: start.server, pgdata: server.pgdata };
}

/** Where a setting was set (postgresql.conf or an included file), or the main file when it has its default. */
export function settingBlame(f: ServerFacts, name: string): Blame {
  const s = f.state?.conf.settings.get(name);
  const file = s?.file ?? f.state?.conf.file ?? `${f.pgdata}/postgresql.conf`;
  return s ? { file, line: s.line || undefined, what: `${name} = '${s.value}'` } : { file, what: `${name} (not set: its default)` };
}

/** A pg_hba.conf line by number. */
export function hbaBlame(f: ServerFacts, lineNum?: number): Blame {
  const file = f.state?.settings.hbaFile ?? `${f.pgdata}/pg_hba.conf`;
  const l = lineNum === undefined ? undefined : f.state?.hba.lines.find((x) => x.lineNum === lineNum);
  return { file, line: lineNum, what: l ? l.rawLine.trim() : 'pg_hba.conf' };
}
