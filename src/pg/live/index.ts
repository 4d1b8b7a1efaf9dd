// pg/live: PostgreSQL over real sockets. The sans-I/O parts are here — the protocol
// conversation after the transport is settled from both ends (session.ts), libpq's TLS
// side for a live connection and the server's mirror check (client-tls.ts), and the
// reasoning behind `pgtls probe`'s sslmode verdicts (probe.ts). The node:net adapters sit
// beside them and are not exported here (the core imports no node: module):
// connect-node.ts (one libpq-like attempt), libpq-node.ts (conninfo + the sslmode ladder),
// probe-node.ts (`pgtls probe`) and server-node.ts (`pgtls serve`).

export * from './session.js';
export * from './client-tls.js';
export * from './probe.js';
