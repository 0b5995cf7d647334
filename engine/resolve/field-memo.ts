/**
 * Values computed from a few template fields (a placement path, a group shared by a school's
 * students), memoized by those fields' values: nested Maps, one level per field, so a lookup
 * builds no key string. A missing field reads as '', as rendering does.
 */
interface Node<T> {
  next: Map<string, Node<T>> | undefined;
  value: T | undefined;
}

export class FieldMemo<T> {
  private readonly root: Node<T> = { next: undefined, value: undefined };

  constructor(private readonly fields: readonly string[]) {}

  get(values: Readonly<Record<string, string>>, make: () => T): T {
    let node = this.root;
    for (const f of this.fields) {
      const v = values[f] ?? '';
      node.next ??= new Map();
      let child = node.next.get(v);
      if (!child) {
        child = { next: undefined, value: undefined };
        node.next.set(v, child);
      }
      node = child;
    }
    if (node.value === undefined) node.value = make();
    return node.value;
  }
}

/** A value made from two strings (a role and a school, say), made once per distinct pair. */
export class PairMemo<T> {
  private readonly byFirst = new Map<string, Map<string, T>>();

  get(a: string, b: string, make: () => T): T {
    let inner = this.byFirst.get(a);
    if (!inner) {
      inner = new Map();
      this.byFirst.set(a, inner);
    }
    let v = inner.get(b);
    if (v === undefined) {
      v = make();
      inner.set(b, v);
    }
    return v;
  }
}
