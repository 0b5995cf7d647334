import { describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import { stateValidatorsSource } from '../../engine/state/precompile.js';
import { STATE_VALIDATOR_REFS, stateAjv } from '../../engine/state/schema.js';
import { entry, sampleState } from './helpers/fixtures.js';
import { importGenerated } from '../helpers/import-generated.js';

/**
 * The build precompiles the state schema (scripts/policy-validators.mjs). The precompiled
 * validators must judge every document, journal entry and map entry exactly as the run-time
 * compiled ones: same verdict, same errors (paths, keywords, params), valid and broken alike.
 */

type Name = keyof typeof STATE_VALIDATOR_REFS;

async function precompiled(): Promise<Record<Name, ValidateFunction>> {
  return importGenerated<Record<Name, ValidateFunction>>('state-validators.mjs', stateValidatorsSource());
}

function cases(): { name: Name; value: unknown }[] {
  const doc = sampleState(3, '11111111-1111-1111-1111-111111111111', 5);
  const person = Object.values(doc.people)[0];
  const registered = Object.values(doc.registry)[0];
  const attrs = Object.values(doc.last_applied.sandbox ?? {})[0];
  const journal = entry(1, '2026-01-05T00:00:00.000Z', 'stu-1');
  const valid: { name: Name; value: unknown }[] = [
    { name: 'state', value: doc },
    { name: 'journal', value: journal },
    { name: 'person', value: person },
    { name: 'registryEntry', value: registered },
    { name: 'attrs', value: attrs },
  ];
  const broken = valid.flatMap(({ name, value }) => [
    { name, value: { ...(value as object), surprise: 1 } },
    { name, value: JSON.parse(JSON.stringify(value).replace(/"20[0-9]{2}-[0-9]{2}-[0-9]{2}T[^"]*"/g, '"yesterday"').replace(/true/g, '"yes"')) as unknown },
    { name, value: [] },
    { name, value: null },
  ]);
  return [...valid, ...broken];
}

describe('precompiled state validators', () => {
  it('give the same verdicts and errors as the run-time compiled ones', async () => {
    const pre = await precompiled();
    const ajv = stateAjv();
    let valid = 0;
    let invalid = 0;
    for (const { name, value } of cases()) {
      const runtime = ajv.getSchema(STATE_VALIDATOR_REFS[name])!;
      const a = runtime(value);
      expect(pre[name](value), `${name} verdict`).toBe(a);
      expect(JSON.parse(JSON.stringify(pre[name].errors ?? null)), `${name} errors`).toEqual(JSON.parse(JSON.stringify(runtime.errors ?? null)));
      if (a) valid++;
      else invalid++;
    }
    expect(valid).toBeGreaterThanOrEqual(5);
    expect(invalid).toBeGreaterThanOrEqual(15);
  });
});
