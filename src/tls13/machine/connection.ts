// What the client and the server share: the sans-I/O connection object. Bytes come in
// through receive(), go through the record layer, the handshake reassembler and the state
// table (table.ts), which picks the step the subclass runs on the current state (states.ts).
// A step returns the next state or a Refusal; a refusal, or an error thrown by the record
// layer or the codec, becomes the RFC's alert, sent once; afterwards the connection is
// Closed and ignores input (never a crash, never a hang). Output records and events are
// collected and handed back. The one home of what both roles do alike: the configuration
// they resolve, key exchange and key installation (§7), KeyUpdate (§4.6.3), close (§6.1).

import { concatBytes, toHex } from '../../der/bytes.js';
import { AlertDescription, AlertLevel, alertName, decodeAlert, encodeAlert } from '../alerts.js';
import { ContentType, ProtocolVersion, type KeyExchangeGroup } from '../codec/constants.js';
import { decodeHandshake, encodeHandshake, messageTitle, peekKind, type HandshakeMessage, type KeyUpdate } from '../codec/messages.js';
import { generateKeyShare, KeyExchangeError, sharedSecret } from '../crypto-x509.js';
import { Refusal, TlsAlertError, TlsStateError, alertForError } from '../errors.js';
import {
  deriveApplicationSecrets,
  deriveHandshakeSecrets,
  exportKeyingMaterial,
  nextTrafficSecret,
  trafficKeys,
  type Transcript,
} from '../key-schedule.js';
import { HandshakeReassembler, MAX_PLAINTEXT, RecordProtection, RecordReader, encodeRecord } from '../record.js';
import type { Suite } from '../suites.js';
import { StepTrace, newEntry, type Role, type TraceEntry } from '../trace.js';
import { DEFAULTS, defaultRandom, resolveSchemes, resolveSuites, type CommonConfig, type RandomSource, type TlsEvent } from './config.js';
import { trafficOf, type Connected, type HandshakeKeys, type KeyPair, type State, type TrafficSecrets } from './states.js';
import { apiTransition, findTransition, runStep } from './table.js';

export interface ReceiveResult {
  /** records to send to the peer, in order */
  out: Uint8Array[];
  events: TlsEvent[];
}

export abstract class TlsConnection {
  abstract readonly role: Role;
  /** the current state and what it holds; its name is `state` */
  protected st: State;
  readonly trace: TraceEntry[] = [];
  /** our cipher suites, groups and signature schemes, in preference order */
  protected readonly suites: number[];
  protected readonly groups: KeyExchangeGroup[];
  protected readonly schemes: number[];
  protected readonly random: RandomSource;
  /** one function per receiving step of this role's table (table.ts StepHandlers) */
  protected abstract readonly handlers: object;

  // the record layer: independent of the handshake state
  private out: Uint8Array[] = [];
  protected events: TlsEvent[] = [];
  private reader = new RecordReader();
  private reassembler = new HandshakeReassembler();
  private readProtection?: RecordProtection;
  private writeProtection?: RecordProtection;
  /** set when the read key changed while handling the current message (§5.1 boundary rule) */
  private readKeyChanged = false;
  /** for the key log: the ClientHello random names the connection */
  protected clientRandom = new Uint8Array(32);
  /** handshake messages of the flight being built, sent together by flushHandshake() */
  private flight: Uint8Array[] = [];
  private pendingAppData: Uint8Array[] = [];
  /** both Finished messages are done: application data may flow */
  protected handshakeComplete = false;
  /** the peer's close_notify arrived: ignore further input */
  private readClosed = false;
  private writeClosed = false;
  /** peer's RFC 8449 limit on the protected records we send */
  protected peerRecordSizeLimit?: number;
  protected ccsSent = false;
  private seq = 0;
  private traceEmitted = 0;

  constructor(
    protected readonly config: CommonConfig,
    initial: State,
  ) {
    this.st = initial;
    this.random = config.random ?? defaultRandom;
    this.suites = resolveSuites(config.cipherSuites);
    this.groups = config.groups ?? DEFAULTS.groups;
    this.schemes = resolveSchemes(config.signatureSchemes);
  }

