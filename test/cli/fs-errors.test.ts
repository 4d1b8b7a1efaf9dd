import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  dataDirectory,
  escapedFileError,
  fileError,
  FileError,
  listenErrorLines,
  outputDirectory,
  readInputFile,
} from '../../src/cli/fs-errors.js';
import { UsageError } from '../../src/cli/args.js';

// The one mapping from errno exceptions to what users read (OpenSSL's apps' and PostgreSQL's
// words, glibc's strerror texts). The CLI tests check the same words against the real tools.

const errno = (code: string, syscall: string, path?: string) =>
  Object.assign(new Error(`${code}: node's own words`), { code, syscall, path });

describe('fs-errors', () => {
  it("maps errno codes to strerror texts in each tool's wording, as a UsageError (exit 2)", () => {
    const e = fileError(errno('EACCES', 'open', '/k'), '/k', 'read', 'openssl');
    expect(e).toBeInstanceOf(FileError);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as FileError).message).toBe(`Can't open "/k" for reading, Permission denied`);
    expect((fileError(errno('EISDIR', 'read'), '/d', 'read', 'postgres') as Error).message).toBe(
      'could not read file "/d": Is a directory',
    );
    expect((fileError(errno('ENOENT', 'open'), '/f', 'read', 'postgres') as Error).message).toBe(
      'could not open file "/f": No such file or directory',
    );
    // not a system error: a bug, handed back unchanged
    const bug = new TypeError('x');
    expect(fileError(bug, '/f', 'read', 'openssl')).toBe(bug);
  });

  it("reads, checks directories and makes output directories without Node's wording", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-fserr-'));
    try {
      writeFileSync(join(dir, 'f'), 'x');
      expect(() => readInputFile(join(dir, 'nope'), 'openssl')).toThrow(
        `Can't open "${join(dir, 'nope')}" for reading, No such file or directory`,
      );
      expect(() => readInputFile(dir, 'openssl')).toThrow(`Can't open "${dir}" for reading, Is a directory`);
      expect(dataDirectory('pgdata', `${dir}/`)).toBe(dir);
      expect(dataDirectory('pgdata', '.')).toBe(resolve('.'));
      expect(() => dataDirectory('pgdata', join(dir, 'nope'))).toThrow(
        `--pgdata: could not access directory "${join(dir, 'nope')}": No such file or directory`,
      );
      expect(() => outputDirectory('out', join(dir, 'f'))).toThrow(`--out: Can't create directory "${join(dir, 'f')}", File exists`);
      expect(() => outputDirectory('out', join(dir, 'f', 'g'))).toThrow('Not a directory');
      expect(outputDirectory('out', join(dir, 'a', 'b'))).toBe(join(dir, 'a', 'b'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an escaped file-system error with a path is bad input; a socket error or a pathless one is not', () => {
    expect(escapedFileError(errno('ENOENT', 'scandir', '/x'))?.message).toBe(`Can't access directory "/x", No such file or directory`);
    expect(escapedFileError(errno('EISDIR', 'read'))).toBeUndefined();
    expect(escapedFileError(errno('EADDRINUSE', 'listen'))).toBeUndefined();
    expect(escapedFileError(new Error('x'))).toBeUndefined();
  });

  // as PostgreSQL 15.18 printed them for the same addresses (EADDRINUSE is checked against the
  // real postmaster in hostile.test.ts)
  it("listen failures: the postmaster's lines", () => {
    expect(listenErrorLines(errno('EADDRNOTAVAIL', 'listen'), '10.9.9.9', 5432)).toEqual([
      'LOG:  could not bind IPv4 address "10.9.9.9": Cannot assign requested address',
      'WARNING:  could not create listen socket for "10.9.9.9"',
      'FATAL:  could not create any TCP/IP sockets',
      'LOG:  database system is shut down',
    ]);
    expect(listenErrorLines(errno('ENOTFOUND', 'getaddrinfo'), 'nosuchhost.invalid', 5432)![0]).toBe(
      'LOG:  could not translate host name "nosuchhost.invalid", service "5432" to address: Name or service not known',
    );
  });
});
