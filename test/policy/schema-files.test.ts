import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const schemas = path.join(repo, 'schemas');
const POLICY_SCHEMAS = ['common', 'rollcall', 'naming', 'placement', 'groups', 'lifecycle', 'safety', 'passwords'];

/** Walks a schema, calling `visit` on every object that declares `properties`. */
function eachPropertiesObject(node: unknown, visit: (props: Record<string, unknown>, where: string) => void, where = '#'): void {
  if (Array.isArray(node)) node.forEach((n, i) => eachPropertiesObject(n, visit, `${where}/${i}`));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') visit(o.properties as Record<string, unknown>, where);
    for (const [k, v] of Object.entries(o)) eachPropertiesObject(v, visit, `${where}/${k}`);
  }
}

describe('policy JSON Schemas', () => {
  it('describe every property, so editors can show help', () => {
    for (const name of POLICY_SCHEMAS) {
      const schema: unknown = JSON.parse(readFileSync(path.join(schemas, `${name}.schema.json`), 'utf8'));
      eachPropertiesObject(schema, (props, where) => {
        for (const [key, sub] of Object.entries(props)) {
          const desc = (sub as { description?: unknown }).description;
          // `else` branches restate properties declared above with their descriptions.
          expect(typeof desc === 'string' && desc.length > 0, `${name}.schema.json ${where}/properties/${key}`).toBe(true);
        }
      });
    }
  });

  it('close every object schema that declares properties (unknown keys are errors), except targets and REST sis settings', () => {
    for (const name of POLICY_SCHEMAS) {
      const schema: unknown = JSON.parse(readFileSync(path.join(schemas, `${name}.schema.json`), 'utf8'));
      eachPropertiesObject(schema, (_props, where) => {
        if (where.includes('/targets/additionalProperties') || where === '#/properties/sis' || where.endsWith('/if')) return;
        const node = where.split('/').slice(1).reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], schema) as Record<string, unknown>;
        expect(node.additionalProperties, `${name}.schema.json ${where}`).toBe(false);
      });
    }
  });

  it('are the files the example policy names in its $schema comments', () => {
    const example = path.join(repo, 'examples', 'maplewood');
    const files = ['rollcall.yaml', ...readdirSync(path.join(example, 'policy')).filter((f) => f.endsWith('.yaml')).map((f) => `policy/${f}`)];
    for (const rel of files) {
      const first = readFileSync(path.join(example, rel), 'utf8').split('\n')[0] ?? '';
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(m, rel).not.toBeNull();
      const target = path.resolve(path.dirname(path.join(example, rel)), m?.[1] ?? '');
      expect(existsSync(target), `${rel} -> ${target}`).toBe(true);
      const expected = rel === 'rollcall.yaml' ? 'rollcall.schema.json' : `${path.basename(rel, '.yaml')}.schema.json`;
      expect(path.basename(target)).toBe(expected);
    }
  });
});
