// The values simulate()'s phases hand each other: a step of the story (SimStep), the
// settings of one run every phase reads (Run), the languages messages are printed in, the
// connection libpq settled on (Connection), and how a phase ends (PhaseEnd). Phases take
// these and return new values; none keeps state between calls.

import type { OpensslVersion, TraceEntry } from '../../tls13/index.js';
import type { Certificate } from '../../x509/index.js';
import type { AttemptKind, AttemptOutcome, FailureStage } from '../client/ladder.js';
import type { ConnTarget, ResolvedConninfo, SslMode } from '../conninfo/resolve.js';
import type { NameResolver } from '../config/hosts.js';
import type { FailureFacts } from '../fix.js';
import type { ProcessIdentity } from '../fs.js';
import type { LogLine } from '../log.js';
import type { MessageFormatter } from '../messages.js';
import type { ServerState } from '../server/postmaster.js';
import type { RolePassword } from '../server/connection.js';
import type { PgStatSslRow } from '../server/stat-ssl.js';
import type { HandshakeOutcome } from '../tls-handshake.js';
import type { SimulateInput } from '../simulate.js';

export interface SimStep {
  /** server-start, ssl-request, client-ssl-setup, tls-handshake, host-name, startup-packet, authentication... */
  step: string;
  who: 'server' | 'client' | 'both';
  attempt?: number;
  result: 'ok' | 'fail' | 'info' | 'skip';
  detail: string;
}

export interface AttemptReport {
  kind: AttemptKind;
  ok: boolean;
  stage?: AttemptOutcome['stage'];
  message?: string;
  handshake?: HandshakeOutcome;
}

/** The input with its defaults applied: what every phase of one simulate() call reads. */
export interface Run {
  input: SimulateInput;
  /** the server's major */
  pgVersion: number;
  /** the client's libpq major (default: the server's) */
  libpqVersion: number;
  at: Date;
  opensslVersion: OpensslVersion;
  securityLevel: number;
  pgWrapper: boolean;
  /** the client's OS user name */
  osUser: string;
  clientUser: ProcessIdentity;
  /** the address a host name resolves to */
  serverAddr: string;
  /** the client's address as the server sees it */
  clientAddr: string;
  /** the server process's OS user name (requirepeer) */
  serverOsUser: string;
}

/**
 * The formatters of one run: the client's language (psql, libpq) and the server's (its log
 * and the FATALs it sends), each `fmt` (English) without catalogs. Steps are English; fixes are
 * values (fix-kinds.ts), put in words per language by renderFix.
 */
export interface Languages {
  client: MessageFormatter;
  server: MessageFormatter;
}

/** A target libpq reached, with what the attempts on it share. */
export interface Connection {
  run: Run;
  lang: Languages;
  server: ServerState;
  conn: ResolvedConninfo;
  target: ConnTarget;
  /** over a Unix socket: no SSLRequest, whatever the sslmode */
  local: boolean;
  /** the sslmode the ladder follows (disable over a Unix socket) */
  sslmode: SslMode;
  /** the server's host-name lookups */
  resolver: NameResolver;
  /** the password libpq would send: the file's for this host, else password=/PGPASSWORD */
  password?: string;
  rolePassword?: RolePassword;
  /** pgpassfileWarning's line after a 28P01 when the password came from the file (client language) */
  retrieved: string;
}

/** How an attempt phase failed: the ladder's stage, libpq's message (client language), what the fix reads. */
export interface PhaseFailure {
  stage: FailureStage;
  message?: string;
  facts?: FailureFacts;
}

/** What one phase adds to the story, and its failure if it ends the attempt. */
export interface PhaseEnd {
  steps: SimStep[];
  log: LogLine[];
  failure?: PhaseFailure;
  /** what libpq prints on stderr itself along the way (18's key-log warnings), in the client's language */
  warnings?: string[];
}

/** One attempt of the ladder, as a value. */
export interface AttemptRun {
  outcome: AttemptOutcome;
  report: AttemptReport;
  steps: SimStep[];
  log: LogLine[];
  facts?: FailureFacts;
  /** the TLS trace, when a handshake ran */
  trace?: TraceEntry[];
  /** OpenSSL's pass phrase prompts libpq's key loading printed */
  prompts?: string;
  /** libpq's own warnings on stderr during the attempt */
  warnings: string[];
  /** the pg_stat_ssl row, when the attempt connected */
  statRow?: PgStatSslRow;
  /** after an 'N' answer libpq goes on in plaintext on the same socket: no new connection */
  sameSocketNext?: boolean;
}

/** The transport an attempt settled before the startup packet. */
export interface Transport {
  ssl: boolean;
  /** the client certificate the server verified */
  peerCert?: Certificate;
  /** libpq sent a client certificate the server asked for (sslcertmode=require) */
  certSent: boolean;
  tlsInfo?: { protocol: string; cipher: string; bits: number };
}
