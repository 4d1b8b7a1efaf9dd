// psql, libpq and the server speaking Japanese, against real PostgreSQL 15 and psql 15 (and
// Debian 13 "trixie"'s PostgreSQL 17 and forky's 18, each in its root, scripts/install-debian-root.sh,
// simulated with that pgVersion and the root's /usr/share/locale as the locale directory): the
// client's LANGUAGE/LANG choose libpq's and psql's words (and glibc's strerror text), the
// server's lc_messages its own (the FATAL it sends arrives already translated, severity word
// included, whatever the client's locale), and the server's LC_CTYPE the codeset it writes
// them in (an ASCII one: '?' per character). Compared byte for byte: psql's stderr and the
// connection's server log lines, simulate() reading the same data directory and the
// catalogs installed in /usr/share/locale. Skipped, with the reason, when that PostgreSQL,
// its Japanese catalogs or the locales are missing.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHierarchy } from '../../src/factory/index.js';
import { nodeFs } from '../../src/pg/fs-node.js';
import { nodeCatalogLoader } from '../../src/pg/i18n/catalogs-node.js';
import { localeInList, type LocaleEnv, type LocaleSystem } from '../../src/pg/i18n/translate.js';
import { simulate } from '../../src/pg/simulate.js';
import { eofIsSslError } from '../../src/pg/simulate/eof.js';
import { useGoldens } from '../support/golden-suite.js';
import { freePort, PG_BUILD_TABLE, type PgBuild, PgOracle, pgInstall, type ServerSetup } from '../support/pg-oracle.js';
import { makeTestPki } from '../support/pki.js';

// recorded in vectors/oracle/i18n-oracle/: replayed where that PostgreSQL is not installed (or with PGTLS_REPLAY=1)
const goldens = useGoldens('i18n-oracle');

/** One PostgreSQL whose messages are compared: its catalogs and locales are those of its system. */
interface Target {
  major: number;
  build?: PgBuild;
  /** simulate's locale directory: the system's /usr/share/locale */
  localeDir: string;
  /** `locale -a` there */
  locales: string[];
  unavailable?: string;
  noJaLocale?: string;
}

function target(major: number, build?: PgBuild): Target {
  const root = pgInstall(major, build).chroot ?? '';
  const localeDir = join(root, '/usr/share/locale');
  const list = root
    ? existsSync(root)
      ? spawnSync('chroot', [root, 'locale', '-a'], { encoding: 'utf8' })
      : undefined
    : spawnSync('locale', ['-a'], { encoding: 'utf8' });
  const locales = list?.stdout?.split('\n') ?? [];
  const unavailable =
    goldens.skip(major, build) ??
    (existsSync(join(localeDir, `ja/LC_MESSAGES/libpq5-${major}.mo`))
      ? undefined
      : `the Japanese PostgreSQL ${major} catalogs are not installed (${localeDir}/ja/LC_MESSAGES)`) ??
    (locales.includes('C.utf8') ? undefined : 'no C.UTF-8 locale (gettext ignores LANGUAGE in the C locale)');
  // the server's lc_messages must name a locale that exists (localedef -i ja_JP -f UTF-8 ja_JP.UTF-8)
  const noJaLocale = locales.includes('ja_JP.utf8')
    ? undefined
    : 'no ja_JP.UTF-8 locale (generate it with: localedef -i ja_JP -f UTF-8 ja_JP.UTF-8)';
  const label = `PostgreSQL ${major}${build ? ` (${build})` : ''}`;
  if (unavailable) console.warn(`i18n-oracle: ${label} skipped, ${unavailable}`);
  else if (noJaLocale) console.warn(`i18n-oracle: ${label}: server-side Japanese skipped, ${noJaLocale}`);
  return { major, build, localeDir, locales, unavailable, noJaLocale };
}

const TARGETS = [target(15), target(17, 'trixie'), target(18, 'forky')];

const pki = makeTestPki();
const K = pki.keys;
const rootServer = makeHierarchy('root-server', { cn: 'db.example.test', keys: { root: K.root.key, server: K.server.key } });
const otherRoot = makeHierarchy('self-signed', { cn: 'other.example.test', keys: { server: K.other.key } });

