// The lessons: PostgreSQL's SSL chapter (§19.9 "Secure TCP/IP Connections with SSL", §34.19
// "SSL Support" in libpq) as scenarios. Each lesson is the usual mistake and, one click away,
// its fix, both as Scenarios the simulator runs; the texts say what the docs section teaches.
// Titles and texts in English and Japanese; psql's and the server's messages come from the core.

import type { Mistake } from '../../src/factory/index.js';
import { DEFAULT_CONF, DEFAULT_HBA, defaultScenario, HOST, type Scenario } from './model.js';

/**
 * The pages of PostgreSQL's manual the lessons link to: the SSL chapter's, whose file names
 * (and section ids) are the same in every major the page offers, 13 to 18, and in the
 * Japanese translation of each.
 */
export const MANUAL_PAGES = [
  'ssl-tcp.html',
  'libpq-ssl.html',
  'auth-cert.html',
  'auth-pg-hba-conf.html',
  'auth-username-maps.html',
] as const;

/** The majors whose manual postgresql.jp has translated (https://www.postgresql.jp/document/<major>/html/). */
export const JAPANESE_MANUALS: ReadonlySet<number> = new Set([13, 14, 15, 16, 17, 18]);

/** A page of the manual, and a section of it. */
export interface DocsRef {
  page: (typeof MANUAL_PAGES)[number];
  anchor?: string;
  title: { en: string; ja: string };
}

const D = {
  SETUP: {
    page: 'ssl-tcp.html',
    anchor: 'SSL-SETUP',
    title: { en: 'Secure TCP/IP Connections with SSL: Basic Setup', ja: 'SSLによる安全なTCP/IP接続：基本的な設定' },
  },
  CLIENT_CERTS: {
    page: 'ssl-tcp.html',
    anchor: 'SSL-CLIENT-CERTIFICATES',
    title: { en: 'Using Client Certificates', ja: 'クライアント証明書の使用' },
  },
  CERTS: { page: 'ssl-tcp.html', anchor: 'SSL-CERTIFICATE-CREATION', title: { en: 'Creating Certificates', ja: '証明書の作成' } },
  LIBPQ_VERIFY: {
    page: 'libpq-ssl.html',
    anchor: 'LIBQ-SSL-CERTIFICATES',
    title: { en: 'libpq: Client Verification of Server Certificates', ja: 'libpq：サーバ証明書のクライアント検証' },
  },
  PROTECTION: {
    page: 'libpq-ssl.html',
    anchor: 'LIBPQ-SSL-PROTECTION',
    title: { en: 'libpq: Protection Provided in Different Modes', ja: 'libpq：異なるモードで提供される保護' },
  },
  AUTH_CERT: { page: 'auth-cert.html', title: { en: 'Certificate Authentication', ja: '証明書認証' } },
  MAPS: { page: 'auth-username-maps.html', title: { en: 'User Name Maps', ja: 'ユーザ名マップ' } },
} satisfies Record<string, DocsRef>;

/**
 * The manual page for the PostgreSQL major the scenario runs, in the interface's language:
 * postgresql.org's, or the Japanese translation at postgresql.jp where that major has one.
 */
export function docsUrl(d: DocsRef, lang: 'en' | 'ja', major: number): string {
  const base =
    lang === 'ja' && JAPANESE_MANUALS.has(major)
      ? `https://www.postgresql.jp/document/${major}/html/`
      : `https://www.postgresql.org/docs/${major}/`;
  return `${base}${d.page}${d.anchor ? `#${d.anchor}` : ''}`;
}

export interface Lesson {
  id: string;
  /** the docs section it follows */
  docs: DocsRef;
  title: { en: string; ja: string };
  text: { en: string; ja: string };
  fixLabel: { en: string; ja: string };
  broken: Scenario;
  fixed: Scenario;
}

const conn = (mode: string, extra = '', host = HOST, user = 'app') =>
  `host=${host} hostaddr=127.0.0.1 user=${user} dbname=app sslmode=${mode}${extra ? ` ${extra}` : ''}`;
const CA_CONF = `${DEFAULT_CONF}ssl_ca_file = 'root.crt'\n`;
const hba = (line: string) => `# TYPE  DATABASE USER ADDRESS       METHOD\n${line}\n`;

