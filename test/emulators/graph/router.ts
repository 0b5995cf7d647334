import type { RouteContext } from './context.js';
import { deltaRoute } from './delta.js';
import { notFound } from './errors.js';
import { groupishRoute } from './groups.js';
import { usersRoute } from './users.js';
import type { EmuReply, EmuRequest } from './types.js';

/** Dispatches one API request (already authenticated, throttled and fault-checked). */
export function route(ctx: RouteContext, req: EmuRequest): EmuReply {
  const parts = req.path.split('/').filter(Boolean);
  const [head, ...rest] = parts;
  if (head === 'users') {
    if (rest.length === 1 && (rest[0] === 'delta' || rest[0] === 'delta()') && req.method === 'GET') return deltaRoute(ctx, req, 'users');
    return usersRoute(ctx, req, rest);
  }
  if (head === 'groups') {
    if (rest.length === 1 && (rest[0] === 'delta' || rest[0] === 'delta()') && req.method === 'GET') return deltaRoute(ctx, req, 'groups');
    return groupishRoute(ctx, req, 'groups', rest);
  }
  if (head === 'directory' && rest[0] === 'administrativeUnits') return groupishRoute(ctx, req, 'administrativeUnits', rest.slice(1));
  return notFound(req.path);
}

/** Directory writes count against the 3,000 per 150 s users-and-groups write quota. */
export function isDirectoryWrite(req: EmuRequest): boolean {
  return req.method !== 'GET' && /^\/(users|groups|directory)(\/|$)/.test(req.path);
}
