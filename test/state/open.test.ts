import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/model/errors.js';
import { openStateBackend, stateConfigFromSpec } from '../../engine/state/index.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('openStateBackend', () => {
  it('puts local state at .rollcall/state.json in the policy repo by default, or at the given path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rollcall-open-'));
    dirs.push(dir);
    expect(openStateBackend({ backend: 'local', settings: {} }, dir, {}).description).toBe(`local:${join(dir, '.rollcall', 'state.json')}`);
    expect(openStateBackend({ backend: 'local', settings: { path: 'st/s.json' } }, dir, {}).description).toBe(`local:${join(dir, 'st', 's.json')}`);
    expect(() => openStateBackend({ backend: 'local', settings: { path: 3 } }, dir, {})).toThrow(InputError);
  });

  it('names the holder after the CI actor when there is one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rollcall-open-'));
    dirs.push(dir);
    const b = openStateBackend({ backend: 'local', settings: {} }, dir, { GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'octo-admin' });
    const lock = await b.lock('apply', 0);
    expect(lock.info.holder).toMatch(/^octo-admin \(github-actions\) on .+ pid \d+$/);
    await lock.release();
  });

  it('reads the postgres URL from the named environment variable, never from the policy', () => {
    const url = 'postgres://rc:s3cret-pw@127.0.0.1:1/db';
    const b = openStateBackend({ backend: 'postgres', settings: { workspace: 'w1', schema: 'rc' } }, '/x', { ROLLCALL_PG_URL: url });
    expect(b.description).toBe('postgres:postgres://127.0.0.1:1/db schema rc workspace w1');
    void b.close();
    const c = openStateBackend({ backend: 'postgres', settings: { connectionStringEnv: 'MY_PG' } }, '/x', { MY_PG: url });
    expect(c.description).not.toContain('s3cret');
    void c.close();
    const missing = (() => {
      try {
        openStateBackend({ backend: 'postgres', settings: {} }, '/x', {});
      } catch (e) {
        return e;
      }
    })();
    expect(missing).toBeInstanceOf(InputError);
    expect((missing as Error).message).toContain('ROLLCALL_PG_URL');
    expect(() => openStateBackend({ backend: 'postgres', settings: { connectionString: url } }, '/x', { ROLLCALL_PG_URL: url })).toThrow(InputError);
  });

  it('parses backend specs from the command line, refusing inline connection strings', () => {
    expect(stateConfigFromSpec('local')).toEqual({ backend: 'local', settings: {} });
    expect(stateConfigFromSpec('local:/tmp/s.json')).toEqual({ backend: 'local', settings: { path: '/tmp/s.json' } });
    expect(stateConfigFromSpec('postgres:schema=rc,workspace=north,connectionStringEnv=PG')).toEqual({
      backend: 'postgres',
      settings: { schema: 'rc', workspace: 'north', connectionStringEnv: 'PG' },
    });
    expect(stateConfigFromSpec('postgres')).toEqual({ backend: 'postgres', settings: {} });
    const inline = (() => {
      try {
        stateConfigFromSpec('postgres://u:pw-secret@h/db');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(inline).toBeInstanceOf(InputError);
    expect(inline?.message).not.toContain('pw-secret');
    expect(() => stateConfigFromSpec('postgres:url=postgres://u:pw@h/db')).toThrow(InputError);
    expect(() => stateConfigFromSpec('s3:bucket')).toThrow(InputError);
  });
});
