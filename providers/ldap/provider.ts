import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { TargetSnapshot } from '../../engine/model/accounts.js';
import { errorDiag } from '../../engine/model/diagnostics.js';
import { InputError, TerminalProviderError } from '../../engine/model/errors.js';
import type { Change, MemberRef } from '../../engine/model/plan.js';
import type { TargetConfig } from '../../engine/model/policy.js';
import type { ApplySecrets, ChangeOutcome, ProviderContext, TargetProvider } from '../../engine/model/provider.js';
import { applyAccount } from './apply-account.js';
import { applyContainer, applyGroup, applyMembership } from './apply-group.js';
import { applyMembersBatched } from './apply-members.js';
import { ConnectionPool, describeError, isTransient, withRetry } from './connection.js';
import { Directory } from './directory.js';
import { values } from './entry-values.js';
import { encodeCursor, readAdChanges, readAdCursor, type IncrementalRead } from './incremental.js';
import { makeProfile } from './profile.js';
import { mergeSnapshot } from './incremental-merge.js';
import { readContainers, readSnapshot } from './read.js';
import { parseSettings, type LdapSettings } from './settings.js';

/** The ldap target provider: one Directory (profile + DNs) over a pool of bound connections. */
export class LdapProvider implements TargetProvider {
  private nextUid: number | null = null;

  private constructor(
    readonly target: string,
    private readonly dir: Directory,
    private readonly pool: ConnectionPool,
    private readonly ctx: ProviderContext,
  ) {}

  static async create(config: TargetConfig, ctx: ProviderContext): Promise<LdapProvider> {
    const { settings, diagnostics } = parseSettings(config);
    if (!settings) throw new InputError(diagnostics);
    const dnValue = ctx.env[settings.bindDNEnv];
    const password = ctx.env[settings.bindPasswordEnv];
    const missing = [[settings.bindDNEnv, dnValue], [settings.bindPasswordEnv, password]].filter(([, v]) => !v).map(([k]) => k as string);
    if (missing.length > 0 || !dnValue || !password) {
      throw new InputError([errorDiag('ldap.credentials-missing', `target ${config.name}: environment variable(s) ${missing.join(', ')} not set`,
        { path: `/targets/${config.name}/settings`, ...(config.origin.source ? { source: config.origin.source } : {}) })]);
    }
    const tls = await tlsOptions(settings, ctx);
    const pool = new ConnectionPool(settings, tls, { dn: dnValue, password });
    const provider = new LdapProvider(config.name, new Directory(settings, makeProfile(settings)), pool, ctx);
    // Connect once now, so bad credentials or certificates fail before any plan is built.
    await withRetry(() => pool.withClient(async () => undefined));
    return provider;
  }

  async read(): Promise<TargetSnapshot> {
    const started = Date.now();
    const snap = await withRetry(() => this.pool.withClient(async (c) => {
      // AD: take the cursor *before* reading, so changes made during the read are seen next time.
      const cursor = this.dir.profile.kind === 'active-directory' ? encodeCursor(await readAdCursor(c)) : undefined;
      const s = await readSnapshot(this.dir, c, this.target);
      return cursor ? { ...s, cursor } : s;
    }));
    this.ctx.log(`${this.target}: read ${snap.accounts.length} accounts, ${snap.groups.length} groups in ${Date.now() - started} ms`);
    return snap;
  }

  async apply(change: Change, secrets: ApplySecrets): Promise<ChangeOutcome> {
    try {
      return await withRetry(() => this.pool.withClient((c) => {
        switch (change.kind) {
          case 'account':
            return applyAccount(this.dir, c, change, secrets, () => this.allocateUid(c));
          case 'container':
            return applyContainer(this.dir, c, change);
          case 'group':
            return applyGroup(this.dir, c, change);
          case 'membership':
            return applyMembership(this.dir, c, change);
          default:
            throw new TerminalProviderError('ldap.unsupported', `change kind ${String(change.kind)} is not supported`);
        }
      }));
    } catch (err) {
      const terminal = !isTransient(err);
      const error = err instanceof TerminalProviderError ? `${err.code}: ${err.message}` : describeError(err);
      // Kind and action only: change ids and keys carry usernames, anchors are sourcedIds, and
      // this goes to CI logs. Apply lists the failure itself, its person by pseudonym.
      this.ctx.log(`${this.target}: ${change.kind} ${change.action} failed (${terminal ? 'terminal' : 'transient'}): ${error}`);
      return { status: 'failed', error, terminal };
    }
  }

