import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSdsCsv } from '../../providers/sis/sds-csv/index.js';

const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures/sds', name);
const person = (r: Awaited<ReturnType<typeof readSdsCsv>>, id: string) => r.roster.people.find((p) => p.sourcedId === id)!;

describe('SDS v2 (role in users.csv)', () => {
  it('normalizes mixed-case enums with warnings and keeps UPN usernames', async () => {
    const r = await readSdsCsv(fixture('v2'));
    expect(r.roster.orgs.find((o) => o.sourcedId === '10000')!.type).toBe('ministryOfEducation');
    expect(person(r, '13001')).toMatchObject({ sisUsername: 'Oklein@contoso.example', grades: ['06'], roles: [{ role: 'student', orgSourcedId: '10001', roleType: 'primary' }] });
    // orgSourcedIds is a quoted list: the first org is primary.
    expect(person(r, '13002').roles).toEqual([
      { role: 'student', orgSourcedId: '10001', roleType: 'primary' },
      { role: 'student', orgSourcedId: '10002', roleType: 'secondary' },
    ]);
    expect(person(r, '13003').grades).toEqual(['PS1']);
    expect(person(r, '14002').roles[0]!.role).toBe('staff');
    expect(person(r, '14003').roles[0]!.role).toBe('professor');
    expect(person(r, '14001').enrollments).toEqual([{ classSourcedId: '11001', role: 'teacher', primary: true }]);
    const caseWarnings = r.warnings.filter((w) => w.code === 'sds.enum-case');
    expect(caseWarnings.some((w) => w.source?.file === 'users.csv' && w.source.line === 2 && w.source.column === 7)).toBe(true);
    expect(caseWarnings.some((w) => w.source?.file === 'orgs.csv' && w.summary.includes('ministryofeducation'))).toBe(true);
    // Lower-case values that are already canonical are not warned about.
    expect(caseWarnings.some((w) => w.source?.file === 'users.csv' && w.source.line === 3)).toBe(false);
  });
});

describe('SDS v2.1', () => {
  it('reads roles.csv with isPrimary, grades and dates, sessions, courses and classes', async () => {
    const r = await readSdsCsv(fixture('v2.1'));
    expect(r.roster.sourceFormat).toBe('sds-v2.1-csv');
    const jack = person(r, '114001');
    expect(jack).toMatchObject({ sisUsername: 'jcraig@maple.example', grades: ['10'], userIds: [{ type: 'activeDirectoryMatchId', identifier: 'jcraig@maple.example' }] });
    // SDS role end dates are inclusive; the Roster's are exclusive like OneRoster's.
    expect(jack.roles).toEqual([{ role: 'student', orgSourcedId: '110003', roleType: 'primary', beginDate: '2026-08-17', endDate: '2027-06-12' }]);
    expect(person(r, '114003')).toMatchObject({ familyName: 'Nguyễn', grades: ['07'], email: 'nguyen.an@maple.example' });
    expect(person(r, '114007').roles.map((x) => [x.orgSourcedId, x.roleType])).toEqual([
      ['110001', 'primary'],
      ['110003', 'secondary'],
    ]);
    expect(r.roster.classes).toEqual([{ sourcedId: '112002', title: 'Biology 10', classCode: '', schoolSourcedId: '110003', courseSourcedId: 'B10', termSourcedIds: ['SY2027', 'S1-2027'] }]);
    expect(r.roster.academicSessions.map((s) => [s.sourcedId, s.type, s.schoolYear])).toEqual([
      ['S1-2027', 'semester', 2027],
      ['SY2027', 'schoolYear', 2027],
    ]);
    expect(person(r, '114007').enrollments).toEqual([{ classSourcedId: '112002', role: 'teacher', primary: true }]);
  });

  it('keeps a guardian without a role, with one counted warning', async () => {
    const r = await readSdsCsv(fixture('v2.1'));
    expect(person(r, '114002').roles).toEqual([]);
    const w = r.warnings.filter((x) => x.code === 'sds.user-without-role');
    expect(w).toHaveLength(1);
    expect(w[0]!.summary).toMatch(/^1 user/);
    expect(r.warnings.some((x) => x.code === 'sds.enum-case' && x.source?.file === 'roles.csv' && x.source.line === 3)).toBe(true);
  });
});

describe('SDS exports as a .zip', () => {
  it('reads a zip made by "compress folder" exactly like the folder', async () => {
    const zip = await readSdsCsv(fixture('v2.1-export.zip'));
    const dir = await readSdsCsv(fixture('v2.1'));
    expect(zip.roster).toEqual(dir.roster);
    expect(zip.digest).toBe(dir.digest);
  });
});
