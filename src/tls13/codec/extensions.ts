// Extension codecs (RFC 8446 §4.2 and the TLS 1.2-era extensions OpenSSL clients still
// send). One table entry per extension: how its body decodes and encodes in each message
// it may appear in (key_share, supported_versions, server_name, early_data and
// pre_shared_key change shape between ClientHello and the server's messages). Unknown
// extensions are kept as raw bytes. The table also says where each TLS 1.3 extension may
// appear (the "TLS 1.3" column of RFC 8446 §4.2), which the state machine enforces.

import { utf8Decode, utf8Encode } from '../../der/bytes.js';
import type { TlsReader, TlsWriter } from './bytes.js';
import { ExtensionType, extensionName, type ExtensionName } from './constants.js';

/** The message an extension block belongs to; bodies differ by context. */
export type ExtContext =
  | 'client_hello'
  | 'server_hello'
  | 'hello_retry_request'
  | 'encrypted_extensions'
  | 'certificate_request'
  | 'certificate'
  | 'new_session_ticket';

export interface KeyShareEntry {
  group: number;
  keyExchange: Uint8Array;
}

interface PskIdentity {
  identity: Uint8Array;
  obfuscatedTicketAge: number;
}

export type Extension =
  /** ClientHello: the names; server messages: [] (the empty acknowledgement of RFC 6066 §3) */
  | { type: 'server_name'; hostNames: string[] }
  | { type: 'max_fragment_length'; value: number }
  /** status_type then the rest of the body as sent (OCSPStatusRequest or CertificateStatus) */
  | { type: 'status_request'; statusType?: number; data: Uint8Array }
  | { type: 'supported_groups'; groups: number[] }
  | { type: 'ec_point_formats'; formats: number[] }
  | { type: 'signature_algorithms'; schemes: number[] }
  | { type: 'signature_algorithms_cert'; schemes: number[] }
  | { type: 'application_layer_protocol_negotiation'; protocols: string[] }
  | { type: 'padding'; length: number }
  | { type: 'encrypt_then_mac' }
  | { type: 'extended_master_secret' }
  | { type: 'post_handshake_auth' }
  | { type: 'record_size_limit'; limit: number }
  | { type: 'session_ticket'; ticket: Uint8Array }
  /** ClientHello: identities + binders; ServerHello: selectedIdentity. Decoded, never sent. */
  | { type: 'pre_shared_key'; identities?: PskIdentity[]; binders?: Uint8Array[]; selectedIdentity?: number }
  /** NewSessionTicket: maxEarlyDataSize; ClientHello and EncryptedExtensions: empty */
  | { type: 'early_data'; maxEarlyDataSize?: number }
  /** ClientHello: versions; ServerHello / HelloRetryRequest: selected */
  | { type: 'supported_versions'; versions?: number[]; selected?: number }
  | { type: 'cookie'; cookie: Uint8Array }
  | { type: 'psk_key_exchange_modes'; modes: number[] }
  /** DER of each X.501 Name */
  | { type: 'certificate_authorities'; names: Uint8Array[] }
  /** ClientHello: shares; ServerHello: share; HelloRetryRequest: selectedGroup */
  | { type: 'key_share'; shares?: KeyShareEntry[]; share?: KeyShareEntry; selectedGroup?: number }
  | { type: 'renegotiation_info'; data: Uint8Array }
  | { type: 'unknown'; code: number; data: Uint8Array };

type ExtensionOf<T extends Extension['type']> = Extract<Extension, { type: T }>;

interface Codec {
  decode(r: TlsReader, ctx: ExtContext): Extension;
  encode(w: TlsWriter, ext: Extension, ctx: ExtContext): void;
}

const isServerCtx = (ctx: ExtContext) => ctx !== 'client_hello';
const u16List = (r: TlsReader, name: string, min: number, max = 0xffff): number[] => {
  const v = r.vec(2, name, min, max);
  if (v.remaining % 2) v.fail(`${name} has an odd length`);
  return v.list((x) => x.u16());
};
const u8List = (r: TlsReader, name: string, min: number): number[] => r.vec(1, name, min).list((x) => x.u8());
const writeU16List = (w: TlsWriter, l: readonly number[]) =>
  w.vec(2, (v) =>
    l.forEach((x) => {
      v.u16(x);
    }),
  );
