import { attrAccess, odataString } from './attributes.js';
import type { BatchRunner, Op } from './batch.js';
import { type Attrs, userSelect } from './mapping.js';
import { GraphCallError, type Requester } from './requests.js';
import type { EntraSettings } from './settings.js';

/**
 * What apply needs to resolve at apply time, cached for one provider instance: users by
 * anchor / UPN, groups and administrative units by name. Anchor checks for many creates go
 * out as `$filter=<anchor> in (...15 values...)` GETs, 20 to a `$batch`.
 */

export interface UserRef {
  id: string;
  upn: string;
  anchor: string | null;
  otherMails: string[];
  path: string | null;
}

const IN_LIMIT = 15;

export class Lookup {
  readonly attrs: Attrs;
  private readonly byAnchor = new Map<string, UserRef | null>();
  private readonly byUpn = new Map<string, UserRef>();
  private groups: Map<string, { id: string; managed: boolean }[]> | null = null;
  private adminUnits: Map<string, string> | null = null;

  constructor(
    private readonly req: Requester,
    private readonly settings: EntraSettings,
  ) {
    this.attrs = { anchor: attrAccess(settings.anchorAttribute), path: attrAccess(settings.pathAttribute) };
  }

  private get advancedHeaders(): Record<string, string> | undefined {
    return this.attrs.anchor.advanced ? { ConsistencyLevel: 'eventual' } : undefined;
  }

  private anchorQuery(values: string[]): string {
    const f = values.length === 1 ? `${this.attrs.anchor.filterPath} eq ${odataString(values[0]!)}` : `${this.attrs.anchor.filterPath} in (${values.map(odataString).join(',')})`;
    return `/users?$filter=${encodeURIComponent(f)}&$select=${userSelect(this.attrs)}&$top=999${this.attrs.anchor.advanced ? '&$count=true' : ''}`;
  }

  toRef(u: Record<string, unknown>): UserRef {
    return {
      id: String(u['id']),
      upn: String(u['userPrincipalName'] ?? ''),
      anchor: this.attrs.anchor.get(u),
      otherMails: Array.isArray(u['otherMails']) ? (u['otherMails'] as string[]) : [],
      path: this.attrs.path.get(u),
    };
  }

  remember(ref: UserRef): void {
    if (ref.anchor) this.byAnchor.set(ref.anchor, ref);
    this.byUpn.set(ref.upn.toLowerCase(), ref);
  }

  forget(ref: UserRef): void {
    if (ref.anchor) this.byAnchor.set(ref.anchor, null);
    this.byUpn.delete(ref.upn.toLowerCase());
  }

  cachedAnchor(anchor: string): UserRef | null | undefined {
    return this.byAnchor.get(anchor);
  }

  /** Fills the anchor cache for many anchors with few requests. */
  async prefetchAnchors(anchors: string[], runner: BatchRunner): Promise<void> {
    const todo = [...new Set(anchors)].filter((a) => !this.byAnchor.has(a));
    const ops: Op[] = [];
    for (let i = 0; i < todo.length; i += IN_LIMIT) {
      const chunk = todo.slice(i, i + IN_LIMIT);
      ops.push({
        changeIds: [],
        steps: [{ method: 'GET', url: this.anchorQuery(chunk), ...(this.advancedHeaders ? { headers: this.advancedHeaders } : {}) }],
        interpret: (results) => {
          const r = results[0]!;
          if (r.status !== 200) throw new GraphCallError(r, 'anchor lookup');
          for (const a of chunk) if (!this.byAnchor.has(a)) this.byAnchor.set(a, null);
          for (const u of ((r.body as { value?: Record<string, unknown>[] }).value ?? [])) this.remember(this.toRef(u));
          return { outcomes: [] };
        },
      });
    }
    if (ops.length > 0) await runner.run(ops);
  }

  async userByAnchor(anchor: string, fresh = false): Promise<UserRef | null> {
    if (!fresh && this.byAnchor.has(anchor)) return this.byAnchor.get(anchor) ?? null;
    const page = await this.req.getJson(this.anchorQuery([anchor]), this.advancedHeaders);
    const users = ((page['value'] as Record<string, unknown>[] | undefined) ?? []).map((u) => this.toRef(u));
    const hit = users.find((u) => u.anchor === anchor) ?? null;
    this.byAnchor.set(anchor, hit);
    if (hit) this.remember(hit);
    return hit;
  }

