// Shared test material for tls13: keys from vectors/keys/, certificates made once per test
// process with the openssl CLI (a real oracle for the DER), a deterministic random source,
// and RFC 8448 vector loading.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, parsePemBlocks } from '../../src/der/index.js';
import { parsePrivateKey, type PrivateKey } from '../../src/tls13/crypto-x509.js';
import type { CertifiedKey, RandomSource } from '../../src/tls13/index.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const KEYS = join(ROOT, 'vectors', 'keys');

let dir: string | undefined;
const tmp = () => (dir ??= mkdtempSync(join(tmpdir(), 'pgtls-tls13-')));

export interface TestCert {
  name: string;
  keyPath: string;
  certPath: string;
  certPem: string;
  der: Uint8Array;
  privateKey: PrivateKey;
  certified: CertifiedKey;
}

const cache = new Map<string, TestCert>();

/** A self-signed certificate for vectors/keys/<key>.pem, made by `openssl req -x509`. */
export function selfSigned(key: string, cn = `pgtls ${key}`, extra: string[] = []): TestCert {
  const id = `${key}|${cn}|${extra.join(' ')}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const keyPath = join(KEYS, `${key}.pem`);
  const certPath = join(tmp(), `${key}-${cache.size}.crt`);
  execFileSync('openssl', ['req', '-x509', '-new', '-key', keyPath, '-subj', `/CN=${cn}`, '-days', '2', '-out', certPath, ...extra], {
    stdio: 'pipe',
  });
  const certPem = readFileSync(certPath, 'utf8');
  const der = parsePemBlocks(certPem)[0].der;
  const privateKey = parsePrivateKey(readFileSync(keyPath, 'utf8'));
  const c: TestCert = { name: key, keyPath, certPath, certPem, der, privateKey, certified: { chain: [der], privateKey } };
  cache.set(id, c);
  return c;
}

/** A CA and a leaf it signs (leaf chain = [leaf]), for tests that need a trust anchor. */
export function caAndLeaf(
  caKey: string,
  leafKey: string,
  leafCn: string,
  caCn = `pgtls test CA ${caKey}`,
): { ca: TestCert; leaf: TestCert } {
  const ca = selfSigned(caKey, caCn, ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const id = `leaf|${caKey}|${leafKey}|${leafCn}`;
  let leaf = cache.get(id);
  if (!leaf) {
    const keyPath = join(KEYS, `${leafKey}.pem`);
    const csr = join(tmp(), `${leafKey}-${cache.size}.csr`);
    const certPath = join(tmp(), `${leafKey}-${cache.size}-leaf.crt`);
    const ext = join(tmp(), `ext-${cache.size}.cnf`);
    writeFileSync(ext, `subjectAltName=DNS:${leafCn},DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n`);
    execFileSync('openssl', ['req', '-new', '-key', keyPath, '-subj', `/CN=${leafCn}`, '-out', csr], { stdio: 'pipe' });
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        ca.certPath,
        '-CAkey',
        ca.keyPath,
        '-set_serial',
        String(1000 + cache.size),
        '-days',
        '2',
        '-extfile',
        ext,
        '-out',
        certPath,
      ],
      {
        stdio: 'pipe',
      },
    );
    const certPem = readFileSync(certPath, 'utf8');
    const der = parsePemBlocks(certPem)[0].der;
    const privateKey = parsePrivateKey(readFileSync(keyPath, 'utf8'));
    leaf = { name: leafKey, keyPath, certPath, certPem, der, privateKey, certified: { chain: [der], privateKey } };
    cache.set(id, leaf);
  }
  return { ca, leaf };
}

/** A reproducible random source: a counter-seeded xorshift, per purpose. */
export function seededRandom(seed: number): RandomSource {
  let s = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      out[i] = s & 0xff;
    }
    return out;
  };
}

export type Vector = Record<string, any>;
export function loadVector(name: string): Vector {
  return JSON.parse(readFileSync(join(ROOT, 'vectors', 'rfc8448', `${name}.json`), 'utf8'));
}
export const h = fromHex;

/**
 * A record with a ServerHello whose supported_versions extension (00 2b 00 02 03 04) is
 * renamed to an extension type nobody knows (0xfe2b): the ServerHello then says TLS 1.2 by
 * its legacy_version, and every other byte stays as the server sent it. Other records pass.
 */
export function serverHelloWithoutTls13(record: Uint8Array): Uint8Array {
  if (record[0] !== 22 || record[5] !== 2) return record;
  const b = record.slice();
  for (let i = 9; i + 5 < b.length; i++) {
    if (b[i] === 0x00 && b[i + 1] === 0x2b && b[i + 2] === 0 && b[i + 3] === 2 && b[i + 4] === 3 && b[i + 5] === 4) {
      b[i] = 0xfe;
      return b;
    }
  }
  return record;
}
