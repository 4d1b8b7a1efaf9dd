// The teaching page's build: `npm run web` (dev server on 127.0.0.1) and `npm run web:build`
// (a self-contained static site in web/dist/, relative URLs so any static host or a file
// server serves it). The build fails when the page's JavaScript exceeds its budget.

import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** 400 KB gzipped for all JavaScript the page loads (page and worker). */
const JS_BUDGET = 400 * 1024;

function sizeBudget(): Plugin {
  return {
    name: 'pgtls-size-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      let total = 0;
      const lines: string[] = [];
      for (const [name, out] of Object.entries(bundle)) {
        if (!name.endsWith('.js')) continue;
        const code = out.type === 'chunk' ? out.code : out.source;
        const gz = gzipSync(typeof code === 'string' ? Buffer.from(code) : Buffer.from(code)).length;
        total += gz;
        lines.push(`${name}: ${(gz / 1024).toFixed(1)} KB gzipped`);
      }
      lines.push(`total JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (budget ${JS_BUDGET / 1024} KB)`);
      this.info(lines.join('\n'));
      if (total > JS_BUDGET)
        this.error(`the page's JavaScript is ${(total / 1024).toFixed(1)} KB gzipped, over the ${JS_BUDGET / 1024} KB budget`);
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [sizeBudget()],
  server: { host: '127.0.0.1', fs: { allow: ['..'] } },
  preview: { host: '127.0.0.1' },
  // the worker's bundle reaches the page's as an asset, so the budget above counts it too
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
});
