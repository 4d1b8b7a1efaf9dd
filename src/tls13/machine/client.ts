// The TLS 1.3 client (RFC 8446 §4 from the client's side). Each step is a method named
// after what the RFC has the client do, citing its section; checks go through the trace
// builder, which records them and raises the RFC's alert on failure.

import { bytesEqual } from '../../der/bytes.js';
import {
  NamedGroup,
  ProtocolVersion,
  PskKeyExchangeMode,
  TLS13_CERTIFICATE_VERIFY_SCHEMES,
  cipherSuiteName,
  groupName,
  schemeName,
  versionName,
  type KeyExchangeGroup,
} from '../codec/constants.js';
import { extensionCode, findExtension, type Extension } from '../codec/extensions.js';
import {
  DOWNGRADE_TLS11,
  DOWNGRADE_TLS12,
  type CertificateRequest,
  type Certificate,
  type CertificateVerify,
  type ClientHello,
  type EncryptedExtensions,
  type Finished,
  type HandshakeMessage,
  type HelloRetryRequest,
  type NewSessionTicket,
  type ServerHello,
  encodeHandshake,
} from '../codec/messages.js';
import { KeyExchangeError, sharedSecret, type PublicKey } from '../deps.js';
import { finishedVerifyData, resumptionMasterSecret } from '../key-schedule.js';
import { suiteById } from '../suites.js';
import {
  checkExtensions,
  checkPeerCertificateVerify,
  checkPeerChain,
  checkPeerFinished,
  certificateVerifyContent,
  chooseScheme,
  ownPublicKey,
  schemeList,
  signCertificateVerify,
} from './common.js';
import { DEFAULTS, resolveSchemes, resolveSuites, type ClientConfig, type NegotiatedInfo } from './config.js';
import { TlsConnection } from './connection.js';

interface KeyPair {
  group: KeyExchangeGroup;
  priv: Uint8Array;
  pub: Uint8Array;
}

export class TlsClient extends TlsConnection {
  readonly role = 'client' as const;
  private readonly suites: number[];
  private readonly groups: KeyExchangeGroup[];
  private readonly schemes: number[];
  private sessionId = new Uint8Array(0);
  private keyPairs: KeyPair[] = [];
  private clientHello?: ClientHello;
  private offered = new Set<number>();
  private hrr?: HelloRetryRequest;
  private group?: KeyExchangeGroup;
  private certRequest?: CertificateRequest;
  private peerCerts: Uint8Array[] = [];
  private peerKey?: PublicKey;
  private negotiated: Partial<NegotiatedInfo> = {};
  /** resumption_master_secret, for whoever wants to resume elsewhere */
  resumptionMaster?: Uint8Array;
  readonly tickets: NewSessionTicket[] = [];

  constructor(readonly options: ClientConfig = {}) {
    super(options, 'Start');
    this.suites = resolveSuites(options.cipherSuites);
    this.groups = options.groups ?? DEFAULTS.groups;
    this.schemes = resolveSchemes(options.signatureSchemes);
    Object.assign(this.handlers, {
      processServerHello: (m: HandshakeMessage, r: Uint8Array) => this.processServerHello(m as ServerHello, r),
      processHelloRetryRequest: (m: HandshakeMessage, r: Uint8Array) => this.processHelloRetryRequest(m as HelloRetryRequest, r),
      processEncryptedExtensions: (m: HandshakeMessage, r: Uint8Array) => this.processEncryptedExtensions(m as EncryptedExtensions, r),
      processCertificateRequest: (m: HandshakeMessage, r: Uint8Array) => this.processCertificateRequest(m as CertificateRequest, r),
      readServerCertificate: (m: HandshakeMessage, r: Uint8Array) => this.readServerCertificate(m as Certificate, r),
      verifyServerSignature: (m: HandshakeMessage, r: Uint8Array) => this.verifyServerSignature(m as CertificateVerify, r),
      processServerFinished: (m: HandshakeMessage, r: Uint8Array) => this.processServerFinished(m as Finished, r),
      processNewSessionTicket: (m: HandshakeMessage) => this.processNewSessionTicket(m as NewSessionTicket),
      processKeyUpdate: (m: HandshakeMessage) => this.processKeyUpdate(m),
    });
  }

