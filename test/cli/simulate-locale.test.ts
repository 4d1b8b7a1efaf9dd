// `pgtls simulate` in the user's language: the client's LANGUAGE/LC_ALL/LC_MESSAGES/LANG from
// the environment or --env, catalogs from --locale-dir (a catalog compiled here by GNU msgfmt
// for a made-up language, so the test does not depend on what is installed), the server's
// lc_messages and --server-env, the note when a catalog is missing, and bad options (exit 2).

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const LOCALE_VARS = ['LANG', 'LANGUAGE', 'LC_ALL', 'LC_MESSAGES', 'LC_CTYPE'];
/** the CLI with this process's environment minus its locale variables, plus `env` */
const pgtls = (env: Record<string, string>, ...args: string[]) => {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !LOCALE_VARS.includes(k)));
  return spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), ...args], { encoding: 'utf8', env: { ...base, ...env } });
};

const msgfmtMissing = spawnSync('msgfmt', ['--version']).status === 0 ? undefined : 'GNU msgfmt not installed';

function po(entries: [string, string][]): string {
  const q = (s: string) => JSON.stringify(s);
  return [['', 'Content-Type: text/plain; charset=UTF-8\\n'], ...entries]
    .map(([id, str]) => `msgid ${id === '' ? '""' : q(id)}\nmsgstr ${id === '' ? `"${str}"` : q(str)}\n`)
    .join('\n');
}

