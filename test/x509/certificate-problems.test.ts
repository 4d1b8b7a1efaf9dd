// Certificates OpenSSL loads but objects to, made by splicing a real certificate: duplicate
// and undecodable extensions, negative pathLen, empty keyUsage (judged by OpenSSL itself:
// `openssl verify` reports "ossl_x509v3_cache_extensions:invalid certificate" exactly when
// pgtls marks a problem opensslInvalid), plus version, time, serial and algorithm problems,
// DER errors with their paths, PEM label handling, and signature/key algorithm identifiers.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DerError, OID, Tag, oidLongName, parseDer, pemEncode } from '../../src/der/index.js';
import { derOid, derSequence, derTlv } from '../../src/der/writer.js';
import {
  WrongPemLabelError,
  describeSignatureAlgorithm,
  parseCertificate,
  parseCertificates,
  parseSpki,
  type AlgorithmIdentifier,
  type Certificate,
} from '../../src/x509/index.js';
import { bash, KEYS, sq, tempDir } from './openssl.js';

const tmp = tempDir('x509-problems');
afterAll(() => tmp.cleanup());
let template: Certificate;
const spkis: Record<string, Uint8Array> = {};

beforeAll(() => {
  const s = [
    'set -e',
    `printf '[req]\\ndistinguished_name=dn\\n[dn]\\n' > r.cnf`,
    `openssl req -x509 -new -config r.cnf -key ${sq(`${KEYS}/p256-2.pem`)} -subj '/O=Problems/CN=template' -days 30 ` +
      [
        'basicConstraints=critical,CA:TRUE,pathlen:1',
        'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
        'extendedKeyUsage=serverAuth,clientAuth',
        'subjectAltName=DNS:a.example,IP:10.0.0.1',
        'nameConstraints=critical,permitted;DNS:.example',
        'certificatePolicies=1.2.3.4',
        'crlDistributionPoints=URI:http://crl.example/x.crl',
        'authorityInfoAccess=OCSP;URI:http://ocsp.example/',
        'issuerAltName=DNS:issuer.example',
        'nsCertType=server,sslCA',
        'policyConstraints=requireExplicitPolicy:2',
        'inhibitAnyPolicy=1',
        'authorityKeyIdentifier=keyid:always',
      ]
        .map((e) => `-addext ${sq(e)}`)
        .join(' ') +
      ' -out template.pem',
    'openssl x509 -in template.pem -addtrust serverAuth -trustout -out trusted.pem',
    'openssl genpkey -algorithm X25519 | openssl pkey -pubout -outform DER -out x25519.der',
    'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 | openssl pkey -pubout -outform DER -out k1.der',
    `openssl pkey -in ${sq(`${KEYS}/p256-1.pem`)} -pubout -outform DER -out p256.der`,
    `openssl ec -in ${sq(`${KEYS}/p256-1.pem`)} -pubout -param_enc explicit -outform DER -out explicit.der 2>/dev/null`,
  ];
  bash(s.join('\n'), tmp.dir);
  template = parseCertificates(readFileSync(join(tmp.dir, 'template.pem')))[0];
  for (const f of ['x25519', 'k1', 'p256', 'explicit']) spkis[f] = new Uint8Array(readFileSync(join(tmp.dir, `${f}.der`)));
});

// ---- splicing ---------------------------------------------------------------------------

interface Edit {
  /** replace tbsCertificate children by index (0 version, 1 serial, 2 signature, 3 issuer, 4 validity, 5 subject, 6 spki, 7 extensions) */
  tbs?: (kids: Uint8Array[]) => Uint8Array[];
  /** replace the extension list (each entry is an Extension SEQUENCE) */
  exts?: (exts: Uint8Array[]) => Uint8Array[];
}

function splice(cert: Certificate, edit: Edit): Uint8Array {
  let kids = parseDer(cert.tbs)
    .children()
    .map((k) => k.bytes());
  if (edit.exts) {
    const last = parseDer(kids[kids.length - 1]);
    const list = parseDer(last.content())
      .children()
      .map((e) => e.bytes());
    kids[kids.length - 1] = derTlv(0xa3, derSequence(...edit.exts(list)));
  }
  if (edit.tbs) kids = edit.tbs(kids);
  return derSequence(derSequence(...kids), cert.signatureAlgorithm.bytes, derTlv(Tag.BIT_STRING, Uint8Array.of(0), cert.signature.bytes));
}