  private get allowsTls12(): boolean {
    return (this.options.minVersion ?? 'TLSv1.2') === 'TLSv1.2';
  }
  private get allowsTls13(): boolean {
    return (this.options.maxVersion ?? 'TLSv1.3') === 'TLSv1.3';
  }

  protected ccsAllowed(): boolean {
    return this.state !== 'Start' && !this.handshakeComplete && this.state !== 'Connected';
  }

  /** Build and send the first ClientHello. Returns the records to send. */
  start(): Uint8Array[] {
    if (this.state !== 'Start') throw new Error('start() called twice');
    try {
      this.sendClientHello();
      this.state = 'ExpectServerHello';
    } catch (e) {
      this.fail(e);
    }
    return this.flush().out;
  }

  // ------------------------------------------------------------------ §4.1.2

  private buildExtensions(retry: boolean): Extension[] {
    const o = this.options;
    const tls12 = this.allowsTls12;
    const versions = [...(this.allowsTls13 ? [ProtocolVersion['TLSv1.3']] : []), ...(tls12 ? [ProtocolVersion['TLSv1.2']] : [])];
    const exts: Extension[] = [];
    if (o.serverName) exts.push({ type: 'server_name', hostNames: [o.serverName] });
    if (tls12) exts.push({ type: 'ec_point_formats', formats: [0, 1, 2] });
    exts.push({
      type: 'supported_groups',
      groups: [...this.groups.map((g) => NamedGroup[g]), ...(o.advertisedOnlyGroups ?? []).map((g) => NamedGroup[g])],
    });
    if (tls12) exts.push({ type: 'session_ticket', ticket: new Uint8Array(0) });
    if (o.alpn?.length) exts.push({ type: 'application_layer_protocol_negotiation', protocols: o.alpn });
    if (tls12) exts.push({ type: 'encrypt_then_mac' }, { type: 'extended_master_secret' });
    exts.push({ type: 'signature_algorithms', schemes: this.schemes });
    if (this.allowsTls13) {
      exts.push({ type: 'supported_versions', versions });
      exts.push({ type: 'psk_key_exchange_modes', modes: [PskKeyExchangeMode.psk_dhe_ke] });
      exts.push({ type: 'key_share', shares: this.keyPairs.map((k) => ({ group: NamedGroup[k.group], keyExchange: k.pub })) });
      const cookie = findExtension(this.hrr?.extensions ?? [], 'cookie');
      if (retry && cookie) exts.push({ type: 'cookie', cookie: cookie.cookie });
    }
    if (o.recordSizeLimit) exts.push({ type: 'record_size_limit', limit: o.recordSizeLimit });
    const final = o.extensions ? o.extensions('client_hello', exts, { retry }) : exts;
    return o.clientHelloPadding === 'f5' ? this.pad(final) : final;
  }

  /** RFC 7685: grow a 256..511-byte ClientHello to 512 bytes with the padding extension. */
  private pad(exts: Extension[]): Extension[] {
    const probe: ClientHello = { ...this.clientHello!, extensions: exts.filter((e) => e.type !== 'padding') };
    const len = encodeHandshake(probe).length;
    if (len <= 255 || len >= 512) return probe.extensions;
    return [...probe.extensions, { type: 'padding', length: Math.max(0, 512 - len - 4) }];
  }

