// The client and server state machines of RFC 8446 (§2, Appendix A) as data: the states,
// the message each state accepts, the step function that processes it (named after the RFC
// step), the RFC section it implements, the states it may lead to, and the alerts a failure
// of that step sends. The connection dispatches through this table: a message a state does
// not list is unexpected_message (§4, §6.2); the step's trace entry takes its name, section
// and message from the row; the types derived here give each step its input state, its
// message and its possible next states, so a step that goes elsewhere does not compile.
// `describeMachine` and `machineToMermaid` export the same table for traces and diagrams;
// test/tls13/alert-table.test.ts drives every step into each of its alerts.
//
// `alerts` lists what a failure of the step sends: the step's own refusals and the errors
// of decoding its message (decode_error; illegal_parameter where the codec says so, e.g. a
// duplicated extension). `verifierAlert` steps also send whatever alert `verifyPeerChain`
// returns for the peer's chain. Common to every state, and so in no row: unexpected_message
// for a message the state does not accept, for handshake data after a key change in the
// same record (§5.1) and for a misplaced change_cipher_spec; the record layer's alerts.

import type { AlertName } from '../alerts.js';
import type { HandshakeMessage, MessageKind } from '../codec/messages.js';
import type { Refusal } from '../errors.js';
import type { Role, StepTrace } from '../trace.js';

export interface Transition<S extends string = string> {
  readonly from: S;
  /** the message received, or `api:<call>` for transitions the application triggers */
  readonly on: MessageKind | `api:${string}`;
  readonly step: string;
  readonly to: readonly S[];
  /** RFC 8446 section the step implements (its trace entry cites it) */
  readonly rfc: string;
  readonly alerts: readonly AlertName[];
  /** the step also sends the alert `verifyPeerChain` returns */
  readonly verifierAlert?: true;
}

export interface StateInfo<S extends string = string> {
  readonly name: S;
  readonly description: string;
}

const CLIENT_STATES = [
  { name: 'Start', description: 'nothing sent yet' },
  { name: 'ExpectServerHello', description: 'ClientHello sent; waiting for ServerHello or HelloRetryRequest' },
  { name: 'ExpectServerHelloAfterHrr', description: 'second ClientHello sent after a HelloRetryRequest' },
  { name: 'ExpectEncryptedExtensions', description: 'handshake keys installed; waiting for EncryptedExtensions' },
  { name: 'ExpectCertificateRequestOrCertificate', description: 'waiting for CertificateRequest or the server Certificate' },
  { name: 'ExpectCertificate', description: 'client authentication requested; waiting for the server Certificate' },
  { name: 'ExpectCertificateVerify', description: 'waiting for the server CertificateVerify' },
  { name: 'ExpectFinished', description: 'waiting for the server Finished' },
  { name: 'Connected', description: 'handshake complete; application data flows' },
  { name: 'NegotiatedTls12', description: 'the server chose TLS 1.2, which pgtls leaves to the simulator' },
  { name: 'Closed', description: 'closed by close_notify or a fatal alert' },
] as const satisfies readonly StateInfo[];

const SERVER_STATES = [
  { name: 'ExpectClientHello', description: 'waiting for the first ClientHello' },
  { name: 'ExpectClientHelloAfterHrr', description: 'HelloRetryRequest sent; waiting for the second ClientHello' },
  { name: 'ExpectClientCertificate', description: 'server flight sent with a CertificateRequest; waiting for the client Certificate' },
  { name: 'ExpectClientCertificateVerify', description: 'waiting for the client CertificateVerify' },
  { name: 'ExpectClientFinished', description: 'waiting for the client Finished' },
  { name: 'Connected', description: 'handshake complete; application data flows' },
  { name: 'NegotiatedTls12', description: 'the client offered only TLS 1.2, which pgtls leaves to the simulator' },
  { name: 'Closed', description: 'closed by close_notify or a fatal alert' },
] as const satisfies readonly StateInfo[];

export type ClientStateName = (typeof CLIENT_STATES)[number]['name'];
export type ServerStateName = (typeof SERVER_STATES)[number]['name'];

const SERVER_HELLO_ALERTS = [
  'protocol_version',
  'illegal_parameter',
  'unsupported_extension',
  'missing_extension',
  'decode_error',
] as const;
const CERTIFICATE_ALERTS = ['decode_error', 'illegal_parameter', 'unsupported_extension', 'bad_certificate'] as const;

