#!/usr/bin/env node
// Entry point of the `pgtls` binary: dispatches to the command table in registry.ts and
// turns input errors into exit code 2 with a one-line message (never a stack trace).

import { COMMANDS } from './registry.js';
import { isInputError } from '../der/index.js';
import { useAccelerator } from '../crypto/accelerator.js';
import { nodeAccelerator } from '../crypto/accelerator-node.js';
import { VERSION } from '../version.js';

// The RSA private operation and X25519 run natively (same answers, see
// src/crypto/accelerator.ts) unless PGTLS_CRYPTO=pure asks for the BigInt code alone.
if (process.env.PGTLS_CRYPTO !== 'pure') useAccelerator(nodeAccelerator());

function usage(): string {
  const names = Object.keys(COMMANDS).sort();
  const width = Math.max(8, ...names.map((n) => n.length));
  return [
    `pgtls ${VERSION}: predict, explain and test PostgreSQL TLS setups`,
    '',
    'Usage: pgtls <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n].summary}`),
    '',
    "Run 'pgtls <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(usage());
    return 0;
  }
  if (cmd === '--version' || cmd === '-V') {
    console.log(VERSION);
    return 0;
  }
  const entry = COMMANDS[cmd];
  if (!entry) {
    console.error(`pgtls: unknown command '${cmd}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await entry.load()).run(rest);
  } catch (e) {
    if (isInputError(e) || (e instanceof Error && e.name === 'UsageError')) {
      console.error(`pgtls ${cmd}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`pgtls: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 70;
  },
);