  private sendClientHello(): void {
    const t = this.step('sendClientHello', 'send', '4.1.2', 'ClientHello');
    this.clientRandom = this.random(32, 'client_random').slice();
    if (this.options.compatibilityMode ?? true) this.sessionId = this.random(32, 'session_id').slice();
    const shareGroups = this.options.keyShareGroups ?? this.groups.slice(0, 1);
    this.keyPairs = this.allowsTls13 ? shareGroups.map((g) => this.generateKeyShare(g)) : [];
    const suites = [
      ...(this.allowsTls13 ? this.suites : []),
      ...(this.allowsTls12 ? (this.options.tls12CipherSuites ?? DEFAULTS.tls12CipherSuites) : []),
    ];
    const ch: ClientHello = {
      type: 'client_hello',
      legacyVersion: ProtocolVersion['TLSv1.2'],
      random: this.clientRandom,
      legacySessionId: this.sessionId,
      cipherSuites: suites,
      legacyCompressionMethods: [0],
      extensions: [],
    };
    this.clientHello = ch;
    ch.extensions = this.buildExtensions(false);
    this.offered = new Set(ch.extensions.map(extensionCode));
    t.fields({
      random: ch.random,
      legacy_session_id: ch.legacySessionId,
      cipher_suites: suites.map(cipherSuiteName),
      key_shares: this.keyPairs.map((k) => k.group),
      server_name: this.options.serverName ?? '(none)',
    });
    for (const k of this.keyPairs) t.secret(`${k.group} private key`, k.priv);
    this.sendHandshake(ch, t);
    // OpenSSL and NSS send the first ClientHello with record version TLS 1.0 (RFC 8446 §5.1)
    this.flushHandshake(ProtocolVersion.TLSv1);
  }

  // ------------------------------------------------------------------ §4.1.3 / §4.1.4

  private checkServerHelloCommon(t: ReturnType<TlsConnection['step']>, m: ServerHello | HelloRetryRequest): void {
    t.check(
      'legacy_session_id_echo equals the ClientHello legacy_session_id',
      bytesEqual(m.legacySessionIdEcho, this.sessionId),
      'illegal_parameter',
    );
    t.check(
      `cipher suite ${cipherSuiteName(m.cipherSuite)} was offered`,
      this.suites.includes(m.cipherSuite) && !!suiteById(m.cipherSuite),
      'illegal_parameter',
    );
    t.check('legacy_compression_method is 0', m.legacyCompressionMethod === 0, 'illegal_parameter');
  }

  /** Returns the negotiated version, or stops at TLS 1.2. */
  private negotiateVersion(t: ReturnType<TlsConnection['step']>, m: ServerHello | HelloRetryRequest): 'TLSv1.3' | 'TLSv1.2' {
    const sv = findExtension(m.extensions, 'supported_versions');
    if (sv) {
      t.field('selected_version', versionName(sv.selected ?? 0));
      t.check(
        'supported_versions selects TLS 1.3, which was offered',
        sv.selected === ProtocolVersion['TLSv1.3'] && this.allowsTls13,
        'illegal_parameter',
      );
      return 'TLSv1.3';
    }
    t.field('legacy_version', versionName(m.legacyVersion));
    const tls12 = m.legacyVersion === ProtocolVersion['TLSv1.2'];
    t.check(
      'the server version is within our range',
      tls12 && this.allowsTls12,
      'protocol_version',
      `server chose ${versionName(m.legacyVersion)}`,
    );
    const tail = m.random.subarray(24);
    t.check(
      'no TLS 1.3 downgrade sentinel in ServerHello.random (RFC 8446 §4.1.3)',
      !this.allowsTls13 || !(bytesEqual(tail, DOWNGRADE_TLS12) || bytesEqual(tail, DOWNGRADE_TLS11)),
      'illegal_parameter',
    );
    return 'TLSv1.2';
  }

  private processServerHello(m: ServerHello, raw: Uint8Array): string {
    const t = this.step('processServerHello', 'recv', '4.1.3', 'ServerHello');
    t.fields({ random: m.random, cipher_suite: cipherSuiteName(m.cipherSuite) });
    if (this.negotiateVersion(t, m) === 'TLSv1.2') {
      // §4.1.4: the version the HelloRetryRequest selected must be kept; OpenSSL's
      // ssl_choose_client_version refuses the change with protocol_version (wrong ssl version)
      t.check('TLS 1.3, as the HelloRetryRequest selected, is kept (RFC 8446 §4.1.4)', !this.hrr, 'protocol_version');
      this.events.push({ type: 'negotiated', version: 'TLSv1.2' });
      t.note('TLS 1.2 negotiated: the TLS 1.3 engine stops here', true);
      return 'NegotiatedTls12';
    }
    this.checkServerHelloCommon(t, m);
    if (this.hrr)
      t.check('cipher suite equals the HelloRetryRequest cipher suite', m.cipherSuite === this.hrr.cipherSuite, 'illegal_parameter');
    checkExtensions(t, m.extensions, 'server_hello', this.offered);
    const ks = findExtension(m.extensions, 'key_share');
    t.check('key_share is present', !!ks?.share, 'missing_extension');
    const share = ks!.share!;
    const kp = this.keyPairs.find((k) => NamedGroup[k.group] === share.group);
    t.check(`key_share group ${groupName(share.group)} is one we sent a share for`, !!kp, 'illegal_parameter');
    this.suite = suiteById(m.cipherSuite)!;
    this.group = kp!.group;
    t.field('group', kp!.group).field('server_share', share.keyExchange);
    this.transcript.add(raw);
    this.establishHandshakeKeys(kp!, share.keyExchange);
    return 'ExpectEncryptedExtensions';
  }

