// The TLS 1.3 server (RFC 8446 §4 from the server's side): ClientHello negotiation
// (version, cipher suite, group, signature scheme, ALPN), HelloRetryRequest, the server
// flight (ServerHello, EncryptedExtensions, CertificateRequest, Certificate,
// CertificateVerify, Finished), client authentication and the client Finished.

import { bytesEqual } from '../../der/bytes.js';
import {
  NamedGroup,
  ProtocolVersion,
  cipherSuiteName,
  groupName,
  schemeName,
  versionName,
  type KeyExchangeGroup,
} from '../codec/constants.js';
import { findExtension, type Extension, type KeyShareEntry } from '../codec/extensions.js';
import {
  DOWNGRADE_TLS12,
  HELLO_RETRY_REQUEST_RANDOM,
  type Certificate,
  type CertificateVerify,
  type ClientHello,
  type Finished,
  type HandshakeMessage,
  type HelloRetryRequest,
  type ServerHello,
} from '../codec/messages.js';
import { KeyExchangeError, sharedSecret, type PublicKey } from '../deps.js';
import { TlsAlertError } from '../errors.js';
import { finishedVerifyData, resumptionMasterSecret } from '../key-schedule.js';
import { suiteById, type Suite } from '../suites.js';
import type { StepTrace } from '../trace.js';
import {
  certificateVerifyContent,
  checkExtensions,
  checkPeerCertificateVerify,
  checkPeerChain,
  checkPeerFinished,
  chooseScheme,
  ownPublicKey,
  schemeList,
  signCertificateVerify,
} from './common.js';
import { DEFAULTS, resolveSchemes, resolveSuites, type NegotiatedInfo, type ServerConfig, type TicketSpec } from './config.js';
import { TlsConnection } from './connection.js';

interface Selection {
  suite: Suite;
  group: KeyExchangeGroup;
  /** the client's share for `group`, absent when a HelloRetryRequest is needed */
  share?: KeyShareEntry;
  scheme: number;
  alpn?: string;
  serverName?: string;
}

export class TlsServer extends TlsConnection {
  readonly role = 'server' as const;
  private readonly suites: number[];
  private readonly groups: KeyExchangeGroup[];
  private readonly schemes: number[];
  private firstHello?: ClientHello;
  private hrrSent?: { suite: Suite; group: KeyExchangeGroup; cookie?: Uint8Array };
  private selection?: Selection;
  private certRequested = false;
  private certRequestSchemes: number[] = [];
  private peerCerts: Uint8Array[] = [];
  private peerKey?: PublicKey;
  private negotiated: Partial<NegotiatedInfo> = {};
  private ticketsSent = 0;
  resumptionMaster?: Uint8Array;

  constructor(readonly options: ServerConfig = {}) {
    super(options, 'ExpectClientHello');
    this.suites = resolveSuites(options.cipherSuites);
    this.groups = options.groups ?? DEFAULTS.groups;
    this.schemes = resolveSchemes(options.signatureSchemes);
    Object.assign(this.handlers, {
      processClientHello: (m: HandshakeMessage, r: Uint8Array) => this.processClientHello(m as ClientHello, r),
      processClientHelloAfterHrr: (m: HandshakeMessage, r: Uint8Array) => this.processClientHelloAfterHrr(m as ClientHello, r),
      readClientCertificate: (m: HandshakeMessage, r: Uint8Array) => this.readClientCertificate(m as Certificate, r),
      verifyClientSignature: (m: HandshakeMessage, r: Uint8Array) => this.verifyClientSignature(m as CertificateVerify, r),
      processClientFinished: (m: HandshakeMessage, r: Uint8Array) => this.processClientFinished(m as Finished, r),
      processKeyUpdate: (m: HandshakeMessage) => this.processKeyUpdate(m),
    });
  }

  /** A server has nothing to say first; provided for symmetry with TlsClient. */
  start(): Uint8Array[] {
    return [];
  }

  protected ccsAllowed(): boolean {
    return this.state !== 'ExpectClientHello' && !this.handshakeComplete && this.state !== 'Connected';
  }

