// Registry tables of the TLS wire codes pgtls speaks or names (IANA TLS parameters): content
// types, handshake types, extensions, groups, signature schemes, cipher suites, versions.
// Each is name -> code with a reverse lookup, so traces print names and codecs use codes.

export const ContentType = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23 } as const;

export const HandshakeType = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  certificate_url: 21,
  certificate_status: 22,
  key_update: 24,
  compressed_certificate: 25,
  message_hash: 254,
} as const;
export const ExtensionType = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16,
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  compress_certificate: 27,
  record_size_limit: 28,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  renegotiation_info: 0xff01,
} as const;
export type ExtensionName = keyof typeof ExtensionType;

export const NamedGroup = {
  secp256r1: 23,
  secp384r1: 24,
  secp521r1: 25,
  x25519: 29,
  x448: 30,
  ffdhe2048: 256,
  ffdhe3072: 257,
  ffdhe4096: 258,
  ffdhe6144: 259,
  ffdhe8192: 260,
} as const;
export type NamedGroupName = keyof typeof NamedGroup;
/** The groups pgtls can compute a shared secret for. */
export type KeyExchangeGroup = 'x25519' | 'x448' | 'secp256r1' | 'secp384r1' | 'secp521r1';
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
  rsa_pkcs1_sha224: 0x0301,
  ecdsa_sha224: 0x0303,
  dsa_sha1: 0x0202,
  dsa_sha224: 0x0302,
  dsa_sha256: 0x0402,
  dsa_sha384: 0x0502,
  dsa_sha512: 0x0602,
} as const;
export type SignatureSchemeName = keyof typeof SignatureScheme;

/** Schemes RFC 8446 §4.4.3 allows in a TLS 1.3 CertificateVerify (no PKCS#1 v1.5, SHA-1 or SHA-224). */
export const TLS13_CERTIFICATE_VERIFY_SCHEMES: ReadonlySet<number> = new Set([
  0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b,
]);

export const CipherSuite = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_AES_128_CCM_SHA256: 0x1304,
  TLS_AES_128_CCM_8_SHA256: 0x1305,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV: 0x00ff,
  TLS_FALLBACK_SCSV: 0x5600,
} as const;
export type CipherSuiteName = keyof typeof CipherSuite;

/**
 * TLS 1.2 suites a ClientHello may offer beside the 1.3 ones (OpenSSL's defaults among
 * them), by their IANA names: pgtls never negotiates them, but traces name what was offered.
 */
export const Tls12CipherSuite = {
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_DHE_RSA_WITH_AES_256_GCM_SHA384: 0x009f,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
  TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xccaa,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: 0x009e,
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384: 0xc024,
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384: 0xc028,
  TLS_DHE_RSA_WITH_AES_256_CBC_SHA256: 0x006b,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 0xc023,
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 0xc027,
  TLS_DHE_RSA_WITH_AES_128_CBC_SHA256: 0x0067,
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 0xc00a,
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 0xc014,
  TLS_DHE_RSA_WITH_AES_256_CBC_SHA: 0x0039,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 0xc009,
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 0xc013,
  TLS_DHE_RSA_WITH_AES_128_CBC_SHA: 0x0033,
  TLS_RSA_WITH_AES_256_GCM_SHA384: 0x009d,
  TLS_RSA_WITH_AES_128_GCM_SHA256: 0x009c,
  TLS_RSA_WITH_AES_256_CBC_SHA256: 0x003d,
  TLS_RSA_WITH_AES_128_CBC_SHA256: 0x003c,
  TLS_RSA_WITH_AES_256_CBC_SHA: 0x0035,
  TLS_RSA_WITH_AES_128_CBC_SHA: 0x002f,
} as const;

export const ProtocolVersion = { SSLv3: 0x0300, TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 } as const;
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;

const reverse = (t: Record<string, number>) => new Map(Object.entries(t).map(([k, v]) => [v, k]));
const NAMES = {
  handshake: reverse(HandshakeType),
  extension: reverse(ExtensionType),
  group: reverse(NamedGroup),
  scheme: reverse(SignatureScheme),
  suite: reverse({ ...Tls12CipherSuite, ...CipherSuite }),
  version: reverse(ProtocolVersion),
};

const hex4 = (v: number) => `0x${v.toString(16).padStart(4, '0')}`;
export const handshakeTypeName = (v: number): string => NAMES.handshake.get(v) ?? `unknown(${v})`;
export const extensionName = (v: number): string => NAMES.extension.get(v) ?? `unknown(${hex4(v)})`;
export const groupName = (v: number): string => NAMES.group.get(v) ?? `unknown(${hex4(v)})`;
export const schemeName = (v: number): string => NAMES.scheme.get(v) ?? `unknown(${hex4(v)})`;
export const cipherSuiteName = (v: number): string => NAMES.suite.get(v) ?? `unknown(${hex4(v)})`;
export const versionName = (v: number): string => NAMES.version.get(v) ?? `unknown(${hex4(v)})`;
