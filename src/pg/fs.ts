// The simulator's view of a filesystem: file contents plus the ownership and mode bits that
// PostgreSQL and libpq check (key permissions, readability by the server's user). The core
// stays browser-safe: the node adapter lives in fs-node.ts, and tests and the web use memFs.

export interface FileStat {
  isFile: boolean;
  isDir: boolean;
  /** permission bits (e.g. 0o600) */
  mode: number;
  uid: number;
  gid: number;
}

export interface SimFs {
  /** contents, or undefined when the path does not exist or is not a file */
  read(path: string): Uint8Array | undefined;
  stat(path: string): FileStat | undefined;
  /** entry names of a directory, or undefined when it is not one */
  list(path: string): string[] | undefined;
}

/** Who a simulated process runs as: decides readability the way the kernel does. */
export interface ProcessIdentity {
  uid: number;
  gids: number[];
}

export const ROOT_UID = 0;

/** Can this process read the file (owner, then group, then other bits; root reads all)? */
export function canRead(st: FileStat, who: ProcessIdentity): boolean {
  if (who.uid === ROOT_UID) return true;
  if (st.uid === who.uid) return (st.mode & 0o400) !== 0;
  if (who.gids.includes(st.gid)) return (st.mode & 0o040) !== 0;
  return (st.mode & 0o004) !== 0;
}

export function joinPath(dir: string, p: string): string {
  if (p.startsWith('/')) return p;
  return `${dir.replace(/\/+$/, '')}/${p}`;
}

export interface MemFile {
  content: string | Uint8Array;
  mode?: number;
  uid?: number;
  gid?: number;
}

/**
 * An in-memory filesystem from a map of absolute paths. Directories exist implicitly for
 * every prefix of a file path; explicit empty directories are given with a trailing '/'.
 */
export function memFs(files: Record<string, MemFile>, defaults: { uid: number; gid: number } = { uid: 0, gid: 0 }): SimFs {
  const enc = new TextEncoder();
  const entries = new Map<string, { bytes: Uint8Array; st: FileStat }>();
  const dirs = new Set<string>(['/']);
  const addDirs = (p: string) => {
    const parts = p.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) dirs.add(`/${parts.slice(0, i).join('/')}`);
  };
  for (const [path, f] of Object.entries(files)) {
    if (path.endsWith('/')) {
      addDirs(path);
      continue;
    }
    const bytes = typeof f.content === 'string' ? enc.encode(f.content) : f.content;
    entries.set(path, {
      bytes,
      st: { isFile: true, isDir: false, mode: f.mode ?? 0o644, uid: f.uid ?? defaults.uid, gid: f.gid ?? defaults.gid },
    });
    addDirs(path.slice(0, path.lastIndexOf('/')));
  }
  return {
    read: (p) => entries.get(p)?.bytes,
    stat: (p) => {
      const e = entries.get(p);
      if (e) return e.st;
      const d = p.replace(/\/+$/, '') || '/';
      return dirs.has(d) ? { isFile: false, isDir: true, mode: 0o755, uid: defaults.uid, gid: defaults.gid } : undefined;
    },
    list: (p) => {
      const d = p.replace(/\/+$/, '');
      if (!dirs.has(d || '/')) return undefined;
      const names = new Set<string>();
      const prefix = `${d}/`;
      for (const k of [...entries.keys(), ...dirs]) {
        if (k.startsWith(prefix) && k.length > prefix.length) names.add(k.slice(prefix.length).split('/')[0]);
      }
      return [...names].sort();
    },
  };
}

/**
 * `base` with the directory `from` served from `to`: how `pgtls simulate --started-with`
 * shows the running server the data directory as it was (`to`) while a reload reads the
 * edited one (`from`).
 */
export function remapDir(base: SimFs, from: string, to: string): SimFs {
  const f = from.replace(/\/+$/, '');
  const t = to.replace(/\/+$/, '');
  const map = (p: string) => (p === f || p.startsWith(`${f}/`) ? t + p.slice(f.length) : p);
  return { read: (p) => base.read(map(p)), stat: (p) => base.stat(map(p)), list: (p) => base.list(map(p)) };
}
