// `pgtls asn1 FILE`: the ASN.1 tree of each PEM block (or of a DER file) with offsets, tags,
// lengths and OID names. A DER violation ends the dump of that block with its location. A
// file that cannot be read is worded as `openssl asn1parse -in FILE` words it.

import { decodePemOrDer, dumpDer, formatDump, isInputError, parseDer } from '../der/index.js';
import { parseArgs, UsageError } from './args.js';
import { FileError, readInputFile } from './fs-errors.js';
import { errLine } from './verify-files.js';

/**
 * `openssl asn1parse -in DIR` (PEM or DER): fopen() takes a directory, the first fread() fails
 * with EISDIR, and asn1parse, left with no data, reports offset 0 out of range after the queue.
 */
const DIRECTORY_LINES = [
  'Error: offset out of range',
  errLine('80000015', 'system library', 'file_read', 'Is a directory', '../crypto/bio/bss_file.c:149', 'calling fread()'),
  errLine('10080002', 'BIO routines', 'file_read', 'system lib', '../crypto/bio/bss_file.c:151'),
];

function readFile(file: string): Uint8Array {
  try {
    return readInputFile(file, 'openssl');
  } catch (e) {
    // asn1parse's words do not name the file: ours come first, as for a DER error
    if (e instanceof FileError && e.errno === 'EISDIR') throw new UsageError(`${file}: ${DIRECTORY_LINES.join('\n')}`);
    throw e;
  }
}

const HELP = `Usage: pgtls asn1 [--json] FILE...
Print the ASN.1 structure of each PEM block (or DER file): offset, depth, header and content
length, tag, and the value of primitives (OIDs with OpenSSL's names).`;

export async function run(argv: string[]): Promise<number> {
  const { opts, positionals } = parseArgs(argv, { flags: ['json', 'help'] });
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('no input file (try --help)');
  const all = [];
  for (const file of positionals) {
    try {
      for (const block of decodePemOrDer(readFile(file))) {
        const lines = dumpDer(parseDer(block.der, block.label || 'der'));
        if (opts.json) all.push({ file, label: block.label, lines });
        else console.log(`${file}${block.label ? ` (${block.label}, line ${block.line})` : ''}:\n${formatDump(lines)}`);
      }
    } catch (e) {
      // the error names the byte and the structure; the file is ours to add
      if (isInputError(e)) throw new UsageError(`${file}: ${e.message}`);
      throw e;
    }
  }
  if (opts.json) console.log(JSON.stringify(all, null, 2));
  return 0;
}
