/**
 * Google's partial-response `fields` selector, e.g.
 * `nextPageToken,users(id,primaryEmail,name/givenName,externalIds)`.
 * Grammar (from the "Performance tips" guide): a comma list of paths; `a/b` selects b inside
 * a; `a(b,c)` selects b and c inside a (each element when a is an array); `*` selects all.
 */
export type FieldTree = Map<string, FieldTree | true>;

export function parseFields(spec: string): FieldTree {
  let pos = 0;
  const parseList = (): FieldTree => {
    const tree: FieldTree = new Map();
    for (;;) {
      parsePath(tree);
      if (spec[pos] === ',') {
        pos++;
        continue;
      }
      return tree;
    }
  };
  const parsePath = (into: FieldTree): void => {
    let name = '';
    while (pos < spec.length && !',/()'.includes(spec[pos] ?? '')) name += spec[pos++];
    name = name.trim();
    if (!name) throw new Error(`Invalid field selection at ${pos}`);
    const c = spec[pos];
    if (c === '/') {
      pos++;
      const sub = subtree(into, name);
      parsePath(sub);
    } else if (c === '(') {
      pos++;
      const inner = parseList();
      if (spec[pos] !== ')') throw new Error(`Invalid field selection: missing ) at ${pos}`);
      pos++;
      const sub = subtree(into, name);
      for (const [k, v] of inner) sub.set(k, v);
    } else {
      into.set(name, true);
    }
  };
  const subtree = (into: FieldTree, name: string): FieldTree => {
    const cur = into.get(name);
    if (cur instanceof Map) return cur;
    const t: FieldTree = new Map();
    if (cur !== true) into.set(name, t);
    return cur === true ? new Map([['*', true]]) : t;
  };
  const tree = parseList();
  if (pos !== spec.length) throw new Error(`Invalid field selection at ${pos}`);
  return tree;
}

export function applyFields(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((v) => applyFields(v, tree));
  if (value === null || typeof value !== 'object') return value;
  if (tree.get('*') === true) return value;
  const out: Record<string, unknown> = {};
  const obj = value as Record<string, unknown>;
  for (const [k, sub] of tree) {
    if (!(k in obj)) continue;
    out[k] = sub === true ? obj[k] : applyFields(obj[k], sub);
  }
  return out;
}
