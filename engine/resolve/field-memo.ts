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

  /**
   * The slot for these values; its value is undefined until the caller fills it
   * (`slot.value ??= make(...)`). A slot rather than a callback: no closure per call, which
   * at one lookup per person adds up at district scale.
   */
  slot(values: Readonly<Record<string, string>>): { value: T | undefined } {
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
    return node;
  }
}

/** A value made from two strings (a role and a school, say), made once per distinct pair. */
export class PairMemo<T> {
  private readonly byFirst = new Map<string, Map<string, T>>();

  get(a: string, b: string, make: () => T): T {
    const v = this.find(a, b);
    return v === undefined ? this.set(a, b, make()) : v;
  }

  /** The value for (a, b), or undefined: with set, for hot callers that must not make a closure per call. */
  find(a: string, b: string): T | undefined {
    return this.byFirst.get(a)?.get(b);
  }

  set(a: string, b: string, v: T): T {
    let inner = this.byFirst.get(a);
    if (!inner) {
      inner = new Map();
      this.byFirst.set(a, inner);
    }
    inner.set(b, v);
    return v;
  }
}
