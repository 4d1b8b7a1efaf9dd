// `pgtls probe "CONNINFO"`: connect to a live server like libpq and report the TLS
// parameters, the certificate chain the server sent, and the verdict of every sslmode with
// this client's files (one TLS and one plaintext connection; verification replayed
// offline). Exit 0 when the given sslmode would connect, 1 when not, 2 for bad input.

import { userInfo } from 'node:os';
import { describePublicKey, formatNameOneline, formatOpensslTime, type Certificate } from '../x509/index.js';
import { ConninfoError } from '../pg/conninfo/errors.js';
import { runProbe, type ProbeReport } from '../pg/live/probe-node.js';
import { clientEnvironment, parseArgs, pgVersionOption, UsageError } from './args.js';

const HELP = `Usage: pgtls probe [options] "CONNINFO"

Connects to the server in CONNINFO (key=value string or URI, read like libpq with the
PG* environment and ~/.postgresql defaults): SSLRequest, a TLS 1.3 handshake with pgtls's
engine (the chain captured), the startup packet with this client's certificate, and a
plaintext connection. Prints the negotiated parameters, the chain, and what each sslmode
(disable .. verify-full) would do with this client's root file, CRLs and certificate.

Options:
  --pg-version N   libpq major version whose rules apply, 13-18 (default 18)
  --home DIR       the client's HOME (~/.postgresql defaults; default $HOME)
  --env NAME=VALUE a client environment variable (PGSSLROOTCERT...); repeatable
  --timeout MS     per connection (default 10000)
  --json           machine-readable report
Exit status: 0 the given sslmode connects, 1 it does not, 2 bad input.`;

export async function run(argv: string[]): Promise<number> {
  const { opts, positionals } = parseArgs(argv, { values: ['pg-version', 'home', 'timeout'], repeat: ['env'], flags: ['json', 'help'] });
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one connection string (quote it)');
  const pgVersion = pgVersionOption(opts);
  const timeoutMs = opts.timeout ? Number(opts.timeout) : 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout must be a positive number of milliseconds');
  const env = clientEnvironment(opts);
  const me = userInfo();
  let report: ProbeReport;
  try {
    report = await runProbe({
      conninfo: positionals[0],
      env,
      osUser: env.USER ?? me.username,
      clientUser: { uid: me.uid, gids: [me.gid] },
      pgVersion,
      timeoutMs,
    });
  } catch (e) {
    if (e instanceof ConninfoError) throw new UsageError(e.message);
    throw e;
  }
  console.log(opts.json ? JSON.stringify(toJson(report), null, 2) : render(report));
  return report.ok ? 0 : 1;
}

function certJson(c: Certificate) {
  return {
    subject: formatNameOneline(c.subject),
    issuer: formatNameOneline(c.issuer),
    notBefore: c.notBefore.ms === null ? c.notBefore.text : new Date(c.notBefore.ms).toISOString(),
    notAfter: c.notAfter.ms === null ? c.notAfter.text : new Date(c.notAfter.ms).toISOString(),
    key: describePublicKey(c.publicKey),
  };
}

export function toJson(r: ProbeReport) {
  return {
    server: { address: r.address, port: r.port, host: r.host },
    user: r.user,
    dbname: r.dbname,
    sslmode: r.sslmode,
    ok: r.ok,
    sslResponse: r.sslResponse,
    tls: r.negotiated
      ? {
          version: r.negotiated.version,
          cipherSuite: r.negotiated.cipherSuite,
          group: r.negotiated.group,
          signatureScheme: r.negotiated.peerSignatureScheme,
          alpn: r.negotiated.alpn,
          clientCertificateRequested: r.negotiated.clientCertificateRequested,
          helloRetryRequest: r.negotiated.helloRetryRequest,
        }
      : undefined,
    chain: r.chain.map(certJson),
    clientSetupError: r.clientSetupError,
    live: {
      ssl: { ok: r.ssl.ok, stage: r.ssl.stage, message: r.ssl.message },
      plain: { ok: r.plain.ok, stage: r.plain.stage, message: r.plain.message },
    },
    verdicts: r.verdicts.map((v) => ({ sslmode: v.sslmode, ok: v.ok, encrypted: v.encrypted, message: v.message, attempts: v.attempts })),
  };
}

const when = (t: Certificate['notBefore']) => (t.ms === null ? t.text : formatOpensslTime(t.ms));

export function render(r: ProbeReport): string {
  const out: string[] = [];
  out.push(
    `Server ${r.address}:${r.port}${r.host && r.host !== r.address ? ` (host ${r.host})` : ''}, user ${r.user}, database ${r.dbname}`,
  );
  out.push(
    `SSLRequest answer: ${r.sslResponse ?? (r.negotiated ? '(direct TLS)' : `none (${(r.ssl.message ?? 'no answer').split('\n')[0]})`)}`,
  );
  if (r.negotiated) {
    const n = r.negotiated;
    out.push(
      `TLS: ${n.version}, ${n.cipherSuite}, group ${n.group}, server signature ${n.peerSignatureScheme ?? '?'}${n.alpn ? `, ALPN ${n.alpn}` : ''}${n.clientCertificateRequested ? ', client certificate requested' : ''}${n.helloRetryRequest ? ', HelloRetryRequest' : ''}`,
    );
  } else if (r.sslResponse === 'S') out.push(`TLS: handshake failed: ${r.ssl.message ?? ''}`);
  if (r.chain.length) {
    out.push(`Certificate chain sent by the server (${r.chain.length}):`);
    r.chain.forEach((c, i) => {
      out.push(`  ${i} subject: ${formatNameOneline(c.subject)}`);
      out.push(`    issuer:  ${formatNameOneline(c.issuer)}`);
      out.push(`    valid:   ${when(c.notBefore)} .. ${when(c.notAfter)}`);
      out.push(`    key:     ${describePublicKey(c.publicKey)}`);
    });
  }
  if (r.clientSetupError) out.push(`Client certificate set-up failed (the TLS probe ran without one): ${r.clientSetupError}`);
  out.push("sslmode verdicts with this client's files:");
  for (const v of r.verdicts) {
    const mark = v.sslmode === r.sslmode ? '*' : ' ';
    const what = v.ok ? `connects (${v.encrypted ? 'TLS' : 'plaintext'})` : `fails: ${(v.message ?? '').replace(/\n/g, ' | ')}`;
    out.push(` ${mark} ${v.sslmode.padEnd(11)} ${what}`);
  }
  out.push(`sslmode=${r.sslmode}: ${r.ok ? 'connects' : 'does not connect'}`);
  return out.join('\n');
}
