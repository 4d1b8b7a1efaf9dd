// Names with every string type and awkward content (control characters, all whitespace
// kinds, high octets, surrogates, UniversalString, GeneralString, non-string values, unknown
// attribute types), which `openssl req` cannot write: fast-check builds the Name DER, it is
// spliced into a real certificate as the subject (the signature no longer matters: openssl
// x509 does not verify it when printing), and pgtls' printed forms and hashes must equal
// OpenSSL's. Names OpenSSL refuses to load must be the ones pgtls flags.
//
// The fast-check sample is new on every run, so openssl's answers for it cannot be recorded:
// it is live-only. Beside it, a recorded set drawn once from the same arbitraries (random,
// accepted and refused names in the same proportions) is kept in
// vectors/oracle/name-openssl/openssl-3.0.json: each key is a name's DER in hex, each value what
// openssl x509 printed for it. Live, openssl runs on those names too and must print what the
// book says; without openssl (or with PGTLS_REPLAY=1) pgtls is compared with the book.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { OID, Tag, der, parseDer } from '../../src/der/index.js';
import { derOid, derSequence, derTlv } from '../../src/der/writer.js';
import {
  canonicalName,
  commonNames,
  formatNameOneline,
  formatNameRfc2253,
  nameHash,
  nameHashOld,
  namesEqual,
  parseCertificate,
  parseNameDer,
  postgresPeerCommonName,
} from '../../src/x509/index.js';
import { recordingForced } from '../support/golden.js';
import { placeholders, useOpensslGoldens } from '../support/openssl-goldens.js';
import { bash, kv, sections, tempDir } from './openssl.js';

const goldens = useOpensslGoldens('name-openssl');

const template = parseCertificate(new Uint8Array(readFileSync(new URL('../../vectors/x509/rsa2048-leaf.der', import.meta.url))));

/** The template certificate with another subject (everything else byte for byte). */
function withSubject(nameDer: Uint8Array): Uint8Array {
  const tbs = parseDer(template.tbs).children();
  // version, serial, signature, issuer, validity, subject, spki, extensions
  tbs[5] = parseDer(nameDer);
  const newTbs = derSequence(...tbs.map((t) => t.bytes()));
  return derSequence(newTbs, template.signatureAlgorithm.bytes, derTlv(Tag.BIT_STRING, Uint8Array.of(0), template.signature.bytes));
}

const ATTR_OIDS = [
  OID.commonName,
  OID.organizationName,
  OID.organizationalUnitName,
  OID.countryName,
  OID.localityName,
  OID.emailAddress,
  OID.domainComponent,
  OID.userId,
  OID.serialNumber,
  OID.description,
  '1.2.3.4',
  '2.999.1',
  '1.3.6.1.4.1.99999.1',
];

const interesting = [
  0x00, 0x01, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1f, 0x20, 0x22, 0x23, 0x2b, 0x2c, 0x3b, 0x3c, 0x3d, 0x3e, 0x5c, 0x7f, 0x41, 0x5a, 0x61, 0x7a,
  0x30,
];
const asciiByte = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...interesting) },
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
);
const anyByte = fc.oneof({ weight: 4, arbitrary: asciiByte }, { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) });
const codePoint = fc.oneof(
  { weight: 4, arbitrary: asciiByte },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0x7ff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x800, max: 0xd7ff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }) },
);
const bytes = (b: fc.Arbitrary<number>, max = 8) => fc.array(b, { maxLength: max }).map((a) => Uint8Array.from(a));

const utf8Value = fc.array(codePoint, { maxLength: 8 }).map((cps) => new TextEncoder().encode(String.fromCodePoint(...cps)));
const bmpValue = fc
  .array(
    fc.oneof(
      { weight: 15, arbitrary: codePoint.filter((c) => c < 0x10000) },
      { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }) },
    ),
    { maxLength: 6 },
  )
  .map((us) => {
    const out = new Uint8Array(us.length * 2);
    us.forEach((u, i) => {
      out[2 * i] = u >> 8;
      out[2 * i + 1] = u & 0xff;
    });
    return out;
  });
