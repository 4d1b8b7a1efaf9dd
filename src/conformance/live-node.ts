// `pgtls test --live`: a connection expectation run against a running server through the
// live libpq-like client (the code behind `pgtls probe`), with a timeout per connection and
// retries for failures of the network itself (never for a server's or libpq's verdict),
// reduced to the same ConnOutcome the offline run gives so both are judged alike.

import { connectLibpq } from '../pg/live/libpq-node.js';
import { ConninfoError } from '../pg/conninfo/errors.js';
import type { ProcessIdentity } from '../pg/fs.js';
import { formatNameOneline } from '../x509/index.js';
import { caseConninfo, normalizeMessage, profileEnv, type ConnOutcome } from './connect.js';
import type { ConnectionCase, Plan, ServerSpec } from './spec.js';

export interface LiveOptions {
  osUser: string;
  clientUser: ProcessIdentity;
  timeoutMs: number;
  retries: number;
  at: Date;
}

/** The authentication requests that ask for a password (pgtls's live client never sends one). */
const PASSWORD_REQUESTS = new Set(['CleartextPassword', 'MD5Password', 'SASL']);

/** The profile or the connection string gives libpq a password (password=, PGPASSWORD, a password file). */
function suppliesPassword(conninfo: string, env: Record<string, string | undefined>, passfile?: string): boolean {
  return /(^|\s)password\s*=/.test(conninfo) || Boolean(env.PGPASSWORD || env.PGPASSFILE || passfile);
}

/** Stages that say the network failed, not the server or libpq: worth another try. */
const TRANSIENT = new Set(['connect']);

export async function connectLive(plan: Plan, o: LiveOptions, c: ConnectionCase, server: ServerSpec): Promise<ConnOutcome> {
  const profile = c.profile ? plan.profiles[c.profile] : undefined;
  const conninfo = caseConninfo(c, server, profile);
  for (let attempt = 0; ; attempt++) {
    let r: Awaited<ReturnType<typeof connectLibpq>>;
    try {
      r = await connectLibpq({
        conninfo,
        env: profileEnv(profile),
        osUser: profile?.osUser ?? o.osUser,
        clientUser: o.clientUser,
        pgVersion: server.pgVersion,
        at: o.at,
        timeoutMs: o.timeoutMs,
      });
    } catch (e) {
      if (e instanceof ConninfoError)
        return { connects: false, message: normalizeMessage(e.message), stage: 'conninfo', steps: [], serverLog: [], chain: [] };
      throw e;
    }
    const last = r.attempts[r.attempts.length - 1];
    if (!r.ok && last && TRANSIENT.has(last.stage ?? '') && attempt < o.retries) continue;
    // The server asked for the password the profile has: TLS, pg_hba.conf and the startup
    // packet all passed. pgtls sends no passwords, so it counts as connecting and says so;
    // whether the password itself is right is not checked live.
    const reachedPassword =
      !r.ok &&
      last?.stage === 'client-auth' &&
      PASSWORD_REQUESTS.has(last.session?.authRequest ?? '') &&
      suppliesPassword(conninfo, profileEnv(profile), profile?.files.passfile);
    const chain = [...r.attempts].reverse().find((a) => a.serverChain?.length)?.serverChain ?? [];
    const out: ConnOutcome = {
      connects: r.ok || reachedPassword,
      message: r.ok || reachedPassword ? '' : normalizeMessage(r.error ?? ''),
      stage: r.ok || reachedPassword ? undefined : last?.stage,
      steps: r.attempts.map(
        (a, i) =>
          `${a.ok ? 'ok' : 'FAIL'} [attempt ${i + 1}] ${a.kind}${a.sslResponse ? ` (SSLRequest answer ${a.sslResponse})` : ''}${a.negotiated ? ` ${a.negotiated.version} ${a.negotiated.cipherSuite}` : ''}${a.ok ? '' : `: ${a.stage ?? ''} ${a.message ?? ''}`}`,
      ),
      serverLog: [],
      chain: chain.map((x) => formatNameOneline(x.subject)),
    };
    if (reachedPassword)
      out.steps.push(
        `ok the server asked for a password (${last.session!.authRequest}) and the profile has one: counted as connecting (pgtls sends no passwords live; the password itself is not checked)`,
      );
    if (!r.ok && last && TRANSIENT.has(last.stage ?? ''))
      out.error = `${server.name}: ${out.message.replace(/\s*\n\s*/g, ' ')} (after ${attempt + 1} attempt(s))`;
    return out;
  }
}
