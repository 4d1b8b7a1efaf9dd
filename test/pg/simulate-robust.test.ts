// simulate() on arbitrary set-ups: whatever the configuration files, the client's files and
// the connection string hold (drawn from the words they are made of, plus raw noise),
// simulate() returns a verdict with psql's message — it never throws, and a failure always
// says something. Complements the per-parser properties in config-*.test.ts, because the
// layers between them (socket directories, the password file, the sslmode ladder) only
// meet here.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { makeHierarchy } from '../../src/factory/index.js';
import { memFs, type MemFile } from '../../src/pg/fs.js';
import { simulate } from '../../src/pg/simulate.js';
import { parsePrivateKey } from '../../src/x509/index.js';

const key = (n: string) => parsePrivateKey(readFileSync(`vectors/keys/${n}.pem`));
const h = makeHierarchy('chain', {
  cn: 'db.example.com',
  clientUser: 'app',
  keys: { root: key('p256-1'), intermediate: key('p256-2'), server: key('p256-3'), client: key('p256-4'), other: key('p256-5') },
});

const noise = fc.string({ maxLength: 12, unit: 'binary' });
const word = (xs: string[]) => fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...xs) }, { weight: 1, arbitrary: noise });

// mostly values each setting takes (so the server usually starts), sometimes noise
const SETTINGS: Record<string, string[]> = {
  ssl: ['on', 'off'],
  ssl_ca_file: ["'root.crt'", "'root.crt'", "'nope.crt'", "''"],
  ssl_crl_file: ["''", "''", "'nope.crl'"],
  ssl_min_protocol_version: ["'TLSv1.2'", "'TLSv1.3'"],
  ssl_max_protocol_version: ["''", "'TLSv1.2'", "'TLSv1.3'"],
  unix_socket_directories: ["'/var/run/postgresql'", "'/tmp, /var/run/postgresql'", "''", "'@abs'", "'rel'"],
  listen_addresses: ["'*'", "'localhost'", "''", "'127.0.0.1'"],
  port: ['5432', '5433'],
  log_connections: ['on', 'off'],
};
const CONF_SETTING = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.constantFrom(...Object.keys(SETTINGS)).chain((k) => fc.constantFrom(...SETTINGS[k]).map((v) => `${k} = ${v}`)),
  },
  { weight: 1, arbitrary: fc.tuple(word(Object.keys(SETTINGS)), noise).map(([k, v]) => `${k} = ${v}`) },
);

const HBA_LINE = fc.oneof(
  {
    weight: 30,
    arbitrary: fc
      .oneof(
        fc.tuple(
          fc.constant('hostssl'),
          fc.constantFrom('all', 'app'),
          fc.constantFrom('all', 'app'),
          fc.constantFrom('127.0.0.1/32', 'samehost', 'all', '0.0.0.0/0'),
          fc.constantFrom('trust', 'reject', 'cert', 'scram-sha-256', 'trust clientcert=verify-full', 'cert clientname=DN', 'cert map=m'),
        ),
        fc.tuple(
          fc.constantFrom('host', 'hostnossl'),
          fc.constantFrom('all', 'app'),
          fc.constantFrom('all', 'app'),
          fc.constantFrom('127.0.0.1/32', 'samehost', 'all'),
          fc.constantFrom('trust', 'reject', 'scram-sha-256', 'md5', 'password'),
        ),
        fc.tuple(
          fc.constant('local'),
          fc.constantFrom('all', 'app'),
          fc.constantFrom('all', 'app'),
          fc.constant(''),
          fc.constantFrom('trust', 'reject', 'peer', 'peer map=m', 'scram-sha-256', 'ident'),
        ),
      )
      .map((f) => f.join(' ')),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        word(['local', 'host', 'hostssl', 'hostgssenc']),
        word(['all', '+g', '@f', '/^a']),
        word(['all']),
        word(['db.example.com', '']),
        word(['trust', 'bogus', 'cert']),
      )
      .map((f) => f.join(' ')),
  },
);

