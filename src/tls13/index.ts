// Layer `tls13`: a sans-I/O TLS 1.3 engine (RFC 8446) for simulating and explaining
// PostgreSQL TLS handshakes. Owns the wire codec (records, handshake messages, extensions,
// alerts with OpenSSL's texts), the key schedule, the record layer, the client and server
// state machines (a data table of states and transitions), handshake traces, and the
// node:stream adapter (socket-node.ts, not exported here: the core imports no node:
// module). Certificate chain checking is not ours: it plugs in through
// `verifyPeerChain`. TLS 1.2 is not implemented: a connection that negotiates it reports
// { negotiated: 'TLSv1.2' } and stops.

export * from './alerts.js';
export * from './errors.js';
export * from './codec/index.js';
export * from './key-schedule.js';
export * from './record.js';
export * from './suites.js';
export * from './trace.js';
export * from './machine/index.js';
export { parsePrivateKey, parseCertificateInfo, rsaPssRecoverSalt, type CertificateInfo } from './crypto-x509.js';
export { certificateVerifyContent } from './machine/signing.js';
