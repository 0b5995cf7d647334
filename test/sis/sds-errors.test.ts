import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../engine/model/diagnostics.js';
import { InputError } from '../../engine/model/errors.js';
import { readSdsCsv } from '../../providers/sis/sds-csv/index.js';

/** Bad exports are made from a good fixture with one edit, so each test shows one mistake. */
const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures/sds', name);
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function variant(base: string, edit: (dir: string) => Promise<void>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-sds-'));
  dirs.push(dir);
  await cp(fixture(base), dir, { recursive: true });
  await edit(dir);
  return dir;
}

async function editFile(dir: string, file: string, f: (text: string) => string): Promise<void> {
  await writeFile(join(dir, file), f(await readFile(join(dir, file), 'utf8')));
}

async function errorsOf(dir: string): Promise<Diagnostic[]> {
  try {
    await readSdsCsv(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).diagnostics.filter((d) => d.severity === 'error');
  }
  throw new Error('expected an InputError');
}

describe('SDS data errors', () => {
  it('a duplicate id names both places', async () => {
    const dir = await variant('v1-us', (d) => editFile(d, 'Student.csv', (t) => t + '13002,10001,Jo,Dup,JDup,,,,,,10,Active,,\r\n'));
    const [e, ...rest] = await errorsOf(dir);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ code: 'sds.duplicate-sourcedid', source: { file: 'Student.csv', line: 7, column: 1 } });
    expect(e!.summary).toContain('"13002"');
    expect(e!.summary).toContain('Student.csv:3');
  });

  it('a student and a teacher with the same SIS ID is a duplicate', async () => {
    const dir = await variant('v1-us', (d) => editFile(d, 'Teacher.csv', (t) => t + '13001,10001,Ora,Klein,OKlein2,,,,Active,,,,\r\n'));
    const errs = await errorsOf(dir);
    expect(errs.map((e) => e.code)).toEqual(['sds.duplicate-sourcedid']);
    expect(errs[0]!.summary).toContain('as a student');
  });

  it('dangling references: school, section, student and teacher', async () => {
    const dir = await variant('v1-us', async (d) => {
      await editFile(d, 'Student.csv', (t) => t + '13009,99999,No,School,NSchool,,,,,,9,Active,,\r\n');
      await editFile(d, 'StudentEnrollment.csv', (t) => t + '11999,13001\r\n11001,14001\r\n');
      await editFile(d, 'TeacherRoster.csv', (t) => t + '11001,14777\r\n');
    });
    const errs = await errorsOf(dir);
    expect(errs.map((e) => [e.code, e.source?.file, e.source?.line])).toEqual([
      ['sds.dangling-reference', 'Student.csv', 7],
      ['sds.dangling-reference', 'StudentEnrollment.csv', 8],
      ['sds.dangling-reference', 'StudentEnrollment.csv', 9],
      ['sds.dangling-reference', 'TeacherRoster.csv', 6],
    ]);
    expect(errs[0]!.summary).toContain('"99999"');
    expect(errs[1]!.summary).toContain('class "11999"');
    expect(errs[2]!.summary).toContain('(it is a teacher)');
    expect(errs[3]!.summary).toContain('"14777"');
  });

  it('a student only at a non-school org is a student with no school', async () => {
    const dir = await variant('v2.1', (d) => editFile(d, 'roles.csv', (t) => t.replace('114001,110003,student', '114001,110001,student')));
    const errs = await errorsOf(dir);
    expect(errs.map((e) => [e.code, e.source?.file, e.source?.line])).toEqual([['sds.student-without-school', 'users.csv', 2]]);
    expect(errs[0]!.summary).toContain('"110001" (district)');
  });

  it('a missing required column is one error at the header, and nothing else from that file', async () => {
    const dir = await variant('v1-us', (d) => editFile(d, 'Teacher.csv', (t) => t.replace('Username,', 'User Name,')));
    const errs = await errorsOf(dir);
    expect(errs[0]).toMatchObject({ code: 'csv.missing-column', source: { file: 'Teacher.csv', line: 1 } });
    expect(errs[0]!.summary).toContain('"Username"');
  });

  it('a v2.1 role at a missing org, a bad isPrimary and an unknown session are reported together', async () => {
    const dir = await variant('v2.1', (d) =>
      editFile(d, 'roles.csv', (t) => t + '114001,999999,student,SY2027,10,TRUE,,\r\n114003,110004,aide,SY2027,,yes,,\r\n114003,110004,aide,SY1999,,TRUE,,\r\n'),
    );
    const errs = await errorsOf(dir);
    expect(errs.map((e) => [e.code, e.source?.line, e.source?.column])).toEqual([
      ['sds.dangling-reference', 6, 1],
      ['sds.invalid-boolean', 7, 6],
      ['sds.dangling-reference', 8, 4],
    ]);
  });

  it('an invalid v1 Status is an error naming the value', async () => {
    const dir = await variant('v1-us', (d) => editFile(d, 'Student.csv', (t) => t.replace('S13001,Christopher,9,Active', 'S13001,Christopher,9,Withdrawn')));
    const errs = await errorsOf(dir);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ code: 'sds.invalid-enum', source: { file: 'Student.csv', line: 2, column: 12 } });
    expect(errs[0]!.summary).toContain('Withdrawn');
  });

  it('broken quoting is an error at its line', async () => {
    const dir = await variant('v2', (d) => editFile(d, 'classes.csv', (t) => t.replace('11001,10001,Math - Algebra 1', '11001,10001,"Math - Algebra 1')));
    const errs = await errorsOf(dir);
    expect(errs[0]).toMatchObject({ code: 'csv.quoting', source: { file: 'classes.csv', line: 2 } });
  });

  it('Latin-1 and UTF-16 files are detected and named', async () => {
    const latin = await variant('v1-us', (d) => writeFile(join(d, 'Student.csv'), Buffer.from('SIS ID,School SIS ID,Username,First Name\r\n13001,10001,JNunez,Jos\xe9\r\n', 'latin1')));
    const e1 = await errorsOf(latin);
    expect(e1[0]).toMatchObject({ code: 'csv.encoding', source: { file: 'Student.csv', line: 2 } });
    expect(e1[0]!.summary).toMatch(/not UTF-8/);
    const utf16 = await variant('v2', async (d) => {
      const text = await readFile(join(d, 'orgs.csv'), 'utf8');
      await writeFile(join(d, 'orgs.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    });
    const e2 = await errorsOf(utf16);
    expect(e2[0]!.summary).toContain('UTF-16LE');
  });

  it('refuses folders that are not one SDS format', async () => {
    const mixed = await variant('v1-us', (d) => cp(fixture('v2.1/orgs.csv'), join(d, 'orgs.csv')).then(() => cp(fixture('v2.1/users.csv'), join(d, 'users.csv'))));
    expect((await errorsOf(mixed)).map((e) => e.code)).toEqual(['sds.mixed-format']);
    const oneroster = await variant('v2.1', (d) => writeFile(join(d, 'manifest.csv'), 'propertyName,value\noneroster.version,1.2\n'));
    expect((await errorsOf(oneroster)).map((e) => e.code)).toEqual(['sds.not-sds']);
    const missing = await variant('v1-us', (d) => rm(join(d, 'TeacherRoster.csv')));
    const errs = await errorsOf(missing);
    expect(errs.map((e) => e.code)).toEqual(['sds.missing-file']);
    expect(errs[0]!.summary).toContain('TeacherRoster.csv');
    const empty = await variant('v1-min', async (d) => {
      for (const f of ['School.csv', 'Section.csv', 'Student.csv', 'Teacher.csv', 'StudentEnrollment.csv', 'TeacherRoster.csv']) await rm(join(d, f));
    });
    expect((await errorsOf(empty)).map((e) => e.code)).toEqual(['sds.detect']);
  });

  it('header quirks are warnings, never silent', async () => {
    const dir = await variant('v2', async (d) => {
      await editFile(d, 'classes.csv', (t) => t.replace('sourcedId,orgSourcedId,title', 'SourcedId,orgSourcedId,title,colour').replace(/(\d)\r\n/g, '$1,blue\r\n'));
    });
    const r = await readSdsCsv(dir);
    expect(r.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['csv.header-case', 'csv.header-unknown']));
    expect(r.roster.classes).toHaveLength(2);
  });
});
