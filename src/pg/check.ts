// `pgtls check`: a server data directory in, a DBA's review out. Will the server start (its
// FATAL if not); for each host/hostssl/hostnossl line of pg_hba.conf, which client setups
// (every sslmode, with and without a client certificate) connect, and for each local line
// whether a psql on the server's Unix socket does (never SSL; run as an OS user named like
// the role, which is what peer expects), found by running simulate() with synthetic
// clients; and warnings about what will break later (expiring
// certificates and CRLs, incomplete chains, names no client will use, weak keys and
// signatures, client certificates requested with no CA to check them).
//
// Synthetic clients: the root certificate is the server chain's own root when it is found
// in server.crt, ssl_ca_file or another *.crt of the data directory (verify-ca/verify-full
// are "unknown" otherwise). The CA key of ssl_ca_file is not at hand, so the "with a client
// certificate" client uses a certificate from a stand-in CA that an overlay file system adds
// to ssl_ca_file (and an empty CRL from it to ssl_crl_file/ssl_crl_dir): it stands for
// "a valid, unrevoked certificate from a CA the server trusts", CN = the line's user.

import { makeCertificate, makeCrl, defaultGenerateKey, privateKeyPem } from '../factory/index.js';
import { asPgMajor, libpqVerifyHost, likelyIssued, sslKeyOk, sslOwnSigOk, sslSigOk } from '../path/index.js';
import { formatNameOneline, nameHash, namesEqual, parseCertificate, type Certificate, type Crl } from '../x509/index.js';
import { pemEncode } from '../der/index.js';
import { OID } from '../der/oids.js';
import type { FileStat, ProcessIdentity, SimFs } from './fs.js';
import { hostnameClients } from './config/hba-hostname.js';
import type { HbaLine } from './config/hba-parse.js';
import { loadHostsFile, type HostsTable } from './config/hosts.js';
import { formatIp, ipInRange, parseNumericHost } from './config/inet.js';
import { simulate } from './simulate.js';
import { certificatesIn } from './files.js';
import { chainToSend } from './tls-handshake.js';
import { startServer } from './server/postmaster.js';
import { defaultSecurityLevel } from '../crypto/index.js';
import { createServerSockets, socketDirectoriesSetting } from './server/unix-sockets.js';
import { formatLog } from './log.js';
import type { SslMode } from './conninfo/resolve.js';
import type { OpensslVersion } from '../tls13/index.js';
import { DEFAULT_PG_VERSION } from './conninfo/options.js';

export interface CheckInput {
  fs: SimFs;
  pgdata: string;
  serverUser?: ProcessIdentity;
  at?: Date;
  /** host names clients use (verify-full and the name warning); default: names from listen_addresses */
  hosts?: string[];
  passphrase?: string;
  pgVersion?: number;
  /** OpenSSL's security level on both sides (default: Debian's OpenSSL 3.0, 2; see SimulateInput) */
  securityLevel?: number;
  /** the OpenSSL build, whose security bits the level compares (default 3.0; see SimulateInput) */
  opensslVersion?: OpensslVersion;
  /** the server machine's hosts file, for lines that name hosts (default /etc/hosts through `fs`) */
  hostsTable?: HostsTable;
}

export type WarningCode =
  | 'cert-expired'
  | 'cert-expiring'
  | 'chain-incomplete'
  | 'name-mismatch'
  | 'clientcert-without-ca'
  | 'crl-expired'
  | 'crl-expiring'
  | 'weak-rsa'
  | 'sha1-signature'
  | 'hostssl-without-ssl';

export interface CheckWarning {
  code: WarningCode;
  message: string;
}

export interface ClientVerdict {
  sslmode: SslMode;
  clientCert: boolean;
  /** 'unknown' when the client's root certificate could not be found */
  result: 'connects' | 'fails' | 'unknown';
  /** the pg_hba.conf line that accepted the connection (may be an earlier line than the one checked) */
  acceptedBy?: number;
  /** psql's message (first line) on failure, or why the result is unknown */
  message?: string;
}

