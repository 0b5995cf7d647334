import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Roster } from '../../engine/model/people.js';
import type { PlanDocument } from '../../engine/model/plan.js';
import type { SisReadResult } from '../../engine/model/provider.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { readOneRosterCsv } from '../../providers/sis/oneroster-csv/index.js';
import { readOneRosterRest } from '../../providers/sis/oneroster-rest/index.js';
import { generateDistrict, PRESETS } from '../../scripts/generate-district.js';
import { fixtureFromCsvDir, type OneRosterEmulator, startOneRosterEmulator } from '../emulators/oneroster/index.js';
import { scratchDistrict } from '../helpers/district.js';

/**
 * Acceptance (issue #4): REST and CSV ingestion of the same district give identical people
 * models and identical plans. The district is generated as OneRoster 1.2 CSV; the emulator
 * serves those same CSV rows (parsed with papaparse, not with rollcall's reader) as REST JSON.
 */

const NOW = '2026-10-01T12:00:00.000Z';
const ENV = { OR_ID: '', OR_SECRET: '' };

/** The roster without what necessarily differs between bindings: the format and record sources. */
function comparable(r: Roster, { dropRoleIds }: { dropRoleIds: boolean }): unknown {
  return {
    ...r,
    sourceFormat: undefined,
    people: r.people.map(({ source: _source, ...p }) => ({
      ...p,
      // OneRoster 1.2 roles.csv rows have ids; the JSON binding's RoleDType has none.
      roles: dropRoleIds ? p.roles.map(({ sourcedId: _id, ...role }) => role) : p.roles,
    })),
  };
}

