import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSigner, makeCertificate, privateKeyPem, type ExtensionSpec } from '../../src/factory/index.js';
import { pemEncode } from '../../src/der/index.js';
import { describeSignatureAlgorithm, parseCertificate, parsePrivateKey } from '../../src/x509/index.js';
import { at, encode, parseTree, type BerForm } from '../x509/ber-mutate.js';
import { useGoldens } from '../support/golden-suite.js';
import { useSimVsReal } from '../support/sim-vs-real.js';

// OpenSSL loads certificates with BER in them (server.crt, a client's postgresql.crt), sends
// them as loaded (tbs as received) and the peer's d2i_X509 reads them again: real PostgreSQL
// starts, psql connects, cert auth works. simulate() must say the same, so the whole path —
// loading, the Certificate message, the peer's parse, the signature over the received tbs —
// is exercised with BER, in both directions.

// recorded in vectors/oracle/simulate-ber-oracle/: replayed where PostgreSQL 15 is not installed (or with PGTLS_REPLAY=1)
const goldens = useGoldens('simulate-ber-oracle');
const why = goldens.skip();
const key = (n: string) => parsePrivateKey(readFileSync(`vectors/keys/${n}.pem`));
const CA: ExtensionSpec[] = [{ type: 'basicConstraints', ca: true, critical: true }];

/** tbsCertificate paths: [0] version, serial, signature, issuer, validity, subject, spki, [3] extensions */
const FORMS: [string, (number | 'in')[], BerForm][] = [
  ['an indefinite-length tbsCertificate', [0], { indef: true }],
  ['a zero-padded length on the subject', [0, 5], { len: 'pad' }],
  ['a subject RDN SET in primitive form', [0, 5, 0], { prim: true }],
  ['a high-tag-form version', [0, 0], { hi: 1 }],
];

function berLeaf(
  cn: string,
  subjectKey: string,
  ca: ReturnType<typeof makeCertificate>,
  caKey: string,
  form: BerForm,
  path: (number | 'in')[],
  ext: ExtensionSpec[] = [],
) {
  const leaf = makeCertificate({
    subject: `/CN=${cn}`,
    subjectKey: key(subjectKey),
    issuerKey: key(caKey),
    issuerCert: ca,
    extensions: ext.length ? ext : undefined,
  });
  const root = parseTree(leaf.der)[0];
  at(root, path).form = form;
  const tbs = encode(root.children![0]);
  const sig = defaultSigner()(describeSignatureAlgorithm(parseCertificate(ca.der).signatureAlgorithm), key(caKey), tbs);
  root.children![2] = { tag: 0x03, content: Uint8Array.from([0, ...sig]) };
  return pemEncode('CERTIFICATE', encode(root));
}

describe.skipIf(why !== undefined)(
  `BER certificates through TLS: real PostgreSQL 15 + psql vs simulate${why ? ` (skipped: ${why})` : ''}`,
  () => {
    const t = useSimVsReal({ logLines: /SSL|FATAL|authenticated/ });
    const compare = (conninfo: string) => t.compare(conninfo);

    for (const [name, path, form] of FORMS) {
      it(`server certificate with ${name}: verify-full`, async () => {
        const ca = makeCertificate({ subject: '/CN=BER Server CA', selfSigned: true, issuerKey: key('p256-1'), extensions: CA });
        writeFileSync(join(t.dir, 'root.crt'), ca.pem);
        const st = t.oracle.apply({
          files: {
            'server.crt': {
              content: berLeaf('db.example.com', 'p256-2', ca, 'p256-1', form, path, [
                { type: 'subjectAltName', names: [{ dns: 'db.example.com' }] },
              ]),
            },
            'server.key': { content: privateKeyPem(key('p256-2'), 'pkcs8') },
          },
          sslConf: "ssl=on\nssl_cert_file='server.crt'\nssl_key_file='server.key'\n",
          hba: 'hostssl all all 127.0.0.1/32 trust\n',
        });
        expect(st.started).toBe(true);
        const r = await compare(`host=db.example.com user=alice dbname=app sslmode=verify-full sslrootcert=${join(t.dir, 'root.crt')}`);
        expect(r.real.ok).toBe(true);
        expect(r.sim).toEqual(r.real);
      });

      it(`client certificate with ${name}: cert auth`, async () => {
        const ca = makeCertificate({ subject: '/CN=BER Client CA', selfSigned: true, issuerKey: key('rsa2048-1'), extensions: CA });
        const r = await t.compareCertAuth(berLeaf('alice', 'p256-3', ca, 'rsa2048-1', form, path), key('p256-3'), ca.pem);
        expect(r.started).toBe(true);
        expect(r.real.ok).toBe(true);
        expect(r.sim).toEqual(r.real);
      });
    }
  },
);