  private get compat(): boolean {
    return this.options.compatibilityMode ?? true;
  }

  // ------------------------------------------------------------------ §4.1.2, §4.2, §9.2

  private negotiateVersion(t: StepTrace, ch: ClientHello): 'TLSv1.3' | 'TLSv1.2' {
    const allows13 = (this.options.maxVersion ?? 'TLSv1.3') === 'TLSv1.3';
    const allows12 = (this.options.minVersion ?? 'TLSv1.2') === 'TLSv1.2';
    const sv = findExtension(ch.extensions, 'supported_versions');
    const offered = sv?.versions ?? [];
    t.field('client_versions', sv ? offered.map(versionName) : `legacy_version ${versionName(ch.legacyVersion)}`);
    if (allows13 && offered.includes(ProtocolVersion['TLSv1.3'])) return 'TLSv1.3';
    const offers12 = sv ? offered.includes(ProtocolVersion['TLSv1.2']) : ch.legacyVersion >= ProtocolVersion['TLSv1.2'];
    t.check(
      'client and server versions overlap',
      allows12 && offers12,
      'protocol_version',
      `client offers ${sv ? offered.map(versionName).join(', ') : versionName(ch.legacyVersion)}`,
    );
    return 'TLSv1.2';
  }

  /** Everything a ClientHello must satisfy before the server can answer (§4.1.2, §4.2.8, §9.2). */
  private select(t: StepTrace, ch: ClientHello): Selection {
    t.check(
      'legacy_compression_methods is exactly [null]',
      ch.legacyCompressionMethods.length === 1 && ch.legacyCompressionMethods[0] === 0,
      'illegal_parameter',
    );
    checkExtensions(t, ch.extensions, 'client_hello', null);
    const sa = findExtension(ch.extensions, 'signature_algorithms');
    const sg = findExtension(ch.extensions, 'supported_groups');
    const ks = findExtension(ch.extensions, 'key_share');
    t.check('signature_algorithms is present (RFC 8446 §9.2)', !!sa, 'missing_extension');
    t.check('supported_groups and key_share are both present (RFC 8446 §9.2)', !!sg && !!ks, 'missing_extension');
    const shares = ks!.shares ?? [];
    const clientGroups = sg!.groups;
    // §4.2.8: shares in supported_groups order, one per group
    const positions = shares.map((s) => clientGroups.indexOf(s.group));
    t.check(
      'every key_share group is in supported_groups',
      positions.every((p) => p >= 0),
      'illegal_parameter',
    );
    t.check(
      'key shares are in supported_groups order without duplicates',
      positions.every((p, i) => i === 0 || p > positions[i - 1]),
      'illegal_parameter',
    );
    t.field(
      'client_key_shares',
      shares.map((s) => groupName(s.group)),
    );

    const prefer = this.options.preferServerCipherSuites ?? false;
    const common = prefer ? this.suites.filter((s) => ch.cipherSuites.includes(s)) : ch.cipherSuites.filter((s) => this.suites.includes(s));
    const suite = common.map(suiteById).find((s) => s !== undefined);
    t.check(
      'a cipher suite both sides support',
      !!suite,
      'handshake_failure',
      `client offers ${ch.cipherSuites.map(cipherSuiteName).join(', ')}`,
      'no shared cipher',
    );
    t.field('cipher_suite', suite!.name);

    const supported = this.groups.filter((g) => clientGroups.includes(NamedGroup[g]));
    t.check(
      'a key exchange group both sides support',
      supported.length > 0,
      'handshake_failure',
      `client supports ${clientGroups.map(groupName).join(', ')}; server allows ${this.groups.join(', ') || 'none in TLS 1.3'}`,
      'no suitable key share',
    );
    let group: KeyExchangeGroup;
    let share: KeyShareEntry | undefined;
    if ((this.options.hrrPolicy ?? 'preferred-group') === 'preferred-group') {
      group = supported[0];
      share = shares.find((s) => s.group === NamedGroup[group]);
    } else {
      share = shares.find((s) => this.groups.some((g) => NamedGroup[g] === s.group));
      group = share ? this.groups.find((g) => NamedGroup[g] === share!.group)! : supported[0];
    }
    t.field('group', group).note(`client sent a key share for ${group}`, !!share, share ? undefined : 'HelloRetryRequest needed');

    const cert = this.options.certificate;
    if (!cert) throw new TlsAlertError('internal_error', 'server has no certificate configured');
    const scheme = chooseScheme(sa!.schemes, this.schemes, ownPublicKey(cert));
    t.check(
      'a signature scheme for our certificate that the client accepts',
      scheme !== undefined,
      'handshake_failure',
      `client accepts ${schemeList(sa!.schemes)}`,
    );
    t.field('signature_scheme', schemeName(scheme!));

    let alpn: string | undefined;
    const calpn = findExtension(ch.extensions, 'application_layer_protocol_negotiation');
    if (calpn && this.options.alpn?.length) {
      alpn = this.options.alpn.find((p) => calpn.protocols.includes(p));
      t.check(
        'an application protocol both sides support',
        !!alpn,
        'no_application_protocol',
        `client offers ${calpn.protocols.join(', ')}`,
      );
      t.field('alpn', alpn);
    }
    const sni = findExtension(ch.extensions, 'server_name');
    if (sni) t.field('server_name', sni.hostNames[0] ?? '');
    return { suite: suite!, group, share, scheme: scheme!, alpn, serverName: sni?.hostNames[0] };
  }

