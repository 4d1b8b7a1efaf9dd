// Recorded `openssl` runs: the openssl differential suites (test/path, test/x509) keep what the
// real openssl 3.0 CLI printed for each fixed scenario in vectors/oracle/<suite>/openssl-3.0.json,
// so that a machine without openssl still checks pgtls against recorded reality, and a change in
// openssl shows up as a diff. The book, its checks after each test and the modes are golden.ts's
// (see docs/CONVENTIONS.md, "Recorded oracle runs"): live when `openssl version` runs (the real
// output is compared with pgtls as before and with the book), replay when it does not or
// PGTLS_REPLAY=1 (each call answers from the book; no openssl process runs).
//
// Only fixed inputs can be recorded (keys from vectors/keys, fixed dates with an explicit
// verification time, fixed serials, deterministic signatures): a key names a scenario, so the
// same scenario must make the same files in every run. Fast-check parts draw new inputs per
// run and stay live-only; each suite keeps a recorded set of the same kinds beside them.

import { spawnSync } from 'node:child_process';
import { TestRunner } from 'vitest';
import { GoldenMissing, type GoldenMode, goldenMode, replayForced } from './golden.js';
import { useBooks } from './golden-suite.js';

/** The book every openssl suite records into: the OpenSSL the project proves itself against. */
export const OPENSSL_STREAM = 'openssl-3.0';

/** why the openssl CLI cannot run here (absent, or a stand-in that fails), or undefined */
export function opensslUnavailable(): string | undefined {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (r.status === 0) return undefined;
  return r.error ? `openssl not found (${r.error.message})` : `\`openssl version\` exited ${r.status}`;
}

export interface OpensslGoldens {
  readonly mode: GoldenMode;
  /** why this suite's recorded part cannot run here (replay without a book), or undefined */
  readonly skip: string | undefined;
  /** live: openssl runs here */
  readonly live: boolean;
  /**
   * The recorded scenario keys that start with `prefix`, sorted: for a suite whose recorded set
   * is written in its keys (a generated case, serialised), so that replay knows what to build.
   */
  recorded(prefix: string): string[];
  /**
   * The real openssl call for scenario `key`: live, run `real`, record its output (every string
   * in it normalised by `n`) and return it as it was; replay, return the recording with `n`'s
   * values put back. A scenario never recorded skips the test under replay (naming the book
   * and key) and fails a live run after the test (PGTLS_RECORD=1 records it).
   */
  call<T>(key: string, real: () => T, n?: OutputNormaliser): T;
  /** the same for a real call that is async */
  callAsync<T>(key: string, real: () => Promise<T>, n?: OutputNormaliser): Promise<T>;
}

/** How a suite's run-specific strings (its temp directory) are named in the book and put back. */
export interface OutputNormaliser {
  norm(s: string): string;
  denorm(s: string): string;
}

/**
 * Exact strings (a temp directory) by placeholder, longest first: `<name>` in the book. The
 * thread id OpenSSL starts each error-queue line with (`40E7A1B2C3D4E5F6:error:`) is stored as
 * `<thread>` and stays so (no suite reads it).
 */
export function placeholders(pairs: [value: string, name: string][]): OutputNormaliser {
  const sorted = [...pairs].sort((a, b) => b[0].length - a[0].length);
  return {
    norm: (s) => sorted.reduce((t, [v, p]) => t.split(v).join(`<${p}>`), s).replace(/^[0-9A-F]{8,}:error:/gm, '<thread>:error:'),
    denorm: (s) => sorted.reduce((t, [v, p]) => t.split(`<${p}>`).join(v), s),
  };
}

/** Every string inside a JSON-like value mapped by f (objects and arrays kept). */
function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, f)]));
  return v;
}

/** `const goldens = useOpensslGoldens('verify-differential')` at the top of an openssl suite. */
export function useOpensslGoldens(suite: string): OpensslGoldens {
  const book = useBooks(suite)(OPENSSL_STREAM);
  const unavailable = opensslUnavailable();
  const mode = goldenMode(unavailable);
  const skip =
    mode === 'live' || book.exists
      ? undefined
      : `${replayForced() ? 'PGTLS_REPLAY=1' : unavailable}, and no recording to replay (${book.file})`;
  if (mode === 'replay' && !skip) console.warn(`${suite}: ${replayForced() ? 'PGTLS_REPLAY=1' : unavailable}; replaying ${book.file}`);
  const none = placeholders([]);
  const replayed = (key: string, n: OutputNormaliser) => {
    const stored = book.get(key);
    if (stored === undefined) {
      const e = new GoldenMissing(book.file, key);
      console.warn(`goldens: skipped, ${e.message}`);
      TestRunner.getCurrentTest()?.context.skip(e.message);
      throw e;
    }
    return mapStrings(stored, (s) => n.denorm(s));
  };
  return {
    mode,
    skip,
    live: mode === 'live',
    recorded: (prefix) => book.keys().filter((k) => k.startsWith(prefix)),
    call<T>(key: string, real: () => T, n = none): T {
      if (mode === 'replay') return replayed(key, n) as T;
      const v = real();
      book.put(
        key,
        mapStrings(v, (s) => n.norm(s)),
      );
      return v;
    },
    async callAsync<T>(key: string, real: () => Promise<T>, n = none): Promise<T> {
      if (mode === 'replay') return replayed(key, n) as T;
      const v = await real();
      book.put(
        key,
        mapStrings(v, (s) => n.norm(s)),
      );
      return v;
    },
  };
}
