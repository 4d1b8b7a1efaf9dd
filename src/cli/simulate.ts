// `pgtls simulate --pgdata DIR "CONNINFO"`: would psql connect to this server? Prints the
// verdict, psql's exact error (or, when it connects, the backend's pg_stat_ssl row), the
// server's log lines, each step, the TLS handshake as a sequence diagram, and the fix.
// Exit 0 when it would connect, 1 when not, 2 for bad input.

import { userInfo } from 'node:os';
import { nodeFs } from '../pg/fs-node.js';
import { remapDir } from '../pg/fs.js';
import { simulate, type PgStatSslRow, type SimulateInput, type SimulateResult } from '../pg/simulate.js';
import { fixLanguage, renderFix, type FixLang } from '../pg/fix.js';
import { formatTrace, type TraceEntry } from '../tls13/index.js';
import { DEFAULT_LOCALE_DIR, nodeCatalogLoader, nodeLocaleInstalled } from '../pg/i18n/catalogs-node.js';
import { clientMessageLocale, LOCALE_SYSTEMS, type LocaleSystem } from '../pg/i18n/translate.js';
import {
  clientEnvironment,
  nameValues,
  hostsFileOption,
  parseArgs,
  pgVersionOption,
  opensslVersionOption,
  securityLevelOption,
  timeOption,
  UsageError,
} from './args.js';
import { dataDirectory } from './fs-errors.js';

const HELP = `Usage: pgtls simulate --pgdata DIR [options] "CONNINFO"

Runs the server's start-up checks on DIR (postgresql.conf, pg_hba.conf, pg_ident.conf,
certificates and keys), then connects the way psql would with CONNINFO (key=value string,
URI or database name): every sslmode step, a TLS 1.3 handshake in memory with both sides'
real certificates, both sides' certificate checks, pg_hba and authentication. When psql
would connect, also shows the backend's pg_stat_ssl row (pid unknown).

Options:
  --pgdata DIR          the server's data directory (required)
  --pg-version N        PostgreSQL/libpq major version, 13-18 (default 18)
  --libpq-version N     the client's libpq major when it differs from the server's, 13-18
                        (default: --pg-version)
  --at ISO-8601         the time of the connection (default now)
  --client-addr IP      the client's address as the server sees it (default 127.0.0.1)
  --server-addr IP      the address a host name resolves to (default 127.0.0.1)
  --hosts-file FILE     the server machine's hosts file, for pg_hba.conf lines that name hosts
                        and log_hostname (default /etc/hosts; names it lacks are taken as
                        unresolved: pgtls does not query DNS)
  --home DIR            the client's HOME (~/.postgresql defaults, ~/.pgpass; default $HOME)
  --env NAME=VALUE      a client environment variable (PGSSLMODE, PGSSLROOTCERT, PGPASSFILE...); repeatable
  --role-password ROLE=PASSWORD
                        the role's password as ALTER ROLE ... PASSWORD set it (stored as SCRAM;
                        ROLE= for none): a password from password=, PGPASSWORD or the password
                        file (~/.pgpass, PGPASSFILE, passfile=) is checked against it; without
                        it any password is taken as right; repeatable
  --passphrase P        what ssl_passphrase_command prints (commands are not run)
  --set NAME=VALUE      a server command-line setting (as postgres -c NAME=VALUE; port for -p); repeatable
  --started-with DIR    the data directory as the running server loaded it: simulate starting from
                        DIR, then pg_ctl reload reading --pgdata (what a reload logs and keeps)
  --openssl-version V   3.0 (default, Debian 12), 1.1 (1.1.1: "self signed certificate" in
                        PostgreSQL 16+ log details), 3.2 (alert texts "ssl/tls alert ...") or
                        4.0 ("tls alert ...")
  --security-level N    OpenSSL's security level on both sides, 0..5 (default 2: Debian's OpenSSL 3
                        sets @SECLEVEL=2 in openssl.cnf; OpenSSL 1.1 builds and upstream OpenSSL 3.0/3.1
                        builds use 1). It judges server.crt at start-up, the client certificate when
                        libpq loads it, and both chain checks; @SECLEVEL=n in ssl_ciphers changes the
                        server's level after server.crt is loaded: each handshake checks the
                        server's chain and client certificates at it
  --no-pg-wrapper       psql is a binary run directly, not Debian's pg_wrapper (which sets
                        PGHOST=/var/run/postgresql: with hostaddr= alone, that becomes the
                        host verify-full checks, the TLS server name and the .pgpass key)
  --locale-dir DIR      where the message catalogs are (<DIR>/<lang>/LC_MESSAGES/libpq5-NN.mo,
                        psql-NN.mo, postgres-NN.mo for --pg-version NN, libc.mo; default
                        ${DEFAULT_LOCALE_DIR}): psql's
                        and libpq's messages follow the client's LANGUAGE, LC_ALL, LC_MESSAGES and
                        LANG (from this environment or --env), the server's its lc_messages
  --system S            whose locale rules psql, pg_wrapper and the server follow: debian12 (default;
                        glibc 2.36, perl 5.36) or debian13 (glibc 2.41: LANGUAGE is ignored under
                        LANG=C.UTF-8, as under C; perl 5.40's locale warning lists every category)
  --server-env NAME=VALUE
                        the server process's locale environment (LANG, LC_CTYPE, LC_MESSAGES,
                        LANGUAGE; default LANG=C.UTF-8): an ASCII LC_CTYPE prints ? for each
                        character of a translated message; repeatable
  --explain             add the full TLS trace (messages, secrets, checks)
  --json                machine-readable result (fix: the advice in the client's language,
                        fixes: the same advice as { kind, args } values)
The fix is pgtls's own advice, in Japanese when the client's locale asks for it as it would
for psql's messages (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else in English.
Exit status: 0 connects, 1 does not, 2 bad input.`;

