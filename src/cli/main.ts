#!/usr/bin/env node
// Entry point of the `pgtls` binary: runs dispatch.ts's main() on argv (bad input is exit 2
// with one line there) and is the one place that reports a bug: whatever main() throws, or a
// socket or timer callback throws, is `pgtls: internal error` with its stack, exit 70. A
// closed stdout (`| head`) just ends the output.

import { main } from './dispatch.js';
import { useAccelerator } from '../crypto/accelerator.js';
import { nodeAccelerator } from '../crypto/accelerator-node.js';

// The RSA private operation and X25519 run natively (same answers, see
// src/crypto/accelerator.ts) unless PGTLS_CRYPTO=pure asks for the BigInt code alone.
if (process.env.PGTLS_CRYPTO !== 'pure') useAccelerator(nodeAccelerator());

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
