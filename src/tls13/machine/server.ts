// The TLS 1.3 server (RFC 8446 §4 from the server's side): ClientHello negotiation
// (version, cipher suite, group, signature scheme, ALPN), HelloRetryRequest, the server
// flight (ServerHello, EncryptedExtensions, CertificateRequest, Certificate,
// CertificateVerify, Finished), client authentication and the client Finished. As in the
// client, a step gets its state (states.ts) and returns the next one or a Refusal.

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
  type HelloRetryRequest,
  type ServerHello,
} from '../codec/messages.js';
import { Refusal } from '../errors.js';
import { Transcript, finishedVerifyData, resumptionMasterSecret } from '../key-schedule.js';
import { suiteById } from '../suites.js';
import type { StepTrace } from '../trace.js';
import type { NegotiatedInfo, ServerConfig, TicketSpec } from './config.js';
import { TlsConnection } from './connection.js';
import { checkExtensions, checkPeerCertificateVerify, checkPeerChain, checkPeerFinished } from './peer-checks.js';
import { certificateVerifyContent, chooseScheme, ownPublicKey, schemeList, signCertificateVerify } from './signing.js';
import type { Connected, HandshakeKeys, Selection, ServerHandshake, ServerState, TrafficSecrets } from './states.js';
import { apiTransition, type ServerTransition, type StepHandlers } from './table.js';

type In<N extends ServerState['name']> = Extract<ServerState, { name: N }>;

export class TlsServer extends TlsConnection {
  readonly role = 'server' as const;
  private ticketsSent = 0;
  /** resumption_master_secret, for whoever wants to resume elsewhere */
  resumptionMaster?: Uint8Array;

  protected readonly handlers: StepHandlers<ServerTransition, ServerState> = {
    processClientHello: (st, m, raw, t) => this.processClientHello(st, m, raw, t),
    processClientHelloAfterHrr: (st, m, raw, t) => this.processClientHelloAfterHrr(st, m, raw, t),
    readClientCertificate: (st, m, raw, t) => this.readClientCertificate(st, m, raw, t),
    verifyClientSignature: (st, m, raw, t) => this.verifyClientSignature(st, m, raw, t),
    processClientFinished: (st, m, raw, t) => this.processClientFinished(st, m, raw, t),
    processKeyUpdate: (st, m, _raw, t) => this.processKeyUpdate(st, m, t),
  };

  constructor(readonly options: ServerConfig = {}) {
    super(options, { name: 'ExpectClientHello' });
  }

  /** A server has nothing to say first; provided for symmetry with TlsClient. */
  start(): Uint8Array[] {
    return [];
  }

  protected ccsAllowed(): boolean {
    return this.st.name !== 'ExpectClientHello' && !this.handshakeComplete && this.st.name !== 'Connected';
  }

  private get compat(): boolean {
    return this.options.compatibilityMode ?? true;
  }

  // ------------------------------------------------------------------ §4.1.2, §4.2, §9.2

  private negotiateVersion(t: StepTrace, ch: ClientHello): 'TLSv1.3' | 'TLSv1.2' | Refusal {
    const allows13 = (this.options.maxVersion ?? 'TLSv1.3') === 'TLSv1.3';
    const allows12 = (this.options.minVersion ?? 'TLSv1.2') === 'TLSv1.2';
    const sv = findExtension(ch.extensions, 'supported_versions');
    const offered = sv?.versions ?? [];
    t.field('client_versions', sv ? offered.map(versionName) : `legacy_version ${versionName(ch.legacyVersion)}`);
    if (allows13 && offered.includes(ProtocolVersion['TLSv1.3'])) return 'TLSv1.3';
    const offers12 = sv ? offered.includes(ProtocolVersion['TLSv1.2']) : ch.legacyVersion >= ProtocolVersion['TLSv1.2'];
    return (
      t.check(
        'client and server versions overlap',
        allows12 && offers12,
        'protocol_version',
        `client offers ${sv ? offered.map(versionName).join(', ') : versionName(ch.legacyVersion)}`,
      ) ?? 'TLSv1.2'
    );
  }

