import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSdsCsv, sdsCsvSource } from '../../providers/sis/sds-csv/index.js';

const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures/sds', name);
const person = (r: Awaited<ReturnType<typeof readSdsCsv>>, id: string) => r.roster.people.find((p) => p.sourcedId === id)!;

describe('SDS v1 (US layout)', () => {
  it('reads schools, sections, students, teachers and rosters into the normalized model', async () => {
    const r = await readSdsCsv(fixture('v1-us'));
    const { roster } = r;
    expect(roster.sourceFormat).toBe('sds-v1-csv');
    expect(roster.mode).toBe('bulk');
    expect(roster.orgs.map((o) => [o.sourcedId, o.type, o.identifier])).toEqual([
      ['10001', 'school', 'CHS'],
      ['10002', 'school', 'FMS'],
    ]);
    expect(roster.people.map((p) => p.sourcedId)).toEqual(['13001', '13002', '13003', '13004', '13005', '14001', '14002', '14003', '14004']);

    const jose = person(r, '13002');
    expect(jose).toMatchObject({ givenName: 'José', familyName: 'Núñez', sisUsername: 'JNunez', identifier: 'S13002', grades: ['10'], enabledUser: true });
    expect(jose.roles).toEqual([{ role: 'student', orgSourcedId: '10001', roleType: 'primary' }]);
    expect(jose.source).toEqual({ file: 'Student.csv', line: 3 });
    // Status=Inactive curtails access; a blank status is active; "K" is the CEDS code KG.
    expect(person(r, '13003')).toMatchObject({ enabledUser: false, middleName: 'Mary Kate', familyName: "O'Brien", grades: ['12'] });
    expect(person(r, '13005')).toMatchObject({ enabledUser: true, grades: ['KG'], givenName: 'Łukasz' });

    // The school's Principal SIS ID gives that teacher a secondary principal role.
    expect(person(r, '14003').roles).toEqual([
      { role: 'teacher', orgSourcedId: '10001', roleType: 'primary' },
      { role: 'principal', orgSourcedId: '10001', roleType: 'secondary' },
    ]);
    expect(r.warnings.some((w) => w.code === 'sds.principal-unknown' && w.summary.includes('14999'))).toBe(true);
  });

  it('maps sections to classes with their term, and enrollments with the first teacher primary', async () => {
    const r = await readSdsCsv(fixture('v1-us'));
    const bio = r.roster.classes.find((c) => c.sourcedId === '11002')!;
    expect(bio).toEqual({ sourcedId: '11002', title: 'Science, Biology', classCode: '11002', schoolSourcedId: '10001', courseSourcedId: 'C201', termSourcedIds: ['12000'] });
    expect(r.roster.academicSessions).toEqual([{ sourcedId: '12000', title: 'SY2627', type: 'term', startDate: '2026-08-01', endDate: '2027-06-30', schoolYear: 2027 }]);
    expect(person(r, '13001').enrollments).toEqual([
      { classSourcedId: '11001', role: 'student', primary: false },
      { classSourcedId: '11002', role: 'student', primary: false },
    ]);
    expect(person(r, '14001').enrollments).toEqual([{ classSourcedId: '11001', role: 'teacher', primary: true }]);
    expect(person(r, '14002').enrollments).toEqual([
      { classSourcedId: '11001', role: 'teacher', primary: false },
      { classSourcedId: '11002', role: 'teacher', primary: true },
    ]);
    // 8/1/2026 is ambiguous, but 6/30/2027 settles month-first: one warning, not one per row.
    expect(r.warnings.filter((w) => w.code === 'sds.ambiguous-date')).toHaveLength(1);
    expect(r.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('works through the SisSource contract', async () => {
    const r = await sdsCsvSource.read({ location: fixture('v1-us'), settings: {}, env: {} });
    expect(r.roster.people).toHaveLength(9);
  });
});

describe('SDS v1 (UK layout and minimum columns)', () => {
  it('binds the UK headers to the same fields and reads dates day first', async () => {
    const r = await readSdsCsv(fixture('v1-uk'));
    expect(r.roster.orgs).toEqual([{ sourcedId: '3301', name: 'Riverside Academy', type: 'school', identifier: 'RSA' }]);
    expect(r.roster.academicSessions[0]).toMatchObject({ sourcedId: 'T2627', startDate: '2026-09-01', endDate: '2027-07-21', schoolYear: 2027 });
    expect(person(r, 'P1')).toMatchObject({ givenName: 'Þórður', identifier: 'UPN001', grades: ['07'] });
    expect(person(r, 'E1').enrollments.map((e) => [e.classSourcedId, e.primary])).toEqual([
      ['S1', true],
      ['S2', true],
    ]);
    // The UK names are a documented layout, not misspellings: no header warnings.
    expect(r.warnings.filter((w) => w.code.startsWith('csv.header'))).toEqual([]);
  });

  it('accepts the minimum required columns', async () => {
    const r = await readSdsCsv(fixture('v1-min'));
    // Without Student Number the SIS ID stands in as the identifier, so {identifier} templates work.
    expect(r.roster.people.map((p) => [p.sourcedId, p.sisUsername, p.givenName, p.identifier, p.roles[0]?.role])).toEqual([
      ['13001', 'OKlein', '', '13001', 'student'],
      ['13002', 'BMcMillan', '', '13002', 'student'],
      ['14001', 'CBeane', '', '14001', 'teacher'],
    ]);
    expect(r.roster.orgs[0]!.identifier).toBe('10001');
    expect(r.roster.classes[0]!.termSourcedIds).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});
