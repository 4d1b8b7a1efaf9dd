// The concrete change that would make a failing connection work, chosen from what failed.
// Kept as tables (failure kind, OpenSSL reason or verify error -> advice) so each fix sits
// next to the failure it answers and can be tested on its own. Every failure arrives as a
// value with a kind: nothing here reads a message's words. The advice is a value too, a
// list of `{ kind, args }` (fix-kinds.ts), put in words per language by fix-render.ts.

import { commonNames, formatNameOneline, type Certificate } from '../x509/index.js';
import { certInfo, errorName, likelyIssued, parseIpAsc, type SslSecurityFailure } from '../path/index.js';
import type { SslFileSetting, StartupCause } from './server/startup.js';
import type { ReasonKey } from './files.js';
import type { HandshakeOutcome } from './tls-handshake.js';
import type { ClientFileOption, ClientSetupCause, ClientTls } from './client/libpq-ssl.js';
import type { AuthFailure, PasswordRefusal } from './server/connection.js';
import type { HbaAuthMethod } from './config/hba-parse.js';
import { escapePassfileField, type PassKey, type PassLookup, type PassMiss } from './conninfo/passfile.js';
import { advice, type FixAdvice } from './fix-kinds.js';
import { renderFix } from './fix-render.js';

export { FIX_ARGS, FIX_KINDS, type FixAdvice, type FixArg, type FixArgs, type FixKind } from './fix-kinds.js';
export { fixLanguage, renderAdvice, renderFix, type FixLang } from './fix-render.js';

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

/** be_tls_init's file failures, by OpenSSL's reason. */
const START_FILE: Partial<Record<ReasonKey, (c: { setting: SslFileSetting; file: string }) => FixAdvice>> = {
  noFile: ({ setting, file }) => advice('start-no-file', { setting, file }),
  noAccess: ({ setting, file }) => advice(setting === 'ssl_key_file' ? 'start-no-access-key' : 'start-no-access', { file }),
  noStartLine: ({ setting, file }) => advice('start-no-start-line', { file, setting }),
  badBase64: ({ file }) => advice('pem-bad-base64', { file }),
  asn1: ({ file }) => advice('start-asn1', { file }),
  noCertOrCrl: ({ setting, file }) => advice('start-no-cert-or-crl', { file, setting }),
  unsupported: ({ file }) => advice('pem-not-key', { file }),
  processingError: () => advice('start-key-encrypted', {}),
  badDecrypt: () => advice('start-key-bad-passphrase', {}),
  keyMismatch: ({ file }) => advice('start-key-mismatch', { file }),
};

/** The level whose keys the advice names: OpenSSL's levels stop at 5. */
const keysFor = (level: number) => Math.max(0, Math.min(5, level));

/** The level the side's chain was judged at: libpq's for the server's chain, the server's for a client's. */
const verifierLevel = (h: HandshakeOutcome, side: 'server' | 'client') => (side === 'server' ? h.levels.client : h.levels.server);

const START_SECURITY: Record<SslSecurityFailure, (file: string, level: number) => FixAdvice> = {
  'ee-key-too-small': (file, level) => advice('start-ee-key-small', { file, level, keys: keysFor(level) }),
  'ca-key-too-small': (file, level) => advice('start-ca-key-small', { file, level, keys: keysFor(level) }),
  'ca-md-too-weak': (file, level) => advice('md-below-level', { file, level }),
};

const START_CAUSE: { [K in StartupCause['kind']]: (c: Extract<StartupCause, { kind: K }>) => FixAdvice | undefined } = {
  file: (c) => START_FILE[c.why]?.(c),
  'hba-load': () => advice('hba-load', {}),
  'cert-security': (c) => START_SECURITY[c.failure](c.file, c.level),
  'key-not-regular': ({ file }) => advice('key-not-regular', { file }),
  'key-owner': ({ file }) => advice('key-owner', { file }),
  'key-perms': ({ file }) => advice('key-perms', { file }),
  'key-reload-passphrase': () => advice('key-reload-passphrase', {}),
  'protocol-version': () => advice('protocol-version', {}),
  'protocol-range': () => advice('protocol-range', {}),
  ciphers: (c) => advice(c.setting === 'ssl_tls13_ciphers' ? 'tls13-ciphers' : 'ssl-ciphers', {}),
  'ecdh-curve': (c) => advice(c.setting === 'ssl_groups' ? 'ssl-groups' : 'ecdh-curve', {}),
};

