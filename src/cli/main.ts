#!/usr/bin/env node
// Entry point of the `pgtls` binary: dispatches to the command table in registry.ts and
// turns input errors into exit code 2 with a one-line message (never a stack trace). Bad
// input is recognised by type only: the der layer's DerError/PemError (isInputError) and the
// CLI's UsageError, which includes FileError (fs-errors.ts: files, directories, sockets).
// Anything else is a bug in pgtls and is reported as one, with its stack, exit 70.

import { COMMANDS } from './registry.js';
import { UsageError } from './args.js';
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
    if (isInputError(e) || e instanceof UsageError) {
      console.error(`pgtls ${cmd}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

function internalError(e: unknown): void {
  console.error(`pgtls: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 70;
}

// A reader that went away (`pgtls asn1 big.der | head`) ends the output, not the program with a trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') return internalError(e);
    process.exit(process.exitCode ?? 0);
  });
}
// A throw from a socket or timer callback escapes the promise chain below: still a bug, still reported as one.
process.on('uncaughtException', (e) => {
  internalError(e);
  process.exit(70);
});

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, internalError);