  /** A planned membership change in batches of `memberBatchSize` values (see apply-members.ts). */
  async applyMembers(change: Change): Promise<{ member: MemberRef; outcome: ChangeOutcome }[]> {
    try {
      // A retry after a connection error is safe: every batch is idempotent by the fallback.
      return await withRetry(() => this.pool.withClient((c) => applyMembersBatched(this.dir, c, change)));
    } catch (err) {
      const terminal = !isTransient(err);
      const error = err instanceof TerminalProviderError ? `${err.code}: ${err.message}` : describeError(err);
      this.ctx.log(`${this.target}: membership ${change.action} of ${change.members?.length ?? 0} member(s) failed (${terminal ? 'terminal' : 'transient'}): ${error}`);
      return (change.members ?? []).map((member) => ({ member, outcome: { status: 'failed', error, terminal } }));
    }
  }

  /**
   * The contract's change feed, over readChanges: accounts from the uSNChanged poll merged
   * into `previous`, OUs re-read (one small search). Reads in full when there is no usable
   * cursor (not AD, other DC, DC restored) or when a group changed: member values are DNs,
   * and mapping them to account ids needs every account's DN, which a snapshot does not keep.
   * TODO: read changed groups alone with the extended-DN control (<GUID=...> member values).
   */
  async readIncremental(previous: TargetSnapshot): Promise<TargetSnapshot & { incremental: boolean }> {
    const known = new Set(previous.accounts.map((a) => a.id));
    const changes = previous.cursor ? await this.readChanges(previous.cursor, known) : null;
    if (!changes || changes.groupsChanged) return { ...(await this.read()), incremental: false };
    const containers = await withRetry(() => this.pool.withClient((c) => readContainers(this.dir, c)));
    // A deleted account leaves its groups too (AD drops the link); mirror that in the kept groups.
    const gone = new Set(changes.removed);
    const groups = gone.size === 0 ? previous.groups : previous.groups.map((g) => ({ ...g, members: g.members.filter((m) => !gone.has(m)) }));
    const snap = mergeSnapshot(previous, changes, { groups, containers });
    this.ctx.log(`${this.target}: incremental read: ${changes.changed.length} changed, ${changes.removed.length} removed`);
    return { ...snap, incremental: true };
  }

  /**
   * AD only, beyond the TargetProvider contract: accounts changed since a snapshot's `cursor`
   * (uSNChanged polling). Null means "read in full" (other DC, DC restored, not AD).
   */
  async readChanges(cursor: string, known?: ReadonlySet<string>): Promise<IncrementalRead | null> {
    if (this.dir.profile.kind !== 'active-directory') return null;
    return withRetry(() => this.pool.withClient((c) => readAdChanges(this.dir, c, cursor, known)));
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Next free uidNumber for posixAccount: one search for the highest in use, then counted here. */
  private async allocateUid(client: Parameters<Directory['search']>[0]): Promise<number> {
    const px = this.dir.settings.posixAccount;
    if (!px) throw new TerminalProviderError('ldap.posix', 'posixAccount is not configured');
    if (this.nextUid === null) {
      const entries = await this.dir.search(client, this.dir.settings.baseDN, '(uidNumber=*)', ['uidNumber']);
      const max = Math.max(px.uidNumberMin - 1, ...entries.flatMap((e) => values(e, 'uidNumber').map(Number)).filter(Number.isFinite));
      this.nextUid = max + 1;
    }
    return this.nextUid++;
  }
}

async function tlsOptions(settings: LdapSettings, ctx: ProviderContext): Promise<ConnectionOptions> {
  const opts: ConnectionOptions = { rejectUnauthorized: !settings.tlsInsecureSkipVerify };
  if (settings.tlsInsecureSkipVerify) {
    opts.checkServerIdentity = () => undefined;
    ctx.log('WARNING: tlsInsecureSkipVerify is on; the directory server certificate is not verified');
  }
  if (settings.caFile) {
    const file = isAbsolute(settings.caFile) ? settings.caFile : resolve(ctx.policyDir, settings.caFile);
    try {
      opts.ca = await readFile(file, 'utf8');
    } catch (err) {
      throw new InputError([errorDiag('ldap.ca-file', `cannot read caFile ${settings.caFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)]);
    }
  }
  // For ldap:// + StartTLS, tls.connect needs the host name to verify against.
  const host = new URL(settings.url).hostname.replace(/^\[|\]$/g, '');
  opts.servername = /^[0-9.:]+$/.test(host) ? undefined : host;
  if (settings.startTLS) opts.host = host;
  return opts;
}