export async function run(argv: string[]): Promise<number> {
  const { opts, positionals } = parseArgs(argv, {
    values: [
      'pgdata',
      'pg-version',
      'libpq-version',
      'at',
      'client-addr',
      'server-addr',
      'home',
      'passphrase',
      'openssl-version',
      'started-with',
      'security-level',
      'hosts-file',
      'locale-dir',
      'system',
    ],
    repeat: ['env', 'set', 'role-password', 'server-env'],
    flags: ['json', 'explain', 'help', 'no-pg-wrapper'],
  });
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  if (!opts.pgdata) throw new UsageError('--pgdata DIR is required (try --help)');
  if (positionals.length !== 1) throw new UsageError('give exactly one connection string (quote it)');
  const pgVersion = pgVersionOption(opts);
  const libpqVersion =
    opts['libpq-version'] === undefined ? pgVersion : pgVersionOption({ 'pg-version': opts['libpq-version'] }, '--libpq-version');
  const at = timeOption(opts);
  const ov = opensslVersionOption(opts);

  const env = clientEnvironment(opts);
  const serverOverrides = nameValues(opts, 'set');
  // ALTER ROLE ... PASSWORD '' leaves the role without a password
  const rolePasswords = Object.fromEntries(
    Object.entries(nameValues(opts, 'role-password')).map(([role, pw]) => [role, pw === '' ? null : pw]),
  );
  const me = userInfo();
  const input: SimulateInput = {
    fs: nodeFs(),
    pgdata: dataDirectory('pgdata', String(opts.pgdata)),
    conninfo: positionals[0],
    env,
    osUser: env.USER ?? me.username,
    clientUser: { uid: me.uid, gids: [me.gid] },
    pgVersion,
    libpqVersion,
    at,
    clientAddr: opts['client-addr'] as string | undefined,
    serverAddr: opts['server-addr'] as string | undefined,
    passphrase: opts.passphrase as string | undefined,
    opensslVersion: ov,
    securityLevel: securityLevelOption(opts),
    serverOverrides,
    rolePasswords,
    pgWrapper: !opts['no-pg-wrapper'],
    hosts: hostsFileOption(opts),
  };
  const localeDir = opts['locale-dir'] === undefined ? DEFAULT_LOCALE_DIR : String(opts['locale-dir']);
  if (opts['locale-dir'] !== undefined && !input.fs.stat(localeDir)?.isDir)
    throw new UsageError(`--locale-dir: ${localeDir} is not a directory`);
  input.catalogs = nodeCatalogLoader(localeDir);
  input.localeInstalled = nodeLocaleInstalled();
  const system = (opts.system as string | undefined) ?? 'debian12';
  if (!(LOCALE_SYSTEMS as readonly string[]).includes(system)) throw new UsageError(`--system must be one of ${LOCALE_SYSTEMS.join(', ')}`);
  input.system = system as LocaleSystem;
  const serverEnv = nameValues(opts, 'server-env');
  const badServerEnv = Object.keys(serverEnv).find((k) => !/^(LANG|LANGUAGE|LC_ALL|LC_CTYPE|LC_MESSAGES)$/.test(k));
  if (badServerEnv)
    throw new UsageError(`--server-env: ${badServerEnv} is not a locale variable (LANG, LANGUAGE, LC_ALL, LC_CTYPE, LC_MESSAGES)`);
  if (Object.keys(serverEnv).length) input.serverEnv = serverEnv;
  if (opts['started-with']) {
    input.startedWith = remapDir(input.fs, input.pgdata, dataDirectory('started-with', String(opts['started-with'])));
  }
  const r = simulate(input);
  // the advice speaks the language psql speaks to this client (gettext's choice, over pgtls's languages)
  const lang = fixLanguage(clientMessageLocale(env, input.localeInstalled, input.system));
  if (opts.json) {
    console.log(JSON.stringify(toJson(r, Boolean(opts.explain), lang), null, 2));
  } else {
    console.log(render(r, Boolean(opts.explain), lang));
  }
  return r.ok ? 0 : 1;
}

