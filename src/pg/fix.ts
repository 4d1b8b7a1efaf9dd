// The concrete change that would make a failing connection work, chosen from what failed.
// Kept as tables (failure kind, OpenSSL reason or verify error -> advice) so each fix sits
// next to the failure it answers and can be tested on its own. Every failure arrives as a
// value with a kind: nothing here reads a message's words.

import { commonNames, formatNameOneline, type Certificate } from '../x509/index.js';
import { certInfo, errorName, likelyIssued, parseIpAsc, type SslSecurityFailure } from '../path/index.js';
import type { SslFileSetting, StartupCause } from './server/startup.js';
import type { ReasonKey } from './files.js';
import type { HandshakeOutcome } from './tls-handshake.js';
import type { ClientFileOption, ClientSetupCause, ClientTls } from './client/libpq-ssl.js';
import type { AuthFailure, PasswordRefusal } from './server/connection.js';
import type { HbaAuthMethod } from './config/hba-parse.js';
import { escapePassfileField, type PassKey, type PassLookup, type PassMiss } from './conninfo/passfile.js';

export type FailureFacts =
  /** the server did not start: be_tls_init's and load_hba's failures carry their cause; others only their message */
  | { kind: 'server-start'; message: string; cause?: StartupCause }
  | { kind: 'conninfo'; message: string }
  | {
      /** no host of the connection string reaches the server */
      kind: 'unreachable';
      /** a TCP target was refused (another port or address) */
      tcp: boolean;
      /** a Unix socket target found no socket (or its path was too long) */
      socket: boolean;
      listenAddresses: string;
      port: number;
      /** the server's socket paths */
      socketPaths: string[];
    }
  /** libpq gave up on a Unix socket before the startup packet (requirepeer, gssencmode=require) */
  | { kind: 'local-refused'; why: 'requirepeer' | 'gss'; message: string; serverOsUser: string }
  /** directServer: the major of a server before 17 that a direct ClientHello reached */
  | { kind: 'ssl-refused'; directServer?: number }
  | { kind: 'client-setup'; message: string; cause: ClientSetupCause }
  | {
      kind: 'handshake';
      handshake: HandshakeOutcome;
      clientTls: ClientTls;
      /** ssl_cert_file as configured (what the server sends) */
      certFile?: string;
      /** certificates the server side holds but does not send: ssl_ca_file's and the data directory's *.crt/*.pem */
      serverHas?: { cert: Certificate; source: string }[];
    }
  | { kind: 'host-name'; message: string; host?: string; cert?: Certificate }
  | {
      kind: 'auth';
      /** what the server refused (AuthFailure), or the pg_stat_ssl row it could not build after accepting */
      failure: AuthFailure | 'stat-ssl';
      /** the method of the pg_hba line that matched */
      method?: HbaAuthMethod;
      message: string;
      line?: string;
      ssl: boolean;
      user: string;
      database: string;
      clientAddr: string;
      /** the connection came over a Unix socket */
      local?: boolean;
      /** the client's OS user name (what peer authentication saw) */
      osUser?: string;
      /** the map= of the pg_hba line that matched */
      usermap?: string;
      peerCert?: Certificate;
      /** the password file lookup for this host, when libpq made one */
      passfile?: PassLookup;
      /** why the server refused the password the client sent */
      passwordRefused?: PasswordRefusal;
    };

const WHAT: Record<SslFileSetting, string> = {
  ssl_cert_file: 'the server certificate',
  ssl_key_file: "the server's private key",
  ssl_ca_file: 'the CA certificate(s) that issue client certificates',
  ssl_crl_file: 'the CRL(s) of those CAs',
  ssl_crl_dir: 'the CRL(s) of those CAs',
};

