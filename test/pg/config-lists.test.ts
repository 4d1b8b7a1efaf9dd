// lists.ts: the two list rules PostgreSQL has for comma-separated settings.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitDirectoryList, splitGucList } from '../../src/pg/config/lists.js';

describe('setting lists', () => {
  it.each([
    ['a, b ,c', ['a', 'b', 'c'], ['a', 'b', 'c']],
    ['', [], []],
    ['  ', [], []],
    ['"x,y", z', ['x,y', 'z'], ['x,y', 'z']],
    ['"a""b"', ['a"b'], ['a"b']],
    ['my dir, b', undefined, ['my dir', 'b']],
    ['"", a', undefined, ['', 'a']],
    ['a,,b', undefined, undefined],
    ['a,', undefined, undefined],
    ['"open', undefined, undefined],
    ['"q" x', undefined, undefined],
  ] as const)('%j: SplitGUCList %j, SplitDirectoriesString %j', (s, guc, dirs) => {
    expect(splitGucList(s)).toEqual(guc);
    expect(splitDirectoryList(s)).toEqual(dirs);
  });

  it('quoting any names round-trips through both', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 5 }), (names) => {
        const text = names.map((n) => `"${n.replace(/"/g, '""')}"`).join(' , ');
        expect(splitGucList(text)).toEqual(names);
        expect(splitDirectoryList(text)).toEqual(names);
      }),
    );
  });
});
