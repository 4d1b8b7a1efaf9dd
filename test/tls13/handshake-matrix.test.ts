// In-memory handshakes between our client and our server across the 3 cipher suites, the
// key exchange groups and every certificate key type, with and without client
// authentication and with and without HelloRetryRequest. Certificates are made by the
// openssl CLI from vectors/keys.

import { describe, expect, it } from 'vitest';
import { bytesEqual, toHex } from '../../src/der/index.js';
import {
  TlsClient,
  TlsServer,
  describeMachine,
  machineToMermaid,
  runHandshake,
  type CipherSuiteName,
  type KeyExchangeGroup,
  type NegotiatedInfo,
  type TlsEvent,
  TlsStateError,
} from '../../src/tls13/index.js';
import { seededRandom, selfSigned } from './helpers.js';

const SUITES: CipherSuiteName[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const GROUPS: KeyExchangeGroup[] = ['x25519', 'secp256r1', 'secp384r1', 'x448'];
const KEYS: { key: string; scheme: string; extra?: string[] }[] = [
  { key: 'rsa2048-1', scheme: 'rsa_pss_rsae_sha256' },
  { key: 'rsapss2048-1', scheme: 'rsa_pss_pss_sha256' },
  { key: 'p256-1', scheme: 'ecdsa_secp256r1_sha256' },
  { key: 'p384-1', scheme: 'ecdsa_secp384r1_sha384' },
  { key: 'p521-1', scheme: 'ecdsa_secp521r1_sha512' },
  { key: 'ed25519-1', scheme: 'ed25519' },
  { key: 'ed448-1', scheme: 'ed448' },
];

const done = (evs: TlsEvent[]) => evs.find((e) => e.type === 'handshake_done') as { negotiated: NegotiatedInfo } | undefined;

describe('client <-> server, every suite x group x certificate key', () => {
  let n = 0;
  for (const suite of SUITES) {
    for (const group of GROUPS) {
      for (const k of KEYS) {
        const i = n++;
        const hrr = i % 2 === 0 && group !== 'x25519';
        const clientAuth = i % 3 === 0;
        const clientKey = KEYS[(i + 3) % KEYS.length];
        it(`${suite} ${group} ${k.scheme}${hrr ? ' +HRR' : ''}${clientAuth ? ` +client ${clientKey.scheme}` : ''}`, () => {
          const cert = selfSigned(k.key);
          const ccert = selfSigned(clientKey.key, 'pg client');
          const seen: { role: string; der: Uint8Array }[] = [];
          const verifyPeerChain = (certs: Uint8Array[], role: 'client' | 'server') => {
            seen.push({ role, der: certs[0] });
            return { ok: true as const };
          };
          const client = new TlsClient({
            serverName: 'db.example',
            cipherSuites: [suite],
            groups: hrr ? ['x25519', group] : [group, 'x25519'],
            alpn: ['postgresql'],
            certificate: clientAuth ? ccert.certified : undefined,
            random: seededRandom(i + 1),
            verifyPeerChain,
          });
          const server = new TlsServer({
            certificate: cert.certified,
            groups: [group, 'x25519'],
            alpn: ['postgresql'],
            clientAuth: clientAuth ? 'require' : 'none',
            random: seededRandom(1000 + i),
            verifyPeerChain,
          });
          const run = runHandshake(client, server);
          const c = done(run.clientEvents)?.negotiated;
          const s = done(run.serverEvents)?.negotiated;
          expect(
            run.clientEvents.filter((e) => e.type.startsWith('alert')),
            'client alerts',
          ).toEqual([]);
          expect(
            run.serverEvents.filter((e) => e.type.startsWith('alert')),
            'server alerts',
          ).toEqual([]);
          expect(c).toMatchObject({ cipherSuite: suite, group, peerSignatureScheme: k.scheme, alpn: 'postgresql', helloRetryRequest: hrr });
          expect(s).toMatchObject({
            cipherSuite: suite,
            group,
            signatureScheme: k.scheme,
            serverName: 'db.example',
            helloRetryRequest: hrr,
          });
          expect(bytesEqual(seen.find((x) => x.role === 'server')!.der, cert.der)).toBe(true);
          if (clientAuth) {
            expect(s!.peerSignatureScheme).toBe(clientKey.scheme);
            expect(bytesEqual(seen.find((x) => x.role === 'client')!.der, ccert.der)).toBe(true);
          }
          // both directions carry data, and the exporters agree
          const msg = new TextEncoder().encode(`query ${i}`);
          const got = server.receive(client.send(msg)[0]).events;
          expect(got).toEqual([{ type: 'application_data', data: msg }]);
          expect(toHex(client.exportKeyingMaterial(32, 'x'))).toBe(toHex(server.exportKeyingMaterial(32, 'x')));
        });
      }
    }
  }
});

describe('client authentication outcomes', () => {
  const cert = selfSigned('p256-2');
  it('server requires a certificate, client has none: certificate_required', () => {
    const run = runHandshake(
      new TlsClient({ random: seededRandom(5) }),
      new TlsServer({ certificate: cert.certified, clientAuth: 'require' }),
    );
    expect(run.serverEvents.find((e) => e.type === 'alert_sent')).toMatchObject({ alert: 'certificate_required', code: 116 });
    expect(run.clientEvents.find((e) => e.type === 'alert_received')).toMatchObject({ alert: 'certificate_required' });
  });
  it('server requests a certificate, client has none: handshake completes without one', () => {
    const run = runHandshake(
      new TlsClient(),
      new TlsServer({ certificate: cert.certified, clientAuth: 'request', clientCANames: [caSubject(selfSigned('p256-3').der)] }),
    );
    expect(done(run.serverEvents)?.negotiated.peerCertificates).toEqual([]);
  });
  it('the path validator rejects the client chain: its alert is sent', () => {
    const run = runHandshake(
      new TlsClient({ certificate: selfSigned('ed25519-2').certified }),
      new TlsServer({
        certificate: cert.certified,
        clientAuth: 'require',
        verifyPeerChain: () => ({ ok: false, alert: 'certificate_expired', reason: 'notAfter passed' }),
      }),
    );
    expect(run.serverEvents.find((e) => e.type === 'alert_sent')).toMatchObject({
      alert: 'certificate_expired',
      reason: expect.stringContaining('notAfter passed'),
    });
  });
  it('the path validator rejects the server chain: unknown_ca reaches the server', () => {
    const run = runHandshake(
      new TlsClient({ verifyPeerChain: () => ({ ok: false, alert: 'unknown_ca', reason: 'no trust anchor' }) }),
      new TlsServer({ certificate: cert.certified }),
    );
    expect(run.serverEvents.find((e) => e.type === 'alert_received')).toMatchObject({ alert: 'unknown_ca' });
  });
  it('CertificateRequest carries certificate_authorities from the configured CA names', () => {
    const ca = selfSigned('p256-4', 'Some CA');
    const counts: unknown[] = [];
    const client = new TlsClient({
      onTrace: (e) => e.step === 'processCertificateRequest' && counts.push(e.fields.certificate_authorities),
    });
    runHandshake(
      client,
      new TlsServer({ certificate: cert.certified, clientAuth: 'request', clientCANames: [caSubject(ca.der), caSubject(cert.der)] }),
    );
    expect(counts).toEqual([2]);
  });
});

import { parseCertificateInfo } from '../../src/tls13/index.js';
function caSubject(der: Uint8Array): Uint8Array {
  return parseCertificateInfo(der).subject;
}

describe('version negotiation', () => {
  const cert = selfSigned('p256-2');
  it('server allowing TLS 1.2 meets a TLS 1.2-only client: { negotiated: TLSv1.2 } and silence', () => {
    const client = new TlsClient({ maxVersion: 'TLSv1.2' });
    const server = new TlsServer({ certificate: cert.certified });
    const run = runHandshake(client, server);
    expect(run.serverEvents).toEqual([{ type: 'negotiated', version: 'TLSv1.2' }]);
    expect(server.state).toBe('NegotiatedTls12');
  });
  it('TLS 1.3-only server vs TLS 1.2-only client: protocol_version', () => {
    const run = runHandshake(
      new TlsClient({ maxVersion: 'TLSv1.2' }),
      new TlsServer({ certificate: cert.certified, minVersion: 'TLSv1.3' }),
    );
    expect(run.serverEvents[0]).toMatchObject({ type: 'alert_sent', alert: 'protocol_version' });
    expect(run.clientEvents[0]).toMatchObject({ type: 'alert_received', alert: 'protocol_version' });
  });
});

describe('the state table is data', () => {
  it('lists the rustls-style states and exports a diagram', () => {
    const c = describeMachine('client');
    expect(c.states.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'ExpectServerHello',
        'ExpectEncryptedExtensions',
        'ExpectCertificateRequestOrCertificate',
        'ExpectCertificate',
        'ExpectCertificateVerify',
        'ExpectFinished',
        'Connected',
      ]),
    );
    expect(c.states.find((s) => s.name === 'ExpectCertificateRequestOrCertificate')!.accepts).toEqual([
      'certificate_request',
      'certificate',
    ]);
    const s = describeMachine('server');
    expect(s.states.map((x) => x.name)).toEqual(
      expect.arrayContaining([
        'ExpectClientHello',
        'ExpectClientHelloAfterHrr',
        'ExpectClientCertificate',
        'ExpectClientCertificateVerify',
        'ExpectClientFinished',
        'Connected',
      ]),
    );
    expect(machineToMermaid('server')).toContain('ExpectClientHello --> ExpectClientHelloAfterHrr: client_hello / processClientHello');
  });
  it('every transition the engine took is in the table, and the trace shows it', () => {
    const client = new TlsClient();
    const server = new TlsServer({ certificate: selfSigned('ed25519-1').certified, clientAuth: 'request' });
    runHandshake(client, server);
    const moves = client.trace.filter((e) => e.state).map((e) => `${e.state!.from}->${e.state!.to}`);
    expect(moves).toEqual([
      'ExpectServerHello->ExpectEncryptedExtensions',
      'ExpectEncryptedExtensions->ExpectCertificateRequestOrCertificate',
      'ExpectCertificateRequestOrCertificate->ExpectCertificate',
      'ExpectCertificate->ExpectCertificateVerify',
      'ExpectCertificateVerify->ExpectFinished',
      'ExpectFinished->Connected',
    ]);
  });
});