const CONN_PARAM = fc
  .tuple(
    word([
      'host',
      'hostaddr',
      'port',
      'user',
      'dbname',
      'sslmode',
      'sslrootcert',
      'sslcert',
      'sslkey',
      'sslcrl',
      'passfile',
      'password',
      'sslsni',
      'requirepeer',
      'gssencmode',
      'ssl_min_protocol_version',
      'service',
      'target_session_attrs',
    ]),
    word([
      'db.example.com',
      '127.0.0.1',
      '/var/run/postgresql',
      '/tmp',
      'localhost,db.example.com',
      '5432',
      '5433',
      'app',
      'postgres',
      'verify-full',
      'prefer',
      'disable',
      'require',
      'allow',
      '/c/root.crt',
      '/c/client.crt',
      '/c/client.key',
      '/c/pgpass',
      'system',
      'secret',
      '',
      "'a b'",
    ]),
  )
  .map(([k, v]) => `${k}=${v}`);

const PGPASS_LINE = fc
  .array(word(['*', 'db.example.com', 'localhost', '5432', 'app', 'secret', '\\:', '#']), { maxLength: 6 })
  .map((f) => f.join(':'));

describe('simulate() on arbitrary set-ups', () => {
  it('always returns a verdict; a failure always has a message', () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(CONF_SETTING, { maxLength: 5 }),
        fc.array(HBA_LINE, { maxLength: 4 }),
        fc.array(CONN_PARAM, { maxLength: 6 }),
        fc.array(PGPASS_LINE, { maxLength: 3 }),
        fc.constantFrom(0o600, 0o644),
        fc.boolean(),
        (conf, hba, params, pgpass, passMode, socketClient) => {
          const files: Record<string, MemFile> = {
            '/data/postgresql.conf': {
              content: `${['ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'", ...conf].join('\n')}\n`,
              uid: 101,
            },
            // the random lines first; then lines that let most connections reach authentication
            '/data/pg_hba.conf': {
              content: `${[...hba, 'hostssl all all 127.0.0.1/32 cert', 'host all all 127.0.0.1/32 trust', 'local all all peer map=m'].join('\n')}\n`,
              uid: 101,
            },
            '/data/pg_ident.conf': { content: 'm root app\n', uid: 101 },
            '/data/server.crt': { content: h.serverCrtPem, uid: 101 },
            '/data/server.key': { content: h.server.keyPem, uid: 101, mode: 0o600 },
            '/data/root.crt': { content: h.rootCrtPem, uid: 101 },
            '/c/root.crt': { content: h.rootCrtPem, uid: 1000 },
            '/c/client.crt': { content: h.client!.cert.pem, uid: 1000 },
            '/c/client.key': { content: h.client!.keyPem, uid: 1000, mode: 0o600 },
            '/c/pgpass': { content: pgpass.join('\n'), uid: 1000, mode: passMode },
            '/home/u/.pgpass': { content: pgpass.join('\n'), uid: 1000, mode: passMode },
          };
          const conninfo = (socketClient ? params : ['hostaddr=127.0.0.1', ...params]).join(' ');
          const r = simulate({
            fs: memFs(files, { uid: 101, gid: 104 }),
            pgdata: '/data',
            conninfo,
            env: { HOME: '/home/u' },
            osUser: 'root',
            clientUser: { uid: 1000, gids: [1000] },
          });
          expect(typeof r.ok).toBe('boolean');
          if (!r.ok) expect(r.message.length + r.psqlStderr.length).toBeGreaterThan(0);
          expect(r.steps.length).toBeGreaterThan(0);
          outcomes.add(r.serverStarted ? (r.ok ? 'connects' : 'refused') : 'no start');
        },
      ),
      { numRuns: 500 },
    );
    // the set-ups reach every stage, not just the start-up checks
    expect(outcomes).toEqual(new Set(['connects', 'refused', 'no start']));
  });
});
