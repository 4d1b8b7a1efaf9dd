// Decryption of passphrase-protected private keys: PKCS#8 EncryptedPrivateKeyInfo with PBES2
// (PBKDF2 with HMAC-SHA1/SHA-2, AES-CBC or DES-EDE3-CBC; what `openssl pkcs8 -topk8 -v2`,
// `openssl genpkey -aes256` and `openssl req` write), and legacy OpenSSL PEM encryption
// (`Proc-Type: 4,ENCRYPTED` + `DEK-Info`, key = EVP_BytesToKey(MD5, 1 iteration)), which
// `openssl rsa -aes256` / `-des3` and old PostgreSQL test keys use.

import { cbc } from '@noble/ciphers/aes.js';
import { md5 } from '@noble/hashes/legacy.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { DerError, OID, PemError, Tag, der, fromHex, parseDer } from '../der/index.js';
import { parseAlgorithmIdentifier } from './algorithms.js';
import { desCbcDecrypt } from './des.js';
import { BadPassphraseError, PassphraseRequiredError } from './errors.js';

// Plain local copies: imported namespaces cost a getter call per access under the TS
// loaders (tsx, vitest), and these are used on the certificate-parsing hot path.
const D = { ...der };
const T = { ...Tag };
/** A hostile iteration count must not hang the process; real files use 2048 to a few 100 000. */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;

const PRF = {
  [OID.hmacWithSHA1]: sha1,
  [OID.hmacWithSHA224]: sha224,
  [OID.hmacWithSHA256]: sha256,
  [OID.hmacWithSHA384]: sha384,
  [OID.hmacWithSHA512]: sha512,
} as const;

interface CipherSpec {
  name: string;
  keyLen: number;
  ivLen: number;
  decrypt: (key: Uint8Array, iv: Uint8Array, ct: Uint8Array) => Uint8Array | undefined;
}

function aesCbc(key: Uint8Array, iv: Uint8Array, ct: Uint8Array): Uint8Array | undefined {
  if (ct.length === 0 || ct.length % 16 !== 0) return undefined;
  try {
    return cbc(key, iv).decrypt(ct);
  } catch {
    return undefined; // bad padding
  }
}

const AES = (bits: number): CipherSpec => ({ name: `AES-${bits}-CBC`, keyLen: bits / 8, ivLen: 16, decrypt: aesCbc });
const DES3: CipherSpec = { name: 'DES-EDE3-CBC', keyLen: 24, ivLen: 8, decrypt: desCbcDecrypt };
const DES: CipherSpec = { name: 'DES-CBC', keyLen: 8, ivLen: 8, decrypt: desCbcDecrypt };

const CIPHER_BY_OID: Record<string, CipherSpec> = {
  [OID.aes128_cbc]: AES(128),
  [OID.aes192_cbc]: AES(192),
  [OID.aes256_cbc]: AES(256),
  [OID.des_ede3_cbc]: DES3,
  '1.3.14.3.2.7': DES, // desCBC
};

const CIPHER_BY_DEK_NAME: Record<string, CipherSpec> = {
  'AES-128-CBC': AES(128),
  'AES-192-CBC': AES(192),
  'AES-256-CBC': AES(256),
  'DES-EDE3-CBC': DES3,
  'DES-CBC': DES,
};

/**
 * Decrypt an EncryptedPrivateKeyInfo to the DER of the PrivateKeyInfo inside. Structure
 * errors are DerErrors; unsupported schemes are DerError UNSUPPORTED.
 */
