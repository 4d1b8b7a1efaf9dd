// The server's Unix-domain sockets and how libpq reaches one. Server side (postmaster.c,
// pqcomm.c StreamServerPort, varlena.c SplitDirectoriesString): unix_socket_directories is a
// comma-separated list (double quotes allowed, blanks around names dropped, blanks inside an
// unquoted name kept, each name canonicalized); a relative directory is relative to the data
// directory (the postmaster's working directory), an `@name` one is Linux's abstract
// namespace; the socket is `<dir>/.s.PGSQL.<port>`, and a path longer than sun_path holds is
// skipped with a LOG and a WARNING, FATAL when no socket is left. Client side (fe-connect.c):
// the same path built from host= and port=, too long = libpq's error and the next host, a
// path nothing listens on = ENOENT ("No such file or directory"), an abstract name nothing
// listens on = ECONNREFUSED. Debian builds the server and libpq with DEFAULT_PGSOCKET_DIR
// /var/run/postgresql (upstream: /tmp). Checked against PostgreSQL 15 and psql 15 in
// test/pg/socket-oracle.test.ts.

import { splitDirectoryList } from '../config/lists.js';
import type { ParsedConf } from '../config/postgresql-conf.js';
import { canonicalizePath, joinPaths } from '../config/paths.js';
import { utf8Encode } from '../../der/bytes.js';
import type { LogLine } from '../log.js';
import { fmt, LIBPQ, SERVER, type MessageFormatter } from '../messages.js';

/** DEFAULT_PGSOCKET_DIR of Debian's PostgreSQL packages, server and libpq alike. */
export const DEFAULT_SOCKET_DIR = '/var/run/postgresql';

/** The longest socket path sun_path holds (UNIXSOCK_PATH_BUFLEN - 1), in bytes. */
const UNIXSOCK_PATH_MAX = 107;

/**
 * Directories that are the same directory on a Debian system (/var/run is a symbolic link
 * to /run): a client path under one reaches a socket under the other, as the kernel resolves
 * the link. pgtls resolves no other links.
 */
const SAME_DIRECTORY: [string, string][] = [['/var/run', '/run']];

/** UNIXSOCK_PATH: the socket of a directory and port. */
function socketPath(dir: string, port: number): string {
  return `${dir}/.s.PGSQL.${port}`;
}

/** Whether sun_path can hold the path (its bytes, as strlen counts them). */
function socketPathFits(path: string): boolean {
  return utf8Encode(path).length <= UNIXSOCK_PATH_MAX;
}

/** SplitDirectoriesString: the names, canonicalized; undefined on a syntax error. */
function splitDirectories(raw: string): string[] | undefined {
  return splitDirectoryList(raw)?.map(canonicalizePath);
}

/** The server's listening sockets once it has started, or why it could not start. */
export interface ServerSockets {
  /** unix_socket_directories as the server read it */
  setting: string;
  /**
   * the directories as configured (canonical), each with the host= a client names it by (a
   * relative one taken from the data directory) and the socket's path
   */
  sockets: { dir: string; host: string; path: string }[];
  /** what creating them logged (too long paths) */
  log: LogLine[];
  /** the start-up FATAL when no socket could be made, or the list does not parse */
  fatal?: LogLine;
}

/**
 * The value of unix_socket_directories: a -c override, else the configuration files, else
 * the build's default. Overrides are matched without regard to case, as GUC names are.
 */
export function socketDirectoriesSetting(conf: ParsedConf, overrides: Record<string, string> = {}): string {
  const o = Object.entries(overrides).find(([k]) => k.toLowerCase() === 'unix_socket_directories');
  return o?.[1] ?? conf.settings.get('unix_socket_directories')?.value ?? DEFAULT_SOCKET_DIR;
}

/**
 * PostmasterMain: one socket per directory, in order. `listenAddresses` is the TCP side's
 * setting: with no TCP address and no socket the server has nothing to listen on.
 */
export function createServerSockets(
  setting: string,
  opts: { port: number; dataDirectory: string; listenAddresses: string },
): ServerSockets {
  const dirs = splitDirectories(setting);
  if (!dirs) {
    const fatal: LogLine = { level: 'FATAL', message: fmt(SERVER.socketListSyntax, 'unix_socket_directories') };
    return { setting, sockets: [], log: [fatal], fatal };
  }
  const log: LogLine[] = [];
  const sockets: ServerSockets['sockets'] = [];
  for (const dir of dirs) {
    const path = socketPath(dir, opts.port);
    if (!socketPathFits(path)) {
      log.push({ level: 'LOG', message: fmt(SERVER.socketPathTooLong, path, UNIXSOCK_PATH_MAX) });
      log.push({ level: 'WARNING', message: fmt(SERVER.socketCreateFailed, dir) });
      continue;
    }
    const host = dir.startsWith('@') || dir.startsWith('/') ? dir : joinPaths(opts.dataDirectory, dir);
    sockets.push({ dir, host, path: socketPath(host, opts.port) });
  }
  const fail = (message: string): ServerSockets => {
    const fatal: LogLine = { level: 'FATAL', message };
    return { setting, sockets, log: [...log, fatal], fatal };
  };
  if (dirs.length && !sockets.length) return fail(SERVER.noUnixSockets.format);
  if (!sockets.length && !opts.listenAddresses.trim()) return fail(SERVER.noListenSocket.format);
  return { setting, sockets, log };
}

/** A path as the kernel would find it: canonical, with the known directory links followed. */
function resolved(path: string): string {
  if (path.startsWith('@')) return path;
  const c = canonicalizePath(path);
  for (const [link, target] of SAME_DIRECTORY) {
    if (c === link || c.startsWith(`${link}/`)) return target + c.slice(link.length);
  }
  return c;
}

/** How libpq's connect() to a socket directory ends before the server says anything. */
export type SocketReach = { ok: true; path: string } | { ok: false; path: string; kind: 'too-long' | 'not-listening'; message: string };

/**
 * libpq connecting to `<host>/.s.PGSQL.<port>`: too long for sun_path (libpq's message, no
 * "connection to server" prefix), nothing there (ENOENT, or ECONNREFUSED for an abstract
 * name), or one of the server's sockets.
 */
export function reachSocket(host: string, port: number, server: ServerSockets | undefined, f: MessageFormatter = fmt): SocketReach {
  const path = socketPath(host, port);
  if (!socketPathFits(path)) return { ok: false, path, kind: 'too-long', message: f(LIBPQ.socketPathTooLong, path, UNIXSOCK_PATH_MAX) };
  const want = resolved(path);
  if (server?.sockets.some((s) => resolved(s.path) === want)) return { ok: true, path };
  const reason = host.startsWith('@') ? 'Connection refused' : 'No such file or directory';
  return { ok: false, path, kind: 'not-listening', message: f(LIBPQ.socketConnectFailed, reason) };
}
