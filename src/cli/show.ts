// `pgtls show FILE...`: a readable summary of every certificate, CRL and key in each file
// (PEM with several blocks, or DER), or the same as JSON. A block that does not parse is
// reported with its location; the command then exits 2. show stands in for no single openssl
// command, so a file it cannot read is worded by fs-errors.ts (which names the file).

import { decodePemOrDer, isInputError, type PemBlock } from '../der/index.js';
import {
  BadPassphraseError,
  CERTIFICATE_LABELS,
  PassphraseRequiredError,
  formatSummary,
  parseCertificateBlock,
  parseCrlBlock,
  parsePrivateKeyBlock,
  parseSpki,
  summarizeCertificate,
  summarizeCrl,
  summarizePrivateKey,
  summarizePublicKey,
  type CertificateSummary,
  type CrlSummary,
  type KeySummary,
} from '../x509/index.js';
import { parseArgs, UsageError } from './args.js';
import { FileError, readInputFile } from './fs-errors.js';

const HELP = `Usage: pgtls show [--json] [--at ISO-TIME] [--passphrase PASS] FILE...
Summarise every certificate, CRL and private/public key in each PEM or DER file: names
(OpenSSL's default and RFC 2253 forms), serial, validity relative to now (or --at),
key, signature algorithm, CA flag, key usages, alternative names, key identifiers,
fingerprints, subject hash, and any structural problems OpenSSL would object to.
Encrypted keys are decrypted with --passphrase, else reported as encrypted.`;

type Body =
  | CertificateSummary
  | CrlSummary
  | KeySummary
  | { type: 'encrypted-private-key'; scheme: string }
  | { type: 'error'; error: string }
  | { type: 'skipped'; label: string };
type Item = { file: string; block: number; line: number } & Body;

const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
const SKIPPED = new Set(['EC PARAMETERS', 'CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST', 'DH PARAMETERS']);

function describeBlock(block: PemBlock, now: number, pass: string | undefined): Body {
  const label = block.label;
  try {
    if ((CERTIFICATE_LABELS as readonly string[]).includes(label)) return summarizeCertificate(parseCertificateBlock(block), now);
    if (label === 'X509 CRL') return summarizeCrl(parseCrlBlock(block), now);
    if (label === 'PUBLIC KEY') return summarizePublicKey(parseSpki(block.der));
    if (KEY_LABELS.has(label)) return summarizePrivateKey(parsePrivateKeyBlock(block, pass), encryptedScheme(block));
    if (label === '') return describeDer(block, now, pass);
    if (SKIPPED.has(label)) return { type: 'skipped', label };
    return { type: 'error', error: `unsupported PEM block "${label}"` };
  } catch (e) {
    if (e instanceof PassphraseRequiredError) return { type: 'encrypted-private-key', scheme: e.scheme };
    if (isInputError(e) || e instanceof BadPassphraseError) return { type: 'error', error: e.message };
    throw e;
  }
}

function encryptedScheme(block: PemBlock): string | undefined {
  if (block.label === 'ENCRYPTED PRIVATE KEY') return 'PKCS#8 PBES2';
  if (block.headers['Proc-Type']) return `legacy PEM ${block.headers['DEK-Info']?.split(',')[0] ?? ''}`.trim();
  return undefined;
}

/** DER has no label: try each structure in turn and report the certificate error if none fits. */
function describeDer(block: PemBlock, now: number, pass: string | undefined): Body {
  const attempts: (() => Body)[] = [
    () => summarizeCertificate(parseCertificateBlock(block), now),
    () => summarizeCrl(parseCrlBlock(block), now),
    () => summarizePrivateKey(parsePrivateKeyBlock(block, pass)),
    () => summarizePublicKey(parseSpki(block.der)),
  ];
  let first: unknown;
  for (const a of attempts) {
    try {
      return a();
    } catch (e) {
      if (e instanceof PassphraseRequiredError) return { type: 'encrypted-private-key', scheme: e.scheme };
      if (!(isInputError(e) || e instanceof BadPassphraseError)) throw e;
      first ??= e;
    }
  }
  return { type: 'error', error: `not a certificate, CRL or key: ${(first as Error).message}` };
}

const TITLES: Record<string, string> = {
  certificate: 'Certificate',
  crl: 'CRL',
  'private-key': 'Private key',
  'public-key': 'Public key',
  'encrypted-private-key': 'Encrypted private key',
};

export async function run(argv: string[]): Promise<number> {
  const { opts, positionals } = parseArgs(argv, { flags: ['json', 'help'], values: ['at', 'passphrase'] });
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('no input file (try --help)');
  let now = Date.now();
  if (typeof opts.at === 'string') {
    now = Date.parse(opts.at);
    if (Number.isNaN(now)) throw new UsageError(`--at: not a date/time: ${opts.at}`);
  }
  const pass = typeof opts.passphrase === 'string' ? opts.passphrase : undefined;

  const items: Item[] = [];
  // errors whose message names the file already (fs-errors.ts's wording)
  const named = new Set<Item>();
  for (const file of positionals) {
    let blocks: PemBlock[];
    try {
      blocks = decodePemOrDer(readInputFile(file, 'openssl'));
    } catch (e) {
      if (!(isInputError(e) || e instanceof FileError)) throw e;
      const item: Item = { file, block: 0, line: 0, type: 'error', error: e.message };
      if (e instanceof FileError) named.add(item);
      items.push(item);
      continue;
    }
    blocks.forEach((b, i) => {
      items.push({ file, block: i + 1, line: b.line, ...describeBlock(b, now, pass) });
    });
  }

  const failed = items.some((i) => i.type === 'error');
  const where = (it: Item) => `${it.file}${it.line ? `, line ${it.line}` : ''}`;
  // on stderr with --json too: exit 2 always comes with a line saying what is wrong
  for (const it of items) if (it.type === 'error') console.error(`pgtls show: ${named.has(it) ? '' : `${where(it)}: `}${it.error}`);
  if (opts.json) {
    console.log(JSON.stringify(items, null, 2));
    return failed ? 2 : 0;
  }
  for (const it of items) {
    if (it.type === 'error') continue;
    if (it.type === 'skipped') {
      console.log(`${it.label} (${where(it)}): skipped\n`);
      continue;
    }
    if (it.type === 'encrypted-private-key') {
      console.log(`${TITLES[it.type]} (${where(it)}): ${it.scheme}; give --passphrase to decrypt\n`);
      continue;
    }
    console.log(`${TITLES[it.type]} (${where(it)})`);
    console.log(`${formatSummary(it)}\n`);
  }
  return failed ? 2 : 0;
}