export function decryptPkcs8(bytes: Uint8Array, pass: Uint8Array | undefined): Uint8Array {
  const t = parseDer(bytes, 'EncryptedPrivateKeyInfo').expect(T.SEQUENCE, 'EncryptedPrivateKeyInfo');
  const r = t.reader();
  const algT = r.expect(T.SEQUENCE, 'encryptionAlgorithm');
  const ct = D.octetString(r.expect(T.OCTET_STRING, 'encryptedData'));
  r.end();
  const alg = parseAlgorithmIdentifier(algT);
  if (alg.oid !== OID.pbes2) throw algT.error('UNSUPPORTED', `unsupported key encryption scheme ${alg.oid} (only PBES2 is supported)`);
  if (!alg.parameters) throw algT.error('MISSING_ELEMENT', 'PBES2 without parameters');
  const pt = parseDer(alg.parameters, `${algT.path}.parameters`).expect(T.SEQUENCE, 'PBES2-params');
  const pr = pt.reader();
  const kdfT = pr.expect(T.SEQUENCE, 'keyDerivationFunc');
  const encT = pr.expect(T.SEQUENCE, 'encryptionScheme');
  pr.end();

  const kdf = parseAlgorithmIdentifier(kdfT);
  if (kdf.oid !== OID.pbkdf2) throw kdfT.error('UNSUPPORTED', `unsupported key derivation function ${kdf.oid} (only PBKDF2 is supported)`);
  if (!kdf.parameters) throw kdfT.error('MISSING_ELEMENT', 'PBKDF2 without parameters');
  const kp = parseDer(kdf.parameters, `${kdfT.path}.parameters`).expect(T.SEQUENCE, 'PBKDF2-params');
  const kr = kp.reader();
  const salt = D.octetString(kr.expect(T.OCTET_STRING, 'salt'));
  const itT = kr.expect(T.INTEGER, 'iterationCount');
  const iterations = D.smallInteger(itT);
  if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS)
    throw itT.error('UNSUPPORTED', `PBKDF2 iteration count ${iterations} out of range`);
  const klT = kr.optional(T.INTEGER, 'keyLength');
  const prfT = kr.optional(T.SEQUENCE, 'prf');
  kr.end();
  const prfOid = prfT ? parseAlgorithmIdentifier(prfT).oid : OID.hmacWithSHA1;
  const prf = PRF[prfOid as keyof typeof PRF];
  if (!prf) throw (prfT ?? kp).error('UNSUPPORTED', `unsupported PBKDF2 PRF ${prfOid}`);

  const enc = parseAlgorithmIdentifier(encT);
  const cipher = CIPHER_BY_OID[enc.oid];
  if (!cipher) throw encT.error('UNSUPPORTED', `unsupported key encryption cipher ${enc.oid}`);
  if (!enc.parameters) throw encT.error('MISSING_ELEMENT', 'cipher without IV');
  const ivT = parseDer(enc.parameters, `${encT.path}.parameters`);
  const iv = D.octetString(ivT);
  if (iv.length !== cipher.ivLen) throw ivT.error('BAD_VALUE', `${cipher.name} IV must be ${cipher.ivLen} bytes, is ${iv.length}`);
  const keyLen = klT ? D.smallInteger(klT) : cipher.keyLen;
  if (keyLen !== cipher.keyLen) throw (klT ?? kp).error('BAD_VALUE', `key length ${keyLen} does not fit ${cipher.name}`);

  const scheme = `PBES2/PBKDF2/${cipher.name}`;
  if (!pass) throw new PassphraseRequiredError(scheme);
  const key = pbkdf2(prf, pass, salt, { c: iterations, dkLen: keyLen });
  const plain = cipher.decrypt(key, iv, ct);
  if (!plain) throw new BadPassphraseError(scheme);
  return checkDecrypted(plain, scheme);
}

/** Decrypted bytes must be one DER SEQUENCE, else the passphrase was wrong. */
function checkDecrypted(plain: Uint8Array, scheme: string): Uint8Array {
  try {
    parseDer(plain).expect(T.SEQUENCE, 'decrypted key');
  } catch (e) {
    if (e instanceof DerError) throw new BadPassphraseError(scheme);
    throw e;
  }
  return plain;
}

/** EVP_BytesToKey(cipher, MD5, salt, pass, count = 1): the key derivation of legacy PEM encryption. */
export function evpBytesToKey(pass: Uint8Array, salt: Uint8Array, keyLen: number): Uint8Array {
  const out = new Uint8Array(keyLen);
  let filled = 0;
  let prev = new Uint8Array(0);
  while (filled < keyLen) {
    const input = new Uint8Array(prev.length + pass.length + salt.length);
    input.set(prev, 0);
    input.set(pass, prev.length);
    input.set(salt, prev.length + pass.length);
    prev = md5(input);
    const n = Math.min(prev.length, keyLen - filled);
    out.set(prev.subarray(0, n), filled);
    filled += n;
  }
  return out;
}

/** Decrypt the body of a legacy encrypted PEM block from its RFC 1421 headers. */
export function decryptLegacyPem(headers: Record<string, string>, body: Uint8Array, pass: Uint8Array | undefined, line = 1): Uint8Array {
  const proc = headers['Proc-Type'];
  const dek = headers['DEK-Info'];
  const bad = (why: string) => new PemError('BAD_HEADER', why, line);
  if (proc.replace(/\s+/g, '') !== '4,ENCRYPTED') throw bad(`unsupported Proc-Type "${proc}"`);
  if (!dek) throw bad('Proc-Type: 4,ENCRYPTED without DEK-Info');
  const comma = dek.indexOf(',');
  const name = (comma < 0 ? dek : dek.slice(0, comma)).trim().toUpperCase();
  const cipher = CIPHER_BY_DEK_NAME[name];
  if (!cipher) throw bad(`unsupported PEM encryption "${name}"`);
  let iv: Uint8Array;
  try {
    iv = fromHex(comma < 0 ? '' : dek.slice(comma + 1).trim());
  } catch {
    throw bad('DEK-Info IV is not hex');
  }
  if (iv.length !== cipher.ivLen) throw bad(`DEK-Info IV must be ${cipher.ivLen} bytes for ${cipher.name}`);
  const scheme = `legacy PEM ${cipher.name}`;
  if (!pass) throw new PassphraseRequiredError(scheme);
  const key = evpBytesToKey(pass, iv.subarray(0, 8), cipher.keyLen);
  const plain = cipher.decrypt(key, iv, body);
  if (!plain) throw new BadPassphraseError(scheme);
  return checkDecrypted(plain, scheme);
}