  private processClientHello(ch: ClientHello, raw: Uint8Array): string {
    const t = this.step('processClientHello', 'recv', '4.1.2', 'ClientHello');
    t.fields({ random: ch.random, legacy_session_id: ch.legacySessionId, cipher_suites: ch.cipherSuites.map(cipherSuiteName) });
    this.clientRandom = ch.random.slice();
    if (this.negotiateVersion(t, ch) === 'TLSv1.2') {
      this.events.push({ type: 'negotiated', version: 'TLSv1.2' });
      t.note('TLS 1.2 negotiated: the TLS 1.3 engine stops here', true);
      return 'NegotiatedTls12';
    }
    const sel = this.select(t, ch);
    this.firstHello = ch;
    this.transcript.add(raw);
    if (!sel.share) return this.sendHelloRetryRequest(ch, sel);
    return this.sendServerFlight(ch, sel);
  }

  /** §4.1.4: ask for a share of `sel.group` (and hand out a cookie if configured). */
  private sendHelloRetryRequest(ch: ClientHello, sel: Selection): string {
    const t = this.step('sendHelloRetryRequest', 'send', '4.1.4', 'HelloRetryRequest');
    const synthetic = this.transcript.replaceWithMessageHash(sel.suite.hash);
    t.secret('message_hash(ClientHello1)', synthetic).field('selected_group', sel.group);
    const cookie = this.options.cookie?.(ch);
    let exts: Extension[] = [
      { type: 'key_share', selectedGroup: NamedGroup[sel.group] },
      ...(cookie ? [{ type: 'cookie', cookie } as Extension] : []),
      { type: 'supported_versions', selected: ProtocolVersion['TLSv1.3'] },
    ];
    if (this.options.extensions) exts = this.options.extensions('hello_retry_request', exts, { retry: false });
    const hrr: HelloRetryRequest = {
      type: 'hello_retry_request',
      legacyVersion: ProtocolVersion['TLSv1.2'],
      random: HELLO_RETRY_REQUEST_RANDOM,
      legacySessionIdEcho: ch.legacySessionId,
      cipherSuite: sel.suite.id,
      legacyCompressionMethod: 0,
      extensions: exts,
    };
    this.sendHandshake(hrr, t);
    this.flushHandshake();
    if (this.compat && ch.legacySessionId.length > 0) this.sendChangeCipherSpec();
    this.hrrSent = { suite: sel.suite, group: sel.group, cookie };
    this.events.push({ type: 'hello_retry_request', group: sel.group });
    return 'ExpectClientHelloAfterHrr';
  }