  async userByUpn(upn: string): Promise<UserRef | null> {
    const cached = this.byUpn.get(upn.toLowerCase());
    if (cached) return cached;
    const page = await this.req.getJson(`/users?$filter=${encodeURIComponent(`userPrincipalName eq ${odataString(upn)}`)}&$select=${userSelect(this.attrs)}`);
    const u = (page['value'] as Record<string, unknown>[] | undefined)?.[0];
    if (!u) return null;
    const ref = this.toRef(u);
    this.remember(ref);
    return ref;
  }

  async userById(id: string): Promise<UserRef | null> {
    const r = await this.req.call({ method: 'GET', url: `/users/${encodeURIComponent(id)}?$select=${userSelect(this.attrs)}` });
    if (r.status === 404) return null;
    if (r.status !== 200) throw new GraphCallError(r, 'GET user');
    const ref = this.toRef(r.body as Record<string, unknown>);
    this.remember(ref);
    return ref;
  }

  private async loadGroups(): Promise<Map<string, { id: string; managed: boolean }[]>> {
    const map = new Map<string, { id: string; managed: boolean }[]>();
    for await (const page of this.req.pages('/groups?$select=id,displayName,mailNickname&$top=999')) {
      for (const g of (page['value'] as Record<string, unknown>[] | undefined) ?? []) this.noteGroup(map, String(g['displayName'] ?? ''), String(g['id']), String(g['mailNickname'] ?? ''));
    }
    return map;
  }

  private noteGroup(map: Map<string, { id: string; managed: boolean }[]>, name: string, id: string, nick: string): void {
    const key = name.toLowerCase();
    const list = map.get(key) ?? [];
    if (!list.some((x) => x.id === id)) list.push({ id, managed: nick.startsWith(this.settings.groupMailNicknamePrefix) });
    map.set(key, list);
  }

  rememberGroup(name: string, id: string, mailNickname: string): void {
    if (this.groups) this.noteGroup(this.groups, name, id, mailNickname);
  }

  /** Group id by display name; managed groups win when names repeat (Entra allows that). */
  async groupId(name: string, fresh = false): Promise<string | null> {
    this.groups ??= await this.loadGroups();
    let list = this.groups.get(name.toLowerCase());
    if (!list || fresh) {
      const page = await this.req.getJson(`/groups?$filter=${encodeURIComponent(`displayName eq ${odataString(name)}`)}&$select=id,displayName,mailNickname`);
      for (const g of (page['value'] as Record<string, unknown>[] | undefined) ?? []) this.noteGroup(this.groups, String(g['displayName']), String(g['id']), String(g['mailNickname'] ?? ''));
      list = this.groups.get(name.toLowerCase());
    }
    if (!list || list.length === 0) return null;
    return (list.find((g) => g.managed) ?? list[0]!).id;
  }

  async adminUnitId(name: string, fresh = false): Promise<string | null> {
    if (!this.adminUnits) {
      const map = new Map<string, string>();
      for await (const page of this.req.pages('/directory/administrativeUnits?$select=id,displayName&$top=999')) {
        for (const au of (page['value'] as Record<string, unknown>[] | undefined) ?? []) map.set(String(au['displayName'] ?? '').toLowerCase(), String(au['id']));
      }
      this.adminUnits = map;
    }
    const hit = this.adminUnits.get(name.toLowerCase());
    if (hit && !fresh) return hit;
    const page = await this.req.getJson(`/directory/administrativeUnits?$filter=${encodeURIComponent(`displayName eq ${odataString(name)}`)}&$select=id,displayName`);
    const au = (page['value'] as Record<string, unknown>[] | undefined)?.[0];
    if (!au) return null;
    this.adminUnits.set(name.toLowerCase(), String(au['id']));
    return String(au['id']);
  }

  rememberAdminUnit(name: string, id: string): void {
    this.adminUnits?.set(name.toLowerCase(), id);
  }
}