  /** Everything a ClientHello must satisfy before the server can answer (§4.1.2, §4.2.8, §9.2). */
  private select(t: StepTrace, ch: ClientHello): Selection | Refusal {
    const bad =
      t.check(
        'legacy_compression_methods is exactly [null]',
        ch.legacyCompressionMethods.length === 1 && ch.legacyCompressionMethods[0] === 0,
        'illegal_parameter',
      ) ?? checkExtensions(t, ch.extensions, 'client_hello', null);
    if (bad) return bad;
    const sa = t.require(
      'signature_algorithms is present (RFC 8446 §9.2)',
      findExtension(ch.extensions, 'signature_algorithms'),
      'missing_extension',
    );
    if (sa instanceof Refusal) return sa;
    const sg = findExtension(ch.extensions, 'supported_groups');
    const ks = findExtension(ch.extensions, 'key_share');
    const both = t.require('supported_groups and key_share are both present (RFC 8446 §9.2)', sg && ks && { sg, ks }, 'missing_extension');
    if (both instanceof Refusal) return both;
    const shares = both.ks.shares ?? [];
    const clientGroups = both.sg.groups;
    // §4.2.8: shares in supported_groups order, one per group
    const positions = shares.map((s) => clientGroups.indexOf(s.group));
    const order =
      t.check(
        'every key_share group is in supported_groups',
        positions.every((p) => p >= 0),
        'illegal_parameter',
      ) ??
      t.check(
        'key shares are in supported_groups order without duplicates',
        positions.every((p, i) => i === 0 || p > positions[i - 1]),
        'illegal_parameter',
      );
    if (order) return order;
    t.field(
      'client_key_shares',
      shares.map((s) => groupName(s.group)),
    );

    const prefer = this.options.preferServerCipherSuites ?? false;
    const common = prefer ? this.suites.filter((s) => ch.cipherSuites.includes(s)) : ch.cipherSuites.filter((s) => this.suites.includes(s));
    const suite = t.require(
      'a cipher suite both sides support',
      common.map(suiteById).find((s) => s !== undefined),
      'handshake_failure',
      `client offers ${ch.cipherSuites.map(cipherSuiteName).join(', ')}`,
      'no shared cipher',
    );
    if (suite instanceof Refusal) return suite;
    t.field('cipher_suite', suite.name);

    const supported = this.groups.filter((g) => clientGroups.includes(NamedGroup[g]));
    const none = t.check(
      'a key exchange group both sides support',
      supported.length > 0,
      'handshake_failure',
      `client supports ${clientGroups.map(groupName).join(', ')}; server allows ${this.groups.join(', ') || 'none in TLS 1.3'}`,
      'no suitable key share',
    );
    if (none) return none;
    let group: KeyExchangeGroup;
    let share: KeyShareEntry | undefined;
    if ((this.options.hrrPolicy ?? 'preferred-group') === 'preferred-group') {
      group = supported[0];
      share = shares.find((s) => s.group === NamedGroup[group]);
    } else {
      share = shares.find((s) => this.groups.some((g) => NamedGroup[g] === s.group));
      group = this.groups.find((g) => NamedGroup[g] === share?.group) ?? supported[0];
    }
    t.field('group', group).note(`client sent a key share for ${group}`, !!share, share ? undefined : 'HelloRetryRequest needed');

    const certificate = this.options.certificate;
    if (!certificate) return new Refusal('internal_error', 'server has no certificate configured');
    const scheme = t.require(
      'a signature scheme for our certificate that the client accepts',
      chooseScheme(sa.schemes, this.schemes, ownPublicKey(certificate)),
      'handshake_failure',
      `client accepts ${schemeList(sa.schemes)}`,
    );
    if (scheme instanceof Refusal) return scheme;
    t.field('signature_scheme', schemeName(scheme));

    let alpn: string | undefined;
    const calpn = findExtension(ch.extensions, 'application_layer_protocol_negotiation');
    if (calpn && this.options.alpn?.length) {
      alpn = this.options.alpn.find((p) => calpn.protocols.includes(p));
      const no = t.check(
        'an application protocol both sides support',
        !!alpn,
        'no_application_protocol',
        `client offers ${calpn.protocols.join(', ')}`,
        // tls_handle_alpn: the select callback's SSL_TLSEXT_ERR_ALERT_FATAL (PostgreSQL 17+'s alpn_cb)
        'no application protocol',
      );
      if (no) return no;
      t.field('alpn', alpn);
    }
    const sni = findExtension(ch.extensions, 'server_name');
    if (sni) t.field('server_name', sni.hostNames[0] ?? '');
    return { suite, group, share, certificate, scheme, alpn, serverName: sni?.hostNames[0] };
  }