  /** §7.1: (EC)DHE, the handshake secret and the handshake traffic keys. */
  private establishHandshakeKeys(kp: KeyPair, serverShare: Uint8Array): void {
    const t = this.step('establishHandshakeKeys', 'local', '7.1');
    let ecdhe: Uint8Array;
    try {
      ecdhe = sharedSecret(kp.group, kp.priv, serverShare);
    } catch (e) {
      t.check('server key share is a valid point', false, 'illegal_parameter', e instanceof KeyExchangeError ? e.message : String(e));
      return;
    }
    this.installHandshakeSecrets(t, ecdhe);
  }

  private processHelloRetryRequest(m: HelloRetryRequest, raw: Uint8Array): string {
    const t = this.step('processHelloRetryRequest', 'recv', '4.1.4', 'HelloRetryRequest');
    const sv = findExtension(m.extensions, 'supported_versions');
    t.check('HelloRetryRequest selects TLS 1.3', sv?.selected === ProtocolVersion['TLSv1.3'] && this.allowsTls13, 'illegal_parameter');
    this.checkServerHelloCommon(t, m);
    checkExtensions(t, m.extensions, 'hello_retry_request', new Set([...this.offered, 44 /* cookie */]));
    const ks = findExtension(m.extensions, 'key_share');
    const cookie = findExtension(m.extensions, 'cookie');
    t.check('HelloRetryRequest would change the ClientHello (key_share or cookie)', !!ks || !!cookie, 'illegal_parameter');
    let newGroup: KeyExchangeGroup | undefined;
    if (ks) {
      const g = ks.selectedGroup ?? -1;
      newGroup = this.groups.find((x) => NamedGroup[x] === g);
      t.field('selected_group', groupName(g));
      // a group we listed but cannot compute: the real peer would answer; pgtls stops here
      const listedOnly = (this.options.advertisedOnlyGroups ?? []).some((x) => NamedGroup[x] === g);
      t.check(
        `selected_group ${groupName(g)} is a group pgtls computes`,
        !listedOnly,
        'internal_error',
        listedOnly ? 'pgtls does not implement this group' : undefined,
      );
      t.check(`selected_group ${groupName(g)} is in our supported_groups`, !!newGroup, 'illegal_parameter');
      t.check(
        'selected_group is not a group we already sent a share for',
        !this.keyPairs.some((k) => k.group === newGroup),
        'illegal_parameter',
      );
    }
    if (cookie) t.field('cookie', cookie.cookie);
    this.hrr = m;
    this.suite = suiteById(m.cipherSuite)!;
    const synthetic = this.transcript.replaceWithMessageHash(this.suite.hash);
    t.secret('message_hash(ClientHello1)', synthetic);
    this.transcript.add(raw);
    this.events.push({ type: 'hello_retry_request', group: newGroup ?? '(cookie only)' });
    if (this.options.compatibilityMode ?? true) this.sendChangeCipherSpec();
    if (newGroup) this.keyPairs = [this.generateKeyShare(newGroup)];
    this.sendClientHelloAfterHrr();
    return 'ExpectServerHelloAfterHrr';
  }

