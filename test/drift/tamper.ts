import { join } from 'node:path';
import { SandboxStore, type SandboxAccount } from '../../providers/sandbox/store.js';

/**
 * Changes made to the sandbox "behind rollcall's back", as an admin with direct access to
 * the directory would make them: straight into the store, never through a plan.
 */
export class Tamper {
  readonly store: SandboxStore;
  constructor(dir: string) {
    this.store = new SandboxStore(join(dir, '.rollcall/sandbox'));
  }

  byAnchor(anchor: string): SandboxAccount {
    const id = this.store.byAnchor.get(anchor);
    const acc = id === undefined ? undefined : this.store.data.accounts[id];
    if (!acc) throw new Error(`no sandbox account for ${anchor}`);
    return acc;
  }

  edit(anchor: string, patch: Partial<SandboxAccount>): SandboxAccount {
    const next = { ...this.byAnchor(anchor), ...patch };
    this.store.commit({ op: 'put-account', account: next });
    return next;
  }

  /** Deletes an account the way a directory does: its group memberships go with it. */
  remove(id: string): void {
    this.store.commit({ op: 'delete-account', id });
    for (const g of Object.values(this.store.data.groups)) {
      if (g.members.includes(id)) this.store.commit({ op: 'remove-member', group: g.id, member: id });
    }
  }

  addAccount(fields: Pick<SandboxAccount, 'username' | 'path'> & Partial<SandboxAccount>): SandboxAccount {
    const id = this.store.nextId('t');
    const account: SandboxAccount = { id, anchor: null, givenName: 'Kiosk', familyName: 'Account', displayName: 'Kiosk Account', email: '', enabled: true, aliases: [], ...fields };
    this.store.commit({ op: 'put-account', account });
    return account;
  }

  /** A group created by hand (not rollcall's), with these account ids as members. */
  addGroup(name: string, members: string[]): void {
    const id = this.store.nextId('tg');
    this.store.commit({ op: 'put-group', group: { id, name, description: 'made by hand', members: [], managed: false } });
    for (const m of members) this.store.commit({ op: 'add-member', group: id, member: m });
  }

  removeMember(groupName: string, member: string): void {
    const id = this.store.groupByName.get(groupName);
    if (id === undefined) throw new Error(`no group ${groupName}`);
    this.store.commit({ op: 'remove-member', group: id, member });
  }
}
