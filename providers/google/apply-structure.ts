import type { ChangeOutcome } from '../../engine/model/provider.js';
import type { Change } from '../../engine/model/plan.js';
import type { Directory } from './client.js';
import type { Transport } from './transport.js';
import type { GoogleSettings } from './settings.js';
import { MANAGED_MARK, toEmail, toOrgUnitPath } from './mapping.js';
import { already, applied, failed, kindOf, terminal } from './outcome.js';
import type { UserIndex } from './user-index.js';

/**
 * Org units, groups and memberships. All are idempotent by their natural key: an org unit
 * by path, a group by address, a membership by (group, member). "Already exists" answers
 * (409 "Member already exists", 404 on remove) mean the change is in effect.
 */
export class StructureApplier {
  /** Org units known to exist (from creates in this process); saves a call per child. */
  private readonly knownOus = new Set<string>(['/']);

  constructor(
    private readonly s: GoogleSettings,
    private readonly dir: Directory,
    private readonly t: Transport,
    private readonly users: UserIndex,
  ) {}

  /** Create the org unit and any missing parents, top down (the managed root included). */
  async createContainer(change: Change): Promise<ChangeOutcome> {
    const logical = typeof change.after?.path === 'string' ? change.after.path : change.key;
    const full = toOrgUnitPath(this.s, logical);
    const parts = full.split('/').filter(Boolean);
    let created = false;
    let id: string | undefined;
    for (let i = 1; i <= parts.length; i++) {
      const path = '/' + parts.slice(0, i).join('/');
      if (this.knownOus.has(path)) continue;
      const parent = i === 1 ? '/' : '/' + parts.slice(0, i - 1).join('/');
      try {
        const res = await this.t.call(() =>
          this.dir.orgunits.insert({ customerId: this.s.customer, requestBody: { name: parts[i - 1] ?? '', parentOrgUnitPath: parent }, fields: 'orgUnitId' }),
        );
        id = res.data.orgUnitId ?? undefined;
        created = true;
      } catch (e) {
        // Google answers an existing org unit with 409 or 400 depending on the case:
        // look it up rather than trusting the code.
        const k = kindOf(e);
        if (k !== 'conflict' && k !== 'invalid') return failed(e, 'orgunits.insert');
        try {
          const res = await this.t.call(() => this.dir.orgunits.get({ customerId: this.s.customer, orgUnitPath: path.slice(1), fields: 'orgUnitId' }));
          id = res.data.orgUnitId ?? undefined;
        } catch {
          return failed(e, `orgunits.insert ${path}`);
        }
      }
      this.knownOus.add(path);
    }
    return created ? applied(id) : already(id);
  }

  async createGroup(change: Change): Promise<ChangeOutcome> {
    const name = typeof change.after?.name === 'string' ? change.after.name : change.key;
    const description = typeof change.after?.description === 'string' ? change.after.description : '';
    const email = toEmail(this.s, name);
    try {
      const res = await this.t.call(() => this.dir.groups.insert({ requestBody: { email, name, description: description + MANAGED_MARK }, fields: 'id' }));
      return applied(res.data.id ?? undefined);
    } catch (e) {
      if (kindOf(e) !== 'conflict') return failed(e, 'groups.insert');
    }
    try {
      const res = await this.t.call(() => this.dir.groups.get({ groupKey: email, fields: 'id,email' }));
      if ((res.data.email ?? '').toLowerCase() === email.toLowerCase()) return already(res.data.id ?? undefined);
      return terminal(`conflict: ${email} is an alias of another group`);
    } catch (e) {
      if (kindOf(e) === 'notFound') return terminal(`conflict: ${email} belongs to a user or an account outside this Workspace; choose another group name`);
      return failed(e, 'groups.get after 409');
    }
  }

  private async membershipKeys(change: Change, side: 'after' | 'before'): Promise<{ group: string; member: string; label: string } | undefined> {
    const m = change[side];
    const [g, u] = change.key.split('|');
    const group = typeof m?.group === 'string' ? m.group : g;
    const member = typeof m?.member === 'string' ? m.member : u;
    if (!group || !member) return undefined;
    return { group: toEmail(this.s, group), member: await this.users.memberKey(member, change.anchor), label: member };
  }

  async addMember(change: Change): Promise<ChangeOutcome> {
    const k = await this.membershipKeys(change, 'after');
    if (!k) return terminal(`membership change ${change.key} lacks group or member`);
    const body = k.member.includes('@') ? { email: k.member, role: 'MEMBER' } : { id: k.member, role: 'MEMBER' };
    try {
      const res = await this.t.call(() => this.dir.members.insert({ groupKey: k.group, requestBody: body, fields: 'id' }));
      return applied(res.data.id ?? undefined);
    } catch (e) {
      const kind = kindOf(e);
      if (kind === 'conflict') return already();
      if (kind === 'notFound') return terminal(`group ${k.group} or member ${k.label} does not exist`);
      return failed(e, 'members.insert');
    }
  }

  async removeMember(change: Change): Promise<ChangeOutcome> {
    const k = await this.membershipKeys(change, 'before');
    if (!k) return terminal(`membership change ${change.key} lacks group or member`);
    try {
      await this.t.call(() => this.dir.members.delete({ groupKey: k.group, memberKey: k.member }));
      return applied();
    } catch (e) {
      if (kindOf(e) === 'notFound') return already();
      return failed(e, 'members.delete');
    }
  }
}