  private processClientHelloAfterHrr(ch: ClientHello, raw: Uint8Array): string {
    const t = this.step('processClientHelloAfterHrr', 'recv', '4.1.4', 'ClientHello');
    const hrr = this.hrrSent!;
    const sv = findExtension(ch.extensions, 'supported_versions');
    t.check('the second ClientHello still offers TLS 1.3', !!sv?.versions?.includes(ProtocolVersion['TLSv1.3']), 'illegal_parameter');
    t.check('legacy_session_id is unchanged', bytesEqual(ch.legacySessionId, this.firstHello!.legacySessionId), 'illegal_parameter');
    t.check(`cipher suite ${hrr.suite.name} is still offered`, ch.cipherSuites.includes(hrr.suite.id), 'illegal_parameter');
    const shares = findExtension(ch.extensions, 'key_share')?.shares ?? [];
    t.check(
      `exactly one key_share, for ${hrr.group}`,
      shares.length === 1 && shares[0].group === NamedGroup[hrr.group],
      'illegal_parameter',
    );
    const cookie = findExtension(ch.extensions, 'cookie');
    if (hrr.cookie) t.check('the cookie is echoed unchanged', !!cookie && bytesEqual(cookie.cookie, hrr.cookie), 'illegal_parameter');
    const sel = this.select(t, ch);
    t.check(
      'the negotiation result is unchanged',
      sel.suite.id === hrr.suite.id && sel.group === hrr.group && !!sel.share,
      'illegal_parameter',
    );
    this.transcript.add(raw);
    return this.sendServerFlight(ch, sel);
  }

  // ------------------------------------------------------------------ the server flight

  private sendServerFlight(ch: ClientHello, sel: Selection): string {
    this.selection = sel;
    this.suite = sel.suite;
    this.negotiated = { alpn: sel.alpn, serverName: sel.serverName, signatureScheme: schemeName(sel.scheme) };
    const kp = this.generateKeyShare(sel.group);
    this.sendServerHello(ch, sel, kp.pub);
    if (this.compat && ch.legacySessionId.length > 0 && !this.ccsSent) this.sendChangeCipherSpec();
    this.establishHandshakeKeys(kp.group, kp.priv, sel.share!.keyExchange);
    this.sendEncryptedExtensions(ch, sel);
    const auth = this.options.clientAuth ?? 'none';
    if (auth !== 'none') this.sendCertificateRequest();
    this.sendServerCertificate();
    this.sendServerCertificateVerify(sel.scheme);
    this.sendServerFinished();
    return auth !== 'none' ? 'ExpectClientCertificate' : 'ExpectClientFinished';
  }

  private sendServerHello(ch: ClientHello, sel: Selection, pub: Uint8Array): void {
    const t = this.step('sendServerHello', 'send', '4.1.3', 'ServerHello');
    const random = this.random(32, 'server_random').slice();
    let exts: Extension[] = [
      { type: 'key_share', share: { group: NamedGroup[sel.group], keyExchange: pub } },
      { type: 'supported_versions', selected: ProtocolVersion['TLSv1.3'] },
    ];
    if (this.options.extensions) exts = this.options.extensions('server_hello', exts, { retry: !!this.hrrSent });
    const sh: ServerHello = {
      type: 'server_hello',
      legacyVersion: ProtocolVersion['TLSv1.2'],
      random,
      legacySessionIdEcho: ch.legacySessionId,
      cipherSuite: sel.suite.id,
      legacyCompressionMethod: 0,
      extensions: exts,
    };
    t.fields({ random, cipher_suite: sel.suite.name, group: sel.group, server_share: pub });
    t.note('ServerHello.random carries no downgrade sentinel', !bytesEqual(random.subarray(24), DOWNGRADE_TLS12));
    this.sendHandshake(sh, t);
    this.flushHandshake();
  }

