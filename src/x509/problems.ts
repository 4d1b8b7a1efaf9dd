// The problem list every x509 parser fills: what OpenSSL would object to later (a bad
// extension, a malformed field) is recorded as a StructureProblem instead of failing the parse.

import { DerError } from '../der/index.js';
import type { StructureProblem } from './types.js';

/** Collects problems found while decoding; `oid` names the extension being decoded. */
export class Problems {
  readonly list: StructureProblem[] = [];
  add(code: StructureProblem['code'], message: string, extra: Partial<StructureProblem> = {}): void {
    this.list.push({ code, message, ...extra });
  }
  /** Run a decoder; a DerError becomes a problem of `code` instead of escaping. */
  attempt<T>(code: StructureProblem['code'], what: string, fn: () => T, extra: Partial<StructureProblem> = {}): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof DerError)) throw e;
      this.add(code, `${what}: ${e.message}`, { ...extra, error: e });
      return undefined;
    }
  }
}