  /** The name of the current state (table.ts lists them). */
  get state(): State['name'] {
    return this.st.name;
  }
  /** Is this connection finished (closed by alert or close_notify)? */
  get closed(): boolean {
    return this.st.name === 'Closed';
  }
  get connected(): boolean {
    return this.st.name === 'Connected';
  }

  // ------------------------------------------------------------------ public API

  /** Feed bytes from the peer. Returns the records to send back and what happened. */
  receive(bytes: Uint8Array): ReceiveResult {
    if (this.stopped()) return this.flush();
    try {
      for (const rec of this.reader.push(bytes)) {
        const refused = this.handleRecord(rec.type, rec.version, rec.fragment);
        if (refused) {
          this.fail(refused);
          break;
        }
        if (this.stopped()) break;
      }
    } catch (e) {
      this.fail(e);
    }
    return this.flush();
  }

  /** Application data to send; queued until the handshake completes. */
  send(data: Uint8Array): Uint8Array[] {
    this.assertCanSend('send');
    if (!this.handshakeComplete) this.pendingAppData.push(data.slice());
    else this.writeApplicationData(data);
    return this.flush().out;
  }

  /** Send close_notify (RFC 8446 §6.1). */
  close(): Uint8Array[] {
    if (this.st.name !== 'Closed' && !this.writeClosed) {
      this.sendAlert(AlertLevel.warning, AlertDescription.close_notify, 'close() called');
      this.writeClosed = true;
      if (this.readClosed) this.closeState();
    }
    return this.flush().out;
  }

  /** Update our sending keys, optionally asking the peer to update too (RFC 8446 §4.6.3). */
  keyUpdate(requestPeerUpdate = false): Uint8Array[] {
    this.sendKeyUpdate(this.assertConnected('keyUpdate'), requestPeerUpdate, 'api');
    return this.flush().out;
  }

  /** RFC 8446 §7.5 exporter (Node: tlsSocket.exportKeyingMaterial). */
  exportKeyingMaterial(length: number, label: string, context: Uint8Array = new Uint8Array(0)): Uint8Array {
    const traffic = trafficOf(this.st);
    if (!traffic) throw new Error('exporter needs a completed handshake');
    return exportKeyingMaterial(traffic.suite.hash, traffic.exporter, label, context, length);
  }

  /**
   * Refuse a call that would write after close() (close_notify sent: RFC 8446 §6.1 allows
   * nothing after it) or after the connection closed. TlsStateError, nothing sent.
   */
  protected assertCanSend(operation: string): void {
    if (this.st.name === 'Closed' || this.writeClosed) throw new TlsStateError(operation, 'closed');
  }
  /** As assertCanSend, and the handshake must be complete: the Connected state. */
  protected assertConnected(operation: string): Connected {
    this.assertCanSend(operation);
    if (this.st.name !== 'Connected') throw new TlsStateError(operation, 'not_connected');
    return this.st;
  }

  private stopped(): boolean {
    return this.st.name === 'Closed' || this.st.name === 'NegotiatedTls12' || this.readClosed;
  }

  // ------------------------------------------------------------------ record handling

  /** RFC 8446 §5: a change_cipher_spec (0x01) is dropped between the first ClientHello and the peer's Finished. */
  protected abstract ccsAllowed(): boolean;