function scenario(p: Partial<Scenario>): Scenario {
  return { ...defaultScenario(), ...p };
}

/** A lesson whose fix is a change of a few fields. */
function lesson(l: Omit<Lesson, 'fixed' | 'broken'> & { broken: Partial<Scenario>; fix: Partial<Scenario> }): Lesson {
  const broken = scenario(l.broken);
  const { fix, ...rest } = l;
  return { ...rest, broken, fixed: { ...broken, ...fix } };
}

const none: Mistake[] = [];

export const LESSONS: Lesson[] = [
  lesson({
    id: 'self-signed',
    docs: D.CERTS,
    title: { en: 'A self-signed certificate', ja: '自己署名証明書' },
    text: {
      en: 'The docs\' first recipe: `openssl req -new -x509 -days 365 -nodes -subj "/CN=dbhost"`. The server starts with it, but sslmode=verify-full checks the certificate against ~/.postgresql/root.crt, which the client does not have. A self-signed certificate is its own root: copy server.crt to the client as root.crt.',
      ja: 'ドキュメントの最初の手順：`openssl req -new -x509 -days 365 -nodes -subj "/CN=dbhost"`。サーバはこの証明書で起動しますが、sslmode=verify-full はクライアントの ~/.postgresql/root.crt で証明書を検証します。自己署名証明書は自分自身がルートなので、server.crt をクライアントの root.crt としてコピーします。',
    },
    fixLabel: { en: 'Copy server.crt to ~/.postgresql/root.crt', ja: 'server.crt を ~/.postgresql/root.crt にコピー' },
    broken: { kind: 'self-signed', clientRoot: 'none' },
    fix: { clientRoot: 'root' },
  }),
  lesson({
    id: 'key-permissions',
    docs: D.SETUP,
    title: { en: 'Server files and key permissions', ja: 'サーバのファイルと鍵のパーミッション' },
    text: {
      en: 'The server reads server.crt and server.key from the data directory (ssl_cert_file, ssl_key_file). The key must not be readable by group or others: with mode 0644 the server refuses to start, and psql only sees a refused connection. The server log says why. `chmod og-rwx server.key`.',
      ja: 'サーバはデータディレクトリの server.crt と server.key を読みます（ssl_cert_file、ssl_key_file）。秘密鍵はグループや他のユーザから読めてはいけません。モード 0644 ではサーバが起動せず、psql には接続拒否しか見えません。理由はサーバログにあります。`chmod og-rwx server.key`。',
    },
    fixLabel: { en: 'chmod 0600 server.key', ja: 'chmod 0600 server.key' },
    broken: { keyMode: 0o644 },
    fix: { keyMode: 0o600 },
  }),
  lesson({
    id: 'host-name',
    docs: D.LIBPQ_VERIFY,
    title: { en: 'A root and a server certificate: the host name', ja: 'ルート証明書とサーバ証明書：ホスト名' },
    text: {
      en: 'The second recipe: a root CA signs the server certificate. With sslmode=verify-full libpq also checks that the host name you connect to is in the certificate: its subjectAltName DNS entries, or its CN when there are none. Connecting to db.internal fails; add that name as a SAN (the leaf is re-issued with both names).',
      ja: '2 番目の手順：ルート認証局がサーバ証明書に署名します。sslmode=verify-full では、接続先のホスト名が証明書にあるかも libpq が検査します（subjectAltName の DNS 項目、なければ CN）。db.internal への接続は失敗します。その名前を SAN に加えます（両方の名前で証明書を再発行）。',
    },
    fixLabel: { en: 'Add DNS:db.internal to the certificate', ja: '証明書に DNS:db.internal を追加' },
    broken: { conninfo: conn('verify-full', '', 'db.internal') },
    fix: { sans: [`DNS:${HOST}`, 'DNS:db.internal'] },
  }),
  lesson({
    id: 'chain',
    docs: D.CERTS,
    title: { en: 'Intermediate certificates belong in server.crt', ja: '中間証明書は server.crt に入れる' },
    text: {
      en: "The third recipe: root, intermediate, leaf. The client trusts only the root, so the server must send the intermediate: server.crt holds the leaf followed by the intermediate (`cat server.crt intermediate.crt`). With the leaf alone, OpenSSL cannot find the leaf's issuer.",
      ja: '3 番目の手順：ルート、中間、リーフ。クライアントが信頼するのはルートだけなので、サーバが中間証明書を送る必要があります。server.crt にはリーフの後に中間証明書を入れます（`cat server.crt intermediate.crt`）。リーフだけでは OpenSSL はリーフの発行者を見つけられません。',
    },
    fixLabel: { en: 'Append the intermediate to server.crt', ja: 'server.crt に中間証明書を追加' },
    broken: { kind: 'chain', mistakes: ['leaf-without-intermediate'], conninfo: conn('verify-ca') },
    fix: { mistakes: none },
  }),
  lesson({
    id: 'v3-ca',
    docs: D.CERTS,
    title: { en: 'An intermediate needs v3_ca', ja: '中間証明書には v3_ca が必要' },
    text: {
      en: 'The docs sign the intermediate with `-extfile /etc/ssl/openssl.cnf -extensions v3_ca`. Without them it is a v1 certificate with no basicConstraints, and OpenSSL will not accept it as a CA.',
      ja: 'ドキュメントでは中間証明書を `-extfile /etc/ssl/openssl.cnf -extensions v3_ca` 付きで署名します。これがないと basicConstraints のない v1 証明書になり、OpenSSL は CA として認めません。',
    },
    fixLabel: { en: 'Re-sign the intermediate with v3_ca', ja: 'v3_ca 付きで中間証明書を再署名' },
    broken: { kind: 'chain', mistakes: ['intermediate-v1'], conninfo: conn('verify-ca') },
    fix: { mistakes: none },
  }),
  lesson({
    id: 'trust-root',
    docs: D.LIBPQ_VERIFY,
    title: { en: 'root.crt must hold the root', ja: 'root.crt にはルートを置く' },
    text: {
      en: "libpq trusts what ~/.postgresql/root.crt (sslrootcert) holds. Putting only the intermediate there does not work with OpenSSL's defaults: the chain must end at a self-signed root the client trusts.",
      ja: 'libpq が信頼するのは ~/.postgresql/root.crt（sslrootcert）の内容です。中間証明書だけを置いても OpenSSL の既定では通りません。チェーンはクライアントが信頼する自己署名ルートで終わる必要があります。',
    },
    fixLabel: { en: 'Put the root in root.crt', ja: 'root.crt にルートを置く' },
    broken: { kind: 'chain', clientRoot: 'intermediate', conninfo: conn('verify-ca') },
    fix: { clientRoot: 'root' },
  }),
  lesson({
    id: 'sslmode',
    docs: D.PROTECTION,
    title: { en: 'What each sslmode verifies', ja: '各 sslmode が検証するもの' },
    text: {
      en: "require encrypts but verifies nothing, with one exception: when ~/.postgresql/root.crt exists, libpq checks the chain as verify-ca does (for backwards compatibility). verify-ca checks the chain up to root.crt; verify-full also checks the host name. Here the server certificate has expired and the client has root.crt, so even sslmode=require refuses it. Without root.crt, require would have connected to it (lesson 1's row in the matrix shows require connecting with no root.crt). Renew the certificate.",
      ja: 'require は暗号化しますが何も検証しません。ただし例外があり、~/.postgresql/root.crt が存在すると、libpq は（後方互換性のため）verify-ca と同じようにチェーンを検証します。verify-ca は root.crt までのチェーンを、verify-full はさらにホスト名を検証します。ここではサーバ証明書の期限が切れていて、クライアントには root.crt があるので、sslmode=require でも拒否されます。root.crt がなければ require は接続していました（表のレッスン 1 の行では、root.crt なしで require が接続しています）。証明書を更新します。',
    },
    fixLabel: { en: 'Renew the server certificate', ja: 'サーバ証明書を更新' },
    broken: { mistakes: ['expired-leaf'], conninfo: conn('require') },
    fix: { mistakes: none },
  }),
  lesson({
    id: 'client-cert',
    docs: D.AUTH_CERT,
    title: { en: 'Client certificates: the cert method', ja: 'クライアント証明書：cert 認証' },
    text: {
      en: "With ssl_ca_file = 'root.crt' the server asks for a client certificate, and the pg_hba.conf method `cert` authenticates with it: its CN must be the database user. libpq sends ~/.postgresql/postgresql.crt and postgresql.key; without them the server refuses.",
      ja: "ssl_ca_file = 'root.crt' を設定するとサーバはクライアント証明書を要求し、pg_hba.conf の `cert` 方式はそれで認証します。CN がデータベースユーザ名と一致する必要があります。libpq は ~/.postgresql/postgresql.crt と postgresql.key を送ります。これがないとサーバは拒否します。",
    },
    fixLabel: { en: 'Give the client a certificate for alice', ja: 'alice のクライアント証明書を置く' },
    broken: {
      serverCa: true,
      conf: CA_CONF,
      hba: hba('hostssl all      all  127.0.0.1/32  cert'),
      conninfo: conn('verify-full', '', HOST, 'alice'),
    },
    fix: { clientCertCn: 'alice' },
  }),
  lesson({
    id: 'clientcert-verify-full',
    docs: D.CLIENT_CERTS,
    title: { en: 'clientcert=verify-full', ja: 'clientcert=verify-full' },
    text: {
      en: 'Any method can also demand a certificate: `clientcert=verify-ca` checks it is signed by ssl_ca_file, `clientcert=verify-full` also that its CN is the user name. Here the certificate says bob but the user is alice.',
      ja: 'どの認証方式でも証明書を要求できます。`clientcert=verify-ca` は ssl_ca_file で署名されていることを、`clientcert=verify-full` はさらに CN がユーザ名であることを検査します。ここでは証明書は bob、ユーザは alice です。',
    },
    fixLabel: { en: 'Issue the certificate to alice', ja: 'alice に証明書を発行' },
    broken: {
      serverCa: true,
      conf: CA_CONF,
      hba: hba('hostssl all      all  127.0.0.1/32  trust clientcert=verify-full'),
      clientCertCn: 'bob',
      conninfo: conn('verify-full', '', HOST, 'alice'),
    },
    fix: { clientCertCn: 'alice' },
  }),
  lesson({
    id: 'ident-map',
    docs: D.MAPS,
    title: { en: 'clientname=DN and pg_ident.conf maps', ja: 'clientname=DN と pg_ident.conf のマップ' },
    text: {
      en: "`cert clientname=DN map=dnmap` matches the certificate's whole subject (in RFC 2253 form) against pg_ident.conf's map instead of the CN. Without a line mapping the DN to the user, authentication fails.",
      ja: '`cert clientname=DN map=dnmap` は CN の代わりに証明書のサブジェクト全体（RFC 2253 形式）を pg_ident.conf のマップと照合します。DN をユーザに対応付ける行がないと認証に失敗します。',
    },
    fixLabel: { en: 'Add the map line to pg_ident.conf', ja: 'pg_ident.conf にマップ行を追加' },
    broken: {
      serverCa: true,
      conf: CA_CONF,
      hba: hba('hostssl all      all  127.0.0.1/32  cert clientname=DN map=dnmap'),
      clientCertCn: 'alice.smith',
      conninfo: conn('verify-full', '', HOST, 'alice'),
    },
    fix: { ident: '# MAPNAME  SYSTEM-USERNAME  PG-USERNAME\ndnmap  "CN=alice.smith"  alice\n' },
  }),
  lesson({
    id: 'crl',
    docs: D.CLIENT_CERTS,
    title: { en: 'Revoked client certificates (CRL)', ja: '失効したクライアント証明書（CRL）' },
    text: {
      en: "ssl_crl_file names a CRL the server checks client certificates against. alice's certificate is on it, so the server refuses the handshake. Issue her a new certificate.",
      ja: 'ssl_crl_file はサーバがクライアント証明書を照合する CRL を指定します。alice の証明書が失効リストに載っているため、サーバはハンドシェイクを拒否します。新しい証明書を発行します。',
    },
    fixLabel: { en: 'Issue alice a new certificate', ja: 'alice に新しい証明書を発行' },
    broken: {
      serverCa: true,
      crl: true,
      mistakes: ['revoked-client'],
      conf: `${CA_CONF}ssl_crl_file = 'root.crl'\n`,
      hba: hba('hostssl all      all  127.0.0.1/32  cert'),
      clientCertCn: 'alice',
      conninfo: conn('verify-full', '', HOST, 'alice'),
    },
    fix: { mistakes: none },
  }),
];

export const lessonById = (id: string) => LESSONS.find((l) => l.id === id);
export { DEFAULT_HBA };
