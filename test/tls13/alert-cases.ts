// The failure cases of every receiving step of the state table (alert-table.test.ts): each
// names the step (role, state, message), the alert it must send and how to provoke it, by a
// peer configured to send it or by a message rewritten in flight (mitm.ts).

import {
  parseCertificateInfo,
  runHandshake,
  TlsClient,
  TlsServer,
  type AlertName,
  type ClientConfig,
  type MessageKind,
  type Role,
  type ServerConfig,
  type TlsEvent,
} from '../../src/tls13/index.js';
import { seededRandom, selfSigned } from './helpers.js';
import { Mitm, mod, truncate, unknownExtension, type Edit } from './mitm.js';

export const serverCert = selfSigned('p256-1');
export const clientCert = selfSigned('ed25519-1', 'pg client');
const garbage = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01);
/** key shares only for x25519, a server that wants secp256r1: HelloRetryRequest */
export const HRR = { client: { groups: ['x25519', 'secp256r1'] } as ClientConfig, server: { groups: ['secp256r1'] } as ServerConfig };

interface Outcome {
  victim: TlsClient | TlsServer;
  events: TlsEvent[];
  applied: number;
}

export interface Setup {
  client?: ClientConfig;
  server?: ServerConfig;
  edits?: Edit[];
  /** after the handshake: make the victim receive a post-handshake message */
  after?: (c: TlsClient, s: TlsServer, mitm: Mitm) => TlsEvent[];
}

export function handshake(victim: Role, o: Setup): Outcome {
  const mitm = new Mitm(o.edits);
  const c = new TlsClient({ random: seededRandom(1), keylog: mitm.keylog('client'), ...o.client });
  const s = new TlsServer({ certificate: serverCert.certified, random: seededRandom(2), keylog: mitm.keylog('server'), ...o.server });
  const run = runHandshake(c, s, { tamper: mitm.tamper });
  const events = [...(victim === 'client' ? run.clientEvents : run.serverEvents), ...(o.after?.(c, s, mitm) ?? [])];
  return { victim: victim === 'client' ? c : s, events, applied: mitm.applied };
}

/** Deliver what `sender` writes after the handshake to the other side through the man in the middle. */
const postHandshake =
  (write: (c: TlsClient, s: TlsServer) => Uint8Array[], to: Role) =>
  (c: TlsClient, s: TlsServer, mitm: Mitm): TlsEvent[] =>
    write(c, s).flatMap((r) => (to === 'client' ? c : s).receive(mitm.pass(to === 'client' ? 'server' : 'client', r)).events);

export interface Case {
  role: Role;
  from: string;
  on: MessageKind;
  alert: AlertName;
  /** the alert comes from the peer-chain verifier, not from the engine */
  verifier?: true;
  why: string;
  setup: Setup;
}

const edit = (from: Role, kind: MessageKind, change: Edit['edit'], nth = 0): Edit[] => [{ from, kind, edit: change, nth }];
const dropExtension = (type: string) => (m: any) => {
  m.extensions = m.extensions.filter((e: any) => e.type !== type);
};
const addExtension = (ext: unknown) => (m: any) => {
  m.extensions.push(ext);
};
/** psk_key_exchange_modes: offered by every TLS 1.3 ClientHello, allowed only there */
const clientHelloOnlyExtension = { type: 'unknown', code: 45, data: Uint8Array.of(1, 1) };
const flipLast = (field: string) => (m: any) => {
  m[field] = m[field].slice();
  m[field][m[field].length - 1] ^= 1;
};

const client = (from: string, on: MessageKind, alert: AlertName, why: string, setup: Setup, verifier?: true): Case => ({
  role: 'client',
  from,
  on,
  alert,
  why,
  setup,
  ...(verifier ? { verifier } : {}),
});
const server = (from: string, on: MessageKind, alert: AlertName, why: string, setup: Setup, verifier?: true): Case => ({
  role: 'server',
  from,
  on,
  alert,
  why,
  setup,
  ...(verifier ? { verifier } : {}),
});

