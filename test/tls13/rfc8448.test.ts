// RFC 8448 sections 3, 5 and 6 byte for byte, in both roles: our client driven with the
// RFC's randoms and key shares must emit the RFC's records, and so must our server. Every
// transcribed secret, key and IV is recomputed. The RFC's certificates expired in 2026, so
// no chain is validated here (time plays no part). RSA-PSS signatures are randomized: the
// salt is recovered from the RFC's own signature and replayed, so the server's
// CertificateVerify (signed by us with the RFC 8448 §2 key) matches to the byte. Section 6
// gives no private key for its client RSA or server ECDSA certificates, so there the
// RFC's signatures are replayed after checking they verify over our transcript.

import { describe, expect, it } from 'vitest';
import { bytesEqual, concatBytes, fromHex, toHex } from '../../src/der/index.js';
import {
  HandshakeReassembler,
  RecordProtection,
  RecordReader,
  TlsClient,
  TlsServer,
  certificateVerifyContent,
  decodeHandshake,
  findExtension,
  parseCertificateInfo,
  rsaPssRecoverSalt,
  suiteById,
  type ClientConfig,
  type ExtContext,
  type Extension,
  type RandomSource,
  type ServerConfig,
  type TlsEvent,
} from '../../src/tls13/index.js';
import { verifyScheme, type PrivateKey } from '../../src/tls13/crypto-x509.js';
import { loadVector } from './helpers.js';

const SUITE = suiteById(0x1301)!;
const H = SUITE.hash;
const rsaJson = loadVector('rsa-private-key');
const big = (k: string) => BigInt(`0x${rsaJson[k]}`);
const RFC_RSA: PrivateKey = {
  kind: 'rsa',
  n: big('modulus'),
  e: big('public_exponent'),
  d: big('private_exponent'),
  p: big('prime1'),
  q: big('prime2'),
  dp: big('exponent1'),
  dq: big('exponent2'),
  qi: big('coefficient'),
};

/** NSS's ClientHello signature_algorithms list, as in every RFC 8448 trace. */
const NSS_SCHEMES = [
  0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202,
];
const ALL_GROUPS: Extension = {
  type: 'supported_groups',
  groups: [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104],
};

/** Randomness by purpose; asking for anything not scripted is a test failure. */
function scripted(map: Record<string, string>): RandomSource {
  return (n, purpose) => {
    const v = map[purpose];
    if (v === undefined) throw new Error(`unscripted randomness for ${purpose}`);
    const b = fromHex(v);
    if (b.length !== n) throw new Error(`${purpose}: wanted ${n} bytes, scripted ${b.length}`);
    return b;
  };
}

/** An extension hook that emits exactly `order` for ctx, taking named ones from our defaults. */
function exactly(spec: Partial<Record<ExtContext, (string | Extension)[]>>, retrySpec?: (string | Extension)[]) {
  return (ctx: ExtContext, exts: Extension[], info: { retry: boolean }): Extension[] => {
    const order = info.retry && ctx === 'client_hello' && retrySpec ? retrySpec : spec[ctx];
    if (!order) return exts;
    return order.map((x) => {
      if (typeof x !== 'string') return x;
      const e = exts.find((d) => d.type === x);
      if (!e) throw new Error(`default ${ctx} has no ${x}`);
      return e;
    });
  };
}

const records = (hex: string) => new RecordReader().push(fromHex(hex));
const hexOf = (recs: Uint8Array[]) => recs.map((r) => toHex(r));

/** Decrypt an RFC record with the RFC's key and IV (independent of our key schedule) into handshake messages. */
function openWith(v: any, who: 'server' | 'client', phase: 'handshake' | 'application', recordHex: string, seq = 0): Uint8Array[] {
  const p = new RecordProtection(SUITE, { key: fromHex(v.key[`${who}_${phase}_key`]), iv: fromHex(v.key[`${who}_${phase}_iv`]) });
  const recs = records(recordHex);
  for (let i = 0; i < seq; i++) p.decrypt(recs[0]); // never used with seq > 0 on the same record
  const d = p.decrypt(recs[0]);
  return d.type === 22 ? new HandshakeReassembler().push(d.content) : [d.content];
}

