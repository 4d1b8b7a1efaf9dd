// The page's Web Worker: every simulation runs here, so typing never waits for a handshake.
// Requests carry an id; the page drops answers older than its latest request.

import { runScenario, inspectFile, simulateFiles } from './run.js';
import { buildFiles } from './build.js';
import { withSslMode, SSL_MODES } from './model.js';
import type { MatrixCell, Request, Response } from './protocol.js';

const post = (r: Response) => (self as unknown as Worker).postMessage(r);

self.onmessage = (ev: MessageEvent<Request>) => {
  const q = ev.data;
  if (q.type === 'run') post({ id: q.id, type: 'run', view: runScenario(q.scenario) });
  else if (q.type === 'inspect') post({ id: q.id, type: 'inspect', blocks: inspectFile(q.text) });
  else if (q.type === 'matrix') {
    // one row at a time, so the table fills in as it goes; the certificates once per row
    for (const [row, s] of q.rows.entries()) {
      let cells: MatrixCell[];
      try {
        const files = buildFiles(s);
        cells = SSL_MODES.map((mode) => {
          const r = simulateFiles(files, withSslMode(s.conninfo, mode), s);
          const message = r.ok ? '' : r.serverFatal !== undefined ? `FATAL:  ${r.serverFatal}` : r.message;
          return { mode, ok: r.ok, message };
        });
      } catch (e) {
        // the row's scenario is refused as input: every cell says so (runScenario gives the details)
        cells = SSL_MODES.map((mode) => ({ mode, ok: false, message: e instanceof Error ? e.message : String(e) }));
      }
      post({ id: q.id, type: 'matrix-row', row, cells, done: row === q.rows.length - 1 });
    }
  }
};