/** be_tls_init's file failures, by OpenSSL's reason. */
const START_FILE: Partial<Record<ReasonKey, (c: { setting: SslFileSetting; file: string }) => string>> = {
  noFile: (c) => `put ${WHAT[c.setting]} at ${c.file} (${c.setting}, relative to the data directory)`,
  noAccess: (c) =>
    c.setting === 'ssl_key_file'
      ? `the postgres user cannot read ${c.file}: make it owned by postgres (0600) or readable by its group (0640)`
      : `the postgres user cannot read ${c.file}: make it readable by postgres`,
  noStartLine: (c) => `${c.file} must hold a PEM certificate (-----BEGIN CERTIFICATE-----), leaf first; ${c.setting} must name that file`,
  badBase64: (c) =>
    `a PEM block in ${c.file} has damaged base64 (a character outside A-Z a-z 0-9 + / =, or a cut line): copy the file again from its source`,
  asn1: (c) =>
    `a PEM block in ${c.file} does not hold a certificate OpenSSL can read: export it again (openssl x509 -in <file> -out ${c.file})`,
  noCertOrCrl: (c) => `${c.file} holds no PEM certificate or CRL: ${c.setting} must name a file with ${WHAT[c.setting]}`,
  unsupported: (c) => `${c.file} must hold a PEM private key (-----BEGIN PRIVATE KEY-----)`,
  processingError: () =>
    `the key is encrypted: set ssl_passphrase_command (e.g. 'echo <passphrase>') or store the key unencrypted (openssl pkey -in key -out key.plain)`,
  badDecrypt: () =>
    `the key is encrypted and the passphrase is wrong: fix ssl_passphrase_command, or store the key unencrypted (openssl pkey -in key -out key.plain)`,
  keyMismatch: (c) => `${c.file} does not belong to the first certificate in ssl_cert_file: use the key the certificate was issued for`,
};

/** The keys that meet each security level (minbits 80, 112, 128, 192, 256). */
const KEYS_FOR_LEVEL = [
  'any key',
  'a 1024-bit RSA or P-256 key',
  'a 2048-bit RSA or P-256 key',
  'a 3072-bit RSA or P-256 key',
  'a 7680-bit RSA or P-384 key',
  'a 15360-bit RSA or P-521 key',
];
const keysFor = (level: number) => KEYS_FOR_LEVEL[Math.max(0, Math.min(5, level))];

const START_SECURITY: Record<SslSecurityFailure, (file: string, level: number) => string> = {
  'ee-key-too-small': (file, level) =>
    `the server certificate's key (${file}) is below OpenSSL's security level ${level}: reissue the certificate with ${keysFor(level)}`,
  'ca-key-too-small': (file, level) =>
    `a CA certificate after the leaf in ${file} has a key below security level ${level}: reissue that CA with ${keysFor(level)}, or leave it out of ${file}`,
  'ca-md-too-weak': (file, level) =>
    `a certificate in ${file} is signed with a digest below security level ${level} (SHA-1, MD5): reissue it signed with SHA-256`,
};

const START_CAUSE: { [K in StartupCause['kind']]: (c: Extract<StartupCause, { kind: K }>) => string | undefined } = {
  file: (c) => START_FILE[c.why]?.(c),
  'hba-load': () => `fix the pg_hba.conf lines the server log names`,
  'cert-security': (c) => START_SECURITY[c.failure](c.file, c.level),
  'key-not-regular': (c) => `${c.file} is not a regular file: point ssl_key_file at the key file`,
  'key-owner': (c) => `chown postgres ${c.file} (or root, with mode 0640)`,
  'key-perms': (c) => `chmod 0600 ${c.file} (owner postgres), or 0640 owned by root with group postgres`,
  'key-reload-passphrase': () =>
    `the key needs a passphrase, which a reload does not ask for: set ssl_passphrase_command_supports_reload = on, or restart the server`,
  'protocol-version': () => `ssl_min/max_protocol_version take TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3`,
  'protocol-range': () => `make ssl_min_protocol_version <= ssl_max_protocol_version`,
  ciphers: (c) =>
    c.setting === 'ssl_tls13_ciphers'
      ? `ssl_tls13_ciphers names no TLS 1.3 suite: leave it empty, or list suites such as TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256`
      : `ssl_ciphers selects no cipher: use the default, HIGH:MEDIUM:+3DES:!aNULL`,
  'ecdh-curve': (c) =>
    c.setting === 'ssl_groups'
      ? `ssl_groups takes a colon list of OpenSSL group names, each once: the default is X25519:prime256v1`
      : `ssl_ecdh_curve takes an OpenSSL curve short name: prime256v1, secp384r1 or secp521r1`,
};

