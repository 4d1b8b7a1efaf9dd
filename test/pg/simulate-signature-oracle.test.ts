import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertificate, privateKeyPem, type ExtensionSpec } from '../../src/factory/index.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { pgOracleUnavailable } from '../support/pg-oracle.js';
import { useSimVsReal } from '../support/sim-vs-real.js';

// When a signature in the peer's chain does not verify, libpq and the server print the
// first reason in OpenSSL's error queue, which depends on the algorithm and on the bytes
// the wrong key decrypts to ("invalid padding", "last octet invalid", "EVP lib"...), not
// "certificate verify failed". Each case makes a CA that has the right name but the wrong
// key, in both directions, and asks the real server + psql and simulate() the same thing.

const why = pgOracleUnavailable();
const key = (n: string) => parsePrivateKey(readFileSync(`vectors/keys/${n}.pem`));
const CA: ExtensionSpec[] = [{ type: 'basicConstraints', ca: true, critical: true }, { type: 'subjectKeyIdentifier' }];

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
      it(`${k.name}: the client rejects the server's chain`, async () => {
        const ca = makeCertificate({ subject: '/CN=Signature Test CA', selfSigned: true, issuerKey: key(k.ca), extensions: CA });
        const impostor = makeCertificate({ subject: '/CN=Signature Test CA', selfSigned: true, issuerKey: key(k.wrong), extensions: CA });
        const leaf = makeCertificate({ subject: '/CN=db.example.com', subjectKey: key(k.leaf), issuerKey: key(k.ca), issuerCert: ca });
        writeFileSync(join(t.dir, 'impostor.crt'), impostor.pem);
        const st = t.oracle.apply({
          files: { 'server.crt': { content: leaf.pem }, 'server.key': { content: privateKeyPem(key(k.leaf), 'pkcs8') } },
          sslConf: "ssl=on\nssl_cert_file='server.crt'\nssl_key_file='server.key'\n",
          hba: 'hostssl all all 127.0.0.1/32 trust\n',
        });
        expect(st.started).toBe(true);
        const r = await compare(`host=db.example.com user=alice dbname=app sslmode=verify-ca sslrootcert=${join(t.dir, 'impostor.crt')}`);
        expect(r.real.ok).toBe(false);
        expect(r.sim).toEqual(r.real);
      });

      it(`${k.name}: the server rejects the client's certificate`, async () => {
        const ca = makeCertificate({ subject: '/CN=Signature Test Client CA', selfSigned: true, issuerKey: key(k.ca), extensions: CA });
        const impostor = makeCertificate({
          subject: '/CN=Signature Test Client CA',
          selfSigned: true,
          issuerKey: key(k.wrong),
          extensions: CA,
        });
        const client = makeCertificate({ subject: '/CN=alice', subjectKey: key(k.leaf), issuerKey: key(k.ca), issuerCert: ca });
        const r = await t.compareCertAuth(client.pem, key(k.leaf), impostor.pem);
        expect(r.started).toBe(true);
        expect(r.real.ok).toBe(false);
        expect(r.sim).toEqual(r.real);
      });
    }
  },
);
