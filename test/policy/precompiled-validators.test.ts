import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import { policyValidatorsSource } from '../../engine/policy/precompile.js';
import { policyAjv, SCHEMA_NAMES, schemaFileName, type SchemaName } from '../../engine/policy/schemas.js';
import { MAPLEWOOD } from '../helpers/district.js';
import { importGenerated } from '../helpers/import-generated.js';

/**
 * The build precompiles the policy schemas (scripts/policy-validators.mjs). The precompiled
 * validators must judge every document exactly as the run-time compiled ones: same verdict,
 * same errors (paths, keywords, params), on the example policy and on broken variants.
 */

async function precompiled(): Promise<Record<SchemaName, ValidateFunction>> {
  return importGenerated<Record<SchemaName, ValidateFunction>>('policy-validators.mjs', policyValidatorsSource());
}

function documents(): { schema: SchemaName; doc: unknown }[] {
  const out: { schema: SchemaName; doc: unknown }[] = [{ schema: 'rollcall', doc: parse(readFileSync(join(MAPLEWOOD, 'rollcall.yaml'), 'utf8')) }];
  for (const f of readdirSync(join(MAPLEWOOD, 'policy'))) {
    const schema = f.replace(/\.yaml$/, '') as SchemaName;
    if (SCHEMA_NAMES.includes(schema)) out.push({ schema, doc: parse(readFileSync(join(MAPLEWOOD, 'policy', f), 'utf8')) });
  }
  const broken = out.flatMap(({ schema, doc }) => [
    { schema, doc: { ...(doc as object), surprise: 1 } },
    { schema, doc: JSON.parse(JSON.stringify(doc).replace(/"when":\{/g, '"when":{"gradeX":1,').replace(/"[0-9]{4}-[0-9]{2}-[0-9]{2}"/g, '"2026-13-45"')) as unknown },
    { schema, doc: [] },
  ]);
  return [...out, ...broken, { schema: 'decisions', doc: { renames: [{ person: 'p', to: '' }] } }];
}

describe('precompiled policy validators', () => {
  it('give the same verdicts and errors as the run-time compiled ones', async () => {
    const pre = await precompiled();
    const ajv = policyAjv();
    let invalid = 0;
    for (const { schema, doc } of documents()) {
      const runtime = ajv.getSchema(schemaFileName(schema))!;
      const a = runtime(doc);
      const b = pre[schema](doc);
      expect(b, `${schema} verdict`).toBe(a);
      expect(JSON.parse(JSON.stringify(pre[schema].errors ?? null)), `${schema} errors`).toEqual(JSON.parse(JSON.stringify(runtime.errors ?? null)));
      if (!a) invalid++;
    }
    expect(invalid).toBeGreaterThan(10);
  });
});
