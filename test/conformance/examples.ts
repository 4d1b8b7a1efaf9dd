// The examples under examples/ as the conformance tests use them.

import { chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');

/** The docs' three recipes and the client-certificate setup. */
export const EXAMPLES = ['self-signed', 'root-server', 'chain', 'client-cert'];

/** git keeps no file modes but the executable bit: the keys come out 0644, which both libpq and the server refuse. */
export function fixExampleKeyModes(): void {
  for (const e of EXAMPLES)
    for (const d of ['pgdata', 'client']) {
      const dir = join(ROOT, 'examples', e, d);
      for (const f of readdirSync(dir)) if (f.endsWith('.key')) chmodSync(join(dir, f), 0o600);
    }
}
