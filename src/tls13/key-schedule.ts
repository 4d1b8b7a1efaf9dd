// The TLS 1.3 key schedule (RFC 8446 §7): HKDF-Extract / HKDF-Expand-Label, Derive-Secret,
// the early / handshake / master secret chain, traffic secrets, Finished keys and
// verify_data, traffic key and IV derivation, KeyUpdate ("traffic upd"), exporter and
// resumption secrets, and the transcript hash with the HelloRetryRequest message_hash
// substitution (§4.4.1). Every function is pure; names follow the RFC.

import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { concatBytes, utf8Encode } from '../der/bytes.js';
import { acceleratedHmac } from './crypto-x509.js';
import { TlsWriter } from './codec/bytes.js';
import { HandshakeType } from './codec/constants.js';
import type { HashAlg, Suite } from './suites.js';

/** HMAC-Hash; an installed accelerator may compute it (the same bytes). */
function hmac(hash: HashAlg, key: Uint8Array, data: Uint8Array): Uint8Array {
  return acceleratedHmac(hash.name, key, data, () => nobleHmac(hash.fn, key, data));
}

/** HKDF-Extract (RFC 5869 §2.2): PRK = HMAC-Hash(salt, IKM). */
function hkdfExtract(hash: HashAlg, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmac(hash, salt, ikm);
}

/** HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC-Hash(PRK, T(i-1) | info | i), the first `length` octets. */
function hkdfExpand(hash: HashAlg, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (length > 255 * hash.length) throw new RangeError(`HKDF-Expand: length ${length} exceeds 255 * HashLen`);
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1, off = 0; off < length; i++, off += hash.length) {
    t = hmac(hash, prk, concatBytes(t, info, Uint8Array.of(i)));
    out.set(t.subarray(0, Math.min(hash.length, length - off)), off);
  }
  return out;
}

/** The HkdfLabel structure (§7.1). */
function hkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  return TlsWriter.build((w) =>
    w
      .u16(length)
      .vec(1, utf8Encode(`tls13 ${label}`))
      .vec(1, context),
  );
}

export function hkdfExpandLabel(hash: HashAlg, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  return hkdfExpand(hash, secret, hkdfLabel(label, context, length), length);
}

/** Derive-Secret(Secret, Label, Messages) with the transcript hash already computed. */
function deriveSecret(hash: HashAlg, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, label, transcriptHash, hash.length);
}

const emptyHash = (hash: HashAlg): Uint8Array => hash.fn(new Uint8Array(0));
const zeros = (hash: HashAlg) => new Uint8Array(hash.length);

/** Early Secret = HKDF-Extract(0, PSK or 0). */
export function earlySecret(hash: HashAlg, psk?: Uint8Array): Uint8Array {
  return hkdfExtract(hash, zeros(hash), psk ?? zeros(hash));
}

/** Handshake Secret = HKDF-Extract(Derive-Secret(Early, "derived", ""), (EC)DHE). */
export function handshakeSecret(hash: HashAlg, early: Uint8Array, ecdhe: Uint8Array): { derived: Uint8Array; secret: Uint8Array } {
  const derived = deriveSecret(hash, early, 'derived', emptyHash(hash));
  return { derived, secret: hkdfExtract(hash, derived, ecdhe) };
}

/** Master Secret = HKDF-Extract(Derive-Secret(Handshake, "derived", ""), 0). */
function masterSecret(hash: HashAlg, handshake: Uint8Array): { derived: Uint8Array; secret: Uint8Array } {
  const derived = deriveSecret(hash, handshake, 'derived', emptyHash(hash));
  return { derived, secret: hkdfExtract(hash, derived, zeros(hash)) };
}

/** finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (§4.4.4). */
function finishedKey(hash: HashAlg, baseKey: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, baseKey, 'finished', new Uint8Array(0), hash.length);
}

/** verify_data = HMAC(finished_key, Transcript-Hash(...)). */
export function finishedVerifyData(hash: HashAlg, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  return hmac(hash, finishedKey(hash, baseKey), transcriptHash);
}

export interface TrafficKeys {
  key: Uint8Array;
  iv: Uint8Array;
}