const CLIENT_TRANSITIONS = [
  { from: 'Start', on: 'api:start', step: 'sendClientHello', to: ['ExpectServerHello'], rfc: '4.1.2', alerts: [] },
  {
    from: 'ExpectServerHello',
    on: 'server_hello',
    step: 'processServerHello',
    to: ['ExpectEncryptedExtensions', 'NegotiatedTls12'],
    rfc: '4.1.3',
    alerts: SERVER_HELLO_ALERTS,
  },
  {
    from: 'ExpectServerHello',
    on: 'hello_retry_request',
    step: 'processHelloRetryRequest',
    to: ['ExpectServerHelloAfterHrr'],
    rfc: '4.1.4',
    alerts: ['illegal_parameter', 'unsupported_extension', 'internal_error', 'decode_error'],
  },
  {
    from: 'ExpectServerHelloAfterHrr',
    on: 'server_hello',
    step: 'processServerHello',
    to: ['ExpectEncryptedExtensions'],
    rfc: '4.1.3',
    alerts: SERVER_HELLO_ALERTS,
  },
  {
    from: 'ExpectEncryptedExtensions',
    on: 'encrypted_extensions',
    step: 'processEncryptedExtensions',
    to: ['ExpectCertificateRequestOrCertificate'],
    rfc: '4.3.1',
    alerts: ['illegal_parameter', 'unsupported_extension', 'decode_error'],
  },
  {
    from: 'ExpectCertificateRequestOrCertificate',
    on: 'certificate_request',
    step: 'processCertificateRequest',
    to: ['ExpectCertificate'],
    rfc: '4.3.2',
    alerts: ['illegal_parameter', 'missing_extension', 'decode_error'],
  },
  {
    from: 'ExpectCertificateRequestOrCertificate',
    on: 'certificate',
    step: 'readServerCertificate',
    to: ['ExpectCertificateVerify'],
    rfc: '4.4.2',
    alerts: CERTIFICATE_ALERTS,
    verifierAlert: true,
  },
  {
    from: 'ExpectCertificate',
    on: 'certificate',
    step: 'readServerCertificate',
    to: ['ExpectCertificateVerify'],
    rfc: '4.4.2',
    alerts: CERTIFICATE_ALERTS,
    verifierAlert: true,
  },
  {
    from: 'ExpectCertificateVerify',
    on: 'certificate_verify',
    step: 'verifyServerSignature',
    to: ['ExpectFinished'],
    rfc: '4.4.3',
    alerts: ['illegal_parameter', 'decrypt_error', 'decode_error'],
  },
  { from: 'ExpectFinished', on: 'finished', step: 'processServerFinished', to: ['Connected'], rfc: '4.4.4', alerts: ['decrypt_error'] },
  {
    from: 'Connected',
    on: 'new_session_ticket',
    step: 'processNewSessionTicket',
    to: ['Connected'],
    rfc: '4.6.1',
    alerts: ['illegal_parameter', 'decode_error'],
  },
  {
    from: 'Connected',
    on: 'key_update',
    step: 'processKeyUpdate',
    to: ['Connected'],
    rfc: '4.6.3',
    alerts: ['illegal_parameter', 'decode_error'],
  },
  { from: 'Connected', on: 'api:keyUpdate', step: 'sendKeyUpdate', to: ['Connected'], rfc: '4.6.3', alerts: [] },
] as const satisfies readonly Transition<ClientStateName>[];

const SERVER_TRANSITIONS = [
  {
    from: 'ExpectClientHello',
    on: 'client_hello',
    step: 'processClientHello',
    to: ['ExpectClientHelloAfterHrr', 'ExpectClientCertificate', 'ExpectClientFinished', 'NegotiatedTls12'],
    rfc: '4.1.2',
    alerts: [
      'protocol_version',
      'illegal_parameter',
      'missing_extension',
      'handshake_failure',
      'no_application_protocol',
      'internal_error',
      'decode_error',
    ],
  },
  {
    from: 'ExpectClientHelloAfterHrr',
    on: 'client_hello',
    step: 'processClientHelloAfterHrr',
    to: ['ExpectClientCertificate', 'ExpectClientFinished'],
    rfc: '4.1.4',
    alerts: ['illegal_parameter', 'missing_extension', 'handshake_failure', 'no_application_protocol', 'decode_error'],
  },
  {
    from: 'ExpectClientCertificate',
    on: 'certificate',
    step: 'readClientCertificate',
    to: ['ExpectClientCertificateVerify', 'ExpectClientFinished'],
    rfc: '4.4.2',
    alerts: ['certificate_required', 'bad_certificate', 'illegal_parameter', 'unsupported_extension', 'decode_error'],
    verifierAlert: true,
  },
  {
    from: 'ExpectClientCertificateVerify',
    on: 'certificate_verify',
    step: 'verifyClientSignature',
    to: ['ExpectClientFinished'],
    rfc: '4.4.3',
    alerts: ['illegal_parameter', 'decrypt_error', 'decode_error'],
  },
  {
    from: 'ExpectClientFinished',
    on: 'finished',
    step: 'processClientFinished',
    to: ['Connected'],
    rfc: '4.4.4',
    alerts: ['decrypt_error'],
  },
  {
    from: 'Connected',
    on: 'key_update',
    step: 'processKeyUpdate',
    to: ['Connected'],
    rfc: '4.6.3',
    alerts: ['illegal_parameter', 'decode_error'],
  },
  { from: 'Connected', on: 'api:keyUpdate', step: 'sendKeyUpdate', to: ['Connected'], rfc: '4.6.3', alerts: [] },
  { from: 'Connected', on: 'api:sendNewSessionTicket', step: 'sendNewSessionTicket', to: ['Connected'], rfc: '4.6.1', alerts: [] },
] as const satisfies readonly Transition<ServerStateName>[];

