// `pgtls test --init --pgdata DIR`: a starting expectations file (not written yet).

import { UsageError } from './args.js';

export async function init(_opts: unknown): Promise<number> {
  throw new UsageError('--init is not available yet');
}
