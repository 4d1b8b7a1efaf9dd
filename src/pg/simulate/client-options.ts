// Phase 2 of simulate(): psql hands the connection string to libpq, which applies the
// environment, the service file and the defaults (conninfo/resolve.ts) and reads the password
// file. Bad options end here, before any connection, with psql's "psql: error: " line.

import { ConninfoError } from '../conninfo/errors.js';
import { resolvePsql, type ResolvedConninfo } from '../conninfo/resolve.js';
import { passFileOn, serviceFilesOn } from '../files.js';
import { say, type MessageFormatter } from '../messages.js';
import { DEFAULT_SOCKET_DIR } from '../server/unix-sockets.js';
import type { Run, SimStep } from './types.js';

export type ClientOptions =
  /** `warnings`: what libpq prints on stderr itself (password file warnings), in the client's language */
  | { ok: true; conn: ResolvedConninfo; warnings: string[] }
  /** `message` in the client's language; `english` for the step and the fix */
  | { ok: false; message: string; english: string; warnings: string[]; steps: SimStep[] };

export function clientOptionsPhase(run: Run, fc: MessageFormatter): ClientOptions {
  const { input, libpqVersion, osUser, clientUser, pgWrapper } = run;
  const warnings: string[] = [];
  try {
    const conn = resolvePsql({
      dbname: input.conninfo,
      env: input.env ?? {},
      osUser,
      pgVersion: libpqVersion,
      serviceFiles: serviceFilesOn(input.fs, clientUser),
      passFile: passFileOn(input.fs, clientUser),
      onWarning: (w, call) => warnings.push(call ? say(fc, call) : w),
      pgWrapperHost: pgWrapper ? DEFAULT_SOCKET_DIR : undefined,
    });
    return { ok: true, conn, warnings };
  } catch (e) {
    if (!(e instanceof ConninfoError)) throw e;
    return {
      ok: false,
      message: e.said ? say(fc, e.said) : e.message,
      english: e.message,
      warnings,
      steps: [{ step: 'conninfo', who: 'client', result: 'fail', detail: e.message }],
    };
  }
}