  /** §7.1: (EC)DHE, the handshake secret and the handshake traffic keys. */
  private establishHandshakeKeys(group: KeyExchangeGroup, priv: Uint8Array, clientShare: Uint8Array): void {
    const t = this.step('establishHandshakeKeys', 'local', '7.1');
    t.secret(`${group} private key`, priv);
    let ecdhe: Uint8Array;
    try {
      ecdhe = sharedSecret(group, priv, clientShare);
    } catch (e) {
      t.check('client key share is a valid point', false, 'illegal_parameter', e instanceof KeyExchangeError ? e.message : String(e));
      return;
    }
    this.installHandshakeSecrets(t, ecdhe);
  }

  private sendEncryptedExtensions(ch: ClientHello, sel: Selection): void {
    const t = this.step('sendEncryptedExtensions', 'send', '4.3.1', 'EncryptedExtensions');
    let exts: Extension[] = [];
    if (sel.serverName !== undefined && (this.options.acknowledgeServerName ?? true)) exts.push({ type: 'server_name', hostNames: [] });
    // OpenSSL (tls_construct_stoc_supported_groups): our groups, when the client did not use our first
    const announce = this.options.announceGroups;
    if (announce?.length && announce[0] !== NamedGroup[sel.group]) exts.push({ type: 'supported_groups', groups: announce });
    if (sel.alpn) exts.push({ type: 'application_layer_protocol_negotiation', protocols: [sel.alpn] });
    const rsl = findExtension(ch.extensions, 'record_size_limit');
    if (rsl && this.options.recordSizeLimit) {
      exts.push({ type: 'record_size_limit', limit: this.options.recordSizeLimit });
      this.peerRecordSizeLimit = rsl.limit;
    }
    if (this.options.extensions) exts = this.options.extensions('encrypted_extensions', exts, { retry: !!this.hrrSent });
    t.field(
      'extensions',
      exts.map((e) => e.type),
    );
    this.sendHandshake({ type: 'encrypted_extensions', extensions: exts }, t);
  }

  /** §4.3.2: signature_algorithms, and certificate_authorities from the configured CA names. */
  private sendCertificateRequest(): void {
    const t = this.step('sendCertificateRequest', 'send', '4.3.2', 'CertificateRequest');
    let exts: Extension[] = [{ type: 'signature_algorithms', schemes: this.schemes }];
    const names = this.options.clientCANames ?? [];
    if (names.length) exts.push({ type: 'certificate_authorities', names });
    if (this.options.extensions) exts = this.options.extensions('certificate_request', exts, { retry: !!this.hrrSent });
    const sa = findExtension(exts, 'signature_algorithms');
    this.certRequestSchemes = sa?.schemes ?? [];
    t.fields({ signature_algorithms: this.certRequestSchemes.map(schemeName), certificate_authorities: names.length });
    this.certRequested = true;
    this.negotiated.clientCertificateRequested = true;
    this.sendHandshake({ type: 'certificate_request', context: new Uint8Array(0), extensions: exts }, t);
  }

  private sendServerCertificate(): void {
    const t = this.step('sendServerCertificate', 'send', '4.4.2', 'Certificate');
    const chain = this.options.certificate!.chain;
    t.field('certificates', chain.length);
    this.sendHandshake({ type: 'certificate', context: new Uint8Array(0), entries: chain.map((data) => ({ data, extensions: [] })) }, t);
  }

  private sendServerCertificateVerify(scheme: number): void {
    const t = this.step('sendServerCertificateVerify', 'send', '4.4.3', 'CertificateVerify').field('algorithm', schemeName(scheme));
    const content = certificateVerifyContent('server', this.transcript.hash(this.suite!.hash));
    const signature = signCertificateVerify(this.options.certificate!, scheme, content, this.random);
    this.sendHandshake({ type: 'certificate_verify', scheme, signature }, t);
  }

  private sendServerFinished(): void {
    const t = this.step('sendServerFinished', 'send', '4.4.4', 'Finished');
    const hash = this.suite!.hash;
    const verifyData = finishedVerifyData(hash, this.serverHsSecret!, this.transcript.hash(hash));
    t.field('verify_data', verifyData);
    this.sendHandshake({ type: 'finished', verifyData }, t);
    this.flushHandshake();
    this.installApplicationSecrets(t);
  }

