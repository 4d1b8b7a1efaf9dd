import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// The layering rules of docs/CONVENTIONS.md, checked on the source: a layer imports only
// layers below it, and the core (everything but src/cli and *-node.ts adapters) imports no
// node: module, so it runs in a browser.
const ORDER = ['der', 'x509', 'crypto', 'factory', 'path', 'tls13', 'pg', 'fuzz', 'conformance', 'cli'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const SRC = 'src';
const all = files(SRC).map((f) => ({ file: relative(SRC, f), text: readFileSync(f, 'utf8') }));
const imports = (text: string) =>
  [...text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]);

describe('architecture', () => {
  it('lower layers never import higher ones', () => {
    const bad: string[] = [];
    for (const { file, text } of all) {
      const layer = file.split('/')[0];
      const rank = ORDER.indexOf(layer);
      if (rank < 0) continue;
      for (const spec of imports(text)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(SRC, join(SRC, file, '..', spec)).split('/')[0];
        const trank = ORDER.indexOf(target);
        if (trank > rank) bad.push(`${file} imports ${spec} (${layer} -> ${target})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the core imports no node: module', () => {
    const bad = all
      .filter(({ file }) => !file.startsWith('cli/') && !/-node\.ts$/.test(file))
      .flatMap(({ file, text }) =>
        imports(text)
          .filter((s) => s.startsWith('node:'))
          .map((s) => `${file}: ${s}`),
      );
    expect(bad).toEqual([]);
  });

  it('every layer folder has an index stating what it owns', () => {
    for (const layer of ORDER.filter((l) => l !== 'cli')) {
      let text = '';
      try {
        text = readFileSync(join(SRC, layer, 'index.ts'), 'utf8');
      } catch {
        if (layer === 'fuzz') continue; // not every checkout has the fuzzer yet
        throw new Error(`src/${layer}/index.ts missing`);
      }
      expect(text.startsWith('//'), `src/${layer}/index.ts starts with its comment`).toBe(true);
    }
  });
});
