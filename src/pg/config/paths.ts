// PostgreSQL's path arithmetic for configuration files (src/port/path.c): canonicalize_path,
// get_parent_directory, join_path_components and AbsoluteConfigLocation. The server prints
// these canonical paths in its messages, so predicted messages must build them the same way.
// Also the byte-string bridge: PostgreSQL's lexers work on bytes, so files are scanned as
// latin1 strings (one char per byte) and converted back to UTF-8 text for display.

import { utf8Decode, utf8Encode } from '../../der/bytes.js';

export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/');
}

/**
 * canonicalize_path as of PostgreSQL 15: collapse repeated slashes, drop trailing slashes,
 * remove "." components and resolve ".." against earlier components. Leading ".." stay in a
 * relative path and vanish at the root of an absolute one ("/.." is "/").
 */
export function canonicalizePath(p: string): string {
  const abs = isAbsolutePath(p);
  const out: string[] = [];
  let pendingUp = 0;
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0) out.pop();
      else if (!abs) pendingUp++;
      continue;
    }
    out.push(part);
  }
  const parts = [...Array<string>(pendingUp).fill('..'), ...out];
  if (abs) return `/${parts.join('/')}`;
  return parts.length ? parts.join('/') : '.';
}

/** get_parent_directory: drop the last component ("/a/b" -> "/a", "/a" -> "/"). */
export function parentDirectory(p: string): string {
  const c = canonicalizePath(p);
  const i = c.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return c.slice(0, i);
}

/** join_path_components followed by canonicalize_path. */
export function joinPaths(head: string, tail: string): string {
  if (!tail) return canonicalizePath(head);
  if (!head) return canonicalizePath(tail);
  return canonicalizePath(`${head}/${tail}`);
}

/**
 * AbsoluteConfigLocation: an absolute path as is; a relative one against the directory of the
 * file that names it, or against `baseDir` (the data directory / working directory) at the top.
 */
export function absoluteConfigLocation(location: string, callingFile: string | undefined, baseDir: string): string {
  if (isAbsolutePath(location)) return canonicalizePath(location);
  if (callingFile) return joinPaths(parentDirectory(callingFile), location);
  return joinPaths(baseDir, location);
}

/** Text or bytes as a byte string (each char is one byte, 0..255). */
export function toByteString(input: string | Uint8Array): string {
  const bytes = typeof input === 'string' ? utf8Encode(input) : input;
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

/** A byte string back to display text (UTF-8, invalid sequences replaced). */
export function fromByteString(s: string): string {
  if (!/[\x80-\xff]/.test(s)) return s;
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return utf8Decode(b);
}
