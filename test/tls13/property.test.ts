// Property tests (fast-check): whatever the network does to the records of a real
// handshake (drop, duplicate, truncate, flip a bit, reorder), and whatever sequence of
// handshake messages arrives, neither side throws; each either completes, waits for more
// bytes, or ends with exactly one alert from the RFC's list, and the obvious cases end in
// the obvious alert (a flipped ciphertext bit is bad_record_mac).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TlsWriter } from '../../src/tls13/codec/bytes.js';
import { TlsClient, TlsServer, encodeRecord, runHandshake, type TlsEvent, type WireRecord } from '../../src/tls13/index.js';
import { seededRandom, selfSigned, serverHelloWithoutTls13 } from './helpers.js';

const RFC_ALERTS = new Set([
  'unexpected_message',
  'decode_error',
  'bad_record_mac',
  'record_overflow',
  'illegal_parameter',
  'decrypt_error',
  'handshake_failure',
  'protocol_version',
  'missing_extension',
  'unsupported_extension',
  'bad_certificate',
]);
const cert = selfSigned('p256-1');
const sent = (evs: TlsEvent[]) => evs.filter((e): e is Extract<TlsEvent, { type: 'alert_sent' }> => e.type === 'alert_sent');

function pair(seed: number) {
  return {
    client: new TlsClient({ random: seededRandom(seed), groups: ['x25519', 'secp256r1'] }),
    server: new TlsServer({
      certificate: cert.certified,
      random: seededRandom(seed + 7),
      groups: ['secp256r1', 'x25519'],
      clientAuth: seed % 2 ? 'request' : 'none',
    }),
  };
}

type Op = { kind: 'drop' | 'dup' | 'truncate' | 'flip' | 'swap'; at: number; pos: number; bit: number };
const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('drop', 'dup', 'truncate', 'flip', 'swap'),
  at: fc.nat(12),
  pos: fc.nat(2000),
  bit: fc.nat(7),
});

function tamperer(op: Op) {
  let n = 0;
  let held: Uint8Array | undefined;
  return (r: WireRecord): Uint8Array[] => {
    const i = n++;
    if (held && i === op.at + 1) {
      const h = held;
      held = undefined;
      return [r.bytes, h];
    }
    if (i !== op.at) return [r.bytes];
    const b = r.bytes.slice();
    switch (op.kind) {
      case 'drop':
        return [];
      case 'dup':
        return [b, b];
      case 'truncate':
        return [b.subarray(0, op.pos % b.length)];
      case 'flip':
        b[op.pos % b.length] ^= 1 << op.bit;
        return [b];
      case 'swap':
        held = b;
        return [];
    }
  };
}

describe('network damage never crashes either side', () => {
  it('drop / duplicate / truncate / bit-flip / swap one record of a handshake', () => {
    fc.assert(
      fc.property(opArb, fc.nat(1000), (op, seed) => {
        const { client, server } = pair(seed);
        const run = runHandshake(client, server, { tamper: tamperer(op) });
        for (const evs of [run.clientEvents, run.serverEvents]) {
          const alerts = sent(evs);
          expect(alerts.length).toBeLessThanOrEqual(1);
          for (const a of alerts) expect(RFC_ALERTS, `${a.alert}: ${a.reason}`).toContain(a.alert);
        }
        const target = run.wire[op.at];
        // a flipped bit inside an encrypted record body is bad_record_mac at the receiver
        if (op.kind === 'flip' && target && target.bytes[0] === 23 && op.pos % target.bytes.length >= 5) {
          const receiver = target.from === 'client' ? run.serverEvents : run.clientEvents;
          expect(sent(receiver).map((a) => a.alert)).toEqual(['bad_record_mac']);
        }
        // a replayed encrypted record fails authentication (the sequence number moved on)
        if (op.kind === 'dup' && target && target.bytes[0] === 23) {
          const receiver = target.from === 'client' ? run.serverEvents : run.clientEvents;
          expect(sent(receiver).map((a) => a.alert)).toEqual(['bad_record_mac']);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a ServerHello after a HelloRetryRequest that falls back to TLS 1.2 is refused with protocol_version (found by the property above)', () => {
    // seed 0: the server prefers secp256r1, the client's first share is x25519, so a
    // HelloRetryRequest comes first; then the ServerHello loses its supported_versions.
    // OpenSSL's answer to the same bytes: node-interop.test.ts
    const { client, server } = pair(0);
    let hellos = 0;
    const run = runHandshake(client, server, {
      tamper: (r) => [
        r.from === 'server' && r.bytes[0] === 22 && r.bytes[5] === 2 && ++hellos === 2 ? serverHelloWithoutTls13(r.bytes) : r.bytes,
      ],
    });
    expect(hellos).toBe(2);
    expect(sent(run.clientEvents).map((a) => a.alert)).toEqual(['protocol_version']);
    expect(run.clientEvents.some((e) => e.type === 'negotiated')).toBe(false);
  });

  it('undamaged runs always complete (the property above is not vacuous)', () => {
    const { client, server } = pair(3);
    runHandshake(client, server);
    expect([client.state, server.state]).toEqual(['Connected', 'Connected']);
  });
});

const KINDS = [1, 2, 4, 5, 8, 11, 13, 15, 20, 24, 254, 3, 99];
const msgArb = fc.record({ type: fc.constantFrom(...KINDS), body: fc.uint8Array({ maxLength: 80 }) });

describe('random handshake message sequences', () => {
  it('a client after its ClientHello, a fresh server: unexpected_message, decode_error or another RFC alert, never a throw', () => {
    fc.assert(
      fc.property(fc.array(msgArb, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.nat(50), (msgs, toClient, seed) => {
        const { client, server } = pair(seed);
        client.start();
        const target = toClient ? client : server;
        const bytes = msgs.map((m) => TlsWriter.build((w) => w.u8(m.type).vec(3, m.body)));
        const events: TlsEvent[] = [];
        for (const b of bytes) events.push(...target.receive(encodeRecord(22, 0x0303, b)).events);
        const alerts = sent(events);
        expect(alerts.length).toBeLessThanOrEqual(1);
        if (alerts.length) {
          expect(RFC_ALERTS).toContain(alerts[0].alert);
          expect(target.state).toBe('Closed');
        }
        // the first message decides: a type the initial state does not take is unexpected_message
        const first = msgs[0].type;
        const accepted = toClient ? [2] : [1];
        if (!accepted.includes(first)) expect(alerts[0]?.alert).toBe('unexpected_message');
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary bytes on the wire: never a throw, at most one alert', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (junk, toClient) => {
        const { client, server } = pair(1);
        client.start();
        const r = (toClient ? client : server).receive(junk);
        expect(sent(r.events).length).toBeLessThanOrEqual(1);
        for (const a of sent(r.events)) expect(RFC_ALERTS).toContain(a.alert);
      }),
      { numRuns: 300 },
    );
  });
});
