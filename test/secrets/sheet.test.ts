import { describe, expect, it } from 'vitest';
import type { ClassSection, Person, Roster } from '../../engine/model/people.js';
import type { CredentialRecord } from '../../engine/secrets/credential-store.js';
import { buildSheet, renderSheetHtml, renderSheetText, studentsOf } from '../../engine/secrets/sheet.js';

function person(id: string, given: string, family: string, classes: [string, string][]): Person {
  return {
    sourcedId: id, enabledUser: true, sisUsername: '', identifier: id, userIds: [], givenName: given, familyName: family, middleName: '',
    preferredGivenName: '', preferredFamilyName: '', preferredMiddleName: '', email: '', grades: ['09'], roles: [],
    enrollments: classes.map(([c, role]) => ({ classSourcedId: c, role, primary: false })), source: { file: 'users.csv' },
  };
}

const alg: ClassSection = { sourcedId: 'cls-alg', title: 'Algebra <1>', classCode: 'MHS-ALG1', schoolSourcedId: 'org-mhs', courseSourcedId: 'c', termSourcedIds: [] };
const bio: ClassSection = { ...alg, sourcedId: 'cls-bio', title: 'Biology', classCode: 'MHS-BIO' };
const roster: Roster = {
  sourceFormat: 'oneroster-1.2-csv', mode: 'bulk', orgs: [], classes: [alg, bio], academicSessions: [],
  people: [
    person('s1', 'Zed', 'Young', [['cls-alg', 'student']]),
    person('s2', 'Amy', 'Adams', [['cls-alg', 'student'], ['cls-bio', 'student']]),
    person('s3', 'Bea', 'Brown', [['cls-bio', 'student']]),
    person('s4', 'Cal', 'Cole<script>', [['cls-alg', 'student']]),
    person('t1', 'Tom', 'Teach', [['cls-alg', 'teacher']]),
  ],
};
const rec = (anchor: string, password: string, createdAt = '2026-10-01T00:00:00Z', target = 'sandbox'): CredentialRecord => ({
  anchor, target, username: `${anchor}user`, displayName: `Name ${anchor}`, password, passwordRule: 'r', createdAt,
});
const records = [rec('s1', 'PwOne1'), rec('s2', 'PwOld2'), rec('s2', 'PwNew2', '2026-10-02T00:00:00Z'), rec('s3', 'PwThree3'), rec('t1', 'PwTeach1')];

describe('the class sheet', () => {
  it('lists exactly the class\'s students (not its teacher, not other classes), sorted by family name, latest password each', () => {
    const sheet = buildSheet(alg, 'Maplewood High', studentsOf(roster, 'cls-alg'), records);
    expect(sheet.rows.map((r) => [r.anchor, r.username, r.passwords.map((p) => p.password)])).toEqual([
      ['s2', 's2user', ['PwNew2']],
      ['s4', '', []],
      ['s1', 's1user', ['PwOne1']],
    ]);
    const text = renderSheetText(sheet);
    expect(text).toContain('Name s2\ts2user\tPwNew2');
    expect(text).toContain('(no initial password stored)');
    for (const absent of ['PwThree3', 'PwTeach1', 'PwOld2']) expect(text).not.toContain(absent);
  });

  it('renders one escaped HTML card per student, with print CSS', () => {
    const html = renderSheetHtml(buildSheet(alg, 'Maplewood High', studentsOf(roster, 'cls-alg'), records));
    expect(html.match(/<section class="card">/g)).toHaveLength(3);
    expect(html).toContain('@media print');
    expect(html).toContain('Algebra &lt;1&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('Cal Cole&lt;script&gt;');
  });

  it('with several targets, labels each password; --target keeps one', () => {
    const multi = [...records, rec('s1', 'PwGoogle1', '2026-10-01T00:00:00Z', 'google')];
    const both = buildSheet(alg, '', studentsOf(roster, 'cls-alg'), multi);
    expect(renderSheetText(both)).toContain('google: PwGoogle1  sandbox: PwOne1');
    const one = buildSheet(alg, '', studentsOf(roster, 'cls-alg'), multi, 'google');
    expect(one.rows.find((r) => r.anchor === 's1')?.passwords).toEqual([{ target: 'google', password: 'PwGoogle1' }]);
  });

  it('shows one password, unlabelled, when every target got the same one', () => {
    const same = [...records, rec('s1', 'PwOne1', '2026-10-01T00:00:00Z', 'google')];
    const sheet = buildSheet(alg, '', studentsOf(roster, 'cls-alg'), same);
    expect(sheet.rows.find((r) => r.anchor === 's1')?.passwords).toHaveLength(2);
    const text = renderSheetText(sheet);
    expect(text).toContain('Name s1\ts1user\tPwOne1\n');
    expect(text).not.toContain('google:');
    expect(renderSheetHtml(sheet)).not.toContain('<small>google</small>');
  });
});
