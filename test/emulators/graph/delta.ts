import type { RouteContext } from './context.js';
import { b64, linkWith, unb64 } from './context.js';
import { graphError, json } from './errors.js';
import { parseSelect, parseTop, project } from './odata.js';
import type { DirObject } from './store.js';
import { USER_DEFAULTS } from './users.js';
import type { EmuReply, EmuRequest } from './types.js';

/**
 * `/users/delta` and `/groups/delta`. A round is a window of the change sequence, (from, upto];
 * an initial round (from = -1) returns every live object. Pages carry a `$skiptoken`; the last
 * page carries a `@odata.deltaLink` whose `$deltatoken` starts the next round. Tokens from a
 * previous epoch, older than the TTL, or unreadable answer 410 Gone: the client must resync.
 * `$deltatoken=latest` returns no objects, only a deltaLink for "now".
 */

interface DeltaToken {
  k: 'users' | 'groups';
  /** Changes after this sequence number; -1 = initial round. */
  f: number;
  /** Upper bound of the round (set on skiptokens). */
  u?: number;
  /** Paging position: phase (0 live objects, 1 tombstones) and last createdSeq / tombstone seq. */
  p?: 0 | 1;
  a?: number;
  e: number;
  t: number;
  sel: string | null;
}

const GROUP_DELTA_DEFAULTS = ['id', 'displayName', 'description', 'mailNickname', 'mailEnabled', 'securityEnabled', 'groupTypes'];

function gone(): EmuReply {
  return graphError(410, 'syncStateNotFound', 'The sync state was not found or has expired. Restart the sync without a delta token.');
}

export function deltaRoute(ctx: RouteContext, req: EmuRequest, kind: 'users' | 'groups'): EmuReply {
  const store = ctx.store;
  const top = parseTop(req.query.get('$top'), kind === 'users' ? 200 : 100, 999);
  if (typeof top !== 'number') return top;
  const raw = req.query.get('$skiptoken') ?? req.query.get('$deltatoken');
  let tok: DeltaToken;
  if (raw === 'latest' && req.query.has('$deltatoken')) {
    const latest: DeltaToken = { k: kind, f: store.seq, e: store.epoch, t: ctx.now(), sel: req.query.get('$select') };
    return json(200, { '@odata.context': `${ctx.publicBaseUrl}/v1.0/$metadata#${kind}`, value: [], '@odata.deltaLink': linkWith(ctx, req, '$deltatoken', b64(latest), ['$skiptoken']) });
  }
  if (raw === null) {
    tok = { k: kind, f: -1, e: store.epoch, t: ctx.now(), sel: req.query.get('$select') };
  } else {
    const t = unb64<DeltaToken>(raw);
    if (!t || t.k !== kind || t.e !== store.epoch || ctx.now() - t.t > ctx.deltaTokenTtlMs) return gone();
    tok = t;
  }
  const upto = tok.u ?? store.seq;
  const select = parseSelect(tok.sel);
  const from = tok.f;
  const value: Record<string, unknown>[] = [];
  let phase = tok.p ?? 0;
  let after = tok.a ?? 0;
  let more = false;

  // Net membership changes per group within the round, for members@delta.
  const memberChanges = new Map<string, Map<string, boolean>>();
  if (kind === 'groups' && from >= 0) {
    for (const ev of store.memberLog) {
      if (ev.seq <= from || ev.seq > upto) continue;
      let m = memberChanges.get(ev.groupId);
      if (!m) memberChanges.set(ev.groupId, (m = new Map()));
      m.set(ev.memberId, ev.removed);
    }
  }
  const memberRef = (id: string, removed: boolean): Record<string, unknown> => {
    const obj = store.find(id);
    const type = obj?.kind === 'groups' ? '#microsoft.graph.group' : '#microsoft.graph.user';
    return removed ? { '@odata.type': type, id, '@removed': { reason: 'deleted' } } : { '@odata.type': type, id };
  };
  const render = (o: DirObject): Record<string, unknown> => {
    if (kind === 'users') return project(o.props, select, USER_DEFAULTS);
    const wantMembers = !select || select.includes('members');
    const propSel = select ? select.filter((s) => s !== 'members') : null;
    const out: Record<string, unknown> = from < 0 || o.propsSeq > from ? project(o.props, propSel, GROUP_DELTA_DEFAULTS) : { id: o.id };
    out['id'] = o.id;
    if (wantMembers) {
      if (from < 0) out['members@delta'] = [...(store.members.get(o.id) ?? [])].map((id) => memberRef(id, false));
      else {
        const ch = memberChanges.get(o.id);
        if (ch) out['members@delta'] = [...ch].map(([id, removed]) => memberRef(id, removed));
      }
    }
    return out;
  };

  if (phase === 0) {
    const live = kind === 'users' ? store.users.values() : store.groups.values();
    for (const o of live) {
      if (o.createdSeq <= after) continue;
      const inRound = from < 0 ? o.createdSeq <= upto : o.changedSeq > from && o.changedSeq <= upto;
      if (!inRound) continue;
      if (value.length === top) {
        more = true;
        break;
      }
      value.push(render(o));
      after = o.createdSeq;
    }
    if (!more && from >= 0) {
      phase = 1;
      after = 0;
    }
  }
  if (phase === 1 && !more) {
    for (const [id, t] of store.tombstones) {
      if (t.kind !== kind || t.seq <= after || t.seq <= from || t.seq > upto) continue;
      if (value.length === top) {
        more = true;
        break;
      }
      value.push({ id, '@removed': { reason: 'changed' } });
      after = t.seq;
    }
  }
  const body: Record<string, unknown> = { '@odata.context': `${ctx.publicBaseUrl}/v1.0/$metadata#${kind}`, value };
  if (more) {
    const next: DeltaToken = { ...tok, u: upto, p: phase, a: after, t: ctx.now() };
    body['@odata.nextLink'] = linkWith(ctx, req, '$skiptoken', b64(next), ['$deltatoken', '$select']);
  } else {
    const next: DeltaToken = { k: kind, f: upto, e: store.epoch, t: ctx.now(), sel: tok.sel };
    body['@odata.deltaLink'] = linkWith(ctx, req, '$deltatoken', b64(next), ['$skiptoken', '$select']);
  }
  return json(200, body);
}