describe.skipIf(msgfmtMissing)(`pgtls simulate --locale-dir${msgfmtMissing ? ` (skipped: ${msgfmtMissing})` : ''}`, () => {
  it('speaks the language of LANGUAGE (environment or --env) with the catalogs of --locale-dir, the server that of lc_messages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-locale-'));
    try {
      const lc = join(dir, 'locale', 'xx', 'LC_MESSAGES');
      mkdirSync(lc, { recursive: true });
      const compile = (name: string, entries: [string, string][]) => {
        writeFileSync(join(dir, `${name}.po`), po(entries));
        const r = spawnSync('msgfmt', ['-o', join(lc, `${name}.mo`), join(dir, `${name}.po`)], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
      };
      compile('libpq5-15', [
        ['connection to server at "%s", port %s failed: ', 'XX[%2$s@%1$s]: '],
        ['server does not support SSL, but SSL was required\n', 'XX no SSL\n'],
      ]);
      compile('psql-15', [['error: ', 'XX-error: ']]);
      compile('postgres-15', [
        ['FATAL', 'XFATAL'],
        ['no pg_hba.conf entry for host "%s", user "%s", database "%s", %s', 'XX no line: %4$s %3$s %2$s %1$s'],
        ['no encryption', 'XX plain'],
      ]);
      const pgdata = join(dir, 'data');
      mkdirSync(pgdata);
      writeFileSync(join(pgdata, 'postgresql.conf'), '');
      writeFileSync(join(pgdata, 'pg_hba.conf'), 'host all bob 127.0.0.1/32 trust\n');
      const locale = ['--locale-dir', join(dir, 'locale'), '--pg-version', '15'];
      const json = (r: ReturnType<typeof pgtls>) =>
        JSON.parse(r.stdout) as { psqlStderr: string; serverLog: string[]; languageNotes: string[] };

      const noSsl = pgtls(
        { LANGUAGE: 'xx', LANG: 'C.UTF-8' },
        'simulate',
        '--pgdata',
        pgdata,
        ...locale,
        '--json',
        'hostaddr=127.0.0.1 user=alice dbname=app sslmode=require',
      );
      expect(noSsl.status, noSsl.stderr).toBe(1);
      expect(json(noSsl).psqlStderr).toBe('psql: XX-error: XX[5432@127.0.0.1]: XX no SSL');
      expect(json(noSsl).languageNotes).toEqual([]);
      // the same through --env; LANGUAGE alone (C locale) is ignored, as gettext does
      const viaEnv = pgtls(
        {},
        'simulate',
        '--pgdata',
        pgdata,
        ...locale,
        '--env',
        'LANGUAGE=xx',
        '--env',
        'LC_ALL=C.UTF-8',
        '--json',
        'hostaddr=127.0.0.1 user=alice dbname=app sslmode=require',
      );
      expect(json(viaEnv).psqlStderr).toBe(json(noSsl).psqlStderr);
      const cLocale = pgtls(
        { LANGUAGE: 'xx' },
        'simulate',
        '--pgdata',
        pgdata,
        ...locale,
        '--json',
        'hostaddr=127.0.0.1 user=alice dbname=app sslmode=require',
      );
      expect(json(cLocale).psqlStderr).toMatch(
        /^psql: error: connection to server at "127\.0\.0\.1", port 5432 failed: server does not support SSL/,
      );

      // the server's words follow lc_messages (not the client's LANGUAGE): English here...
      const hba = 'hostaddr=127.0.0.1 user=alice dbname=app sslmode=disable';
      const en = pgtls({ LANGUAGE: 'xx', LANG: 'C.UTF-8' }, 'simulate', '--pgdata', pgdata, ...locale, '--json', hba);
      expect(json(en).psqlStderr).toBe(
        'psql: XX-error: XX[5432@127.0.0.1]: FATAL:  no pg_hba.conf entry for host "127.0.0.1", user "alice", database "app", no encryption',
      );
      // ...and the made-up language once the server's lc_messages names it
      writeFileSync(join(pgdata, 'postgresql.conf'), "lc_messages = 'xx'\n");
      const xx = pgtls({ LANG: 'C.UTF-8' }, 'simulate', '--pgdata', pgdata, ...locale, '--json', hba);
      expect(json(xx).psqlStderr).toBe(
        'psql: error: connection to server at "127.0.0.1", port 5432 failed: XFATAL:  XX no line: XX plain app alice 127.0.0.1',
      );
      expect(json(xx).serverLog).toContain('XFATAL:  XX no line: XX plain app alice 127.0.0.1');
      // a server whose LC_CTYPE is C writes ASCII only (this catalog is ASCII: unchanged)
      const ascii = pgtls({ LANG: 'C.UTF-8' }, 'simulate', '--pgdata', pgdata, ...locale, '--server-env', 'LC_ALL=C', '--json', hba);
      expect(json(ascii).psqlStderr).toBe(json(xx).psqlStderr);

      // a language without catalogs: English, with a note saying why
      const de = pgtls(
        { LANGUAGE: 'de', LANG: 'C.UTF-8' },
        'simulate',
        '--pgdata',
        pgdata,
        ...locale,
        'hostaddr=127.0.0.1 user=alice dbname=app sslmode=require',
      );
      expect(de.stdout).toContain(
        'psql: error: connection to server at "127.0.0.1", port 5432 failed: server does not support SSL, but SSL was required',
      );
      expect(de.stdout).toContain("note: no libpq5-15.mo catalog for de: libpq's messages stay English");

      // --system debian13: glibc 2.41 ignores LANGUAGE under C.UTF-8, as under C
      const trixie = pgtls(
        { LANGUAGE: 'xx', LANG: 'C.UTF-8' },
        'simulate',
        '--pgdata',
        pgdata,
        ...locale,
        '--system',
        'debian13',
        '--json',
        'hostaddr=127.0.0.1 user=alice dbname=app sslmode=require',
      );
      expect(json(trixie).psqlStderr).toBe(json(cLocale).psqlStderr);

      // bad options: exit 2, one line
      for (const bad of [
        ['--system', 'debian11'],
        ['--locale-dir', join(dir, 'nope')],
        ['--server-env', 'PATH=/bin'],
        ['--server-env', 'LANG'],
      ]) {
        const r = pgtls({}, 'simulate', '--pgdata', pgdata, ...bad, hba);
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
