import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GroupRule, Template } from '../../engine/model/policy.js';
import { ResolveCache } from '../../engine/resolve/resolve-cache.js';
import { compileTemplate, renderTemplate } from '../../engine/resolve/naming/template.js';

/**
 * Person-group intents are cached per combination of the values their templates read. The
 * cache must never hand one person another's group: its key must cover every field a template
 * reads, including fallbacks (`{preferredGiven}` falls back to `{given}`).
 */

function template(text: string): Template {
  const { template: t } = compileTemplate(text, { id: 'test' }, ['school', 'gradYear', 'given', 'preferredGiven', 'family', 'preferredFamily', 'middle', 'middleInitial']);
  if (!t) throw new Error(`bad template ${text}`);
  return t;
}

const TEMPLATES = ['{school|lower}-class-of-{gradYear}', 'team-{preferredGiven|lower}', '{middleInitial}{preferredFamily|upper}', 'All at {school}'];
const value = fc.constantFrom('', ' ', 'A', 'a', 'Zoë', 'x:1', '1:x', 'MHS');

describe('ResolveCache.personIntent', () => {
  it('gives the intent rendered directly from the person\'s values', () => {
    fc.assert(fc.property(
      fc.constantFrom(...TEMPLATES), fc.constantFrom(...TEMPLATES),
      fc.array(fc.record({ school: value, gradYear: value, given: value, preferredGiven: value, family: value, preferredFamily: value, middle: value }), { minLength: 1, maxLength: 30 }),
      (nameText, descText, people) => {
        const rule: GroupRule = { origin: { id: 'rule' }, when: {}, name: template(nameText), description: template(descText), forEach: 'person', membership: 'authoritative', targets: [] };
        const cache = new ResolveCache();
        for (const values of people) {
          const got = cache.personIntent(rule, values);
          expect(got.name).toBe(renderTemplate(rule.name, values));
          expect(got.description).toBe(renderTemplate(rule.description!, values));
        }
      }), { numRuns: 300 });
  });
});

describe('ResolveCache.enrollmentMap', () => {
  it('stops handing out the per-enrollment map once it holds `limit` entries', () => {
    const rule: GroupRule = { origin: { id: 'sections' }, when: {}, name: template('{school|lower}'), forEach: 'class', membership: 'authoritative', targets: [] };
    const cache = new ResolveCache();
    const map = cache.enrollmentMap(rule, 2);
    expect(map).not.toBeNull();
    map!.set({ classSourcedId: 'c1', role: 'student', primary: false }, null);
    expect(cache.enrollmentMap(rule, 2)).toBe(map);
    map!.set({ classSourcedId: 'c2', role: 'student', primary: false }, null);
    // Full: a reader that makes an object per enrollment row would otherwise grow it per row.
    expect(cache.enrollmentMap(rule, 2)).toBeNull();
    expect(cache.enrollmentMap(rule, 3)).toBe(map);
  });
});