const LOCALE_VARS = ['LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES'] as const;

interface Scenario {
  name: string;
  sslConf: string;
  hba: string;
  conninfo: string;
  /** psql's locale variables (psqlEnv's LANG=C LC_ALL=C otherwise) */
  client: Record<string, string>;
  /** the server process's locale variables while it starts (default: this process's) */
  serverEnv?: Record<string, string>;
  needsJaLocale?: boolean;
  /** what psql's stderr must contain (proves the scenario is the language it claims) */
  expectStderr: RegExp;
  expectLog?: RegExp;
  rolePasswords?: Record<string, null>;
  /** simulate's note on a language it has no catalog for */
  notes?: RegExp;
}

const SSL_ON = "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n";
const JA_SERVER = "lc_messages = 'ja_JP.UTF-8'\n";

/**
 * The scenarios on a system: `utf8`, the UTF-8 locale the Japanese client sets beside LANGUAGE
 * (C.UTF-8 on Debian 12; Debian 13's glibc ignores LANGUAGE under C.UTF-8, so ja_JP.UTF-8 there);
 * `eofIsSsl`, whether the server logs a client's EOF with OpenSSL's reason (18 on OpenSSL 3.x).
 */
const scenarios = (utf8: string, system: LocaleSystem, eofIsSsl: boolean): Scenario[] => {
  const JA_CLIENT = { LANGUAGE: 'ja', LANG: utf8, LC_ALL: '' };
  return [
    ...(system === 'debian13'
      ? [
          {
            name: 'LANGUAGE=ja under LANG=C.UTF-8: glibc 2.41 takes C.UTF-8 for C and ignores LANGUAGE, English',
            sslConf: '',
            hba: 'host all all 127.0.0.1/32 trust\n',
            conninfo: 'user=alice dbname=app sslmode=require',
            client: { LANGUAGE: 'ja', LANG: 'C.UTF-8', LC_ALL: '' },
            expectStderr:
              /^psql: error: connection to server at "127\.0\.0\.1", port \d+ failed: server does not support SSL, but SSL was required\n$/,
          },
        ]
      : []),
    {
      name: 'server without SSL, sslmode=require: libpq and psql in Japanese',
      sslConf: '',
      hba: 'host all all 127.0.0.1/32 trust\n',
      conninfo: 'user=alice dbname=app sslmode=require',
      client: JA_CLIENT,
      expectStderr:
        /^psql: エラー: "127\.0\.0\.1"、ポート\d+のサーバーへの接続に失敗しました: サーバーはSSLをサポートしていませんが、(SSLが要求されました|要求されています)\n$/,
    },
    {
      name: 'LANGUAGE=ja in the C locale: gettext ignores it, English',
      sslConf: '',
      hba: 'host all all 127.0.0.1/32 trust\n',
      conninfo: 'user=alice dbname=app sslmode=require',
      client: { LANGUAGE: 'ja' },
      expectStderr:
        /^psql: error: connection to server at "127\.0\.0\.1", port \d+ failed: server does not support SSL, but SSL was required\n$/,
    },
    {
      name: 'LANGUAGE names a language without catalogs: English, and simulate says why',
      sslConf: '',
      hba: 'host all all 127.0.0.1/32 trust\n',
      conninfo: 'user=alice dbname=app sslmode=require',
      client: { LANGUAGE: 'xx', LANG: utf8, LC_ALL: '' },
      expectStderr:
        /^psql: error: connection to server at "127\.0\.0\.1", port \d+ failed: server does not support SSL, but SSL was required\n$/,
      notes: /^no (libpq5|psql)-MAJOR\.mo catalog for xx: (libpq|psql)'s messages stay English$/,
    },
    {
      name: "LANG names a locale that is not installed: pg_wrapper's perl warns, psql stays English",
      sslConf: '',
      hba: 'host all all 127.0.0.1/32 trust\n',
      conninfo: 'user=alice dbname=app sslmode=require',
      client: { LANG: 'ja_JP', LC_ALL: '', LC_MESSAGES: 'ja_JP.UTF-8' },
      expectStderr: /^perl: warning: Setting locale failed\.\n(.*\n)*psql: error: connection to server at/,
    },
    {
      name: 'a bad sslmode value, in Japanese',
      sslConf: '',
      hba: 'host all all 127.0.0.1/32 trust\n',
      conninfo: 'user=alice dbname=app sslmode=bogus',
      client: JA_CLIENT,
      expectStderr: /^psql: エラー: sslmode の値が不正: "bogus"\n$/,
    },
    {
      name: 'an unknown option (reported before a later missing "="), in Japanese',
      sslConf: '',
      hba: 'host all all 127.0.0.1/32 trust\n',
      conninfo: 'user=alice nosuch=1 dbname',
      client: JA_CLIENT,
      expectStderr: /^psql: エラー: (接続オプション"nosuch"は不正です|不正な接続オプション"nosuch")\n$/,
    },
    {
      name: 'a missing "=", in Japanese',
      sslConf: '',
      hba: 'host all all 127.0.0.1/32 trust\n',
      conninfo: 'user=alice dbname',
      client: JA_CLIENT,
      expectStderr: /^psql: エラー: 接続情報文字列において"dbname"の後に"="がありませんでした\n$/,
    },
    {
      name: "the password file's warning (mode 0644), printed by libpq in Japanese though psql connects",
      sslConf: '',
      hba: 'host all all 127.0.0.1/32 trust\n',
      conninfo: 'user=alice dbname=app sslmode=disable',
      client: { ...JA_CLIENT, PGPASSFILE: 'C/pgpass' },
      expectStderr: /^警告: パスワードファイル ".*pgpass" がグループメンバもしくは他のユーザーから読め/,
    },
    {
      name: 'nothing listens on the port: glibc strerror in Japanese too',
      sslConf: '',
      hba: 'host all all 127.0.0.1/32 trust\n',
      conninfo: 'port=PORT user=alice dbname=app',
      client: JA_CLIENT,
      expectStderr: /接続を拒否されました\n\tサーバーはそのホスト上で稼働していてTCP\/IP接続を受け付けていますか\?\n$/,
    },
    {
      name: 'verify-full, host name mismatch (LANG=ja_JP.UTF-8)',
      sslConf: SSL_ON,
      hba: 'hostssl all all 127.0.0.1/32 trust\n',
      conninfo: 'host=wrong.example.test sslrootcert=C/root.crt sslmode=verify-full user=alice dbname=app',
      client: { LANG: 'ja_JP.UTF-8', LC_ALL: '' },
      needsJaLocale: true,
      expectStderr: /のサーバー証明書がホスト名"wrong\.example\.test"とマッチしません\n$/,
    },
    {
      name: "verify-ca against another root: libpq's and the server's words translated, OpenSSL's English",
      sslConf: SSL_ON + JA_SERVER,
      hba: 'hostssl all all 127.0.0.1/32 trust\n',
      conninfo: 'sslrootcert=C/other.crt sslmode=verify-ca user=alice dbname=app',
      client: JA_CLIENT,
      needsJaLocale: true,
      expectStderr: /: SSLエラー: certificate verify failed\n$/,
      expectLog: /^LOG: {2}SSL接続を受け付けられませんでした: tlsv1 alert unknown ca$/,
    },
    {
      name: 'root certificate file missing (libpq, two lines), the server logging the EOF in Japanese',
      sslConf: SSL_ON + JA_SERVER,
      hba: 'hostssl all all 127.0.0.1/32 trust\n',
      conninfo: 'sslrootcert=C/nope.crt sslmode=verify-ca user=alice dbname=app',
      client: JA_CLIENT,
      needsJaLocale: true,
      expectStderr: /: ルート証明書ファイル".*nope\.crt"が存在しません。?\nファイルを用意する/,
      expectLog: eofIsSsl
        ? /^LOG: {2}SSL接続を受け付けられませんでした: unexpected eof while reading$/
        : /^LOG: {2}SSL接続を受け付けられませんでした: EOFを検出しました$/,
    },
    {
      name: 'no pg_hba.conf entry, server in English: the FATAL stays English',
      sslConf: '',
      hba: 'host all bob 127.0.0.1/32 trust\n',
      conninfo: 'user=alice dbname=app sslmode=disable',
      client: JA_CLIENT,
      expectStderr:
        /に失敗しました: FATAL: {2}no pg_hba\.conf entry for host "127\.0\.0\.1", user "alice", database "app", no encryption\n$/,
    },
    {
      name: 'no pg_hba.conf entry, server lc_messages Japanese, client English',
      sslConf: JA_SERVER,
      hba: 'host all bob 127.0.0.1/32 trust\n',
      conninfo: 'user=alice dbname=app sslmode=disable',
      client: {},
      needsJaLocale: true,
      expectStderr:
        /^psql: error: connection to server at .* failed: FATAL: {2}pg_hba\.conf にホスト"127\.0\.0\.1"、ユーザー"alice"、データベース"app, 暗号化なし用のエントリがありません\n$/,
      expectLog: /^FATAL: {2}pg_hba\.conf にホスト/,
    },
    {
      name: 'no pg_hba.conf entry after a host-name line, server in Japanese: the lookup DETAIL translated',
      sslConf: JA_SERVER,
      hba: 'host all all db.example.org trust\n',
      conninfo: 'user=alice dbname=app sslmode=disable',
      client: {},
      needsJaLocale: true,
      expectStderr: /FATAL: {2}pg_hba\.conf にホスト"127\.0\.0\.1"/,
      // 127.0.0.1 reverse-resolves (/etc/hosts) to a name the line does not match: no forward lookup
      expectLog: /^詳細: {2}クライアントIPアドレスは".+"に解決されました。前方検索は検査されません。$/,
    },
    {
      name: 'password authentication failed, both in Japanese: FATAL, DETAIL and Connection matched',
      sslConf: JA_SERVER,
      hba: 'host all all 127.0.0.1/32 password\n',
      conninfo: 'user=alice dbname=app sslmode=disable password=wrong',
      client: JA_CLIENT,
      needsJaLocale: true,
      rolePasswords: { alice: null },
      expectStderr: /^psql: エラー: .*: FATAL: {2}ユーザー"alice"のパスワード認証に失敗しました\n$/,
      expectLog: /^詳細: {2}ユーザー"alice"はパスワードが設定されていません。$/,
    },
    {
      name: "password authentication failed, server's LC_CTYPE C: each character a '?'",
      sslConf: JA_SERVER,
      hba: 'host all all 127.0.0.1/32 password\n',
      conninfo: 'user=alice dbname=app sslmode=disable password=wrong',
      client: JA_CLIENT,
      serverEnv: { LC_ALL: 'C' },
      needsJaLocale: true,
      rolePasswords: { alice: null },
      expectStderr: /FATAL: {2}\?\?\?\?"alice"\?+\n$/,
      expectLog: /^\?\?: {2}\?\?\?\?"alice"\?+$/,
    },
    {
      name: 'SSL connection with log_connections, server in Japanese: the connection authorized line in pieces',
      sslConf: SSL_ON + JA_SERVER,
      hba: 'hostssl all all 127.0.0.1/32 trust\n',
      conninfo: 'sslmode=require user=alice dbname=app',
      client: JA_CLIENT,
      needsJaLocale: true,
      expectStderr: /^$/,
      expectLog:
        /^LOG: {2}接続の認証完了: ユーザー=alice データベース=app application_name=psql SSL有効\(プロトコル=TLSv1\.3、暗号化方式=TLS_AES_256_GCM_SHA384、ビット長=256\)$/,
    },
  ];
};

