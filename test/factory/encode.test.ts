// The factory's encoders against OpenSSL's own output: names from `-subj`, key files,
// public keys, IP parsing and time types.
import { describe, expect, test, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePemOrDer, parseDer, toHex } from '../../src/der/index.js';
import {
  encodeName,
  encodePkcs8,
  encodeSpki,
  encodeTime,
  parseIp,
  privateKeyPem,
  signatureAlgorithm,
  extensionValue,
  keyIdOf,
} from '../../src/factory/index.js';
import { der } from '../../src/factory/asn1.js';
import { publicKeyFromPrivate } from '../../src/x509/keys.js';
import { KEYS_DIR, loadKey, openssl, opensslOk, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.done());

const pemDer = (text: string) => decodePemOrDer(new TextEncoder().encode(text))[0].der;
const KEYS = ['rsa2048-1', 'rsapss2048-1', 'p256-1', 'p384-1', 'p521-1', 'ed25519-1', 'ed448-1'];

/** subject Name DER of a certificate OpenSSL makes with -subj (stock config: string_mask utf8only). */
function opensslSubject(subj: string, extra: string[] = []): Uint8Array {
  const out = tmp.write('s.pem', '');
  opensslOk(['req', '-new', '-x509', '-key', join(KEYS_DIR, 'p256-1.pem'), '-subj', subj, '-days', '1', '-out', out, ...extra]);
  const d = pemDer(opensslOk(['x509', '-in', out]));
  const tbs = parseDer(d).children()[0].children();
  return tbs[5].bytes();
}

describe('names', () => {
  test.each([
    '/CN=dbhost.yourdomain.com',
    '/C=US/ST=California/L=San Francisco/O=Example, Inc./OU=DB/CN=db.example.com/emailAddress=dba@example.com',
    '/DC=com/DC=example/CN=user+UID=alice',
    '/CN=Ünïcödé ☃/O=x\\/y',
    '/serialNumber=1234/CN=a',
  ])('encodeName(%s) equals openssl req -subj', (subj) => {
    const ours = encodeName(subj);
    expect(toHex(ours)).toBe(toHex(opensslSubject(subj, [...(subj.includes('+') ? ['-multivalue-rdn'] : []), '-utf8'])));
  });

  test('friendly list form equals slash form; multi-valued RDN and forced types', () => {
    expect(toHex(encodeName([{ C: 'US' }, { O: 'y' }, { CN: 'x' }]))).toBe(toHex(encodeName('/C=US/O=y/CN=x')));
    expect(toHex(encodeName([{ CN: 'a', UID: 'b' }]))).toBe(toHex(encodeName('/CN=a+UID=b')));
    const forced = encodeName([{ type: 'CN', value: 'x', as: 'bmp' }]);
    expect(toHex(forced)).toContain('1e020078');
    expect(toHex(encodeName('/CN=abc', 'printable'))).toContain('1303616263');
    expect(toHex(encodeName('/CN=a_b', 'printable'))).toContain('0c03615f62'); // '_' is not printable
  });
});

describe('keys', () => {
  test.each(KEYS)('PKCS#8 of %s equals the vector file written by OpenSSL', (name) => {
    const file = readFileSync(join(KEYS_DIR, `${name}.pem`), 'utf8');
    expect(toHex(encodePkcs8(loadKey(name)))).toBe(toHex(pemDer(file)));
    expect(privateKeyPem(loadKey(name))).toBe(file);
  });

  test.each(KEYS)('SPKI of %s equals openssl pkey -pubout', (name) => {
    const pub = opensslOk(['pkey', '-in', join(KEYS_DIR, `${name}.pem`), '-pubout']);
    const spki = encodeSpki(publicKeyFromPrivate(loadKey(name)));
    expect(toHex(spki)).toBe(toHex(pemDer(pub)));
  });

  test('PKCS#1 and SEC1 equal openssl -traditional output', () => {
    const rsa = opensslOk(['rsa', '-in', join(KEYS_DIR, 'rsa2048-1.pem'), '-traditional']);
    expect(privateKeyPem(loadKey('rsa2048-1'), 'pkcs1')).toBe(rsa);
    const ec = opensslOk(['ec', '-in', join(KEYS_DIR, 'p384-1.pem')], undefined);
    expect(privateKeyPem(loadKey('p384-1'), 'sec1')).toBe(ec);
    expect(() => privateKeyPem(loadKey('ed25519-1'), 'pkcs1')).toThrow(/RSA keys only/);
  });

  test('SKI is SHA-1 of the key bits, as openssl x509 prints it for subjectKeyIdentifier=hash', () => {
    const out = tmp.write('ski.pem', '');
    opensslOk(['req', '-new', '-x509', '-key', join(KEYS_DIR, 'p256-2.pem'), '-subj', '/CN=x', '-days', '1', '-out', out]);
    const text = opensslOk(['x509', '-in', out, '-noout', '-ext', 'subjectKeyIdentifier']);
    const spki = encodeSpki(publicKeyFromPrivate(loadKey('p256-2')));
    expect(text.replace(/[\s:]/g, '').toLowerCase()).toContain(toHex(keyIdOf(spki)));
  });
});

