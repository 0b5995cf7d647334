import { AndFilter, FilterParser, NoSuchObjectError, type Client, type Entry, type Filter } from 'ldapts';
import { joinDn, normalizeDn, parseDn, rdn } from './dn.js';
import { values } from './entry-values.js';
import { and, eq, present } from './filter.js';
import { pathAncestors, pathToDn, splitPath } from './paths.js';
import type { Profile } from './profile.js';
import type { LdapSettings } from './settings.js';

/**
 * Look-ups shared by read and apply. Every filter value goes through `eq()` (RFC 4515
 * escaping) and every DN component through `rdn()`/`pathToDn()` (RFC 4514 escaping).
 */
export class Directory {
  readonly usersRoot: string;
  readonly groupsRoot: string;

  constructor(
    readonly settings: LdapSettings,
    readonly profile: Profile,
  ) {
    this.usersRoot = joinDn(settings.usersBase, settings.baseDN);
    this.groupsRoot = joinDn(settings.groupsBase, settings.baseDN);
  }

  /** Paged search; a missing base yields no entries rather than an error. */
  async search(client: Client, base: string, filter: string | Filter, attributes: string[], scope: 'base' | 'one' | 'sub' = 'sub'): Promise<Entry[]> {
    const out: Entry[] = [];
    try {
      const pages = client.searchPaginated(base, {
        scope,
        filter,
        attributes,
        explicitBufferAttributes: this.profile.binaryAttrs,
        paged: { pageSize: this.settings.pageSize },
      });
      for await (const page of pages) out.push(...page.searchEntries);
    } catch (err) {
      if (err instanceof NoSuchObjectError) return out;
      throw err;
    }
    return out;
  }

  async exists(client: Client, dn: string): Promise<boolean> {
    try {
      const r = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] });
      return r.searchEntries.length > 0;
    } catch (err) {
      if (err instanceof NoSuchObjectError) return false;
      throw err;
    }
  }

  private async one(client: Client, filter: string | Filter, base = this.settings.baseDN, attrs = this.profile.accountAttrs): Promise<Entry | null> {
    const found = await this.search(client, base, filter, attrs);
    if (found.length > 1) throw new Error(`ambiguous: ${found.length} entries match one identity`);
    return found[0] ?? null;
  }

  /** The account an object_id names: a GUID/entryUUID, or a DN. */
  async accountById(client: Client, id: string): Promise<Entry | null> {
    if (id.includes('=')) {
      const r = await this.search(client, id, this.profile.accountFilter, this.profile.accountAttrs, 'base');
      return r[0] ?? null;
    }
    return this.one(client, new AndFilter({ filters: [FilterParser.parseString(this.profile.accountFilter), this.profile.idFilter(id)] }));
  }

  async accountByAnchor(client: Client, anchor: string): Promise<Entry | null> {
    return this.one(client, and(this.profile.accountFilter, eq(this.settings.anchorAttribute, anchor)));
  }

  async accountByUsername(client: Client, username: string): Promise<Entry | null> {
    return this.one(client, and(this.profile.accountFilter, eq(this.profile.usernameAttr, username)));
  }

  private anchorIds: Promise<Map<string, string>> | null = null;

  /**
   * anchor -> object id for every account in the base DN, read once per provider (one paged
   * search) and kept current by creates. Anchor attributes are often unindexed (employeeID is
   * not indexed by default in AD or Samba), so searching by anchor before each of N creates
   * would scan all accounts N times; this keeps a bulk first run linear. Entries found here are
   * re-checked live by id before they are trusted.
   */
  async anchorIndex(client: Client): Promise<Map<string, string>> {
    this.anchorIds ??= this.search(client, this.settings.baseDN, and(this.profile.accountFilter, present(this.settings.anchorAttribute)), [this.settings.anchorAttribute, this.profile.idAttr])
      .then((entries) => new Map(entries.flatMap((e) => values(e, this.settings.anchorAttribute).map((a): [string, string] => [a, this.profile.idOf(e)]))));
    try {
      return await this.anchorIds;
    } catch (err) {
      this.anchorIds = null;
      throw err;
    }
  }

  async groupByName(client: Client, name: string): Promise<Entry | null> {
    return this.one(client, and(this.profile.groupFilter, eq('cn', name)), this.groupsRoot, this.profile.groupAttrs);
  }

  containerDn(path: string): string {
    return pathToDn(path, this.usersRoot);
  }

  /** Container DNs known to exist; OUs are not deleted during an apply, so this saves look-ups. */
  private readonly known = new Set<string>();

  /** Create the OUs of `path` (and of the users root) that do not exist yet, outermost first. Returns how many were made. */
  async ensureContainers(client: Client, path: string): Promise<number> {
    let made = await this.ensureBase(client, this.settings.usersBase);
    for (const p of pathAncestors(path)) {
      made += await this.ensureOu(client, this.containerDn(p), splitPath(p).at(-1) as string);
    }
    return made;
  }

  /** Create the OU chain of a base relative to baseDN (usersBase, groupsBase); non-OU parts must exist. */
  async ensureBase(client: Client, relative: string): Promise<number> {
    let made = 0;
    const rdns = parseDn(relative).reverse();
    let dn = this.settings.baseDN;
    for (const r of rdns) {
      dn = joinDn(rdn(r.type, r.value), dn);
      if (r.type.toLowerCase() === 'ou') made += await this.ensureOu(client, dn, r.value);
    }
    return made;
  }

  private async ensureOu(client: Client, dn: string, name: string): Promise<number> {
    const key = normalizeDn(dn);
    if (this.known.has(key)) return 0;
    if (await this.exists(client, dn)) {
      this.known.add(key);
      return 0;
    }
    try {
      await client.add(dn, { objectClass: ['top', 'organizationalUnit'], ou: name });
    } catch (err) {
      // A concurrent apply made it first: that is the state we wanted.
      if (!(await this.exists(client, dn))) throw err;
      this.known.add(key);
      return 0;
    }
    this.known.add(key);
    return 1;
  }
}
