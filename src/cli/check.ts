// `pgtls check --pgdata DIR`: will the server start, who can connect through each pg_hba
// host line (every sslmode, with and without a client certificate) and each local line (the
// Unix socket), and the warnings a
// careful DBA wants before a certificate or CRL expires. The work is src/pg/check.ts.

import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { nodeFs } from '../pg/fs-node.js';
import { checkServer, type CheckReport, type ClientVerdict } from '../pg/check.js';
import type { ProcessIdentity } from '../pg/fs.js';
import { hostsFileOption, opensslVersionOption, parseArgs, pgVersionOption, securityLevelOption, timeOption, UsageError } from './args.js';
import { dataDirectory } from './fs-errors.js';

const HELP = `Usage: pgtls check --pgdata DIR [options]

Runs the server's start-up checks on DIR, then, for each host/hostssl/hostnossl line of
pg_hba.conf, simulates psql clients with every sslmode, without and with a client
certificate from a CA in ssl_ca_file, and for each local line a psql on the server's Unix
socket run by an OS user named like the role; and lists what a careful DBA should know: certificates
and CRLs expiring or expired, intermediates missing from server.crt, certificate names no
client host matches, clientcert without ssl_ca_file, ssl_ca_file certificates below the
security level (small RSA keys, SHA-1 signatures).

Options:
  --pgdata DIR          the server's data directory (required)
  --host NAME           a host name clients use (repeatable; default: listen_addresses)
  --at ISO-8601         the time to check at (default now)
  --passphrase P        what ssl_passphrase_command prints (commands are not run)
  --pg-version N        PostgreSQL/libpq major version, 13-18 (default 18)
  --openssl-version V   the OpenSSL libpq and the server are linked with: 3.0 (default, Debian 12),
                        1.1 (1.1.1: security level 1 by default, SHA-1 rated 80 bits), 3.2 or 4.0
  --security-level N    OpenSSL's security level on both sides, 0..5 (default 2: Debian's OpenSSL 3
                        sets @SECLEVEL=2 in openssl.cnf; OpenSSL 1.1 builds and upstream OpenSSL 3.0/3.1
                        builds use 1). It judges server.crt at start-up, the client certificate when
                        libpq loads it, and both chain checks; @SECLEVEL=n in ssl_ciphers changes the
                        server's level after server.crt is loaded: each handshake checks the
                        server's chain and client certificates at it
  --hosts-file FILE     the server machine's hosts file, for pg_hba.conf lines that name hosts
                        (default /etc/hosts; names it lacks are taken as unresolved: no DNS)
  --json                machine-readable report
Exit status: 0 the server starts, 1 it does not, 2 bad input.`;

/** The server runs as the data directory's owner, with that user's groups when `id` knows them. */
function serverIdentity(pgdata: string): ProcessIdentity | undefined {
  try {
    const st = statSync(pgdata);
    let gids = [st.gid];
    try {
      gids = execFileSync('id', ['-G', String(st.uid)], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim()
        .split(/\s+/)
        .map(Number);
    } catch {
      // no such user on this machine: the directory's group only
    }
    return { uid: st.uid, gids };
  } catch {
    return undefined;
  }
}

export async function run(argv: string[]): Promise<number> {
  const { opts } = parseArgs(argv, {
    values: ['pgdata', 'at', 'passphrase', 'pg-version', 'openssl-version', 'security-level', 'hosts-file'],
    repeat: ['host'],
    flags: ['json', 'help'],
  });
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  if (!opts.pgdata) throw new UsageError('--pgdata DIR is required (try --help)');
  const at = timeOption(opts);
  const pgVersion = pgVersionOption(opts);
  const pgdata = dataDirectory('pgdata', String(opts.pgdata));
  const fs = nodeFs();
  const report = checkServer({
    fs,
    pgdata,
    serverUser: serverIdentity(pgdata),
    at,
    hosts: (opts.host as string[] | undefined) ?? [],
    passphrase: opts.passphrase as string | undefined,
    pgVersion,
    opensslVersion: opensslVersionOption(opts),
    securityLevel: securityLevelOption(opts),
    hostsTable: hostsFileOption(opts),
  });
  console.log(opts.json ? JSON.stringify(report, null, 2) : render(report));
  return report.starts ? 0 : 1;
}

const cell = (v: ClientVerdict | undefined): string =>
  !v
    ? '-'
    : v.result === 'connects'
      ? `connects${v.acceptedBy ? ` (line ${v.acceptedBy})` : ''}`
      : v.result === 'unknown'
        ? 'unknown'
        : `fails: ${v.message ?? ''}`;

export function render(r: CheckReport): string {
  const out: string[] = [];
  if (!r.starts) {
    out.push('Server: does NOT start', ...r.fatal!.split('\n').map((l) => `  ${l}`));
    return out.join('\n');
  }
  out.push(`Server: starts, SSL ${r.ssl ? 'on' : 'off'}`);
  out.push(
    r.clientRoot
      ? `Client root certificate: "${r.clientRoot.subject}" (from ${r.clientRoot.source})`
      : "Client root certificate: unknown (the server chain's root is not in the data directory): verify-ca/verify-full not simulated",
  );
  if (r.hosts.length) out.push(`Host names: ${r.hosts.join(', ')}`);
  for (const l of r.lines) {
    out.push('', `pg_hba.conf line ${l.lineNum}: ${l.rawLine}`);
    if (l.skipped) {
      out.push(`  skipped: ${l.skipped}`);
      continue;
    }
    if (l.socket) {
      const s = l.socket;
      out.push(
        `  Unix socket ${s.path} (never SSL), as OS user ${s.osUser}, user=${l.client!.user} dbname=${l.client!.database}: ${s.result === 'connects' ? `connects${s.acceptedBy ? ` (line ${s.acceptedBy})` : ''}` : `fails: ${s.message ?? ''}`}`,
      );
      continue;
    }
    out.push(`  as user=${l.client!.user} dbname=${l.client!.database} from ${l.client!.address}`);
    const withCert = l.verdicts.some((v) => v.clientCert);
    const rows = [...new Set(l.verdicts.map((v) => v.sslmode))];
    const w = Math.max(...rows.map((m) => m.length));
    for (const m of rows) {
      const a = l.verdicts.find((v) => v.sslmode === m && !v.clientCert);
      const b = l.verdicts.find((v) => v.sslmode === m && v.clientCert);
      out.push(`  ${m.padEnd(w)}  no client cert: ${cell(a)}${withCert ? `\n  ${''.padEnd(w)}  client cert:    ${cell(b)}` : ''}`);
    }
  }
  out.push('', r.warnings.length ? 'Warnings:' : 'Warnings: none');
  for (const w of r.warnings) out.push(`  [${w.code}] ${w.message}`);
  return out.join('\n');
}
