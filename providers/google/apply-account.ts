import type { admin_directory_v1 } from '@googleapis/admin';
import type { ApplySecrets, ChangeOutcome } from '../../engine/model/provider.js';
import type { AttrMap, Change } from '../../engine/model/plan.js';
import type { Directory } from './client.js';
import type { Transport } from './transport.js';
import type { GoogleSettings } from './settings.js';
import { anchorEntry, anchorOf, toEmail, toOrgUnitPath, withAnchor } from './mapping.js';
import { hashForGoogle, randomPassword } from './password.js';
import { already, applied, failed, kindOf, terminal } from './outcome.js';
import type { UserIndex } from './user-index.js';

/**
 * Account changes. Creates go straight to users.insert (one call, so the quota goes to
 * real work); the primary email is unique, so a retried insert meets 409 and the 409 path
 * decides whether the holder is our own account (anchor matches -> `already`) or someone
 * else (terminal conflict, with guidance). Every other change reads the user first to
 * verify the anchor, then writes with If-Match on that etag (users.update: patch
 * semantics, and Google's recommended method).
 */
type User = admin_directory_v1.Schema$User;

const str = (m: AttrMap | undefined, k: string): string | undefined => {
  const v = m?.[k];
  return typeof v === 'string' ? v : undefined;
};

export class AccountApplier {
  constructor(
    private readonly s: GoogleSettings,
    private readonly dir: Directory,
    private readonly t: Transport,
    private readonly users: UserIndex,
  ) {}

  async create(change: Change, secrets: ApplySecrets): Promise<ChangeOutcome> {
    const after = change.after ?? {};
    const username = str(after, 'username') ?? change.key;
    const email = toEmail(this.s, str(after, 'email') ?? username);
    if (!change.anchor) return terminal('account create without an anchor');
    const pw = hashForGoogle(secrets.initialPassword ?? randomPassword(), this.s.passwordHash);
    const body: User = {
      primaryEmail: email,
      name: { givenName: str(after, 'givenName') ?? '', familyName: str(after, 'familyName') ?? '', ...(str(after, 'displayName') ? { displayName: str(after, 'displayName') } : {}) },
      orgUnitPath: toOrgUnitPath(this.s, str(after, 'path') ?? ''),
      suspended: after.enabled === false,
      externalIds: [anchorEntry(this.s, change.anchor)],
      changePasswordAtNextLogin: secrets.changeAtNextLogin ?? this.s.changePasswordAtNextLogin,
      ...(this.s.customSchemas ? { customSchemas: this.s.customSchemas } : {}),
      ...pw,
    };
    try {
      const res = await this.t.call(() => this.dir.users.insert({ requestBody: body, fields: 'id' }));
      if (res.data.id) this.users.remember(username, res.data.id);
      return applied(res.data.id ?? undefined);
    } catch (e) {
      if (kindOf(e) !== 'conflict') return failed(e, 'users.insert');
    }
    const out = await this.explainConflict(email, change.anchor);
    if (out.status === 'already' && out.objectId) this.users.remember(username, out.objectId);
    return out;
  }

  /** After a 409: whose is this address? Never retried: the answer will not change by waiting. */
  private async explainConflict(email: string, anchor: string): Promise<ChangeOutcome> {
    let holder: User;
    try {
      holder = (await this.t.call(() => this.dir.users.get({ userKey: email, fields: 'id,primaryEmail,externalIds' }))).data;
    } catch (e) {
      if (kindOf(e) === 'notFound') {
        return terminal(
          `conflict: ${email} is taken by something this Workspace cannot see as a user: an unmanaged (consumer) Google account or a group address. ` +
            'Invite the consumer account to transfer or rename it (Admin console > Users > Unmanaged users), or choose another username; rollcall will not retry.',
        );
      }
      return failed(e, 'users.get after 409');
    }
    const theirs = anchorOf(this.s, holder.externalIds);
    if (theirs === anchor) return already(holder.id ?? undefined);
    if ((holder.primaryEmail ?? '').toLowerCase() !== email.toLowerCase()) {
      return terminal(`conflict: ${email} is an alias of another account (user id ${holder.id ?? '?'}). Remove that alias or choose another username; rollcall will not retry.`);
    }
    return terminal(
      `conflict: an account already holds ${email} (user id ${holder.id ?? '?'}) ${theirs ? 'with a different anchor' : 'without a rollcall anchor'}. ` +
        'If it is this person, adopt it (rollcall correlate); otherwise choose another username.',
    );
  }

  /** Read the user and check it carries the change's anchor (when the change has one). */
  private async verified(change: Change, fields = 'id,primaryEmail,externalIds,orgUnitPath,suspended,archived,aliases,etag'): Promise<User | ChangeOutcome> {
    const id = change.object_id;
    if (!id) return terminal(`${change.action} without object_id`);
    let u: User;
    try {
      u = (await this.t.call(() => this.dir.users.get({ userKey: id, fields }))).data;
    } catch (e) {
      if (kindOf(e) === 'notFound') return change.action === 'delete' ? already(id) : terminal(`user ${id} no longer exists; re-plan`);
      return failed(e, 'users.get');
    }
    if (change.anchor && change.action !== 'adopt') {
      const have = anchorOf(this.s, u.externalIds);
      if (have !== change.anchor) return terminal(`user ${id} does not carry the expected anchor (found ${have ?? 'none'}); re-plan`);
    }
    return u;
  }

