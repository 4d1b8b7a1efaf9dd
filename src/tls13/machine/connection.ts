// What the client and the server share: the sans-I/O connection object. Bytes come in
// through receive(), go through the record layer, the handshake reassembler and the state
// table; the step functions of the subclass do the protocol work. Output records and events
// are collected and handed back. Any error becomes the RFC's alert, sent once; afterwards
// the connection is Closed and ignores input (never a crash, never a hang).

import { concatBytes, toHex } from '../../der/bytes.js';
import { AlertDescription, AlertLevel, alertName, decodeAlert, encodeAlert, type AlertName } from '../alerts.js';
import { ContentType, ProtocolVersion, type KeyExchangeGroup } from '../codec/constants.js';
import { decodeHandshake, encodeHandshake, messageTitle, peekKind, type HandshakeMessage } from '../codec/messages.js';
import { generateKeyShare } from '../deps.js';
import { TlsAlertError, TlsStateError, alertForError } from '../errors.js';
import {
  Transcript,
  deriveApplicationSecrets,
  deriveHandshakeSecrets,
  exportKeyingMaterial,
  nextTrafficSecret,
  trafficKeys,
} from '../key-schedule.js';
import { HandshakeReassembler, MAX_PLAINTEXT, RecordProtection, RecordReader, encodeRecord } from '../record.js';
import type { Suite } from '../suites.js';
import { StepTrace, newEntry, type Role, type TraceEntry } from '../trace.js';
import { defaultRandom, type CommonConfig, type RandomSource, type TlsEvent } from './config.js';
import { findTransition } from './table.js';

export interface ReceiveResult {
  /** records to send to the peer, in order */
  out: Uint8Array[];
  events: TlsEvent[];
}

type Handler = (msg: HandshakeMessage, raw: Uint8Array) => string;

export abstract class TlsConnection {
  abstract readonly role: Role;
  state: string;
  readonly trace: TraceEntry[] = [];
  protected out: Uint8Array[] = [];
  protected events: TlsEvent[] = [];
  private reader = new RecordReader();
  private reassembler = new HandshakeReassembler();
  protected readProtection?: RecordProtection;
  protected writeProtection?: RecordProtection;
  /** set when the read key changed while handling the current message (§5.1 boundary rule) */
  private readKeyChanged = false;
  protected transcript = new Transcript();
  protected suite?: Suite;
  protected clientRandom = new Uint8Array(32);
  protected clientHsSecret?: Uint8Array;
  protected serverHsSecret?: Uint8Array;
  protected master?: Uint8Array;
  protected clientAppSecret?: Uint8Array;
  protected serverAppSecret?: Uint8Array;
  protected exporterMaster?: Uint8Array;
  /** handshake messages of the flight being built, sent together by flushHandshake() */
  private flight: Uint8Array[] = [];
  private pendingAppData: Uint8Array[] = [];
  protected handshakeComplete = false;
  /** the peer's close_notify arrived: ignore further input */
  private readClosed = false;
  private writeClosed = false;
  /** peer's RFC 8449 limit on the protected records we send */
  protected peerRecordSizeLimit?: number;
  protected ccsSent = false;
  private seq = 0;
  private traceEmitted = 0;
  protected readonly random: RandomSource;
  protected readonly handlers: Record<string, Handler> = {};

  constructor(
    protected readonly config: CommonConfig,
    initialState: string,
  ) {
    this.state = initialState;
    this.random = config.random ?? defaultRandom;
  }

  /** Is this connection finished (closed by alert or close_notify)? */
  get closed(): boolean {
    return this.state === 'Closed';
  }
  get connected(): boolean {
    return this.state === 'Connected';
  }

  // ------------------------------------------------------------------ public API

  /** Feed bytes from the peer. Returns the records to send back and what happened. */
  receive(bytes: Uint8Array): ReceiveResult {
    if (this.state === 'Closed' || this.state === 'NegotiatedTls12' || this.readClosed) return this.flush();
    try {
      for (const rec of this.reader.push(bytes)) {
        this.handleRecord(rec.type, rec.version, rec.fragment);
        if (this.state === 'Closed' || this.state === 'NegotiatedTls12' || this.readClosed) break;
      }
    } catch (e) {
      this.fail(e);
    }
    return this.flush();
  }

