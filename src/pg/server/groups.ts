// The key-exchange groups a PostgreSQL server allows, as be_tls_init sets them up with
// OpenSSL 3.0 (initialize_ecdh in be-secure-openssl.c):
// - PostgreSQL 13-17, ssl_ecdh_curve (default prime256v1): OBJ_sn2nid(name), then
//   EC_KEY_new_by_curve_name, then SSL_CTX_set_tmp_ecdh, whose return value is ignored.
//   OpenSSL 3.0's set_tmp_ecdh replaces the context's group list with that one curve, so
//   the server offers TLS 1.3 one group only: libpq's x25519 key share is answered with a
//   HelloRetryRequest for P-256, and a client without P-256 gets handshake_failure ("no
//   suitable key share"). A curve OpenSSL has no TLS group for (secp112r1, SM2...) makes
//   set_tmp_ecdh fail quietly and leaves OpenSSL's default list; an object that is no curve
//   (X25519, CN) cannot make a key.
// - PostgreSQL 18, ssl_groups (default X25519:prime256v1; ssl_ecdh_curve is its old name):
//   SSL_CTX_set1_groups_list, a colon list of OpenSSL's TLS group names.
// Checked against PostgreSQL 15 + OpenSSL 3.0 (test/pg/groups-oracle.test.ts) and a
// PostgreSQL 18 build (groups-pg18-oracle.test.ts); the names SSL_CTX_set1_groups_list takes
// and the curve list were checked with the openssl CLI (groups.test.ts).

import { fmt, SERVER } from '../messages.js';
import { NamedGroup, type KeyExchangeGroup } from '../../tls13/index.js';

/** A TLS group OpenSSL 3.0 knows: its IANA code, and whether TLS 1.3 may negotiate it. */
interface TlsGroupInfo {
  code: number;
  tls13: boolean;
}

/**
 * OpenSSL 3.0's TLS groups (the default provider's TLS-GROUP list) by TLS name. TLS 1.3
 * takes only the NIST P curves, X25519/X448 and the FFDHE groups; the rest are TLS 1.2-only.
 */
const TLS_GROUPS: Record<string, TlsGroupInfo> = {
  ...Object.fromEntries(
    [
      'sect163k1',
      'sect163r1',
      'sect163r2',
      'sect193r1',
      'sect193r2',
      'sect233k1',
      'sect233r1',
      'sect239k1',
      'sect283k1',
      'sect283r1',
      'sect409k1',
      'sect409r1',
      'sect571k1',
      'sect571r1',
      'secp160k1',
      'secp160r1',
      'secp160r2',
      'secp192k1',
      'secp192r1',
      'secp224k1',
      'secp224r1',
      'secp256k1',
    ].map((n, i) => [n, { code: i + 1, tls13: false }]),
  ),
  secp256r1: { code: NamedGroup.secp256r1, tls13: true },
  secp384r1: { code: NamedGroup.secp384r1, tls13: true },
  secp521r1: { code: NamedGroup.secp521r1, tls13: true },
  brainpoolP256r1: { code: 26, tls13: false },
  brainpoolP384r1: { code: 27, tls13: false },
  brainpoolP512r1: { code: 28, tls13: false },
  x25519: { code: NamedGroup.x25519, tls13: true },
  x448: { code: NamedGroup.x448, tls13: true },
  ffdhe2048: { code: NamedGroup.ffdhe2048, tls13: true },
  ffdhe3072: { code: NamedGroup.ffdhe3072, tls13: true },
  ffdhe4096: { code: NamedGroup.ffdhe4096, tls13: true },
  ffdhe6144: { code: NamedGroup.ffdhe6144, tls13: true },
  ffdhe8192: { code: NamedGroup.ffdhe8192, tls13: true },
};

/**
 * The other names SSL_CTX_set1_groups_list accepts (case-sensitive): each group's
 * "real" (curve) name and the NIST aliases.
 */