const serverHelloCases = (from: string, base: Setup, nth: number): Case[] => [
  client(from, 'server_hello', 'protocol_version', 'ServerHello says TLS 1.1', {
    ...base,
    edits: edit(
      'server',
      'server_hello',
      mod((m) => {
        dropExtension('supported_versions')(m);
        m.legacyVersion = 0x0302;
      }),
      nth,
    ),
  }),
  client(from, 'server_hello', 'illegal_parameter', 'legacy_session_id_echo differs', {
    ...base,
    edits: edit(
      'server',
      'server_hello',
      mod((m) => {
        m.legacySessionIdEcho = new Uint8Array(32);
      }),
      nth,
    ),
  }),
  client(from, 'server_hello', 'unsupported_extension', 'an extension nobody offered', {
    ...base,
    edits: edit('server', 'server_hello', mod(addExtension(unknownExtension)), nth),
  }),
  client(from, 'server_hello', 'missing_extension', 'no key_share', {
    ...base,
    edits: edit('server', 'server_hello', mod(dropExtension('key_share')), nth),
  }),
  client(from, 'server_hello', 'decode_error', 'truncated', { ...base, edits: edit('server', 'server_hello', truncate, nth) }),
];

const certificateCases = (role: Role, from: string, base: Setup): Case[] => {
  const peer: Role = role === 'client' ? 'server' : 'client';
  const at = role === 'client' ? client : server;
  const withGarbage: Setup =
    role === 'client'
      ? { ...base, server: { ...base.server, certificate: { chain: [garbage], privateKey: serverCert.privateKey } } }
      : { ...base, client: { ...base.client, certificate: { chain: [garbage], privateKey: clientCert.privateKey } } };
  const rejecting = { verifyPeerChain: () => ({ ok: false as const, alert: 'certificate_expired' as const, reason: 'notAfter passed' }) };
  return [
    at(from, 'certificate', 'illegal_parameter', 'certificate_request_context is not empty', {
      ...base,
      edits: edit(
        peer,
        'certificate',
        mod((m) => {
          m.context = Uint8Array.of(1);
        }),
      ),
    }),
    at(from, 'certificate', 'unsupported_extension', 'an extension nobody offered in a CertificateEntry', {
      ...base,
      edits: edit(
        peer,
        'certificate',
        mod((m) => {
          m.entries[0].extensions = [unknownExtension];
        }),
      ),
    }),
    at(from, 'certificate', 'bad_certificate', 'the leaf does not parse', withGarbage),
    at(from, 'certificate', 'decode_error', 'truncated', { ...base, edits: edit(peer, 'certificate', truncate) }),
    at(
      from,
      'certificate',
      'certificate_expired',
      'the chain verifier refuses',
      role === 'client' ? { ...base, client: { ...base.client, ...rejecting } } : { ...base, server: { ...base.server, ...rejecting } },
      true,
    ),
  ];
};

const REQUEST: Setup = { server: { clientAuth: 'request' } };
const CLIENT_AUTH: Setup = { client: { certificate: clientCert.certified }, server: { clientAuth: 'require' } };