export type ClientTransition = (typeof CLIENT_TRANSITIONS)[number];
export type ServerTransition = (typeof SERVER_TRANSITIONS)[number];

type RowsOf<R extends Transition, K> = Extract<R, { step: K }>;
/** The steps that receive a message (the rest are started by the application). */
type ReceiveStep<R extends Transition> = Extract<R, { on: MessageKind }>['step'];

/**
 * One function per receiving step of `R`, keyed by the step's name: it gets a state the
 * step's rows start from, narrowed to that state's shape, and the message they accept,
 * narrowed to its type, and returns one of the states the rows lead to, or a Refusal.
 */
export type StepHandlers<R extends Transition, S extends { readonly name: string }> = {
  readonly [K in ReceiveStep<R>]: (
    state: Extract<S, { name: RowsOf<R, K>['from'] }>,
    msg: Extract<HandshakeMessage, { type: RowsOf<R, K>['on'] }>,
    raw: Uint8Array,
    t: StepTrace,
  ) => Extract<S, { name: RowsOf<R, K>['to'][number] }> | Refusal;
};

/**
 * Run the handler of `row`. The caller has checked that `state` is in `row.from` and `msg`
 * is of kind `row.on`, which is what the handler's types promise; this is the one place the
 * runtime row meets the handler map, hence the one cast.
 */
export function runStep<S extends { readonly name: string }>(
  handlers: object,
  row: Transition,
  state: S,
  msg: HandshakeMessage,
  raw: Uint8Array,
  t: StepTrace,
): S | Refusal {
  const handler = (handlers as Record<string, (s: S, m: HandshakeMessage, r: Uint8Array, t: StepTrace) => S | Refusal>)[row.step];
  return handler(state, msg, raw, t);
}

function transitionsFor(role: Role): readonly Transition[] {
  return role === 'client' ? CLIENT_TRANSITIONS : SERVER_TRANSITIONS;
}

/** The transition a received message takes from `state`, or undefined (-> unexpected_message). */
export function findTransition(role: Role, state: string, kind: MessageKind): Transition | undefined {
  return transitionsFor(role).find((t) => t.from === state && t.on === kind);
}

/** The row of a step the application starts (its trace entry cites the row's section). */
export function apiTransition(role: Role, on: `api:${string}`): Transition {
  const row = transitionsFor(role).find((t) => t.on === on);
  if (!row) throw new Error(`no ${role} transition on ${on}`);
  return row;
}

export interface MachineDescription {
  role: Role;
  initial: string;
  states: (StateInfo & { accepts: string[] })[];
  transitions: readonly Transition[];
}

export function describeMachine(role: Role): MachineDescription {
  const transitions = transitionsFor(role);
  const states = (role === 'client' ? CLIENT_STATES : SERVER_STATES).map((s) => ({
    ...s,
    accepts: transitions.filter((t) => t.from === s.name && !t.on.startsWith('api:')).map((t) => t.on),
  }));
  return { role, initial: states[0].name, states, transitions };
}

/** A Mermaid stateDiagram of the table. */
export function machineToMermaid(role: Role): string {
  const d = describeMachine(role);
  const lines = ['stateDiagram-v2', `  [*] --> ${d.initial}`];
  for (const t of d.transitions) for (const to of t.to) lines.push(`  ${t.from} --> ${to}: ${t.on} / ${t.step}`);
  lines.push('  Connected --> Closed: close_notify', '  Closed --> [*]');
  return lines.join('\n');
}