  private handleRecord(type: number, version: number, fragment: Uint8Array): Refusal | undefined {
    if (type === ContentType.change_cipher_spec) {
      const ok = this.ccsAllowed() && fragment.length === 1 && fragment[0] === 1;
      const t = this.step('receiveChangeCipherSpec', 'recv', '5', 'change_cipher_spec');
      const no = t.check('change_cipher_spec is the compatibility value 0x01 and arrives during the handshake', ok, 'unexpected_message');
      if (no) return no;
      t.note('dropped without processing', true);
      return undefined;
    }
    let contentType = type;
    let content = fragment;
    if (this.readProtection && type === ContentType.application_data) {
      const d = this.readProtection.decrypt({ type, version, fragment });
      contentType = d.type;
      content = d.content;
      if (contentType === ContentType.change_cipher_spec)
        throw new TlsAlertError('unexpected_message', 'encrypted change_cipher_spec (RFC 8446 §5)');
    } else if (this.readProtection && !(type === ContentType.alert && !this.handshakeComplete)) {
      // OpenSSL's ENC_READ_STATE_ALLOW_PLAIN_ALERTS: a peer that failed before it had keys may alert in plaintext
      throw new TlsAlertError('unexpected_message', `unprotected ${type === 22 ? 'handshake' : 'record'} after keys were established`);
    } else if (!this.readProtection && type === ContentType.application_data) {
      throw new TlsAlertError('unexpected_message', 'application_data record before the handshake keys exist');
    } else if (fragment.length > MAX_PLAINTEXT) {
      throw new TlsAlertError('record_overflow', `plaintext record of ${fragment.length} bytes exceeds 2^14`);
    }
    if (contentType !== ContentType.handshake && !this.reassembler.empty()) {
      throw new TlsAlertError(
        'unexpected_message',
        `${contentType === 21 ? 'alert' : 'record'} interleaved with a fragmented handshake message (RFC 8446 §5.1)`,
      );
    }
    switch (contentType) {
      case ContentType.handshake:
        return this.handleHandshakeFragment(content);
      case ContentType.alert:
        this.handleAlert(content);
        return undefined;
      case ContentType.application_data:
        if (!this.handshakeComplete) throw new TlsAlertError('unexpected_message', 'application data before the handshake completed');
        this.events.push({ type: 'application_data', data: content.slice() });
        return undefined;
      default:
        throw new TlsAlertError('unexpected_message', `content type ${contentType}`);
    }
  }

  private handleHandshakeFragment(content: Uint8Array): Refusal | undefined {
    if (content.length === 0) throw new TlsAlertError('unexpected_message', 'zero-length handshake fragment (RFC 8446 §5.1)');
    const messages = this.reassembler.push(content);
    for (let i = 0; i < messages.length; i++) {
      this.readKeyChanged = false;
      const refused = this.handleHandshakeMessage(messages[i]);
      if (refused) return refused;
      if (this.st.name === 'Closed' || this.st.name === 'NegotiatedTls12') return undefined;
      if (this.readKeyChanged && (i < messages.length - 1 || !this.reassembler.empty())) {
        throw new TlsAlertError('unexpected_message', 'handshake data after a key change in the same record (RFC 8446 §5.1)');
      }
    }
    return undefined;
  }

  /**
   * The state table picks the step: the message kind must be one the current state accepts
   * (else unexpected_message), the body must decode, then the step runs on the current state
   * and returns the next one, which the table must list, or a Refusal.
   */
  private handleHandshakeMessage(raw: Uint8Array): Refusal | undefined {
    const kind = peekKind(raw);
    const from = this.st;
    const row = findTransition(this.role, from.name, kind);
    if (!row) {
      const t = this.step('dispatch', 'recv', '4', messageTitle(kind === 'unknown' ? `handshake type ${raw[0]}` : kind));
      return t.refuse(`${from.name} accepts ${messageTitle(kind)}`, 'unexpected_message', `state ${from.name} does not accept it`);
    }
    const msg = decodeHandshake(raw);
    if (msg.type !== row.on) throw new Error(`${kind} decoded as ${msg.type}`);
    const t = this.step(row.step, 'recv', row.rfc, messageTitle(row.on));
    const next = runStep(this.handlers, row, from, msg, raw, t);
    if (next instanceof Refusal) return next;
    if (!row.to.includes(next.name)) throw new Error(`step ${row.step} went to ${next.name}, not in the table`);
    this.st = next;
    if (next.name !== from.name) t.entry.state = { from: from.name, to: next.name };
    return undefined;
  }

