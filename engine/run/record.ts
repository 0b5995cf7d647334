import type { AccountAttrs } from '../model/accounts.js';
import type { AttrValue, Change, PlanDocument, StateUpdate } from '../model/plan.js';
import type { ChangeOutcome } from '../model/provider.js';
import type { PersonState, SisSnapshotInfo, StateDocument } from '../model/state.js';

/**
 * How applied changes update rollcall's state: the never-reissue registry, each person's
 * username, and what was last written to each target. Pure: `now` is an input.
 */

export function recordOutcome(state: StateDocument, change: Change, outcome: ChangeOutcome, now: string): void {
  if (outcome.status === 'failed' || change.kind !== 'account' || !change.anchor) return;
  const anchor = change.anchor;
  const after = change.after ?? {};
  const targetApplied = (state.last_applied[change.target] ??= {});
  const person = (state.people[anchor] ??= { username: '', first_seen: now });

  switch (change.action) {
    case 'create':
    case 'adopt': {
      const username = str(after.username) || person.username;
      if (username) {
        issue(state, username, anchor, now);
        person.username = username;
      }
      delete person.deleted_at;
      if (change.action === 'create') targetApplied[anchor] = toAttrs(after);
      break;
    }
    case 'rename': {
      const username = str(after.username);
      const old = person.username;
      issue(state, username, anchor, now);
      person.username = username;
      if (old && old !== username) person.previous_usernames = [...(person.previous_usernames ?? []), old];
      merge(targetApplied, anchor, change);
      break;
    }
    case 'delete':
      person.deleted_at = now;
      delete targetApplied[anchor];
      break;
    default:
      merge(targetApplied, anchor, change);
  }
}

export function recordStateUpdate(state: StateDocument, u: StateUpdate): void {
  const person: PersonState | undefined = state.people[u.anchor];
  if (!person) return;
  if (u.field === 'facts') {
    const [role = '', grade = '', school = '', gradYear = ''] = (u.value ?? '').split('|');
    person.last_role = role;
    person.last_grade = grade;
    person.last_school = school;
    person.last_grad_year = gradYear;
    return;
  }
  if (u.value === null) delete person[u.field];
  else person[u.field] = u.value;
}

function issue(state: StateDocument, username: string, anchor: string, now: string): void {
  const key = username.toLowerCase();
  if (!state.registry[key]) state.registry[key] = { anchor, issued_at: now };
}

function merge(applied: Record<string, AccountAttrs>, anchor: string, change: Change): void {
  const base: AccountAttrs = applied[anchor] ?? toAttrs(change.before ?? {});
  const next: AccountAttrs = { ...base };
  const after = change.after ?? {};
  for (const k of ['username', 'givenName', 'familyName', 'displayName', 'email', 'path'] as const) {
    if (k in after) next[k] = str(after[k]);
  }
  if ('enabled' in after) next.enabled = after.enabled === true;
  applied[anchor] = next;
}

function toAttrs(m: Record<string, AttrValue>): AccountAttrs {
  return {
    username: str(m.username),
    givenName: str(m.givenName),
    familyName: str(m.familyName),
    displayName: str(m.displayName),
    email: str(m.email),
    path: str(m.path),
    enabled: m.enabled !== false,
  };
}

function str(v: AttrValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

/**
 * What state remembers of the applied export, the base of the next plan's `sis.shrink` check.
 * A plan saved by a rollcall that did not count eligible people has no `sis_eligible`: then
 * none is recorded, and the next plan compares people only.
 */
export function sisSnapshotOf(plan: PlanDocument, now: string): SisSnapshotInfo {
  const eligible: unknown = plan.inputs.sis_eligible;
  return { digest: plan.inputs.sis_digest, people: plan.inputs.sis_people, ...(typeof eligible === 'number' ? { eligible } : {}), taken_at: now };
}
