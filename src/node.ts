// pgtls's Node.js entry (`pgtls/node`): the adapters a library user in Node wants beside
// the browser-safe layers: the real file system for simulate()/check(), and the
// node:crypto accelerator the CLI installs (same bytes, faster; src/crypto/accelerator.ts).

export { nodeAccelerator } from './crypto/accelerator-node.js';
export { nodeFs } from './pg/fs-node.js';
