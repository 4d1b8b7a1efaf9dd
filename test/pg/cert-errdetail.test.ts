// The PostgreSQL 16+ DETAIL for a client certificate that fails verification, without a
// server: prepare_cert_name's cut and escapes, OpenSSL 1.1.1's verify texts, and the versions
// that log it. The same DETAIL against real PostgreSQL 16, 17 and 18 is in
// versions-oracle.test.ts.

import { describe, expect, it } from 'vitest';
import { errorMessage, errorMessageFor, verifyChain } from '../../src/path/index.js';
import { parseCertificate } from '../../src/x509/index.js';
import { clientCertErrorDetail, prepareCertName } from '../../src/pg/server/cert-errdetail.js';
import { makeTestPki } from '../support/pki.js';

describe('prepareCertName (be-secure-openssl.c prepare_cert_name)', () => {
  it('keeps a name of 71 bytes or less as it is', () => {
    const n = `/CN=${'a'.repeat(67)}`;
    expect(n.length).toBe(71);
    expect(prepareCertName(n)).toBe(n);
  });
  it('keeps the last 71 bytes of a longer name, the first three made dots', () => {
    const n = `/O=x/CN=${'b'.repeat(70)}`;
    expect(prepareCertName(n)).toBe(`...${'b'.repeat(68)}`);
  });
  it('escapes bytes outside printable ASCII as \\xNN, after the cut', () => {
    expect(prepareCertName('/L=Zürich/CN=a\tb')).toBe('/L=Z\\xc3\\xbcrich/CN=a\\x09b');
  });
});

describe('errorMessageFor', () => {
  it("OpenSSL 1.1.1's texts where 3.0 changed them, 3.0's elsewhere", () => {
    expect(errorMessageFor(18, '1.1')).toBe('self signed certificate');
    expect(errorMessageFor(18, '3.0')).toBe('self-signed certificate');
    expect(errorMessageFor(10, '1.1')).toBe(errorMessage(10));
    expect(errorMessageFor(62, '1.1')).toBe('Hostname mismatch');
  });
});

describe('clientCertErrorDetail', () => {
  const pki = makeTestPki();
  const leaf = parseCertificate(pki.client.selfSigned.der);
  const failed = verifyChain({ leaf, trusted: [parseCertificate(pki.root.der)], purpose: 'sslclient' });
  it('is logged from 16 on, naming the certificate', () => {
    expect(failed.ok).toBe(false);
    expect(clientCertErrorDetail(failed, 15, '3.0')).toBeUndefined();
    const d = clientCertErrorDetail(failed, 16, '1.1')!;
    expect(d.split('\n')[0]).toBe('Client certificate verification failed at depth 0: self signed certificate.');
    expect(d.split('\n')[1]).toBe(
      `Failed certificate data (unverified): subject "/CN=ssltestuser", serial number ${leaf.serial.value}, issuer "/CN=ssltestuser".`,
    );
  });
});