describe('post-handshake', () => {
  it('KeyUpdate both ways, with update_requested, keeps data flowing', () => {
    const client = new TlsClient();
    const server = new TlsServer({ certificate: selfSigned('p256-1').certified });
    runHandshake(client, server);
    const ku = client.keyUpdate(true);
    const r = server.receive(ku[0]);
    expect(r.events).toEqual([
      { type: 'key_update', direction: 'receive', updateRequested: true },
      { type: 'key_update', direction: 'send', updateRequested: false },
    ]);
    expect(client.receive(r.out[0]).events).toEqual([{ type: 'key_update', direction: 'receive', updateRequested: false }]);
    const m = new Uint8Array([1, 2, 3]);
    expect(client.receive(server.send(m)[0]).events).toEqual([{ type: 'application_data', data: m }]);
    expect(server.receive(client.send(m)[0]).events).toEqual([{ type: 'application_data', data: m }]);
  });
  it('after close() nothing more is sent: send, keyUpdate and sendNewSessionTicket throw TlsStateError', () => {
    const client = new TlsClient();
    const server = new TlsServer({ certificate: selfSigned('p256-1').certified });
    runHandshake(client, server);
    const closeNotify = server.close();
    expect(closeNotify).toHaveLength(1);
    const ticket = { lifetime: 7200, ageAdd: 1, nonce: new Uint8Array([0]), ticket: new Uint8Array(16) };
    const calls: [string, () => Uint8Array[]][] = [
      ['keyUpdate', () => server.keyUpdate()],
      ['sendNewSessionTicket', () => server.sendNewSessionTicket(ticket)],
      ['send', () => server.send(new Uint8Array([1]))],
    ];
    for (const [operation, call] of calls) {
      let err: unknown;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TlsStateError);
      expect(err).toMatchObject({ operation, why: 'closed' });
    }
    // and nothing was queued behind the refusals: the client reads only the close_notify
    expect(client.receive(closeNotify[0]).events).toEqual([
      { type: 'alert_received', alert: 'close_notify', code: 0, level: 'warning' },
      { type: 'closed', reason: 'close_notify' },
    ]);
    expect(server.close()).toEqual([]);
    // the client, its read side closed but not its write side, may still update its keys
    expect(client.keyUpdate()).toHaveLength(1);
    client.close();
    expect(() => client.keyUpdate()).toThrow(TlsStateError);
  });
  it('keyUpdate and sendNewSessionTicket before the handshake is done are refused (not_connected)', () => {
    const server = new TlsServer({ certificate: selfSigned('p256-1').certified });
    expect(() => server.keyUpdate()).toThrow(expect.objectContaining({ name: 'TlsStateError', why: 'not_connected' }));
    expect(() => new TlsClient().keyUpdate()).toThrow(TlsStateError);
  });
  it('announceGroups: listed in EncryptedExtensions only when the client did not use the first (OpenSSL)', () => {
    const eeGroups = (clientGroups: KeyExchangeGroup[]) => {
      const client = new TlsClient({ groups: clientGroups });
      const server = new TlsServer({
        certificate: selfSigned('p256-1').certified,
        groups: ['x25519', 'secp256r1'],
        hrrPolicy: 'any-share',
        announceGroups: [29, 23],
      });
      runHandshake(client, server);
      expect(client.connected).toBe(true);
      return client.trace.find((e) => e.message === 'EncryptedExtensions')?.fields.server_supported_groups;
    };
    expect(eeGroups(['secp256r1', 'x25519'])).toEqual(['x25519', 'secp256r1']);
    expect(eeGroups(['x25519', 'secp256r1'])).toBeUndefined();
  });
  it('record_size_limit and padding shape the records', () => {
    const client = new TlsClient({ recordSizeLimit: 513, recordPadding: () => 7 });
    const server = new TlsServer({ certificate: selfSigned('p256-1').certified, recordSizeLimit: 1024 });
    runHandshake(client, server);
    const recs = server.send(new Uint8Array(2000));
    expect(recs.map((r) => r.length)).toEqual([5 + 513 + 16, 5 + 513 + 16, 5 + 513 + 16, 5 + 2000 - 3 * 512 + 1 + 16]);
    const c = client.send(new Uint8Array(10));
    expect(c[0].length).toBe(5 + 10 + 1 + 7 + 16);
    expect(server.receive(c[0]).events[0]).toMatchObject({ type: 'application_data' });
  });
});