const universalValue = fc.array(codePoint, { maxLength: 5 }).map((cps) => {
  const out = new Uint8Array(cps.length * 4);
  cps.forEach((c, i) => {
    new DataView(out.buffer).setUint32(4 * i, c);
  });
  return out;
});

const REFUSED_TYPES = [Tag.GeneralString, Tag.GraphicString, Tag.VideotexString, Tag.VisibleString];
const REFUSED_VALUES = [
  derTlv(Tag.UTF8String, Uint8Array.of(0x61, 0xc3)),
  derTlv(Tag.BMPString, Uint8Array.of(0, 0x41, 0)),
  derTlv(Tag.INTEGER, Uint8Array.of(5)),
];

/** An attribute value element: [tag, content]. Some are invalid on purpose (OpenSSL refuses those names). */
const value: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: utf8Value.map((c) => derTlv(Tag.UTF8String, c)) },
  { weight: 3, arbitrary: bytes(asciiByte).map((c) => derTlv(Tag.PrintableString, c)) },
  { weight: 2, arbitrary: bytes(anyByte).map((c) => derTlv(Tag.T61String, c)) },
  { weight: 2, arbitrary: bytes(asciiByte).map((c) => derTlv(Tag.IA5String, c)) },
  { weight: 1, arbitrary: bytes(fc.integer({ min: 0x30, max: 0x39 })).map((c) => derTlv(Tag.NumericString, c)) },
  // OpenSSL refuses these four types in names (not in B_ASN1_PRINTABLE)
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...REFUSED_TYPES), bytes(anyByte)).map(([t, c]) => derTlv(t, c)),
  },
  { weight: 1, arbitrary: bytes(fc.integer({ min: 0, max: 255 }), 3).map((c) => derTlv(Tag.BIT_STRING, Uint8Array.of(0, ...c))) },
  { weight: 2, arbitrary: bmpValue.map((c) => derTlv(Tag.BMPString, c)) },
  { weight: 2, arbitrary: universalValue.map((c) => derTlv(Tag.UniversalString, c)) },
  { weight: 1, arbitrary: bytes(fc.integer({ min: 0, max: 255 }), 4).map((c) => derTlv(Tag.SEQUENCE, derTlv(Tag.OCTET_STRING, c))) },
  // invalid for OpenSSL: bad UTF-8, odd BMP length, an INTEGER value
  {
    weight: 1,
    arbitrary: fc.constantFrom(...REFUSED_VALUES),
  },
);

const atv = fc.tuple(fc.constantFrom(...ATTR_OIDS), value).map(([oid, v]) => derSequence(derOid(oid), v));
const rdn = fc.array(atv, { minLength: 1, maxLength: 3 }).map((as) => derTlv(Tag.SET, ...as));
const nameDer = fc.array(rdn, { minLength: 0, maxLength: 5 }).map((rs) => derSequence(...rs));

// Besides the random names, members that make both outcomes certain (a random sample may draw
// few of either): names of valid UTF8Strings only, which OpenSSL always prints, and for each
// refused type and value a name that ends with it, which OpenSSL always refuses.
const acceptedName = fc
  .array(fc.array(fc.tuple(fc.constantFrom(...ATTR_OIDS), utf8Value), { minLength: 1, maxLength: 3 }), { maxLength: 5 })
  .map((rs) => derSequence(...rs.map((r) => derTlv(Tag.SET, ...r.map(([oid, v]) => derSequence(derOid(oid), derTlv(Tag.UTF8String, v)))))));
const refusedValues: fc.Arbitrary<Uint8Array>[] = [
  ...REFUSED_TYPES.map((t) => bytes(anyByte).map((c) => derTlv(t, c))),
  ...REFUSED_VALUES.map((v) => fc.constant(v)),
];
const refusedNames = fc.tuple(
  ...refusedValues.map((v) =>
    fc
      .tuple(fc.array(rdn, { maxLength: 3 }), fc.constantFrom(...ATTR_OIDS), v)
      .map(([rs, oid, bad]) => derSequence(...rs, derTlv(Tag.SET, derSequence(derOid(oid), bad)))),
  ),
);

