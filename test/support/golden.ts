// Recorded oracle runs ("goldens"): what the real PostgreSQL server and psql printed for each
// scenario, kept under vectors/oracle/<suite>/pg<major>.json so that a machine without
// PostgreSQL still checks pgtls against recorded reality, and a change in the real system
// shows up as a diff. This file holds the runner-free part (books, keys, normalisation);
// golden-suite.ts wires it into vitest, pg-oracle.ts calls it around each real call.
//
// A book is one JSON object: scenario key -> the real output, keys sorted, so a re-recording
// diffs line by line. Values are normalised before they are stored or compared: the
// cluster's temp directory, its port, client ports, PIDs and times become placeholders (see
// Normaliser), and replay puts the current run's values back, so a replayed result reads as
// if the real system had printed it here and now.
//
// Modes (goldenMode): live when the real system is installed (run it, compare pgtls with it as
// before, and compare its output with the book: a difference or a scenario the book lacks
// fails unless PGTLS_RECORD=1, which rewrites the book); replay when it is not, or when
// PGTLS_REPLAY=1 forces it (no real process; each call answers from the book, and a test whose
// book or scenario is missing is skipped).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const GOLDEN_ROOT = join(import.meta.dirname, '../../vectors/oracle');

export type GoldenMode = 'live' | 'replay';

/** PGTLS_REPLAY=1: replay from the books even where the real system is installed (proves replay works). */
export const replayForced = (): boolean => process.env.PGTLS_REPLAY === '1';
/** PGTLS_RECORD=1: a live run rewrites the books with what the real system printed. */
export const recordingForced = (): boolean => process.env.PGTLS_RECORD === '1';

/** live when the real system can run here (unavailable is undefined) and replay is not forced. */
export function goldenMode(unavailable: string | undefined): GoldenMode {
  return replayForced() || unavailable !== undefined ? 'replay' : 'live';
}

/** JSON with object keys sorted at every level, two-space indented, newline-terminated. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

/** A recorded value that differs from what the real system printed in this run. */
export interface GoldenDiff {
  key: string;
  golden: unknown;
  real: unknown;
}

/**
 * One book: vectors/oracle/<suite>/<stream>.json. In a live run `put` remembers the last real
 * output per key (a call retried with the same input replaces its first answer) and `settle`
 * compares them with the stored ones; in replay `get` answers.
 */
export class GoldenBook {
  readonly file: string;
  private stored: Record<string, unknown>;
  private readonly seen = new Map<string, unknown>();
  private readonly unsettled = new Set<string>();

  constructor(
    readonly suite: string,
    readonly stream: string,
    root = GOLDEN_ROOT,
  ) {
    this.file = join(root, suite, `${stream}.json`);
    this.stored = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, unknown>) : {};
  }

  get exists(): boolean {
    return existsSync(this.file);
  }

  /** the recorded output, or undefined when this key was never recorded */
  get(key: string): unknown {
    return Object.hasOwn(this.stored, key) ? this.stored[key] : undefined;
  }

  /** the recorded keys, sorted (a suite whose scenarios are the recorded ones reads them here) */
  keys(): string[] {
    return Object.keys(this.stored).sort();
  }

  /** a live run's real output for key */
  put(key: string, value: unknown): void {
    // through JSON, so that what is compared is what would be stored
    this.seen.set(key, JSON.parse(JSON.stringify(value)));
    this.unsettled.add(key);
  }

  /**
   * Compare the outputs put since the last settle with the book. A key the book lacks is
   * `missing` (a failure: a live run never writes a recording on its own) unless `record`
   * (PGTLS_RECORD=1), which adds it (`added`); with `record` a difference is written over the
   * recording instead of being returned, and keys this run did not see are dropped when the
   * book is written.
   */
  settle(record = recordingForced()): { diffs: GoldenDiff[]; added: string[]; missing: string[] } {
    const diffs: GoldenDiff[] = [];
    const added: string[] = [];
    const missing: string[] = [];
    let dirty = false;
    for (const key of this.unsettled) {
      const real = this.seen.get(key);
      if (!Object.hasOwn(this.stored, key)) {
        if (record) {
          added.push(key);
          this.stored[key] = real;
          dirty = true;
        } else missing.push(key);
      } else if (stableJson(real) !== stableJson(this.stored[key])) {
        if (record) {
          this.stored[key] = real;
          dirty = true;
        } else diffs.push({ key, golden: this.stored[key], real });
      }
    }
    this.unsettled.clear();
    if (record) {
      // a recording holds what this run saw, nothing older
      const kept = Object.fromEntries([...this.seen]);
      if (Object.keys(kept).length !== Object.keys(this.stored).length) dirty = true;
      this.stored = kept;
    }
    if (dirty) this.write();
    return { diffs, added, missing };
  }

  private write(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, stableJson(this.stored));
  }
}

