// The file side of message catalogs: a CatalogLoader reading <dir>/<language>/LC_MESSAGES/<file>
// (gettext's layout; /usr/share/locale is where Debian's PostgreSQL and glibc install theirs),
// and which locales this machine has (`locale -a`).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localeInList, type CatalogLoader } from './translate.js';

export const DEFAULT_LOCALE_DIR = '/usr/share/locale';

/** Catalogs read from a locale directory; a missing or unreadable file is no catalog. */
export function nodeCatalogLoader(dir: string = DEFAULT_LOCALE_DIR): CatalogLoader {
  return (language, file) => {
    try {
      return readFileSync(join(dir, language, 'LC_MESSAGES', file));
    } catch {
      return undefined;
    }
  };
}

/** The locales installed here, as `locale -a` lists them; undefined when it cannot be run. */
export function nodeLocaleInstalled(): ((locale: string) => boolean) | undefined {
  const r = spawnSync('locale', ['-a'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return undefined;
  return localeInList(r.stdout.split('\n').filter(Boolean));
}