describe('primitives', () => {
  test('IP addresses and masks', () => {
    expect(toHex(parseIp('10.1.2.3'))).toBe('0a010203');
    expect(toHex(parseIp('::1'))).toBe('00000000000000000000000000000001');
    expect(toHex(parseIp('2001:db8::8:1'))).toBe('20010db8000000000000000000080001');
    expect(toHex(parseIp('::ffff:1.2.3.4'))).toBe('00000000000000000000ffff01020304');
    expect(toHex(parseIp('fe80::/10'))).toBe('fe800000000000000000000000000000' + 'ffc00000000000000000000000000000');
    expect(toHex(parseIp('192.168.0.0/255.255.0.0'))).toBe('c0a80000ffff0000');
    for (const bad of ['1.2.3', '1.2.3.256', '1::2::3', 'x', '1:2:3:4:5:6:7', '1.2.3.4/33']) expect(() => parseIp(bad)).toThrow();
  });

  test('time type switches at 2050 (RFC 5280), raw text is kept', () => {
    expect(toHex(der(encodeTime(new Date(Date.UTC(2049, 11, 31, 23, 59, 59)))))).toBe(
      toHex(new Uint8Array([0x17, 13, ...Buffer.from('491231235959Z')])),
    );
    expect(toHex(der(encodeTime(new Date(Date.UTC(2050, 0, 1)))))).toBe(
      toHex(new Uint8Array([0x18, 15, ...Buffer.from('20500101000000Z')])),
    );
    expect(toHex(der(encodeTime({ type: 'utc', text: '2501011200' })))).toBe(`170a${Buffer.from('2501011200').toString('hex')}`);
  });

  test('algorithm identifiers: NULL for RSA, absent for ECDSA/EdDSA, PSS parameters as OpenSSL writes', () => {
    expect(toHex(signatureAlgorithm('sha256WithRSAEncryption').der)).toBe('300d06092a864886f70d01010b0500');
    expect(toHex(signatureAlgorithm('ecdsa-with-SHA384').der)).toBe('300a06082a8648ce3d040303');
    expect(toHex(signatureAlgorithm('ed25519').der)).toBe('300506032b6570');
    // openssl req -sigopt rsa_padding_mode:pss with sha256 writes exactly this
    expect(toHex(signatureAlgorithm({ pss: { hash: 'sha256' } }).der)).toBe(
      '304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120',
    );
    expect(toHex(signatureAlgorithm({ pss: { hash: 'sha1' } }).der)).toBe('300d06092a864886f70d01010a3000');
    expect(toHex(signatureAlgorithm({ oid: '1.2.3', params: 'null' }).der)).toBe('300606022a030500');
    expect(() => signatureAlgorithm('nope')).toThrow(/unknown signature algorithm/);
  });

  test('basicConstraints and keyUsage are DER (cA FALSE omitted, trailing bits trimmed)', () => {
    expect(toHex(extensionValue({ type: 'basicConstraints', ca: false }).value)).toBe('3000');
    expect(toHex(extensionValue({ type: 'basicConstraints', ca: true, pathLen: 0 }).value)).toBe('30060101ff020100');
    expect(toHex(extensionValue({ type: 'keyUsage', usages: ['keyCertSign', 'cRLSign'] }).value)).toBe('03020106');
    expect(toHex(extensionValue({ type: 'keyUsage', usages: ['digitalSignature'] }).value)).toBe('03020780');
    expect(toHex(extensionValue({ type: 'keyUsage', usages: ['decipherOnly'] }).value)).toBe('0303070080');
  });
});

test('openssl confirms the PSS AlgorithmIdentifier bytes', () => {
  const out = tmp.write('pss.pem', '');
  const r = openssl([
    'req',
    '-new',
    '-x509',
    '-key',
    join(KEYS_DIR, 'rsa2048-1.pem'),
    '-subj',
    '/CN=x',
    '-days',
    '1',
    '-sigopt',
    'rsa_padding_mode:pss',
    '-sigopt',
    'rsa_pss_saltlen:32',
    '-sha256',
    '-out',
    out,
  ]);
  expect(r.status).toBe(0);
  const d = pemDer(opensslOk(['x509', '-in', out]));
  expect(toHex(parseDer(d).children()[1].bytes())).toBe(toHex(signatureAlgorithm({ pss: { hash: 'sha256' } }).der));
});
