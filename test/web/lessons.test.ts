// The page's lessons run through the same code the page's worker runs (web/src/run.ts, in
// Node here): each lesson's mistake must fail and its fix must connect, else the lesson
// teaches nothing. The browser test (page.test.ts) checks the page shows these verdicts.

import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../web/src/lessons.js';
import { runScenario } from '../../web/src/run.js';

describe('web lessons', () => {
  for (const l of LESSONS) {
    it(`${l.id}: the mistake fails, the fix connects`, () => {
      const broken = runScenario(l.broken);
      const fixed = runScenario(l.fixed);
      expect(broken.inputError, broken.inputError).toBeUndefined();
      expect({ ok: broken.ok, message: broken.message }).toMatchObject({ ok: false });
      expect(broken.message.length).toBeGreaterThan(0);
      expect({ ok: fixed.ok, message: fixed.message, fix: fixed.fix }).toMatchObject({ ok: true });
      console.log(
        `${l.id}: ${broken.message.split('\n')[0]} | fix: ${broken.fix} | ${broken.simMs.toFixed(0)} ms / ${fixed.simMs.toFixed(0)} ms`,
      );
    });
  }
});