const empty = (type: 'encrypt_then_mac' | 'extended_master_secret' | 'post_handshake_auth'): Codec => ({
  decode: (r) => {
    r.end_(`${type} (must be empty)`);
    return { type };
  },
  encode: () => {},
});
const keyShareEntry = (r: TlsReader): KeyShareEntry => ({ group: r.u16('group'), keyExchange: r.vecBytes(2, 'key_exchange', 1) });

const CODECS: Partial<Record<ExtensionName, Codec>> = {
  server_name: {
    decode(r, ctx) {
      if (isServerCtx(ctx) && r.done()) return { type: 'server_name', hostNames: [] };
      const list = r.vec(2, 'server_name_list', 1);
      const hostNames = list.list((x) => {
        const nameType = x.u8('name_type');
        const name = x.vecBytes(2, 'host_name', 1);
        if (nameType !== 0) x.fail(`server_name name_type ${nameType} is not host_name(0)`, 'illegal_parameter');
        return utf8Decode(name);
      });
      return { type: 'server_name', hostNames };
    },
    encode(w, e) {
      const { hostNames } = e as ExtensionOf<'server_name'>;
      if (hostNames.length === 0) return;
      w.vec(2, (l) =>
        hostNames.forEach((h) => {
          l.u8(0).vec(2, utf8Encode(h));
        }),
      );
    },
  },
  max_fragment_length: {
    decode: (r) => ({ type: 'max_fragment_length', value: r.u8('max_fragment_length') }),
    encode: (w, e) => void w.u8((e as ExtensionOf<'max_fragment_length'>).value),
  },
  status_request: {
    decode: (r) =>
      r.done()
        ? { type: 'status_request', data: new Uint8Array(0) }
        : { type: 'status_request', statusType: r.u8('status_type'), data: r.rest() },
    encode(w, e) {
      const s = e as ExtensionOf<'status_request'>;
      if (s.statusType !== undefined) w.u8(s.statusType);
      w.bytes(s.data);
    },
  },
  supported_groups: {
    decode: (r) => ({ type: 'supported_groups', groups: u16List(r, 'named_group_list', 2) }),
    encode: (w, e) => void writeU16List(w, (e as ExtensionOf<'supported_groups'>).groups),
  },
  ec_point_formats: {
    decode: (r) => ({ type: 'ec_point_formats', formats: u8List(r, 'ec_point_format_list', 1) }),
    encode: (w, e) => void w.vec(1, Uint8Array.from((e as ExtensionOf<'ec_point_formats'>).formats)),
  },
  signature_algorithms: {
    decode: (r) => ({ type: 'signature_algorithms', schemes: u16List(r, 'supported_signature_algorithms', 2, 0xfffe) }),
    encode: (w, e) => void writeU16List(w, (e as ExtensionOf<'signature_algorithms'>).schemes),
  },
  signature_algorithms_cert: {
    decode: (r) => ({ type: 'signature_algorithms_cert', schemes: u16List(r, 'supported_signature_algorithms', 2, 0xfffe) }),
    encode: (w, e) => void writeU16List(w, (e as ExtensionOf<'signature_algorithms_cert'>).schemes),
  },
  application_layer_protocol_negotiation: {
    decode(r) {
      const protocols = r.vec(2, 'protocol_name_list', 2).list((x) => utf8Decode(x.vecBytes(1, 'ProtocolName', 1)));
      return { type: 'application_layer_protocol_negotiation', protocols };
    },
    encode: (w, e) =>
      void w.vec(2, (l) =>
        (e as ExtensionOf<'application_layer_protocol_negotiation'>).protocols.forEach((p) => {
          l.vec(1, utf8Encode(p));
        }),
      ),
  },
  padding: {
    decode: (r) => ({ type: 'padding', length: r.rest().length }),
    encode: (w, e) => void w.bytes(new Uint8Array((e as ExtensionOf<'padding'>).length)),
  },
  encrypt_then_mac: empty('encrypt_then_mac'),
  extended_master_secret: empty('extended_master_secret'),
  post_handshake_auth: empty('post_handshake_auth'),
  record_size_limit: {
    decode(r) {
      const limit = r.u16('RecordSizeLimit');
      // RFC 8449 §4: a value below 64 is illegal_parameter
      if (limit < 64) r.fail(`record_size_limit ${limit} is below 64`, 'illegal_parameter');
      return { type: 'record_size_limit', limit };
    },
    encode: (w, e) => void w.u16((e as ExtensionOf<'record_size_limit'>).limit),
  },
  session_ticket: {
    decode: (r) => ({ type: 'session_ticket', ticket: r.rest() }),
    encode: (w, e) => void w.bytes((e as ExtensionOf<'session_ticket'>).ticket),
  },
  pre_shared_key: {
    decode(r, ctx) {
      if (isServerCtx(ctx)) return { type: 'pre_shared_key', selectedIdentity: r.u16('selected_identity') };
      const identities = r.vec(2, 'identities', 7).list((x) => ({
        identity: x.vecBytes(2, 'identity', 1),
        obfuscatedTicketAge: x.u32('obfuscated_ticket_age'),
      }));
      const binders = r.vec(2, 'binders', 33).list((x) => x.vecBytes(1, 'PskBinderEntry', 32));
      return { type: 'pre_shared_key', identities, binders };
    },
    encode() {
      throw new TypeError('pgtls does not send pre_shared_key (no PSK resumption)');
    },
  },
  early_data: {
    decode: (r, ctx) =>
      ctx === 'new_session_ticket' ? { type: 'early_data', maxEarlyDataSize: r.u32('max_early_data_size') } : { type: 'early_data' },
    encode(w, e) {
      const m = (e as ExtensionOf<'early_data'>).maxEarlyDataSize;
      if (m !== undefined) w.u32(m);
    },
  },
  supported_versions: {
    decode(r, ctx) {
      if (ctx === 'client_hello') {
        const v = r.vec(1, 'versions', 2, 254);
        if (v.remaining % 2) v.fail('versions has an odd length');
        return { type: 'supported_versions', versions: v.list((x) => x.u16()) };
      }
      return { type: 'supported_versions', selected: r.u16('selected_version') };
    },
    encode(w, e) {
      const s = e as ExtensionOf<'supported_versions'>;
      if (s.versions)
        w.vec(1, (l) =>
          s.versions!.forEach((v) => {
            l.u16(v);
          }),
        );
      else w.u16(s.selected ?? 0);
    },
  },
  cookie: {
    decode: (r) => ({ type: 'cookie', cookie: r.vecBytes(2, 'cookie', 1) }),
    encode: (w, e) => void w.vec(2, (e as ExtensionOf<'cookie'>).cookie),
  },
  psk_key_exchange_modes: {
    decode: (r) => ({ type: 'psk_key_exchange_modes', modes: u8List(r, 'ke_modes', 1) }),
    encode: (w, e) => void w.vec(1, Uint8Array.from((e as ExtensionOf<'psk_key_exchange_modes'>).modes)),
  },
  certificate_authorities: {
    decode: (r) => ({
      type: 'certificate_authorities',
      names: r.vec(2, 'authorities', 3).list((x) => x.vecBytes(2, 'DistinguishedName', 1)),
    }),
    encode: (w, e) =>
      void w.vec(2, (l) =>
        (e as ExtensionOf<'certificate_authorities'>).names.forEach((n) => {
          l.vec(2, n);
        }),
      ),
  },
  key_share: {
    decode(r, ctx) {
      if (ctx === 'client_hello') return { type: 'key_share', shares: r.vec(2, 'client_shares').list(keyShareEntry) };
      if (ctx === 'hello_retry_request') return { type: 'key_share', selectedGroup: r.u16('selected_group') };
      return { type: 'key_share', share: keyShareEntry(r) };
    },
    encode(w, e) {
      const k = e as ExtensionOf<'key_share'>;
      const entry = (x: TlsWriter, s: KeyShareEntry) => x.u16(s.group).vec(2, s.keyExchange);
      if (k.shares)
        w.vec(2, (l) =>
          k.shares!.forEach((s) => {
            entry(l, s);
          }),
        );
      else if (k.share) entry(w, k.share);
      else w.u16(k.selectedGroup ?? 0);
    },
  },
  renegotiation_info: {
    decode: (r) => ({ type: 'renegotiation_info', data: r.vecBytes(1, 'renegotiated_connection') }),
    encode: (w, e) => void w.vec(1, (e as ExtensionOf<'renegotiation_info'>).data),
  },
};

