import { createHash } from 'node:crypto';

/**
 * The emulated Workspace directory held in memory: users, aliases, org units, groups and
 * members, with one email index so that primary addresses, aliases and group addresses
 * can never collide (the API's 409 rule). Tests and benchmarks seed it directly.
 */

export interface UserRecord {
  /** The resource as the API returns it (without password fields). */
  resource: Record<string, unknown> & { id: string; primaryEmail: string; aliases?: string[] };
  password: string;
  hashFunction: string | undefined;
  version: number;
}

export interface OrgUnitRecord {
  orgUnitId: string;
  orgUnitPath: string;
  name: string;
  description: string;
  parentOrgUnitPath: string | undefined;
  version: number;
}

export interface GroupRecord {
  resource: Record<string, unknown> & { id: string; email: string; name: string; description: string };
  version: number;
  /** member id -> member resource. */
  members: Map<string, Record<string, unknown> & { id: string; email: string }>;
}

type EmailOwner = { kind: 'user' | 'alias' | 'group'; id: string } | { kind: 'reserved'; id: '' };

export function etagOf(kind: string, id: string, version: number): string {
  return `"${createHash('sha1').update(`${kind}:${id}:${version}`).digest('base64url')}"`;
}

export class DirectoryState {
  readonly customerId = 'C03emul8r';
  readonly domains: string[];
  readonly users = new Map<string, UserRecord>();
  readonly orgUnits = new Map<string, OrgUnitRecord>();
  readonly groups = new Map<string, GroupRecord>();
  private readonly emails = new Map<string, EmailOwner>();
  private nextId = 1;
  private sorted: UserRecord[] | null = null;
  /** Every accepted API call (after auth and quota), for tests and benchmarks. */
  readonly counters = { calls: 0, byMethod: new Map<string, number>() };

  constructor(domains: string[]) {
    this.domains = domains.map((d) => d.toLowerCase());
    this.orgUnits.set('/', { orgUnitId: 'id:root', orgUnitPath: '/', name: '', description: '', parentOrgUnitPath: undefined, version: 1 });
  }

  newId(): string {
    // Google ids are 21-digit decimal strings.
    return String(100000000000000000000n + BigInt(this.nextId++));
  }

  owner(email: string): EmailOwner | undefined {
    return this.emails.get(email.toLowerCase());
  }

  claim(email: string, owner: EmailOwner): void {
    this.emails.set(email.toLowerCase(), owner);
  }

  release(email: string): void {
    this.emails.delete(email.toLowerCase());
  }

  /** An address held outside this customer (an unmanaged or consumer account): inserts get 409. */
  reserveEmail(email: string): void {
    this.claim(email, { kind: 'reserved', id: '' });
  }

  /** Resolve a userKey: id, primary email or alias. */
  findUser(key: string): UserRecord | undefined {
    const direct = this.users.get(key);
    if (direct) return direct;
    const o = this.owner(key);
    if (o && (o.kind === 'user' || o.kind === 'alias')) return this.users.get(o.id);
    return undefined;
  }

  findGroup(key: string): GroupRecord | undefined {
    const direct = this.groups.get(key);
    if (direct) return direct;
    const o = this.owner(key);
    if (o && o.kind === 'group') return this.groups.get(o.id);
    return undefined;
  }

  /** Users sorted by primary email: the stable order paging walks. */
  sortedUsers(): UserRecord[] {
    if (!this.sorted) {
      this.sorted = [...this.users.values()].sort((a, b) => cmp(a.resource.primaryEmail.toLowerCase(), b.resource.primaryEmail.toLowerCase()));
    }
    return this.sorted;
  }

  touchUsers(): void {
    this.sorted = null;
  }

  /**
   * Seed a user without going through the API (tests, benchmarks). Defaults fill what the
   * API would; `password` is stored as a SHA-1 hash of a fixed value.
   */
  seedUser(input: { primaryEmail: string; givenName?: string; familyName?: string; orgUnitPath?: string; externalIds?: unknown; suspended?: boolean; aliases?: string[] }): UserRecord {
    const id = this.newId();
    const given = input.givenName ?? 'Test';
    const family = input.familyName ?? 'User';
    const rec: UserRecord = {
      resource: {
        kind: 'admin#directory#user',
        id,
        primaryEmail: input.primaryEmail,
        name: { givenName: given, familyName: family, fullName: `${given} ${family}` },
        isAdmin: false,
        isDelegatedAdmin: false,
        creationTime: new Date(0).toISOString(),
        agreedToTerms: false,
        suspended: input.suspended ?? false,
        archived: false,
        changePasswordAtNextLogin: false,
        ipWhitelisted: false,
        customerId: this.customerId,
        orgUnitPath: input.orgUnitPath ?? '/',
        isMailboxSetup: true,
        includeInGlobalAddressList: true,
        ...(input.externalIds !== undefined ? { externalIds: input.externalIds } : {}),
        ...(input.aliases && input.aliases.length > 0 ? { aliases: [...input.aliases] } : {}),
      },
      password: createHash('sha1').update('seeded-password').digest('hex'),
      hashFunction: 'SHA-1',
      version: 1,
    };
    this.users.set(id, rec);
    this.claim(input.primaryEmail, { kind: 'user', id });
    for (const a of input.aliases ?? []) this.claim(a, { kind: 'alias', id });
    this.touchUsers();
    return rec;
  }

  /** Seed an org unit and any missing parents. */
  seedOrgUnit(path: string): OrgUnitRecord {
    const norm = '/' + path.split('/').filter(Boolean).join('/');
    const existing = this.orgUnits.get(norm);
    if (existing) return existing;
    const parts = norm.split('/').filter(Boolean);
    const parentPath = parts.length > 1 ? '/' + parts.slice(0, -1).join('/') : '/';
    if (!this.orgUnits.has(parentPath)) this.seedOrgUnit(parentPath);
    const rec: OrgUnitRecord = {
      orgUnitId: `id:${this.newId()}`,
      orgUnitPath: norm,
      name: parts[parts.length - 1] ?? '',
      description: '',
      parentOrgUnitPath: parentPath,
      version: 1,
    };
    this.orgUnits.set(norm, rec);
    return rec;
  }

  domainOf(email: string): string {
    return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  }

  isOwnDomain(email: string): boolean {
    return this.domains.length === 0 || this.domains.includes(this.domainOf(email));
  }
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