/**
 * Placeholders for what changes from run to run. `norm` turns this run's values into
 * placeholders (what is stored and compared), `denorm` turns a stored value back into one that
 * reads as this run's. Exact values (the cluster's directory, its port, client directories a
 * suite names with `alias`) are restored; client ports stay `<client port>` (as simulate()
 * prints them), times become 2000-01-01 00:00:00 and PIDs 0 (the suites drop those lines).
 */
export class Normaliser {
  private readonly exact: [string, string][] = [];

  constructor(pairs: [value: string, placeholder: string][] = []) {
    for (const [v, p] of pairs) this.alias(v, p);
  }

  /** name a run-specific string (a temp directory, a port) by a placeholder */
  alias(value: string, placeholder: string): void {
    // a placeholder names one value at a time (a suite may name a new closed port per test)
    const i = this.exact.findIndex(([, p]) => p === `<${placeholder}>`);
    if (i >= 0) this.exact.splice(i, 1);
    // longest first, so a directory inside another is named before it
    this.exact.push([value, `<${placeholder}>`]);
    this.exact.sort((a, b) => b[0].length - a[0].length);
  }

  norm(s: string): string {
    let out = s;
    // a named directory reached by a relative path: how many ../ (and /tmp/ or not) depends on
    // where the clone sits, so the key keeps only which directory it is
    for (const [v, p] of this.exact) {
      const base = v.startsWith('/') ? v.slice(v.lastIndexOf('/') + 1) : '';
      if (base.length > 3)
        out = out.replace(
          new RegExp(`(?:\\.\\./)+(?:[^/\\s"']+/)*?${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'g'),
          `<relative>${p}`,
        );
    }
    for (const [v, p] of this.exact) out = /^\d+$/.test(v) ? out.replace(new RegExp(`\\b${v}\\b`, 'g'), p) : out.split(v).join(p);
    return (
      out
        // a temp directory no suite named: stored as such, but not restored by replay
        .replace(/\/tmp\/pgtls-[\w-]+/g, '<tmp>')
        // the same, reached by a relative path (sslrootcert=../../pgtls-client-XXXXXX/root.crt)
        .replace(/(?:\.\.\/)+pgtls-[\w-]+/g, '<tmp>')
        // the client's port in "connection received" (English, Japanese, or '?' for each character of a C LC_CTYPE)
        .replace(/(\bport|ポート番号|\?{5})=\d+/g, '$1=<client port>')
        // times and PIDs keep their shape (a suite may strip a `%m [%p] ` prefix by pattern)
        .replace(/\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?/g, (_, ms: string | undefined) => `2000-01-01 00:00:00${ms ? '.000' : ''}`)
        .replace(/^(2000-01-01 00:00:00(\.000)? \S+) \[\d+\]/gm, '$1 [0]')
        .replace(/\bPID \d+/g, 'PID 0')
        // the package's minor release (Debian's 15.x, the npm builds' 1x.y) is not what is recorded
        .replace(/^(LOG: {2}starting PostgreSQL) .*$/gm, '$1 <version>')
    );
  }

  denorm(s: string): string {
    let out = s;
    for (const [v, p] of this.exact) out = out.split(p).join(v);
    return out;
  }
}

/** What every real call of an oracle goes through: live runs and records, replay answers. */
export interface GoldenTape {
  readonly mode: GoldenMode;
  readonly book: GoldenBook;
  readonly normaliser: Normaliser;
  /**
   * Names the scenario the next calls belong to (a setup's name): keys then read
   * `<scenario> #<step> <call>`. Unset, the current test's full name stands there (outside a
   * test: `(outside a test)`).
   */
  scenario: string | undefined;
  /**
   * The real call `kind` with `input` (already normalised or free of run-specific values):
   * live, run `real`, record its normalised output and return it as it was; replay, return the
   * recorded output, restored to this run. `changesState`: a start or a reload, which begins a
   * new step of the scenario (the same psql before and after it are different calls).
   */
  call<T>(kind: string, input: string, real: () => T, codec: GoldenCodec<T>, changesState?: boolean): T;
  callAsync<T>(kind: string, input: string, real: () => Promise<T>, codec: GoldenCodec<T>, changesState?: boolean): Promise<T>;
}

/** How one kind of output is normalised for the book and restored from it. */
export interface GoldenCodec<T> {
  store(value: T, n: Normaliser): unknown;
  load(stored: unknown, n: Normaliser): T;
}

/** A replayed call whose scenario was never recorded: the test cannot go on. */
export class GoldenMissing extends Error {
  readonly kind = 'golden-missing';
  constructor(
    readonly file: string,
    readonly key: string,
  ) {
    super(`no recording of [${key}] in ${file} (record it where the real system runs: PGTLS_RECORD=1)`);
  }
}

/** The test name provider (golden-suite.ts installs vitest's); undefined outside a test. */
let currentTest: () => string | undefined = () => undefined;
/** What a replay does when a scenario was never recorded before it throws (golden-suite.ts: skip the test). */
let onMissing: (e: GoldenMissing) => void = () => undefined;
export function setRunnerHooks(hooks: { currentTest: () => string | undefined; onMissing: (e: GoldenMissing) => void }): void {
  currentTest = hooks.currentTest;
  onMissing = hooks.onMissing;
}

export function makeTape(mode: GoldenMode, book: GoldenBook, normaliser: Normaliser): GoldenTape {
  const steps = new Map<string, number>();
  const keyFor = (tape: GoldenTape, kind: string, input: string, changesState: boolean) => {
    const scope = tape.scenario ?? currentTest() ?? '(outside a test)';
    const step = steps.get(scope) ?? 0;
    if (changesState) steps.set(scope, step + 1);
    return `${scope} #${step} ${kind}${input ? ` ${input}` : ''}`;
  };
  const replayed = (key: string) => {
    const stored = book.get(key);
    if (stored !== undefined) return stored;
    const e = new GoldenMissing(book.file, key);
    onMissing(e);
    throw e;
  };
  const tape: GoldenTape = {
    mode,
    book,
    normaliser,
    scenario: undefined,
    call(kind, input, real, codec, changesState = false) {
      const key = keyFor(tape, kind, input, changesState);
      if (mode === 'replay') {
        return codec.load(replayed(key), normaliser);
      }
      const v = real();
      book.put(key, codec.store(v, normaliser));
      return v;
    },
    async callAsync(kind, input, real, codec, changesState = false) {
      const key = keyFor(tape, kind, input, changesState);
      if (mode === 'replay') {
        return codec.load(replayed(key), normaliser);
      }
      const v = await real();
      book.put(key, codec.store(v, normaliser));
      return v;
    },
  };
  return tape;
}

/**
 * The suite whose oracles record: set by useGoldens (golden-suite.ts) for one test file.
 * Oracles made while none is set (scripts/oracle.ts, suites that do not use goldens) run
 * live and record nothing.
 */
export interface GoldenSession {
  suite: string;
  /** the book of one stream (`pg15`), made once */
  book(stream: string): GoldenBook;
}

let session: GoldenSession | undefined;
export function setGoldenSession(s: GoldenSession | undefined): void {
  session = s;
}
export function goldenSession(): GoldenSession | undefined {
  return session;
}
