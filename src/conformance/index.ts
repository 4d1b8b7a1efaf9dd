// Layer `conformance`: `pgtls test`'s core. Owns expectations files and inventories (YAML
// with a JSON Schema, checked with line and column), their expansion into cases (connections,
// matrices, properties), running them offline through simulate() or through a live
// connector the CLI provides, judging each against its expectation, and the reports (text,
// JSON, JUnit, TAP, SARIF, HTML) and their merge across shards. No file or socket access:
// the CLI (src/cli/test.ts) and live-node.ts bring those.

export * from './schema.js';
export * from './validate.js';
export * from './spec.js';
export * from './facts.js';
export * from './properties.js';
export * from './connect.js';
export * from './run.js';
export * from './report.js';
