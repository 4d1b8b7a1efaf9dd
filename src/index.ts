// pgtls public API. Each layer is exported as a namespace, lowest first, because layers use
// the same plain names for their own things (a `verify` in crypto is not path's); each
// layer is also importable on its own as `pgtls/<layer>`. Everything here is browser-safe:
// the node adapters (file system, sockets, CLI) are not exported from this entry point.

export { VERSION } from './version.js';
export * as der from './der/index.js';
export * as x509 from './x509/index.js';
export * as crypto from './crypto/index.js';
export * as factory from './factory/index.js';
export * as path from './path/index.js';
export * as tls13 from './tls13/index.js';
export * as pg from './pg/index.js';