const GROUP_ALIASES: Record<string, string> = {
  prime192v1: 'secp192r1',
  prime256v1: 'secp256r1',
  X25519: 'x25519',
  X448: 'x448',
  'K-163': 'sect163k1',
  'B-163': 'sect163r2',
  'K-233': 'sect233k1',
  'B-233': 'sect233r1',
  'K-283': 'sect283k1',
  'B-283': 'sect283r1',
  'K-409': 'sect409k1',
  'B-409': 'sect409r1',
  'K-571': 'sect571k1',
  'B-571': 'sect571r1',
  'P-192': 'secp192r1',
  'P-224': 'secp224r1',
  'P-256': 'secp256r1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
};

/**
 * OpenSSL 3.0's named EC curves by object short name (`openssl ecparam -list_curves`), with
 * the TLS group each one is; a curve without one cannot be a TLS group.
 */
const EC_CURVES: Record<string, string | undefined> = {
  ...Object.fromEntries(
    [
      'secp112r1',
      'secp112r2',
      'secp128r1',
      'secp128r2',
      'prime192v2',
      'prime192v3',
      'prime239v1',
      'prime239v2',
      'prime239v3',
      'sect113r1',
      'sect113r2',
      'sect131r1',
      'sect131r2',
      'c2pnb163v1',
      'c2pnb163v2',
      'c2pnb163v3',
      'c2pnb176v1',
      'c2tnb191v1',
      'c2tnb191v2',
      'c2tnb191v3',
      'c2pnb208w1',
      'c2tnb239v1',
      'c2tnb239v2',
      'c2tnb239v3',
      'c2pnb272w1',
      'c2pnb304w1',
      'c2tnb359v1',
      'c2pnb368w1',
      'c2tnb431r1',
      'wap-wsg-idm-ecid-wtls1',
      'wap-wsg-idm-ecid-wtls3',
      'wap-wsg-idm-ecid-wtls4',
      'wap-wsg-idm-ecid-wtls5',
      'wap-wsg-idm-ecid-wtls6',
      'wap-wsg-idm-ecid-wtls7',
      'wap-wsg-idm-ecid-wtls8',
      'wap-wsg-idm-ecid-wtls9',
      'wap-wsg-idm-ecid-wtls10',
      'wap-wsg-idm-ecid-wtls11',
      'wap-wsg-idm-ecid-wtls12',
      'Oakley-EC2N-3',
      'Oakley-EC2N-4',
      'brainpoolP160r1',
      'brainpoolP160t1',
      'brainpoolP192r1',
      'brainpoolP192t1',
      'brainpoolP224r1',
      'brainpoolP224t1',
      'brainpoolP256t1',
      'brainpoolP320r1',
      'brainpoolP320t1',
      'brainpoolP384t1',
      'brainpoolP512t1',
      'SM2',
    ].map((n) => [n, undefined]),
  ),
  ...Object.fromEntries(
    [
      'secp160k1',
      'secp160r1',
      'secp160r2',
      'secp192k1',
      'secp224k1',
      'secp224r1',
      'secp256k1',
      'secp384r1',
      'secp521r1',
      'sect163k1',
      'sect163r1',
      'sect163r2',
      'sect193r1',
      'sect193r2',
      'sect233k1',
      'sect233r1',
      'sect239k1',
      'sect283k1',
      'sect283r1',
      'sect409k1',
      'sect409r1',
      'sect571k1',
      'sect571r1',
      'brainpoolP256r1',
      'brainpoolP384r1',
      'brainpoolP512r1',
    ].map((n) => [n, n]),
  ),
  prime192v1: 'secp192r1',
  prime256v1: 'secp256r1',
};

/**
 * Short names of OpenSSL objects that are not EC curves, which OBJ_sn2nid finds (so the
 * failure is "could not create key", not "unrecognized curve name"): the ones a user
 * plausibly writes. OpenSSL has some 1200 objects; one missing here is reported as
 * unrecognized.
 */
const NON_CURVE_OBJECTS = new Set([
  'X25519',
  'X448',
  'ED25519',
  'ED448',
  'RSA',
  'rsaEncryption',
  'DSA',
  'CN',
  'C',
  'O',
  'OU',
  'L',
  'ST',
  'MD5',
  'SHA1',
  'SHA224',
  'SHA256',
  'SHA384',
  'SHA512',
]);

