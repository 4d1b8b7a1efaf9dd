// What OpenSSL 3.0 loads from a file, judged by the openssl CLI: d2i reads one element from a
// PEM block and ignores the bytes after it (loadCertificate/loadCrl do the same, parseCertificate
// stays exact); a name value OpenSSL cannot decode makes the whole certificate or CRL
// unloadable (opensslLoadRefusal, refused by every loader, still described by parseCertificateBlock);
// an EC point off its curve leaves the certificate loadable but its key undecodable. The first
// certificate of SSL_CTX_use_certificate_chain_file is read with d2i_X509_AUX (judged by Node's
// createSecureContext, which reads `cert` the same way): what follows must be trust settings.
// openssl's answers are recorded in vectors/oracle/load-openssl/openssl-3.0.json, and the
// template, CRL and trusted certificate openssl made in that run beside it (openssl-made/):
// without openssl (or with PGTLS_REPLAY=1) the suite runs on those and the recorded answers.

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DerError, Tag, decodePemOrDer, parseDer, pemEncode } from '../../src/der/index.js';
import { derSequence, derTlv } from '../../src/der/writer.js';
import {
  loadCertificate,
  loadCertificateBlock,
  loadCrl,
  opensslLoadRefusal,
  parseCertificate,
  parseCertificateBlock,
  parseCertificates,
  parseCrls,
  type Certificate,
} from '../../src/x509/index.js';
import { GOLDEN_ROOT, recordingForced } from '../support/golden.js';
import { placeholders, useOpensslGoldens } from '../support/openssl-goldens.js';
import { bash, KEYS, sq, tempDir } from './openssl.js';

const goldens = useOpensslGoldens('load-openssl');
/** the files openssl made in the recording run (replay has no openssl to make them) */
const OPENSSL_MADE = join(GOLDEN_ROOT, 'load-openssl', 'openssl-made');
const MADE = ['template.pem', 'trusted.pem', 'crl.pem'];
const tmp = tempDir('x509-load');
afterAll(() => tmp.cleanup());
let template: Certificate;
let crlDer: Uint8Array;
let trustedDer: Uint8Array;

beforeAll(() => {
  if (goldens.skip) return;
  if (!goldens.live) {
    for (const f of MADE) copyFileSync(join(OPENSSL_MADE, f), join(tmp.dir, f));
  } else
    bash(
      [
        'set -e',
        `printf '[req]\\ndistinguished_name=dn\\n[dn]\\n' > r.cnf`,
        `openssl req -x509 -new -config r.cnf -key ${sq(`${KEYS}/p256-2.pem`)} -subj '/O=Load/CN=template' -days 30 -addext 'keyUsage=critical,keyCertSign,cRLSign' -out template.pem`,
        `printf 'default_ca=ca\\n[ca]\\ndatabase=index.txt\\ndefault_md=sha256\\ndefault_crl_days=30\\n' > ca.cnf; : > index.txt`,
        'openssl x509 -in template.pem -addtrust serverAuth -trustout -out trusted.pem',
        `openssl ca -config ca.cnf -gencrl -keyfile ${sq(`${KEYS}/p256-2.pem`)} -cert template.pem -out crl.pem 2>/dev/null`,
      ].join('\n'),
      tmp.dir,
    );
  if (goldens.live && recordingForced()) {
    mkdirSync(OPENSSL_MADE, { recursive: true });
    for (const f of MADE) copyFileSync(join(tmp.dir, f), join(OPENSSL_MADE, f));
  }
  template = parseCertificates(readFileSync(join(tmp.dir, 'template.pem')))[0];
  crlDer = decodePemOrDer(readFileSync(join(tmp.dir, 'crl.pem')))[0].der;
  trustedDer = decodePemOrDer(readFileSync(join(tmp.dir, 'trusted.pem')))[0].der;
});

/** tbsCertificate children replaced (5 subject, 6 spki); the signature is kept (loading does not check it) */
function withTbs(edit: (kids: Uint8Array[]) => Uint8Array[]): Uint8Array {
  const kids = edit(
    parseDer(template.tbs)
      .children()
      .map((k) => k.bytes()),
  );
  return derSequence(
    derSequence(...kids),
    template.signatureAlgorithm.bytes,
    derTlv(Tag.BIT_STRING, Uint8Array.of(0), template.signature.bytes),
  );
}

/** does `openssl <cmd> -in FILE -noout` load it (recorded as scenario `key`) */
function opensslLoads(cmd: 'x509' | 'crl', label: string, der: Uint8Array, name: string, key = name): boolean {
  writeFileSync(join(tmp.dir, name), pemEncode(label, der));
  const said = goldens.call(`${cmd} loads ${key}`, () =>
    bash(`openssl ${cmd} -in ${name} -noout >/dev/null 2>&1 && echo LOADED || echo FAILED`, tmp.dir).trim(),
  );
  return said === 'LOADED';
}

