// The TLS 1.3 wire codec: byte reader/writer, registry tables, extensions and handshake
// messages. Pure functions over bytes; no state, no crypto.

export * from './bytes.js';
export * from './constants.js';
export * from './extensions.js';
export * from './messages.js';
