import { afterEach, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../engine/model/diagnostics.js';
import { InputError } from '../../engine/model/errors.js';
import { readOneRosterRest } from '../../providers/sis/oneroster-rest/index.js';
import { type CollectionName, type Json, type OneRosterEmulator, startOneRosterEmulator, type Version } from '../emulators/oneroster/index.js';
import { smallDistrict } from '../emulators/oneroster/small-district.js';

/**
 * Bad data over REST: the same checks and codes as the CSV reader, every problem in one
 * InputError, each naming `endpoint[index]` (REST has no lines) and the offending id.
 */

const ENV = { OR_ID: 'c', OR_SECRET: 's3cr3t' };
const V12 = '/ims/oneroster/rostering/v1p2';
let emus: OneRosterEmulator[] = [];
afterEach(async () => {
  await Promise.all(emus.map((e) => e.stop()));
  emus = [];
});

type Edit = Partial<Record<CollectionName, (records: Json[]) => Json[]>>;

async function readWith(version: Version, edit: Edit) {
  const e = await startOneRosterEmulator({
    district: smallDistrict(6),
    clients: [{ id: ENV.OR_ID, secret: ENV.OR_SECRET }],
    transform: (v, c, rs) => (v === version && edit[c] ? edit[c](rs.map((r) => structuredClone(r))) : rs),
  });
  emus.push(e);
  const settings = { version, clientIdEnv: 'OR_ID', clientSecretEnv: 'OR_SECRET', tokenUrl: e.tokenUrl, pageSize: 4 };
  return readOneRosterRest({ location: e.url, settings, env: ENV });
}

async function errorsOf(version: Version, edit: Edit): Promise<Diagnostic[]> {
  const err = await readWith(version, edit).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(err).toBeInstanceOf(InputError);
  return (err as InputError).diagnostics;
}

const at = (rs: Json[], id: string) => rs.find((r) => r.sourcedId === id)!;

describe('bad data over REST', () => {
  it('reports every error at once, each at endpoint[index] with the id, and no line numbers', async () => {
    const diags = await errorsOf('1.2', {
      users: (rs) => {
        rs.push({ ...at(rs, 'stu-0001') }); // duplicate sourcedId, index 10
        at(rs, 'stu-0002').status = 'inactive';
        (at(rs, 'stu-0003').roles as Json[])[0]!.role = 'pupil';
        return rs;
      },
      enrollments: (rs) => {
        (at(rs, 'enr-0004').class as Json).sourcedId = 'cls-missing';
        return rs;
      },
    });
    const errors = diags.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.code, d.source?.file])).toEqual(
      expect.arrayContaining([
        ['oneroster.duplicate-sourcedid', `${V12}/users[10]`],
        ['oneroster.invalid-enum', `${V12}/users[2]`],
        ['oneroster.invalid-enum', `${V12}/users[3]`],
        ['oneroster.dangling-ref', `${V12}/enrollments[4]`],
      ]),
    );
    expect(errors.find((d) => d.code === 'oneroster.duplicate-sourcedid')!.summary).toBe(`users: duplicate sourcedId "stu-0001" (first at ${V12}/users[1])`);
    expect(errors.find((d) => d.source?.file === `${V12}/users[2]`)!.summary).toMatch(/invalid status "inactive"/);
    expect(errors.find((d) => d.source?.file === `${V12}/users[3]`)!.summary).toMatch(/users stu-0003 roles\[0\]: invalid role "pupil"/);
    expect(errors.find((d) => d.code === 'oneroster.dangling-ref')!.summary).toBe('enrollment enr-0004 references class "cls-missing", which is not in the set');
    expect(diags.every((d) => d.source?.line === undefined && d.source?.column === undefined)).toBe(true);
  });

  it('a role at a missing org is a dangling reference; a student enrolled only at the district has no school', async () => {
    const diags = await errorsOf('1.2', {
      users: (rs) => {
        ((at(rs, 'stu-0000').roles as Json[])[0]!.org as Json).sourcedId = 'sch-gone';
        ((at(rs, 'stu-0001').roles as Json[])[0]!.org as Json).sourcedId = 'dist';
        return rs;
      },
    });
    const errors = diags.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.code, d.source?.file])).toEqual([
      ['oneroster.dangling-ref', `${V12}/users[0]`],
      ['oneroster.student-without-school', `${V12}/users[1]`],
    ]);
    expect(errors[0]!.summary).toBe('role stu-0000 roles[0] references org "sch-gone", which is not in the set');
    expect(errors[1]!.summary).toBe('user stu-0001 is a student with no school: org "dist" is a district');
  });

  it('required fields and record shapes', async () => {
    const diags = await errorsOf('1.2', {
      orgs: (rs) => [...rs, 'not an object' as unknown as Json, { name: 'No id', type: 'school' }],
      classes: (rs) => {
        delete at(rs, 'cls-sch-a').school;
        return rs;
      },
      users: (rs) => {
        delete at(rs, 'tch-0000').roles;
        return rs;
      },
    });
    const summaries = diags.filter((d) => d.severity === 'error').map((d) => `${d.source?.file}: ${d.summary}`);
    expect(summaries).toEqual(
      expect.arrayContaining([
        `${V12}/orgs[3]: orgs: record 3 is not a JSON object`,
        `${V12}/orgs[4]: orgs: record has no sourcedId`,
        `${V12}/classes[0]: classes cls-sch-a: schoolSourcedId is required`,
        expect.stringMatching(/users\[\d+\]: users tch-0000: roles is required in OneRoster 1\.2$/),
      ]),
    );
  });

  it('1.1: role and orgs are required on a user', async () => {
    const diags = await errorsOf('1.1', {
      users: (rs) => {
        delete at(rs, 'stu-0001').orgs;
        return rs;
      },
    });
    expect(diags.filter((d) => d.severity === 'error')).toEqual([
      expect.objectContaining({ code: 'oneroster.missing-value', summary: 'users stu-0001: orgSourcedIds is required', source: { file: '/ims/oneroster/v1p1/users[1]' } }),
    ]);
  });
});

