import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTestFile } from '../../engine/policytest/parse.js';
import { MAPLEWOOD, REPO } from '../helpers/district.js';

const schema: unknown = JSON.parse(readFileSync(join(REPO, 'schemas/policytest.schema.json'), 'utf8'));

function eachObjectSchema(node: unknown, visit: (o: Record<string, unknown>, where: string) => void, where = '#'): void {
  if (Array.isArray(node)) node.forEach((n, i) => eachObjectSchema(n, visit, `${where}/${i}`));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.properties) visit(o, where);
    for (const [k, v] of Object.entries(o)) eachObjectSchema(v, visit, `${where}/${k}`);
  }
}

describe('schemas/policytest.schema.json', () => {
  it('closes every object and describes every property, for editors', () => {
    let objects = 0;
    eachObjectSchema(schema, (o, where) => {
      objects++;
      expect(o.additionalProperties, where).toBe(false);
      for (const [k, sub] of Object.entries(o.properties as Record<string, { description?: string }>)) {
        expect(typeof sub.description === 'string' && sub.description.length > 0, `${where}/properties/${k}`).toBe(true);
      }
    });
    expect(objects).toBeGreaterThan(5);
  });

  it('is named by the $schema line of every example test file', () => {
    const files = readdirSync(join(MAPLEWOOD, 'tests')).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      expect(readFileSync(join(MAPLEWOOD, 'tests', f), 'utf8').split('\n')[0], f).toBe('# yaml-language-server: $schema=../../../schemas/policytest.schema.json');
    }
  });

  it('rejects a wrong lifecycle state and a missing `now`, each at its line', () => {
    const text = ['tests:', '  - name: a', '    people: [{ id: a, given: A, family: B }]', '    expect:', '      a: { lifecycle: retired }', '  - name: b', '    expect: { a: { username: x } }', ''].join('\n');
    const first = parseTestFile('t.yaml', text);
    expect(first.cases).toEqual([]);
    expect(first.diagnostics.map((d) => d.source?.line)).toContain(5);
    const second = parseTestFile('t.yaml', text.replace('retired', 'active'));
    expect(second.diagnostics).toEqual([expect.objectContaining({ code: 'policytest.now', source: expect.objectContaining({ line: 2 }) }), expect.objectContaining({ code: 'policytest.now', source: expect.objectContaining({ line: 6 }) })]);
  });
});
