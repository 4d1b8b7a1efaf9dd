// pgtls public API. Each layer's index states what it owns; this re-exports them in
// dependency order: der -> x509 -> crypto -> path -> tls13 -> pg.

export const VERSION = '0.1.0';
export * from './der/index.js';