function startupFix(c: StartupCause): string | undefined {
  return (START_CAUSE[c.kind] as (x: StartupCause) => string | undefined)(c);
}

const CLIENT_OPTION: Record<ClientFileOption, string> = {
  sslrootcert: 'the root certificate file (sslrootcert)',
  sslcert: 'the client certificate (sslcert)',
  sslkey: 'the client key (sslkey)',
};

/** libpq's file failures, by OpenSSL's reason. */
const CLIENT_FILE: Partial<Record<ReasonKey, (c: { option: ClientFileOption; file: string }) => string>> = {
  noFile: (c) => `put ${CLIENT_OPTION[c.option]} at ${c.file}`,
  noAccess: (c) => `the client cannot read ${c.file} (${CLIENT_OPTION[c.option]}): make it readable by the user running psql`,
  noStartLine: (c) => `${c.file} must hold PEM certificates (-----BEGIN CERTIFICATE-----); ${c.option} must name that file`,
  noCertOrCrl: (c) => `${c.file} must hold PEM certificates (-----BEGIN CERTIFICATE-----); ${c.option} must name that file`,
  badBase64: (c) =>
    `a PEM block in ${c.file} has damaged base64 (a character outside A-Z a-z 0-9 + / =, or a cut line): copy the file again from its source`,
  asn1: (c) => `a PEM block in ${c.file} does not hold a certificate OpenSSL can read: export it again`,
  unsupported: (c) => `${c.file} must hold a PEM private key (-----BEGIN PRIVATE KEY-----)`,
  processingError: () => `the client key is encrypted: pass sslpassword=<passphrase>`,
  badDecrypt: () => `the client key is encrypted and sslpassword is not its passphrase: pass the right sslpassword`,
  keyMismatch: (c) => `${c.file} is not the key of the client certificate: point sslkey at the matching key`,
};

const CLIENT_CAUSE: { [K in ClientSetupCause['kind']]: (c: Extract<ClientSetupCause, { kind: K }>) => string | undefined } = {
  file: (c) => CLIENT_FILE[c.why]?.(c),
  'root-missing': (c) =>
    c.file
      ? `give the client the CA certificate that issued the server certificate: copy it to ${c.file} or point sslrootcert at it`
      : 'give the client the CA certificate that issued the server certificate: point sslrootcert at it (libpq found no home directory for ~/.postgresql/root.crt)',
  'cert-security': (c) =>
    c.failure === 'ee-key-too-small'
      ? `the client certificate's key (${c.file}) is below OpenSSL's security level ${c.level}: reissue it with ${keysFor(c.level)}`
      : c.failure === 'ca-key-too-small'
        ? `a CA certificate after the client certificate in ${c.file} has a key below security level ${c.level}: reissue that CA with ${keysFor(c.level)}, or leave it out of ${c.file}`
        : `a certificate in ${c.file} is signed with a digest below security level ${c.level} (SHA-1, MD5): reissue it signed with SHA-256`,
  'key-missing': (c) => `put the client key at ${c.file} or set sslkey`,
  'key-not-regular': (c) => `${c.file} is not a regular file: point sslkey at the client key file`,
  'key-perms': (c) => `chmod 0600 ${c.file}`,
};

type HandshakeFacts = Extract<FailureFacts, { kind: 'handshake' }>;

/**
 * The client found no issuer for the top of the chain the server sent: an intermediate the
 * server should send (PostgreSQL sends ssl_cert_file whole: leaf first, then intermediates),
 * or a root the client lacks; told apart by the certificates the server side holds.
 */
function missingServerIssuer(f: HandshakeFacts): string {
  const h = f.handshake;
  const top = h.serverVerify?.error?.cert ?? h.serverChain[h.serverChain.length - 1];
  const certFile = f.certFile ?? 'server.crt';
  const issuer = top ? `"${formatNameOneline(top.issuer)}"` : 'unknown';
  const found = top && f.serverHas?.find((c) => likelyIssued(c.cert, top) === 0);
  if (found && !certInfo(found.cert).selfSigned) {
    return `the server does not send the intermediate ${issuer} (in ${found.source}) that issued "${formatNameOneline(top!.subject)}": append it to ${certFile} after the leaf (the server sends that file whole, leaf first, then the intermediates); or else add it to the client's sslrootcert`;
  }
  if (found) return `the client's sslrootcert does not hold the root ${issuer} (in ${found.source}): add it to sslrootcert`;
  return `the client's root certificate file does not hold the CA that issued the server certificate (issuer ${issuer}): if that CA is an intermediate, append it to ${certFile} after the leaf so the server sends it; if it is the root, add it to sslrootcert`;
}

