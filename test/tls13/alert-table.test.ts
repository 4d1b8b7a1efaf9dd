// The state table's `alerts` and `rfc` columns against what the engine really does. Each
// case drives one step into a failure (a message rewritten in flight by a man in the middle,
// or a peer configured to send it) and checks that the receiver closes from the step's state
// with the alert the case names, and that the step's row lists that alert; then every alert
// a row lists must have been produced by some case, so the column is neither short nor
// padded. The rfc column: each row cites the RFC 8446 section of its message, and every step
// the trace records cites its row's section.

import { describe, expect, it } from 'vitest';
import {
  describeMachine,
  runHandshake,
  TlsClient,
  TlsServer,
  type MessageKind,
  type Role,
  type TraceEntry,
  type Transition,
} from '../../src/tls13/index.js';
import { CASES, clientCert, HRR, handshake, serverCert } from './alert-cases.js';
import { seededRandom } from './helpers.js';

const rowOf = (role: Role, from: string, on: MessageKind): Transition | undefined =>
  describeMachine(role).transitions.find((t) => t.from === from && t.on === on);

describe('each step fails with an alert its row lists', () => {
  for (const c of CASES) {
    it(`${c.role} ${c.from} <- ${c.on}: ${c.why} -> ${c.alert}`, () => {
      const out = handshake(c.role, c.setup);
      if (c.setup.edits) expect(out.applied, 'the edit reached its message').toBe(c.setup.edits.length);
      const sent = out.events.filter((e) => e.type === 'alert_sent');
      expect(sent.map((e) => e.alert)).toEqual([c.alert]);
      const closing = out.victim.trace.find((e) => e.state?.to === 'Closed');
      expect(closing?.state?.from, 'the state the step ran in').toBe(c.from);
      const row = rowOf(c.role, c.from, c.on);
      expect(row, 'the table has the step').toBeDefined();
      if (c.verifier) expect(row?.verifierAlert).toBe(true);
      else expect(row?.alerts).toContain(c.alert);
    });
  }
});

describe('the table lists no alert the engine cannot send', () => {
  for (const role of ['client', 'server'] as const) {
    for (const row of describeMachine(role).transitions.filter((t) => !t.on.startsWith('api:'))) {
      it(`${role} ${row.from} <- ${row.on} (${row.step})`, () => {
        const cases = CASES.filter((c) => c.role === role && c.from === row.from && c.on === row.on);
        const produced = new Set(cases.filter((c) => !c.verifier).map((c) => c.alert));
        expect([...produced].sort()).toEqual([...row.alerts].sort());
        expect(cases.some((c) => c.verifier)).toBe(row.verifierAlert === true);
      });
    }
  }
});

/** RFC 8446's section for each message, read from its table of contents (an oracle the table does not share). */
const SECTION_OF: Partial<Record<MessageKind | `api:${string}`, string>> = {
  client_hello: '4.1.2',
  'api:start': '4.1.2',
  server_hello: '4.1.3',
  hello_retry_request: '4.1.4',
  encrypted_extensions: '4.3.1',
  certificate_request: '4.3.2',
  certificate: '4.4.2',
  certificate_verify: '4.4.3',
  finished: '4.4.4',
  new_session_ticket: '4.6.1',
  'api:sendNewSessionTicket': '4.6.1',
  key_update: '4.6.3',
  'api:keyUpdate': '4.6.3',
};

describe('the rfc column cites the section of the step', () => {
  for (const role of ['client', 'server'] as const) {
    for (const row of describeMachine(role).transitions) {
      it(`${role} ${row.from} ${row.on} (${row.step}): §${row.rfc}`, () => {
        // the second ClientHello is checked against the HelloRetryRequest, whose section says how
        const expected = row.step === 'processClientHelloAfterHrr' ? '4.1.4' : SECTION_OF[row.on];
        expect(row.rfc).toBe(expected);
      });
    }
  }
});

describe('the rfc column is what the trace cites', () => {
  const traces: TraceEntry[] = [];
  for (const c of CASES) {
    const out = handshake(c.role, c.setup);
    traces.push(...out.victim.trace);
  }
  // a complete run through every step: HelloRetryRequest, client authentication, a ticket, KeyUpdate both ways
  const c = new TlsClient({ ...HRR.client, certificate: clientCert.certified, random: seededRandom(3) });
  const s = new TlsServer({
    ...HRR.server,
    certificate: serverCert.certified,
    clientAuth: 'request',
    random: seededRandom(4),
    tickets: () => [{ lifetime: 7200, ageAdd: 1, nonce: Uint8Array.of(0), ticket: new Uint8Array(8) }],
  });
  runHandshake(c, s);
  for (const r of c.keyUpdate(true)) for (const back of s.receive(r).out) c.receive(back);
  s.receive(c.send(Uint8Array.of(1))[0]);
  traces.push(...c.trace, ...s.trace);
  for (const role of ['client', 'server'] as const) {
    const rows = describeMachine(role).transitions;
    for (const step of new Set(rows.map((r) => r.step))) {
      it(`${role} ${step}`, () => {
        const cites = new Set(rows.filter((r) => r.step === step).map((r) => r.rfc));
        expect(cites.size, 'one section per step').toBe(1);
        const entries = traces.filter((e) => e.who === role && e.step === step);
        expect(entries.length, 'the step ran').toBeGreaterThan(0);
        for (const e of entries) expect(e.rfc).toBe([...cites][0]);
      });
    }
  }
});
