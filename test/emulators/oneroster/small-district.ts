import type { DistrictFixture, FixtureUser } from './fixture.js';

/**
 * A small synthetic district for protocol tests: one district, two schools, a school-year
 * term, `students` students and a few teachers, each student in one class. Deterministic.
 */
export function smallDistrict(students = 40): DistrictFixture {
  const pad = (n: number) => String(n).padStart(4, '0');
  const user = (id: string, role: string, org: string, k: number): FixtureUser => ({
    sourcedId: id,
    enabledUser: true,
    username: `${role[0]}${pad(k)}`,
    userIds: [{ type: 'SIS', identifier: `${role[0]}${pad(k)}` }],
    givenName: `Given${k}`,
    familyName: `Family${k}`,
    middleName: '',
    preferredGivenName: '',
    preferredMiddleName: '',
    preferredFamilyName: '',
    identifier: `${role[0]}${pad(k)}`,
    email: role === 'teacher' ? `t${pad(k)}@district.example` : '',
    grades: role === 'student' ? [String((k % 12) + 1).padStart(2, '0')] : [],
    primaryOrgSourcedId: org,
    roles: [{ role, roleType: 'primary', orgSourcedId: org, beginDate: '2026-08-17', endDate: '2027-06-12' }],
  });
  const schools = ['sch-a', 'sch-b'];
  const users: FixtureUser[] = [];
  for (let k = 0; k < students; k++) users.push(user(`stu-${pad(k)}`, 'student', schools[k % 2]!, k));
  for (let k = 0; k < 4; k++) users.push(user(`tch-${pad(k)}`, 'teacher', schools[k % 2]!, k));
  return {
    orgs: [
      { sourcedId: 'dist', name: 'District', type: 'district', identifier: 'DIST' },
      { sourcedId: 'sch-a', name: 'School A', type: 'school', identifier: 'SA', parentSourcedId: 'dist' },
      { sourcedId: 'sch-b', name: 'School B', type: 'school', identifier: 'SB', parentSourcedId: 'dist' },
    ],
    academicSessions: [{ sourcedId: 'sy-2027', title: '2026-27', type: 'schoolYear', startDate: '2026-08-17', endDate: '2027-06-12', schoolYear: '2027' }],
    courses: schools.map((s) => ({ sourcedId: `crs-${s}`, title: `Homeroom ${s}`, courseCode: 'HR', orgSourcedId: s })),
    classes: schools.map((s) => ({ sourcedId: `cls-${s}`, title: `Homeroom ${s}`, classCode: 'HR1', classType: 'homeroom', schoolSourcedId: s, courseSourcedId: `crs-${s}`, termSourcedIds: ['sy-2027'] })),
    users,
    enrollments: users.map((u, k) => ({
      sourcedId: `enr-${pad(k)}`,
      classSourcedId: `cls-${u.roles[0]!.orgSourcedId}`,
      schoolSourcedId: u.roles[0]!.orgSourcedId,
      userSourcedId: u.sourcedId,
      role: u.roles[0]!.role,
      primary: u.roles[0]!.role === 'teacher',
    })),
  };
}