function startupFix(c: StartupCause): FixAdvice | undefined {
  return (START_CAUSE[c.kind] as (x: StartupCause) => FixAdvice | undefined)(c);
}

/** libpq's file failures, by OpenSSL's reason. */
const CLIENT_FILE: Partial<Record<ReasonKey, (c: { option: ClientFileOption; file: string }) => FixAdvice>> = {
  noFile: ({ option, file }) => advice('client-no-file', { option, file }),
  noAccess: ({ option, file }) => advice('client-no-access', { file, option }),
  noStartLine: ({ option, file }) => advice('client-no-start-line', { file, option }),
  noCertOrCrl: ({ option, file }) => advice('client-no-start-line', { file, option }),
  badBase64: ({ file }) => advice('pem-bad-base64', { file }),
  asn1: ({ file }) => advice('client-asn1', { file }),
  unsupported: ({ file }) => advice('pem-not-key', { file }),
  processingError: () => advice('client-key-encrypted', {}),
  badDecrypt: () => advice('client-key-bad-passphrase', {}),
  keyMismatch: ({ file }) => advice('client-key-mismatch', { file }),
};

const CLIENT_SECURITY: Record<SslSecurityFailure, (file: string, level: number) => FixAdvice> = {
  'ee-key-too-small': (file, level) => advice('client-ee-key-small', { file, level, keys: keysFor(level) }),
  'ca-key-too-small': (file, level) => advice('client-ca-key-small', { file, level, keys: keysFor(level) }),
  'ca-md-too-weak': (file, level) => advice('md-below-level', { file, level }),
};

const CLIENT_CAUSE: { [K in ClientSetupCause['kind']]: (c: Extract<ClientSetupCause, { kind: K }>) => FixAdvice | undefined } = {
  file: (c) => CLIENT_FILE[c.why]?.(c),
  'root-missing': (c) => (c.file ? advice('root-missing', { file: c.file }) : advice('root-missing-no-home', {})),
  'cert-security': (c) => CLIENT_SECURITY[c.failure](c.file, c.level),
  'key-missing': ({ file }) => advice('client-key-missing', { file }),
  'key-not-regular': ({ file }) => advice('client-key-not-regular', { file }),
  'key-perms': ({ file }) => advice('client-key-perms', { file }),
};

type HandshakeFacts = Extract<FailureFacts, { kind: 'handshake' }>;

/**
 * The client found no issuer for the top of the chain the server sent: an intermediate the
 * server should send (PostgreSQL sends ssl_cert_file whole: leaf first, then intermediates),
 * or a root the client lacks; told apart by the certificates the server side holds.
 */
function missingServerIssuer(f: HandshakeFacts): FixAdvice {
  const h = f.handshake;
  const top = h.serverVerify?.error?.cert ?? h.serverChain[h.serverChain.length - 1];
  const certFile = f.certFile ?? 'server.crt';
  const found = top && f.serverHas?.find((c) => likelyIssued(c.cert, top) === 0);
  if (found && !certInfo(found.cert).selfSigned) {
    return advice('send-intermediate', {
      issuer: formatNameOneline(top!.issuer),
      source: found.source,
      subject: formatNameOneline(top!.subject),
      certFile,
    });
  }
  if (found) return advice('add-root', { issuer: formatNameOneline(top!.issuer), source: found.source });
  return advice('server-ca-missing', { issuer: top ? formatNameOneline(top.issuer) : '', certFile });
}

