// SimFs over the real filesystem (node:fs), for the CLI: what the simulator reads is what
// the server and libpq would read on this machine.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { SimFs } from './fs.js';

export function nodeFs(): SimFs {
  return {
    read(path) {
      try {
        return new Uint8Array(readFileSync(path));
      } catch {
        return undefined;
      }
    },
    stat(path) {
      try {
        const s = statSync(path);
        return { isFile: s.isFile(), isDir: s.isDirectory(), mode: s.mode & 0o7777, uid: s.uid, gid: s.gid };
      } catch {
        return undefined;
      }
    },
    list(path) {
      try {
        return readdirSync(path).sort();
      } catch {
        return undefined;
      }
    },
  };
}