export interface LineReport {
  lineNum: number;
  rawLine: string;
  /** the synthetic client for this line, or why none could be made */
  client?: { user: string; database: string; address: string };
  skipped?: string;
  verdicts: ClientVerdict[];
  /** a local line: psql over the server's first Unix socket, as OS user `osUser` */
  socket?: { path: string; osUser: string; result: 'connects' | 'fails'; acceptedBy?: number; message?: string };
}

export interface CheckReport {
  starts: boolean;
  /** the FATAL (and DETAIL) when the server does not start */
  fatal?: string;
  ssl: boolean;
  /** where the client root certificate came from, or undefined when unknown */
  clientRoot?: { subject: string; source: string };
  hosts: string[];
  lines: LineReport[];
  warnings: CheckWarning[];
}

const DAY = 86_400_000;
const SSLMODES: SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
const CHECK_DIR = '/__pgtls_check__';
const CLIENT_ID: ProcessIdentity = { uid: 0, gids: [0] };
const SHA1_OIDS = new Set([OID.sha1WithRSAEncryption, '1.2.840.10045.4.1', '1.2.840.10040.4.3']);
const HBA_KEYWORDS = new Set(['all', 'sameuser', 'samerole', 'samegroup', 'replication']);

/** A file system with some files replaced or added (the synthetic client's files). */
function overlay(base: SimFs, files: Map<string, { bytes: Uint8Array; mode: number }>): SimFs {
  const stat = (p: string): FileStat | undefined => {
    const f = files.get(p);
    return f
      ? { isFile: true, isDir: false, mode: f.mode, uid: 0, gid: 0 }
      : p === CHECK_DIR
        ? { isFile: false, isDir: true, mode: 0o755, uid: 0, gid: 0 }
        : base.stat(p);
  };
  return {
    read: (p) => files.get(p)?.bytes ?? base.read(p),
    stat: (p) => {
      const st = stat(p);
      // an overlaid file keeps the owner and mode of the file it replaces (the server checks them)
      const orig = files.has(p) ? base.stat(p) : undefined;
      return orig && st ? { ...st, uid: orig.uid, gid: orig.gid, mode: orig.mode } : st;
    },
    list: (p) => {
      const names = new Set(base.list(p) ?? []);
      const prefix = `${p.replace(/\/+$/, '')}/`;
      for (const k of files.keys()) if (k.startsWith(prefix) && !k.slice(prefix.length).includes('/')) names.add(k.slice(prefix.length));
      return names.size || base.stat(p)?.isDir ? [...names].sort() : undefined;
    },
  };
}

const isSelfSigned = (c: Certificate) => namesEqual(c.subject, c.issuer) && likelyIssued(c, c) === 0;
const name = (c: Certificate) => formatNameOneline(c.subject);

/** The chain's root: walk issuers through the candidates until a self-signed certificate. */
function findRoot(
  chain: Certificate[],
  candidates: { cert: Certificate; source: string }[],
): { cert: Certificate; source: string } | undefined {
  let cur = chain[chain.length - 1];
  if (!cur) return undefined;
  if (isSelfSigned(cur)) return { cert: cur, source: 'server certificate file' };
  for (let depth = 0; depth < 10; depth++) {
    const issuer = candidates.find((c) => likelyIssued(c.cert, cur) === 0);
    if (!issuer) return undefined;
    if (isSelfSigned(issuer.cert)) return issuer;
    cur = issuer.cert;
  }
  return undefined;
}

function firstName(tokens: { string: string; quoted: boolean }[], fallback: string): string | undefined {
  const t = tokens.find((x) => x.quoted || (!HBA_KEYWORDS.has(x.string) && !x.string.startsWith('+') && !x.string.startsWith('@')));
  if (t) return t.string;
  if (
    tokens.some((x) => !x.quoted && (x.string === 'all' || x.string === 'sameuser' || x.string === 'samerole' || x.string === 'samegroup'))
  )
    return fallback;
  return undefined;
}

