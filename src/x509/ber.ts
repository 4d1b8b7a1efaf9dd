// What OpenSSL 3.0 makes of a certificate or CRL it loads although it is not DER (the
// BER-tolerant reading mode of der/reader.ts, used by the loaders): every deviation becomes a
// StructureProblem that OpenSSL does not object to, and the encoding OpenSSL re-emits
// (i2d_X509 / i2d_X509_CRL: what `openssl x509 -outform DER` writes, what a TLS peer sends,
// what a fingerprint hashes) is rebuilt. Observed with the openssl 3.0 CLI
// (test/x509/ber-openssl.test.ts): the outer SEQUENCE, the outer AlgorithmIdentifier and the
// signature BIT STRING are re-encoded as DER; tbsCertificate / tbsCertList keep the bytes as
// received (X509_CINF and X509_CRL_INFO cache their encoding), so the signature is checked
// over those; names keep theirs too (X509_NAME caches them).

import { BER_DEVIATION_TEXT, Tag, type BerLog, type BitString, type Tlv } from '../der/index.js';
import { derTlv } from '../der/writer.js';
import type { AlgorithmIdentifier } from './types.js';
import type { Problems } from './problems.js';

/** One problem per deviation from DER, none of them fatal for OpenSSL. */
export function berProblems(log: BerLog, what: string, problems: Problems): void {
  for (const d of log.deviations) {
    problems.add(
      'BER_ENCODING',
      `${what} is not DER: ${BER_DEVIATION_TEXT[d.kind]} at byte ${d.offset}${d.path ? ` (${d.path})` : ''}; OpenSSL reads it`,
      { deviation: d },
    );
  }
}

/**
 * An element as OpenSSL's ASN1_TYPE re-encodes it (AlgorithmIdentifier parameters): a
 * SEQUENCE or SET is kept as received, anything else gets a DER header around its contents
 * (a segmented string is joined).
 */
function anyReencoded(t: Tlv): Uint8Array {
  if (t.tag === Tag.SEQUENCE || t.tag === Tag.SET) return t.bytes();
  if (t.constructed && t.cls === 0) return derTlv(t.tag & ~0x20, t.stringContent('value'));
  if (t.tagNumber >= 31) return t.bytes();
  return derTlv(t.tag, t.content());
}

/** AlgorithmIdentifier ::= SEQUENCE { OID, ANY } as X509_ALGOR re-encodes it. */
export function algorithmReencoded(oidT: Tlv, params: Tlv | undefined): { bytes: Uint8Array; parameters?: Uint8Array } {
  const oid = derTlv(Tag.OID, oidT.content());
  if (!params) return { bytes: derTlv(Tag.SEQUENCE, oid) };
  const p = anyReencoded(params);
  return { bytes: derTlv(Tag.SEQUENCE, oid, p), parameters: p };
}

/** i2d of a BIT STRING read by c2i_ASN1_BIT_STRING: the declared unused bits kept, and cleared. */
function bitStringReencoded(bs: BitString): Uint8Array {
  const body = new Uint8Array(bs.bytes.length + 1);
  body[0] = bs.unusedBits;
  body.set(bs.bytes, 1);
  if (bs.bytes.length) body[body.length - 1] &= (0xff << bs.unusedBits) & 0xff;
  return derTlv(Tag.BIT_STRING, body);
}

/** i2d_X509 / i2d_X509_CRL of a structure read from BER: SEQUENCE { tbs as received, algorithm, signature }. */
export function opensslReencoded(tbs: Tlv, alg: AlgorithmIdentifier, signature: BitString): Uint8Array {
  return derTlv(Tag.SEQUENCE, tbs.bytes(), alg.bytes, bitStringReencoded(signature));
}
