// The messages between the page and its worker (structured-clone data only).

import type { Scenario } from './model.js';
import type { BlockView, RunView } from './run.js';

export type Request =
  | { id: number; type: 'run'; scenario: Scenario }
  | { id: number; type: 'inspect'; text: string | Uint8Array }
  | { id: number; type: 'matrix'; rows: Scenario[] };

export interface MatrixCell {
  mode: string;
  ok: boolean;
  message: string;
}

export type Response =
  | { id: number; type: 'run'; view: RunView }
  | { id: number; type: 'inspect'; blocks: BlockView[] }
  | { id: number; type: 'matrix-row'; row: number; cells: MatrixCell[]; done: boolean };