/** An address inside the line's range: the address itself for a host mask, else network + 1. */
function addressFor(line: HbaLine, hostsTable: HostsTable): string | undefined {
  const a = line.address;
  if (!a) return undefined;
  // a host name: an address the server resolves to a matching name and back
  if (a.kind === 'hostname') return hostnameClients(hostsTable, a.name)[0];
  if (a.kind !== 'cidr') return '127.0.0.1';
  // loopback when the range holds it (what a local psql would come from), else network + 1
  const lo = parseNumericHost(a.addr.family === 4 ? '127.0.0.1' : '::1');
  if (lo && ipInRange(lo, a.addr, a.mask)) return formatIp(lo);
  const bytes = a.addr.bytes.map((b, i) => b & a.mask.bytes[i]);
  const full = a.mask.bytes.every((b) => b === 0xff);
  if (!full) bytes[bytes.length - 1] |= 1;
  return formatIp({ family: a.addr.family, bytes: Uint8Array.from(bytes) });
}

function certNames(c: Certificate): string[] {
  const sans = c.ext.subjectAltName?.names ?? [];
  const dns = sans.flatMap((n) =>
    n.type === 'dns' ? [n.value] : n.type === 'ip' && n.bytes.length === 4 ? [Array.from(n.bytes).join('.')] : [],
  );
  if (sans.length) return dns;
  return c.subject.rdns
    .flatMap((r) => r.filter((x) => x.oid === OID.commonName).map((x) => ('value' in x.value ? x.value.value : '')))
    .filter(Boolean);
}