const VERIFY: Partial<Record<string, (h: HandshakeOutcome, side: 'server' | 'client', f: HandshakeFacts) => string>> = {
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: (h, side, f) =>
    side === 'server'
      ? missingServerIssuer(f)
      : `ssl_ca_file does not hold the CA that issued the client certificate (issuer ${issuerOf(h.clientChain)}): add that CA to ssl_ca_file`,
  UNABLE_TO_GET_ISSUER_CERT: (h, side) =>
    side === 'server'
      ? `the chain stops at an intermediate: put the root CA (issuer ${issuerOf(h.serverChain, true)}) in the client's sslrootcert; a trust store holding only an intermediate is not enough`
      : `add the client CA's root (issuer ${issuerOf(h.clientChain, true)}) to ssl_ca_file`,
  DEPTH_ZERO_SELF_SIGNED_CERT: (_h, side) =>
    side === 'server'
      ? `the server certificate is self-signed: copy server.crt to the client and use it as sslrootcert`
      : `add the self-signed client certificate to ssl_ca_file`,
  SELF_SIGNED_CERT_IN_CHAIN: (_h, side) =>
    side === 'server' ? `put the root CA the server sends in the client's sslrootcert` : `put the client's root CA in ssl_ca_file`,
  CERT_HAS_EXPIRED: (h, side) => `renew the expired ${side} certificate (${expired(side === 'server' ? h.serverVerify : h.clientVerify)})`,
  CERT_NOT_YET_VALID: (_h, side) => `the ${side} certificate is not valid yet: check the clocks or reissue it with an earlier notBefore`,
  UNABLE_TO_GET_CRL: (_h, side) =>
    side === 'server'
      ? `with a CRL configured, every CA in the chain needs a CRL (CRL_CHECK_ALL): add the missing CA's CRL to sslcrl/sslcrldir, or remove the CRL setting`
      : `with ssl_crl_file/ssl_crl_dir set, every CA in the client chain needs a CRL: add the missing CRL (e.g. the root's) to ssl_crl_file`,
  CERT_REVOKED: (h, side) => {
    const e = (side === 'server' ? h.serverVerify : h.clientVerify)?.error;
    // depth 0 is the leaf; above it a CA is on its issuer's CRL, and so is everything it issued
    if (!e?.cert || e.depth === 0) return `the ${side} certificate is revoked: issue a new one`;
    return `the CA "${formatNameOneline(e.cert.subject)}" (depth ${e.depth} of the ${side} chain) is revoked by its issuer's CRL: every certificate it issued is refused with it; issue a new CA and reissue the ${side} certificate under it`;
  },
  CRL_HAS_EXPIRED: () => `publish a fresh CRL (its nextUpdate has passed)`,
  INVALID_CA: (_h, side) =>
    `an intermediate in the ${side} chain is not a CA: reissue it with basicConstraints CA:TRUE (openssl's v3_ca section)`,
  PATH_LENGTH_EXCEEDED: () =>
    `a CA's pathLenConstraint is too small for this chain: reissue that CA with a larger pathlen or shorten the chain`,
  INVALID_PURPOSE: (_h, side) =>
    side === 'server'
      ? `the server certificate's extendedKeyUsage/keyUsage does not allow TLS server use: reissue with EKU serverAuth`
      : `the client certificate's extendedKeyUsage does not allow clientAuth: reissue it`,
  CERT_SIGNATURE_FAILURE: (_h, side) =>
    `a signature in the ${side} chain does not verify: the certificate was not issued by the CA it names; reissue it`,
  EE_KEY_TOO_SMALL: (_h, side) =>
    `the ${side} certificate's key is below security level 2 (RSA < 2048 bits): reissue with a 2048-bit or larger key`,
  CA_KEY_TOO_SMALL: () => `a CA key is below security level 2: reissue the CA with a 2048-bit or larger key`,
  CA_MD_TOO_WEAK: () => `a certificate is signed with SHA-1 or MD5, refused at security level 2: reissue it with SHA-256`,
};

