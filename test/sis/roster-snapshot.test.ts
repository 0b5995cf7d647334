import { mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Person, Roster } from '../../engine/model/people.js';
import { readRosterSnapshot, snapshotDir, writeRosterSnapshot } from '../../engine/run/sis-snapshot.js';

/** The SIS snapshot (base for delta sets) round-trips, in pieces, and reads the first format too. */

function roster(people: number): Roster {
  const person = (i: number): Person => ({
    sourcedId: `u${i}`, enabledUser: true, sisUsername: '', identifier: String(i), userIds: [{ type: 'LDAP', identifier: `x${i}` }],
    givenName: i % 7 === 0 ? 'Zoë\n"quoted"' : 'Ana', familyName: 'Núñez', middleName: '', preferredGivenName: '', preferredFamilyName: '', preferredMiddleName: '',
    email: '', grades: ['09'], roles: [{ role: 'student', orgSourcedId: 'o1', roleType: 'primary' }],
    enrollments: [{ classSourcedId: 'c1', role: 'student', primary: false, sourcedId: `e${i}` }],
    source: { file: 'users.csv', line: i + 2 },
  });
  return {
    sourceFormat: 'oneroster-1.2-csv', mode: 'bulk',
    orgs: [{ sourcedId: 'o1', name: 'High', type: 'school', identifier: 'MHS' }],
    people: Array.from({ length: people }, (_, i) => person(i)),
    classes: [{ sourcedId: 'c1', title: 'Math', classCode: 'M1', schoolSourcedId: 'o1', courseSourcedId: 'k1', termSourcedIds: ['t1'] }],
    academicSessions: [],
  };
}

describe('SIS roster snapshot', () => {
  it('round-trips a roster bigger than one write chunk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-roster-'));
    const r = roster(4_501);
    await writeRosterSnapshot(dir, 'sha256:abc', r);
    expect(readdirSync(snapshotDir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(await readRosterSnapshot(dir, 'sha256:abc')).toEqual(r);
    expect(await readRosterSnapshot(dir, 'sha256:other')).toBeNull();
  });

  it('reads a snapshot written in the first format (one gzipped JSON text)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-roster-'));
    const r = roster(3);
    mkdirSync(snapshotDir(dir), { recursive: true });
    writeFileSync(join(snapshotDir(dir), 'sha256_old.json.gz'), gzipSync(JSON.stringify(r)));
    expect(await readRosterSnapshot(dir, 'sha256:old')).toEqual(r);
  });
});
