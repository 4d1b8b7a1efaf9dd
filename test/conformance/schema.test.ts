// The expectations file's schema: the published JSON file is the one the validator uses, it
// is a valid JSON Schema that ajv accepts every example with, and a misspelled key is
// rejected with its line and column (fixed cases, and a property over every key the schema
// knows at every depth).

import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import {
  ConformanceInputError,
  EXPECTATIONS_SCHEMA,
  INVENTORY_SCHEMA,
  parseExpectations,
  parseInventory,
  type JsonSchema,
} from '../../src/conformance/index.js';

const ROOT = join(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const EXAMPLES = readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && readdirSync(join(ROOT, 'examples', d.name)).includes('pgtls-test.yaml'))
  .map((d) => d.name);

function issuesOf(text: string): ConformanceInputError {
  try {
    parseExpectations(text, 'x.yaml', '/tmp');
  } catch (e) {
    if (e instanceof ConformanceInputError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('schema/pgtls-test.schema.json', () => {
  it('is the schema the validator uses (and the inventory schema too)', () => {
    expect(JSON.parse(read('schema/pgtls-test.schema.json'))).toEqual(EXPECTATIONS_SCHEMA);
    expect(JSON.parse(read('schema/pgtls-inventory.schema.json'))).toEqual(INVENTORY_SCHEMA);
  });

  it('is a valid JSON Schema 2020-12 (ajv, strict) that accepts every example and rejects a misspelled key', () => {
    const ajv = new Ajv2020.default({ strict: true, allErrors: true });
    const validate = ajv.compile(JSON.parse(read('schema/pgtls-test.schema.json')));
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(5);
    for (const e of EXAMPLES) {
      const ok = validate(parse(read(`examples/${e}/pgtls-test.yaml`)));
      expect(ok, `${e}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate(parse('servers:\n  db:\n    pgdtaa: x\n'))).toBe(false);
    const inv = ajv.compile(JSON.parse(read('schema/pgtls-inventory.schema.json')));
    expect(inv(parse(read('examples/fleet/inventory.yaml')))).toBe(true);
  });
});

describe('misspelled keys', () => {
  it('a top-level key: line, column and the nearest name', () => {
    const e = issuesOf('version: 1\nservers:\n  db: { pgdata: d }\nconections:\n  - conninfo: x\n    connects: true\n');
    expect(e.kind).toBe('schema');
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ line: 4, col: 1, path: 'conections' });
    expect(e.message).toMatch(/^x\.yaml:4:1: conections: unknown key "conections" \(did you mean "connections"\?\)/);
  });

  it('a nested key and a wrong enum value, each where it is', () => {
    const e = issuesOf(
      [
        'servers:',
        '  db:',
        '    pgdata: d',
        'profiles:',
        '  app:',
        '    files:',
        '      sslrotcert: r.crt',
        'connections:',
        '  - conninfo: x',
        '    fails:',
        '      step: handshak',
        '',
      ].join('\n'),
    );
    expect(e.issues.map((i) => [i.line, i.col, i.path])).toEqual([
      [7, 7, 'profiles.app.files.sslrotcert'],
      [11, 13, 'connections[0].fails.step'],
    ]);
    expect(e.issues[0].message).toMatch(/did you mean "sslrootcert"/);
    expect(e.issues[1].message).toMatch(/did you mean "handshake"/);
  });

  it('references: an unknown profile or server, message and pattern together, a bad pattern', () => {
    const e = issuesOf(
      [
        'servers:',
        '  db: { pgdata: d }',
        'connections:',
        '  - conninfo: x',
        '    profile: nope',
        '    server: other',
        '    fails: { message: a, pattern: "(" }',
        '',
      ].join('\n'),
    );
    expect(e.kind).toBe('reference');
    expect(e.message).toMatch(/x\.yaml:5:14: connections\.0\.profile: no profile named "nope"/);
    expect(e.message).toMatch(/x\.yaml:6:13: connections\.0\.server: no server named "other"/);
    expect(e.message).toMatch(/give "message" or "pattern", not both/);
    expect(e.message).toMatch(/not a regular expression/);
  });

  it('YAML syntax errors carry their position', () => {
    const e = issuesOf('servers:\n  db: [unclosed\n');
    expect(e.kind).toBe('yaml-syntax');
    expect(e.issues[0].line).toBeGreaterThan(1);
  });

  it('any key the schema knows, misspelled at its own depth, is reported at its line and column', () => {
    // a valid document with one key of every object the schema defines, one per line
    const lines = [
      'version: 1',
      'defaults:',
      '  pgVersion: 15',
      'servers:',
      '  db:',
      '    pgdata: d',
      '    host: h',
      'profiles:',
      '  app:',
      '    files:',
      '      sslrootcert: r',
      '    env: { A: b }',
      'connections:',
      '  - conninfo: x',
      '    connects: true',
      '    fails:',
      '      step: handshake',
      'matrices:',
      '  - conninfo: x',
      '    sslmodes: [disable]',
      'properties:',
      '  - noSha1: true',
      '    keys:',
      '      minRsaBits: 2048',
    ];
    const keyLines = lines
      .map((l, i) => ({ i, m: /^(\s*(?:- )?)([A-Za-z]+):/.exec(l) }))
      .filter((x) => x.m && !['db', 'app', 'A'].includes(x.m[2]));
    const allKeys = new Set<string>();
    const collect = (s: JsonSchema) => {
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        allKeys.add(k);
        collect(v);
      }
      if (typeof s.additionalProperties === 'object') collect(s.additionalProperties);
      if (s.items) collect(s.items);
    };
    collect(EXPECTATIONS_SCHEMA);
    for (const d of Object.values(EXPECTATIONS_SCHEMA.$defs ?? {})) collect(d);
    fc.assert(
      fc.property(fc.constantFrom(...keyLines), fc.nat(), fc.constantFrom('x', 'Q', '_'), ({ i, m }, at, ch) => {
        const key = m![2];
        const pos = at % (key.length + 1);
        const typo = key.slice(0, pos) + ch + key.slice(pos);
        fc.pre(!allKeys.has(typo));
        const text = lines.map((l, j) => (j === i ? l.replace(`${key}:`, `${typo}:`) : l)).join('\n');
        let err: ConformanceInputError | undefined;
        try {
          parseExpectations(text, 'x.yaml', '/tmp');
        } catch (e) {
          if (!(e instanceof ConformanceInputError)) throw e;
          err = e;
        }
        expect(err?.kind).toBe('schema');
        const unknown = err!.issues.filter((x) => x.message.startsWith(`unknown key "${typo}"`));
        expect(unknown).toHaveLength(1);
        expect(unknown[0].line).toBe(i + 1);
        expect(unknown[0].col).toBe(m![1].length + 1);
      }),
    );
  });

  it('an inventory with a misspelled key or a duplicate name is refused', () => {
    expect(() => parseInventory('servers:\n  - name: a\n    hots: x\n', 'inv.yaml', '/tmp')).toThrow(
      /inv\.yaml:3:5: servers\[0\]\.hots: unknown key "hots" \(did you mean "host"\?\)/,
    );
    expect(() => parseInventory('servers:\n  - name: a\n  - name: a\n', 'inv.yaml', '/tmp')).toThrow(/listed twice/);
  });
});