/** [sender]_write_key / _iv from a traffic secret (§7.3). */
export function trafficKeys(suite: Suite, secret: Uint8Array): TrafficKeys {
  return {
    key: hkdfExpandLabel(suite.hash, secret, 'key', new Uint8Array(0), suite.keyLength),
    iv: hkdfExpandLabel(suite.hash, secret, 'iv', new Uint8Array(0), suite.ivLength),
  };
}

/** application_traffic_secret_N+1 (§7.2). */
export function nextTrafficSecret(hash: HashAlg, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, 'traffic upd', new Uint8Array(0), hash.length);
}

/** TLS-Exporter(label, context, length) (§7.5). */
export function exportKeyingMaterial(
  hash: HashAlg,
  exporterMaster: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const secret = deriveSecret(hash, exporterMaster, label, emptyHash(hash));
  return hkdfExpandLabel(hash, secret, 'exporter', hash.fn(context), length);
}

/**
 * The handshake transcript. Messages are kept as bytes so the hash can be chosen after the
 * ServerHello picks the suite; a HelloRetryRequest replaces ClientHello1 with
 * message_hash(Hash(ClientHello1)) (§4.4.1).
 */
export class Transcript {
  private messages: Uint8Array[] = [];
  /**
   * A running hash per algorithm asked for (the suite, hence the hash, is known only from
   * ServerHello on): each message is hashed once instead of the whole transcript at every
   * derivation.
   */
  private running = new Map<HashAlg['name'], ReturnType<HashAlg['fn']['create']>>();

  add(encodedMessage: Uint8Array): void {
    this.messages.push(encodedMessage);
    for (const h of this.running.values()) h.update(encodedMessage);
  }

  hash(hash: HashAlg): Uint8Array {
    let h = this.running.get(hash.name);
    if (!h) {
      h = hash.fn.create();
      for (const m of this.messages) h.update(m);
      this.running.set(hash.name, h);
    }
    return h.clone().digest();
  }

  /** §4.4.1: replace everything so far (ClientHello1) by the synthetic message_hash message. */
  replaceWithMessageHash(hash: HashAlg): Uint8Array {
    const h = this.hash(hash);
    const synthetic = concatBytes(Uint8Array.of(HandshakeType.message_hash, 0, 0, hash.length), h);
    this.messages = [];
    this.running.clear();
    this.add(synthetic);
    return synthetic;
  }

  get length(): number {
    return this.messages.length;
  }
}

/** The secrets of one full handshake, in derivation order, as the key schedule produces them. */
interface HandshakeSecrets {
  early: Uint8Array;
  derivedForHandshake: Uint8Array;
  handshake: Uint8Array;
  clientHandshakeTraffic: Uint8Array;
  serverHandshakeTraffic: Uint8Array;
  derivedForMaster: Uint8Array;
  master: Uint8Array;
}

/** Everything from (EC)DHE to the handshake traffic secrets, given Transcript-Hash(CH..SH). */
export function deriveHandshakeSecrets(hash: HashAlg, ecdhe: Uint8Array, helloHash: Uint8Array): HandshakeSecrets {
  const early = earlySecret(hash);
  const hs = handshakeSecret(hash, early, ecdhe);
  const ms = masterSecret(hash, hs.secret);
  return {
    early,
    derivedForHandshake: hs.derived,
    handshake: hs.secret,
    clientHandshakeTraffic: deriveSecret(hash, hs.secret, 'c hs traffic', helloHash),
    serverHandshakeTraffic: deriveSecret(hash, hs.secret, 's hs traffic', helloHash),
    derivedForMaster: ms.derived,
    master: ms.secret,
  };
}

/** Application secrets from the master secret and Transcript-Hash(CH..server Finished). */
export function deriveApplicationSecrets(hash: HashAlg, master: Uint8Array, serverFinishedHash: Uint8Array) {
  return {
    clientApplicationTraffic: deriveSecret(hash, master, 'c ap traffic', serverFinishedHash),
    serverApplicationTraffic: deriveSecret(hash, master, 's ap traffic', serverFinishedHash),
    exporterMaster: deriveSecret(hash, master, 'exp master', serverFinishedHash),
  };
}

/** resumption_master_secret from Transcript-Hash(CH..client Finished). */
export function resumptionMasterSecret(hash: HashAlg, master: Uint8Array, clientFinishedHash: Uint8Array): Uint8Array {
  return deriveSecret(hash, master, 'res master', clientFinishedHash);
}