function toJson(r: SimulateResult, explain: boolean, lang: FixLang) {
  return {
    ok: r.ok,
    message: r.message,
    psqlStderr: r.psqlStderr,
    serverStarted: r.serverStarted,
    serverFatal: r.serverFatal ?? null,
    serverLog: r.serverLog,
    steps: r.steps,
    fix: renderFix(r.fixes, lang) ?? null,
    fixes: r.fixes ?? [],
    pgStatSsl: r.pgStatSsl ?? null,
    languageNotes: r.languageNotes ?? [],
    attempts: r.attempts.map((a) => ({
      kind: a.kind,
      ok: a.ok,
      stage: a.stage ?? null,
      message: a.message ?? null,
      serverVerify: a.handshake?.serverVerify ? verdict(a.handshake.serverVerify) : null,
      clientVerify: a.handshake?.clientVerify ? verdict(a.handshake.clientVerify) : null,
      negotiated: a.handshake?.negotiated
        ? { ...a.handshake.negotiated, peerCertificates: a.handshake.negotiated.peerCertificates.length }
        : a.handshake?.tls12
          ? { version: 'TLSv1.2' }
          : null,
    })),
    ...(explain ? { tlsTrace: r.tlsTrace } : {}),
  };
}

function verdict(v: NonNullable<SimulateResult['attempts'][number]['handshake']>['serverVerify']) {
  return {
    ok: v!.ok,
    error: v!.error ? { code: v!.error.code, name: v!.error.name, message: v!.error.message, depth: v!.error.depth } : null,
  };
}

/**
 * The handshake's messages as a two-column sequence diagram, after the SSLRequest and its 'S'
 * (none with 17+'s direct TLS, where the ClientHello comes first); ALPN where it is offered
 * (ClientHello) and selected (EncryptedExtensions).
 */
function sequenceDiagram(trace: TraceEntry[], steps: SimulateResult['steps']): string {
  const lines = ['  client                                    server'];
  const arrow = (who: string, text: string) => {
    const label = ` ${text} `;
    const width = 40;
    const pad = Math.max(0, width - label.length);
    const left = Math.floor(pad / 2);
    const bar = '-'.repeat(left) + label + '-'.repeat(pad - left);
    lines.push(who === 'client' ? `  |${bar}>|` : `  |<${bar}|`);
  };
  const negotiation = steps.filter((s) => s.step === 'ssl-request' || s.step === 'direct-tls').pop();
  if (negotiation?.step === 'ssl-request') {
    arrow('client', 'SSLRequest');
    arrow('server', "'S'");
  } else if (negotiation?.step === 'direct-tls') lines.push('  (direct TLS: no SSLRequest)');
  for (const e of trace) {
    if (e.direction !== 'send' || !e.message) continue;
    const alpn = e.fields.alpn;
    arrow(e.who, alpn ? `${e.message} (ALPN ${[alpn].flat().join(',')})` : e.message);
  }
  for (const e of trace) {
    if (e.alert?.direction === 'sent')
      lines.push(`  ${e.who === 'client' ? `|--- alert ${e.alert.name} --->` : `<--- alert ${e.alert.name} ---|`}`);
  }
  return lines.join('\n');
}

/** The row as `column=value` pairs, NULL as NULL (pid: unknowable offline). */
function statSslLine(row: PgStatSslRow): string {
  return Object.entries(row)
    .filter(([k]) => k !== 'pid')
    .map(([k, v]) => `${k}=${v === null ? 'NULL' : typeof v === 'boolean' ? (v ? 't' : 'f') : String(v)}`)
    .join(' ');
}

function render(r: SimulateResult, explain: boolean, lang: FixLang): string {
  const out: string[] = [];
  out.push(
    r.ok ? 'CONNECTS: psql would connect.' : r.serverStarted ? 'FAILS: psql would not connect.' : 'FAILS: the server would not start.',
  );
  if (!r.ok) {
    // when the server did not start, its FATAL is in the server log below, once
    out.push('', 'psql prints:', ...r.psqlStderr.split('\n').map((l) => `  ${l}`));
  } else if (r.psqlStderr) {
    // libpq's password file warnings are printed even when psql connects
    out.push('', 'psql prints (and connects):', ...r.psqlStderr.split('\n').map((l) => `  ${l}`));
  }
  if (r.pgStatSsl) out.push('', `pg_stat_ssl: ${statSslLine(r.pgStatSsl)}`);
  if (r.serverLog.length) out.push('', 'server log:', ...r.serverLog.map((l) => `  ${l}`));
  out.push('', 'steps:');
  for (const s of r.steps) {
    const mark = { ok: 'ok  ', fail: 'FAIL', info: '    ', skip: 'skip' }[s.result];
    out.push(`  ${mark} ${s.attempt ? `[attempt ${s.attempt}] ` : ''}${s.step} (${s.who}): ${s.detail}`);
  }
  if (r.tlsTrace.length) out.push('', 'TLS handshake:', sequenceDiagram(r.tlsTrace, r.steps));
  const fix = renderFix(r.fixes, lang);
  if (fix) out.push('', `fix: ${fix}`);
  for (const n of r.languageNotes ?? []) out.push('', `note: ${n}`);
  if (explain && r.tlsTrace.length) out.push('', 'TLS trace:', formatTrace(r.tlsTrace));
  return out.join('\n');
}
