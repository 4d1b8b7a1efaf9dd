// OpenSSL 3.0's certificate purposes (X509_check_purpose and the xstandard[] table of
// crypto/x509/v3_purp.c): which purposes exist, their names, and each purpose's check of a
// leaf or a CA over the facts cert-info.ts caches.

import { OID } from '../der/index.js';
import { type CertInfo, cacheOk, checkCa, KU, kuReject, XKU } from './cert-info.js';

const NS_SSL_CLIENT = 0x80;
const NS_SSL_SERVER = 0x40;
const NS_SSL_CA = 0x04;

const xkuReject = (i: CertInfo, usage: number): boolean => i.xkusage !== undefined && (i.xkusage & usage) === 0;
const nsReject = (i: CertInfo, usage: number): boolean => i.nscert !== undefined && (i.nscert & usage) === 0;

function checkSslCa(i: CertInfo): number {
  const r = checkCa(i);
  if (r === 0) return 0;
  // check_ssl_ca answers 0 or 1, not check_ca's level (which X509_STRICT would refuse)
  return r !== 5 || ((i.nscert ?? 0) & NS_SSL_CA) !== 0 ? 1 : 0;
}

/** OpenSSL 3.0's purposes (X509_PURPOSE short names, xstandard[] in v3_purp.c) */
export type Purpose =
  | 'sslclient'
  | 'sslserver'
  | 'nssslserver'
  | 'smimesign'
  | 'smimeencrypt'
  | 'crlsign'
  | 'any'
  | 'ocsphelper'
  | 'timestampsign';

/** X509_PURPOSE_get_by_sname's table, in OpenSSL's order, with each purpose's long name */
export const PURPOSE_NAMES: ReadonlyArray<readonly [Purpose, string]> = [
  ['sslclient', 'SSL client'],
  ['sslserver', 'SSL server'],
  ['nssslserver', 'Netscape SSL server'],
  ['smimesign', 'S/MIME signing'],
  ['smimeencrypt', 'S/MIME encryption'],
  ['crlsign', 'CRL signing'],
  ['any', 'Any Purpose'],
  ['ocsphelper', 'OCSP helper'],
  ['timestampsign', 'Time Stamp signing'],
];

const NS_SMIME = 0x20;
const NS_SMIME_CA = 0x02;
const KU_TLS = KU.DIGITAL_SIGNATURE | KU.KEY_ENCIPHERMENT | KU.KEY_AGREEMENT;

function sslServer(i: CertInfo, requireCa: boolean): number {
  if (xkuReject(i, XKU.SSL_SERVER | XKU.SGC)) return 0;
  if (requireCa) return checkSslCa(i);
  if (nsReject(i, NS_SSL_SERVER)) return 0;
  if (kuReject(i, KU_TLS)) return 0;
  return 1;
}

/** purpose_smime: the common S/MIME checks */
function smime(i: CertInfo, requireCa: boolean): number {
  if (xkuReject(i, XKU.SMIME)) return 0;
  if (requireCa) {
    const r = checkCa(i);
    if (r === 0) return 0;
    return r !== 5 || ((i.nscert ?? 0) & NS_SMIME_CA) !== 0 ? r : 0;
  }
  if (i.nscert !== undefined) {
    if (i.nscert & NS_SMIME) return 1;
    // OpenSSL's workaround for certificates that only say SSL client
    if (i.nscert & NS_SSL_CLIENT) return 2;
    return 0;
  }
  return 1;
}

/** X509_PURPOSE check functions of v3_purp.c: (info, requireCa) -> 1 ok (or a CA level), 0 rejected */
const PURPOSE_CHECKS: Record<Purpose, (i: CertInfo, requireCa: boolean) => number> = {
  any: () => 1,
  sslclient: (i, requireCa) => {
    if (xkuReject(i, XKU.SSL_CLIENT)) return 0;
    if (requireCa) return checkSslCa(i);
    if (kuReject(i, KU.DIGITAL_SIGNATURE | KU.KEY_AGREEMENT)) return 0;
    if (nsReject(i, NS_SSL_CLIENT)) return 0;
    return 1;
  },
  sslserver: sslServer,
  nssslserver: (i, requireCa) => {
    const r = sslServer(i, requireCa);
    if (!r || requireCa) return r;
    return kuReject(i, KU.KEY_ENCIPHERMENT) ? 0 : r;
  },
  smimesign: (i, requireCa) => {
    const r = smime(i, requireCa);
    if (!r || requireCa) return r;
    return kuReject(i, KU.DIGITAL_SIGNATURE | KU.NON_REPUDIATION) ? 0 : r;
  },
  smimeencrypt: (i, requireCa) => {
    const r = smime(i, requireCa);
    if (!r || requireCa) return r;
    return kuReject(i, KU.KEY_ENCIPHERMENT) ? 0 : r;
  },
  crlsign: (i, requireCa) => {
    if (requireCa) {
      const r = checkCa(i);
      return r !== 2 ? r : 0;
    }
    return kuReject(i, KU.CRL_SIGN) ? 0 : 1;
  },
  // the leaf is OCSP_verify's business
  ocsphelper: (i, requireCa) => (requireCa ? checkCa(i) : 1),
  timestampsign: (i, requireCa) => {
    if (requireCa) return checkCa(i);
    const tsKu = KU.NON_REPUDIATION | KU.DIGITAL_SIGNATURE;
    if (i.kusage !== undefined && ((i.kusage & ~tsKu) !== 0 || (i.kusage & tsKu) === 0)) return 0;
    // timeStamping alone, in a critical extKeyUsage
    if (i.xkusage !== XKU.TIMESTAMP) return 0;
    const eku = i.cert.extensions.find((e) => e.oid === OID.extKeyUsage);
    if (eku && !eku.critical) return 0;
    return 1;
  },
};

/** X509_check_purpose(x, purpose, requireCa): 1 ok (or CA level), 0 rejected, -1 invalid cert */
export function checkPurpose(i: CertInfo, purpose: Purpose, requireCa: boolean): number {
  if (!cacheOk(i)) return -1;
  return PURPOSE_CHECKS[purpose](i, requireCa);
}
