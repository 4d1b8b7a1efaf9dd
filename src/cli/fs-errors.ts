// The one place where file-system and socket failures become what a user reads: every
// command opens its input files, checks its directories, creates its output and binds its
// sockets through these helpers, which turn Node's errno exceptions into a FileError (a
// UsageError: exit 2) worded the way the real tool words it. OpenSSL's apps say
// `Can't open "F" for reading, No such file or directory` (apps/lib/apps.c, bio_open_default);
// PostgreSQL says `could not open file "F": No such file or directory` and, for -D,
// `could not access directory "D": ...` (guc.c, SelectConfigFiles). The reason is glibc's
// strerror() text for the errno, never Node's own wording.

import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './args.js';

/** glibc strerror() for the errno codes a file or socket operation can end with. */
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EEXIST: 'File exists',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  EFBIG: 'File too large',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  EBUSY: 'Device or resource busy',
  ETXTBSY: 'Text file busy',
  EAGAIN: 'Resource temporarily unavailable',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EPIPE: 'Broken pipe',
  ENOTSOCK: 'Socket operation on non-socket',
};

/** An errno exception from node:fs or node:net (it carries `code` and `syscall`). */
function isSystemError(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  return (
    e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** strerror()'s text for a system error (the errno name itself for one glibc words differently than we know). */
export function strerror(e: NodeJS.ErrnoException): string {
  return STRERROR[e.code ?? ''] ?? e.code ?? e.message;
}

/** Whose words a command uses for its files. */
type Wording = 'openssl' | 'postgres';

type FileOp = 'read' | 'write' | 'mkdir' | 'access-dir';

/** A file or directory named on the command line that cannot be used: bad input, exit 2. */
export class FileError extends UsageError {
  constructor(
    /** the path as the user gave it */
    readonly path: string,
    readonly op: FileOp,
    /** strerror() text */
    readonly reason: string,
    message: string,
    /** the errno name (ENOENT, EISDIR...), for a command whose real tool words one case its own way */
    readonly errno?: string,
  ) {
    super(message);
  }
}

const WORDS: Record<Wording, Record<FileOp, (path: string, reason: string, code: string | undefined) => string>> = {
  openssl: {
    read: (p, r) => `Can't open "${p}" for reading, ${r}`,
    write: (p, r) => `Can't open "${p}" for writing, ${r}`,
    mkdir: (p, r) => `Can't create directory "${p}", ${r}`,
    'access-dir': (p, r) => `Can't access directory "${p}", ${r}`,
  },
  postgres: {
    // the open succeeds on a directory; the read fails
    read: (p, r, code) => `could not ${code === 'EISDIR' ? 'read' : 'open'} file "${p}": ${r}`,
    write: (p, r) => `could not open file "${p}" for writing: ${r}`,
    mkdir: (p, r) => `could not create directory "${p}": ${r}`,
    'access-dir': (p, r) => `could not access directory "${p}": ${r}`,
  },
};

/** The FileError for a failed operation on `path`; other errors (real bugs) are returned unchanged. */
export function fileError(e: unknown, path: string, op: FileOp, wording: Wording): unknown {
  if (!isSystemError(e)) return e;
  const reason = strerror(e);
  return new FileError(path, op, reason, WORDS[wording][op](path, reason, e.code), e.code);
}

/** A FileError for `path` with this errno code (a check made without a failing syscall). */
export function fileErrorFor(code: string, path: string, op: FileOp, wording: Wording): FileError {
  const reason = STRERROR[code] ?? code;
  return new FileError(path, op, reason, WORDS[wording][op](path, reason, code), code);
}

/** Which of our operations a failed syscall was part of. */
const OP_OF_SYSCALL: Record<string, FileOp> = {
  open: 'read',
  read: 'read',
  stat: 'read',
  lstat: 'read',
  access: 'read',
  scandir: 'access-dir',
  opendir: 'access-dir',
  mkdir: 'mkdir',
  write: 'write',
  copyfile: 'write',
  rename: 'write',
  chmod: 'write',
};

/**
 * The top-level handler's net for a file-system error a command let escape (it should have
 * read through readInputFile): still the user's bad path, worded like OpenSSL's apps, exit 2.
 * Undefined for anything else (a socket error, a bug), which stays an internal error.
 */
export function escapedFileError(e: unknown): FileError | undefined {
  if (!isSystemError(e) || typeof e.path !== 'string') return undefined;
  const op = OP_OF_SYSCALL[e.syscall ?? ''];
  if (!op) return undefined;
  return fileError(e, e.path, op, 'openssl') as FileError;
}

/** A file named on the command line, read whole; FileError when it cannot be. */
export function readInputFile(path: string, wording: Wording): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw fileError(e, path, 'read', wording);
  }
}