/** The advice for a failed certificate check, by OpenSSL's verify error and the side whose chain failed. */
const VERIFY: Partial<Record<string, (h: HandshakeOutcome, side: 'server' | 'client', f: HandshakeFacts) => FixAdvice>> = {
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: (h, side, f) =>
    side === 'server' ? missingServerIssuer(f) : advice('client-ca-missing', { issuer: issuerOf(h.clientChain) }),
  UNABLE_TO_GET_ISSUER_CERT: (h, side) =>
    side === 'server'
      ? advice('server-chain-no-root', { issuer: issuerOf(h.serverChain, true) })
      : advice('client-chain-no-root', { issuer: issuerOf(h.clientChain, true) }),
  DEPTH_ZERO_SELF_SIGNED_CERT: (_h, side) => advice(side === 'server' ? 'server-self-signed' : 'client-self-signed', {}),
  SELF_SIGNED_CERT_IN_CHAIN: (_h, side) => advice(side === 'server' ? 'server-root-in-chain' : 'client-root-in-chain', {}),
  CERT_HAS_EXPIRED: (h, side) => {
    const c = (side === 'server' ? h.serverVerify : h.clientVerify)?.error?.cert;
    return c
      ? advice('cert-expired', { side, subject: formatNameOneline(c.subject), notAfter: c.notAfter.text })
      : advice('cert-expired-unknown', { side });
  },
  CERT_NOT_YET_VALID: (_h, side) => advice('cert-not-yet-valid', { side }),
  UNABLE_TO_GET_CRL: (_h, side) => advice(side === 'server' ? 'server-crl-missing' : 'client-crl-missing', {}),
  CERT_REVOKED: (h, side) => {
    const e = (side === 'server' ? h.serverVerify : h.clientVerify)?.error;
    // depth 0 is the leaf; above it a CA is on its issuer's CRL, and so is everything it issued
    if (!e?.cert || e.depth === 0) return advice('cert-revoked', { side });
    return advice('ca-revoked', { subject: formatNameOneline(e.cert.subject), depth: e.depth, side });
  },
  CRL_HAS_EXPIRED: () => advice('crl-expired', {}),
  INVALID_CA: (_h, side) => advice('invalid-ca', { side }),
  PATH_LENGTH_EXCEEDED: () => advice('path-length', {}),
  INVALID_PURPOSE: (_h, side) => advice(side === 'server' ? 'server-purpose' : 'client-purpose', {}),
  CERT_SIGNATURE_FAILURE: (_h, side) => advice('signature-failure', { side }),
  // libpq checks the server's chain at its own level, the server a client's at the server's
  EE_KEY_TOO_SMALL: (h, side) => advice('ee-key-too-small', { side, level: verifierLevel(h, side), keys: keysFor(verifierLevel(h, side)) }),
  CA_KEY_TOO_SMALL: (h, side) => advice('ca-key-too-small', { level: verifierLevel(h, side), keys: keysFor(verifierLevel(h, side)) }),
  CA_MD_TOO_WEAK: (h, side) => advice('ca-md-too-weak', { level: verifierLevel(h, side) }),
};

type AuthFacts = Extract<FailureFacts, { kind: 'auth' }>;

/** The server refused the connection: advice by what it refused. */
const AUTH_FIX: Record<AuthFacts['failure'], (f: AuthFacts) => FixAdvice | undefined> = {
  'no-hba-entry': (f) =>
    f.local
      ? advice('hba-add-local', { database: f.database, user: f.user })
      : advice(f.ssl ? 'hba-add-hostssl' : 'hba-add-host', { database: f.database, user: f.user, address: f.clientAddr }),
  'hba-reject': (f) => advice('hba-reject', { line: f.line ?? '' }),
  'cert-store-missing': () => advice('cert-store-missing', {}),
  'cert-required': () => advice('cert-required', {}),
  'method-failed': (f) => {
    if (f.method === 'peer') {
      const osUser = f.osUser ?? '';
      return f.usermap ? advice('ident-add', { map: f.usermap, osUser, user: f.user }) : advice('peer-mismatch', { osUser, user: f.user });
    }
    if (f.passwordRefused) return PASSWORD_REFUSED[f.passwordRefused](f);
    // cert, or clientcert=verify-full on another method: the certificate's name is not the user
    if (!f.peerCert) return undefined;
    return advice('cert-cn-mismatch', { cn: commonNames(f.peerCert.subject)[0] ?? '', user: f.user });
  },
  'no-password': (f) => {
    const l = f.passfile;
    return (l && !l.found && PASSFILE_MISS[l.reason]?.(l)) || advice('supply-password', {});
  },
  'not-simulated': () => undefined,
  'stat-ssl': () => advice('stat-ssl', {}),
};

/** The .pgpass line that would match this key. */
const passfileLine = (k: PassKey): string => `${[k.host, k.port, k.dbname, k.user].map(escapePassfileField).join(':')}:<password>`;

/** No password from the file: what to do about the file, by why it gave none. */
const PASSFILE_MISS: Partial<Record<PassMiss, (l: Extract<PassLookup, { found: false }>) => FixAdvice>> = {
  'group-world': (l) => advice('passfile-perms', { file: l.file }),
  'not-regular': (l) => advice('passfile-not-regular', { file: l.file }),
  unreadable: (l) => advice('passfile-unreadable', { file: l.file }),
  'no-file': (l) => (l.key ? advice('passfile-create', { file: l.file, line: passfileLine(l.key) }) : advice('supply-password', {})),
  'no-match': (l) => advice('passfile-add', { line: passfileLine(l.key!), file: l.file }),
};

