// The recording layer of the oracle suites (test/support/golden.ts, golden-suite.ts and the
// hooks in pg-oracle.ts): a book that matches passes, a tampered book fails with the scenario
// named, PGTLS_RECORD rewrites, and a replayed PgOracle answers from its book with this run's
// port and directory put back, refusing a setup that is not the one recorded. A scenario the
// book lacks fails a live run (PGTLS_RECORD=1 records it); the same holds for the recorded
// openssl runs (openssl-goldens.ts), where a tampered recording fails live and in replay.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GoldenBook, GoldenMissing, makeTape, Normaliser, setGoldenSession, setRunnerHooks, stableJson } from '../support/golden.js';
import { failOnDiffs, failOnMissing } from '../support/golden-suite.js';
import { PgOracle } from '../support/pg-oracle.js';
import { OPENSSL_STREAM, opensslUnavailable } from '../support/openssl-goldens.js';
import { run } from '../../src/cli/verify.js';

const dirs: string[] = [];
const tempRoot = () => {
  const d = mkdtempSync(join(tmpdir(), 'pgtls-goldens-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('stableJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(stableJson({ b: 1, a: { d: [3, 1], c: null } })).toBe(
      '{\n  "a": {\n    "c": null,\n    "d": [\n      3,\n      1\n    ]\n  },\n  "b": 1\n}\n',
    );
  });
});

describe('Normaliser', () => {
  const n = new Normaliser([
    ['/tmp/pgtls-oracle-AbC123', 'root'],
    ['45678', 'port'],
  ]);
  it('names the run-specific values and restores the exact ones', () => {
    const line = 'connection to server on socket "/tmp/pgtls-oracle-AbC123/.s.PGSQL.45678" failed';
    expect(n.norm(line)).toBe('connection to server on socket "<root>/.s.PGSQL.<port>" failed');
    expect(n.denorm(n.norm(line))).toBe(line);
  });
  it('client ports, PIDs, times and the release are fixed; a port inside a longer number is left alone', () => {
    expect(n.norm('LOG:  connection received: host=127.0.0.1 port=51234')).toBe(
      'LOG:  connection received: host=127.0.0.1 port=<client port>',
    );
    expect(n.norm('LOG:  接続を受け付けました: ホスト=127.0.0.1 ポート番号=34224')).toBe(
      'LOG:  接続を受け付けました: ホスト=127.0.0.1 ポート番号=<client port>',
    );
    expect(n.norm('DETAIL:  server process (PID 4242) exited')).toBe('DETAIL:  server process (PID 0) exited');
    expect(n.norm('LOG:  database system was shut down at 2026-12-07 22:01:05 UTC')).toBe(
      'LOG:  database system was shut down at 2000-01-01 00:00:00 UTC',
    );
    expect(n.norm('2026-12-07 22:33:50.123 UTC [28884] LOG:  unrecognized configuration parameter')).toBe(
      '2000-01-01 00:00:00.000 UTC [0] LOG:  unrecognized configuration parameter',
    );
    expect(n.norm('LOG:  starting PostgreSQL 15.14 (Debian 15.14-0+deb12u1) on x86_64')).toBe('LOG:  starting PostgreSQL <version>');
    expect(n.norm('serial 1456789')).toBe('serial 1456789');
  });
});