  // ------------------------------------------------------------------ client authentication, §4.4

  private readClientCertificate(m: Certificate, raw: Uint8Array): string {
    const t = this.step('readClientCertificate', 'recv', '4.4.2', 'Certificate');
    t.check('certificate_request_context echoes the CertificateRequest', m.context.length === 0, 'illegal_parameter');
    for (const e of m.entries) checkExtensions(t, e.extensions, 'certificate', new Set());
    this.transcript.add(raw);
    t.field('certificates', m.entries.length);
    if (m.entries.length === 0) {
      // RFC 8446 §4.4.2.4; OpenSSL sends certificate_required for TLS 1.3
      t.check(
        'the client sent a certificate, or one is not required',
        this.options.clientAuth !== 'require',
        'certificate_required',
        'peer did not return a certificate',
      );
      return 'ExpectClientFinished';
    }
    this.peerCerts = m.entries.map((e) => e.data);
    this.peerKey = checkPeerChain(t, this.peerCerts, 'client', this.options.verifyPeerChain);
    return 'ExpectClientCertificateVerify';
  }

  private verifyClientSignature(m: CertificateVerify, raw: Uint8Array): string {
    const t = this.step('verifyClientSignature', 'recv', '4.4.3', 'CertificateVerify');
    t.field('algorithm', schemeName(m.scheme));
    t.check(
      `${schemeName(m.scheme)} was listed in the CertificateRequest`,
      this.certRequestSchemes.includes(m.scheme),
      'illegal_parameter',
    );
    checkPeerCertificateVerify(t, m.scheme, m.signature, this.peerKey!, 'client', this.transcript.hash(this.suite!.hash));
    this.negotiated.peerSignatureScheme = schemeName(m.scheme);
    this.transcript.add(raw);
    return 'ExpectClientFinished';
  }

  private processClientFinished(m: Finished, raw: Uint8Array): string {
    const t = this.step('processClientFinished', 'recv', '4.4.4', 'Finished');
    const hash = this.suite!.hash;
    checkPeerFinished(t, 'client', hash, this.clientHsSecret!, this.transcript.hash(hash), m.verifyData);
    this.transcript.add(raw);
    this.resumptionMaster = resumptionMasterSecret(hash, this.master!, this.transcript.hash(hash));
    t.secret('resumption_master_secret', this.resumptionMaster);
    this.setReadKeys(this.clientAppSecret!, 'client application traffic');
    this.completeHandshake();
    this.events.push({ type: 'handshake_done', negotiated: this.negotiatedInfo() });
    for (const spec of this.options.tickets?.(this.ticketsSent) ?? []) this.writeTicket(spec);
    return 'Connected';
  }

  /** §4.6.1: send a NewSessionTicket (wire-faithful; pgtls does not resume sessions). */
  sendNewSessionTicket(spec: TicketSpec): Uint8Array[] {
    this.assertCanSend('sendNewSessionTicket', true);
    this.writeTicket(spec);
    return this.flush().out;
  }

  private writeTicket(spec: TicketSpec): void {
    const t = this.step('sendNewSessionTicket', 'send', '4.6.1', 'NewSessionTicket');
    t.fields({ ticket_lifetime: spec.lifetime, ticket_nonce: spec.nonce, ticket_bytes: spec.ticket.length });
    this.ticketsSent++;
    this.sendHandshake({ type: 'new_session_ticket', extensions: [], ...spec }, t);
    this.flushHandshake();
  }

  private negotiatedInfo(): NegotiatedInfo {
    const sel = this.selection!;
    return {
      version: 'TLSv1.3',
      cipherSuite: sel.suite.name,
      group: sel.group,
      peerCertificates: this.peerCerts,
      helloRetryRequest: !!this.hrrSent,
      clientCertificateRequested: this.certRequested,
      ...this.negotiated,
    };
  }
}
