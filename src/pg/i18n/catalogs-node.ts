// The file side of message catalogs: a CatalogLoader reading <dir>/<language>/LC_MESSAGES/<file>
// (gettext's layout; /usr/share/locale is where Debian's PostgreSQL and glibc install theirs).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogLoader } from './translate.js';

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