  private handleAlert(content: Uint8Array): void {
    const a = decodeAlert(content);
    const name = alertName(a.description);
    const level = a.level === AlertLevel.warning ? 'warning' : 'fatal';
    const t = this.step('receiveAlert', 'recv', '6', 'Alert');
    t.entry.alert = { name, code: a.description, direction: 'received', level };
    this.events.push({ type: 'alert_received', alert: name, code: a.description, level });
    if (a.description === AlertDescription.close_notify) {
      this.readClosed = true;
      this.events.push({ type: 'closed', reason: 'close_notify' });
      if (this.writeClosed) this.closeState();
      return;
    }
    // RFC 8446 §6: user_canceled is a warning; every other alert is fatal whatever its level
    if (a.description === AlertDescription.user_canceled) return;
    this.events.push({ type: 'closed', reason: 'fatal_alert_received' });
    this.closeState();
  }

  // ------------------------------------------------------------------ output

  /** Queue a handshake message of the current flight; it enters `transcript` now. */
  protected sendHandshake(msg: HandshakeMessage, transcript: Transcript | null, t?: StepTrace): Uint8Array {
    const raw = encodeHandshake(msg);
    transcript?.add(raw);
    this.flight.push(raw);
    t?.field('bytes', raw.length);
    return raw;
  }

  /** Write the queued flight: as few records as fit, under the current write protection. */
  protected flushHandshake(recordVersion: number = ProtocolVersion['TLSv1.2']): void {
    if (this.flight.length === 0) return;
    const data = concatBytes(...this.flight);
    this.flight = [];
    this.writeRecords(ContentType.handshake, data, recordVersion);
  }

  protected sendChangeCipherSpec(): void {
    if (this.ccsSent) return;
    this.ccsSent = true;
    this.out.push(encodeRecord(ContentType.change_cipher_spec, ProtocolVersion['TLSv1.2'], Uint8Array.of(1)));
    this.step('sendChangeCipherSpec', 'send', 'D.4', 'change_cipher_spec').note('middlebox compatibility mode', true);
  }

  private maxFragment(): number {
    const limit = this.writeProtection && this.peerRecordSizeLimit ? this.peerRecordSizeLimit - 1 : MAX_PLAINTEXT;
    return Math.min(MAX_PLAINTEXT, limit);
  }

  private writeRecords(type: number, data: Uint8Array, recordVersion: number = ProtocolVersion['TLSv1.2']): void {
    const max = this.maxFragment();
    for (let o = 0; o < data.length || (o === 0 && data.length === 0); o += max) {
      const chunk = data.subarray(o, o + max);
      if (this.writeProtection) {
        const pad = Math.max(0, Math.min(this.config.recordPadding?.(type, chunk.length) ?? 0, MAX_PLAINTEXT - chunk.length));
        this.out.push(this.writeProtection.encrypt(type, chunk, pad));
      } else {
        this.out.push(encodeRecord(type, recordVersion, chunk));
      }
      if (data.length === 0) break;
    }
  }

  private writeApplicationData(data: Uint8Array): void {
    this.writeRecords(ContentType.application_data, data);
  }

  private sendAlert(level: number, description: number, reason: string, opensslReason?: string): void {
    const name = alertName(description);
    this.writeRecords(ContentType.alert, encodeAlert({ level, description }));
    const lvl = level === AlertLevel.warning ? 'warning' : 'fatal';
    const t = this.step('sendAlert', 'send', '6', 'Alert');
    t.entry.alert = { name, code: description, direction: 'sent', level: lvl, reason };
    this.events.push({
      type: 'alert_sent',
      alert: name,
      code: description,
      level: lvl,
      reason,
      ...(opensslReason ? { opensslReason } : {}),
    });
  }

  /** Abort on a step's Refusal or a thrown error: send the alert it maps to (once) and close. */
  protected fail(e: unknown): void {
    if (this.st.name === 'Closed') return;
    const { alert, reason, opensslReason } = alertForError(e);
    this.flight = [];
    try {
      this.sendAlert(AlertLevel.fatal, AlertDescription[alert], reason, opensslReason);
    } catch {
      // the alert cannot even be encrypted: close without it
    }
    this.events.push({ type: 'closed', reason: 'fatal_alert_sent' });
    this.closeState();
  }