/** Wire code of an extension. */
export function extensionCode(e: Extension): number {
  return e.type === 'unknown' ? e.code : ExtensionType[e.type];
}

const CH = 'client_hello',
  SH = 'server_hello',
  HRR = 'hello_retry_request',
  EE = 'encrypted_extensions';
const CR = 'certificate_request',
  CT = 'certificate',
  NST = 'new_session_ticket';
/**
 * RFC 8446 §4.2: the messages each TLS 1.3 extension may appear in. An extension we know
 * received elsewhere is illegal_parameter; extensions not in this table (TLS 1.2-era ones)
 * are only legal in the ClientHello, where a TLS 1.3 server ignores them.
 */
export const EXTENSION_CONTEXTS: Partial<Record<ExtensionName, readonly ExtContext[]>> = {
  server_name: [CH, EE],
  max_fragment_length: [CH, EE],
  status_request: [CH, CR, CT],
  supported_groups: [CH, EE],
  signature_algorithms: [CH, CR],
  use_srtp: [CH, EE],
  heartbeat: [CH, EE],
  application_layer_protocol_negotiation: [CH, EE],
  signed_certificate_timestamp: [CH, CR, CT],
  client_certificate_type: [CH, EE],
  server_certificate_type: [CH, EE],
  padding: [CH],
  record_size_limit: [CH, EE],
  pre_shared_key: [CH, SH],
  early_data: [CH, EE, NST],
  supported_versions: [CH, SH, HRR],
  cookie: [CH, HRR],
  psk_key_exchange_modes: [CH],
  certificate_authorities: [CH, CR],
  oid_filters: [CR],
  post_handshake_auth: [CH],
  signature_algorithms_cert: [CH, CR],
  key_share: [CH, SH, HRR],
  compress_certificate: [CH, CR],
};

