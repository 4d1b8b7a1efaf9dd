// The TLS 1.3 client (RFC 8446 §4 from the client's side). Each step is a method named after
// what the RFC has the client do; the table (table.ts) gives its section, the state it runs
// in and the states it may lead to. A step reads what it needs from the state it is given
// (states.ts), records its checks in the trace, and returns the next state or the Refusal
// of the first check that failed: every `return` is a way out.

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
  encodeHandshake,
  type Certificate,
  type CertificateRequest,
  type CertificateVerify,
  type ClientHello,
  type EncryptedExtensions,
  type Finished,
  type HelloRetryRequest,
  type NewSessionTicket,
  type ServerHello,
} from '../codec/messages.js';
import { Refusal } from '../errors.js';
import { Transcript, finishedVerifyData, resumptionMasterSecret } from '../key-schedule.js';
import { suiteById, type Suite } from '../suites.js';
import type { StepTrace } from '../trace.js';
import { DEFAULTS, type ClientConfig, type NegotiatedInfo } from './config.js';
import { TlsConnection } from './connection.js';
import { checkExtensions, checkPeerCertificateVerify, checkPeerChain, checkPeerFinished } from './peer-checks.js';
import { certificateVerifyContent, chooseScheme, ownPublicKey, schemeList, signCertificateVerify } from './signing.js';
import type { ClientHandshake, ClientState, Connected, KeyPair, TrafficSecrets } from './states.js';
import { apiTransition, type ClientTransition, type StepHandlers } from './table.js';

type In<N extends ClientState['name']> = Extract<ClientState, { name: N }>;

export class TlsClient extends TlsConnection {
  readonly role = 'client' as const;
  /** resumption_master_secret, for whoever wants to resume elsewhere */
  resumptionMaster?: Uint8Array;
  readonly tickets: NewSessionTicket[] = [];

  protected readonly handlers: StepHandlers<ClientTransition, ClientState> = {
    processServerHello: (st, m, raw, t) => this.processServerHello(st, m, raw, t),
    processHelloRetryRequest: (st, m, raw, t) => this.processHelloRetryRequest(st, m, raw, t),
    processEncryptedExtensions: (st, m, raw, t) => this.processEncryptedExtensions(st, m, raw, t),
    processCertificateRequest: (st, m, raw, t) => this.processCertificateRequest(st, m, raw, t),
    readServerCertificate: (st, m, raw, t) => this.readServerCertificate(st, m, raw, t),
    verifyServerSignature: (st, m, raw, t) => this.verifyServerSignature(st, m, raw, t),
    processServerFinished: (st, m, raw, t) => this.processServerFinished(st, m, raw, t),
    processNewSessionTicket: (st, m, _raw, t) => this.processNewSessionTicket(st, m, t),
    processKeyUpdate: (st, m, _raw, t) => this.processKeyUpdate(st, m, t),
  };

  constructor(readonly options: ClientConfig = {}) {
    super(options, { name: 'Start' });
  }

  private get allowsTls12(): boolean {
    return (this.options.minVersion ?? 'TLSv1.2') === 'TLSv1.2';
  }
  private get allowsTls13(): boolean {
    return (this.options.maxVersion ?? 'TLSv1.3') === 'TLSv1.3';
  }
  private get compat(): boolean {
    return this.options.compatibilityMode ?? true;
  }

  protected ccsAllowed(): boolean {
    return this.st.name !== 'Start' && !this.handshakeComplete && this.st.name !== 'Connected';
  }

  /** Build and send the first ClientHello. Returns the records to send. */
  start(): Uint8Array[] {
    if (this.st.name !== 'Start') throw new Error('start() called twice');
    try {
      this.st = this.sendClientHello();
    } catch (e) {
      this.fail(e);
    }
    return this.flush().out;
  }

  // ------------------------------------------------------------------ §4.1.2

