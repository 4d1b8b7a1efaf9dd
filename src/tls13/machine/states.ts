// What each state of the client and the server holds (RFC 8446 Appendix A): a state carries
// exactly what exists at that point of the handshake (the transcript so far, the secrets
// derived so far, what has been negotiated), so a step reads its inputs from the state it
// is given, never from a field that may not be set yet. The names are the table's
// (table.ts); the connection dispatches on `name`.

import type { KeyExchangeGroup } from '../codec/constants.js';
import type { KeyShareEntry } from '../codec/extensions.js';
import type { CertificateRequest, ClientHello, HelloRetryRequest } from '../codec/messages.js';
import type { PublicKey } from '../crypto-x509.js';
import type { Transcript } from '../key-schedule.js';
import type { Suite } from '../suites.js';
import type { CertifiedKey, NegotiatedInfo } from './config.js';

/** §7.1: the handshake traffic secrets and the master secret, from (EC)DHE and ClientHello..ServerHello. */
export interface HandshakeKeys {
  suite: Suite;
  client: Uint8Array;
  server: Uint8Array;
  master: Uint8Array;
}

/** §7.1, §7.5: the application traffic secrets (the current generation, §7.2) and the exporter secret. */
export interface TrafficSecrets {
  suite: Suite;
  client: Uint8Array;
  server: Uint8Array;
  exporter: Uint8Array;
}

// ------------------------------------------------------------------ both roles

export interface Connected {
  readonly name: 'Connected';
  readonly traffic: TrafficSecrets;
}
export interface NegotiatedTls12 {
  readonly name: 'NegotiatedTls12';
}
export interface Closed {
  readonly name: 'Closed';
  /** the application secrets, when the handshake had got that far (the exporter still answers) */
  readonly traffic?: TrafficSecrets;
}

// ------------------------------------------------------------------ client

export interface KeyPair {
  group: KeyExchangeGroup;
  priv: Uint8Array;
  pub: Uint8Array;
}

/** A ClientHello is out: the transcript holds it, the key shares wait for the server's. */
interface HelloSent {
  readonly transcript: Transcript;
  readonly hello: ClientHello;
  readonly keyPairs: KeyPair[];
  /** extension codes the ClientHello offered: the server may answer only these (§4.2) */
  readonly offered: ReadonlySet<number>;
}

/** From ServerHello on: the suite, the group and the handshake secrets are fixed. */
export interface ClientHandshake {
  readonly transcript: Transcript;
  readonly keys: HandshakeKeys;
  readonly group: KeyExchangeGroup;
  readonly offered: ReadonlySet<number>;
  readonly helloRetryRequest: boolean;
  /** what EncryptedExtensions, CertificateRequest and CertificateVerify settle, in that order */
  readonly negotiated: Partial<NegotiatedInfo>;
}

export type ClientState =
  | { readonly name: 'Start' }
  | ({ readonly name: 'ExpectServerHello' } & HelloSent)
  | ({ readonly name: 'ExpectServerHelloAfterHrr'; readonly hrr: HelloRetryRequest } & HelloSent)
  | { readonly name: 'ExpectEncryptedExtensions'; readonly hs: ClientHandshake }
  | { readonly name: 'ExpectCertificateRequestOrCertificate'; readonly hs: ClientHandshake }
  | { readonly name: 'ExpectCertificate'; readonly hs: ClientHandshake; readonly certRequest: CertificateRequest }
  | {
      readonly name: 'ExpectCertificateVerify';
      readonly hs: ClientHandshake;
      /** the server's CertificateRequest, when it asked for our certificate */
      readonly certRequest: CertificateRequest | undefined;
      readonly peerCerts: Uint8Array[];
      readonly peerKey: PublicKey;
    }
  | {
      readonly name: 'ExpectFinished';
      readonly hs: ClientHandshake;
      readonly certRequest: CertificateRequest | undefined;
      readonly peerCerts: Uint8Array[];
    }
  | Connected
  | NegotiatedTls12
  | Closed;

// ------------------------------------------------------------------ server

/** What the server chose from a ClientHello (§4.1.1). */
export interface Selection {
  suite: Suite;
  group: KeyExchangeGroup;
  /** the client's share for `group`, absent when a HelloRetryRequest is needed */
  share?: KeyShareEntry;
  certificate: CertifiedKey;
  scheme: number;
  alpn?: string;
  serverName?: string;
}

/** What the server sent in a HelloRetryRequest, which the second ClientHello must match. */
interface RetryRequested {
  suite: Suite;
  group: KeyExchangeGroup;
  cookie?: Uint8Array;
}

/** From the server flight on: the handshake and application secrets exist. */
export interface ServerHandshake {
  readonly transcript: Transcript;
  readonly selection: Selection;
  readonly keys: HandshakeKeys;
  readonly traffic: TrafficSecrets;
  readonly helloRetryRequest: boolean;
  readonly certRequested: boolean;
  readonly negotiated: Partial<NegotiatedInfo>;
}

export type ServerState =
  | { readonly name: 'ExpectClientHello' }
  | {
      readonly name: 'ExpectClientHelloAfterHrr';
      readonly transcript: Transcript;
      readonly first: ClientHello;
      readonly hrr: RetryRequested;
    }
  | {
      readonly name: 'ExpectClientCertificate';
      readonly hs: ServerHandshake;
      /** signature_algorithms of our CertificateRequest */
      readonly certRequestSchemes: readonly number[];
    }
  | {
      readonly name: 'ExpectClientCertificateVerify';
      readonly hs: ServerHandshake;
      readonly certRequestSchemes: readonly number[];
      readonly peerCerts: Uint8Array[];
      readonly peerKey: PublicKey;
    }
  | { readonly name: 'ExpectClientFinished'; readonly hs: ServerHandshake; readonly peerCerts: Uint8Array[] }
  | Connected
  | NegotiatedTls12
  | Closed;

export type State = ClientState | ServerState;

/** The application secrets a state has, if any (the server has them once its Finished is out). */
export function trafficOf(s: State): TrafficSecrets | undefined {
  switch (s.name) {
    case 'Connected':
    case 'Closed':
      return s.traffic;
    case 'ExpectClientCertificate':
    case 'ExpectClientCertificateVerify':
    case 'ExpectClientFinished':
      return s.hs.traffic;
    default:
      return undefined;
  }
}