function secretsOf(trace: { secrets: { name: string; hex: string }[] }[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of trace) for (const s of e.secrets) m.set(s.name, s.hex);
  return m;
}

function expectSecrets(trace: Parameters<typeof secretsOf>[0], v: any): void {
  const s = secretsOf(trace);
  const pairs: [string, string | undefined][] = [
    ['early_secret', v.secret.early],
    ['derived(early)', v.secret.derived_for_handshake],
    ['handshake_secret', v.secret.handshake],
    ['client_handshake_traffic_secret', v.secret.client_handshake_traffic],
    ['server_handshake_traffic_secret', v.secret.server_handshake_traffic],
    ['derived(handshake)', v.secret.derived_for_master],
    ['master_secret', v.secret.master],
    ['client_application_traffic_secret_0', v.secret.client_application_traffic_0],
    ['server_application_traffic_secret_0', v.secret.server_application_traffic_0],
    ['exporter_master_secret', v.secret.exporter_master],
    ['resumption_master_secret', v.secret.resumption_master],
    ['ecdhe_shared_secret', v.shared_secret],
    ['transcript_hash(ClientHello..ServerHello)', v.hash?.client_hello_server_hello ?? v.hash?.through_server_hello],
    ['transcript_hash(ClientHello..server Finished)', v.hash?.through_server_finished],
  ];
  for (const [name, want] of pairs) if (want) expect(s.get(name), name).toBe(want);
}

function keylogCollector(): { lines: string[]; keylog: (l: string) => void; get(label: string): string | undefined } {
  const lines: string[] = [];
  return { lines, keylog: (l) => lines.push(l), get: (label) => lines.find((l) => l.startsWith(`${label} `))?.split(' ')[2] };
}

const appData = (evs: TlsEvent[]) =>
  evs.filter((e): e is Extract<TlsEvent, { type: 'application_data' }> => e.type === 'application_data').map((e) => toHex(e.data));
const PAYLOAD = Uint8Array.from({ length: 50 }, (_, i) => i);

// ---------------------------------------------------------------------------------------

