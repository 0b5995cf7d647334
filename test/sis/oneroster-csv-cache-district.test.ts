import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDistrict, PRESETS } from '../../scripts/generate-district.js';
import { readOneRosterCsv } from '../../providers/sis/oneroster-csv/index.js';
import { col, editUser, readCsv, writeCsv } from '../helpers/district.js';

/**
 * A generated district (ids in no particular order, thousands of rows per file) read from the
 * parse cache gives exactly the roster and warnings of a parse: the same people in the same
 * order, with the same enrollments, roles, classes and orgs, field for field; whether or not
 * the read keeps record ids. Also with warnings that only the whole-roster checks give.
 */

const temps: string[] = [];
const tmp = async (prefix: string) => {
  const d = await mkdtemp(path.join(tmpdir(), prefix));
  temps.push(d);
  return d;
};
afterAll(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
});

let clean: string;
let warned: string;

beforeAll(async () => {
  clean = path.join(await tmp('rollcall-cache-district-'), 'sis');
  await generateDistrict({ ...PRESETS.maplewood!, people: 1200, seed: 515151 }, clean);
  warned = path.join(await tmp('rollcall-cache-district-warned-'), 'sis');
  await generateDistrict({ ...PRESETS.maplewood!, people: 900, seed: 616161 }, warned);
  // Warnings from the roster checks only (users.csv itself reads cleanly): two people share an
  // email (in other letter case), one has no role, and two look like one person twice.
  const users = readCsv(path.join(warned, 'users.csv'));
  const id = (k: number) => users.rows[k]![col(users, 'sourcedId')]!;
  editUser(warned, id(3), { email: 'Same.Person@example.org' });
  editUser(warned, id(7), { email: 'same.person@example.org' });
  editUser(warned, id(11), { givenName: 'Twin', familyName: 'Twin' });
  editUser(warned, id(12), { givenName: 'Twin', familyName: 'Twin' });
  const roles = readCsv(path.join(warned, 'roles.csv'));
  roles.rows = roles.rows.filter((r) => r[col(roles, 'userSourcedId')] !== id(5));
  writeCsv(path.join(warned, 'roles.csv'), roles);
  const demo = { header: ['sourcedId', 'status', 'dateLastModified', 'birthDate', 'sex', 'cityOfBirth'], rows: [id(11), id(12), id(13)].map((u) => [u, '', '', '2012-03-04', 'female', 'Springfield']) };
  writeCsv(path.join(warned, 'demographics.csv'), demo);
}, 60_000);

const read = (dir: string, opts: Parameters<typeof readOneRosterCsv>[1]) => readOneRosterCsv(dir, opts);

describe('parse cache on a generated district', () => {
  for (const which of ['clean', 'warned'] as const) {
    it(`gives the roster and warnings of a parse (${which})`, async () => {
      const dir = which === 'clean' ? clean : warned;
      const cache = await tmp('rollcall-cache-district-dir-');
      const plain = await read(dir, {});
      const plainNoIds = await read(dir, { recordIds: false });
      if (which === 'warned') {
        const codes = new Set(plain.warnings.map((w) => w.code));
        for (const c of ['oneroster.duplicate-email', 'oneroster.no-role', 'oneroster.duplicate-person']) expect(codes).toContain(c);
      } else expect(plain.warnings).toEqual([]);
      // The people are not in sourcedId order in the file: the cache must give the roster's order.
      const users = readCsv(path.join(dir, 'users.csv'));
      const ids = users.rows.map((r) => r[col(users, 'sourcedId')]!);
      expect(ids).not.toEqual([...ids].sort());

      const primed = await read(dir, { cacheDir: cache });
      expect(JSON.stringify(primed)).toBe(JSON.stringify(plain));
      const files = await readdir(cache);
      for (const f of ['classes.bin', 'users.bin', 'roles.bin', 'enrollments.bin']) expect(files).toContain(f);

      const again = await read(dir, { cacheDir: cache, cacheWrite: false });
      expect(again).toEqual(plain);
      expect(JSON.stringify(again)).toBe(JSON.stringify(plain));
      const noIds = await read(dir, { cacheDir: cache, cacheWrite: false, recordIds: false });
      expect(noIds).toEqual(plainNoIds);
      expect(JSON.stringify(noIds)).toBe(JSON.stringify(plainNoIds));
      // A capped warning list gives the same counts from the cache.
      expect(await read(dir, { cacheDir: cache, cacheWrite: false, warningCap: 1 })).toEqual(await read(dir, { warningCap: 1 }));
    }, 60_000);
  }
});