describe('REST and CSV ingestion of the same district', () => {
  let work: string;
  let sisDir: string;
  let emu: OneRosterEmulator;
  let csv: SisReadResult;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'rollcall-or-rest-'));
    sisDir = join(work, 'sis');
    const maple = PRESETS.maplewood!;
    // The maplewood schools and year, smaller, so the example policy applies unchanged.
    await generateDistrict({ ...maple, people: 300, seed: 4242 }, sisDir);
    csv = await readOneRosterCsv(sisDir);
    emu = await startOneRosterEmulator({ district: fixtureFromCsvDir(sisDir), shuffleSeed: 7 });
    ENV.OR_ID = emu.clientId;
    ENV.OR_SECRET = emu.clientSecret;
  });

  afterAll(async () => {
    await emu?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const settings12 = () => ({ version: '1.2', clientIdEnv: 'OR_ID', clientSecretEnv: 'OR_SECRET', tokenUrl: emu.tokenUrl, pageSize: 37 });

  it('1.2 REST gives the same Roster as 1.2 CSV (apart from format, sources and role ids)', async () => {
    const rest = await readOneRosterRest({ location: emu.url, settings: settings12(), env: ENV });
    expect(rest.roster.sourceFormat).toBe('oneroster-rest-1.2');
    expect(csv.roster.sourceFormat).toBe('oneroster-1.2-csv');
    expect(rest.roster.people.length).toBe(300);
    expect(rest.roster.people.some((p) => p.enrollments.length > 0)).toBe(true);
    expect(comparable(rest.roster, { dropRoleIds: true })).toEqual(comparable(csv.roster, { dropRoleIds: true }));
    // The same warnings, by code and summary (their sources differ by binding).
    const said = (r: SisReadResult) => r.warnings.map((w) => `${w.code}: ${w.summary}`).sort();
    expect(said(rest)).toEqual(said(csv));
    // REST record sources name the endpoint and index, never a line.
    const p = rest.roster.people[0]!;
    expect(p.source.file).toMatch(/^\/ims\/oneroster\/rostering\/v1p2\/users\[\d+\]$/);
    expect(p.source.line).toBeUndefined();
  });

  it('1.1 REST of the same district keeps everyone with their primary role and orgs', async () => {
    const rest = await readOneRosterRest({ location: emu.url, settings: { version: '1.1', clientIdEnv: 'OR_ID', clientSecretEnv: 'OR_SECRET', pageSize: 50 }, env: ENV });
    expect(rest.roster.sourceFormat).toBe('oneroster-rest-1.1');
    expect(rest.roster.people.map((p) => p.sourcedId)).toEqual(csv.roster.people.map((p) => p.sourcedId));
    const byId = new Map(csv.roster.people.map((p) => [p.sourcedId, p]));
    for (const p of rest.roster.people) {
      const c = byId.get(p.sourcedId)!;
      expect(p.enrollments).toEqual(c.enrollments);
      expect(p.roles[0]?.orgSourcedId).toBe(c.roles[0]?.orgSourcedId);
      expect(p.givenName).toBe(c.givenName);
    }
    expect(rest.roster.orgs).toEqual(csv.roster.orgs);
    expect(rest.roster.classes).toEqual(csv.roster.classes);
  });

  it('gives the same digest whatever the page size or page order', async () => {
    const a = await readOneRosterRest({ location: emu.url, settings: settings12(), env: ENV });
    const b = await readOneRosterRest({ location: emu.url, settings: { ...settings12(), pageSize: 1000 }, env: ENV });
    const other = await startOneRosterEmulator({ district: fixtureFromCsvDir(sisDir), clients: [{ id: ENV.OR_ID, secret: ENV.OR_SECRET }] });
    try {
      const c = await readOneRosterRest({ location: other.url, settings: { ...settings12(), tokenUrl: other.tokenUrl }, env: ENV });
      expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(b.digest).toBe(a.digest);
      expect(c.digest).toBe(a.digest);
    } finally {
      await other.stop();
    }
    // A changed record changes it.
    const changed = await startOneRosterEmulator({
      district: fixtureFromCsvDir(sisDir),
      clients: [{ id: ENV.OR_ID, secret: ENV.OR_SECRET }],
      transform: (_v, c, rs) => (c === 'users' ? rs.map((r, i) => (i === 0 ? { ...r, email: 'changed@example.org' } : r)) : rs),
    });
    try {
      const d = await readOneRosterRest({ location: changed.url, settings: { ...settings12(), tokenUrl: changed.tokenUrl }, env: ENV });
      expect(d.digest).not.toBe(a.digest);
    } finally {
      await changed.stop();
    }
  });

  it('plans identically from REST and from CSV', async () => {
    const csvDir = scratchDistrict('rollcall-or-csv-');
    const restDir = scratchDistrict('rollcall-or-rest-');
    try {
      for (const d of [csvDir, restDir]) {
        rmSync(join(d, 'sis'), { recursive: true, force: true });
      }
      await generateDistrict({ ...PRESETS.maplewood!, people: 300, seed: 4242 }, join(csvDir, 'sis'));
      const yaml = readFileSync(join(restDir, 'rollcall.yaml'), 'utf8');
      const restSis = ['sis:', '  format: oneroster-rest', `  path: ${emu.url}`, '  version: "1.2"', '  clientIdEnv: OR_ID', '  clientSecretEnv: OR_SECRET', `  tokenUrl: ${emu.tokenUrl}`, '  pageSize: 64'].join('\n');
      const rewritten = yaml.replace(/^sis:\n(?: {2}.*\n)+/m, restSis + '\n');
      expect(rewritten).not.toBe(yaml);
      writeFileSync(join(restDir, 'rollcall.yaml'), rewritten);

      const fromCsv = await runPlan({ dir: csvDir, now: NOW, env: ENV });
      const fromRest = await runPlan({ dir: restDir, now: NOW, env: ENV });
      expect(fromCsv.plan.changes.length).toBeGreaterThan(250);
      // `reason.record` says where a change's SIS record came from (users.csv:79 vs
      // /ims/.../users[113]): explanation for people, necessarily per binding. All else is equal.
      const records = (p: PlanDocument) => p.changes.map((c) => c.reason.record ?? '');
      const withoutRecord = (p: PlanDocument) => p.changes.map((c) => ({ ...c, reason: { ...c.reason, record: undefined } }));
      expect(withoutRecord(fromRest.plan)).toEqual(withoutRecord(fromCsv.plan));
      expect(records(fromCsv.plan).some((r) => /^users\.csv:\d+$/.test(r))).toBe(true);
      const restRecords = records(fromRest.plan).filter((r) => r.startsWith('/ims/'));
      expect(restRecords.length).toBe(records(fromCsv.plan).filter((r) => r.startsWith('users.csv')).length);
      expect(restRecords.every((r) => /^\/ims\/oneroster\/rostering\/v1p2\/users\[\d+\]:?$/.test(r))).toBe(true);
      expect(fromRest.plan.inputs).not.toEqual(fromCsv.plan.inputs);
    } finally {
      rmSync(csvDir, { recursive: true, force: true });
      rmSync(restDir, { recursive: true, force: true });
    }
  });
});
