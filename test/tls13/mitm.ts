// A man in the middle for in-memory handshakes: it reads both sides' secrets from their key
// logs, opens every record (plaintext or protected), lets a test rewrite one handshake
// message, and seals the result again with the sender's keys and sequence numbers. So a test
// can put any message in front of a step, protected ones included, and see what the
// receiving step does with it.

import { concatBytes, fromHex } from '../../src/der/index.js';
import {
  decodeHandshake,
  encodeHandshake,
  encodeRecord,
  nextTrafficSecret,
  peekKind,
  RecordProtection,
  suiteById,
  trafficKeys,
  type HandshakeMessage,
  type MessageKind,
  type Suite,
  type WireRecord,
} from '../../src/tls13/index.js';

type Side = 'client' | 'server';

export interface Edit {
  /** who sends the message */
  from: Side;
  kind: MessageKind;
  /** which message of that kind (0: the first) */
  nth?: number;
  /** the message's replacement, as encoded handshake messages */
  edit: (raw: Uint8Array) => Uint8Array[];
}

/** Decode, change, encode. */
export const mod =
  (change: (m: any) => void) =>
  (raw: Uint8Array): Uint8Array[] => {
    const m: HandshakeMessage = decodeHandshake(raw);
    change(m);
    return [encodeHandshake(m)];
  };

/** The message with its last body byte cut off (the header's length follows). */
export const truncate = (raw: Uint8Array): Uint8Array[] => {
  const body = raw.subarray(4, raw.length - 1);
  return [concatBytes(Uint8Array.of(raw[0], body.length >>> 16, (body.length >>> 8) & 0xff, body.length & 0xff), body)];
};

/** An extension nobody offered (an unknown code). */
export const unknownExtension = { type: 'unknown', code: 0x1234, data: new Uint8Array(0) } as const;

const EPOCHS: Record<Side, [string, string]> = {
  client: ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0'],
  server: ['SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0'],
};

interface Direction {
  epoch: number;
  secret?: Uint8Array;
  reader?: RecordProtection;
  writer?: RecordProtection;
}

export class Mitm {
  private readonly logged: Record<Side, Map<string, Uint8Array>> = { client: new Map(), server: new Map() };
  private readonly dirs: Record<Side, Direction> = { client: { epoch: 0 }, server: { epoch: 0 } };
  private readonly seen = new Map<string, number>();
  private suite?: Suite;
  /** how many edits were applied (a case whose edit never applied tests nothing) */
  applied = 0;

  constructor(private readonly edits: Edit[] = []) {}

  keylog(side: Side): (line: string) => void {
    return (line) => {
      const [label, , hex] = line.split(' ');
      this.logged[side].set(label, fromHex(hex));
    };
  }

  /** For runHandshake's `tamper`. */
  readonly tamper = (r: WireRecord): Uint8Array[] => [this.pass(r.from, r.bytes)];

  /** One record from `from`, as it reaches the other side. */
  pass(from: Side, record: Uint8Array): Uint8Array {
    const type = record[0];
    const fragment = record.subarray(5);
    if (type === 22) return encodeRecord(22, (record[1] << 8) | record[2], this.rewrite(from, fragment));
    if (type !== 23 || !this.suite) return record;
    const d = this.dir(from);
    if (!d.reader || !d.writer) return record;
    let inner: { type: number; content: Uint8Array; padding: number };
    try {
      inner = d.reader.decrypt({ type, version: (record[1] << 8) | record[2], fragment });
    } catch {
      return record;
    }
    const content = inner.type === 22 ? this.rewrite(from, inner.content) : inner.content;
    const sealed = d.writer.encrypt(inner.type, content, inner.padding);
    if (inner.type === 22) this.advance(from, inner.content);
    return sealed;
  }

  private rewrite(from: Side, fragment: Uint8Array): Uint8Array {
    const out: Uint8Array[] = [];
    for (let pos = 0; pos + 4 <= fragment.length; ) {
      const len = (fragment[pos + 1] << 16) | (fragment[pos + 2] << 8) | fragment[pos + 3];
      const raw = fragment.subarray(pos, pos + 4 + len);
      pos += 4 + len;
      const kind = peekKind(raw);
      if (kind === 'server_hello') {
        const sh = decodeHandshake(raw);
        if (sh.type === 'server_hello') this.suite = suiteById(sh.cipherSuite);
      }
      const key = `${from}:${kind}`;
      const n = this.seen.get(key) ?? 0;
      this.seen.set(key, n + 1);
      const edit = this.edits.find((e) => e.from === from && e.kind === kind && (e.nth ?? 0) === n);
      if (edit) this.applied++;
      out.push(...(edit ? edit.edit(raw) : [raw]));
    }
    return concatBytes(...out);
  }

  /** The sender's keys for its next protected record: handshake keys, then (after its Finished) application keys. */
  private dir(from: Side): Direction {
    const d = this.dirs[from];
    if (!d.secret && this.suite) this.install(from, this.logged[from].get(EPOCHS[from][d.epoch]));
    return d;
  }

  private install(from: Side, secret: Uint8Array | undefined): void {
    const d = this.dirs[from];
    if (!secret || !this.suite) return;
    d.secret = secret;
    d.reader = new RecordProtection(this.suite, trafficKeys(this.suite, secret));
    d.writer = new RecordProtection(this.suite, trafficKeys(this.suite, secret));
  }

  private advance(from: Side, content: Uint8Array): void {
    const d = this.dirs[from];
    for (let pos = 0; pos + 4 <= content.length; ) {
      const len = (content[pos + 1] << 16) | (content[pos + 2] << 8) | content[pos + 3];
      const type = content[pos];
      pos += 4 + len;
      if (type === 20 && d.epoch === 0) {
        d.epoch = 1;
        this.install(from, this.logged[from].get(EPOCHS[from][1]));
      } else if (type === 24 && d.secret && this.suite) {
        this.install(from, nextTrafficSecret(this.suite.hash, d.secret));
      }
    }
  }
}
