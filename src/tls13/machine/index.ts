// The connection state machines: the table (table.ts), what each state holds (states.ts,
// internal), the shared connection, client, server, and the in-memory pump. Of the table,
// the description and the diagram are public; the dispatch helpers stay inside.

export * from './config.js';
export {
  describeMachine,
  machineToMermaid,
  type ClientStateName,
  type MachineDescription,
  type ServerStateName,
  type StateInfo,
  type Transition,
} from './table.js';
export * from './connection.js';
export * from './client.js';
export * from './server.js';
export * from './pump.js';