  /** §4.1.2: the second ClientHello repeats the first with the new key_share and the cookie. */
  private sendClientHelloAfterHrr(): void {
    const t = this.step('sendClientHelloAfterHrr', 'send', '4.1.2', 'ClientHello');
    const ch: ClientHello = { ...this.clientHello!, extensions: this.buildExtensions(true) };
    this.clientHello = ch;
    this.offered = new Set(ch.extensions.map(extensionCode));
    t.field(
      'key_shares',
      this.keyPairs.map((k) => k.group),
    );
    for (const k of this.keyPairs) t.secret(`${k.group} private key`, k.priv);
    this.sendHandshake(ch, t);
    // after a HelloRetryRequest the record version is TLS 1.2, as OpenSSL and NSS send it
    this.flushHandshake(ProtocolVersion['TLSv1.2']);
  }

  // ------------------------------------------------------------------ §4.3

  private processEncryptedExtensions(m: EncryptedExtensions, raw: Uint8Array): string {
    const t = this.step('processEncryptedExtensions', 'recv', '4.3.1', 'EncryptedExtensions');
    checkExtensions(t, m.extensions, 'encrypted_extensions', this.offered);
    const alpn = findExtension(m.extensions, 'application_layer_protocol_negotiation');
    if (alpn) {
      t.check(
        'ALPN names exactly one protocol we offered',
        alpn.protocols.length === 1 && !!this.options.alpn?.includes(alpn.protocols[0]),
        'illegal_parameter',
      );
      this.negotiated.alpn = alpn.protocols[0];
      t.field('alpn', alpn.protocols[0]);
    }
    const sni = findExtension(m.extensions, 'server_name');
    if (sni) {
      t.check('server_name acknowledgement is empty', sni.hostNames.length === 0, 'illegal_parameter');
      this.negotiated.serverName = this.options.serverName;
    }
    const rsl = findExtension(m.extensions, 'record_size_limit');
    if (rsl) {
      this.peerRecordSizeLimit = rsl.limit;
      t.field('record_size_limit', rsl.limit);
    }
    const groups = findExtension(m.extensions, 'supported_groups');
    if (groups) t.field('server_supported_groups', groups.groups.map(groupName));
    this.transcript.add(raw);
    return 'ExpectCertificateRequestOrCertificate';
  }

  private processCertificateRequest(m: CertificateRequest, raw: Uint8Array): string {
    const t = this.step('processCertificateRequest', 'recv', '4.3.2', 'CertificateRequest');
    t.check('certificate_request_context is empty during the handshake', m.context.length === 0, 'illegal_parameter');
    checkExtensions(t, m.extensions, 'certificate_request', null);
    const sa = findExtension(m.extensions, 'signature_algorithms');
    t.check('signature_algorithms is present', !!sa, 'missing_extension');
    t.field('signature_algorithms', sa!.schemes.map(schemeName));
    const ca = findExtension(m.extensions, 'certificate_authorities');
    if (ca) t.field('certificate_authorities', ca.names.length);
    this.certRequest = m;
    this.negotiated.clientCertificateRequested = true;
    this.transcript.add(raw);
    return 'ExpectCertificate';
  }

  // ------------------------------------------------------------------ §4.4

  private readServerCertificate(m: Certificate, raw: Uint8Array): string {
    const t = this.step('readServerCertificate', 'recv', '4.4.2', 'Certificate');
    t.check('certificate_request_context is empty', m.context.length === 0, 'illegal_parameter');
    t.check('the server sent at least one certificate (RFC 8446 §4.4.2.4)', m.entries.length > 0, 'decode_error');
    for (const e of m.entries) checkExtensions(t, e.extensions, 'certificate', this.offered);
    this.peerCerts = m.entries.map((e) => e.data);
    t.field('certificates', this.peerCerts.length);
    this.peerKey = checkPeerChain(t, this.peerCerts, 'server', this.options.verifyPeerChain);
    this.transcript.add(raw);
    return 'ExpectCertificateVerify';
  }

  private verifyServerSignature(m: CertificateVerify, raw: Uint8Array): string {
    const t = this.step('verifyServerSignature', 'recv', '4.4.3', 'CertificateVerify');
    t.field('algorithm', schemeName(m.scheme));
    t.check(`${schemeName(m.scheme)} was offered in signature_algorithms`, this.schemes.includes(m.scheme), 'illegal_parameter');
    t.check(
      `${schemeName(m.scheme)} is allowed in TLS 1.3 CertificateVerify`,
      TLS13_CERTIFICATE_VERIFY_SCHEMES.has(m.scheme),
      'illegal_parameter',
    );
    checkPeerCertificateVerify(t, m.scheme, m.signature, this.peerKey!, 'server', this.transcript.hash(this.suite!.hash));
    this.negotiated.peerSignatureScheme = schemeName(m.scheme);
    this.transcript.add(raw);
    return 'ExpectFinished';
  }