type AuthFacts = Extract<FailureFacts, { kind: 'auth' }>;

/** The server refused the connection: advice by what it refused. */
const AUTH_FIX: Record<AuthFacts['failure'], (f: AuthFacts) => string | undefined> = {
  'no-hba-entry': (f) =>
    f.local
      ? `add a line to pg_hba.conf: local ${f.database} ${f.user} <method> (a Unix-socket connection matches only "local" lines; host and hostssl lines are for TCP, which host=<name or address> would use)`
      : `add a line to pg_hba.conf: ${f.ssl ? 'hostssl' : 'host'} ${f.database} ${f.user} ${f.clientAddr}/32 <method>${f.ssl ? '' : ' (or connect with SSL, if a hostssl line exists)'}`,
  'hba-reject': (f) => `the matching pg_hba.conf line is "reject": add an accepting line above it (${f.line ?? ''})`,
  'cert-store-missing': () => 'set ssl_ca_file in postgresql.conf to the CA that issues client certificates',
  'cert-required': () => 'give the client a certificate issued by a CA in ssl_ca_file (sslcert=..., sslkey=...)',
  'method-failed': (f) => {
    if (f.method === 'peer') {
      const os = f.osUser ?? '';
      return f.usermap
        ? `add the line "${f.usermap} ${os} ${f.user}" to pg_ident.conf (map ${f.usermap} has no entry for the OS user "${os}" as role "${f.user}")`
        : `peer authentication lets the OS user "${os}" in only as role "${os}": connect with user=${os}, run psql as the OS user "${f.user}", or map it (map=m on the pg_hba.conf line, "m ${os} ${f.user}" in pg_ident.conf)`;
    }
    if (f.passwordRefused) return PASSWORD_REFUSED[f.passwordRefused](f);
    // cert, or clientcert=verify-full on another method: the certificate's name is not the user
    if (!f.peerCert) return undefined;
    const cn = commonNames(f.peerCert.subject)[0] ?? '';
    return `the client certificate's CN is "${cn}" but the user is "${f.user}": connect as user=${cn}, issue a certificate with CN=${f.user}, or add a pg_ident.conf map (map=...)`;
  },
  'no-password': (f) => {
    const l = f.passfile;
    return (l && !l.found && PASSFILE_MISS[l.reason]?.(l)) || 'supply a password (PGPASSWORD, ~/.pgpass or password=...)';
  },
  'not-simulated': () => undefined,
  'stat-ssl': () =>
    'reissue the client certificate without the name attribute OpenSSL has no name for (its subject or issuer): PostgreSQL 15 cannot show that name in pg_stat_ssl and ends the session',
};

/** The .pgpass line that would match this key. */
const passfileLine = (k: PassKey): string => `${[k.host, k.port, k.dbname, k.user].map(escapePassfileField).join(':')}:<password>`;
const GIVE = 'or give the password (PGPASSWORD, password=)';

/** No password from the file: what to do about the file, by why it gave none. */
const PASSFILE_MISS: Partial<Record<PassMiss, (l: Extract<PassLookup, { found: false }>) => string>> = {
  'group-world': (l) => `chmod 0600 ${l.file} (libpq ignores a password file that group or others can access)`,
  'not-regular': (l) => `${l.file} is not a regular file: point passfile= or PGPASSFILE at the password file, ${GIVE}`,
  unreadable: (l) => `the client cannot read ${l.file}: make it the client user's own, mode 0600`,
  'no-file': (l) =>
    l.key
      ? `create ${l.file} (mode 0600) with the line "${passfileLine(l.key)}", ${GIVE}`
      : `supply a password (PGPASSWORD, ~/.pgpass or password=...)`,
  'no-match': (l) => `add a line "${passfileLine(l.key!)}" to ${l.file} (mode 0600), ${GIVE}`,
};

