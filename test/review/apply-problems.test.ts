import { describe, expect, it } from 'vitest';
import type { Change } from '../../engine/model/plan.js';
import { renderApplyProblems } from '../../engine/render/apply-problems.js';
import { pseudonym } from '../../engine/render/pseudonym.js';

/**
 * What `apply` prints for failed and skipped changes reaches CI logs: people by pseudonym,
 * and a provider's message without the names, usernames and emails it quotes (here the
 * Google provider's own conflict and membership texts).
 */

const KEY = 'apply-problems-key';
const create: Change = {
  id: 'google:account:stu-4711:create', target: 'google', kind: 'account', action: 'create', anchor: 'stu-4711', key: 'stu-4711',
  after: { username: 'azak', givenName: 'Agnieszka', familyName: 'Żak', displayName: 'Agnieszka Żak', email: 'azak@students.maplewood.k12.example', path: 'Students/H0001/2029', enabled: true },
  reason: { cause: 'sis', detail: 'new student' },
};
const add: Change = {
  id: 'google:membership:mhs-students:add', target: 'google', kind: 'membership', action: 'add', key: 'mhs-students',
  after: { group: 'mhs-students' }, members: [{ anchor: 'stu-4711', username: 'azak' }, { username: 'jsmith' }],
  reason: { cause: 'sis', detail: '2 member(s)' },
};
const plan = { changes: [create, add] };
const problems = [
  { id: create.id, text: 'conflict: an account already holds azak@students.maplewood.k12.example (user id 1234) without a rollcall anchor. If it is this person, adopt it (rollcall correlate); otherwise choose another username.' },
  { id: `${add.id}#stu-4711`, text: 'group mhs-students@maplewood.k12.example or member azak does not exist' },
  { id: `${add.id}#1`, text: 'group mhs-students@maplewood.k12.example or member jsmith does not exist' },
  { id: 'google:account:stu-9:update', text: 'renamed, but alias old.name@students.maplewood.k12.example is held by another account' },
];

describe('apply problems as printed', () => {
  it('name people by pseudonym and strip the change\'s own values and any email address', () => {
    const out = renderApplyProblems('failed', problems, plan, { showPii: false, pseudonymKey: KEY }).join('\n');
    for (const secret of ['azak', 'Agnieszka', 'Żak', 'jsmith', 'stu-4711', 'old.name', '@students.']) expect(out).not.toContain(secret);
    expect(out).toContain(`failed google account create ${pseudonym(KEY, 'stu-4711')}: conflict: an account already holds (redacted)`);
    expect(out).toContain(`failed google membership add mhs-students member ${pseudonym(KEY, 'stu-4711')}: group (redacted email) or member (redacted) does not exist`);
    expect(out).toContain('member #1 (unmanaged)');
    expect(out).toContain('failed (a change not in this plan): renamed, but alias (redacted email) is held by another account');
  });

  it('redact whole words only: a short name does not eat into other words', () => {
    const al: Change = { ...create, id: 'google:account:stu-5:create', anchor: 'stu-5', key: 'stu-5', after: { ...create.after, givenName: 'Al', username: 'al.b' } };
    const [line] = renderApplyProblems('failed', [{ id: al.id, text: 'Already exists: Al (al.b); Alumni group full' }], { changes: [al] }, { showPii: false, pseudonymKey: KEY });
    expect(line).toBe(`  failed google account create ${pseudonym(KEY, 'stu-5')}: Already exists: (redacted) ((redacted)); Alumni group full`);
  });

  it('print ids and messages whole with --show-pii', () => {
    const out = renderApplyProblems('failed', problems, plan, { showPii: true, pseudonymKey: KEY });
    expect(out[0]).toBe(`  failed ${create.id}: ${problems[0]!.text}`);
  });
});
