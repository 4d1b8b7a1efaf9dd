// The table of `pgtls` commands: name, one-line summary, and a loader. Commands are loaded
// on demand so `pgtls <cmd>` only pays for the modules that command uses.

interface CliCommand {
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

interface CommandEntry {
  summary: string;
  load: () => Promise<CliCommand>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  // one line per command; keep alphabetical
  asn1: { summary: 'Dump the ASN.1 structure of PEM or DER files with offsets and OID names', load: () => import('./asn1.js') },
  check: {
    summary: 'Check a server setup: will it start, who can connect, and what a careful DBA should know',
    load: () => import('./check.js'),
  },
  demo: {
    summary: "The docs' certificate recipes and common mistakes x sslmode: who connects, and what psql says",
    load: () => import('./demo.js'),
  },
  fuzz: {
    summary: 'Differential fuzzing of certificate chains against OpenSSL (Frankencert/mucert style)',
    load: () => import('./fuzz.js'),
  },
  gen: {
    summary: "Generate the PostgreSQL docs' certificate hierarchies (self-signed, root-server, chain)",
    load: () => import('./gen.js'),
  },
  probe: {
    summary: 'Connect to a live server like libpq: TLS parameters, its chain, and the verdict of every sslmode',
    load: () => import('./probe.js'),
  },
  serve: { summary: 'A TLS-speaking stand-in for a PostgreSQL server, configured from a data directory', load: () => import('./serve.js') },
  show: { summary: 'Summarise certificates, CRLs and keys (PEM or DER)', load: () => import('./show.js') },
  simulate: {
    summary: 'Predict whether psql connects to a server setup, what psql and the server say, and the fix',
    load: () => import('./simulate.js'),
  },
  test: {
    summary: 'Conformance testing in CI: check a setup against an expectations file, offline or live, across a fleet',
    load: () => import('./test.js'),
  },
  verify: { summary: 'Verify a certificate chain like openssl verify (with --explain for every step)', load: () => import('./verify.js') },
};
