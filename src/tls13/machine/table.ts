// The client and server state machines of RFC 8446 (§2, Appendix A) as data: the states,
// the message each state accepts, the step function that processes it (named after the RFC
// step), the states it may lead to, and the alerts that step can send. The connection
// dispatches through this table, so a message a state does not list is unexpected_message
// (§4, §6.2). `describeMachine` and `machineToMermaid` export the same table for traces
// and diagrams.

import type { AlertName } from '../alerts.js';
import type { MessageKind } from '../codec/messages.js';
import type { Role } from '../trace.js';

export interface Transition {
  from: string;
  /** the message received, or `api:<call>` for transitions the application triggers */
  on: MessageKind | `api:${string}`;
  step: string;
  to: readonly string[];
  rfc: string;
  alerts: readonly AlertName[];
}

export interface StateInfo {
  name: string;
  description: string;
}

const T = (from: string, on: Transition['on'], step: string, to: string[], rfc: string, alerts: AlertName[]): Transition => ({
  from,
  on,
  step,
  to,
  rfc,
  alerts,
});

export const CLIENT_STATES: readonly StateInfo[] = [
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
];

export const SERVER_STATES: readonly StateInfo[] = [
  { name: 'ExpectClientHello', description: 'waiting for the first ClientHello' },
  { name: 'ExpectClientHelloAfterHrr', description: 'HelloRetryRequest sent; waiting for the second ClientHello' },
  { name: 'ExpectClientCertificate', description: 'server flight sent with a CertificateRequest; waiting for the client Certificate' },
  { name: 'ExpectClientCertificateVerify', description: 'waiting for the client CertificateVerify' },
  { name: 'ExpectClientFinished', description: 'waiting for the client Finished' },
  { name: 'Connected', description: 'handshake complete; application data flows' },
  { name: 'NegotiatedTls12', description: 'the client offered only TLS 1.2, which pgtls leaves to the simulator' },
  { name: 'Closed', description: 'closed by close_notify or a fatal alert' },
];

export const CLIENT_TRANSITIONS: readonly Transition[] = [
  T('Start', 'api:start', 'sendClientHello', ['ExpectServerHello'], '4.1.2', []),
  T('ExpectServerHello', 'server_hello', 'processServerHello', ['ExpectEncryptedExtensions', 'NegotiatedTls12'], '4.1.3', [
    'protocol_version',
    'illegal_parameter',
    'unsupported_extension',
    'handshake_failure',
  ]),
  T('ExpectServerHello', 'hello_retry_request', 'processHelloRetryRequest', ['ExpectServerHelloAfterHrr'], '4.1.4', [
    'illegal_parameter',
    'unsupported_extension',
  ]),
  T('ExpectServerHelloAfterHrr', 'server_hello', 'processServerHello', ['ExpectEncryptedExtensions'], '4.1.4', [
    'protocol_version',
    'illegal_parameter',
    'unsupported_extension',
  ]),
  T('ExpectEncryptedExtensions', 'encrypted_extensions', 'processEncryptedExtensions', ['ExpectCertificateRequestOrCertificate'], '4.3.1', [
    'illegal_parameter',
    'unsupported_extension',
  ]),
  T('ExpectCertificateRequestOrCertificate', 'certificate_request', 'processCertificateRequest', ['ExpectCertificate'], '4.3.2', [
    'illegal_parameter',
    'missing_extension',
  ]),
  T('ExpectCertificateRequestOrCertificate', 'certificate', 'readServerCertificate', ['ExpectCertificateVerify'], '4.4.2', [
    'decode_error',
    'bad_certificate',
    'unsupported_extension',
    'unknown_ca',
    'certificate_expired',
  ]),
  T('ExpectCertificate', 'certificate', 'readServerCertificate', ['ExpectCertificateVerify'], '4.4.2', [
    'decode_error',
    'bad_certificate',
    'unsupported_extension',
    'unknown_ca',
    'certificate_expired',
  ]),
  T('ExpectCertificateVerify', 'certificate_verify', 'verifyServerSignature', ['ExpectFinished'], '4.4.3', [
    'illegal_parameter',
    'decrypt_error',
  ]),
  T('ExpectFinished', 'finished', 'processServerFinished', ['Connected'], '4.4.4', ['decrypt_error']),
  T('Connected', 'new_session_ticket', 'processNewSessionTicket', ['Connected'], '4.6.1', ['illegal_parameter']),
  T('Connected', 'key_update', 'processKeyUpdate', ['Connected'], '4.6.3', ['illegal_parameter', 'unexpected_message']),
  T('Connected', 'api:keyUpdate', 'sendKeyUpdate', ['Connected'], '4.6.3', []),
];

export const SERVER_TRANSITIONS: readonly Transition[] = [
  T(
    'ExpectClientHello',
    'client_hello',
    'processClientHello',
    ['ExpectClientHelloAfterHrr', 'ExpectClientCertificate', 'ExpectClientFinished', 'NegotiatedTls12'],
    '4.1.2',
    ['protocol_version', 'illegal_parameter', 'missing_extension', 'handshake_failure', 'no_application_protocol'],
  ),
  T(
    'ExpectClientHelloAfterHrr',
    'client_hello',
    'processClientHelloAfterHrr',
    ['ExpectClientCertificate', 'ExpectClientFinished'],
    '4.1.4',
    ['illegal_parameter', 'missing_extension', 'handshake_failure'],
  ),
  T('ExpectClientCertificate', 'certificate', 'readClientCertificate', ['ExpectClientCertificateVerify', 'ExpectClientFinished'], '4.4.2', [
    'certificate_required',
    'bad_certificate',
    'unknown_ca',
    'certificate_expired',
    'illegal_parameter',
  ]),
  T('ExpectClientCertificateVerify', 'certificate_verify', 'verifyClientSignature', ['ExpectClientFinished'], '4.4.3', [
    'illegal_parameter',
    'decrypt_error',
  ]),
  T('ExpectClientFinished', 'finished', 'processClientFinished', ['Connected'], '4.4.4', ['decrypt_error']),
  T('Connected', 'key_update', 'processKeyUpdate', ['Connected'], '4.6.3', ['illegal_parameter', 'unexpected_message']),
  T('Connected', 'api:keyUpdate', 'sendKeyUpdate', ['Connected'], '4.6.3', []),
  T('Connected', 'api:sendNewSessionTicket', 'sendNewSessionTicket', ['Connected'], '4.6.1', []),
];

export function transitionsFor(role: Role): readonly Transition[] {
  return role === 'client' ? CLIENT_TRANSITIONS : SERVER_TRANSITIONS;
}

/** The transition a received message takes from `state`, or undefined (-> unexpected_message). */
export function findTransition(role: Role, state: string, kind: MessageKind): Transition | undefined {
  return transitionsFor(role).find((t) => t.from === state && t.on === kind);
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
