// Certificate revocation lists (RFC 5280 §5): v1/v2, revoked entries with their entry
// extensions (reason, invalidity date, certificate issuer), CRL extensions (number, delta
// indicator, AKI, issuing distribution point). Strict DER for parseCrl, BER as OpenSSL's
// d2i_X509_CRL reads it for the loaders, problems inside, as for certificates.

import { BerLog, OID, Tag, bytesEqual, decodePemOrDer, der, parseDer, parseDerAt, type PemBlock, type Tlv } from '../der/index.js';
import { parseAlgorithmIdentifier } from './algorithms.js';
import { berProblems, opensslReencoded } from './ber.js';
import { extensionContent, firstElement, nameProblems, readExtensions, refuseUnloadable } from './certificate.js';
import { WrongPemLabelError } from './errors.js';
import { CRL_EXTENSION_DECODERS, parseGeneralNames } from './extensions.js';
import { parseName } from './name.js';
import type { Crl, Extension, RevokedEntry } from './types.js';
import { Problems } from './problems.js';

const D = { ...der };
const T = { ...Tag };

export const CRL_LABELS = ['X509 CRL'] as const;

/** Parse one DER CRL. */
export function parseCrl(bytes: Uint8Array): Crl {
  return crlFrom(parseDer(bytes, ''));
}

/** A CRL as OpenSSL loads it from a file (d2i_X509_CRL on the decoded block): see loadCertificate. */
export function loadCrl(bytes: Uint8Array): Crl {
  return refuseUnloadable(crlFrom(firstElement(bytes, new BerLog())), 'CRL');
}

/** Every CRL in a PEM or DER file, loaded as OpenSSL loads them (see parseCertificates); a block of another kind is a WrongPemLabelError unless `ignoreOtherBlocks`. */
export function parseCrls(bytes: Uint8Array, opts: { ignoreOtherBlocks?: boolean } = {}): Crl[] {
  const blocks = decodePemOrDer(bytes);
  const out: Crl[] = [];
  for (const b of blocks) {
    if (b.label !== '' && b.label !== 'X509 CRL') {
      if (opts.ignoreOtherBlocks) continue;
      throw new WrongPemLabelError(b.label, CRL_LABELS, b.line);
    }
    out.push(refuseUnloadable(parseCrlBlock(b), 'CRL'));
  }
  if (out.length === 0) throw new WrongPemLabelError(blocks[0].label, CRL_LABELS, blocks[0].line);
  return out;
}

/** One PEM block (or DER) holding a CRL, read as d2i_X509_CRL reads it; CRLs OpenSSL would refuse keep their problems. */
export function parseCrlBlock(block: PemBlock): Crl {
  return crlFrom(firstElement(block.der, new BerLog()));
}

/** CRL entry extensions pgtls decodes. */
const ENTRY_DECODERS: Record<string, (t: Tlv, e: RevokedEntry) => void> = {
  [OID.cRLReason]: (t, e) => {
    e.reason = D.enumerated(t);
  },
  [OID.invalidityDate]: (t, e) => {
    t.expect(T.GeneralizedTime, 'InvalidityDate');
    e.invalidityDate = D.time(t);
  },
  [OID.certificateIssuer]: (t, e) => {
    e.certificateIssuer = parseGeneralNames(t);
  },
};

