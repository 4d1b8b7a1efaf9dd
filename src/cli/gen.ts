// `pgtls gen`: writes the PostgreSQL docs' certificate hierarchies (self-signed, root-server,
// chain) to a directory, plus an optional client certificate, and says where each file goes
// and which postgresql.conf / pg_hba.conf lines to add. The only file-writing in the factory's
// path lives here (node:fs); the hierarchy itself comes from src/factory/presets.ts.

import { chmodSync, closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, UsageError } from './args.js';
import { fileError, fileErrorFor, outputDirectory } from './fs-errors.js';
import { KEY_TYPES, makeHierarchy, type HierarchyKind, type KeyType } from '../factory/presets.js';
import { parseIp, type GeneralNameSpec } from '../factory/general-names.js';

const KINDS: readonly HierarchyKind[] = ['self-signed', 'root-server', 'chain'];

const HELP = `Usage: pgtls gen self-signed|root-server|chain --cn HOST --out DIR [options]

Writes the certificate hierarchies of the PostgreSQL documentation (section "Creating
Certificates"), shaped as OpenSSL 3.0 makes them with the documented commands.

  self-signed   one self-signed server certificate (also written as root.crt for clients)
  root-server   a root CA (v3_ca) and a server certificate it signs
  chain         a root CA, an intermediate CA and a server certificate; server.crt holds
                the server certificate followed by the intermediate

Options:
  --cn HOST        server host name (the certificate's CN)
  --out DIR        directory to write into (created if missing)
  --key TYPE       ${KEY_TYPES.join('|')} (default rsa2048)
  --san LIST       subjectAltName entries, e.g. DNS:db.example.com,IP:10.0.0.5
  --days N         server certificate validity in days (default 365)
  --client USER    also issue a client certificate for database user USER (CN=USER)
  --force          overwrite existing files`;

interface Written {
  file: string;
  where: string;
}

/**
 * Write one output file. O_NONBLOCK so that a FIFO with no reader fails (ENXIO) instead of
 * waiting forever; anything but a regular file (a FIFO, a device) is refused before writing.
 */
function writeFile(path: string, data: string, secret: boolean, force: boolean): void {
  const mode = secret ? 0o600 : 0o644;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK | (force ? constants.O_TRUNC : constants.O_EXCL);
  let fd: number;
  try {
    fd = openSync(path, flags, mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${path} exists (use --force to overwrite)`);
    throw fileError(e, path, 'write', 'openssl');
  }
  try {
    if (!fstatSync(fd).isFile()) throw fileErrorFor('EINVAL', path, 'write', 'openssl');
    writeSync(fd, data);
  } catch (e) {
    throw fileError(e, path, 'write', 'openssl');
  } finally {
    closeSync(fd);
  }
  // the mode given to open only applies to new files
  chmodSync(path, mode);
}

function parseSans(list: string): GeneralNameSpec[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [type, ...rest] = s.split(':');
      const value = rest.join(':');
      if (!value) throw new UsageError(`--san entry '${s}' needs TYPE:VALUE (DNS:host or IP:address)`);
      if (/^ip$/i.test(type)) {
        try {
          parseIp(value);
        } catch {
          throw new UsageError(`--san entry '${s}': not an IP address`);
        }
        return `IP:${value}`;
      }
      if (/^dns$/i.test(type)) return `DNS:${value}`;
      throw new UsageError(`--san entry '${s}': type must be DNS or IP`);
    });
}

export async function run(argv: string[]): Promise<number> {
  const { opts, positionals } = parseArgs(argv, { values: ['cn', 'out', 'key', 'san', 'days', 'client'], flags: ['help', 'force'] });
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  const kind = positionals[0] as HierarchyKind;
  if (positionals.length !== 1 || !KINDS.includes(kind)) throw new UsageError(`expected one of ${KINDS.join(', ')}\n\n${HELP}`);
  const cn = opts.cn as string | undefined;
  const out = opts.out as string | undefined;
  if (!cn) throw new UsageError('--cn HOST is required');
  if (!out) throw new UsageError('--out DIR is required');
  const keyType = (opts.key as string | undefined) ?? 'rsa2048';
  if (!KEY_TYPES.includes(keyType as KeyType)) throw new UsageError(`--key must be one of ${KEY_TYPES.join(', ')}`);
  let days: number | undefined;
  if (opts.days !== undefined) {
    days = Number(opts.days);
    if (!Number.isInteger(days) || days < 1 || days > 36500)
      throw new UsageError('--days must be a whole number of days between 1 and 36500');
  }
  const sans = opts.san ? parseSans(opts.san as string) : undefined;
  const clientUser = opts.client as string | undefined;
  if (clientUser === '') throw new UsageError('--client needs a user name');
  const force = opts.force === true;

  // the directory before the keys: a bad --out fails at once, not after an RSA key generation
  const dir = outputDirectory('out', out);
  const h = makeHierarchy(kind, { cn, sans, days, keyType: keyType as KeyType, clientUser });

  const written: Written[] = [];
  const put = (name: string, data: string, secret: boolean, where: string) => {
    const file = join(dir, name);
    writeFile(file, data, secret, force);
    written.push({ file, where });
  };
  put(
    'server.crt',
    h.serverCrtPem,
    false,
    `server data directory (ssl_cert_file)${h.intermediate ? '; the server certificate followed by the intermediate' : ''}`,
  );
  put('server.key', h.server.keyPem, true, 'server data directory (ssl_key_file), mode 0600, owned by the server user');
  put(
    'root.crt',
    h.rootCrtPem,
    false,
    `client: ~/.postgresql/root.crt (sslrootcert)${clientUser ? '; server data directory as ssl_ca_file' : ''}`,
  );
  if (kind !== 'self-signed') put('root.key', h.root.keyPem, true, 'keep offline: only needed to issue more certificates');
  if (h.intermediate) {
    put('intermediate.crt', h.intermediate.cert.pem, false, 'already bundled in server.crt; keep for reissuing');
    put('intermediate.key', h.intermediate.keyPem, true, 'keep offline: only needed to issue more server certificates');
  }
  if (h.client) {
    put('postgresql.crt', h.client.cert.pem, false, `client: ~/.postgresql/postgresql.crt (sslcert) for user ${clientUser}`);
    put('postgresql.key', h.client.keyPem, true, 'client: ~/.postgresql/postgresql.key (sslkey), mode 0600');
  }

  const lines = [
    `Wrote a ${kind} hierarchy for ${cn} (${keyType}) to ${dir}:`,
    ...written.map((w) => `  ${w.file.slice(dir.length + 1).padEnd(18)} ${w.where}`),
    '',
    'postgresql.conf:',
    '  ssl = on',
    "  ssl_cert_file = 'server.crt'",
    "  ssl_key_file = 'server.key'",
    ...(clientUser ? ["  ssl_ca_file = 'root.crt'"] : []),
    '',
    'pg_hba.conf:',
    clientUser ? `  hostssl all ${clientUser} all cert` : '  hostssl all all all scram-sha-256',
    '',
    'Client connection:',
    `  psql "host=${cn} dbname=postgres${clientUser ? ` user=${clientUser}` : ''} sslmode=verify-full sslrootcert=$HOME/.postgresql/root.crt"`,
  ];
  console.log(lines.join('\n'));
  return 0;
}