const N = 150;
const ACCEPTED = 20;
const tmp = tempDir('x509-names');
afterAll(() => tmp.cleanup());

/** what openssl x509 printed for one name: -nameopt RFC2253 -subject and hashes, and the oneline -subject */
interface Printed {
  lines: string[];
  oneline: string[];
}

/** every name spliced into the template, and openssl x509 on each, in one shell run */
function runOpenssl(names: Uint8Array[], prefix: string): Printed[] {
  const script: string[] = [];
  names.forEach((n, i) => {
    writeFileSync(join(tmp.dir, `${prefix}${i}.der`), withSubject(n));
    const f = `${prefix}${i}.der`;
    script.push(
      `echo "=====${i}"; openssl x509 -inform DER -in ${f} -noout -nameopt RFC2253 -subject -subject_hash -subject_hash_old 2>&1 || true; echo "=====${i}.oneline"; openssl x509 -inform DER -in ${f} -noout -subject 2>&1 || true`,
    );
  });
  const out = sections(bash(script.join('\n'), tmp.dir));
  return names.map((_n, i) => ({ lines: out.get(String(i))!, oneline: out.get(`${i}.oneline`)! }));
}

/** the sample the property draws: random names, names OpenSSL accepts, one refused name per refused type and value */
const sample = () => [...fc.sample(nameDer, N), ...fc.sample(acceptedName, ACCEPTED), ...fc.sample(refusedNames, 1)[0]];