describe('tolerated variations, with warnings', () => {
  it('enabledUser as boolean, "true"/"false", or 1/0 (warned, as in CSV)', async () => {
    const r = await readWith('1.2', {
      users: (rs) => {
        at(rs, 'stu-0000').enabledUser = false;
        at(rs, 'stu-0001').enabledUser = true;
        at(rs, 'stu-0002').enabledUser = '0';
        at(rs, 'stu-0003').enabledUser = 1;
        return rs;
      },
    });
    const enabled = Object.fromEntries(r.roster.people.map((p) => [p.sourcedId, p.enabledUser]));
    expect(enabled).toMatchObject({ 'stu-0000': false, 'stu-0001': true, 'stu-0002': false, 'stu-0003': true, 'stu-0004': true });
    const numeric = r.warnings.filter((w) => w.code === 'oneroster.boolean-numeric');
    expect(numeric.map((w) => w.source?.file)).toEqual([`${V12}/users[2]`, `${V12}/users[3]`]);
  });

  it('references as bare strings, grades in local spellings, malformed userIds', async () => {
    const r = await readWith('1.2', {
      enrollments: (rs) => {
        at(rs, 'enr-0000').class = 'cls-sch-a';
        return rs;
      },
      users: (rs) => {
        at(rs, 'stu-0000').grades = ['K'];
        at(rs, 'stu-0001').userIds = [{ type: 'SIS', identifier: 7 }, 'junk'];
        return rs;
      },
    });
    const p0 = r.roster.people.find((p) => p.sourcedId === 'stu-0000')!;
    expect(p0.enrollments.map((e) => e.classSourcedId)).toEqual(['cls-sch-a']);
    expect(p0.grades).toEqual(['KG']);
    expect(r.roster.people.find((p) => p.sourcedId === 'stu-0001')!.userIds).toEqual([{ type: 'SIS', identifier: '7' }]);
    expect(r.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['oneroster-rest.field-shape']));
    expect(r.warnings.find((w) => w.summary.includes('bare string'))!.source).toEqual({ file: `${V12}/enrollments[0]` });
  });

  it('a tobedeleted user is left out; its enrollment is dropped with a warning', async () => {
    const r = await readWith('1.2', {
      users: (rs) => {
        at(rs, 'stu-0005').status = 'tobedeleted';
        return rs;
      },
    });
    expect(r.roster.people.map((p) => p.sourcedId)).not.toContain('stu-0005');
    expect(r.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'oneroster.ref-deleted', source: { file: `${V12}/enrollments[5]` } })]));
  });

  it('caps a repeated warning per endpoint, not per record', async () => {
    const e = await startOneRosterEmulator({
      district: smallDistrict(40),
      clients: [{ id: ENV.OR_ID, secret: ENV.OR_SECRET }],
      transform: (_v, c, rs) => (c === 'users' ? rs.map((u) => ({ ...u, enabledUser: '1' })) : rs),
    });
    emus.push(e);
    const r = await readOneRosterRest({ location: e.url, settings: { version: '1.1', clientIdEnv: 'OR_ID', clientSecretEnv: 'OR_SECRET' }, env: ENV });
    const numeric = r.warnings.filter((w) => w.code === 'oneroster.boolean-numeric');
    expect(numeric).toHaveLength(21);
    expect(numeric.filter((w) => w.summary === '24 more "oneroster.boolean-numeric" warning(s) not listed')).toEqual([
      expect.objectContaining({ source: { file: '/ims/oneroster/v1p1/users' } }),
    ]);
  });
});