export function checkServer(input: CheckInput): CheckReport {
  const at = input.at ?? new Date();
  const pgVersion = input.pgVersion ?? DEFAULT_PG_VERSION;
  const pgdata = input.pgdata.replace(/\/+$/, '');
  // the build's level, as simulate takes it: 2 for Debian's OpenSSL 3, 1 for 1.1.1
  const securityLevel = input.securityLevel ?? defaultSecurityLevel(input.opensslVersion ?? '3.0');
  const base = {
    fs: input.fs,
    pgdata,
    conninfo: '',
    serverUser: input.serverUser,
    passphrase: input.passphrase,
    pgVersion,
    at,
    securityLevel,
    opensslVersion: input.opensslVersion,
  };
  const warnings: CheckWarning[] = [];
  const warn = (code: WarningCode, message: string) => warnings.push({ code, message });

  const start = startServer(base);
  if (!start.ok) {
    return {
      starts: false,
      // the whole start-up log: pg_hba.conf errors come as LOG lines before the FATAL
      fatal: formatLog(start.log.some((l) => l.level === 'FATAL') ? start.log : [...start.log, start.fatal]),
      ssl: false,
      hosts: input.hosts ?? [],
      lines: [],
      warnings,
    };
  }
  const server = start.server;
  const tls = server.tls;
  const settings = server.settings;
  const hostsTable = input.hostsTable ?? loadHostsFile(input.fs);
  const hostLines = server.hba.lines.filter((l) => l.connType === 'host' || l.connType === 'hostssl' || l.connType === 'hostnossl');
  const localLines = server.hba.lines.filter((l) => l.connType === 'local');

  // ---- host names clients are expected to use
  const listen = settings.listenAddresses
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== '*' && s !== '0.0.0.0' && s !== '::');
  const hosts = input.hosts?.length ? input.hosts : listen;

  // ---- certificate and CRL warnings
  let clientRoot: CheckReport['clientRoot'];
  let rootCert: { cert: Certificate; source: string } | undefined;
  if (tls) {
    const leaf = tls.chain[0];
    // own: the server's chain, whose signatures OpenSSL 3.2+ (this build) no longer rates (ssl-security.ts)
    const all: { cert: Certificate; where: string; own: boolean }[] = [
      ...tls.chain.map((c) => ({ cert: c, where: settings.ssl.certFile, own: true })),
      ...tls.caCerts.map((c) => ({ cert: c, where: settings.ssl.caFile, own: false })),
    ];
    for (const { cert, where, own } of all) {
      const left = (cert.notAfter.ms ?? 0) - at.getTime();
      if (left < 0) warn('cert-expired', `"${name(cert)}" in ${where} expired ${cert.notAfter.text}`);
      else if (left < 30 * DAY)
        warn('cert-expiring', `"${name(cert)}" in ${where} expires in ${Math.ceil(left / DAY)} day(s) (${cert.notAfter.text})`);
      // ssl_ca_file's certificates: the server refuses client chains through them at its level
      if (!sslKeyOk(cert, tls.securityLevel, tls.opensslVersion) && cert.publicKey.kind === 'rsa')
        warn(
          'weak-rsa',
          `"${name(cert)}" in ${where} has a ${cert.publicKey.bits}-bit RSA key: OpenSSL's security level ${tls.securityLevel} refuses it ("ca key too small")`,
        );
      if (!(own ? sslOwnSigOk : sslSigOk)(cert, tls.securityLevel, tls.opensslVersion) && SHA1_OIDS.has(cert.signatureAlgorithm.oid))
        warn(
          'sha1-signature',
          `"${name(cert)}" in ${where} is signed with SHA-1: refused at security level ${tls.securityLevel} ("ca md too weak"); reissue it with SHA-256`,
        );
    }
    // Every intermediate must travel with the leaf (the root need not: the client has it).
    // Follow issuers through what the server sends; where that stops, the next issuer is
    // looked for in ssl_ca_file and the data directory's other certificate files: a root
    // there is fine, an intermediate is one the client needs and is not sent. An issuer
    // found nowhere may be either, so it is not warned about.
    const extra = certificatesIn(input.fs, pgdata);
    const candidates = [...tls.caCerts.map((c) => ({ cert: c, source: `ssl_ca_file ${settings.ssl.caFile}` })), ...extra];
    const sent = chainToSend(tls.chain, tls.caCerts, tls.crls, at);
    const autoChained = sent.length > tls.chain.length;
    let top = leaf;
    for (let n = 0; n < sent.length && !isSelfSigned(top); n++) {
      const next = sent.find((c) => c !== top && likelyIssued(c, top) === 0);
      if (!next) break;
      if (autoChained && !isSelfSigned(next)) {
        warn(
          'chain-incomplete',
          `${settings.ssl.certFile} holds "${name(leaf)}" without the intermediate "${name(next)}": it is only sent because ssl_ca_file holds it (auto-chaining); append it to ${settings.ssl.certFile}`,
        );
      }
      top = next;
    }
    const missing = isSelfSigned(top) ? undefined : candidates.find((c) => likelyIssued(c.cert, top) === 0 && !isSelfSigned(c.cert));
    if (missing) {
      warn(
        'chain-incomplete',
        `${settings.ssl.certFile} holds "${name(leaf)}" but not the intermediate "${name(missing.cert)}" (in ${missing.source}) that issued "${name(top)}": clients that trust only the root cannot verify it; append it to ${settings.ssl.certFile} (leaf first, then each issuer)`,
      );
    }
    const names = certNames(leaf);
    const bad = hosts.filter((h) => !libpqVerifyHost(leaf, h, asPgMajor(pgVersion)).ok);
    if (hosts.length && bad.length === hosts.length) {
      warn(
        'name-mismatch',
        `the server certificate names ${names.length ? names.map((n) => `"${n}"`).join(', ') : 'no host'} but clients would connect to ${hosts.map((h) => `"${h}"`).join(', ')}: sslmode=verify-full fails`,
      );
    } else if (bad.length) {
      warn(
        'name-mismatch',
        `sslmode=verify-full fails for ${bad.map((h) => `"${h}"`).join(', ')}: the server certificate names ${names.map((n) => `"${n}"`).join(', ') || 'no host'}`,
      );
    }
    for (const crl of tls.crls) warnCrl(crl, at, warn);
    // the client root
    rootCert = findRoot(tls.chain, candidates);
    if (rootCert) clientRoot = { subject: name(rootCert.cert), source: rootCert.source };
  }
  for (const l of hostLines) {
    const wantsCert = l.method === 'cert' || l.clientcert !== 'off';
    if (wantsCert && !tls?.requestClientCert) {
      warn(
        'clientcert-without-ca',
        `pg_hba.conf line ${l.lineNum} (${l.rawLine.trim()}) needs a client certificate but ssl_ca_file is not set: no certificate is ever requested, the line always fails`,
      );
    }
    if (l.connType === 'hostssl' && !tls)
      warn('hostssl-without-ssl', `pg_hba.conf line ${l.lineNum} is hostssl but ssl is off: it never matches`);
  }

  // ---- synthetic clients per pg_hba line
  const files = new Map<string, { bytes: Uint8Array; mode: number }>();
  const enc = new TextEncoder();
  const put = (p: string, text: string, mode = 0o644) => files.set(p, { bytes: enc.encode(text), mode });
  if (rootCert) put(`${CHECK_DIR}/root.crt`, pemEncode('CERTIFICATE', rootCert.cert.der));
  const caKey = tls?.requestClientCert ? defaultGenerateKey('p256') : undefined;
  const ca = caKey
    ? makeCertificate({
        subject: [{ CN: 'pgtls check stand-in client CA' }],
        selfSigned: true,
        issuerKey: caKey,
        notBefore: new Date(at.getTime() - DAY),
        notAfter: new Date(at.getTime() + 365 * DAY),
        extensions: [{ type: 'basicConstraints', ca: true, critical: true }],
      })
    : undefined;
  if (ca && caKey && tls) {
    const caPath = settings.sslPaths.caFile;
    put(caPath, new TextDecoder().decode(input.fs.read(caPath)) + ca.pem);
    const crl = makeCrl({
      issuerCert: ca,
      issuerKey: caKey,
      thisUpdate: new Date(at.getTime() - DAY),
      nextUpdate: new Date(at.getTime() + 30 * DAY),
    });
    if (settings.sslPaths.crlFile)
      put(settings.sslPaths.crlFile, new TextDecoder().decode(input.fs.read(settings.sslPaths.crlFile)) + crl.pem);
    if (settings.sslPaths.crlDir) put(`${settings.sslPaths.crlDir}/${nameHash(parseCertificate(ca.der).subject)}.r0`, crl.pem);
    put(`${CHECK_DIR}/client.key`, privateKeyPem(caKey), 0o600);
  }
  const fs = overlay(input.fs, files);

  const lines: LineReport[] = [];
  for (const l of hostLines) {
    const report: LineReport = { lineNum: l.lineNum, rawLine: l.rawLine.trim(), verdicts: [] };
    lines.push(report);
    const user = firstName(l.roles, 'postgres');
    const database = firstName(l.databases, 'postgres');
    const address = addressFor(l, hostsTable);
    if (!user || !database || !address) {
      report.skipped = !address
        ? `no address in ${hostsTable.file} resolves to a host name matching "${l.address?.kind === 'hostname' ? l.address.name : ''}" and back (the server's reverse then forward lookup); names it lacks would go to DNS, which pgtls does not query`
        : 'no database/user name that psql could use (replication, @file or +group only)';
      continue;
    }
    report.client = { user, database, address };
    const host = hosts[0] ?? (tls ? certNames(tls.chain[0])[0] : undefined) ?? 'localhost';
    // connect to an address the server listens on (the client's own address is `address`)
    const ipListen = settings.listenAddresses
      .split(',')
      .map((a) => a.trim())
      .find((a) => parseNumericHost(a) && a !== '0.0.0.0' && a !== '::');
    const hostaddr = ipListen ?? (address.includes(':') ? '::1' : '127.0.0.1');
    for (const withCert of [false, true]) {
      if (withCert && !(ca && caKey)) continue;
      if (withCert) {
        const leaf = makeCertificate({
          version: 1,
          subject: [{ CN: user }],
          subjectKey: caKey!,
          issuerCert: ca!,
          issuerKey: caKey!,
          notBefore: new Date(at.getTime() - DAY),
          notAfter: new Date(at.getTime() + 365 * DAY),
        });
        put(`${CHECK_DIR}/client.crt`, leaf.pem);
      }
      for (const sslmode of SSLMODES) {
        // with ssl off the SSLRequest is refused before any root file matters
        if ((sslmode === 'verify-ca' || sslmode === 'verify-full') && !clientRoot && tls) {
          report.verdicts.push({
            sslmode,
            clientCert: withCert,
            result: 'unknown',
            message: 'the root CA of the server certificate is not in the data directory or ssl_ca_file',
          });
          continue;
        }
        const conninfo = [
          `host=${quote(host)} hostaddr=${hostaddr} port=${settings.port}`,
          `dbname=${quote(database)} user=${quote(user)} sslmode=${sslmode}`,
          `sslrootcert=${clientRoot ? `${CHECK_DIR}/root.crt` : `${CHECK_DIR}/none`} sslcrl=${CHECK_DIR}/none sslcrldir=${CHECK_DIR}/none`,
          withCert
            ? `sslcert=${CHECK_DIR}/client.crt sslkey=${CHECK_DIR}/client.key`
            : `sslcert=${CHECK_DIR}/none sslkey=${CHECK_DIR}/none`,
        ].join(' ');
        const r = simulate({
          ...base,
          fs,
          conninfo,
          clientAddr: address,
          clientUser: CLIENT_ID,
          env: { HOME: CHECK_DIR },
          hosts: hostsTable,
        });
        const accepted = r.ok ? acceptedLine(r.steps) : undefined;
        report.verdicts.push({
          sslmode,
          clientCert: withCert,
          result: r.ok ? 'connects' : 'fails',
          ...(accepted ? { acceptedBy: accepted } : {}),
          // every attempt's message (prefer/allow make two), psql's per-attempt prefix dropped
          ...(r.ok
            ? {}
            : {
                message: r.message
                  .split('\n')
                  .map((m) => m.replace(/^connection to server .*? failed: /, ''))
                  .join(' | then: '),
              }),
        });
      }
    }
  }
  // ---- local lines: psql on the server's first Unix socket, as PostmasterMain makes them
  const socket = createServerSockets(socketDirectoriesSetting(server.conf), {
    port: settings.port,
    dataDirectory: settings.dataDirectory || pgdata,
    listenAddresses: settings.listenAddresses,
  }).sockets[0];
  for (const l of localLines) {
    const report: LineReport = { lineNum: l.lineNum, rawLine: l.rawLine.trim(), verdicts: [] };
    lines.push(report);
    const user = firstName(l.roles, 'postgres');
    const database = firstName(l.databases, 'postgres');
    if (!user || !database) {
      report.skipped = 'no database/user name that psql could use (replication, @file or +group only)';
      continue;
    }
    if (!socket) {
      report.skipped = 'the server makes no Unix socket (unix_socket_directories is empty or names no usable directory)';
      continue;
    }
    const conninfo = `host=${quote(socket.host)} port=${settings.port} dbname=${quote(database)} user=${quote(user)}`;
    const r = simulate({ ...base, conninfo, osUser: user, clientUser: CLIENT_ID, env: { HOME: CHECK_DIR } });
    const accepted = r.ok ? acceptedLine(r.steps) : undefined;
    report.client = { user, database, address: '[local]' };
    report.socket = {
      path: socket.path,
      osUser: user,
      result: r.ok ? 'connects' : 'fails',
      ...(accepted ? { acceptedBy: accepted } : {}),
      ...(r.ok ? {} : { message: r.message.replace(/^connection to server .*? failed: /, '') }),
    };
  }
  lines.sort((a, b) => a.lineNum - b.lineNum);
  return { starts: true, ssl: Boolean(tls), clientRoot, hosts, lines, warnings };
}

