// One signature verification on binary-field curves (sect163k1, sect283k1, sect571r1,
// c2pnb368w1) and SM2: pgtls's BigInt code (through dist/, results cache cleared every time,
// the key stays prepared) beside node:crypto's verify, i.e. OpenSSL's C. The signatures come
// from node (binary curves) and `openssl dgst -sm3 -sign` (SM2; node's verify sets no SM2
// ID, so it is not a contender there). Both are checked to accept before timing.
// `npm run bench -- binary`.

import { createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearVerifyResults, verifySignature } from '../dist/crypto/index.js';
import { parseSpki } from '../dist/x509/keys.js';
import { bench, formatTable, type Contender } from './harness.js';

const MSG = new TextEncoder().encode('a tbsCertificate stands in here');
const ECDSA = { kind: 'ecdsa', hash: 'sha256', oid: '1.2.840.10045.4.3.2' } as const;

function binaryContenders(curve: string): Contender[] {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const key = parseSpki(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
  const sig = new Uint8Array(nodeSign('sha256', MSG, { key: privateKey, dsaEncoding: 'der' }));
  if (!verifySignature(ECDSA, key, MSG, sig).ok) throw new Error(`pgtls refuses node's ${curve} signature`);
  return [
    {
      name: `pgtls ${curve}`,
      run: () => {
        clearVerifyResults();
        return verifySignature(ECDSA, key, MSG, sig);
      },
    },
    { name: `node:crypto ${curve}`, run: () => nodeVerify('sha256', MSG, { key: publicKey, dsaEncoding: 'der' }, sig) },
  ];
}

function sm2Contender(): Contender {
  const dir = mkdtempSync(join(tmpdir(), 'pgtls-bench-sm2-'));
  try {
    const keyFile = join(dir, 'k.pem');
    const msgFile = join(dir, 'm');
    writeFileSync(msgFile, MSG);
    spawnSync('openssl', ['genpkey', '-algorithm', 'SM2', '-out', keyFile]);
    const spki = spawnSync('openssl', ['pkey', '-in', keyFile, '-pubout', '-outform', 'DER']).stdout;
    const sig = new Uint8Array(spawnSync('openssl', ['dgst', '-sm3', '-sign', keyFile, msgFile]).stdout);
    const key = parseSpki(new Uint8Array(spki));
    createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const alg = { kind: 'sm2', oid: '1.2.156.10197.1.501' } as const;
    if (!verifySignature(alg, key, MSG, sig).ok) throw new Error("pgtls refuses openssl's SM2 signature");
    return {
      name: 'pgtls SM2',
      run: () => {
        clearVerifyResults();
        return verifySignature(alg, key, MSG, sig);
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function runBinaryBench(): string {
  const contenders = ['sect163k1', 'sect283k1', 'sect571r1', 'c2pnb368w1'].flatMap(binaryContenders);
  contenders.push(sm2Contender());
  return formatTable(
    'signature verification: binary-field ECDSA and SM2 (one verification)',
    bench(contenders, { rounds: 5, batchMs: 200 }),
    {
      ratios: false,
    },
  );
}
