import type { Prng } from './prng.js';

/**
 * The emulated directory: users, groups and administrative units, with a change sequence so
 * `/delta` can answer "what changed since token N". Deleted objects leave tombstones.
 * Passwords are never stored: only whether one was set.
 */

export type Kind = 'users' | 'groups' | 'administrativeUnits';

export interface DirObject {
  id: string;
  kind: Kind;
  props: Record<string, unknown>;
  createdSeq: number;
  /** Last change to the object's own properties. */
  propsSeq: number;
  /** Last change of any kind, including membership. */
  changedSeq: number;
}

export interface MemberEvent {
  seq: number;
  groupId: string;
  memberId: string;
  removed: boolean;
}

export class DirectoryStore {
  readonly users = new Map<string, DirObject>();
  readonly groups = new Map<string, DirObject>();
  readonly adminUnits = new Map<string, DirObject>();
  /** group or AU id -> member ids (insertion-ordered). */
  readonly members = new Map<string, Set<string>>();
  readonly memberLog: MemberEvent[] = [];
  readonly tombstones = new Map<string, { kind: Kind; seq: number }>();
  private readonly upnIndex = new Map<string, string>();
  seq = 0;
  /** Bumped to invalidate every outstanding delta token (410 afterwards). */
  epoch = 1;

  constructor(private readonly prng: Prng) {}

  private map(kind: Kind): Map<string, DirObject> {
    return kind === 'users' ? this.users : kind === 'groups' ? this.groups : this.adminUnits;
  }

  get(kind: Kind, id: string): DirObject | undefined {
    return this.map(kind).get(id);
  }

  find(id: string): DirObject | undefined {
    return this.users.get(id) ?? this.groups.get(id) ?? this.adminUnits.get(id);
  }

  userByUpn(upn: string): DirObject | undefined {
    const id = this.upnIndex.get(upn.toLowerCase());
    return id ? this.users.get(id) : undefined;
  }

  create(kind: Kind, props: Record<string, unknown>): DirObject {
    const id = this.prng.uuid();
    this.seq += 1;
    const obj: DirObject = { id, kind, props: { ...props, id }, createdSeq: this.seq, propsSeq: this.seq, changedSeq: this.seq };
    this.map(kind).set(id, obj);
    if (kind === 'users') this.upnIndex.set(String(props['userPrincipalName']).toLowerCase(), id);
    if (kind !== 'users') this.members.set(id, new Set());
    return obj;
  }

  update(obj: DirObject, patch: Record<string, unknown>): void {
    if (obj.kind === 'users' && typeof patch['userPrincipalName'] === 'string') {
      this.upnIndex.delete(String(obj.props['userPrincipalName']).toLowerCase());
      this.upnIndex.set(patch['userPrincipalName'].toLowerCase(), obj.id);
    }
    Object.assign(obj.props, patch);
    this.seq += 1;
    obj.propsSeq = this.seq;
    obj.changedSeq = this.seq;
  }

  delete(obj: DirObject): void {
    this.map(obj.kind).delete(obj.id);
    if (obj.kind === 'users') this.upnIndex.delete(String(obj.props['userPrincipalName']).toLowerCase());
    // The object leaves every group and AU it was in.
    for (const [gid, set] of this.members) {
      if (set.delete(obj.id)) this.touchMembership(gid, obj.id, true);
    }
    this.members.delete(obj.id);
    this.seq += 1;
    this.tombstones.set(obj.id, { kind: obj.kind, seq: this.seq });
  }

  isMember(containerId: string, memberId: string): boolean {
    return this.members.get(containerId)?.has(memberId) ?? false;
  }

  addMember(containerId: string, memberId: string): boolean {
    const set = this.members.get(containerId);
    if (!set || set.has(memberId)) return false;
    set.add(memberId);
    this.touchMembership(containerId, memberId, false);
    return true;
  }

  removeMember(containerId: string, memberId: string): boolean {
    const set = this.members.get(containerId);
    if (!set?.delete(memberId)) return false;
    this.touchMembership(containerId, memberId, true);
    return true;
  }

  private touchMembership(containerId: string, memberId: string, removed: boolean): void {
    this.seq += 1;
    const group = this.groups.get(containerId);
    if (group) {
      group.changedSeq = this.seq;
      this.memberLog.push({ seq: this.seq, groupId: containerId, memberId, removed });
    }
  }

  /** Users per anchor value: a test's duplicate check. */
  countBy(prop: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const u of this.users.values()) {
      const v = u.props[prop];
      if (typeof v === 'string') counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    return counts;
  }
}