  private processClientHello(
    _st: In<'ExpectClientHello'>,
    ch: ClientHello,
    raw: Uint8Array,
    t: StepTrace,
  ): In<'ExpectClientHelloAfterHrr' | 'ExpectClientCertificate' | 'ExpectClientFinished' | 'NegotiatedTls12'> | Refusal {
    t.fields({ random: ch.random, legacy_session_id: ch.legacySessionId, cipher_suites: ch.cipherSuites.map(cipherSuiteName) });
    this.clientRandom = ch.random.slice();
    const version = this.negotiateVersion(t, ch);
    if (version instanceof Refusal) return version;
    if (version === 'TLSv1.2') {
      this.events.push({ type: 'negotiated', version: 'TLSv1.2' });
      t.note('TLS 1.2 negotiated: the TLS 1.3 engine stops here', true);
      return { name: 'NegotiatedTls12' };
    }
    const sel = this.select(t, ch);
    if (sel instanceof Refusal) return sel;
    const transcript = new Transcript();
    transcript.add(raw);
    if (!sel.share) return this.sendHelloRetryRequest(ch, sel, transcript);
    return this.sendServerFlight(ch, sel, sel.share, transcript, false);
  }

  /** §4.1.4: ask for a share of `sel.group` (and hand out a cookie if configured). */
  private sendHelloRetryRequest(ch: ClientHello, sel: Selection, transcript: Transcript): In<'ExpectClientHelloAfterHrr'> {
    const t = this.step('sendHelloRetryRequest', 'send', '4.1.4', 'HelloRetryRequest');
    const synthetic = transcript.replaceWithMessageHash(sel.suite.hash);
    t.secret('message_hash(ClientHello1)', synthetic).field('selected_group', sel.group);
    const cookie = this.options.cookie?.(ch);
    const cookieExt: Extension[] = cookie ? [{ type: 'cookie', cookie }] : [];
    let exts: Extension[] = [
      { type: 'key_share', selectedGroup: NamedGroup[sel.group] },
      ...cookieExt,
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
    this.sendHandshake(hrr, transcript, t);
    this.flushHandshake();
    if (this.compat && ch.legacySessionId.length > 0) this.sendChangeCipherSpec();
    this.events.push({ type: 'hello_retry_request', group: sel.group });
    return { name: 'ExpectClientHelloAfterHrr', transcript, first: ch, hrr: { suite: sel.suite, group: sel.group, cookie } };
  }

  private processClientHelloAfterHrr(
    st: In<'ExpectClientHelloAfterHrr'>,
    ch: ClientHello,
    raw: Uint8Array,
    t: StepTrace,
  ): In<'ExpectClientCertificate' | 'ExpectClientFinished'> | Refusal {
    const { hrr } = st;
    const sv = findExtension(ch.extensions, 'supported_versions');
    const shares = findExtension(ch.extensions, 'key_share')?.shares ?? [];
    const cookie = findExtension(ch.extensions, 'cookie');
    const no =
      t.check('the second ClientHello still offers TLS 1.3', !!sv?.versions?.includes(ProtocolVersion['TLSv1.3']), 'illegal_parameter') ??
      t.check('legacy_session_id is unchanged', bytesEqual(ch.legacySessionId, st.first.legacySessionId), 'illegal_parameter') ??
      t.check(`cipher suite ${hrr.suite.name} is still offered`, ch.cipherSuites.includes(hrr.suite.id), 'illegal_parameter') ??
      t.check(
        `exactly one key_share, for ${hrr.group}`,
        shares.length === 1 && shares[0].group === NamedGroup[hrr.group],
        'illegal_parameter',
      ) ??
      (hrr.cookie && t.check('the cookie is echoed unchanged', !!cookie && bytesEqual(cookie.cookie, hrr.cookie), 'illegal_parameter'));
    if (no) return no;
    const sel = this.select(t, ch);
    if (sel instanceof Refusal) return sel;
    const share = t.require(
      'the negotiation result is unchanged',
      sel.suite.id === hrr.suite.id && sel.group === hrr.group ? sel.share : undefined,
      'illegal_parameter',
    );
    if (share instanceof Refusal) return share;
    st.transcript.add(raw);
    return this.sendServerFlight(ch, sel, share, st.transcript, true);
  }

  // ------------------------------------------------------------------ the server flight

  private sendServerFlight(
    ch: ClientHello,
    sel: Selection,
    share: KeyShareEntry,
    transcript: Transcript,
    retry: boolean,
  ): In<'ExpectClientCertificate' | 'ExpectClientFinished'> | Refusal {
    const negotiated: Partial<NegotiatedInfo> = { alpn: sel.alpn, serverName: sel.serverName, signatureScheme: schemeName(sel.scheme) };
    const kp = this.generateKeyShare(sel.group);
    this.sendServerHello(ch, sel, kp.pub, transcript, retry);
    if (this.compat && ch.legacySessionId.length > 0 && !this.ccsSent) this.sendChangeCipherSpec();
    const keys = this.establishHandshakeKeys(sel.suite, transcript, kp, share.keyExchange);
    if (keys instanceof Refusal) return keys;
    this.sendEncryptedExtensions(ch, sel, transcript, retry);
    const certRequested = (this.options.clientAuth ?? 'none') !== 'none';
    const certRequestSchemes = certRequested ? this.sendCertificateRequest(transcript, retry, negotiated) : [];
    this.sendServerCertificate(sel, transcript);
    this.sendServerCertificateVerify(sel, transcript);
    const traffic = this.sendServerFinished(keys, transcript);
    const hs: ServerHandshake = { transcript, selection: sel, keys, traffic, helloRetryRequest: retry, certRequested, negotiated };
    return certRequested
      ? { name: 'ExpectClientCertificate', hs, certRequestSchemes }
      : { name: 'ExpectClientFinished', hs, peerCerts: [] };
  }

  private sendServerHello(ch: ClientHello, sel: Selection, pub: Uint8Array, transcript: Transcript, retry: boolean): void {
    const t = this.step('sendServerHello', 'send', '4.1.3', 'ServerHello');
    const random = this.random(32, 'server_random').slice();
    let exts: Extension[] = [
      { type: 'key_share', share: { group: NamedGroup[sel.group], keyExchange: pub } },
      { type: 'supported_versions', selected: ProtocolVersion['TLSv1.3'] },
    ];
    if (this.options.extensions) exts = this.options.extensions('server_hello', exts, { retry });
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
    this.sendHandshake(sh, transcript, t);
    this.flushHandshake();
  }

  private sendEncryptedExtensions(ch: ClientHello, sel: Selection, transcript: Transcript, retry: boolean): void {
    const t = this.step('sendEncryptedExtensions', 'send', '4.3.1', 'EncryptedExtensions');
    let exts: Extension[] = [];
    if (sel.serverName !== undefined && (this.options.acknowledgeServerName ?? true)) exts.push({ type: 'server_name', hostNames: [] });
    // OpenSSL (tls_construct_stoc_supported_groups): our groups, when the client did not use our first
    const announce = this.options.announceGroups;
    if (announce?.length && announce[0] !== NamedGroup[sel.group]) exts.push({ type: 'supported_groups', groups: announce });
    if (sel.alpn) {
      exts.push({ type: 'application_layer_protocol_negotiation', protocols: [sel.alpn] });
      t.field('alpn', sel.alpn);
    }
    const rsl = findExtension(ch.extensions, 'record_size_limit');
    if (rsl && this.options.recordSizeLimit) {
      exts.push({ type: 'record_size_limit', limit: this.options.recordSizeLimit });
      this.peerRecordSizeLimit = rsl.limit;
    }
    if (this.options.extensions) exts = this.options.extensions('encrypted_extensions', exts, { retry });
    t.field(
      'extensions',
      exts.map((e) => e.type),
    );
    this.sendHandshake({ type: 'encrypted_extensions', extensions: exts }, transcript, t);
  }

  /** §4.3.2: signature_algorithms, and certificate_authorities from the configured CA names. Returns the schemes it lists. */
  private sendCertificateRequest(transcript: Transcript, retry: boolean, negotiated: Partial<NegotiatedInfo>): number[] {
    const t = this.step('sendCertificateRequest', 'send', '4.3.2', 'CertificateRequest');
    let exts: Extension[] = [{ type: 'signature_algorithms', schemes: this.schemes }];
    const names = this.options.clientCANames ?? [];
    if (names.length) exts.push({ type: 'certificate_authorities', names });
    if (this.options.extensions) exts = this.options.extensions('certificate_request', exts, { retry });
    const schemes = findExtension(exts, 'signature_algorithms')?.schemes ?? [];
    t.fields({ signature_algorithms: schemes.map(schemeName), certificate_authorities: names.length });
    negotiated.clientCertificateRequested = true;
    this.sendHandshake({ type: 'certificate_request', context: new Uint8Array(0), extensions: exts }, transcript, t);
    return schemes;
  }

  private sendServerCertificate(sel: Selection, transcript: Transcript): void {
    const t = this.step('sendServerCertificate', 'send', '4.4.2', 'Certificate');
    const chain = sel.certificate.chain;
    t.field('certificates', chain.length);
    this.sendHandshake(
      { type: 'certificate', context: new Uint8Array(0), entries: chain.map((data) => ({ data, extensions: [] })) },
      transcript,
      t,
    );
  }

  private sendServerCertificateVerify(sel: Selection, transcript: Transcript): void {
    const t = this.step('sendServerCertificateVerify', 'send', '4.4.3', 'CertificateVerify').field('algorithm', schemeName(sel.scheme));
    const content = certificateVerifyContent('server', transcript.hash(sel.suite.hash));
    const signature = signCertificateVerify(sel.certificate, sel.scheme, content, this.random);
    this.sendHandshake({ type: 'certificate_verify', scheme: sel.scheme, signature }, transcript, t);
  }

  private sendServerFinished(keys: HandshakeKeys, transcript: Transcript): TrafficSecrets {
    const t = this.step('sendServerFinished', 'send', '4.4.4', 'Finished');
    const hash = keys.suite.hash;
    const verifyData = finishedVerifyData(hash, keys.server, transcript.hash(hash));
    t.field('verify_data', verifyData);
    this.sendHandshake({ type: 'finished', verifyData }, transcript, t);
    this.flushHandshake();
    return this.installApplicationSecrets(t, keys, transcript);
  }

  // ------------------------------------------------------------------ client authentication, §4.4

  private readClientCertificate(
    st: In<'ExpectClientCertificate'>,
    m: Certificate,
    raw: Uint8Array,
    t: StepTrace,
  ): In<'ExpectClientCertificateVerify' | 'ExpectClientFinished'> | Refusal {
    const { hs } = st;
    let no = t.check('certificate_request_context echoes the CertificateRequest', m.context.length === 0, 'illegal_parameter');
    for (const e of m.entries) no ??= checkExtensions(t, e.extensions, 'certificate', new Set());
    if (no) return no;
    hs.transcript.add(raw);
    t.field('certificates', m.entries.length);
    if (m.entries.length === 0) {
      // RFC 8446 §4.4.2.4; OpenSSL sends certificate_required for TLS 1.3
      const no = t.check(
        'the client sent a certificate, or one is not required',
        this.options.clientAuth !== 'require',
        'certificate_required',
        'peer did not return a certificate',
      );
      if (no) return no;
      return { name: 'ExpectClientFinished', hs, peerCerts: [] };
    }
    const peerCerts = m.entries.map((e) => e.data);
    const peerKey = checkPeerChain(t, peerCerts, 'client', this.options.verifyPeerChain);
    if (peerKey instanceof Refusal) return peerKey;
    return { name: 'ExpectClientCertificateVerify', hs, certRequestSchemes: st.certRequestSchemes, peerCerts, peerKey };
  }

  private verifyClientSignature(
    st: In<'ExpectClientCertificateVerify'>,
    m: CertificateVerify,
    raw: Uint8Array,
    t: StepTrace,
  ): In<'ExpectClientFinished'> | Refusal {
    const { hs } = st;
    t.field('algorithm', schemeName(m.scheme));
    const no =
      t.check(
        `${schemeName(m.scheme)} was listed in the CertificateRequest`,
        st.certRequestSchemes.includes(m.scheme),
        'illegal_parameter',
      ) ?? checkPeerCertificateVerify(t, m.scheme, m.signature, st.peerKey, 'client', hs.transcript.hash(hs.keys.suite.hash));
    if (no) return no;
    hs.negotiated.peerSignatureScheme = schemeName(m.scheme);
    hs.transcript.add(raw);
    return { name: 'ExpectClientFinished', hs, peerCerts: st.peerCerts };
  }

  private processClientFinished(st: In<'ExpectClientFinished'>, m: Finished, raw: Uint8Array, t: StepTrace): Connected | Refusal {
    const { hs } = st;
    const hash = hs.keys.suite.hash;
    const no = checkPeerFinished(t, 'client', hash, hs.keys.client, hs.transcript.hash(hash), m.verifyData);
    if (no) return no;
    hs.transcript.add(raw);
    this.resumptionMaster = resumptionMasterSecret(hash, hs.keys.master, hs.transcript.hash(hash));
    t.secret('resumption_master_secret', this.resumptionMaster);
    this.setReadKeys(hs.traffic.suite, hs.traffic.client, 'client application traffic');
    this.completeHandshake();
    const negotiated: NegotiatedInfo = {
      version: 'TLSv1.3',
      cipherSuite: hs.selection.suite.name,
      group: hs.selection.group,
      peerCertificates: st.peerCerts,
      helloRetryRequest: hs.helloRetryRequest,
      clientCertificateRequested: hs.certRequested,
      ...hs.negotiated,
    };
    this.events.push({ type: 'handshake_done', negotiated });
    for (const spec of this.options.tickets?.(this.ticketsSent) ?? []) this.writeTicket(spec);
    return { name: 'Connected', traffic: hs.traffic };
  }

  /** §4.6.1: send a NewSessionTicket (wire-faithful; pgtls does not resume sessions). */
  sendNewSessionTicket(spec: TicketSpec): Uint8Array[] {
    this.assertConnected('sendNewSessionTicket');
    this.writeTicket(spec);
    return this.flush().out;
  }

  private writeTicket(spec: TicketSpec): void {
    const row = apiTransition('server', 'api:sendNewSessionTicket');
    const t = this.step(row.step, 'send', row.rfc, 'NewSessionTicket');
    t.fields({ ticket_lifetime: spec.lifetime, ticket_nonce: spec.nonce, ticket_bytes: spec.ticket.length });
    this.ticketsSent++;
    this.sendHandshake({ type: 'new_session_ticket', extensions: [], ...spec }, null, t);
    this.flushHandshake();
  }
}
