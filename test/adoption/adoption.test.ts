import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { ambiguousCases, renderDecisionFile } from '../../engine/correlate/cases.js';
import type { Change, PlanDocument } from '../../engine/model/plan.js';
import { runApply } from '../../engine/run/apply-run.js';
import { runPlan } from '../../engine/run/plan-run.js';
import { SandboxStore } from '../../providers/sandbox/store.js';
import { REPO } from '../helpers/district.js';
import { NOW, OLD_DOMAIN, buildOldDistrict, oldKey, type OldDistrict } from './old-district.js';

const LATER = '2026-10-02T12:00:00.000Z';

/**
 * Acceptance for issue #8 on a sandbox pre-populated as a district's old scripts would have
 * left it (see old-district.ts). Expectations are computed from the ground truth the builder
 * records, never from the plan itself.
 */
describe('adopting a district that already has accounts', () => {
  let d: OldDistrict;
  let first: PlanDocument;
  let planMs = 0;

  beforeAll(async () => {
    d = await buildOldDistrict();
    const t0 = performance.now();
    first = (await runPlan({ dir: d.dir, now: NOW })).plan;
    planMs = performance.now() - t0;
  }, 120_000);

  const accountChanges = (p: PlanDocument, action: Change['action']) => p.changes.filter((c) => c.kind === 'account' && c.action === action);

  it('validates against the plan schema and carries an adoption summary', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(REPO, 'schemas/plan.schema.json'), 'utf8')));
    expect(validate(first), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(first.correlation?.adoption).toBe(true);
    const s = first.correlation!.targets.sandbox!;
    // The figures for the closing note.
    console.log(`first adoption plan: ${JSON.stringify({ ...s, orphan_ids: s.orphan_ids.length })}, accounts ${d.truth.size}, ${Math.round(planMs)} ms`);
    expect(d.truth.size).toBeGreaterThanOrEqual(2000);
  });

  it('is deterministic: the same inputs give a byte-identical adoption plan', async () => {
    const again = (await runPlan({ dir: d.dir, now: NOW })).plan;
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
  }, 60_000);

  it('creates zero duplicates: only the people with no account at all get one', () => {
    const owners = new Set([...d.truth.values()].filter((o): o is string => o !== null));
    const creates = accountChanges(first, 'create');
    expect(creates.filter((c) => owners.has(c.anchor!))).toEqual([]);
    expect(creates.map((c) => c.anchor).sort()).toEqual([...d.newPeople].sort());
  });

  it('adopts every account with an unambiguous strong match, each to its true owner, and links the anchored ones', () => {
    const all = accountChanges(first, 'adopt');
    for (const c of all) expect(d.truth.get(c.object_id!), c.id).toBe(c.anchor);
    // Accounts that already carry the anchor are adopted only to record their username in state.
    const registrations = all.filter((c) => c.reason.rule === 'correlation.linked');
    const adopts = all.filter((c) => c.reason.rule !== 'correlation.linked');
    // From the ground truth: the student number in the anchor attribute, or the old email, of a
    // person whose name no other eligible person shares (maplewood has hundreds of shared names).
    const nameCount = new Map<string, number>();
    for (const id of d.eligible) {
      const p = d.people.get(id);
      if (p) nameCount.set(oldKey(p.given, p.family), (nameCount.get(oldKey(p.given, p.family)) ?? 0) + 1);
    }
    const store = new SandboxStore(join(d.dir, '.rollcall', 'sandbox'));
    const excluded = new Set(d.excluded);
    const expected = new Set<string>();
    let linked = 0;
    for (const [id, owner] of d.truth) {
      if (owner === null || excluded.has(id)) continue;
      const acc = store.data.accounts[id]!;
      const p = d.people.get(owner)!;
      const unique = nameCount.get(oldKey(p.given, p.family)) === 1;
      if (acc.anchor === owner) linked++;
      else if (unique && (acc.anchor === p.identifier || acc.email === `${oldKey(p.given, p.family)}@${OLD_DOMAIN}`)) expected.add(owner);
    }
    const adopted = new Set(adopts.map((c) => c.anchor));
    expect([...expected].filter((p) => !adopted.has(p))).toEqual([]);
    expect(expected.size).toBeGreaterThan(900);
    expect(first.correlation!.targets.sandbox!.linked).toBe(linked);
    expect(registrations.length).toBe(linked);
    expect(first.correlation!.targets.sandbox!.matched).toBe(adopts.length);
    // Shared names are never guessed: adopted or ambiguous, never created.
    const ambiguous = new Set(first.decisions.filter((x) => x.kind === 'ambiguous-correlation').map((x) => x.anchor));
    for (const [id, owner] of d.truth) {
      if (owner === null || excluded.has(id) || store.data.accounts[id]!.anchor === owner) continue;
      expect(adopted.has(owner) || ambiguous.has(owner), owner).toBe(true);
    }
    // Adopted accounts keep their username; adopt writes the anchor and records the username.
    for (const c of all) expect(c.after).toEqual({ anchor: c.anchor, username: store.data.accounts[c.object_id!]!.username });
  });

  it('corrects the 30 typos on adopted accounts, and renames nobody', () => {
    const adoptedIds = new Set(accountChanges(first, 'adopt').map((c) => c.object_id));
    for (const id of d.typoAccounts) expect(adoptedIds.has(id), id).toBe(true);
    const updates = new Map(accountChanges(first, 'update').map((c) => [c.object_id, c]));
    for (const id of d.typoAccounts) {
      const u = updates.get(id);
      expect(u, id).toBeDefined();
      expect(Object.keys(u!.after!).some((k) => k === 'givenName' || k === 'familyName')).toBe(true);
    }
    expect(accountChanges(first, 'rename')).toEqual([]);
  });

  it('lists every same-named pair as ambiguous, with no create for either', () => {
    const ambiguous = new Map(first.decisions.filter((x) => x.kind === 'ambiguous-correlation').map((x) => [x.anchor, x]));
    for (const [a, b] of d.pairs) {
      expect(ambiguous.has(a), a).toBe(true);
      expect(ambiguous.has(b), b).toBe(true);
      // Both twins' accounts are offered to both.
      const twins = [...d.truth.entries()].filter(([, o]) => o === a || o === b).map(([id]) => id).sort();
      expect(ambiguous.get(a)!.candidates).toEqual(expect.arrayContaining(twins));
    }
    const held = first.changes.filter((c) => c.anchor !== undefined && ambiguous.has(c.anchor));
    expect(held).toEqual([]);
  });

  it('reports the orphans, touches none of them, and disables or deletes nothing', () => {
    const s = first.correlation!.targets.sandbox!;
    expect(s.orphan_ids).toEqual([...d.orphans].sort());
    expect(s.orphans).toBe(50);
    const orphans = new Set(d.orphans);
    expect(first.changes.filter((c) => c.object_id !== undefined && orphans.has(c.object_id))).toEqual([]);
    expect(accountChanges(first, 'disable')).toEqual([]);
    expect(accountChanges(first, 'delete')).toEqual([]);
  });

  it('touches no excluded account, and creates nothing for the superintendent whose account is excluded', () => {
    const excluded = new Set(d.excluded);
    expect(first.correlation!.targets.sandbox!.excluded).toBe(10);
    expect(first.changes.filter((c) => c.object_id !== undefined && excluded.has(c.object_id))).toEqual([]);
    expect(first.changes.filter((c) => c.anchor === d.superintendent)).toEqual([]);
    expect(JSON.stringify(first.decisions)).not.toMatch(new RegExp(d.excluded.join('|')));
  });

  it('after the ambiguous cases are decided in git, links them; after apply, a re-plan is clean', async () => {
    // The reviewer: `rollcall correlate` writes the cases; a person picks each account's owner.
    const store = new SandboxStore(join(d.dir, '.rollcall', 'sandbox'));
    const cases = ambiguousCases(first, (_target, id) => store.data.accounts[id] ?? null);
    expect(cases.length).toBeGreaterThanOrEqual(20);
    mkdirSync(join(d.dir, 'decisions'), { recursive: true });
    let decidedCount = 0;
    for (const c of cases) {
      const text = renderDecisionFile(c, (person) => {
        const mine = c.accounts.find((a) => d.truth.get(a.id) === person);
        if (mine) decidedCount++;
        return mine?.id ?? null;
      });
      writeFileSync(join(d.dir, 'decisions', c.file), text);
    }
    expect(decidedCount).toBeGreaterThanOrEqual(40);

    const second = (await runPlan({ dir: d.dir, now: NOW })).plan;
    const s2 = second.correlation!.targets.sandbox!;
    expect(s2.ambiguous).toBe(0);
    expect(s2.decided).toBe(decidedCount);
    expect(second.decisions.filter((x) => x.kind === 'ambiguous-correlation')).toEqual([]);
    for (const c of accountChanges(second, 'adopt')) expect(d.truth.get(c.object_id!), c.id).toBe(c.anchor);
    const owners = new Set([...d.truth.values()].filter((o): o is string => o !== null));
    expect(accountChanges(second, 'create').filter((c) => owners.has(c.anchor!))).toEqual([]);
    expect(second.warnings.filter((w) => w.code?.startsWith('correlation.'))).toEqual([]);

    const t0 = performance.now();
    const report = await runApply({ dir: d.dir, plan: second, accept: [], now: () => LATER, actor: 'test', lockTimeoutMs: 0 });
    const applyMs = performance.now() - t0;
    expect(report.failed).toEqual([]);
    const third = (await runPlan({ dir: d.dir, now: LATER })).plan;
    console.log(`decided plan: ${second.changes.length} changes (adopt ${accountChanges(second, 'adopt').length}); apply ${Math.round(applyMs)} ms; re-plan ${third.changes.length} changes; linked ${third.correlation?.targets.sandbox?.linked}`);
    expect(third.changes).toEqual([]);
    const s3 = third.correlation!.targets.sandbox!;
    expect(s3.matched + s3.decided + s3.ambiguous).toBe(0);
    expect(s3.orphans).toBe(50);
    expect(s3.excluded).toBe(10);
    // Excluded accounts are exactly as the old scripts left them.
    const after = new SandboxStore(join(d.dir, '.rollcall', 'sandbox'));
    for (const id of d.excluded) expect(after.data.accounts[id]).toEqual(store.data.accounts[id]);
  }, 180_000);
});