  private processServerFinished(m: Finished, raw: Uint8Array): string {
    const t = this.step('processServerFinished', 'recv', '4.4.4', 'Finished');
    const hash = this.suite!.hash;
    checkPeerFinished(t, 'server', hash, this.serverHsSecret!, this.transcript.hash(hash), m.verifyData);
    this.transcript.add(raw);
    this.installApplicationSecrets(t);
    if ((this.options.compatibilityMode ?? true) && !this.ccsSent) this.sendChangeCipherSpec();
    if (this.certRequest) this.sendClientCertificate();
    this.sendClientFinished();
    return 'Connected';
  }

  /** §4.4.2: our Certificate (empty when we have none that fits) and CertificateVerify. */
  private sendClientCertificate(): void {
    const t = this.step('sendClientCertificate', 'send', '4.4.2', 'Certificate');
    const cert = this.options.certificate;
    const sa = findExtension(this.certRequest!.extensions, 'signature_algorithms')!;
    let scheme: number | undefined;
    if (cert?.chain.length) {
      scheme = chooseScheme(sa.schemes, this.schemes, ownPublicKey(cert));
      t.note(
        'a certificate signature scheme the server accepts',
        scheme !== undefined,
        scheme ? schemeName(scheme) : `server accepts ${schemeList(sa.schemes)}`,
      );
    }
    const chain = scheme !== undefined ? cert!.chain : [];
    t.field('certificates', chain.length);
    this.sendHandshake(
      { type: 'certificate', context: this.certRequest!.context, entries: chain.map((data) => ({ data, extensions: [] })) },
      t,
    );
    if (scheme === undefined) return;
    const cv = this.step('sendClientCertificateVerify', 'send', '4.4.3', 'CertificateVerify').field('algorithm', schemeName(scheme));
    const content = certificateVerifyContent('client', this.transcript.hash(this.suite!.hash));
    const signature = signCertificateVerify(cert!, scheme, content, this.random);
    this.negotiated.signatureScheme = schemeName(scheme);
    this.sendHandshake({ type: 'certificate_verify', scheme, signature }, cv);
  }

  private sendClientFinished(): void {
    const t = this.step('sendClientFinished', 'send', '4.4.4', 'Finished');
    const hash = this.suite!.hash;
    const verifyData = finishedVerifyData(hash, this.clientHsSecret!, this.transcript.hash(hash));
    t.field('verify_data', verifyData);
    this.sendHandshake({ type: 'finished', verifyData }, t);
    this.flushHandshake();
    this.resumptionMaster = resumptionMasterSecret(hash, this.master!, this.transcript.hash(hash));
    t.secret('resumption_master_secret', this.resumptionMaster);
    this.setWriteKeys(this.clientAppSecret!, 'client application traffic');
    this.completeHandshake();
    this.events.push({ type: 'handshake_done', negotiated: this.negotiatedInfo() });
  }

  private negotiatedInfo(): NegotiatedInfo {
    return {
      version: 'TLSv1.3',
      cipherSuite: cipherSuiteName(this.suite!.id),
      group: this.group!,
      peerCertificates: this.peerCerts,
      helloRetryRequest: !!this.hrr,
      clientCertificateRequested: !!this.certRequest,
      ...this.negotiated,
    };
  }

  // ------------------------------------------------------------------ §4.6

  private processNewSessionTicket(m: NewSessionTicket): string {
    const t = this.step('processNewSessionTicket', 'recv', '4.6.1', 'NewSessionTicket');
    t.fields({ ticket_lifetime: m.lifetime, ticket_nonce: m.nonce, ticket_bytes: m.ticket.length });
    t.check('ticket_lifetime is at most 7 days', m.lifetime <= 604800, 'illegal_parameter');
    this.tickets.push(m);
    this.events.push({ type: 'new_session_ticket', ticket: m });
    return 'Connected';
  }
}