/** The server refused the password: by why. */
const PASSWORD_REFUSED: Record<PasswordRefusal, (f: AuthFacts) => FixAdvice> = {
  mismatch: (f) =>
    f.passfile?.found
      ? advice('password-mismatch-passfile', { file: f.passfile.file, lineNo: f.passfile.lineNo, user: f.user })
      : advice('password-mismatch', { user: f.user }),
  'no-password': (f) => advice('role-no-password', { user: f.user }),
  'no-scram-secret': (f) => advice('role-md5', { user: f.user }),
};

/** The issuer of a chain's first (or last) certificate, '' when the chain is empty. */
function issuerOf(chain: Certificate[], last = false): string {
  const c = last ? chain[chain.length - 1] : chain[0];
  return c ? formatNameOneline(c.issuer) : '';
}

/** Where the server listens, for a host loop that reached nothing. */
function listening(f: Extract<FailureFacts, { kind: 'unreachable' }>): FixAdvice[] {
  const places: FixAdvice[] = [];
  if (f.tcp)
    places.push(
      f.listenAddresses
        ? advice('listen-tcp', { addresses: f.listenAddresses, port: f.port })
        : advice('listen-tcp-none', { port: f.port }),
    );
  if (f.socket)
    places.push(
      f.socketPaths.length
        ? advice(f.socketPaths.length > 1 ? 'listen-sockets' : 'listen-socket', { paths: f.socketPaths, port: f.port })
        : advice('listen-no-socket', {}),
    );
  return places;
}

/** The advice for the failure's facts (empty when pgtls has none). */
export function adviseFix(f: FailureFacts): FixAdvice[] {
  const one = (a: FixAdvice | undefined) => (a ? [a] : []);
  switch (f.kind) {
    case 'server-start':
      return one(f.cause && startupFix(f.cause));
    case 'conninfo':
      return [advice('conninfo', { message: f.message })];
    case 'unreachable':
      return [advice('nothing-listens', { places: listening(f) })];
    case 'local-refused':
      return [f.why === 'requirepeer' ? advice('requirepeer', { serverUser: f.serverOsUser }) : advice('gss-socket', {})];
    case 'ssl-refused':
      return [f.directServer !== undefined ? advice('direct-tls', { version: f.directServer }) : advice('ssl-off', {})];
    case 'client-setup':
      return one((CLIENT_CAUSE[f.cause.kind] as (x: ClientSetupCause) => FixAdvice | undefined)(f.cause));
    case 'handshake': {
      const h = f.handshake;
      const side = h.serverVerify && !h.serverVerify.ok ? 'server' : h.clientVerify && !h.clientVerify.ok ? 'client' : undefined;
      if (h.serverChainRefused) {
        const { level } = h.serverChainRefused;
        return [advice('chain-refused-at-handshake', { level, keys: keysFor(level) })];
      }
      if (!side) return h.tls12 === undefined && h.versionFailure !== undefined ? [advice('tls-versions', {})] : [];
      const code = (side === 'server' ? h.serverVerify : h.clientVerify)!.error!.code;
      return one(VERIFY[errorName(code)]?.(h, side, f));
    }
    case 'host-name': {
      if (!f.cert || !f.host) return [advice('host-give', {})];
      const names = [
        ...(f.cert.ext.subjectAltName?.names.filter((n) => n.type === 'dns').map((n) => (n as { value: string }).value) ?? []),
        ...commonNames(f.cert.subject),
      ];
      // an IP address in host= is matched against iPAddress entries (libpq 14+), never DNS names
      const san = `${parseIpAsc(f.host) ? 'IP' : 'DNS'}:${f.host}`;
      return [names.length ? advice('host-connect-or-san', { name: names[0], san }) : advice('host-san', { san })];
    }
    case 'auth':
      return one((AUTH_FIX[f.failure] as (x: AuthFacts) => FixAdvice | undefined)(f));
  }
}

/** The fix in English (what SimulateResult.fix holds). */
export function suggestFix(f: FailureFacts): string | undefined {
  return renderFix(adviseFix(f), 'en');
}

/** The fix of a failure as the result carries it: the advice items and their English text. */
export function fixOf(f: FailureFacts | undefined): { fix?: string; fixes?: FixAdvice[] } {
  const fixes = f ? adviseFix(f) : [];
  return fixes.length ? { fix: renderFix(fixes, 'en'), fixes } : {};
}