/** The server refused the password: by why. */
const PASSWORD_REFUSED: Record<PasswordRefusal, (f: Extract<FailureFacts, { kind: 'auth' }>) => string> = {
  mismatch: (f) =>
    f.passfile?.found
      ? `${f.passfile.file} line ${f.passfile.lineNo} has a password the server refuses for "${f.user}": correct that line (or the role's password: ALTER ROLE ... PASSWORD)`
      : `the server refuses the password given for "${f.user}": give the role's password (or set it: ALTER ROLE ... PASSWORD)`,
  'no-password': (f) => `role "${f.user}" has no password: set one (ALTER ROLE "${f.user}" PASSWORD '...')`,
  'no-scram-secret': (f) =>
    `role "${f.user}" has an MD5 password and the pg_hba.conf line wants scram-sha-256: set the password again with password_encryption = 'scram-sha-256' (ALTER ROLE "${f.user}" PASSWORD '...'), or use md5 on that line`,
};

function issuerOf(chain: Certificate[], last = false): string {
  const c = last ? chain[chain.length - 1] : chain[0];
  return c ? `"${formatNameOneline(c.issuer)}"` : 'unknown';
}

function expired(v: HandshakeOutcome['serverVerify']): string {
  const c = v?.error?.cert;
  return c ? `"${formatNameOneline(c.subject)}" expired ${c.notAfter.text}` : 'notAfter has passed';
}

export function suggestFix(f: FailureFacts): string | undefined {
  switch (f.kind) {
    case 'server-start':
      return f.cause && startupFix(f.cause);
    case 'conninfo':
      return `correct the connection string: ${f.message}`;
    case 'unreachable': {
      const where = [
        f.tcp ? `${f.listenAddresses || '(no TCP address)'} port ${f.port}` : undefined,
        f.socket
          ? f.socketPaths.length
            ? `the Unix socket${f.socketPaths.length > 1 ? 's' : ''} ${f.socketPaths.join(', ')} (connect with host=<that directory> port=${f.port})`
            : 'no Unix socket (unix_socket_directories is empty)'
          : undefined,
      ].filter(Boolean);
      return `nothing listens there: the server listens on ${where.join(', and on ')}`;
    }
    case 'local-refused':
      return f.why === 'requirepeer'
        ? `the server runs as the OS user "${f.serverOsUser}": set requirepeer=${f.serverOsUser}, or leave requirepeer out`
        : 'GSSAPI encryption cannot run over a Unix socket: use gssencmode=prefer or disable, or connect over TCP (host=<name or address>)';
    case 'ssl-refused':
      if (f.directServer !== undefined)
        return `PostgreSQL ${f.directServer} does not speak direct TLS (17+): leave out sslnegotiation=direct (the default, postgres, sends an SSLRequest first)`;
      return 'set ssl = on (with ssl_cert_file and ssl_key_file) in postgresql.conf, or use a weaker sslmode';
    case 'client-setup':
      return (CLIENT_CAUSE[f.cause.kind] as (x: ClientSetupCause) => string | undefined)(f.cause);
    case 'handshake': {
      const h = f.handshake;
      const side = h.serverVerify && !h.serverVerify.ok ? 'server' : h.clientVerify && !h.clientVerify.ok ? 'client' : undefined;
      if (!side)
        return h.tls12 === undefined && h.versionFailure !== undefined
          ? 'make the client and server TLS version ranges overlap (ssl_min/max_protocol_version)'
          : undefined;
      const code = (side === 'server' ? h.serverVerify : h.clientVerify)!.error!.code;
      return VERIFY[errorName(code)]?.(h, side, f);
    }
    case 'host-name': {
      if (!f.cert || !f.host) return 'give a host name to verify against (host=...)';
      const names = [
        ...(f.cert.ext.subjectAltName?.names.filter((n) => n.type === 'dns').map((n) => (n as { value: string }).value) ?? []),
        ...commonNames(f.cert.subject),
      ];
      // an IP address in host= is matched against iPAddress entries (libpq 14+), never DNS names
      const san = `${parseIpAsc(f.host) ? 'IP' : 'DNS'}:${f.host}`;
      return names.length
        ? `connect with host=${names[0]} (a name in the certificate), or reissue the server certificate with subjectAltName ${san}`
        : `reissue the server certificate with subjectAltName ${san}`;
    }
    case 'auth':
      return (AUTH_FIX[f.failure] as (x: AuthFacts) => string | undefined)(f);
  }
}