  protected flush(): ReceiveResult {
    // entries are complete once the call that made them returns: hand them out now
    if (this.config.onTrace)
      for (; this.traceEmitted < this.trace.length; this.traceEmitted++) this.config.onTrace(this.trace[this.traceEmitted]);
    const r = { out: this.out, events: this.events };
    this.out = [];
    this.events = [];
    return r;
  }

  /** Called by the subclass when both Finished messages are done. */
  protected completeHandshake(): void {
    this.handshakeComplete = true;
    for (const d of this.pendingAppData) this.writeApplicationData(d);
    this.pendingAppData = [];
  }

  // ------------------------------------------------------------------ keys

  /** A fresh key pair for `group` from the configured randomness. */
  protected generateKeyShare(group: KeyExchangeGroup): KeyPair {
    return { group, ...generateKeyShare(group, (n) => this.random(n, `key_share:${group}`)) };
  }

  /**
   * RFC 8446 §7.1: (EC)DHE with the peer's share (illegal_parameter when it is not a valid
   * point), then from it and the transcript up to ServerHello the handshake traffic secrets
   * and the master secret; traced, logged in NSS key-log format, and installed for reading
   * and writing as this side's role says. The server traces its private key here, where it
   * is made; the client traced its own with its ClientHello.
   */
  protected establishHandshakeKeys(suite: Suite, transcript: Transcript, own: KeyPair, peerShare: Uint8Array): HandshakeKeys | Refusal {
    const t = this.step('establishHandshakeKeys', 'local', '7.1');
    if (this.role === 'server') t.secret(`${own.group} private key`, own.priv);
    let ecdhe: Uint8Array;
    try {
      ecdhe = sharedSecret(own.group, own.priv, peerShare);
    } catch (e) {
      const peer = this.role === 'client' ? 'server' : 'client';
      return t.refuse(`${peer} key share is a valid point`, 'illegal_parameter', e instanceof KeyExchangeError ? e.message : String(e));
    }
    const hash = suite.hash;
    const helloHash = transcript.hash(hash);
    const s = deriveHandshakeSecrets(hash, ecdhe, helloHash);
    t.secret('ecdhe_shared_secret', ecdhe)
      .secret('transcript_hash(ClientHello..ServerHello)', helloHash)
      .secret('early_secret', s.early)
      .secret('derived(early)', s.derivedForHandshake)
      .secret('handshake_secret', s.handshake)
      .secret('client_handshake_traffic_secret', s.clientHandshakeTraffic)
      .secret('server_handshake_traffic_secret', s.serverHandshakeTraffic)
      .secret('derived(handshake)', s.derivedForMaster)
      .secret('master_secret', s.master);
    this.keylog('CLIENT_HANDSHAKE_TRAFFIC_SECRET', s.clientHandshakeTraffic);
    this.keylog('SERVER_HANDSHAKE_TRAFFIC_SECRET', s.serverHandshakeTraffic);
    // each side installs what it needs next first (the trace shows the order)
    if (this.role === 'client') {
      this.setReadKeys(suite, s.serverHandshakeTraffic, 'server handshake traffic');
      this.setWriteKeys(suite, s.clientHandshakeTraffic, 'client handshake traffic');
    } else {
      this.setWriteKeys(suite, s.serverHandshakeTraffic, 'server handshake traffic');
      this.setReadKeys(suite, s.clientHandshakeTraffic, 'client handshake traffic');
    }
    return { suite, client: s.clientHandshakeTraffic, server: s.serverHandshakeTraffic, master: s.master };
  }