function compare(names: Uint8Array[], printed: Printed[]): void {
  const bad: string[] = [];
  let compared = 0;
  let refused = 0;
  names.forEach((n, i) => {
    const { lines, oneline } = printed[i];
    const cert = parseCertificate(withSubject(n));
    const flagged = cert.problems.some((p) => p.opensslInvalid);
    const opensslFailed = kv(lines, 'subject') === undefined;
    const hex = Buffer.from(n).toString('hex');
    if (flagged !== opensslFailed) {
      bad.push(`${hex}: pgtls flagged=${flagged}, openssl failed=${opensslFailed}: ${lines.join(' | ')}`);
      return;
    }
    if (opensslFailed) {
      refused++;
      return;
    }
    compared++;
    const name = parseNameDer(n);
    const want = [kv(lines, 'subject'), kv(oneline, 'subject'), lines[1], lines[2]];
    const got = [formatNameRfc2253(name), formatNameOneline(name), nameHash(name), nameHashOld(name)];
    if (JSON.stringify(got) !== JSON.stringify(want)) bad.push(`${hex}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
  });
  expect(bad.slice(0, 10)).toEqual([]);
  expect(compared).toBeGreaterThanOrEqual(ACCEPTED);
  expect(refused).toBeGreaterThanOrEqual(refusedValues.length);
}

/** a recorded name's key: its DER in hex */
const NAME = 'name ';

describe('arbitrary names spliced into a certificate, against openssl x509', () => {
  // live-only: fast-check draws new names on every run, and a recording needs the same inputs
  // each time; the recorded set below is drawn from the same arbitraries
  it.skipIf(!goldens.live)(
    'OpenSSL refuses exactly the names pgtls flags; the others print and hash identically',
    () => {
      const names = sample();
      compare(names, runOpenssl(names, 'n'));
    },
    120_000,
  );

  it.skipIf(goldens.skip)(
    'the same on the recorded names (openssl live, or its recording)',
    () => {
      let keys = goldens.recorded(NAME);
      // a first recording draws the set once; after that it is the book's
      if (!keys.length && goldens.live && recordingForced())
        keys = [...new Set(sample().map((n) => `${NAME}${Buffer.from(n).toString('hex')}`))].sort();
      expect(keys.length, `no recorded names in the book: PGTLS_RECORD=1 draws ${N + ACCEPTED + refusedValues.length}`).toBeGreaterThan(0);
      const names = keys.map((k) => new Uint8Array(Buffer.from(k.slice(NAME.length), 'hex')));
      let live: Printed[] | undefined;
      const printed = keys.map((k, i) => goldens.call(k, () => (live ??= runOpenssl(names, 'r'))[i], placeholders([[tmp.dir, 'tmp']])));
      compare(names, printed);
    },
    120_000,
  );
});

describe('canonical comparison (X509_NAME_cmp)', () => {
  const name = (...rdns: [string, number, string][][]) =>
    parseNameDer(
      derSequence(
        ...rdns.map((r) =>
          derTlv(
            Tag.SET,
            ...r.map(([oid, tag, v]) =>
              derSequence(derOid(oid), derTlv(tag, tag === Tag.BMPString ? bmp(v) : new TextEncoder().encode(v))),
            ),
          ),
        ),
      ),
    );
  const bmp = (s: string) => Uint8Array.from([...s].flatMap((c) => [c.charCodeAt(0) >> 8, c.charCodeAt(0) & 0xff]));
  const CN = OID.commonName;
  const O = OID.organizationName;

  it('folds case, trims and collapses ASCII whitespace, and ignores the string type of canonicalised types', () => {
    const a = name([[CN, Tag.UTF8String, '  Foo \t\n Bar  ']], [[O, Tag.PrintableString, 'ACME']]);
    const b = name([[CN, Tag.BMPString, 'foo bar']], [[O, Tag.T61String, 'acme']]);
    expect(namesEqual(a, b)).toBe(true);
    expect(nameHash(a)).toBe(nameHash(b));
    expect(nameHashOld(a)).not.toBe(nameHashOld(b));
  });

  it('does not fold non-ASCII case, NumericString/GeneralString values or RDN structure', () => {
    expect(namesEqual(name([[CN, Tag.UTF8String, 'É']]), name([[CN, Tag.UTF8String, 'é']]))).toBe(false);
    expect(namesEqual(name([[CN, Tag.GeneralString, 'A']]), name([[CN, Tag.GeneralString, 'a']]))).toBe(false);
    expect(
      namesEqual(
        name([[CN, Tag.UTF8String, 'a']], [[O, Tag.UTF8String, 'b']]),
        name([
          [CN, Tag.UTF8String, 'a'],
          [O, Tag.UTF8String, 'b'],
        ]),
      ),
    ).toBe(false);
    expect(
      namesEqual(
        name([[CN, Tag.UTF8String, 'a']], [[O, Tag.UTF8String, 'b']]),
        name([[O, Tag.UTF8String, 'b']], [[CN, Tag.UTF8String, 'a']]),
      ),
    ).toBe(false);
  });

  it('sorts the members of a multi-valued RDN (DER SET OF) in the canonical form', () => {
    const a = name([
      [O, Tag.UTF8String, 'b'],
      [CN, Tag.UTF8String, 'a'],
    ]);
    const b = name([
      [CN, Tag.PrintableString, 'A'],
      [O, Tag.UTF8String, 'B'],
    ]);
    expect(namesEqual(a, b)).toBe(true);
    expect(canonicalName(a)).toEqual(canonicalName(b));
  });

  it('an empty name has an empty canonical encoding', () => {
    const e = parseNameDer(Uint8Array.of(0x30, 0x00));
    expect(canonicalName(e).length).toBe(0);
    expect(nameHash(e)).toBe('eea339da'); // SHA-1("") = da39a3ee..., first 4 bytes little-endian
  });

  it('commonNames lists every CN in order; PostgreSQL uses the first, as raw octets', () => {
    const n = name([[CN, Tag.UTF8String, 'first']], [[O, Tag.UTF8String, 'x']], [[CN, Tag.UTF8String, 'second']]);
    expect(commonNames(n)).toEqual(['first', 'second']);
    expect(postgresPeerCommonName(n)?.value).toBe('first');
    const nul = parseNameDer(derSequence(derTlv(Tag.SET, derSequence(derOid(CN), derTlv(Tag.BMPString, bmp('ab'))))));
    expect(postgresPeerCommonName(nul)).toMatchObject({ value: 'ab', embeddedNul: true });
    expect(der.string(parseDer(derTlv(Tag.UTF8String, Uint8Array.of(0x41)))).value).toBe('A');
  });
});
