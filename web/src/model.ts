// The page's whole state as one plain value (a Scenario), its defaults, and its round trip
// through the URL (JSON, deflate-free base64url in the hash, so a teacher can hand out a link
// to an exact scenario). Shared by the page and the worker; holds no verdict logic.

import type { HierarchyKind, Mistake } from '../../src/factory/index.js';

/** Key types the page offers: fixed sample keys for the first three (no RSA generation in a browser), generated for the rest. */
export const PAGE_KEY_TYPES = ['rsa2048', 'p256', 'ed25519', 'p384'] as const;
export type PageKeyType = (typeof PAGE_KEY_TYPES)[number];

/** The PostgreSQL/libpq majors and OpenSSL versions the page offers (`pgtls simulate --pg-version`, `--openssl-version`). */
export const PG_VERSIONS = [13, 14, 15, 16, 17, 18] as const;
export const OPENSSL_VERSIONS = ['3.0', '1.1'] as const;
export type PageOpensslVersion = (typeof OPENSSL_VERSIONS)[number];
/** Certificates of the hierarchy a CRL can revoke (the leaf's issuer or the root signs each CRL). */
export const REVOCABLE = ['server', 'intermediate', 'client'] as const;
export type Revocable = (typeof REVOCABLE)[number];

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

/** The leaf certificate's fields beyond the docs' recipe; when any is set the leaf is re-issued as v3 with them. */
export interface LeafFields {
  /** basicConstraints CA flag ('' none) */
  ca?: '' | 'true' | 'false';
  pathLen?: number;
  /** keyUsage names (digitalSignature, keyEncipherment...) */
  keyUsage?: string[];
  /** extKeyUsage names (serverAuth, clientAuth) */
  eku?: string[];
}

/** A dropped file: text as is, anything else (DER) as base64, so the core sees the very bytes. */
export type DroppedFile = { text: string } | { base64: string };

export interface Scenario {
  /** the docs' recipe the certificates follow */
  kind: HierarchyKind;
  /** the server certificate's CN */
  cn: string;
  /** subjectAltName entries of the server certificate (DNS:x, IP:y) */
  sans: string[];
  keyType: PageKeyType;
  /** leaf validity in days */
  days: number;
  mistakes: Mistake[];
  leaf: LeafFields;
  /** what ~/.postgresql/root.crt holds */
  clientRoot: 'root' | 'none' | 'intermediate';
  /** issue a client certificate with this CN into ~/.postgresql/postgresql.crt ('' none) */
  clientCertCn: string;
  /** the server's root.crt (ssl_ca_file) and, when crl, root.crl are written to the data directory */
  serverCa: boolean;
  crl: boolean;
  /** certificates on the CRLs (written when crl or clientCrl is on) */
  revoke: Revocable[];
  /** also write the CRLs to ~/.postgresql/root.crl, which libpq checks the server's chain against */
  clientCrl: boolean;
  /** PostgreSQL/libpq major version (both sides) */
  pgVersion: number;
  opensslVersion: PageOpensslVersion;
  /** mode bits of server.key */
  keyMode: number;
  conf: string;
  hba: string;
  ident: string;
  conninfo: string;
  /** files dropped or pasted, by path relative to the scenario directory (data/..., home/.postgresql/...): they replace the generated ones */
  files: Record<string, DroppedFile>;
}

export const HOST = 'db.example.com';

export const DEFAULT_CONF = "listen_addresses = 'localhost'\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n";
export const DEFAULT_HBA = '# TYPE  DATABASE USER ADDRESS       METHOD\nhostssl all      all  127.0.0.1/32  trust\n';

export function defaultScenario(): Scenario {
  return {
    kind: 'root-server',
    cn: HOST,
    sans: [],
    keyType: 'rsa2048',
    days: 365,
    mistakes: [],
    leaf: {},
    clientRoot: 'root',
    clientCertCn: '',
    serverCa: false,
    crl: false,
    revoke: [],
    clientCrl: false,
    pgVersion: 18,
    opensslVersion: '3.0',
    keyMode: 0o600,
    conf: DEFAULT_CONF,
    hba: DEFAULT_HBA,
    ident: '',
    conninfo: `host=${HOST} hostaddr=127.0.0.1 user=app dbname=app sslmode=verify-full`,
    files: {},
  };
}

/** Where the scenario lives, in the page and in the exported script (paths appear in psql's messages). */
export const SCENARIO_DIR = '/tmp/pgtls-scenario';
export const PGDATA = `${SCENARIO_DIR}/data`;
export const HOME = `${SCENARIO_DIR}/home`;

const b64url = (s: string) => {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const unb64url = (s: string) => {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
};

/** Only what differs from the defaults goes in the URL, so links stay short. */
export function encodeScenario(s: Scenario): string {
  const d = defaultScenario() as unknown as Record<string, unknown>;
  const diff: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (JSON.stringify(v) !== JSON.stringify(d[k])) diff[k] = v;
  return b64url(JSON.stringify(diff));
}

/** The scenario in a URL fragment, or undefined when it is absent or not one (a hand-edited link). */
export function decodeScenario(text: string): Scenario | undefined {
  try {
    const diff = JSON.parse(unb64url(text)) as Partial<Scenario>;
    if (typeof diff !== 'object' || diff === null) return undefined;
    const s = defaultScenario() as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(diff)) if (k in s && typeof v === typeof s[k] && Array.isArray(v) === Array.isArray(s[k])) s[k] = v;
    const sc = s as unknown as Scenario;
    // a hand-edited link may name a recipe or key type the page does not have: keep the default
    if (!(PAGE_KEY_TYPES as readonly string[]).includes(sc.keyType)) sc.keyType = 'rsa2048';
    if (!['self-signed', 'root-server', 'chain'].includes(sc.kind)) sc.kind = 'root-server';
    if (!(PG_VERSIONS as readonly number[]).includes(sc.pgVersion)) sc.pgVersion = 18;
    if (!(OPENSSL_VERSIONS as readonly string[]).includes(sc.opensslVersion)) sc.opensslVersion = '3.0';
    sc.revoke = sc.revoke.filter((r) => (REVOCABLE as readonly string[]).includes(r));
    return sc;
  } catch {
    return undefined;
  }
}

/** The connection string with its sslmode replaced (or added). */
export function withSslMode(conninfo: string, mode: string): string {
  return /\bsslmode\s*=\s*\S+/.test(conninfo) ? conninfo.replace(/\bsslmode\s*=\s*\S+/, `sslmode=${mode}`) : `${conninfo} sslmode=${mode}`;
}