/** The pg_hba.conf line simulate() says accepted the connection. */
function acceptedLine(steps: { step: string; result: string; detail: string }[]): number | undefined {
  const n = steps
    .filter((s) => s.step === 'authentication' && s.result === 'ok')
    .map((s) => /pg_hba\.conf line (\d+)/.exec(s.detail)?.[1])
    .pop();
  return n ? Number(n) : undefined;
}

function warnCrl(crl: Crl, at: Date, warn: (c: WarningCode, m: string) => void): void {
  const issuer = formatNameOneline(crl.issuer);
  const next = crl.nextUpdate?.ms;
  if (next === undefined || next === null) return;
  if (next < at.getTime())
    warn(
      'crl-expired',
      `the CRL of "${issuer}" expired ${crl.nextUpdate!.text}: OpenSSL rejects every certificate it covers (CRL has expired)`,
    );
  else if (next - at.getTime() < 7 * DAY)
    warn(
      'crl-expiring',
      `the CRL of "${issuer}" expires in ${Math.ceil((next - at.getTime()) / DAY)} day(s) (${crl.nextUpdate!.text}): publish a fresh one`,
    );
}

function quote(v: string): string {
  return /^[^\s'\\]+$/.test(v) ? v : `'${v.replace(/(['\\])/g, '\\$1')}'`;
}