describe('GoldenBook', () => {
  const real = { status: 2, stderr: ['psql: error: certificate verify failed'] };

  it('a scenario the book lacks fails a live run (nothing written); PGTLS_RECORD writes it, then it passes', () => {
    const root = tempRoot();
    const file = join(root, 'suite', 'pg15.json');
    const first = new GoldenBook('suite', 'pg15', root);
    first.put('s #1 psql "x"', real);
    const r = first.settle(false);
    expect(r).toEqual({ diffs: [], added: [], missing: ['s #1 psql "x"'] });
    expect(existsSync(file)).toBe(false);
    expect(() => failOnMissing(r.missing.map((k) => `${file}: ${k}`))).toThrow(
      /no recording of 1 scenario\(s\) .*run with PGTLS_RECORD=1 to record it[\s\S]*s #1 psql "x"/,
    );
    const recording = new GoldenBook('suite', 'pg15', root);
    recording.put('s #1 psql "x"', real);
    expect(recording.settle(true)).toEqual({ diffs: [], added: ['s #1 psql "x"'], missing: [] });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 's #1 psql "x"': real });
    const again = new GoldenBook('suite', 'pg15', root);
    again.put('s #1 psql "x"', real);
    expect(again.settle(false)).toEqual({ diffs: [], added: [], missing: [] });
    // one more scenario beside recorded ones: only it is missing, and the book is left alone
    const more = new GoldenBook('suite', 'pg15', root);
    more.put('s #1 psql "x"', real);
    more.put('s #2 psql "y"', real);
    expect(more.settle(false)).toEqual({ diffs: [], added: [], missing: ['s #2 psql "y"'] });
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')))).toEqual(['s #1 psql "x"']);
  });

  it('a tampered recording fails, naming the book and the scenario, with both outputs', () => {
    const root = tempRoot();
    const b = new GoldenBook('suite', 'pg15', root);
    b.put('s #1 psql "x"', real);
    b.settle(true);
    const file = join(root, 'suite', 'pg15.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('certificate verify failed', 'certificate has expired'));
    const replayed = new GoldenBook('suite', 'pg15', root);
    replayed.put('s #1 psql "x"', real);
    const { diffs } = replayed.settle(false);
    expect(diffs).toEqual([{ key: 's #1 psql "x"', golden: { status: 2, stderr: ['psql: error: certificate has expired'] }, real }]);
    expect(() => failOnDiffs(diffs)).toThrow(/no longer prints what was recorded for 1 scenario/);
    // the recording is left as it was: a difference is for a person to judge
    expect(readFileSync(file, 'utf8')).toContain('certificate has expired');
  });

  it('a retried call replaces its first answer: only the last is compared', () => {
    const root = tempRoot();
    const b = new GoldenBook('suite', 'pg15', root);
    b.put('k', real);
    b.settle(true);
    const c = new GoldenBook('suite', 'pg15', root);
    c.put('k', { status: 2, stderr: ['a racy first answer'] });
    c.put('k', real);
    expect(c.settle(false).diffs).toEqual([]);
  });

  it('PGTLS_RECORD rewrites: the difference is written, and keys this run did not see are dropped', () => {
    const root = tempRoot();
    const b = new GoldenBook('suite', 'pg15', root);
    b.put('old', 1);
    b.put('k', 1);
    b.settle(true);
    const r = new GoldenBook('suite', 'pg15', root);
    r.put('k', 2);
    expect(r.settle(true).diffs).toEqual([]);
    expect(JSON.parse(readFileSync(join(root, 'suite', 'pg15.json'), 'utf8'))).toEqual({ k: 2 });
  });
});

describe('a tape in replay', () => {
  it('answers from the book, restored to this run; a scenario never recorded is GoldenMissing', () => {
    const root = tempRoot();
    const book = new GoldenBook('suite', 'pg15', root);
    book.put('(outside a test) #0 psql "port=<port>"', { stderr: 'failed on port <port>' });
    book.settle(true);
    const tape = makeTape('replay', new GoldenBook('suite', 'pg15', root), new Normaliser([['5999', 'port']]));
    const codec = {
      store: (v: string) => ({ stderr: v }),
      load: (s: unknown, n: Normaliser) => n.denorm((s as { stderr: string }).stderr),
    };
    setRunnerHooks({ currentTest: () => undefined, onMissing: () => undefined });
    const never = () => {
      throw new Error('replay runs nothing');
    };
    expect(tape.call('psql', '"port=<port>"', never, codec)).toBe('failed on port 5999');
    expect(() => tape.call('psql', '"port=<port> sslmode=verify-full"', never, codec)).toThrow(GoldenMissing);
  });
});