describe('RFC 8448 §3 Simple 1-RTT Handshake', () => {
  const v = loadVector('section3-simple-1rtt');
  const chSpec: (string | Extension)[] = [
    'server_name',
    { type: 'renegotiation_info', data: new Uint8Array(0) },
    ALL_GROUPS,
    { type: 'session_ticket', ticket: new Uint8Array(0) },
    'key_share',
    'supported_versions',
    'signature_algorithms',
    'psk_key_exchange_modes',
    'record_size_limit',
  ];
  const clientConfig = (keylog?: (l: string) => void): ClientConfig => ({
    serverName: 'server',
    cipherSuites: [0x1301, 0x1303, 0x1302],
    groups: ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'],
    signatureSchemes: NSS_SCHEMES,
    minVersion: 'TLSv1.3',
    compatibilityMode: false,
    recordSizeLimit: 0x4001,
    random: scripted({ client_random: v.client_random, 'key_share:x25519': v.client_x25519_private }),
    extensions: exactly({ client_hello: chSpec }),
    keylog,
  });

  it('the vector is self-consistent: messages are the payloads of the RFC records', () => {
    expect(toHex(records(v.record.client_hello)[0].fragment)).toBe(v.msg.client_hello);
    expect(toHex(records(v.record.server_hello)[0].fragment)).toBe(v.msg.server_hello);
    const flight = openWith(v, 'server', 'handshake', v.record.server_handshake).map((x) => toHex(x));
    expect(flight).toEqual([v.msg.encrypted_extensions, v.msg.certificate, v.msg.certificate_verify, v.msg.server_finished]);
    expect(openWith(v, 'client', 'handshake', v.record.client_finished).map((x) => toHex(x))).toEqual([v.msg.client_finished]);
    expect(openWith(v, 'server', 'application', v.record.new_session_ticket).map((x) => toHex(x))).toEqual([v.msg.new_session_ticket]);
    expect(openWith(v, 'client', 'application', v.record.client_application_data).map((x) => toHex(x))).toEqual([toHex(PAYLOAD)]);
    // and the RFC 8448 §2 RSA key is the certificate's key
    const leaf = (decodeHandshake(fromHex(v.msg.certificate)) as any).entries[0].data;
    const pub = parseCertificateInfo(leaf).publicKey;
    expect(pub.kind === 'rsa' && pub.n === RFC_RSA.n).toBe(true);
  });

  it('client: emits the RFC ClientHello, client Finished, application data and close_notify records', () => {
    const kl = keylogCollector();
    const c = new TlsClient(clientConfig(kl.keylog));
    expect(hexOf(c.start())).toEqual([v.record.client_hello]);
    const r1 = c.receive(fromHex(v.record.server_hello));
    expect(r1.out).toEqual([]);
    const r2 = c.receive(fromHex(v.record.server_handshake));
    expect(hexOf(r2.out)).toEqual([v.record.client_finished]);
    expect(r2.events.map((e) => e.type)).toEqual(['handshake_done']);
    expect(c.state).toBe('Connected');
    const nst = c.receive(fromHex(v.record.new_session_ticket));
    expect(nst.events[0].type).toBe('new_session_ticket');
    expect(toHex(c.tickets[0].ticket)).toBe(v.msg.new_session_ticket.slice(2 * 17, 2 * (17 + 178)));
    expect(hexOf(c.send(PAYLOAD))).toEqual([v.record.client_application_data]);
    expect(appData(c.receive(fromHex(v.record.server_application_data)).events)).toEqual([toHex(PAYLOAD)]);
    expect(hexOf(c.close())).toEqual([v.record.client_alert]);
    const end = c.receive(fromHex(v.record.server_alert));
    expect(end.events.map((e) => e.type)).toEqual(['alert_received', 'closed']);
    expect(c.state).toBe('Closed');
    expectSecrets(c.trace, v);
    expect(kl.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')).toBe(v.secret.client_handshake_traffic);
    expect(kl.get('SERVER_HANDSHAKE_TRAFFIC_SECRET')).toBe(v.secret.server_handshake_traffic);
    expect(kl.get('CLIENT_TRAFFIC_SECRET_0')).toBe(v.secret.client_application_traffic_0);
    expect(kl.get('SERVER_TRAFFIC_SECRET_0')).toBe(v.secret.server_application_traffic_0);
    expect(kl.get('EXPORTER_SECRET')).toBe(v.secret.exporter_master);
    expect(kl.lines[0].split(' ')[1]).toBe(v.client_random);
    expect(toHex(c.resumptionMaster!)).toBe(v.secret.resumption_master);
  });

  it('server: emits the RFC ServerHello, encrypted flight (RSA-PSS CertificateVerify signed by us), ticket and data records', () => {
    const msgs = [v.msg.client_hello, v.msg.server_hello, v.msg.encrypted_extensions, v.msg.certificate].map(fromHex);
    const content = certificateVerifyContent('server', H.fn(concatBytes(...msgs)));
    const cv = decodeHandshake(fromHex(v.msg.certificate_verify)) as any;
    const leaf = (decodeHandshake(fromHex(v.msg.certificate)) as any).entries[0].data;
    const salt = rsaPssRecoverSalt(0x0804, parseCertificateInfo(leaf).publicKey, content, cv.signature);
    expect(salt?.length).toBe(32);
    const nst = decodeHandshake(fromHex(v.msg.new_session_ticket)) as any;
    const kl = keylogCollector();
    const config: ServerConfig = {
      certificate: { chain: [leaf], privateKey: RFC_RSA },
      cipherSuites: [0x1301, 0x1302, 0x1303],
      groups: ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'],
      signatureSchemes: [0x0804, 0x0805, 0x0806],
      compatibilityMode: false,
      recordSizeLimit: 0x4001,
      random: scripted({ server_random: v.server_random, 'key_share:x25519': v.server_x25519_private, pss_salt: toHex(salt!) }),
      extensions: exactly({ encrypted_extensions: [ALL_GROUPS, 'record_size_limit', 'server_name'] }),
      tickets: () => [{ lifetime: nst.lifetime, ageAdd: nst.ageAdd, nonce: nst.nonce, ticket: nst.ticket, extensions: nst.extensions }],
      keylog: kl.keylog,
    };
    const s = new TlsServer(config);
    const r1 = s.receive(fromHex(v.record.client_hello));
    expect(hexOf(r1.out)).toEqual([v.record.server_hello, v.record.server_handshake]);
    const r2 = s.receive(fromHex(v.record.client_finished));
    expect(r2.events.map((e) => e.type)).toEqual(['handshake_done']);
    expect(hexOf(r2.out)).toEqual([v.record.new_session_ticket]);
    expect(appData(s.receive(fromHex(v.record.client_application_data)).events)).toEqual([toHex(PAYLOAD)]);
    expect(hexOf(s.send(PAYLOAD))).toEqual([v.record.server_application_data]);
    const a = s.receive(fromHex(v.record.client_alert));
    expect(a.events.map((e) => e.type)).toEqual(['alert_received', 'closed']);
    expect(hexOf(s.close())).toEqual([v.record.server_alert]);
    expect(s.state).toBe('Closed');
    expectSecrets(s.trace, v);
    expect(kl.get('SERVER_TRAFFIC_SECRET_0')).toBe(v.secret.server_application_traffic_0);
  });

  it('our client and our server replay the whole trace against each other', () => {
    const nst = decodeHandshake(fromHex(v.msg.new_session_ticket)) as any;
    const leaf = (decodeHandshake(fromHex(v.msg.certificate)) as any).entries[0].data;
    const c = new TlsClient(clientConfig());
    const s = new TlsServer({
      certificate: { chain: [leaf], privateKey: RFC_RSA },
      groups: ['x25519'],
      compatibilityMode: false,
      tickets: () => [{ lifetime: nst.lifetime, ageAdd: nst.ageAdd, nonce: nst.nonce, ticket: nst.ticket }],
    });
    const ch = c.start();
    const sh = s.receive(ch[0]);
    const fin = c.receive(concatBytes(...sh.out));
    const done = s.receive(fin.out[0]);
    expect(done.events[0].type).toBe('handshake_done');
    expect(c.receive(done.out[0]).events[0].type).toBe('new_session_ticket');
  });
});

describe('RFC 8448 §5 HelloRetryRequest', () => {
  const v = loadVector('section5-hello-retry-request');
  const hrrMsg = decodeHandshake(concatBytes(...records(v.record.hello_retry_request).map((r) => r.fragment))) as any;
  const cookie = findExtension(hrrMsg.extensions, 'cookie')!.cookie;
  const ch1 = decodeHandshake(records(v.record.client_hello_1)[0].fragment) as any;
  const base: (string | Extension)[] = [
    'server_name',
    { type: 'renegotiation_info', data: new Uint8Array(0) },
    'supported_groups',
    'key_share',
    'supported_versions',
    'signature_algorithms',
  ];
  const clientConfig = (): ClientConfig => ({
    serverName: 'server',
    cipherSuites: [0x1301, 0x1303, 0x1302],
    groups: ['x25519', 'secp256r1', 'secp384r1'],
    signatureSchemes: NSS_SCHEMES,
    minVersion: 'TLSv1.3',
    compatibilityMode: false,
    recordSizeLimit: 0x4001,
    clientHelloPadding: 'f5',
    random: scripted({
      client_random: toHex(ch1.random),
      'key_share:x25519': v.client_x25519_private,
      'key_share:secp256r1': v.client_p256_private,
    }),
    extensions: exactly({ client_hello: [...base, 'psk_key_exchange_modes', 'record_size_limit'] }, [
      ...base,
      'cookie',
      'psk_key_exchange_modes',
      'record_size_limit',
    ]),
  });

  it('client: ClientHello1, then after the HelloRetryRequest a padded ClientHello2 with the cookie, then Finished', () => {
    const c = new TlsClient(clientConfig());
    expect(hexOf(c.start())).toEqual([v.record.client_hello_1]);
    const r1 = c.receive(fromHex(v.record.hello_retry_request));
    expect(r1.events.map((e) => e.type)).toEqual(['hello_retry_request']);
    expect(hexOf(r1.out)).toEqual([v.record.client_hello_2]);
    expect(c.receive(fromHex(v.record.server_hello)).out).toEqual([]);
    const r2 = c.receive(fromHex(v.record.server_handshake));
    expect(hexOf(r2.out)).toEqual([v.record.client_finished]);
    expect(r2.events.map((e) => e.type)).toEqual(['handshake_done']);
    expect(hexOf(c.close())).toEqual([v.record.client_alert]);
    expect(c.receive(fromHex(v.record.server_alert)).events.map((e) => e.type)).toEqual(['alert_received', 'closed']);
    expectSecrets(c.trace, v);
  });

  it('server: HelloRetryRequest with the RFC cookie, then ServerHello and the encrypted flight', () => {
    const flight = openWith(v, 'server', 'handshake', v.record.server_handshake);
    const [ee, cert, cvRaw] = flight;
    const leaf = (decodeHandshake(cert) as any).entries[0].data;
    const ch2 = records(v.record.client_hello_2)[0].fragment;
    const hrr = records(v.record.hello_retry_request)[0].fragment;
    const sh = records(v.record.server_hello)[0].fragment;
    const ch1Raw = records(v.record.client_hello_1)[0].fragment;
    const synthetic = concatBytes(Uint8Array.of(254, 0, 0, 32), H.fn(ch1Raw));
    const content = certificateVerifyContent('server', H.fn(concatBytes(synthetic, hrr, ch2, sh, ee, cert)));
    const salt = rsaPssRecoverSalt(0x0804, parseCertificateInfo(leaf).publicKey, content, (decodeHandshake(cvRaw) as any).signature);
    expect(salt?.length).toBe(32);
    const serverRandom = (decodeHandshake(sh) as any).random;
    const s = new TlsServer({
      certificate: { chain: [leaf], privateKey: RFC_RSA },
      cipherSuites: [0x1301, 0x1302, 0x1303],
      groups: ['secp256r1', 'secp384r1', 'x25519'],
      signatureSchemes: [0x0804],
      compatibilityMode: false,
      recordSizeLimit: 0x4001,
      cookie: () => cookie,
      random: scripted({ server_random: toHex(serverRandom), 'key_share:secp256r1': v.server_p256_private, pss_salt: toHex(salt!) }),
      extensions: exactly({
        encrypted_extensions: [{ type: 'supported_groups', groups: [0x17, 0x18, 0x1d] }, 'record_size_limit', 'server_name'],
      }),
    });
    const r1 = s.receive(fromHex(v.record.client_hello_1));
    expect(hexOf(r1.out)).toEqual([v.record.hello_retry_request]);
    const r2 = s.receive(fromHex(v.record.client_hello_2));
    expect(hexOf(r2.out)).toEqual([v.record.server_hello, v.record.server_handshake]);
    const r3 = s.receive(fromHex(v.record.client_finished));
    expect(r3.events.map((e) => e.type)).toEqual(['handshake_done']);
    expect(s.receive(fromHex(v.record.client_alert)).events.map((e) => e.type)).toEqual(['alert_received', 'closed']);
    expect(hexOf(s.close())).toEqual([v.record.server_alert]);
    expectSecrets(s.trace, v);
  });
});

describe('RFC 8448 §6 Client Authentication', () => {
  const v = loadVector('section6-client-authentication');
  const serverFlight = openWith(v, 'server', 'handshake', v.record.server_handshake);
  const clientFlight = openWith(v, 'client', 'handshake', v.record.client_handshake);
  const serverLeaf = (decodeHandshake(serverFlight[2]) as any).entries[0].data as Uint8Array;
  const serverSig = (decodeHandshake(serverFlight[3]) as any).signature as Uint8Array;
  const clientLeaf = (decodeHandshake(clientFlight[0]) as any).entries[0].data as Uint8Array;
  const clientSig = (decodeHandshake(clientFlight[1]) as any).signature as Uint8Array;
  /** The RFC's signature, released only if it verifies over the content we computed. */
  const replay = (leaf: Uint8Array, sig: Uint8Array) => (scheme: number, message: Uint8Array) => {
    const r = verifyScheme(scheme, parseCertificateInfo(leaf).publicKey, message, sig);
    if (!r.ok) throw new Error(`RFC signature does not verify over our CertificateVerify content: ${r.message}`);
    return sig;
  };
  const chRecord = records(v.record.client_hello)[0].fragment;
  const shRecord = records(v.record.server_hello)[0].fragment;

  it('the certificates are an RSA client key and a P-256 server key, neither of them the §2 key', () => {
    expect(parseCertificateInfo(serverLeaf).publicKey.kind).toBe('ec');
    const k = parseCertificateInfo(clientLeaf).publicKey;
    expect(k.kind === 'rsa' && k.n !== RFC_RSA.n).toBe(true);
  });

  it('client: verifies the ECDSA server, answers the CertificateRequest with Certificate, CertificateVerify, Finished', () => {
    const c = new TlsClient({
      serverName: 'server',
      cipherSuites: [0x1301, 0x1303, 0x1302],
      groups: ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'],
      signatureSchemes: NSS_SCHEMES,
      minVersion: 'TLSv1.3',
      compatibilityMode: false,
      recordSizeLimit: 0x4001,
      certificate: { chain: [clientLeaf], sign: replay(clientLeaf, clientSig) },
      random: scripted({ client_random: toHex((decodeHandshake(chRecord) as any).random), 'key_share:x25519': v.client_x25519_private }),
      extensions: exactly({
        client_hello: [
          'server_name',
          { type: 'renegotiation_info', data: new Uint8Array(0) },
          ALL_GROUPS,
          'key_share',
          'supported_versions',
          'signature_algorithms',
          'psk_key_exchange_modes',
          'record_size_limit',
        ],
      }),
    });
    expect(hexOf(c.start())).toEqual([v.record.client_hello]);
    c.receive(fromHex(v.record.server_hello));
    const r = c.receive(fromHex(v.record.server_handshake));
    expect(hexOf(r.out)).toEqual([v.record.client_handshake]);
    const done = r.events.find((e) => e.type === 'handshake_done') as any;
    expect(done.negotiated).toMatchObject({
      peerSignatureScheme: 'ecdsa_secp256r1_sha256',
      signatureScheme: 'rsa_pss_rsae_sha256',
      clientCertificateRequested: true,
    });
    expect(hexOf(c.close())).toEqual([v.record.client_alert]);
    expectSecrets(c.trace, v);
  });

  it('server: sends CertificateRequest, verifies the client RSA-PSS signature and Finished', () => {
    const s = new TlsServer({
      certificate: { chain: [serverLeaf], sign: replay(serverLeaf, serverSig) },
      cipherSuites: [0x1301, 0x1302, 0x1303],
      groups: ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'],
      signatureSchemes: NSS_SCHEMES,
      clientAuth: 'require',
      compatibilityMode: false,
      recordSizeLimit: 0x4001,
      random: scripted({ server_random: toHex((decodeHandshake(shRecord) as any).random), 'key_share:x25519': v.server_x25519_private }),
      extensions: exactly({ encrypted_extensions: [ALL_GROUPS, 'record_size_limit', 'server_name'] }),
    });
    const r1 = s.receive(fromHex(v.record.client_hello));
    expect(hexOf(r1.out)).toEqual([v.record.server_hello, v.record.server_handshake]);
    const r2 = s.receive(fromHex(v.record.client_handshake));
    const done = r2.events.find((e) => e.type === 'handshake_done') as any;
    expect(done.negotiated.peerSignatureScheme).toBe('rsa_pss_rsae_sha256');
    expect(bytesEqual(done.negotiated.peerCertificates[0], clientLeaf)).toBe(true);
    expect(s.receive(fromHex(v.record.client_alert)).events.map((e) => e.type)).toEqual(['alert_received', 'closed']);
    expect(hexOf(s.close())).toEqual([v.record.server_alert]);
    expectSecrets(s.trace, v);
  });
});
