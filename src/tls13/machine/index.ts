// The connection state machines: table, client, server, the in-memory pump.

export * from './config.js';
export * from './table.js';
export * from './connection.js';
export * from './client.js';
export * from './server.js';
export * from './pump.js';
