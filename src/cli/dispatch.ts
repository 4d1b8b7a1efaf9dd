// What the `pgtls` binary does with its arguments, without touching the process (main.ts
// wires it to argv, the exit code and the last-resort handlers; tests call it in-process):
// dispatch to the command table in registry.ts and turn bad input into exit code 2 with a
// one-line message. Bad input is recognised by type only: the der layer's DerError/PemError
// (isInputError) and the CLI's UsageError, which includes FileError (fs-errors.ts); a
// file-system error a command let escape is still the user's path (escapedFileError).
// Anything else is a bug in pgtls: it is thrown on, for main.ts to report with its stack.

import { COMMANDS } from './registry.js';
import { UsageError } from './args.js';
import { escapedFileError } from './fs-errors.js';
import { isInputError } from '../der/index.js';
import { VERSION } from '../version.js';

export function usage(): string {
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

/** Runs one command line; resolves to the exit code, rejects only on a bug. */
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
  if (!Object.hasOwn(COMMANDS, cmd)) {
    console.error(`pgtls: unknown command '${cmd}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await COMMANDS[cmd].load()).run(rest);
  } catch (e) {
    const input = isInputError(e) || e instanceof UsageError ? e : escapedFileError(e);
    if (input) {
      console.error(`pgtls ${cmd}: ${input.message}`);
      return 2;
    }
    throw e;
  }
}
