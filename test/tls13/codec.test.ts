// The wire codec, the alert table and the record layer on their own: round trips, the
// RFC's decode_error / illegal_parameter cases, OpenSSL's alert texts checked against the
// installed `openssl errstr`, and streaming record reassembly at every split point.
// What `openssl errstr` and `openssl ciphers -stdname` printed is recorded in
// vectors/oracle/tls13-codec/openssl-3.0.json and replayed without openssl.

import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../../src/der/index.js';
import { CipherSuite, Tls12CipherSuite, cipherSuiteName } from '../../src/tls13/codec/constants.js';
import {
  ALERTS,
  HandshakeReassembler,
  RecordProtection,
  RecordReader,
  TlsDecodeError,
  TlsWriter,
  decodeAlert,
  decodeHandshake,
  encodeHandshake,
  encodeRecord,
  hkdfExpandLabel,
  opensslAlertText,
  opensslErrorCode,
  suiteById,
  trafficKeys,
  type HandshakeMessage,
} from '../../src/tls13/index.js';
import { loadVector } from './helpers.js';
import { useOpensslGoldens } from '../support/openssl-goldens.js';

const goldens = useOpensslGoldens('tls13-codec');

const rt = (m: HandshakeMessage) => expect(decodeHandshake(encodeHandshake(m))).toEqual(m);
const fail = (bytes: Uint8Array, alert: 'decode_error' | 'illegal_parameter', msg?: RegExp) => {
  try {
    decodeHandshake(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(TlsDecodeError);
    expect((e as TlsDecodeError).alert).toBe(alert);
    if (msg) expect((e as Error).message).toMatch(msg);
    return;
  }
  throw new Error('decoded without error');
};
const hs = (type: number, body: Uint8Array) => TlsWriter.build((w) => w.u8(type).vec(3, body));

describe('handshake messages round-trip', () => {
  it('every message type', () => {
    rt({
      type: 'client_hello',
      legacyVersion: 0x0303,
      random: new Uint8Array(32).fill(7),
      legacySessionId: new Uint8Array(32).fill(1),
      cipherSuites: [0x1301, 0x1302],
      legacyCompressionMethods: [0],
      extensions: [
        { type: 'server_name', hostNames: ['db.example.com'] },
        { type: 'max_fragment_length', value: 4 },
        { type: 'status_request', statusType: 1, data: fromHex('00000000') },
        { type: 'supported_groups', groups: [29, 23] },
        { type: 'ec_point_formats', formats: [0] },
        { type: 'signature_algorithms', schemes: [0x0804, 0x0403] },
        { type: 'signature_algorithms_cert', schemes: [0x0804] },
        { type: 'application_layer_protocol_negotiation', protocols: ['postgresql', 'h2'] },
        { type: 'padding', length: 3 },
        { type: 'encrypt_then_mac' },
        { type: 'extended_master_secret' },
        { type: 'post_handshake_auth' },
        { type: 'record_size_limit', limit: 16385 },
        { type: 'session_ticket', ticket: new Uint8Array(0) },
        { type: 'early_data' },
        { type: 'supported_versions', versions: [0x0304, 0x0303] },
        { type: 'cookie', cookie: fromHex('abcd') },
        { type: 'psk_key_exchange_modes', modes: [1] },
        { type: 'certificate_authorities', names: [fromHex('3000')] },
        { type: 'key_share', shares: [{ group: 29, keyExchange: new Uint8Array(32).fill(9) }] },
        { type: 'renegotiation_info', data: new Uint8Array(0) },
        { type: 'unknown', code: 0x1234, data: fromHex('0102') },
      ],
    });
    rt({
      type: 'server_hello',
      legacyVersion: 0x0303,
      random: new Uint8Array(32).fill(2),
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: 0x1301,
      legacyCompressionMethod: 0,
      extensions: [
        { type: 'key_share', share: { group: 23, keyExchange: new Uint8Array(65).fill(4) } },
        { type: 'supported_versions', selected: 0x0304 },
      ],
    });
    rt({ type: 'encrypted_extensions', extensions: [{ type: 'server_name', hostNames: [] }, { type: 'early_data' }] });
    rt({ type: 'certificate_request', context: new Uint8Array(0), extensions: [{ type: 'signature_algorithms', schemes: [0x0807] }] });
    rt({
      type: 'certificate',
      context: new Uint8Array(0),
      entries: [{ data: fromHex('3003020101'), extensions: [{ type: 'status_request', statusType: 1, data: fromHex('000001ff') }] }],
    });
    rt({ type: 'certificate_verify', scheme: 0x0807, signature: new Uint8Array(64).fill(5) });
    rt({ type: 'finished', verifyData: new Uint8Array(32).fill(3) });
    rt({
      type: 'new_session_ticket',
      lifetime: 7200,
      ageAdd: 0xdeadbeef,
      nonce: fromHex('00'),
      ticket: fromHex('aa'),
      extensions: [{ type: 'early_data', maxEarlyDataSize: 1024 }],
    });
    rt({ type: 'key_update', requestUpdate: 1 });
    rt({ type: 'end_of_early_data' });
    rt({ type: 'message_hash', hash: new Uint8Array(32) });
  });

  it('a ServerHello with the special random is a HelloRetryRequest (key_share names a group)', () => {
    const v = loadVector('section5-hello-retry-request');
    const hrr = decodeHandshake(new RecordReader().push(fromHex(v.record.hello_retry_request))[0].fragment);
    expect(hrr.type).toBe('hello_retry_request');
    expect((hrr as any).extensions.map((e: any) => e.type)).toEqual(['key_share', 'cookie', 'supported_versions']);
    expect((hrr as any).extensions[0].selectedGroup).toBe(23);
  });

  it('decodes a ClientHello pre_shared_key (identities and binders)', () => {
    const psk = TlsWriter.build((w) =>
      w.u16(41).vec(2, (b) => b.vec(2, (l) => l.vec(2, fromHex('01020304')).u32(99)).vec(2, (l) => l.vec(1, new Uint8Array(32).fill(8)))),
    );
    const body = TlsWriter.build((w) =>
      w.u16(0x0303).bytes(new Uint8Array(32)).vec(1, new Uint8Array(0)).vec(2, fromHex('1301')).vec(1, fromHex('00')).vec(2, psk),
    );
    const ch = decodeHandshake(hs(1, body)) as any;
    expect(ch.extensions[0]).toEqual({
      type: 'pre_shared_key',
      identities: [{ identity: fromHex('01020304'), obfuscatedTicketAge: 99 }],
      binders: [new Uint8Array(32).fill(8)],
    });
  });
});

describe('decode errors', () => {
  const chWith = (exts: Uint8Array) =>
    hs(
      1,
      TlsWriter.build((w) =>
        w.u16(0x0303).bytes(new Uint8Array(32)).vec(1, new Uint8Array(0)).vec(2, fromHex('1301')).vec(1, fromHex('00')).vec(2, exts),
      ),
    );
  it('truncated, overlong and trailing bytes are decode_error', () => {
    const good = encodeHandshake({ type: 'finished', verifyData: new Uint8Array(32) });
    fail(good.subarray(0, 10), 'decode_error');
    fail(concatBytes(good, Uint8Array.of(0)), 'decode_error', /unexpected bytes/);
    fail(hs(15, fromHex('0807ffff00')), 'decode_error', /signature needs 65535 bytes/);
    fail(hs(1, fromHex('0303')), 'decode_error', /random needs 32 bytes/);
  });
  it('duplicate extensions are illegal_parameter', () => {
    fail(chWith(fromHex('0017000000170000')), 'illegal_parameter', /duplicate extended_master_secret/);
  });
  it('pre_shared_key not last is illegal_parameter', () => {
    const psk = TlsWriter.build((w) =>
      w.u16(41).vec(2, (b) => b.vec(2, (l) => l.vec(2, fromHex('01')).u32(0)).vec(2, (l) => l.vec(1, new Uint8Array(32)))),
    );
    fail(chWith(concatBytes(psk, fromHex('00170000'))), 'illegal_parameter', /pre_shared_key is not the last/);
  });
  it('record_size_limit below 64 and a bad KeyUpdate value are illegal_parameter', () => {
    fail(chWith(fromHex('001c00020020')), 'illegal_parameter', /below 64/);
    fail(hs(24, fromHex('02')), 'illegal_parameter', /request_update 2/);
  });
  it('errors name the path of the bad field', () => {
    try {
      decodeHandshake(chWith(fromHex('000a000100')));
    } catch (e) {
      expect((e as TlsDecodeError).path).toContain('ClientHello.extensions');
    }
  });
  it('an alert body is exactly two bytes', () => {
    expect(decodeAlert(fromHex('0230'))).toEqual({ level: 2, description: 48 });
    expect(() => decodeAlert(fromHex('02'))).toThrow(TlsDecodeError);
  });
});

/** ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, 1000 + alert)) for every alert, from pyOpenSSL's OpenSSL. */
const PY_REASONS = `
import json
from OpenSSL import SSL
from OpenSSL._util import lib, ffi
SSL.Context(SSL.TLS_CLIENT_METHOD)  # loads the error strings
reasons = {}
for code in range(256):
    s = lib.ERR_reason_error_string((20 << 23) | (1000 + code))
    if s != ffi.NULL:
        reasons[str(code)] = ffi.string(s).decode()
print(json.dumps({"version": SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode(), "reasons": reasons}))
`;

describe('OpenSSL alert texts', () => {
  it.skipIf(goldens.skip)('3.0 reason strings equal `openssl errstr` of SSL_AD_REASON_OFFSET + description for every alert', () => {
    const codes = ALERTS.filter((a) => a.code !== 0);
    const args = ['errstr', ...codes.map((a) => opensslErrorCode(a.code))];
    const out = goldens
      .call(`openssl ${args.join(' ')}`, () => execFileSync('openssl', args, { encoding: 'utf8' }))
      .trim()
      .split('\n');
    expect(out.map((l) => l.split(':').slice(4).join(':'))).toEqual(
      codes.map((a) => opensslAlertText(a.code, { received: true, opensslVersion: '3.0' })),
    );
  });
  // pyOpenSSL ships its own OpenSSL (4.x in cryptography's wheels): the only newer OpenSSL here
  const py = spawnSync('python3', ['-c', PY_REASONS], { encoding: 'utf8' });
  const bundled = py.status === 0 ? (JSON.parse(py.stdout) as { version: string; reasons: Record<string, string> }) : undefined;
  it.skipIf(!bundled?.version.startsWith('OpenSSL 4.'))(
    `4.0 reason strings equal the bundled OpenSSL's (${bundled?.version ?? 'pyOpenSSL not installed'}) for every alert`,
    () => {
      const codes = ALERTS.filter((a) => a.code !== 0);
      expect(codes.map((a) => bundled!.reasons[String(a.code)] ?? `reason(${1000 + a.code})`)).toEqual(
        codes.map((a) => opensslAlertText(a.code, { received: true, opensslVersion: '4.0' })),
      );
    },
  );
  it('3.2 renamed only the sslv3 family', () => {
    expect(opensslAlertText('certificate_expired', { received: true, opensslVersion: '3.0' })).toBe('sslv3 alert certificate expired');
    expect(opensslAlertText('certificate_expired', { received: true, opensslVersion: '3.2' })).toBe('ssl/tls alert certificate expired');
    expect(opensslAlertText('bad_certificate', { received: true, opensslVersion: '3.2' })).toBe('ssl/tls alert bad certificate');
    expect(opensslAlertText('unknown_ca', { received: true, opensslVersion: '3.2' })).toBe('tlsv1 alert unknown ca');
    expect(opensslAlertText('protocol_version', { received: true, opensslVersion: '3.2' })).toBe('tlsv1 alert protocol version');
    expect(opensslAlertText('certificate_required', { received: true })).toBe('tlsv13 alert certificate required');
    expect(opensslAlertText(0, { received: true })).toBe('reason(1000)');
    expect(opensslAlertText('unknown_ca', { received: false })).toBe('SSL3 alert write:fatal:unknown CA');
  });
});

describe('record layer', () => {
  it('reassembles records split at every byte and several records in one chunk', () => {
    const v = loadVector('section3-simple-1rtt');
    const stream = fromHex(v.record.client_hello + v.record.server_hello + v.record.server_handshake);
    for (let cut = 1; cut < stream.length; cut += 7) {
      const r = new RecordReader();
      const recs = [...r.push(stream.subarray(0, cut)), ...r.push(stream.subarray(cut))];
      expect(recs.map((x) => x.fragment.length)).toEqual([196, 90, 674]);
    }
  });
  it('header errors: unknown type is unexpected_message, an oversized length is record_overflow', () => {
    expect(() => new RecordReader().push(fromHex('1803030000'))).toThrow(/unexpected_message/);
    expect(() => new RecordReader().push(fromHex('1703034101'))).toThrow(/record_overflow/);
  });
  it('AEAD: tag failure is bad_record_mac, an all-zero inner plaintext is unexpected_message', () => {
    const suite = suiteById(0x1303)!;
    const keys = trafficKeys(suite, new Uint8Array(32).fill(1));
    const rec = new RecordProtection(suite, keys).encrypt(23, fromHex('68656c6c6f'), 3);
    const parsed = new RecordReader().push(rec)[0];
    expect(new RecordProtection(suite, keys).decrypt(parsed)).toMatchObject({ type: 23, padding: 3 });
    const bad = rec.slice();
    bad[10] ^= 1;
    expect(() => new RecordProtection(suite, keys).decrypt(new RecordReader().push(bad)[0])).toThrow(/bad_record_mac/);
    // a record whose inner plaintext is only zeros (no content type)
    const p = new RecordProtection(suite, keys);
    const zeros = p.encrypt(0, new Uint8Array(0), 4);
    expect(() => new RecordProtection(suite, keys).decrypt(new RecordReader().push(zeros)[0])).toThrow(/unexpected_message/);
  });
  it('handshake messages split across records and several in one record', () => {
    const a = encodeHandshake({ type: 'finished', verifyData: new Uint8Array(32) });
    const b = encodeHandshake({ type: 'key_update', requestUpdate: 0 });
    const r = new HandshakeReassembler();
    expect(r.push(a.subarray(0, 3))).toEqual([]);
    expect(r.push(concatBytes(a.subarray(3), b)).map((x) => toHex(x))).toEqual([toHex(a), toHex(b)]);
    expect(r.empty()).toBe(true);
  });
  it('HKDF-Expand-Label matches RFC 8448 (server handshake key)', () => {
    const v = loadVector('section3-simple-1rtt');
    const suite = suiteById(0x1301)!;
    expect(toHex(hkdfExpandLabel(suite.hash, fromHex(v.secret.server_handshake_traffic), 'key', new Uint8Array(0), 16))).toBe(
      v.key.server_handshake_key,
    );
    expect(toHex(encodeRecord(22, 0x0301, fromHex(v.msg.client_hello)))).toBe(v.record.client_hello);
  });
});

describe('cipher suite names', () => {
  const args = ['ciphers', '-V', '-stdname', 'ALL:@SECLEVEL=0'];
  const openssl = goldens.skip
    ? { status: -1, stdout: '' }
    : goldens.call(`openssl ${args.join(' ')}`, () => {
        const { status, stdout } = spawnSync('openssl', args, { encoding: 'utf8' });
        return { status, stdout };
      });
  it.skipIf(openssl.status !== 0)('every suite pgtls names has the IANA name `openssl ciphers -stdname` gives its code', () => {
    const stdname = new Map<number, string>();
    for (const m of openssl.stdout.matchAll(/0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)/g)) stdname.set(parseInt(m[1] + m[2], 16), m[3]);
    const ours = { ...Tls12CipherSuite, ...CipherSuite } as Record<string, number>;
    const checked = Object.entries(ours).filter(([, code]) => stdname.has(code));
    expect(checked.length).toBeGreaterThanOrEqual(Object.keys(Tls12CipherSuite).length + 3);
    for (const [, code] of checked) expect({ code, name: cipherSuiteName(code) }).toEqual({ code, name: stdname.get(code) });
    expect(cipherSuiteName(0xc030)).toBe('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
    expect(cipherSuiteName(0x1234)).toBe('unknown(0x1234)');
  });
});