const extOid = (e: Uint8Array) => parseDer(e).children()[0].bytes();
const extension = (oid: Uint8Array, critical: boolean, value: Uint8Array) =>
  derSequence(oid, ...(critical ? [Uint8Array.of(1, 1, 0xff)] : []), derTlv(Tag.OCTET_STRING, value));
const extValue = (e: Uint8Array) => parseDer(e).children().at(-1)!.content();
const isCritical = (e: Uint8Array) => parseDer(e).children().length === 3;

describe('extension problems, judged by openssl verify', () => {
  it('opensslInvalid is set exactly when OpenSSL marks the certificate EXFLAG_INVALID', () => {
    const n = parseDer(parseDer(template.tbs).children()[7].content()).children().length;
    const cases: { name: string; der: Uint8Array; code: string }[] = [];
    for (let i = 0; i < n; i++) {
      const oidOf = (es: Uint8Array[]) => `${oidLongName(template.extensions[i].oid)} (${es.length})`;
      const with_ = (f: (e: Uint8Array) => Uint8Array) => (es: Uint8Array[]) => es.map((e, j) => (j === i ? f(e) : e));
      cases.push(
        { name: `duplicate ${oidOf([])}`, der: splice(template, { exts: (es) => [...es, es[i]] }), code: 'DUPLICATE_EXTENSION' },
        {
          name: `NULL contents ${oidOf([])}`,
          der: splice(template, { exts: with_((e) => extension(extOid(e), isCritical(e), Uint8Array.of(5, 0))) }),
          code: 'BAD_EXTENSION',
        },
        {
          name: `truncated contents ${oidOf([])}`,
          der: splice(template, {
            exts: with_((e) => extension(extOid(e), isCritical(e), extValue(e).subarray(0, extValue(e).length - 1))),
          }),
          code: 'BAD_EXTENSION',
        },
        {
          name: `trailing byte ${oidOf([])}`,
          der: splice(template, { exts: with_((e) => extension(extOid(e), isCritical(e), Uint8Array.from([...extValue(e), 0]))) }),
          code: 'BAD_EXTENSION',
        },
      );
    }
    const bc = (v: Uint8Array) => (es: Uint8Array[]) => [extension(derOid(OID.basicConstraints), true, v), ...es.slice(1)];
    cases.push(
      {
        name: 'negative pathLen',
        der: splice(template, { exts: bc(derSequence(Uint8Array.of(1, 1, 0xff), Uint8Array.of(2, 1, 0xff))) }),
        code: 'BAD_EXTENSION',
      },
      {
        name: 'pathLen without cA (strict-mode matter only)',
        der: splice(template, { exts: bc(derSequence(Uint8Array.of(2, 1, 3))) }),
        code: '',
      },
      {
        name: 'empty keyUsage',
        der: splice(template, {
          exts: (es) => es.map((e, j) => (j === 1 ? extension(derOid(OID.keyUsage), true, Uint8Array.of(3, 1, 0)) : e)),
        }),
        code: 'BAD_EXTENSION',
      },
      {
        name: 'keyUsage decipherOnly only',
        der: splice(template, {
          exts: (es) => es.map((e, j) => (j === 1 ? extension(derOid(OID.keyUsage), true, Uint8Array.of(3, 3, 7, 0, 0x80)) : e)),
        }),
        code: '',
      },
      // c2i_ASN1_BIT_STRING clears the bits the unused-bits octet declares: keyEncipherment (0x20) under 7 unused bits is no bit at all
      {
        name: 'keyUsage set only in unused bits',
        der: splice(template, {
          exts: (es) => es.map((e, j) => (j === 1 ? extension(derOid(OID.keyUsage), true, Uint8Array.of(3, 2, 7, 0x20)) : e)),
        }),
        code: 'BAD_EXTENSION',
      },
      {
        name: 'keyUsage with unused bits set and a real bit',
        der: splice(template, {
          exts: (es) => es.map((e, j) => (j === 1 ? extension(derOid(OID.keyUsage), true, Uint8Array.of(3, 2, 6, 0x83)) : e)),
        }),
        code: '',
      },
      {
        name: 'unknown critical extension',
        der: splice(template, { exts: (es) => [...es, extension(derOid('1.2.3.4.5'), true, Uint8Array.of(5, 0))] }),
        code: '',
      },
    );

    const script = cases.map((c, i) => {
      writeFileSync(join(tmp.dir, `case${i}.pem`), pemEncode('CERTIFICATE', c.der));
      return `echo "=====${i}"; openssl verify -CAfile case${i}.pem case${i}.pem 2>&1 || true`;
    });
    const out = bash(script.join('\n'), tmp.dir);
    const invalid = new Set(
      out
        .split('=====')
        .filter((x) => x.includes('ossl_x509v3_cache_extensions:invalid certificate'))
        .map((x) => Number(x.split('\n')[0])),
    );
    const bad: string[] = [];
    let flagged = 0;
    cases.forEach((c, i) => {
      const cert = parseCertificate(c.der);
      const ours = cert.problems.some((p) => p.opensslInvalid);
      if (ours) flagged++;
      if (ours !== invalid.has(i))
        bad.push(`${c.name}: pgtls ${ours}, openssl ${invalid.has(i)}: ${JSON.stringify(cert.problems.map((p) => p.message))}`);
      if (c.code && !cert.problems.some((p) => p.code === c.code)) bad.push(`${c.name}: no ${c.code} problem`);
      if (!c.code && cert.problems.length) bad.push(`${c.name}: unexpected ${JSON.stringify(cert.problems)}`);
    });
    expect(bad).toEqual([]);
    expect(flagged).toBeGreaterThan(20);
  });

  it('a bad extension is reported with the DER error and its path; the rest still decodes', () => {
    const der = splice(template, {
      exts: (es) => es.map((e, j) => (j === 3 ? extension(extOid(e), false, Uint8Array.of(0x30, 0x03, 0x82, 0x05, 0x61)) : e)),
    });
    const c = parseCertificate(der);
    const p = c.problems.find((x) => x.code === 'BAD_EXTENSION')!;
    expect(p.oid).toBe(OID.subjectAltName);
    expect(p.error).toBeInstanceOf(DerError);
    expect(p.error!.path).toMatch(/^tbsCertificate\.extensions\[3\]\.extnValue/);
    expect(c.ext.subjectAltName).toBeUndefined();
    expect(c.ext.basicConstraints).toEqual({ ca: true, pathLen: 1, critical: true });
    expect(c.extensions).toHaveLength(template.extensions.length);
  });
});

