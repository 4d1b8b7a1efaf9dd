// Goldens in a vitest file: `useGoldens('simulate-oracle')` at the top of an oracle suite makes
// every PgOracle the file creates record into (live) or answer from (replay) the books under
// vectors/oracle/simulate-oracle/, checks after each test that the real system printed what
// its book says (a difference fails the test with a diff, a scenario the book lacks fails
// asking for PGTLS_RECORD=1; with PGTLS_RECORD=1 both are written), and tells the suite
// whether it can run: live, replay, or skip (no PostgreSQL and no book).
// See golden.ts for the format and the modes.

import { existsSync } from 'node:fs';
import { afterAll, afterEach, expect, TestRunner } from 'vitest';
import { GoldenBook, type GoldenDiff, goldenMode, type GoldenMode, replayForced, setGoldenSession, setRunnerHooks } from './golden.js';
import { type PgBuild, pgInstall, pgOracleUnavailable } from './pg-oracle.js';

export interface GoldenSuite {
  suite: string;
  /** live or replay for this PostgreSQL major (and build: pg-oracle.ts) (replay when it is not installed or PGTLS_REPLAY=1) */
  mode(major?: number, build?: PgBuild): GoldenMode;
  /** why this major's (and build's) scenarios cannot run here (not installed and no book), or undefined */
  skip(major?: number, build?: PgBuild): string | undefined;
}

/**
 * The books of one test file, checked after each test and once more after the file: what
 * useGoldens (PostgreSQL) and useOpensslGoldens (openssl-goldens.ts) share.
 */
export function useBooks(suite: string): (stream: string) => GoldenBook {
  const books = new Map<string, GoldenBook>();
  const book = (stream: string) => {
    let b = books.get(stream);
    if (!b) books.set(stream, (b = new GoldenBook(suite, stream)));
    return b;
  };
  setGoldenSession({ suite, book });
  setRunnerHooks({
    currentTest: () => expect.getState().currentTestName,
    // a scenario recorded nowhere: skipped with the book and key named, as a missing book is
    onMissing: (e) => {
      console.warn(`goldens: skipped, ${e.message}`);
      TestRunner.getCurrentTest()?.context.skip(e.message);
    },
  });
  const settle = () => {
    const diffs: GoldenDiff[] = [];
    const missing: string[] = [];
    for (const b of books.values()) {
      const r = b.settle();
      if (r.added.length) console.log(`goldens: ${r.added.length} new recording(s) in ${b.file}`);
      diffs.push(...r.diffs.map((d) => ({ ...d, key: `${b.file}: ${d.key}` })));
      missing.push(...r.missing.map((k) => `${b.file}: ${k}`));
    }
    failOnMissing(missing);
    failOnDiffs(diffs);
  };
  afterEach(settle);
  afterAll(() => {
    settle();
    setGoldenSession(undefined);
  });
  return book;
}

/** Books of this file's PostgreSQL oracles (every PgOracle it makes records through them). */
export function useGoldens(suite: string): GoldenSuite {
  const book = useBooks(suite);
  const modes = new Map<string, { mode: GoldenMode; unavailable?: string }>();
  const modeOf = (major: number, build?: PgBuild) => {
    const id = pgInstall(major, build).book;
    let m = modes.get(id);
    if (!m) {
      const unavailable = pgOracleUnavailable(major, build);
      modes.set(id, (m = { mode: goldenMode(unavailable), unavailable }));
    }
    return m;
  };
  return {
    suite,
    mode: (major = 15, build?: PgBuild) => modeOf(major, build).mode,
    skip(major = 15, build?: PgBuild) {
      const m = modeOf(major, build);
      if (m.mode === 'live') return undefined;
      const b = book(pgInstall(major, build).book);
      if (existsSync(b.file)) return undefined;
      const why = replayForced() ? 'PGTLS_REPLAY=1' : m.unavailable;
      return `${why}, and no recording to replay (${b.file})`;
    },
  };
}

/**
 * A live run whose real system printed something for a scenario the book does not hold: a
 * failure, not a silent new recording (a recording is made on purpose and reviewed).
 */
export function failOnMissing(keys: string[]): void {
  if (!keys.length) return;
  expect.fail(
    `no recording of ${keys.length} scenario(s) the real system just ran; run with PGTLS_RECORD=1 to record it ` +
      `(then review and commit vectors/oracle/):\n  ${keys.join('\n  ')}`,
  );
}

/** One assertion over every difference, so vitest prints one diff naming each scenario. */
export function failOnDiffs(diffs: GoldenDiff[]): void {
  if (!diffs.length) return;
  const golden = Object.fromEntries(diffs.map((d) => [d.key, d.golden]));
  const real = Object.fromEntries(diffs.map((d) => [d.key, d.real]));
  expect(
    real,
    `the real system no longer prints what was recorded for ${diffs.length} scenario(s) ` +
      '(the real system changed, or the scenario did: PGTLS_RECORD=1 re-records)',
  ).toEqual(golden);
}