export const CASES: Case[] = [
  // ---------------------------------------------------------------- the client's steps
  ...serverHelloCases('ExpectServerHello', {}, 0),
  client('ExpectServerHello', 'hello_retry_request', 'illegal_parameter', 'legacy_session_id_echo differs', {
    ...HRR,
    edits: edit(
      'server',
      'hello_retry_request',
      mod((m) => {
        m.legacySessionIdEcho = new Uint8Array(32);
      }),
    ),
  }),
  client('ExpectServerHello', 'hello_retry_request', 'unsupported_extension', 'an extension nobody offered', {
    ...HRR,
    edits: edit('server', 'hello_retry_request', mod(addExtension(unknownExtension))),
  }),
  client('ExpectServerHello', 'hello_retry_request', 'internal_error', 'a group pgtls lists but does not compute', {
    client: { ...HRR.client, advertisedOnlyGroups: ['ffdhe2048'] },
    server: HRR.server,
    edits: edit(
      'server',
      'hello_retry_request',
      mod((m) => {
        m.extensions.find((e: any) => e.type === 'key_share').selectedGroup = 0x0100;
      }),
    ),
  }),
  client('ExpectServerHello', 'hello_retry_request', 'decode_error', 'truncated', {
    ...HRR,
    edits: edit('server', 'hello_retry_request', truncate),
  }),
  ...serverHelloCases('ExpectServerHelloAfterHrr', HRR, 0).map((c) =>
    c.alert === 'illegal_parameter'
      ? {
          ...c,
          why: 'a cipher suite other than the HelloRetryRequest one',
          setup: {
            ...HRR,
            edits: edit(
              'server',
              'server_hello',
              mod((m) => {
                m.cipherSuite = 0x1301;
              }),
            ),
          },
        }
      : c.alert === 'protocol_version'
        ? {
            ...c,
            why: 'TLS 1.2 after a HelloRetryRequest',
            setup: { ...HRR, edits: edit('server', 'server_hello', mod(dropExtension('supported_versions'))) },
          }
        : c,
  ),
  client('ExpectEncryptedExtensions', 'encrypted_extensions', 'illegal_parameter', 'an extension allowed only in ClientHello', {
    edits: edit('server', 'encrypted_extensions', mod(addExtension(clientHelloOnlyExtension))),
  }),
  client('ExpectEncryptedExtensions', 'encrypted_extensions', 'unsupported_extension', 'an extension nobody offered', {
    edits: edit('server', 'encrypted_extensions', mod(addExtension(unknownExtension))),
  }),
  client('ExpectEncryptedExtensions', 'encrypted_extensions', 'decode_error', 'truncated', {
    edits: edit('server', 'encrypted_extensions', truncate),
  }),
  client('ExpectCertificateRequestOrCertificate', 'certificate_request', 'illegal_parameter', 'a context during the handshake', {
    ...REQUEST,
    edits: edit(
      'server',
      'certificate_request',
      mod((m) => {
        m.context = Uint8Array.of(1);
      }),
    ),
  }),
  client('ExpectCertificateRequestOrCertificate', 'certificate_request', 'missing_extension', 'no signature_algorithms', {
    // certificate_authorities stays: an empty extension block is a decode_error (extensions<2..2^16-1>)
    server: { clientAuth: 'request', clientCANames: [parseCertificateInfo(serverCert.der).subject] },
    edits: edit('server', 'certificate_request', mod(dropExtension('signature_algorithms'))),
  }),
  client('ExpectCertificateRequestOrCertificate', 'certificate_request', 'decode_error', 'truncated', {
    ...REQUEST,
    edits: edit('server', 'certificate_request', truncate),
  }),
  ...certificateCases('client', 'ExpectCertificateRequestOrCertificate', {}),
  client('ExpectCertificateRequestOrCertificate', 'certificate', 'decode_error', 'an empty certificate_list', {
    edits: edit(
      'server',
      'certificate',
      mod((m) => {
        m.entries = [];
      }),
    ),
  }),
  ...certificateCases('client', 'ExpectCertificate', REQUEST),
  client('ExpectCertificateVerify', 'certificate_verify', 'illegal_parameter', 'a scheme the client did not offer', {
    edits: edit(
      'server',
      'certificate_verify',
      mod((m) => {
        m.scheme = 0x0201;
      }),
    ),
  }),
  client('ExpectCertificateVerify', 'certificate_verify', 'decrypt_error', 'a signature that does not verify', {
    edits: edit('server', 'certificate_verify', mod(flipLast('signature'))),
  }),
  client('ExpectCertificateVerify', 'certificate_verify', 'decode_error', 'truncated', {
    edits: edit('server', 'certificate_verify', truncate),
  }),
  client('ExpectFinished', 'finished', 'decrypt_error', 'verify_data does not match', {
    edits: edit('server', 'finished', mod(flipLast('verifyData'))),
  }),
  client('Connected', 'new_session_ticket', 'illegal_parameter', 'a lifetime over 7 days', {
    server: { tickets: () => [{ lifetime: 700000, ageAdd: 1, nonce: Uint8Array.of(0), ticket: new Uint8Array(8) }] },
  }),
  client('Connected', 'new_session_ticket', 'decode_error', 'truncated', {
    server: { tickets: () => [{ lifetime: 7200, ageAdd: 1, nonce: Uint8Array.of(0), ticket: new Uint8Array(8) }] },
    edits: edit('server', 'new_session_ticket', truncate),
  }),
  client('Connected', 'key_update', 'illegal_parameter', 'request_update 2', {
    edits: edit('server', 'key_update', (raw) => [Uint8Array.of(raw[0], 0, 0, 1, 2)]),
    after: postHandshake((_c, s) => s.keyUpdate(), 'client'),
  }),
  client('Connected', 'key_update', 'decode_error', 'truncated', {
    edits: edit('server', 'key_update', truncate),
    after: postHandshake((_c, s) => s.keyUpdate(), 'client'),
  }),

  // ---------------------------------------------------------------- the server's steps
  server('ExpectClientHello', 'client_hello', 'protocol_version', 'a TLS 1.2-only client, a TLS 1.3-only server', {
    client: { maxVersion: 'TLSv1.2' },
    server: { minVersion: 'TLSv1.3' },
  }),
  server('ExpectClientHello', 'client_hello', 'illegal_parameter', 'a compression method', {
    edits: edit(
      'client',
      'client_hello',
      mod((m) => {
        m.legacyCompressionMethods = [1];
      }),
    ),
  }),
  server('ExpectClientHello', 'client_hello', 'missing_extension', 'no signature_algorithms', {
    edits: edit('client', 'client_hello', mod(dropExtension('signature_algorithms'))),
  }),
  server('ExpectClientHello', 'client_hello', 'handshake_failure', 'no common cipher suite', {
    client: { cipherSuites: ['TLS_AES_128_GCM_SHA256'] },
    server: { cipherSuites: ['TLS_AES_256_GCM_SHA384'] },
  }),
  server('ExpectClientHello', 'client_hello', 'no_application_protocol', 'no common ALPN protocol', {
    client: { alpn: ['a'] },
    server: { alpn: ['b'] },
  }),
  server('ExpectClientHello', 'client_hello', 'internal_error', 'a server without a certificate', { server: { certificate: undefined } }),
  server('ExpectClientHello', 'client_hello', 'decode_error', 'truncated', { edits: edit('client', 'client_hello', truncate) }),
  server('ExpectClientHelloAfterHrr', 'client_hello', 'illegal_parameter', 'legacy_session_id changed', {
    ...HRR,
    edits: edit(
      'client',
      'client_hello',
      mod((m) => {
        m.legacySessionId = new Uint8Array(32);
      }),
      1,
    ),
  }),
  server('ExpectClientHelloAfterHrr', 'client_hello', 'missing_extension', 'signature_algorithms dropped', {
    ...HRR,
    edits: edit('client', 'client_hello', mod(dropExtension('signature_algorithms')), 1),
  }),
  server('ExpectClientHelloAfterHrr', 'client_hello', 'handshake_failure', 'only schemes our certificate cannot make', {
    ...HRR,
    edits: edit(
      'client',
      'client_hello',
      mod((m) => {
        m.extensions.find((e: any) => e.type === 'signature_algorithms').schemes = [0x0808];
      }),
      1,
    ),
  }),
  server('ExpectClientHelloAfterHrr', 'client_hello', 'no_application_protocol', 'ALPN changed', {
    client: { ...HRR.client, alpn: ['postgresql'] },
    server: { ...HRR.server, alpn: ['postgresql'] },
    edits: edit(
      'client',
      'client_hello',
      mod((m) => {
        m.extensions.find((e: any) => e.type === 'application_layer_protocol_negotiation').protocols = ['other'];
      }),
      1,
    ),
  }),
  server('ExpectClientHelloAfterHrr', 'client_hello', 'decode_error', 'truncated', {
    ...HRR,
    edits: edit('client', 'client_hello', truncate, 1),
  }),
  server('ExpectClientCertificate', 'certificate', 'certificate_required', 'no certificate where one is required', {
    server: { clientAuth: 'require' },
  }),
  ...certificateCases('server', 'ExpectClientCertificate', CLIENT_AUTH),
  server('ExpectClientCertificateVerify', 'certificate_verify', 'illegal_parameter', 'a scheme the CertificateRequest did not list', {
    ...CLIENT_AUTH,
    edits: edit(
      'client',
      'certificate_verify',
      mod((m) => {
        m.scheme = 0x0201;
      }),
    ),
  }),
  server('ExpectClientCertificateVerify', 'certificate_verify', 'decrypt_error', 'a signature that does not verify', {
    ...CLIENT_AUTH,
    edits: edit('client', 'certificate_verify', mod(flipLast('signature'))),
  }),
  server('ExpectClientCertificateVerify', 'certificate_verify', 'decode_error', 'truncated', {
    ...CLIENT_AUTH,
    edits: edit('client', 'certificate_verify', truncate),
  }),
  server('ExpectClientFinished', 'finished', 'decrypt_error', 'verify_data does not match', {
    edits: edit('client', 'finished', mod(flipLast('verifyData'))),
  }),
  server('Connected', 'key_update', 'illegal_parameter', 'request_update 2', {
    edits: edit('client', 'key_update', (raw) => [Uint8Array.of(raw[0], 0, 0, 1, 2)]),
    after: postHandshake((c) => c.keyUpdate(), 'server'),
  }),
  server('Connected', 'key_update', 'decode_error', 'truncated', {
    edits: edit('client', 'key_update', truncate),
    after: postHandshake((c) => c.keyUpdate(), 'server'),
  }),
];