describe('other certificate problems', () => {
  const kidsWith = (i: number, v: Uint8Array | null) => (kids: Uint8Array[]) =>
    v === null ? kids.filter((_, j) => j !== i) : kids.map((k, j) => (j === i ? v : k));
  const utc = (s: string) => derTlv(Tag.UTCTime, new TextEncoder().encode(s));
  const gen = (s: string) => derTlv(Tag.GeneralizedTime, new TextEncoder().encode(s));

  it('signature algorithm mismatch', () => {
    const c = parseCertificate(splice(template, { tbs: kidsWith(2, derSequence(derOid(OID.ecdsaWithSHA384))) }));
    expect(c.problems.map((p) => p.code)).toEqual(['SIGNATURE_ALGORITHM_MISMATCH']);
  });

  it('validity times not in RFC 5280 form are BAD_TIME but still decoded', () => {
    const c = parseCertificate(splice(template, { tbs: kidsWith(4, derSequence(utc('2401010000Z'), gen('20500101000000.5Z'))) }));
    expect(c.problems.map((p) => p.code)).toEqual(['BAD_TIME', 'BAD_TIME']);
    expect(c.notBefore.ms).toBe(Date.UTC(2024, 0, 1));
    expect(c.notAfter.ms).toBe(Date.UTC(2050, 0, 1) + 500);
  });

  it('versions: v4 is BAD_VERSION, explicit v1 and extensions in v1 are reported', () => {
    const ver = (n: number) => derTlv(0xa0, derTlv(Tag.INTEGER, Uint8Array.of(n)));
    expect(parseCertificate(splice(template, { tbs: kidsWith(0, ver(3)) })).problems.map((p) => p.code)).toEqual(['BAD_VERSION']);
    const v1 = parseCertificate(splice(template, { tbs: kidsWith(0, null) }));
    expect(v1.version).toBe(1);
    expect(v1.problems.map((p) => p.code)).toEqual(['EXTENSIONS_IN_V1']);
    expect(parseCertificate(splice(template, { tbs: kidsWith(0, ver(0)) })).problems.map((p) => p.code)).toEqual([
      'OTHER',
      'EXTENSIONS_IN_V1',
    ]);
  });

  it('unique identifiers are kept', () => {
    const c = parseCertificate(
      splice(template, {
        tbs: (k) => [...k.slice(0, 7), derTlv(0x81, Uint8Array.of(0, 1, 2)), derTlv(0x82, Uint8Array.of(4, 0xf0)), k[7]],
      }),
    );
    expect(c.issuerUniqueId).toEqual({ unusedBits: 0, bytes: Uint8Array.of(1, 2) });
    expect(c.subjectUniqueId).toEqual({ unusedBits: 4, bytes: Uint8Array.of(0xf0) });
    expect(c.problems).toEqual([]);
  });

  it('DER violations of the outer structure throw DerError with offset and path', () => {
    const good = template.der;
    const err = (b: Uint8Array) => {
      try {
        parseCertificate(b);
      } catch (e) {
        if (e instanceof DerError) return e;
        throw e;
      }
      throw new Error('parsed');
    };
    expect(err(Uint8Array.from([...good, 0])).code).toBe('TRAILING_BYTES');
    expect(err(good.subarray(0, good.length - 1)).code).toBe('TRUNCATED');
    // the first extension's extnID replaced by an INTEGER of the same size
    const badOid = splice(template, {
      exts: (es) => [
        derSequence(
          derTlv(Tag.INTEGER, extOid(es[0]).subarray(2)),
          ...parseDer(es[0])
            .children()
            .slice(1)
            .map((x) => x.bytes()),
        ),
        ...es.slice(1),
      ],
    });
    const e = err(badOid);
    expect(e.code).toBe('UNEXPECTED_TAG');
    expect(e.path).toBe('tbsCertificate.extensions[0].extnID');
    expect(badOid[e.offset]).toBe(Tag.INTEGER); // the offset points at the offending element
    // a non-minimal serial INTEGER
    const padded = splice(template, { tbs: kidsWith(1, Uint8Array.of(2, 2, 0, 1)) });
    expect(err(padded).path).toBe('tbsCertificate.serialNumber');
  });
});