function crlFrom(root: Tlv): Crl {
  root.expect(T.SEQUENCE, 'CertificateList');
  const buf = root.buf;
  const problems = new Problems();
  const r = root.reader();
  const tbsT = r.expect(T.SEQUENCE, 'tbsCertList');
  const sigAlgT = r.expect(T.SEQUENCE, 'signatureAlgorithm');
  const sigT = r.expect(T.BIT_STRING, 'signatureValue');
  r.end();

  const tr = tbsT.reader();
  const verT = tr.optional(T.INTEGER, 'version');
  let version = 1;
  if (verT) {
    const v = D.integer(verT);
    if (v !== 1n) problems.add('BAD_VERSION', `CRL version field ${v} (only 1, meaning v2, may be encoded)`);
    version = v === 1n ? 2 : Number(v > 100n || v < -100n ? -1n : v) + 1;
  }
  const tbsSignatureAlgorithm = parseAlgorithmIdentifier(tr.expect(T.SEQUENCE, 'signature'));
  const issuerT = tr.expectOf(T.SEQUENCE, 'issuer');
  const issuer = parseName(issuerT);
  const thisUpdate = D.time(tr.next('thisUpdate'));
  const nextTag = root.ber ? (tr.peekTag() ?? 0) & ~0x20 : tr.peekTag(); // a segmented time is BER
  const nextUpdate = nextTag === T.UTCTime || nextTag === T.GeneralizedTime ? D.time(tr.next('nextUpdate')) : undefined;
  const revokedT = tr.optionalOf(T.SEQUENCE, 'revokedCertificates');
  const extT = tr.optional(0xa0, 'crlExtensions');
  tr.end();

  const signatureAlgorithm = parseAlgorithmIdentifier(sigAlgT);
  const signature = D.bitString(sigT);
  if (!bytesEqual(tbsSignatureAlgorithm.bytes, signatureAlgorithm.bytes)) {
    problems.add(
      'SIGNATURE_ALGORITHM_MISMATCH',
      `tbsCertList.signature (${tbsSignatureAlgorithm.oid}) differs from signatureAlgorithm (${signatureAlgorithm.oid})`,
    );
  }
  for (const [t, what] of [
    [thisUpdate, 'thisUpdate'],
    [nextUpdate, 'nextUpdate'],
  ] as const) {
    if (t && !t.strict) problems.add('BAD_TIME', `${what} "${t.text}" is not in RFC 5280 form`);
  }
  nameProblems(issuerT, issuer, 'issuer', problems);

  const revoked: RevokedEntry[] = [];
  if (revokedT) {
    const rr = revokedT.reader();
    if (rr.done()) problems.add('OTHER', 'empty revokedCertificates (RFC 5280: omit it when no certificate is revoked)');
    while (!rr.done()) revoked.push(revokedEntry(rr.expect(T.SEQUENCE, `[${revoked.length}]`), problems, version));
  }

  const crl: Crl = {
    der: root.bytes(),
    tbs: tbsT.bytes(),
    version,
    tbsSignatureAlgorithm,
    signatureAlgorithm,
    signature,
    issuer,
    thisUpdate,
    revoked,
    extensions: [],
    ext: {},
    problems: problems.list,
  };
  if (nextUpdate) crl.nextUpdate = nextUpdate;
  if (extT) {
    if (version < 2) problems.add('EXTENSIONS_IN_V1', 'CRL extensions need version 2');
    const seq = parseDerAt(buf, extT.contentStart, extT.end, extT.path, extT.ber).expectOf(T.SEQUENCE, 'Extensions');
    crl.extensions = readExtensions(seq, problems);
    decodeExtensions(buf, crl.extensions, 'tbsCertList.crlExtensions', problems, root.ber, (oid, t) => {
      const dec = CRL_EXTENSION_DECODERS[oid];
      if (dec) dec(t, crl.ext);
      return !!dec;
    });
  }
  if (root.ber && root.ber.deviations.length > 0) {
    berProblems(root.ber, 'CRL', problems);
    crl.der = opensslReencoded(tbsT, signatureAlgorithm, signature);
  }
  return crl;
}

function revokedEntry(t: Tlv, problems: Problems, version: number): RevokedEntry {
  const r = t.reader();
  const serialBytes = D.integerBytes(r.expect(T.INTEGER, 'userCertificate'));
  const revocationDate = D.time(r.next('revocationDate'));
  const extT = r.optionalOf(T.SEQUENCE, 'crlEntryExtensions');
  r.end();
  const entry: RevokedEntry = { serial: { bytes: serialBytes, value: der.bytesToBigInt(serialBytes) }, revocationDate, extensions: [] };
  if (!revocationDate.strict) problems.add('BAD_TIME', `${t.path}.revocationDate "${revocationDate.text}" is not in RFC 5280 form`);
  if (extT) {
    if (version < 2) problems.add('EXTENSIONS_IN_V1', 'CRL entry extensions need version 2');
    entry.extensions = readExtensions(extT, problems);
    decodeExtensions(t.buf, entry.extensions, `${extT.path}`, problems, t.ber, (oid, x) => {
      const dec = ENTRY_DECODERS[oid];
      if (dec) dec(x, entry);
      return !!dec;
    });
  }
  return entry;
}

function decodeExtensions(
  buf: Uint8Array,
  exts: Extension[],
  base: string,
  problems: Problems,
  ber: BerLog | undefined,
  decode: (oid: string, t: Tlv) => boolean,
): void {
  const seen = new Set<string>();
  exts.forEach((e, i) => {
    if (seen.has(e.oid)) {
      problems.add('DUPLICATE_EXTENSION', `${base}: extension ${e.oid} appears more than once`, { oid: e.oid });
      return;
    }
    seen.add(e.oid);
    problems.attempt(
      'BAD_EXTENSION',
      `${base}: extension ${e.oid}`,
      () => decode(e.oid, extensionContent(buf, e, `${base}[${i}].extnValue`, problems, ber)),
      { oid: e.oid },
    );
  });
}
