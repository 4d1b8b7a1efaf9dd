import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeCertificate, privateKeyPem } from '../../src/factory/index.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { useGoldens } from '../support/golden-suite.js';
import { useSimVsReal } from '../support/sim-vs-real.js';

// Files given in the connection string (sslrootcert, sslcert, sslkey, sslcrl, sslcrldir) are
// libpq's to open: a missing one, a directory, an empty file, random bytes or a relative path
// must give libpq's own words, as real psql prints them against a real PostgreSQL 15, never a
// crash of pgtls.

// recorded in vectors/oracle/simulate-bad-files-oracle/: replayed where PostgreSQL 15 is not installed (or with PGTLS_REPLAY=1)
const goldens = useGoldens('simulate-bad-files-oracle');
const why = goldens.skip();
const key = (n: string) => parsePrivateKey(readFileSync(`vectors/keys/${n}.pem`));

describe.skipIf(why !== undefined)(`libpq's files that cannot be used: real psql 15 vs simulate${why ? ` (skipped: ${why})` : ''}`, () => {
  const t = useSimVsReal({ logLines: /SSL|FATAL/ });
  const setUp = () => {
    const server = makeCertificate({ subject: '/CN=db.example.com', selfSigned: true, issuerKey: key('p256-1') });
    writeFileSync(join(t.dir, 'root.crt'), server.pem);
    writeFileSync(join(t.dir, 'empty'), '');
    writeFileSync(
      join(t.dir, 'random'),
      Uint8Array.from({ length: 700 }, (_, i) => (i * 73 + 11) & 0xff),
    );
    mkdirSync(join(t.dir, 'adir'), { recursive: true });
    const st = t.oracle.apply({
      files: { 'server.crt': { content: server.pem }, 'server.key': { content: privateKeyPem(key('p256-1'), 'pkcs8') } },
      sslConf: "ssl=on\nssl_cert_file='server.crt'\nssl_key_file='server.key'\n",
      hba: 'hostssl all all 127.0.0.1/32 trust\n',
    });
    expect(st.started).toBe(true);
  };
  const base = 'host=db.example.com user=alice dbname=app';
  const cases: [string, (d: string) => string][] = [
    ['sslrootcert missing', (d) => `sslmode=verify-full sslrootcert=${join(d, 'nope.crt')}`],
    ['sslrootcert a directory', (d) => `sslmode=verify-full sslrootcert=${join(d, 'adir')}`],
    ['sslrootcert empty', (d) => `sslmode=verify-full sslrootcert=${join(d, 'empty')}`],
    ['sslrootcert random bytes', (d) => `sslmode=verify-full sslrootcert=${join(d, 'random')}`],
    [
      'sslrootcert relative to the working directory',
      (d) => `sslmode=verify-full sslrootcert=${relative(process.cwd(), join(d, 'root.crt'))}`,
    ],
    ['sslcert a directory', (d) => `sslmode=require sslcert=${join(d, 'adir')} sslkey=${join(d, 'empty')}`],
    ['sslcert random bytes', (d) => `sslmode=require sslcert=${join(d, 'random')} sslkey=${join(d, 'empty')}`],
    ['sslcrl a directory', (d) => `sslmode=verify-ca sslrootcert=${join(d, 'root.crt')} sslcrl=${join(d, 'adir')}`],
    ['sslcrl random bytes', (d) => `sslmode=verify-ca sslrootcert=${join(d, 'root.crt')} sslcrl=${join(d, 'random')}`],
    ['sslcrldir a file', (d) => `sslmode=verify-ca sslrootcert=${join(d, 'root.crt')} sslcrldir=${join(d, 'random')}`],
    ['sslcrldir missing', (d) => `sslmode=verify-ca sslrootcert=${join(d, 'root.crt')} sslcrldir=${join(d, 'nope')}`],
    ['sslkey a directory', (d) => `sslmode=require sslcert=${join(d, 'root.crt')} sslkey=${join(d, 'adir')}`],
  ];
  for (const [name, extra] of cases) {
    it(name, async () => {
      setUp();
      const r = await t.compare(`${base} ${extra(t.dir)}`);
      expect(r.sim).toEqual(r.real);
    });
  }
});
