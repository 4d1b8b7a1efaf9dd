// The JSON Schema subset schema.ts uses (type, properties, additionalProperties, required,
// enum, const, items, minimum/maximum, minItems, $ref into $defs), checked on the YAML
// parser's nodes rather than on plain values so every problem carries the line and column
// of the key or value at fault. A misspelled key also gets the nearest allowed name.
// Why not ajv: it validates plain values and reports JSON pointers; mapping those back to
// YAML positions costs as much as this walk, and the core stays free of a code generator.

import { isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import type { JsonSchema } from './schema.js';

export interface SchemaIssue {
  /** 1-based */
  line: number;
  col: number;
  /** the path of the value, e.g. servers.main.pgdata */
  path: string;
  message: string;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
  return d[a.length][b.length];
}

/** The allowed name closest to a misspelled one, when it is close. */
export function nearest(word: string, names: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = distance(word, n);
    if (d < bestD) [best, bestD] = [n, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

const typeOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;

export function validateNode(root: Node | null, schema: JsonSchema, lc: LineCounter): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const at = (node: { range?: [number, number, number] | null } | null | undefined, path: string, message: string) => {
    const pos = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
    issues.push({ line: pos.line, col: pos.col, path: path || '(top)', message });
  };
  const resolve = (s: JsonSchema): JsonSchema => {
    if (!s.$ref) return s;
    const name = s.$ref.replace('#/$defs/', '');
    const target = schema.$defs?.[name];
    if (!target) throw new Error(`schema: no $defs/${name}`);
    return target;
  };
  const walk = (node: Node | null | undefined, s0: JsonSchema, path: string): void => {
    const s = resolve(s0);
    const want = s.type;
    if (want === 'object') {
      if (!isMap(node)) return at(node, path, `must be a mapping (key: value), not ${describe(node)}`);
      const seen = new Set<string>();
      for (const item of node.items as Pair<Node, Node>[]) {
        const keyNode = item.key;
        const key = isScalar(keyNode) ? String(keyNode.value) : '';
        const p = path ? `${path}.${key}` : key;
        seen.add(key);
        const ps = s.properties?.[key];
        if (ps) walk(item.value, ps, p);
        else if (s.additionalProperties === false) {
          const near = nearest(key, Object.keys(s.properties ?? {}));
          at(
            keyNode,
            p,
            `unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}; allowed: ${Object.keys(s.properties ?? {}).join(', ')}`,
          );
        } else if (typeof s.additionalProperties === 'object') walk(item.value, s.additionalProperties, p);
      }
      for (const r of s.required ?? []) if (!seen.has(r)) at(node, path, `missing required key "${r}"`);
      return;
    }
    if (want === 'array') {
      if (!isSeq(node)) return at(node, path, `must be a list, not ${describe(node)}`);
      if (s.minItems !== undefined && node.items.length < s.minItems) at(node, path, `needs at least ${s.minItems} item(s)`);
      node.items.forEach((it, i) => {
        if (s.items) walk(it as Node, s.items, `${path}[${i}]`);
      });
      return;
    }
    if (!isScalar(node)) return at(node, path, `must be ${want === 'integer' ? 'an integer' : `a ${want}`}, not ${describe(node)}`);
    const v = node.value;
    const t = typeOf(v);
    const ok = want === undefined || t === want || (want === 'number' && t === 'integer');
    if (!ok)
      return at(
        node,
        path,
        `must be ${want === 'integer' ? 'an integer' : `a ${want}`}, not ${t === 'null' ? 'empty' : `${t} ${JSON.stringify(v)}`}`,
      );
    if (s.const !== undefined && v !== s.const) return at(node, path, `must be ${JSON.stringify(s.const)}`);
    if (s.enum && !s.enum.includes(v as string)) {
      const near = typeof v === 'string' ? nearest(v, s.enum.map(String)) : undefined;
      return at(node, path, `${JSON.stringify(v)} is not one of ${s.enum.join(', ')}${near ? ` (did you mean "${near}"?)` : ''}`);
    }
    if (typeof v === 'number' && s.minimum !== undefined && v < s.minimum) at(node, path, `must be at least ${s.minimum}`);
    if (typeof v === 'number' && s.maximum !== undefined && v > s.maximum) at(node, path, `must be at most ${s.maximum}`);
  };
  walk(root, schema, '');
  return issues;
}

function describe(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isPair(node)) return 'a pair';
  if (isScalar(node)) return node.value === null ? 'empty' : `${typeOf(node.value)} ${JSON.stringify(node.value)}`;
  return 'nothing';
}
