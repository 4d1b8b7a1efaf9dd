// The table of `pgtls` commands: name, one-line summary, and a loader. Commands are loaded
// on demand so `pgtls <cmd>` only pays for the modules that command uses.

export interface CliCommand {
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

export interface CommandEntry {
  summary: string;
  load: () => Promise<CliCommand>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  // one line per command; keep alphabetical
  asn1: { summary: 'Dump the ASN.1 structure of PEM or DER files with offsets and OID names', load: () => import('./asn1.js') },
};
