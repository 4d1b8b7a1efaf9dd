// Every step of a handshake recorded as data: which RFC step ran, on which side, for which
// message, the key fields it read or wrote, the secrets it derived (name + hex), the checks
// it made with their results, and the alert it sent or received. The simulator and the
// teaching output render these entries; `formatTrace` is the plain-text rendering.

import { toHex } from '../der/bytes.js';
import type { AlertName } from './alerts.js';
import { Refusal } from './errors.js';

export type Role = 'client' | 'server';

export interface TraceCheck {
  check: string;
  ok: boolean;
  detail?: string;
  /** the alert a failure of this check sends */
  alert?: AlertName;
}

export interface TraceEntry {
  seq: number;
  /** function name of the RFC step, e.g. processServerHello */
  step: string;
  /** RFC 8446 section the step implements */
  rfc?: string;
  who: Role;
  direction: 'recv' | 'send' | 'local';
  /** message title (ClientHello, Finished, ...) when the step is about one */
  message?: string;
  fields: Record<string, unknown>;
  secrets: { name: string; hex: string }[];
  checks: TraceCheck[];
  alert?: { name: string; code: number; direction: 'sent' | 'received'; level: 'fatal' | 'warning'; reason?: string };
  state?: { from: string; to: string };
}

/** Builder for one entry; `check` records a check and hands back the refusal a failure means. */
export class StepTrace {
  constructor(readonly entry: TraceEntry) {}

  field(name: string, value: unknown): this {
    this.entry.fields[name] = value instanceof Uint8Array ? toHex(value) : value;
    return this;
  }
  fields(f: Record<string, unknown>): this {
    for (const [k, v] of Object.entries(f)) this.field(k, v);
    return this;
  }
  secret(name: string, value: Uint8Array): this {
    this.entry.secrets.push({ name, hex: toHex(value) });
    return this;
  }
  /**
   * Record a check. A failed check returns the Refusal that ends the handshake with `alert`
   * (RFC wording in `detail`; `opensslReason`: what OpenSSL's error queue says for the same
   * refusal), which the step returns: `const no = t.check(...); if (no) return no;`.
   */
  check(check: string, ok: boolean, alert: AlertName, detail?: string, opensslReason?: string): Refusal | undefined {
    if (!ok) return this.refuse(check, alert, detail, opensslReason);
    this.entry.checks.push({ check, ok, ...(detail ? { detail } : {}) });
    return undefined;
  }
  /** A check on a value that must be there: the value, or the Refusal its absence means. */
  require<T>(check: string, value: T | undefined, alert: AlertName, detail?: string, opensslReason?: string): T | Refusal {
    if (value === undefined) return this.refuse(check, alert, detail, opensslReason);
    this.entry.checks.push({ check, ok: true, ...(detail ? { detail } : {}) });
    return value;
  }
  /** A check that failed: recorded, and its Refusal returned. */
  refuse(check: string, alert: AlertName, detail?: string, opensslReason?: string): Refusal {
    this.entry.checks.push({ check, ok: false, ...(detail ? { detail } : {}), alert });
    return new Refusal(alert, detail ? `${check}: ${detail}` : check, opensslReason);
  }
  /** A check that never aborts (recorded for teaching output). */
  note(check: string, ok: boolean, detail?: string): void {
    this.entry.checks.push({ check, ok, ...(detail ? { detail } : {}) });
  }
}

export function newEntry(
  seq: number,
  who: Role,
  step: string,
  direction: TraceEntry['direction'],
  rfc?: string,
  message?: string,
): TraceEntry {
  return { seq, step, who, direction, ...(rfc ? { rfc } : {}), ...(message ? { message } : {}), fields: {}, secrets: [], checks: [] };
}

/** Plain text, one block per step. */
export function formatTrace(entries: readonly TraceEntry[]): string {
  const lines: string[] = [];
  for (const e of entries) {
    const arrow = e.direction === 'recv' ? '<-' : e.direction === 'send' ? '->' : '  ';
    lines.push(
      `${String(e.seq).padStart(3)} ${e.who.padEnd(6)} ${arrow} ${e.step}${e.message ? ` [${e.message}]` : ''}${e.rfc ? ` (RFC 8446 §${e.rfc})` : ''}`,
    );
    if (e.state) lines.push(`      state ${e.state.from} -> ${e.state.to}`);
    for (const [k, v] of Object.entries(e.fields)) lines.push(`      ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    for (const s of e.secrets) lines.push(`      secret ${s.name} = ${s.hex}`);
    for (const c of e.checks)
      lines.push(`      ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}${c.detail ? ` (${c.detail})` : ''}${c.alert ? ` -> ${c.alert}` : ''}`);
    if (e.alert)
      lines.push(
        `      alert ${e.alert.direction}: ${e.alert.level} ${e.alert.name}(${e.alert.code})${e.alert.reason ? `: ${e.alert.reason}` : ''}`,
      );
  }
  return lines.join('\n');
}