  /** Application data to send; queued until the handshake completes. */
  send(data: Uint8Array): Uint8Array[] {
    this.assertCanSend('send', false);
    if (!this.handshakeComplete) this.pendingAppData.push(data.slice());
    else this.writeApplicationData(data);
    return this.flush().out;
  }

  /** Send close_notify (RFC 8446 §6.1). */
  close(): Uint8Array[] {
    if (this.state !== 'Closed' && !this.writeClosed) {
      this.sendAlert(AlertLevel.warning, AlertDescription.close_notify, 'close() called');
      this.writeClosed = true;
      if (this.readClosed) this.setState('Closed');
    }
    return this.flush().out;
  }

  /** Update our sending keys, optionally asking the peer to update too (RFC 8446 §4.6.3). */
  keyUpdate(requestPeerUpdate = false): Uint8Array[] {
    this.assertCanSend('keyUpdate', true);
    this.sendKeyUpdate(requestPeerUpdate, 'api');
    return this.flush().out;
  }

  /**
   * Refuse a call that would write after close() (close_notify sent: RFC 8446 §6.1 allows
   * nothing after it) or after the connection closed; `connected` also requires a
   * completed handshake. TlsStateError, nothing sent.
   */
  protected assertCanSend(operation: string, connected: boolean): void {
    if (this.state === 'Closed' || this.writeClosed) throw new TlsStateError(operation, 'closed');
    if (connected && this.state !== 'Connected') throw new TlsStateError(operation, 'not_connected');
  }

  /** RFC 8446 §7.5 exporter (Node: tlsSocket.exportKeyingMaterial). */
  exportKeyingMaterial(length: number, label: string, context: Uint8Array = new Uint8Array(0)): Uint8Array {
    if (!this.exporterMaster || !this.suite) throw new Error('exporter needs a completed handshake');
    return exportKeyingMaterial(this.suite.hash, this.exporterMaster, label, context, length);
  }

  // ------------------------------------------------------------------ record handling

  /** RFC 8446 §5: a change_cipher_spec (0x01) is dropped between the first ClientHello and the peer's Finished. */
  protected abstract ccsAllowed(): boolean;

  private handleRecord(type: number, version: number, fragment: Uint8Array): void {
    if (type === ContentType.change_cipher_spec) {
      const ok = this.ccsAllowed() && fragment.length === 1 && fragment[0] === 1;
      const t = this.step('receiveChangeCipherSpec', 'recv', '5', 'change_cipher_spec');
      t.check('change_cipher_spec is the compatibility value 0x01 and arrives during the handshake', ok, 'unexpected_message');
      t.note('dropped without processing', true);
      return;
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
        return this.handleAlert(content);
      case ContentType.application_data:
        if (!this.handshakeComplete) throw new TlsAlertError('unexpected_message', 'application data before the handshake completed');
        this.events.push({ type: 'application_data', data: content.slice() });
        return;
      default:
        throw new TlsAlertError('unexpected_message', `content type ${contentType}`);
    }
  }

  private handleHandshakeFragment(content: Uint8Array): void {
    if (content.length === 0) throw new TlsAlertError('unexpected_message', 'zero-length handshake fragment (RFC 8446 §5.1)');
    const messages = this.reassembler.push(content);
    for (let i = 0; i < messages.length; i++) {
      this.readKeyChanged = false;
      this.handleHandshakeMessage(messages[i]);
      if (this.state === 'Closed' || this.state === 'NegotiatedTls12') return;
      if (this.readKeyChanged && (i < messages.length - 1 || !this.reassembler.empty())) {
        throw new TlsAlertError('unexpected_message', 'handshake data after a key change in the same record (RFC 8446 §5.1)');
      }
    }
  }

