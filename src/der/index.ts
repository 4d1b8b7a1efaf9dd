// Layer `der`: bytes in, elements out. Owns the strict DER reader (offsets and paths kept
// for every element) and its BER-tolerant mode (what OpenSSL's d2i accepts, each deviation
// recorded in a BerLog), primitive value decoders, PEM/DER file decoding, the OID name table,
// byte helpers and the typed input errors every higher layer reuses. Imports nothing.

export * from './errors.js';
export * from './reader.js';
export * as der from './values.js';
export type { BitString, DecodedString, DecodedTime, StringType } from './values.js';
export * from './pem.js';
export * from './oids.js';
export * from './bytes.js';
export * from './dump.js';
