import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertificate, privateKeyPem, type ExtensionSpec } from '../../src/factory/index.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { useGoldens } from '../support/golden-suite.js';
import { fixedSerial } from '../support/pki.js';
import { useSimVsReal } from '../support/sim-vs-real.js';

// When a signature in the peer's chain does not verify, libpq and the server print the
// first reason in OpenSSL's error queue, which depends on the algorithm and on the bytes
// the wrong key decrypts to ("invalid padding", "last octet invalid", "EVP lib"...), not
// "certificate verify failed". Each case makes a CA that has the right name but the wrong
// key, in both directions, and asks the real server + psql and simulate() the same thing.
// Dates and serials are fixed so that the bytes the wrong key decrypts to, and so the reason,
// are the same in every run (recorded in vectors/oracle/); an RSA-PSS signature has a random
// salt, so its reason is not ("first" or "last octet invalid"): those cases are live-only.

// recorded in vectors/oracle/simulate-signature-oracle/: replayed where PostgreSQL 15 is not installed (or with PGTLS_REPLAY=1)
const goldens = useGoldens('simulate-signature-oracle');
const why = goldens.skip();
const key = (n: string) => parsePrivateKey(readFileSync(`vectors/keys/${n}.pem`));
const CA: ExtensionSpec[] = [{ type: 'basicConstraints', ca: true, critical: true }, { type: 'subjectKeyIdentifier' }];
const fixed = (label: string) => ({
  serial: fixedSerial(label),
  notBefore: new Date('2025-01-01T00:00:00Z'),
  notAfter: new Date('2045-01-01T00:00:00Z'),
});

const KINDS = [
  { name: 'RSA PKCS#1 v1.5', ca: 'rsa2048-1', wrong: 'rsa2048-2', leaf: 'rsa2048-3' },
  { name: 'RSA-PSS', ca: 'rsapss2048-1', wrong: 'rsa2048-4', leaf: 'rsa2048-5' },
  { name: 'ECDSA P-256', ca: 'p256-1', wrong: 'p256-2', leaf: 'p256-3' },
  { name: 'Ed25519', ca: 'ed25519-1', wrong: 'ed25519-2', leaf: 'ed25519-3' },
];

describe.skipIf(why !== undefined)(
  `signature failures: the OpenSSL error libpq and the server print${why ? ` (skipped: ${why})` : ''}`,
  () => {
    const t = useSimVsReal({ logLines: /could not accept SSL connection/ });
    const compare = (conninfo: string) => t.compare(conninfo);

    for (const k of KINDS) {
      const randomSalt = k.name === 'RSA-PSS';
      const replayed = goldens.mode() === 'replay';
      it.skipIf(randomSalt && replayed)(`${k.name}: the client rejects the server's chain`, async () => {
        const ca = makeCertificate({
          subject: '/CN=Signature Test CA',
          selfSigned: true,
          issuerKey: key(k.ca),
          extensions: CA,
          ...fixed('ca'),
        });
        const impostor = makeCertificate({
          subject: '/CN=Signature Test CA',
          selfSigned: true,
          issuerKey: key(k.wrong),
          extensions: CA,
          ...fixed('impostor'),
        });
        const leaf = makeCertificate({
          subject: '/CN=db.example.com',
          subjectKey: key(k.leaf),
          issuerKey: key(k.ca),
          issuerCert: ca,
          ...fixed('leaf'),
        });
        writeFileSync(join(t.dir, 'impostor.crt'), impostor.pem);
        const run = async () => {
          const st = t.oracle.apply({
            files: { 'server.crt': { content: leaf.pem }, 'server.key': { content: privateKeyPem(key(k.leaf), 'pkcs8') } },
            sslConf: "ssl=on\nssl_cert_file='server.crt'\nssl_key_file='server.key'\n",
            hba: 'hostssl all all 127.0.0.1/32 trust\n',
          });
          expect(st.started).toBe(true);
          return compare(`host=db.example.com user=alice dbname=app sslmode=verify-ca sslrootcert=${join(t.dir, 'impostor.crt')}`);
        };
        const r = randomSalt ? await t.oracle.unrecorded(run) : await run();
        expect(r.real.ok).toBe(false);
        expect(r.sim).toEqual(r.real);
      });

      it.skipIf(randomSalt && replayed)(`${k.name}: the server rejects the client's certificate`, async () => {
        const ca = makeCertificate({
          subject: '/CN=Signature Test Client CA',
          selfSigned: true,
          issuerKey: key(k.ca),
          extensions: CA,
          ...fixed('client ca'),
        });
        const impostor = makeCertificate({
          subject: '/CN=Signature Test Client CA',
          selfSigned: true,
          issuerKey: key(k.wrong),
          extensions: CA,
          ...fixed('client impostor'),
        });
        const client = makeCertificate({
          subject: '/CN=alice',
          subjectKey: key(k.leaf),
          issuerKey: key(k.ca),
          issuerCert: ca,
          ...fixed('client'),
        });
        const run = () => t.compareCertAuth(client.pem, key(k.leaf), impostor.pem);
        const r = randomSalt ? await t.oracle.unrecorded(run) : await run();
        expect(r.started).toBe(true);
        expect(r.real.ok).toBe(false);
        expect(r.sim).toEqual(r.real);
      });
    }
  },
);
