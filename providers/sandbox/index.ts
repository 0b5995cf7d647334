import { scryptSync } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import type { ObservedAccount, ObservedGroup, TargetSnapshot } from '../../engine/model/accounts.js';
import { errorDiag, type Diagnostic } from '../../engine/model/diagnostics.js';
import type { Change } from '../../engine/model/plan.js';
import type { TargetConfig } from '../../engine/model/policy.js';
import type { ApplySecrets, ChangeOutcome, ProviderContext, TargetProvider, TargetProviderModule } from '../../engine/model/provider.js';
import { memberSet, SandboxStore, type SandboxAccount } from './store.js';

/**
 * The sandbox target: a file-backed directory on local disk, so anyone can try rollcall
 * with no credentials. It is also the smallest complete provider: copy it to add one.
 * Settings: `path` (relative to the policy repo; default `.rollcall/sandbox`).
 */

/** Members are mostly appended in id order already; sorting is skipped when they are. */
function sortedCopy(ids: readonly string[]): string[] {
  const out = ids.slice();
  for (let i = 1; i < out.length; i++) if ((out[i - 1] as string) > (out[i] as string)) return out.sort();
  return out;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export class SandboxProvider implements TargetProvider {
  readonly target: string;
  private readonly store: SandboxStore;

  constructor(target: string, dir: string) {
    this.target = target;
    this.store = new SandboxStore(dir);
  }

  async read(): Promise<TargetSnapshot> {
    const d = this.store.fresh();
    const accounts: ObservedAccount[] = Object.values(d.accounts).map((a) => ({
      id: a.id, anchor: a.anchor, username: a.username, givenName: a.givenName, familyName: a.familyName,
      displayName: a.displayName, email: a.email, path: a.path, enabled: a.enabled, aliases: [...a.aliases],
    }));
    const groups: ObservedGroup[] = Object.values(d.groups).map((g) => ({ id: g.id, name: g.name, description: g.description, members: sortedCopy(g.members), managed: g.managed }));
    return { target: this.target, accounts, groups, containers: [...d.containers].sort() };
  }

  async apply(change: Change, secrets: ApplySecrets): Promise<ChangeOutcome> {
    const data = this.store.data;
    const store = this.store;
    const findByAnchor = (anchor: string | undefined): SandboxAccount | undefined => {
      const id = anchor === undefined ? undefined : store.byAnchor.get(anchor);
      return id === undefined ? undefined : data.accounts[id];
    };
    const findGroup = (name: string) => {
      const id = store.groupByName.get(name);
      return id === undefined ? undefined : data.groups[id];
    };
    const after = change.after ?? {};

    if (change.kind === 'container') {
      if (data.containers.includes(change.key)) return { status: 'already' };
      this.store.commit({ op: 'add-container', path: change.key });
      return { status: 'applied' };
    }

    if (change.kind === 'group') {
      if (change.action !== 'create') return fail(`sandbox: unsupported group action ${change.action}`);
      const name = str(after.name);
      const existing = findGroup(name);
      if (existing) return { status: 'already', objectId: existing.id };
      const id = this.store.nextId('g');
      this.store.commit({ op: 'put-group', group: { id, name, description: str(after.description), members: [], managed: true } });
      return { status: 'applied', objectId: id };
    }

    if (change.kind === 'membership') {
      const spec = change.action === 'add' ? after : (change.before ?? {});
      const group = findGroup(str(spec.group));
      if (!group) return change.action === 'remove' ? { status: 'already' } : fail(`sandbox: group ${str(spec.group)} does not exist`);
      const byName = store.byUsername.get(str(spec.member));
      const member = findByAnchor(change.anchor) ?? (byName === undefined ? undefined : data.accounts[byName]);
      if (!member) return change.action === 'remove' ? { status: 'already' } : fail('sandbox: member account does not exist');
      const has = memberSet(group).has(member.id);
      if (change.action === 'add') {
        if (has) return { status: 'already' };
        this.store.commit({ op: 'add-member', group: group.id, member: member.id });
      } else {
        if (!has) return { status: 'already' };
        this.store.commit({ op: 'remove-member', group: group.id, member: member.id });
      }
      return { status: 'applied' };
    }

    // Accounts. Idempotent by anchor: a create for an account that exists converges.
    if (change.action === 'create') {
      const existing = findByAnchor(change.anchor);
      if (existing) return { status: 'already', objectId: existing.id };
      const username = str(after.username);
      if (store.byUsername.has(username)) {
        return fail('sandbox: the username is already held by another account', true);
      }
      const id = this.store.nextId('u');
      const account: SandboxAccount = {
        id, anchor: change.anchor ?? null, username, givenName: str(after.givenName), familyName: str(after.familyName),
        displayName: str(after.displayName), email: str(after.email), path: str(after.path), enabled: after.enabled !== false, aliases: [],
        ...(secrets.initialPassword ? { passwordHash: hashPassword(secrets.initialPassword, id), mustChangePassword: secrets.changeAtNextLogin ?? false } : {}),
      };
      this.store.commit({ op: 'put-account', account });
      return { status: 'applied', objectId: id };
    }

    const acc = (change.object_id ? data.accounts[change.object_id] : undefined) ?? findByAnchor(change.anchor);
    if (!acc) return change.action === 'delete' ? { status: 'already' } : fail('sandbox: account not found');
    if (change.action !== 'adopt' && change.anchor !== undefined && acc.anchor !== change.anchor) {
      return fail('sandbox: the account carries a different anchor than the plan expects', true);
    }
    switch (change.action) {
      case 'delete':
        this.store.commit({ op: 'delete-account', id: acc.id });
        for (const g of Object.values(data.groups)) {
          if (memberSet(g).has(acc.id)) this.store.commit({ op: 'remove-member', group: g.id, member: acc.id });
        }
        return { status: 'applied' };
      case 'adopt':
        if (acc.anchor === change.anchor) return { status: 'already', objectId: acc.id };
        this.store.commit({ op: 'put-account', account: { ...acc, anchor: change.anchor ?? null } });
        return { status: 'applied', objectId: acc.id };
      case 'rename': {
        const username = str(after.username);
        if (acc.username === username) return { status: 'already', objectId: acc.id };
        const aliases = Array.isArray(after.aliases) ? after.aliases : acc.aliases;
        this.store.commit({ op: 'put-account', account: { ...acc, username, email: str(after.email) || acc.email, aliases: [...aliases] } });
        return { status: 'applied', objectId: acc.id };
      }
      case 'update':
      case 'move':
      case 'enable':
      case 'disable': {
        const next: SandboxAccount = { ...acc };
        for (const [k, v] of Object.entries(after)) {
          if (k === 'givenName' || k === 'familyName' || k === 'displayName' || k === 'email' || k === 'path') next[k] = str(v);
          if (k === 'enabled') next.enabled = v === true;
        }
        if (JSON.stringify(next) === JSON.stringify(acc)) return { status: 'already', objectId: acc.id };
        this.store.commit({ op: 'put-account', account: next });
        return { status: 'applied', objectId: acc.id };
      }
      default:
        return fail(`sandbox: unsupported account action ${change.action}`);
    }
  }

  /** A plan only reads: the directory's files are rewritten only when this session changed them. */
  async close(): Promise<void> {
    if (this.store.dirty) this.store.compact();
  }
}

function fail(error: string, terminal = true): ChangeOutcome {
  return { status: 'failed', error, terminal };
}

/**
 * The sandbox keeps a verifier, never the password. Cost is lowered (N=2^8) because the
 * sandbox is a local toy directory created by the thousand in tests; real directories hash
 * on their side.
 */
const SCRYPT = { N: 256, r: 8, p: 1 } as const;

function hashPassword(password: string, salt: string): string {
  return `scrypt:${SCRYPT.N}$${salt}$${scryptSync(password, salt, 32, SCRYPT).toString('hex')}`;
}


export const sandboxProviderModule: TargetProviderModule = {
  validateSettings(config: TargetConfig): Diagnostic[] {
    const p = config.settings.path;
    if (p !== undefined && typeof p !== 'string') {
      return [errorDiag('target.settings', `target ${config.name}: sandbox setting "path" must be a string`, config.origin.source ? { source: config.origin.source } : {})];
    }
    return [];
  },
  async create(config: TargetConfig, ctx: ProviderContext): Promise<TargetProvider> {
    const rel = typeof config.settings.path === 'string' ? config.settings.path : '.rollcall/sandbox';
    return new SandboxProvider(config.name, isAbsolute(rel) ? rel : join(ctx.policyDir, rel));
  },
};