/**
 * A data directory given with --pgdata (or --started-with): absolute, resolved against the
 * working directory as `postgres -D` does (make_absolute_path), and it must be a directory
 * this process can stat. The messages are postgres -D's: `could not access directory "D":
 * No such file or directory` for a missing one, and for a file the configuration file
 * inside it that cannot be there.
 */
export function dataDirectory(option: string, given: string): string {
  const abs = resolve(given).replace(/(.)\/+$/, '$1');
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch (e) {
    const err = fileError(e, abs, 'access-dir', 'postgres');
    if (err instanceof FileError) throw new FileError(given, 'access-dir', err.reason, `--${option}: ${err.message}`);
    throw err;
  }
  if (!isDir) {
    // postgres -D FILE gets past the stat and fails on the configuration file inside it
    const reason = STRERROR.ENOTDIR;
    throw new FileError(
      given,
      'access-dir',
      reason,
      `--${option}: could not access the server configuration file "${abs}/postgresql.conf": ${reason}`,
    );
  }
  return abs;
}

/**
 * An output directory, created (with its parents) when missing; FileError when it cannot be.
 * One level at a time, like `mkdir -p`: Node's own recursive mkdirSync never returns where
 * mkdir() keeps failing with ENOENT (under /proc, for one).
 */
export function outputDirectory(option: string, given: string): string {
  const abs = resolve(given);
  const fail = (e: unknown, at: string) => {
    const err = fileError(e, at, 'mkdir', 'openssl');
    return err instanceof FileError ? new FileError(given, 'mkdir', err.reason, `--${option}: ${err.message}`) : err;
  };
  const parts = abs.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const dir = `/${parts.slice(0, i).join('/')}`;
    const shown = i === parts.length ? given : dir;
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(dir, { throwIfNoEntry: false });
    } catch (e) {
      throw fail(e, shown);
    }
    if (st?.isDirectory()) continue;
    // a file in the way: the last component exists (EEXIST), or the path goes through it (ENOTDIR)
    if (st) throw fail(Object.assign(new Error('mkdir'), { code: i === parts.length ? 'EEXIST' : 'ENOTDIR', syscall: 'mkdir' }), given);
    try {
      mkdirSync(dir);
    } catch (e) {
      throw fail(e, shown);
    }
  }
  return abs;
}

/**
 * A listening socket that could not be made: the server's log lines, as PostgreSQL 15 prints
 * them for one listen address (pqcomm.c StreamServerPort, postmaster.c PostmasterMain).
 */
export function listenErrorLines(e: unknown, host: string, port: number): string[] | undefined {
  if (!isSystemError(e)) return undefined;
  const lines =
    e.syscall === 'getaddrinfo'
      ? [
          `LOG:  could not translate host name "${host}", service "${port}" to address: ${e.code === 'ENOTFOUND' ? 'Name or service not known' : strerror(e)}`,
        ]
      : [`LOG:  could not bind ${host.includes(':') ? 'IPv6' : 'IPv4'} address "${host}": ${strerror(e)}`];
  if (e.code === 'EADDRINUSE')
    lines.push(`HINT:  Is another postmaster already running on port ${port}? If not, wait a few seconds and retry.`);
  lines.push(
    `WARNING:  could not create listen socket for "${host}"`,
    'FATAL:  could not create any TCP/IP sockets',
    'LOG:  database system is shut down',
  );
  return lines;
}