function decodeExtension(r: TlsReader, ctx: ExtContext, index: number): Extension {
  const code = r.u16('extension_type');
  const name = extensionName(code);
  const body = r.vec(2, `extensions[${index}](${name}).extension_data`);
  const codec = CODECS[name as ExtensionName];
  if (!codec) return { type: 'unknown', code, data: body.rest() };
  const ext = codec.decode(body, ctx);
  body.end_(name);
  return ext;
}

/** An extension block. Duplicates are illegal_parameter (RFC 8446 §4.2). */
export function decodeExtensions(r: TlsReader, ctx: ExtContext, min = 0): Extension[] {
  const block = r.vec(2, 'extensions', min);
  const seen = new Set<number>();
  const out: Extension[] = [];
  while (!block.done()) {
    const at = block.offset;
    const ext = decodeExtension(block, ctx, out.length);
    const code = extensionCode(ext);
    if (seen.has(code)) block.fail(`duplicate ${extensionName(code)} extension`, 'illegal_parameter', at);
    seen.add(code);
    out.push(ext);
  }
  // RFC 8446 §4.2.11: pre_shared_key MUST be the last extension in the ClientHello
  const psk = out.findIndex((e) => e.type === 'pre_shared_key');
  if (ctx === 'client_hello' && psk >= 0 && psk !== out.length - 1) {
    block.fail('pre_shared_key is not the last ClientHello extension', 'illegal_parameter');
  }
  return out;
}

export function encodeExtension(w: TlsWriter, e: Extension, ctx: ExtContext): void {
  w.u16(extensionCode(e));
  if (e.type === 'unknown') {
    w.vec(2, e.data);
    return;
  }
  const codec = CODECS[e.type];
  if (!codec) throw new TypeError(`no codec for ${e.type}`);
  w.vec(2, (b) => codec.encode(b, e, ctx));
}

export function encodeExtensions(w: TlsWriter, exts: readonly Extension[], ctx: ExtContext): void {
  w.vec(2, (b) =>
    exts.forEach((e) => {
      encodeExtension(b, e, ctx);
    }),
  );
}

export function findExtension<T extends Extension['type']>(exts: readonly Extension[], type: T): ExtensionOf<T> | undefined {
  return exts.find((e) => e.type === type) as ExtensionOf<T> | undefined;
}
