import type { Diagnostic } from '../../engine/model/diagnostics.js';
import type { TargetSnapshot } from '../../engine/model/accounts.js';
import type { Change } from '../../engine/model/plan.js';
import type { TargetConfig } from '../../engine/model/policy.js';
import { InputError } from '../../engine/model/errors.js';
import type { ApplySecrets, ChangeOutcome, ProviderContext, TargetProvider, TargetProviderModule } from '../../engine/model/provider.js';
import { type GoogleSettings, parseSettings } from './settings.js';
import { Transport, type TransportStats } from './transport.js';
import { readSnapshot } from './read.js';
import { AccountApplier } from './apply-account.js';
import { StructureApplier } from './apply-structure.js';
import { failed, terminal } from './outcome.js';
import { UserIndex } from './user-index.js';

/**
 * The `google` target: Google Workspace through the Admin SDK Directory API v1, on the
 * real `@googleapis/admin` client (imported lazily by client.ts, inside create()).
 * apply() may be called concurrently: the Transport bounds calls in flight and holds the
 * client to the quota, so the engine can keep `concurrency` changes going at once.
 */

export class GoogleProvider implements TargetProvider {
  private readonly accounts: AccountApplier;
  private readonly structure: StructureApplier;
  private readonly users: UserIndex;

  constructor(
    readonly target: string,
    readonly settings: GoogleSettings,
    private readonly client: import('./client.js').DirectoryClient,
    readonly transport: Transport,
    private readonly log: (m: string) => void,
  ) {
    this.users = new UserIndex(settings, client.dir, transport);
    this.accounts = new AccountApplier(settings, client.dir, transport, this.users);
    this.structure = new StructureApplier(settings, client.dir, transport, this.users);
  }

  /** Apply keeps this many changes in flight; the transport's limiter holds the quota. */
  get concurrency(): number {
    return this.settings.concurrency;
  }

  get stats(): TransportStats {
    return this.transport.stats;
  }

  async read(): Promise<TargetSnapshot> {
    const snap = await readSnapshot(this.target, this.settings, this.client.dir, this.transport, this.log);
    for (const a of snap.accounts) this.users.remember(a.username, a.id);
    return snap;
  }

  async apply(change: Change, secrets: ApplySecrets): Promise<ChangeOutcome> {
    try {
      return await this.dispatch(change, secrets);
    } catch (e) {
      return failed(e, `${change.kind} ${change.action}`);
    }
  }

  private dispatch(change: Change, secrets: ApplySecrets): Promise<ChangeOutcome> {
    const a = this.accounts;
    const s = this.structure;
    switch (`${change.kind}:${change.action}`) {
      case 'account:create': return a.create(change, secrets);
      case 'account:update': return a.update(change);
      case 'account:rename': return a.rename(change);
      case 'account:move': return a.move(change);
      case 'account:disable': return a.setEnabled(change, false);
      case 'account:enable': return a.setEnabled(change, true);
      case 'account:delete': return a.delete(change);
      case 'account:adopt': return a.adopt(change);
      case 'container:create': return s.createContainer(change);
      case 'group:create': return s.createGroup(change);
      case 'membership:add': return s.addMember(change);
      case 'membership:remove': return s.removeMember(change);
      default: return Promise.resolve(terminal(`the google provider does not support ${change.kind} ${change.action}`));
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

export const googleProviderModule: TargetProviderModule = {
  validateSettings(config: TargetConfig): Diagnostic[] {
    return parseSettings(config).diagnostics;
  },
  async create(config: TargetConfig, ctx: ProviderContext): Promise<TargetProvider> {
    const { settings, diagnostics } = parseSettings(config);
    if (diagnostics.some((d) => d.severity === 'error')) throw new InputError(diagnostics);
    const { createDirectoryClient } = await import('./client.js');
    const client = await createDirectoryClient(settings, ctx.env);
    const transport = new Transport({ qpm: settings.qpm, quotaWindowMs: settings.quotaWindowMs, concurrency: settings.concurrency, retry: settings.retry });
    return new GoogleProvider(config.name, settings, client, transport, ctx.log);
  },
};
