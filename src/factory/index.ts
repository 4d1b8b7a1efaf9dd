// Layer `factory`: builds certificates, CRLs and key files. Owns the DER encoders for
// names, times, algorithm identifiers, extensions and private keys (PKCS#8, PKCS#1, SEC1),
// makeCertificate/makeCrl (every field settable, wrong values included, for tests and the
// fuzzer), and the PostgreSQL docs' hierarchies with the usual mistakes (presets). It signs
// through the crypto layer and writes no files: `pgtls gen` (src/cli/gen.ts) does that.

export * from './errors.js';
export * from './algorithms.js';
export * from './names.js';
export * from './times.js';
export * from './general-names.js';
export * from './extensions.js';
export * from './private-keys.js';
export { encodeSpki } from '../x509/keys.js';
export * from './certificate.js';
export * from './presets.js';
export { defaultGenerateKey, defaultSigner } from './signer.js';
export { RawNode } from './asn1.js';