  private handleHandshakeMessage(raw: Uint8Array): void {
    const kind = peekKind(raw);
    const transition = findTransition(this.role, this.state, kind);
    if (!transition) {
      const t = this.step('dispatch', 'recv', '4', messageTitle(kind === 'unknown' ? `handshake type ${raw[0]}` : kind));
      t.check(`${this.state} accepts ${messageTitle(kind)}`, false, 'unexpected_message', `state ${this.state} does not accept it`);
    }
    const msg = decodeHandshake(raw);
    const handler = this.handlers[transition!.step];
    const from = this.state;
    const firstEntry = this.trace.length;
    const to = handler(msg, raw);
    if (!transition!.to.includes(to)) throw new Error(`step ${transition!.step} went to ${to}, not in the table`);
    this.state = to;
    const entry = this.trace[firstEntry];
    if (entry && to !== from) entry.state = { from, to };
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
      if (this.writeClosed) this.setState('Closed');
      return;
    }
    // RFC 8446 §6: user_canceled is a warning; every other alert is fatal whatever its level
    if (a.description === AlertDescription.user_canceled) return;
    this.events.push({ type: 'closed', reason: 'fatal_alert_received' });
    this.setState('Closed');
  }

  // ------------------------------------------------------------------ output

  /** Queue a handshake message of the current flight; it enters the transcript now. */
  protected sendHandshake(msg: HandshakeMessage, t?: StepTrace): Uint8Array {
    const raw = encodeHandshake(msg);
    this.transcript.add(raw);
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

  protected sendAlert(level: number, description: number, reason: string, opensslReason?: string): void {
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

  /** Abort: send the alert the error maps to (once) and close. */
  protected fail(e: unknown): void {
    if (this.state === 'Closed') return;
    const { alert, reason, opensslReason } = alertForError(e);
    this.flight = [];
    try {
      this.sendAlert(AlertLevel.fatal, AlertDescription[alert as AlertName], reason, opensslReason);
    } catch {
      // the alert cannot even be encrypted: close without it
    }
    this.events.push({ type: 'closed', reason: 'fatal_alert_sent' });
    this.setState('Closed');
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

  /**
   * RFC 8446 §7.1: from the (EC)DHE secret and the transcript up to ServerHello, the
   * handshake traffic secrets and the master secret; traced, logged in NSS key-log format,
   * and installed for reading and writing as this side's role says.
   */
  protected installHandshakeSecrets(t: StepTrace, ecdhe: Uint8Array): void {
    const hash = this.suite!.hash;
    const helloHash = this.transcript.hash(hash);
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
    this.clientHsSecret = s.clientHandshakeTraffic;
    this.serverHsSecret = s.serverHandshakeTraffic;
    this.master = s.master;
    this.keylog('CLIENT_HANDSHAKE_TRAFFIC_SECRET', s.clientHandshakeTraffic);
    this.keylog('SERVER_HANDSHAKE_TRAFFIC_SECRET', s.serverHandshakeTraffic);
    // each side installs what it needs next first (the trace shows the order)
    if (this.role === 'client') {
      this.setReadKeys(s.serverHandshakeTraffic, 'server handshake traffic');
      this.setWriteKeys(s.clientHandshakeTraffic, 'client handshake traffic');
    } else {
      this.setWriteKeys(s.serverHandshakeTraffic, 'server handshake traffic');
      this.setReadKeys(s.clientHandshakeTraffic, 'client handshake traffic');
    }
  }

  /**
   * §7.1: the application traffic secrets and the exporter master secret from the transcript
   * through the server's Finished. Both sides derive them the same way; the server starts
   * writing with its secret at once, the client starts reading with it (the client's own
   * write keys follow its Finished).
   */
  protected installApplicationSecrets(t: StepTrace): void {
    const hash = this.suite!.hash;
    const serverFinishedHash = this.transcript.hash(hash);
    const app = deriveApplicationSecrets(hash, this.master!, serverFinishedHash);
    t.secret('transcript_hash(ClientHello..server Finished)', serverFinishedHash)
      .secret('client_application_traffic_secret_0', app.clientApplicationTraffic)
      .secret('server_application_traffic_secret_0', app.serverApplicationTraffic)
      .secret('exporter_master_secret', app.exporterMaster);
    this.clientAppSecret = app.clientApplicationTraffic;
    this.serverAppSecret = app.serverApplicationTraffic;
    this.exporterMaster = app.exporterMaster;
    this.keylog('CLIENT_TRAFFIC_SECRET_0', app.clientApplicationTraffic);
    this.keylog('SERVER_TRAFFIC_SECRET_0', app.serverApplicationTraffic);
    this.keylog('EXPORTER_SECRET', app.exporterMaster);
    if (this.role === 'client') this.setReadKeys(app.serverApplicationTraffic, 'server application traffic');
    else this.setWriteKeys(app.serverApplicationTraffic, 'server application traffic');
  }

  protected setReadKeys(secret: Uint8Array, label: string): void {
    this.readProtection = new RecordProtection(this.suite!, trafficKeys(this.suite!, secret));
    this.readKeyChanged = true;
    this.step('installReadKeys', 'local', '7.3').field('keys', label);
  }
  protected setWriteKeys(secret: Uint8Array, label: string): void {
    this.writeProtection = new RecordProtection(this.suite!, trafficKeys(this.suite!, secret));
    this.step('installWriteKeys', 'local', '7.3').field('keys', label);
  }

  protected keylog(label: string, secret: Uint8Array): void {
    this.config.keylog?.(`${label} ${toHex(this.clientRandom)} ${toHex(secret)}`);
  }

  /** §4.6.3: send KeyUpdate under the current key, then move to the next generation. */
  protected sendKeyUpdate(requestPeer: boolean, why: 'api' | 'peer'): void {
    const t = this.step('sendKeyUpdate', 'send', '4.6.3', 'KeyUpdate').field(
      'request_update',
      requestPeer ? 'update_requested' : 'update_not_requested',
    );
    const raw = encodeHandshake({ type: 'key_update', requestUpdate: requestPeer ? 1 : 0 });
    this.writeRecords(ContentType.handshake, raw);
    const mine = this.role === 'client' ? 'clientAppSecret' : 'serverAppSecret';
    const next = nextTrafficSecret(this.suite!.hash, this[mine]!);
    this[mine] = next;
    t.secret(`${this.role}_application_traffic_secret_N+1`, next).field('why', why);
    this.setWriteKeys(next, `${this.role} application traffic (updated)`);
    this.events.push({ type: 'key_update', direction: 'send', updateRequested: requestPeer });
  }

  /** §4.6.3: the peer's KeyUpdate. */
  protected processKeyUpdate(msg: HandshakeMessage): string {
    const m = msg as Extract<HandshakeMessage, { type: 'key_update' }>;
    const t = this.step('processKeyUpdate', 'recv', '4.6.3', 'KeyUpdate').field('request_update', m.requestUpdate);
    const peer = this.role === 'client' ? 'serverAppSecret' : 'clientAppSecret';
    const next = nextTrafficSecret(this.suite!.hash, this[peer]!);
    this[peer] = next;
    t.secret(`${this.role === 'client' ? 'server' : 'client'}_application_traffic_secret_N+1`, next);
    this.setReadKeys(next, 'peer application traffic (updated)');
    this.events.push({ type: 'key_update', direction: 'receive', updateRequested: m.requestUpdate === 1 });
    if (m.requestUpdate === 1 && !this.writeClosed) this.sendKeyUpdate(false, 'peer');
    return 'Connected';
  }

  // ------------------------------------------------------------------ helpers for steps

  protected step(step: string, direction: TraceEntry['direction'], rfc?: string, message?: string): StepTrace {
    const e = newEntry(++this.seq, this.role, step, direction, rfc, message);
    this.trace.push(e);
    return new StepTrace(e);
  }

  protected setState(to: string, from = this.state): void {
    if (to === from) return;
    this.state = to;
    this.step('transition', 'local').entry.state = { from, to };
  }

  /** A fresh key pair for `group` from the configured randomness. */
  protected generateKeyShare(group: KeyExchangeGroup): { group: KeyExchangeGroup; priv: Uint8Array; pub: Uint8Array } {
    return { group, ...generateKeyShare(group, (n) => this.random(n, `key_share:${group}`)) };
  }
}
