/**
 * The subset of the users.list `query` language rollcall and its tests use
 * ("Search for users" guide): space-separated clauses, all of which must match.
 *   externalId:VALUE | externalId=VALUE   exact match on any externalIds[].value
 *   email:PREFIX / email=ADDRESS          primary email or alias
 *   givenName / familyName : prefix, = exact
 *   orgUnitPath=/A/B                      that org unit and its descendants
 *   isSuspended=true|false
 * Values may be single-quoted. Matching is case-insensitive.
 */
export interface Clause {
  field: string;
  op: ':' | '=';
  value: string;
}

export function parseUserQuery(q: string): Clause[] {
  const clauses: Clause[] = [];
  const re = /\s*([A-Za-z.]+)\s*([:=])\s*('([^']*)'|"([^"]*)"|(\S+))/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(q)) !== null) {
    const field = m[1] ?? '';
    const op = m[2] === '=' ? '=' : ':';
    const value = m[4] ?? m[5] ?? m[6] ?? '';
    clauses.push({ field, op, value });
    consumed = re.lastIndex;
  }
  if (q.slice(consumed).trim() !== '') throw new Error('unparsable query');
  const known = new Set(['externalId', 'email', 'givenName', 'familyName', 'orgUnitPath', 'isSuspended']);
  for (const c of clauses) if (!known.has(c.field)) throw new Error(`unsupported query field ${c.field}`);
  return clauses;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v.toLowerCase() : '';
}

function textMatch(actual: string, c: Clause): boolean {
  const want = c.value.toLowerCase();
  return c.op === '=' ? actual === want : actual.startsWith(want);
}

export function matchesQuery(user: Record<string, unknown>, clauses: readonly Clause[]): boolean {
  for (const c of clauses) {
    const name = (user.name ?? {}) as Record<string, unknown>;
    switch (c.field) {
      case 'externalId': {
        const ids = Array.isArray(user.externalIds) ? (user.externalIds as Record<string, unknown>[]) : [];
        if (!ids.some((e) => str(e.value) === c.value.toLowerCase())) return false;
        break;
      }
      case 'email': {
        const emails = [str(user.primaryEmail), ...((user.aliases as string[] | undefined) ?? []).map(str)];
        if (!emails.some((e) => textMatch(e, c))) return false;
        break;
      }
      case 'givenName':
      case 'familyName':
        if (!textMatch(str(name[c.field]), c)) return false;
        break;
      case 'orgUnitPath': {
        const ou = str(user.orgUnitPath);
        const want = c.value.toLowerCase().replace(/\/+$/, '') || '/';
        if (!(want === '/' || ou === want || ou.startsWith(want + '/'))) return false;
        break;
      }
      case 'isSuspended':
        if (Boolean(user.suspended) !== (c.value.toLowerCase() === 'true')) return false;
        break;
    }
  }
  return true;
}