  /**
   * §7.1: the application traffic secrets and the exporter master secret from the transcript
   * through the server's Finished. Both sides derive them the same way; the server starts
   * writing with its secret at once, the client starts reading with it (the client's own
   * write keys follow its Finished).
   */
  protected installApplicationSecrets(t: StepTrace, keys: HandshakeKeys, transcript: Transcript): TrafficSecrets {
    const hash = keys.suite.hash;
    const serverFinishedHash = transcript.hash(hash);
    const app = deriveApplicationSecrets(hash, keys.master, serverFinishedHash);
    t.secret('transcript_hash(ClientHello..server Finished)', serverFinishedHash)
      .secret('client_application_traffic_secret_0', app.clientApplicationTraffic)
      .secret('server_application_traffic_secret_0', app.serverApplicationTraffic)
      .secret('exporter_master_secret', app.exporterMaster);
    this.keylog('CLIENT_TRAFFIC_SECRET_0', app.clientApplicationTraffic);
    this.keylog('SERVER_TRAFFIC_SECRET_0', app.serverApplicationTraffic);
    this.keylog('EXPORTER_SECRET', app.exporterMaster);
    if (this.role === 'client') this.setReadKeys(keys.suite, app.serverApplicationTraffic, 'server application traffic');
    else this.setWriteKeys(keys.suite, app.serverApplicationTraffic, 'server application traffic');
    return { suite: keys.suite, client: app.clientApplicationTraffic, server: app.serverApplicationTraffic, exporter: app.exporterMaster };
  }

  protected setReadKeys(suite: Suite, secret: Uint8Array, label: string): void {
    this.readProtection = new RecordProtection(suite, trafficKeys(suite, secret));
    this.readKeyChanged = true;
    this.step('installReadKeys', 'local', '7.3').field('keys', label);
  }
  protected setWriteKeys(suite: Suite, secret: Uint8Array, label: string): void {
    this.writeProtection = new RecordProtection(suite, trafficKeys(suite, secret));
    this.step('installWriteKeys', 'local', '7.3').field('keys', label);
  }

  private keylog(label: string, secret: Uint8Array): void {
    this.config.keylog?.(`${label} ${toHex(this.clientRandom)} ${toHex(secret)}`);
  }

  /** §4.6.3: send KeyUpdate under the current key, then move to the next generation. */
  private sendKeyUpdate(st: Connected, requestPeer: boolean, why: 'api' | 'peer'): void {
    const row = apiTransition(this.role, 'api:keyUpdate');
    const t = this.step(row.step, 'send', row.rfc, 'KeyUpdate').field(
      'request_update',
      requestPeer ? 'update_requested' : 'update_not_requested',
    );
    const raw = encodeHandshake({ type: 'key_update', requestUpdate: requestPeer ? 1 : 0 });
    this.writeRecords(ContentType.handshake, raw);
    const next = nextTrafficSecret(st.traffic.suite.hash, st.traffic[this.role]);
    st.traffic[this.role] = next;
    t.secret(`${this.role}_application_traffic_secret_N+1`, next).field('why', why);
    this.setWriteKeys(st.traffic.suite, next, `${this.role} application traffic (updated)`);
    this.events.push({ type: 'key_update', direction: 'send', updateRequested: requestPeer });
  }

  /** §4.6.3: the peer's KeyUpdate (a request_update other than 0 or 1 fails in the codec). */
  protected processKeyUpdate(st: Connected, m: KeyUpdate, t: StepTrace): Connected {
    t.field('request_update', m.requestUpdate);
    const peer = this.role === 'client' ? 'server' : 'client';
    const next = nextTrafficSecret(st.traffic.suite.hash, st.traffic[peer]);
    st.traffic[peer] = next;
    t.secret(`${peer}_application_traffic_secret_N+1`, next);
    this.setReadKeys(st.traffic.suite, next, 'peer application traffic (updated)');
    this.events.push({ type: 'key_update', direction: 'receive', updateRequested: m.requestUpdate === 1 });
    if (m.requestUpdate === 1 && !this.writeClosed) this.sendKeyUpdate(st, false, 'peer');
    return st;
  }

  // ------------------------------------------------------------------ helpers for steps

  protected step(step: string, direction: TraceEntry['direction'], rfc?: string, message?: string): StepTrace {
    const e = newEntry(++this.seq, this.role, step, direction, rfc, message);
    this.trace.push(e);
    return new StepTrace(e);
  }

  /** Move to Closed (once), keeping the application secrets for the exporter; traced. */
  private closeState(): void {
    const from = this.st;
    if (from.name === 'Closed') return;
    this.st = { name: 'Closed', traffic: trafficOf(from) };
    this.step('transition', 'local').entry.state = { from: from.name, to: 'Closed' };
  }
}