  private buildExtensions(keyPairs: KeyPair[], base: ClientHello, hrr?: HelloRetryRequest): Extension[] {
    const o = this.options;
    const retry = hrr !== undefined;
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
      exts.push({ type: 'key_share', shares: keyPairs.map((k) => ({ group: NamedGroup[k.group], keyExchange: k.pub })) });
      const cookie = findExtension(hrr?.extensions ?? [], 'cookie');
      if (retry && cookie) exts.push({ type: 'cookie', cookie: cookie.cookie });
    }
    if (o.recordSizeLimit) exts.push({ type: 'record_size_limit', limit: o.recordSizeLimit });
    const final = o.extensions ? o.extensions('client_hello', exts, { retry }) : exts;
    return o.clientHelloPadding === 'f5' ? this.pad(base, final) : final;
  }

  /** RFC 7685: grow a 256..511-byte ClientHello to 512 bytes with the padding extension. */
  private pad(base: ClientHello, exts: Extension[]): Extension[] {
    const probe: ClientHello = { ...base, extensions: exts.filter((e) => e.type !== 'padding') };
    const len = encodeHandshake(probe).length;
    if (len <= 255 || len >= 512) return probe.extensions;
    return [...probe.extensions, { type: 'padding', length: Math.max(0, 512 - len - 4) }];
  }

  private sendClientHello(): In<'ExpectServerHello'> {
    const row = apiTransition('client', 'api:start');
    const t = this.step(row.step, 'send', row.rfc, 'ClientHello');
    this.clientRandom = this.random(32, 'client_random').slice();
    const sessionId = this.compat ? this.random(32, 'session_id').slice() : new Uint8Array(0);
    const shareGroups = this.options.keyShareGroups ?? this.groups.slice(0, 1);
    const keyPairs = this.allowsTls13 ? shareGroups.map((g) => this.generateKeyShare(g)) : [];
    const suites = [
      ...(this.allowsTls13 ? this.suites : []),
      ...(this.allowsTls12 ? (this.options.tls12CipherSuites ?? DEFAULTS.tls12CipherSuites) : []),
    ];
    const base: ClientHello = {
      type: 'client_hello',
      legacyVersion: ProtocolVersion['TLSv1.2'],
      random: this.clientRandom,
      legacySessionId: sessionId,
      cipherSuites: suites,
      legacyCompressionMethods: [0],
      extensions: [],
    };
    const hello: ClientHello = { ...base, extensions: this.buildExtensions(keyPairs, base) };
    t.fields({
      random: hello.random,
      legacy_session_id: hello.legacySessionId,
      cipher_suites: suites.map(cipherSuiteName),
      key_shares: keyPairs.map((k) => k.group),
      server_name: this.options.serverName ?? '(none)',
      extensions: hello.extensions.map((e) => e.type),
      supported_groups: findExtension(hello.extensions, 'supported_groups')?.groups.map(groupName) ?? [],
    });
    // RFC 7301 §3.1: the protocols offered, in preference order (libpq 17+: postgresql)
    if (this.options.alpn?.length) t.field('alpn', this.options.alpn);
    for (const k of keyPairs) t.secret(`${k.group} private key`, k.priv);
    const transcript = new Transcript();
    this.sendHandshake(hello, transcript, t);
    // OpenSSL and NSS send the first ClientHello with record version TLS 1.0 (RFC 8446 §5.1)
    this.flushHandshake(ProtocolVersion.TLSv1);
    return { name: 'ExpectServerHello', transcript, hello, keyPairs, offered: new Set(hello.extensions.map(extensionCode)) };
  }

  // ------------------------------------------------------------------ §4.1.3 / §4.1.4

  /** The fields a ServerHello and a HelloRetryRequest share: the echo, the suite, compression. The suite, or the refusal. */
  private checkServerHelloCommon(t: StepTrace, m: ServerHello | HelloRetryRequest, hello: ClientHello): Suite | Refusal {
    const echo = t.check(
      'legacy_session_id_echo equals the ClientHello legacy_session_id',
      bytesEqual(m.legacySessionIdEcho, hello.legacySessionId),
      'illegal_parameter',
    );
    if (echo) return echo;
    const offered = this.suites.includes(m.cipherSuite) ? suiteById(m.cipherSuite) : undefined;
    const suite = t.require(`cipher suite ${cipherSuiteName(m.cipherSuite)} was offered`, offered, 'illegal_parameter');
    if (suite instanceof Refusal) return suite;
    return t.check('legacy_compression_method is 0', m.legacyCompressionMethod === 0, 'illegal_parameter') ?? suite;
  }

  /** The negotiated version (the ServerHello may stop at TLS 1.2), or the refusal. */
  private negotiateVersion(t: StepTrace, m: ServerHello): 'TLSv1.3' | 'TLSv1.2' | Refusal {
    const sv = findExtension(m.extensions, 'supported_versions');
    if (sv) {
      t.field('selected_version', versionName(sv.selected ?? 0));
      return (
        t.check(
          'supported_versions selects TLS 1.3, which was offered',
          sv.selected === ProtocolVersion['TLSv1.3'] && this.allowsTls13,
          'illegal_parameter',
        ) ?? 'TLSv1.3'
      );
    }
    t.field('legacy_version', versionName(m.legacyVersion));
    const tls12 = m.legacyVersion === ProtocolVersion['TLSv1.2'];
    const tail = m.random.subarray(24);
    return (
      t.check(
        'the server version is within our range',
        tls12 && this.allowsTls12,
        'protocol_version',
        `server chose ${versionName(m.legacyVersion)}`,
      ) ??
      t.check(
        'no TLS 1.3 downgrade sentinel in ServerHello.random (RFC 8446 §4.1.3)',
        !this.allowsTls13 || !(bytesEqual(tail, DOWNGRADE_TLS12) || bytesEqual(tail, DOWNGRADE_TLS11)),
        'illegal_parameter',
      ) ??
      'TLSv1.2'
    );
  }

  private processServerHello(
    st: In<'ExpectServerHello' | 'ExpectServerHelloAfterHrr'>,
    m: ServerHello,
    raw: Uint8Array,
    t: StepTrace,
  ): In<'ExpectEncryptedExtensions' | 'NegotiatedTls12'> | Refusal {
    const hrr = st.name === 'ExpectServerHelloAfterHrr' ? st.hrr : undefined;
    t.fields({ random: m.random, cipher_suite: cipherSuiteName(m.cipherSuite) });
    const version = this.negotiateVersion(t, m);
    if (version instanceof Refusal) return version;
    if (version === 'TLSv1.2') {
      // §4.1.4: the version the HelloRetryRequest selected must be kept; OpenSSL's
      // ssl_choose_client_version refuses the change with protocol_version (wrong ssl version)
      const no = t.check('TLS 1.3, as the HelloRetryRequest selected, is kept (RFC 8446 §4.1.4)', !hrr, 'protocol_version');
      if (no) return no;
      this.events.push({ type: 'negotiated', version: 'TLSv1.2' });
      t.note('TLS 1.2 negotiated: the TLS 1.3 engine stops here', true);
      return { name: 'NegotiatedTls12' };
    }
    const suite = this.checkServerHelloCommon(t, m, st.hello);
    if (suite instanceof Refusal) return suite;
    const no =
      (hrr && t.check('cipher suite equals the HelloRetryRequest cipher suite', m.cipherSuite === hrr.cipherSuite, 'illegal_parameter')) ??
      checkExtensions(t, m.extensions, 'server_hello', st.offered);
    if (no) return no;
    const share = t.require('key_share is present', findExtension(m.extensions, 'key_share')?.share, 'missing_extension');
    if (share instanceof Refusal) return share;
    const kp = t.require(
      `key_share group ${groupName(share.group)} is one we sent a share for`,
      st.keyPairs.find((k) => NamedGroup[k.group] === share.group),
      'illegal_parameter',
    );
    if (kp instanceof Refusal) return kp;
    t.field('group', kp.group).field('server_share', share.keyExchange);
    st.transcript.add(raw);
    const keys = this.establishHandshakeKeys(suite, st.transcript, kp, share.keyExchange);
    if (keys instanceof Refusal) return keys;
    const hs: ClientHandshake = {
      transcript: st.transcript,
      keys,
      group: kp.group,
      offered: st.offered,
      helloRetryRequest: hrr !== undefined,
      negotiated: {},
    };
    return { name: 'ExpectEncryptedExtensions', hs };
  }

  private processHelloRetryRequest(
    st: In<'ExpectServerHello'>,
    m: HelloRetryRequest,
    raw: Uint8Array,
    t: StepTrace,
  ): In<'ExpectServerHelloAfterHrr'> | Refusal {
    const sv = findExtension(m.extensions, 'supported_versions');
    const no = t.check(
      'HelloRetryRequest selects TLS 1.3',
      sv?.selected === ProtocolVersion['TLSv1.3'] && this.allowsTls13,
      'illegal_parameter',
    );
    if (no) return no;
    const suite = this.checkServerHelloCommon(t, m, st.hello);
    if (suite instanceof Refusal) return suite;
    const ks = findExtension(m.extensions, 'key_share');
    const cookie = findExtension(m.extensions, 'cookie');
    const bad =
      checkExtensions(t, m.extensions, 'hello_retry_request', new Set([...st.offered, 44 /* cookie */])) ??
      t.check('HelloRetryRequest would change the ClientHello (key_share or cookie)', !!ks || !!cookie, 'illegal_parameter');
    if (bad) return bad;
    let newGroup: KeyExchangeGroup | undefined;
    if (ks) {
      const g = ks.selectedGroup ?? -1;
      newGroup = this.groups.find((x) => NamedGroup[x] === g);
      t.field('selected_group', groupName(g));
      // a group we listed but cannot compute: the real peer would answer; pgtls stops here
      const listedOnly = (this.options.advertisedOnlyGroups ?? []).some((x) => NamedGroup[x] === g);
      const no =
        t.check(
          `selected_group ${groupName(g)} is a group pgtls computes`,
          !listedOnly,
          'internal_error',
          listedOnly ? 'pgtls does not implement this group' : undefined,
        ) ??
        t.check(`selected_group ${groupName(g)} is in our supported_groups`, !!newGroup, 'illegal_parameter') ??
        t.check(
          'selected_group is not a group we already sent a share for',
          !st.keyPairs.some((k) => k.group === newGroup),
          'illegal_parameter',
        );
      if (no) return no;
    }
    if (cookie) t.field('cookie', cookie.cookie);
    const synthetic = st.transcript.replaceWithMessageHash(suite.hash);
    t.secret('message_hash(ClientHello1)', synthetic);
    st.transcript.add(raw);
    this.events.push({ type: 'hello_retry_request', group: newGroup ?? '(cookie only)' });
    if (this.compat) this.sendChangeCipherSpec();
    const keyPairs = newGroup ? [this.generateKeyShare(newGroup)] : st.keyPairs;
    return this.sendClientHelloAfterHrr(st, keyPairs, m);
  }

  /** §4.1.2: the second ClientHello repeats the first with the new key_share and the cookie. */
  private sendClientHelloAfterHrr(
    st: In<'ExpectServerHello'>,
    keyPairs: KeyPair[],
    hrr: HelloRetryRequest,
  ): In<'ExpectServerHelloAfterHrr'> {
    const t = this.step('sendClientHelloAfterHrr', 'send', '4.1.2', 'ClientHello');
    const hello: ClientHello = { ...st.hello, extensions: this.buildExtensions(keyPairs, st.hello, hrr) };
    t.field(
      'key_shares',
      keyPairs.map((k) => k.group),
    );
    if (this.options.alpn?.length) t.field('alpn', this.options.alpn);
    for (const k of keyPairs) t.secret(`${k.group} private key`, k.priv);
    this.sendHandshake(hello, st.transcript, t);
    // after a HelloRetryRequest the record version is TLS 1.2, as OpenSSL and NSS send it
    this.flushHandshake(ProtocolVersion['TLSv1.2']);
    const offered = new Set(hello.extensions.map(extensionCode));
    return { name: 'ExpectServerHelloAfterHrr', transcript: st.transcript, hello, keyPairs, offered, hrr };
  }

  // ------------------------------------------------------------------ §4.3

  private processEncryptedExtensions(
    st: In<'ExpectEncryptedExtensions'>,
    m: EncryptedExtensions,
    raw: Uint8Array,
    t: StepTrace,
  ): In<'ExpectCertificateRequestOrCertificate'> | Refusal {
    const { hs } = st;
    const bad = checkExtensions(t, m.extensions, 'encrypted_extensions', hs.offered);
    if (bad) return bad;
    const alpn = findExtension(m.extensions, 'application_layer_protocol_negotiation');
    if (alpn) {
      const no = t.check(
        'ALPN names exactly one protocol we offered',
        alpn.protocols.length === 1 && !!this.options.alpn?.includes(alpn.protocols[0]),
        'illegal_parameter',
      );
      if (no) return no;
      hs.negotiated.alpn = alpn.protocols[0];
      t.field('alpn', alpn.protocols[0]);
    }
    const sni = findExtension(m.extensions, 'server_name');
    if (sni) {
      const no = t.check('server_name acknowledgement is empty', sni.hostNames.length === 0, 'illegal_parameter');
      if (no) return no;
      hs.negotiated.serverName = this.options.serverName;
    }
    const rsl = findExtension(m.extensions, 'record_size_limit');
    if (rsl) {
      this.peerRecordSizeLimit = rsl.limit;
      t.field('record_size_limit', rsl.limit);
    }
    const groups = findExtension(m.extensions, 'supported_groups');
    if (groups) t.field('server_supported_groups', groups.groups.map(groupName));
    hs.transcript.add(raw);
    return { name: 'ExpectCertificateRequestOrCertificate', hs };
  }

  private processCertificateRequest(
    st: In<'ExpectCertificateRequestOrCertificate'>,
    m: CertificateRequest,
    raw: Uint8Array,
    t: StepTrace,
  ): In<'ExpectCertificate'> | Refusal {
    const { hs } = st;
    const no =
      t.check('certificate_request_context is empty during the handshake', m.context.length === 0, 'illegal_parameter') ??
      checkExtensions(t, m.extensions, 'certificate_request', null);
    if (no) return no;
    const sa = t.require('signature_algorithms is present', findExtension(m.extensions, 'signature_algorithms'), 'missing_extension');
    if (sa instanceof Refusal) return sa;
    t.field('signature_algorithms', sa.schemes.map(schemeName));
    const ca = findExtension(m.extensions, 'certificate_authorities');
    if (ca) t.field('certificate_authorities', ca.names.length);
    hs.negotiated.clientCertificateRequested = true;
    hs.transcript.add(raw);
    return { name: 'ExpectCertificate', hs, certRequest: m };
  }

  // ------------------------------------------------------------------ §4.4

  private readServerCertificate(
    st: In<'ExpectCertificateRequestOrCertificate' | 'ExpectCertificate'>,
    m: Certificate,
    raw: Uint8Array,
    t: StepTrace,
  ): In<'ExpectCertificateVerify'> | Refusal {
    const { hs } = st;
    let no =
      t.check('certificate_request_context is empty', m.context.length === 0, 'illegal_parameter') ??
      t.check('the server sent at least one certificate (RFC 8446 §4.4.2.4)', m.entries.length > 0, 'decode_error');
    for (const e of m.entries) no ??= checkExtensions(t, e.extensions, 'certificate', hs.offered);
    if (no) return no;
    const peerCerts = m.entries.map((e) => e.data);
    t.field('certificates', peerCerts.length);
    const peerKey = checkPeerChain(t, peerCerts, 'server', this.options.verifyPeerChain);
    if (peerKey instanceof Refusal) return peerKey;
    hs.transcript.add(raw);
    const certRequest = st.name === 'ExpectCertificate' ? st.certRequest : undefined;
    return { name: 'ExpectCertificateVerify', hs, certRequest, peerCerts, peerKey };
  }

  private verifyServerSignature(
    st: In<'ExpectCertificateVerify'>,
    m: CertificateVerify,
    raw: Uint8Array,
    t: StepTrace,
  ): In<'ExpectFinished'> | Refusal {
    const { hs } = st;
    t.field('algorithm', schemeName(m.scheme));
    const no =
      t.check(`${schemeName(m.scheme)} was offered in signature_algorithms`, this.schemes.includes(m.scheme), 'illegal_parameter') ??
      t.check(
        `${schemeName(m.scheme)} is allowed in TLS 1.3 CertificateVerify`,
        TLS13_CERTIFICATE_VERIFY_SCHEMES.has(m.scheme),
        'illegal_parameter',
      ) ??
      checkPeerCertificateVerify(t, m.scheme, m.signature, st.peerKey, 'server', hs.transcript.hash(hs.keys.suite.hash));
    if (no) return no;
    hs.negotiated.peerSignatureScheme = schemeName(m.scheme);
    hs.transcript.add(raw);
    return { name: 'ExpectFinished', hs, certRequest: st.certRequest, peerCerts: st.peerCerts };
  }

  private processServerFinished(st: In<'ExpectFinished'>, m: Finished, raw: Uint8Array, t: StepTrace): Connected | Refusal {
    const { hs } = st;
    const hash = hs.keys.suite.hash;
    const no = checkPeerFinished(t, 'server', hash, hs.keys.server, hs.transcript.hash(hash), m.verifyData);
    if (no) return no;
    hs.transcript.add(raw);
    const traffic = this.installApplicationSecrets(t, hs.keys, hs.transcript);
    if (this.compat && !this.ccsSent) this.sendChangeCipherSpec();
    if (st.certRequest) this.sendClientCertificate(hs, st.certRequest);
    this.sendClientFinished(hs, traffic, st.peerCerts, st.certRequest !== undefined);
    return { name: 'Connected', traffic };
  }

  /** §4.4.2: our Certificate (empty when we have none that fits) and CertificateVerify. */
  private sendClientCertificate(hs: ClientHandshake, certRequest: CertificateRequest): void {
    const t = this.step('sendClientCertificate', 'send', '4.4.2', 'Certificate');
    const cert = this.options.certificate;
    const accepted = findExtension(certRequest.extensions, 'signature_algorithms')?.schemes ?? [];
    let scheme: number | undefined;
    if (cert?.chain.length) {
      scheme = chooseScheme(accepted, this.schemes, ownPublicKey(cert));
      t.note(
        'a certificate signature scheme the server accepts',
        scheme !== undefined,
        scheme ? schemeName(scheme) : `server accepts ${schemeList(accepted)}`,
      );
    }
    const chain = cert && scheme !== undefined ? cert.chain : [];
    t.field('certificates', chain.length);
    this.sendHandshake(
      { type: 'certificate', context: certRequest.context, entries: chain.map((data) => ({ data, extensions: [] })) },
      hs.transcript,
      t,
    );
    if (!cert || scheme === undefined) return;
    const cv = this.step('sendClientCertificateVerify', 'send', '4.4.3', 'CertificateVerify').field('algorithm', schemeName(scheme));
    const content = certificateVerifyContent('client', hs.transcript.hash(hs.keys.suite.hash));
    const signature = signCertificateVerify(cert, scheme, content, this.random);
    hs.negotiated.signatureScheme = schemeName(scheme);
    this.sendHandshake({ type: 'certificate_verify', scheme, signature }, hs.transcript, cv);
  }

  private sendClientFinished(hs: ClientHandshake, traffic: TrafficSecrets, peerCerts: Uint8Array[], certRequested: boolean): void {
    const t = this.step('sendClientFinished', 'send', '4.4.4', 'Finished');
    const hash = hs.keys.suite.hash;
    const verifyData = finishedVerifyData(hash, hs.keys.client, hs.transcript.hash(hash));
    t.field('verify_data', verifyData);
    this.sendHandshake({ type: 'finished', verifyData }, hs.transcript, t);
    this.flushHandshake();
    this.resumptionMaster = resumptionMasterSecret(hash, hs.keys.master, hs.transcript.hash(hash));
    t.secret('resumption_master_secret', this.resumptionMaster);
    this.setWriteKeys(traffic.suite, traffic.client, 'client application traffic');
    this.completeHandshake();
    const negotiated: NegotiatedInfo = {
      version: 'TLSv1.3',
      cipherSuite: cipherSuiteName(hs.keys.suite.id),
      group: hs.group,
      peerCertificates: peerCerts,
      helloRetryRequest: hs.helloRetryRequest,
      clientCertificateRequested: certRequested,
      ...hs.negotiated,
    };
    this.events.push({ type: 'handshake_done', negotiated });
  }

  // ------------------------------------------------------------------ §4.6

  private processNewSessionTicket(st: Connected, m: NewSessionTicket, t: StepTrace): Connected | Refusal {
    t.fields({ ticket_lifetime: m.lifetime, ticket_nonce: m.nonce, ticket_bytes: m.ticket.length });
    const no = t.check('ticket_lifetime is at most 7 days', m.lifetime <= 604800, 'illegal_parameter');
    if (no) return no;
    this.tickets.push(m);
    this.events.push({ type: 'new_session_ticket', ticket: m });
    return st;
  }
}
