/**
 * Stable serialization: object keys sorted (top-level state keys in their documented order),
 * so a state file committed or diffed by an operator changes only where the data changed.
 * Written as a direct serializer rather than "sort a copy, then JSON.stringify": a state of
 * 100k people is ~20 MB and the copy doubled the time of every write.
 */

const STATE_KEY_ORDER = ['format_version', 'lineage', 'serial', 'sis', 'registry', 'people', 'last_applied'];

function sortedKeys(obj: Record<string, unknown>, order?: readonly string[]): string[] {
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  if (!order) return keys.sort();
  const rank = (k: string) => {
    const i = order.indexOf(k);
    return i === -1 ? order.length : i;
  };
  return keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function write(value: unknown, indent: string, step: string, out: string[], order?: readonly string[]): void {
  if (value === null || typeof value !== 'object') {
    // undefined/functions never reach here from a validated document; JSON semantics otherwise.
    out.push(JSON.stringify(value) ?? 'null');
    return;
  }
  const inner = indent + step;
  const nl = step ? '\n' : '';
  const colon = step ? ': ' : ':';
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push('[]');
      return;
    }
    out.push('[');
    value.forEach((v, i) => {
      out.push(i === 0 ? nl + inner : ',' + nl + inner);
      write(v === undefined ? null : v, inner, step, out);
    });
    out.push(nl + indent + ']');
    return;
  }
  const obj = value as Record<string, unknown>;
  const keys = sortedKeys(obj, order);
  if (keys.length === 0) {
    out.push('{}');
    return;
  }
  out.push('{');
  keys.forEach((k, i) => {
    out.push((i === 0 ? nl : ',' + nl) + inner + JSON.stringify(k) + colon);
    write(obj[k], inner, step, out);
  });
  out.push(nl + indent + '}');
}

/**
 * A state document, pretty-printed (2 spaces) with stable key order and a trailing newline:
 * state file format 1. The local backend now writes format 2 (state-file.ts) and still reads
 * this one; kept so tests can produce the files older releases wrote.
 */
export function stringifyState(doc: object): string {
  const out: string[] = [];
  write(doc, '', '  ', out, STATE_KEY_ORDER);
  return out.join('') + '\n';
}

/** One journal line: compact, stable key order, no newline inside (JSON escapes them). */
export function stringifyLine(value: object): string {
  const out: string[] = [];
  write(value, '', '', out);
  return out.join('');
}