  /** users.update with If-Match; a 412 (someone changed it meanwhile) re-reads and tries again. */
  private async write(change: Change, build: (u: User) => User | null): Promise<ChangeOutcome> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const u = await this.verified(change);
      if ('status' in u) return u;
      const body = build(u);
      if (!body) return already(u.id ?? undefined);
      try {
        await this.t.call(() => this.dir.users.update({ userKey: u.id ?? '', requestBody: body, fields: 'id' }, { headers: { 'If-Match': u.etag ?? '*' } }));
        return applied(u.id ?? undefined);
      } catch (e) {
        const k = kindOf(e);
        if (k === 'precondition') continue;
        if (k === 'conflict') return terminal(`conflict: the new address is already taken by another user, group or alias`);
        return failed(e, 'users.update');
      }
    }
    return terminal(`user ${change.object_id ?? '?'} kept changing under us (412 three times); re-plan`);
  }

  update(change: Change): Promise<ChangeOutcome> {
    const after = change.after ?? {};
    return this.write(change, () => {
      const body: User = {};
      const name: Record<string, string> = {};
      for (const k of ['givenName', 'familyName', 'displayName']) {
        const v = str(after, k);
        if (v !== undefined) name[k] = v;
      }
      if (Object.keys(name).length) body.name = name;
      const email = str(after, 'email');
      if (email) body.primaryEmail = toEmail(this.s, email);
      return Object.keys(body).length ? body : null;
    });
  }

  async rename(change: Change): Promise<ChangeOutcome> {
    const after = change.after ?? {};
    const email = toEmail(this.s, str(after, 'email') ?? str(after, 'username') ?? '');
    let aliases: string[] = [];
    const out = await this.write(change, (u) => {
      aliases = (u.aliases ?? []).map((a) => a.toLowerCase());
      return (u.primaryEmail ?? '').toLowerCase() === email.toLowerCase() ? null : { primaryEmail: email };
    });
    if (out.status === 'failed') return out;
    const oldName = str(change.before, 'username');
    if (oldName) this.users.forget(oldName);
    const newName = str(after, 'username');
    if (newName && change.object_id) this.users.remember(newName, change.object_id);
    // Google keeps the old address as an alias by itself; add any the plan lists that are missing.
    const keep = Array.isArray(after.aliases) ? after.aliases : [];
    const before = str(change.before, 'email');
    const id = change.object_id ?? '';
    for (const a of keep.map((x) => toEmail(this.s, x).toLowerCase())) {
      if (aliases.includes(a) || (out.status === 'applied' && a === before?.toLowerCase())) continue;
      try {
        await this.t.call(() => this.dir.users.aliases.insert({ userKey: id, requestBody: { alias: a } }));
      } catch (e) {
        if (kindOf(e) !== 'conflict') return failed(e, 'users.aliases.insert');
        const owner = await this.t.call(() => this.dir.users.get({ userKey: a, fields: 'id' })).catch(() => null);
        if (owner?.data.id !== id) return terminal(`renamed, but alias ${a} is held by another account`);
      }
    }
    return out;
  }

  move(change: Change): Promise<ChangeOutcome> {
    const ou = toOrgUnitPath(this.s, str(change.after, 'path') ?? '');
    return this.write(change, (u) => (u.orgUnitPath === ou ? null : { orgUnitPath: ou }));
  }

  /** Disable suspends (and archives, if so configured); enable lifts both. */
  setEnabled(change: Change, enabled: boolean): Promise<ChangeOutcome> {
    return this.write(change, (u) => {
      const body: User = {};
      if ((u.suspended === true) === enabled) body.suspended = !enabled;
      if (enabled && u.archived === true) body.archived = false;
      if (!enabled && this.s.archiveOnDisable && u.archived !== true) body.archived = true;
      return Object.keys(body).length ? body : null;
    });
  }

  adopt(change: Change): Promise<ChangeOutcome> {
    const anchor = change.anchor ?? str(change.after, 'anchor');
    if (!anchor) return Promise.resolve(terminal('adopt without an anchor'));
    return this.write(change, (u) => {
      const have = anchorOf(this.s, u.externalIds);
      if (have === anchor) return null;
      return { externalIds: withAnchor(this.s, u.externalIds, anchor) };
    });
  }

  async delete(change: Change): Promise<ChangeOutcome> {
    const u = await this.verified(change, 'id,externalIds,etag');
    if ('status' in u) return u;
    try {
      await this.t.call(() => this.dir.users.delete({ userKey: u.id ?? '' }, { headers: { 'If-Match': u.etag ?? '*' } }));
      return applied(u.id ?? undefined);
    } catch (e) {
      if (kindOf(e) === 'notFound') return already(u.id ?? undefined);
      return failed(e, 'users.delete');
    }
  }
}