describe.skipIf(goldens.skip)('loading as OpenSSL loads a file', () => {
  it('ignores bytes after the certificate or CRL inside a PEM block; parseCertificate stays exact', () => {
    const tails = [Uint8Array.of(0), Uint8Array.of(0x30, 0x00), template.der];
    for (const [j, tail] of tails.entries()) {
      const der = Uint8Array.from([...template.der, ...tail]);
      expect(opensslLoads('x509', 'CERTIFICATE', der, 'trailing.pem', `trailing.pem #${j}`)).toBe(true);
      const c = loadCertificate(der);
      expect(Array.from(c.der)).toEqual(Array.from(template.der));
      expect(parseCertificates(new TextEncoder().encode(pemEncode('CERTIFICATE', der)))[0].der.length).toBe(template.der.length);
      expect(() => parseCertificate(der)).toThrow(DerError);
      const crl = Uint8Array.from([...crlDer, ...tail]);
      expect(opensslLoads('crl', 'X509 CRL', crl, 'trailing-crl.pem', `trailing-crl.pem #${j}`)).toBe(true);
      expect(loadCrl(crl).tbs.length).toBe(parseCrls(new TextEncoder().encode(pemEncode('X509 CRL', crlDer)))[0].tbs.length);
    }
    // the element itself is still strict DER: a truncated certificate with bytes after it is no certificate
    expect(() => loadCertificate(Uint8Array.from([...template.der.subarray(0, 10), 0]))).toThrow(DerError);
  });

  it('d2i_X509_AUX (the first certificate of a chain file, TRUSTED CERTIFICATE): trust settings may follow, nothing else', () => {
    const key = readFileSync(join(KEYS, 'p256-2.pem'));
    const cases = [
      { name: 'certificate alone', der: template.der },
      { name: 'a zero byte after it', der: Uint8Array.from([...template.der, 0]) },
      { name: 'trust settings', der: trustedDer },
      { name: 'trust settings, then a zero byte', der: Uint8Array.from([...trustedDer, 0]) },
      { name: 'a SEQUENCE that is not X509_CERT_AUX', der: Uint8Array.from([...template.der, 0x30, 0x03, 0x02, 0x01, 0x00]) },
      { name: 'another certificate', der: Uint8Array.from([...template.der, ...template.der]) },
    ];
    let refused = 0;
    for (const c of cases) {
      let node = true;
      try {
        createSecureContext({ cert: pemEncode('CERTIFICATE', c.der), key });
      } catch {
        node = false;
      }
      let ours = true;
      try {
        loadCertificate(c.der, 'X509_AUX');
      } catch (e) {
        if (!(e instanceof DerError)) throw e;
        ours = false;
      }
      if (!node) refused++;
      expect({ case: c.name, loads: ours }).toEqual({ case: c.name, loads: node });
      // d2i_X509 ignores whatever follows
      expect(loadCertificate(c.der).der.length).toBe(template.der.length);
    }
    expect(refused).toBeGreaterThan(1);
    // PEM_X509_INFO_read_bio picks the reader by label
    const block = (label: string) => ({ label, der: Uint8Array.from([...template.der, 0]), headers: {}, line: 1 });
    expect(() => loadCertificateBlock(block('TRUSTED CERTIFICATE'))).toThrow(DerError);
    expect(loadCertificateBlock(block('CERTIFICATE')).der.length).toBe(template.der.length);
  });

  it('refuses exactly the certificates whose names OpenSSL cannot decode, in every loader', () => {
    const subject = (value: Uint8Array) =>
      withTbs((k) => {
        const name = derSequence(derTlv(0x31, derSequence(Uint8Array.of(0x06, 0x03, 0x55, 0x04, 0x03), value)));
        return k.map((x, i) => (i === 5 ? name : x));
      });
    const cases = [
      { name: 'invalid UTF8String', der: subject(Uint8Array.of(0x0c, 0x02, 0xc3, 0x28)), refused: true },
      { name: 'context tag [12]', der: subject(Uint8Array.of(0x8c, 0x01, 0x41)), refused: true },
      { name: 'OCTET STRING', der: subject(Uint8Array.of(0x04, 0x01, 0x41)), refused: true },
      { name: 'UniversalString of 3 bytes', der: subject(Uint8Array.of(0x1c, 0x03, 0, 0, 0x41)), refused: true },
      { name: 'valid UTF8String', der: subject(Uint8Array.of(0x0c, 0x02, 0xc3, 0xa9)), refused: false },
    ];
    cases.forEach((c, i) => {
      expect({ case: c.name, openssl: opensslLoads('x509', 'CERTIFICATE', c.der, `name${i}.pem`) }).toEqual({
        case: c.name,
        openssl: !c.refused,
      });
      const pem = new TextEncoder().encode(pemEncode('CERTIFICATE', c.der));
      const shown = parseCertificateBlock(decodePemOrDer(pem)[0]);
      expect({ case: c.name, refusal: opensslLoadRefusal(shown) !== undefined }).toEqual({ case: c.name, refusal: c.refused });
      if (c.refused) {
        expect(() => loadCertificate(c.der), c.name).toThrow(DerError);
        expect(() => parseCertificates(pem), c.name).toThrow(/OpenSSL 3.0 cannot load/);
      } else expect(loadCertificate(c.der).subject.rdns.length).toBe(1);
    });
  });

  it('loads a certificate whose EC point is off the curve, with an undecodable key (X509_get0_pubkey is NULL)', () => {
    const spki = parseDer(template.spki);
    const [alg, bits] = spki.children().map((k) => k.bytes());
    const point = bits.slice();
    point[point.length - 1] ^= 1; // the last byte of Y: still 04||X||Y, no longer on P-256
    const der = withTbs((k) => k.map((x, i) => (i === 6 ? derSequence(alg, point) : x)));
    writeFileSync(join(tmp.dir, 'offcurve.pem'), pemEncode('CERTIFICATE', der));
    const out = goldens.call(
      'x509 -subject, -pubkey of offcurve.pem',
      () => bash('openssl x509 -in offcurve.pem -noout -subject 2>&1; openssl x509 -in offcurve.pem -noout -pubkey 2>&1 || true', tmp.dir),
      placeholders([[tmp.dir, 'tmp']]),
    );
    expect(out).toContain('subject=O = Load, CN = template');
    expect(out).toMatch(/decode error|Unable to load/);
    const c = loadCertificate(der);
    expect(c.publicKey.kind).toBe('unknown');
    expect(c.problems.some((p) => p.code === 'BAD_PUBLIC_KEY')).toBe(true);
    expect(loadCertificate(template.der).publicKey.kind).toBe('ec');
  });
});