/** OpenSSL 3.0's default server group list: what SSL_CTX_new leaves (TLS 1.3-valid ones first as listed). */
const OPENSSL_DEFAULT_GROUPS: readonly string[] = [
  'x25519',
  'secp256r1',
  'x448',
  'secp521r1',
  'secp384r1',
  'ffdhe2048',
  'ffdhe3072',
  'ffdhe4096',
  'ffdhe6144',
  'ffdhe8192',
];

/** What the server's group configuration comes to. */
export interface ServerGroups {
  /** OpenSSL's TLS names of every group the server allows, in its preference order */
  all: string[];
  /** the ones TLS 1.3 may negotiate, in the same order */
  tls13: string[];
  /** the ones of `tls13` pgtls computes (the engine's server list); FFDHE is not computed */
  engine: KeyExchangeGroup[];
  /** the setting that made the list, as written (`ssl_ecdh_curve = prime256v1`) */
  source: string;
}

export type GroupsResult = { ok: true; groups: ServerGroups } | { ok: false; message: string; hint?: string };

function groupsFrom(names: string[], source: string): ServerGroups {
  const tls13 = names.filter((n) => TLS_GROUPS[n].tls13);
  const engine = tls13.filter(
    (n): n is KeyExchangeGroup => n === 'x25519' || n === 'x448' || n === 'secp256r1' || n === 'secp384r1' || n === 'secp521r1',
  );
  return { all: names, tls13, engine, source };
}

/** initialize_ecdh of PostgreSQL 13-17: one curve by OpenSSL short name. */
export function ecdhCurveGroups(curve: string): GroupsResult {
  if (!Object.hasOwn(EC_CURVES, curve)) {
    if (NON_CURVE_OBJECTS.has(curve)) return { ok: false, message: fmt(SERVER.ecdhCreateKey) };
    return { ok: false, message: fmt(SERVER.ecdhUnknownCurve, curve) };
  }
  const group = EC_CURVES[curve];
  const source = `ssl_ecdh_curve = ${curve}`;
  // set_tmp_ecdh fails for a curve with no TLS group, and PostgreSQL ignores that
  return { ok: true, groups: groupsFrom(group ? [group] : [...OPENSSL_DEFAULT_GROUPS], source) };
}

/**
 * initialize_ecdh of PostgreSQL 18: SSL_CTX_set1_groups_list. Names are matched exactly
 * (TLS name, curve name or NIST alias), blanks around a name are dropped (CONF_parse_list),
 * and an empty element or a group named twice fails without an OpenSSL error, which
 * PostgreSQL replaces by "No valid groups found"; an unknown name raises OpenSSL 3.0's
 * "passed invalid argument".
 */
export function sslGroupsGroups(list: string): GroupsResult {
  const fail = (reason: string): GroupsResult => ({
    ok: false,
    message: fmt(SERVER.sslGroups, reason),
    hint: fmt(SERVER.sslGroupsHint),
  });
  const names: string[] = [];
  for (const raw of list.split(':')) {
    const word = raw.trim();
    if (word === '') return fail('No valid groups found');
    const name = Object.hasOwn(TLS_GROUPS, word) ? word : GROUP_ALIASES[word];
    if (name === undefined) return fail('passed invalid argument');
    if (names.includes(name)) return fail('No valid groups found');
    names.push(name);
  }
  return { ok: true, groups: groupsFrom(names, `ssl_groups = ${list}`) };
}

/** The IANA code of an OpenSSL TLS group name (for traces and tests). */
export function tlsGroupCode(name: string): number | undefined {
  return TLS_GROUPS[name]?.code ?? TLS_GROUPS[GROUP_ALIASES[name] ?? '']?.code;
}

/** Every name the tables know, for tests that hold them against OpenSSL: TLS group names with aliases, and EC curve short names. */
export const KNOWN_NAMES = { tlsGroups: [...Object.keys(TLS_GROUPS), ...Object.keys(GROUP_ALIASES)], ecCurves: Object.keys(EC_CURVES) };