for (const { major, build, localeDir, locales, unavailable, noJaLocale } of TARGETS)
  describe.skipIf(unavailable)(
    `messages in Japanese, simulate vs PostgreSQL ${major}${build ? ` (${build})` : ''}${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    () => {
      let o: PgOracle;
      let dir = '';
      let serverUser = { uid: 0, gids: [0] };
      beforeAll(async () => {
        o = await PgOracle.create({ users: ['alice'], databases: ['app'], version: major, build });
        dir = mkdtempSync(join(tmpdir(), 'pgtls-i18n-'));
        chmodSync(dir, 0o755);
        writeFileSync(join(dir, 'root.crt'), rootServer.rootCrtPem);
        writeFileSync(join(dir, 'other.crt'), otherRoot.serverCrtPem);
        writeFileSync(join(dir, 'pgpass'), '*:*:*:alice:secret\n', { mode: 0o644 });
        chmodSync(join(dir, 'pgpass'), 0o644);
        o.alias(dir, 'client dir');
        serverUser = o.serverIdentity;
      }, 60_000);
      afterAll(() => o?.destroy());

      const system: LocaleSystem = build ? PG_BUILD_TABLE[build].system : 'debian12';
      const eofIsSsl = eofIsSslError(major, pgInstall(major, build).opensslVersion);
      for (const s of scenarios(system === 'debian13' ? 'ja_JP.UTF-8' : 'C.UTF-8', system, eofIsSsl)) {
        it.skipIf(s.needsJaLocale && noJaLocale)(
          `${s.name}${s.needsJaLocale && noJaLocale ? ` (skipped: ${noJaLocale})` : ''}`,
          async () => {
            const setup: ServerSetup = {
              files: {
                'server.crt': { content: rootServer.serverCrtPem },
                'server.key': { content: rootServer.server.keyPem, mode: 0o600 },
              },
              sslConf: s.sslConf,
              hba: s.hba,
            };
            // the server inherits this process's locale variables: set them while it starts
            const saved = Object.fromEntries(LOCALE_VARS.map((k) => [k, process.env[k]]));
            // (process.env turns undefined into "undefined": delete instead)
            if (s.serverEnv)
              for (const k of LOCALE_VARS)
                if (s.serverEnv[k] === undefined) delete process.env[k];
                else process.env[k] = s.serverEnv[k];
            const serverEnv: LocaleEnv = Object.fromEntries(
              LOCALE_VARS.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]),
            );
            let started: Awaited<ReturnType<typeof o.apply>>;
            try {
              started = o.apply(setup);
            } finally {
              for (const k of LOCALE_VARS) {
                if (saved[k] === undefined) delete process.env[k];
                else process.env[k] = saved[k];
              }
            }
            expect(started.started, started.log).toBe(true);
            const closed = await freePort();
            o.alias(String(closed), 'closed port');
            const conninfo = s.conninfo.replace(/C\//g, `${dir}/`).replace('PORT', String(closed));
            const client = Object.fromEntries(Object.entries(s.client).map(([k, v]) => [k, v.replace(/^C\//, `${dir}/`)]));
            const real = await o.psql(conninfo, { home: dir, env: client });
            const full = `${/\bport=/.test(conninfo) ? '' : `port=${o.port} `}hostaddr=127.0.0.1 ${conninfo}`;
            const sim = simulate({
              pgVersion: major,
              opensslVersion: o.install.opensslVersion,
              system,
              fs: nodeFs(),
              pgdata: o.pgdata,
              conninfo: full,
              // psqlEnv's locale (LANG=C LC_ALL=C) under the scenario's
              env: { HOME: dir, LANG: 'C', LC_ALL: 'C', ...client },
              localeInstalled: localeInList(locales.filter(Boolean)),
              osUser: 'root',
              clientUser: { uid: 0, gids: [0] },
              serverUser,
              catalogs: nodeCatalogLoader(localeDir),
              serverEnv,
              rolePasswords: s.rolePasswords,
            });
            expect(real.stderr).toMatch(s.expectStderr);
            expect(sim.psqlStderr.replace(/\n?$/, '\n').replace(/^\n$/, '')).toBe(real.stderr);
            const norm = (l: string) => l.replace(/(port|ポート番号|\?{5})=(\d+|<client port>)$/, '$1=N');
            const realLog = real.serverLog.split('\n').filter(Boolean).map(norm);
            expect(sim.connectionLog.map(norm)).toEqual(realLog);
            if (s.expectLog)
              expect(
                realLog.some((l) => s.expectLog!.test(l)),
                realLog.join('\n'),
              ).toBe(true);
            const notes = s.notes && new RegExp(s.notes.source.replace('MAJOR', String(major)));
            if (notes)
              expect(sim.languageNotes?.length && sim.languageNotes.every((n) => notes.test(n)), String(sim.languageNotes)).toBe(true);
            else expect(sim.languageNotes ?? []).toEqual([]);
          },
          60_000,
        );
      }
    },
  );