describe('PgOracle replaying a book (PGTLS_REPLAY=1)', () => {
  it('runs no server: start and psql answer from the book; a changed setup is refused', async () => {
    const root = tempRoot();
    const books = new Map<string, GoldenBook>();
    const book = (stream: string) => books.get(stream) ?? books.set(stream, new GoldenBook('suite', stream, root)).get(stream)!;
    const setup = { files: {}, sslConf: "ssl = 'on'\n", hba: 'hostssl all all 127.0.0.1/32 trust\n' };
    // the book as a live run would have left it
    const recorded = new GoldenBook('suite', 'pg15', root);
    recorded.put('demo #0 start', {
      setup: { files: {}, hba: setup.hba, ident: '', sslConf: setup.sslConf },
      started: true,
      log: ['LOG:  listening on Unix socket "<root>/.s.PGSQL.<port>"'],
    });
    recorded.put('changed #0 start', { setup: { files: {}, hba: setup.hba, ident: '', sslConf: setup.sslConf }, started: true, log: [] });
    recorded.put('demo #1 psql "port=<port> hostaddr=127.0.0.1 sslmode=require"', {
      status: 2,
      stdout: '',
      stderr: ['psql: error: connection to server at "127.0.0.1", port <port> failed: FATAL:  no pg_hba.conf entry'],
      log: ['LOG:  connection received: host=127.0.0.1 port=<client port>'],
    });
    recorded.settle(true);
    const saved = process.env.PGTLS_REPLAY;
    process.env.PGTLS_REPLAY = '1';
    setGoldenSession({ suite: 'suite', book });
    setRunnerHooks({ currentTest: () => undefined, onMissing: () => undefined });
    const o = await PgOracle.create();
    try {
      expect(o.replaying).toBe(true);
      const st = o.scenario('demo').apply(setup);
      expect(st).toEqual({ started: true, log: `LOG:  listening on Unix socket "${o.root}/.s.PGSQL.${o.port}"\n` });
      const r = await o.psql('sslmode=require');
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`psql: error: connection to server at "127.0.0.1", port ${o.port} failed: FATAL:  no pg_hba.conf entry\n`);
      expect(r.serverLog).toBe('LOG:  connection received: host=127.0.0.1 port=<client port>\n');
      // the same scenario with another pg_hba.conf is not what was recorded
      expect(() => o.scenario('changed').apply({ ...setup, hba: 'hostssl all all 127.0.0.1/32 cert\n' })).toThrow(
        /the scenario changed since it was recorded/,
      );
      await expect(o.scenario('other').psql('sslmode=require')).rejects.toThrow(GoldenMissing);
    } finally {
      o.destroy();
      setGoldenSession(undefined);
      if (saved === undefined) delete process.env.PGTLS_REPLAY;
      else process.env.PGTLS_REPLAY = saved;
    }
  });
});

describe('a recorded openssl run (test/support/openssl-goldens.ts)', () => {
  // the verify-differential book, and a case that reads no file: a usage error
  const KEY = 'verify -bogus server.crt';
  const recorded = new GoldenBook('verify-differential', OPENSSL_STREAM);
  const norm = (t: string) => t.replace(/^[0-9A-F]+:error:/gm, 'X:error:');
  const pgtlsVerify = async (args: string[]) => {
    let out = '';
    let err = '';
    const code = await run(args, {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
      stdin: () => new Uint8Array(0),
      env: process.env,
    });
    return { code, out, err: norm(err) };
  };

  it('replay compares pgtls with the recording; a tampered recording fails, live and in replay', async () => {
    const golden = recorded.get(KEY) as { code: number; out: string; err: string };
    expect(golden.code).toBe(1);
    const mine = await pgtlsVerify(['-bogus', 'server.crt']);
    // replay: what the suite asserts holds against the book as committed
    expect(mine).toEqual(golden);
    // tamper with a copy of the book
    const root = tempRoot();
    const dir = join(root, 'verify-differential');
    mkdirSync(dir);
    const tamperedText = readFileSync(recorded.file, 'utf8').replace('verify: Unknown option: -bogus', 'verify: Unknown option: -b0gus');
    writeFileSync(join(dir, `${OPENSSL_STREAM}.json`), tamperedText);
    const tampered = new GoldenBook('verify-differential', OPENSSL_STREAM, root);
    expect(tampered.get(KEY)).not.toEqual(golden);
    // replay: the suite's own comparison now fails
    expect(() => expect(mine).toEqual(tampered.get(KEY))).toThrow();
    // live: what openssl prints here (the committed recording where openssl cannot run) differs
    // from the tampered book, and the check after the test fails naming the scenario
    const real =
      opensslUnavailable() === undefined
        ? (() => {
            const r = spawnSync('openssl', ['verify', '-bogus', 'server.crt'], { cwd: root, encoding: 'utf8' });
            return { code: r.status, out: r.stdout, err: norm(r.stderr) };
          })()
        : golden;
    expect(real).toEqual(golden);
    tampered.put(KEY, real);
    const { diffs, missing } = tampered.settle(false);
    expect(missing).toEqual([]);
    expect(diffs.map((d) => d.key)).toEqual([KEY]);
    expect(() => failOnDiffs(diffs)).toThrow(/no longer prints what was recorded for 1 scenario/);
  });

  it('a scenario the openssl book lacks fails a live run and asks for PGTLS_RECORD=1', () => {
    const root = tempRoot();
    const b = new GoldenBook('verify-differential', OPENSSL_STREAM, root);
    b.put('verify -new-case server.crt', { code: 0, out: 'server.crt: OK\n', err: '' });
    const { missing } = b.settle(false);
    expect(() => failOnMissing(missing)).toThrow(/run with PGTLS_RECORD=1 to record it/);
    expect(existsSync(b.file)).toBe(false);
  });
});