describe('PEM handling', () => {
  it('TRUSTED CERTIFICATE blocks (openssl x509 -trustout) give the certificate without the trust settings', () => {
    const [c] = parseCertificates(readFileSync(join(tmp.dir, 'trusted.pem')));
    expect(c.der).toEqual(template.der);
  });

  it('other blocks are a WrongPemLabelError with the line, unless ignored', () => {
    const key = readFileSync(`${KEYS}/p256-1.pem`, 'utf8');
    const text = new TextEncoder().encode(readFileSync(join(tmp.dir, 'template.pem'), 'utf8') + key);
    try {
      parseCertificates(text);
      throw new Error('parsed');
    } catch (e) {
      expect(e).toBeInstanceOf(WrongPemLabelError);
      expect((e as WrongPemLabelError).found).toBe('PRIVATE KEY');
      expect((e as WrongPemLabelError).line).toBeGreaterThan(5);
    }
    expect(parseCertificates(text, { ignoreOtherBlocks: true })).toHaveLength(1);
    expect(() => parseCertificates(new TextEncoder().encode(key), { ignoreOtherBlocks: true })).toThrow(WrongPemLabelError);
  });
});

describe('algorithm identifiers', () => {
  const alg = (oid: string, params?: Uint8Array): AlgorithmIdentifier => {
    const bytes = derSequence(derOid(oid), ...(params ? [params] : []));
    return params ? { oid, parameters: params, bytes } : { oid, bytes };
  };
  const hashAlg = (oid: string) => derSequence(derOid(oid), Uint8Array.of(5, 0));
  const ctx = (n: number, v: Uint8Array) => derTlv(0xa0 | n, v);

  it('RSASSA-PSS: absent parameters, all defaults, explicit values, bad values', () => {
    expect(describeSignatureAlgorithm(alg(OID.rsassaPss)).kind).toBe('unknown');
    expect(describeSignatureAlgorithm(alg(OID.rsassaPss, derSequence()))).toEqual({
      kind: 'rsa-pss',
      oid: OID.rsassaPss,
      pss: { hash: 'sha1', mgfHash: 'sha1', saltLength: 20, trailerField: 1 },
    });
    const full = derSequence(
      ctx(0, hashAlg(OID.sha256)),
      ctx(1, derSequence(derOid(OID.mgf1), derSequence(derOid(OID.sha384)))),
      ctx(2, derTlv(Tag.INTEGER, Uint8Array.of(32))),
      ctx(3, derTlv(Tag.INTEGER, Uint8Array.of(1))),
    );
    expect(describeSignatureAlgorithm(alg(OID.rsassaPss, full))).toMatchObject({
      kind: 'rsa-pss',
      pss: { hash: 'sha256', mgfHash: 'sha384', saltLength: 32, trailerField: 1 },
    });
    const trailer2 = derSequence(ctx(3, derTlv(Tag.INTEGER, Uint8Array.of(2))));
    expect(describeSignatureAlgorithm(alg(OID.rsassaPss, trailer2))).toMatchObject({
      kind: 'unknown',
      reason: expect.stringMatching(/trailer/),
    });
    const notMgf1 = derSequence(ctx(1, derSequence(derOid('1.2.3.4'), hashAlg(OID.sha256))));
    expect(describeSignatureAlgorithm(alg(OID.rsassaPss, notMgf1))).toMatchObject({
      kind: 'unknown',
      reason: expect.stringMatching(/MGF1/),
    });
    const negSalt = derSequence(ctx(2, derTlv(Tag.INTEGER, Uint8Array.of(0xff))));
    expect(describeSignatureAlgorithm(alg(OID.rsassaPss, negSalt))).toMatchObject({
      kind: 'unknown',
      reason: expect.stringMatching(/salt/),
    });
  });

  it('PKCS#1, ECDSA, DSA, EdDSA and unknown', () => {
    expect(describeSignatureAlgorithm(alg(OID.sha256WithRSAEncryption, Uint8Array.of(5, 0)))).toEqual({
      kind: 'rsa-pkcs1',
      oid: OID.sha256WithRSAEncryption,
      hash: 'sha256',
    });
    expect(describeSignatureAlgorithm(alg(OID.md5WithRSAEncryption))).toMatchObject({ kind: 'rsa-pkcs1', hash: 'md5' });
    expect(describeSignatureAlgorithm(alg(OID.ecdsaWithSHA1))).toMatchObject({ kind: 'ecdsa', hash: 'sha1' });
    expect(describeSignatureAlgorithm(alg(OID.dsaWithSHA256))).toMatchObject({ kind: 'dsa', hash: 'sha256' });
    expect(describeSignatureAlgorithm(alg(OID.ed25519))).toEqual({ kind: 'ed25519', oid: OID.ed25519 });
    expect(describeSignatureAlgorithm(alg(OID.ed448, Uint8Array.of(5, 0)))).toMatchObject({ kind: 'unknown' });
    expect(describeSignatureAlgorithm(alg('1.2.3.4'))).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/unsupported/) });
  });

  it('public keys pgtls does not handle come back as unknown with a reason', () => {
    expect(parseSpki(spkis.x25519)).toMatchObject({
      kind: 'unknown',
      reason: expect.stringMatching(/unsupported public key algorithm 1\.3\.101\.110/),
    });
    expect(parseSpki(spkis.k1)).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/unsupported EC curve 1\.3\.132\.0\.10/) });
    expect(parseSpki(spkis.explicit)).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/explicit/) });
    expect(parseSpki(spkis.p256)).toMatchObject({ kind: 'ec', curve: 'P-256', bits: 256 });
    // a P-256 key whose point has the wrong length is BAD_PUBLIC_KEY in a certificate
    const bad = splice(template, {
      tbs: (k) =>
        k.map((x, j) => (j === 6 ? derSequence(parseDer(x).children()[0].bytes(), derTlv(Tag.BIT_STRING, Uint8Array.of(0, 4, 1, 2))) : x)),
    });
    const c = parseCertificate(bad);
    expect(c.publicKey.kind).toBe('unknown');
    expect(c.problems.map((p) => p.code)).toEqual(['BAD_PUBLIC_KEY']);
  });
});
