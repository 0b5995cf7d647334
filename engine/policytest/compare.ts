import type { ActualValue } from './actual.js';
import type { ExpectedValue, Expectation } from './types.js';

/**
 * One expectation against the actual value. Only what the test wrote is compared: a lifecycle
 * written as `suspended` ignores the rule; `groupsInclude` is a subset check. The rendered
 * text of both sides is what the report diffs, so it lists items one per line, sorted.
 */

export interface Mismatch {
  expected: string;
  actual: string;
}

export function compare(e: Expectation, actual: ActualValue): Mismatch | null {
  const ok = matches(e, actual);
  if (ok) return null;
  return { expected: render(e.expected), actual: render(narrow(e, actual)) };
}

function matches(e: Expectation, actual: ActualValue): boolean {
  const x = e.expected;
  if (e.field === 'lifecycle') {
    if (x === null || actual === null) return x === actual;
    const want = x as { state: string; rule?: string; date?: string };
    const got = actual as { state: string; rule: string; date?: string };
    return want.state === got.state && (want.rule === undefined || want.rule === got.rule) && (want.date === undefined || want.date === got.date);
  }
  if (e.field === 'groups' || e.field === 'groupsInclude') {
    const want = [...(x as string[])].sort();
    const lists = Array.isArray(actual) ? [actual] : Object.values(actual as Record<string, string[]>);
    return lists.every((got) => (e.field === 'groups' ? JSON.stringify(got) === JSON.stringify(want) : want.every((g) => got.includes(g))));
  }
  if (e.field === 'path' && typeof actual === 'object' && actual !== null && !Array.isArray(actual)) {
    const byTarget = actual as Record<string, string | null>;
    if (x !== null && typeof x === 'object') return Object.entries(x).every(([t, p]) => byTarget[t] === p);
    return Object.values(byTarget).every((p) => p === x);
  }
  if (e.field === 'path' && x !== null && typeof x === 'object') {
    return Object.values(x).every((p) => p === actual);
  }
  return x === actual;
}

/** Show only the parts the test asked about (a lifecycle written without a date shows none). */
function narrow(e: Expectation, actual: ActualValue): ActualValue | ExpectedValue {
  if (e.field !== 'lifecycle' || actual === null || e.expected === null) return actual;
  const want = e.expected as { rule?: string; date?: string };
  const got = actual as { state: string; rule: string; date?: string };
  return { state: got.state, ...(want.rule !== undefined ? { rule: got.rule } : {}), ...(want.date !== undefined ? { date: got.date ?? '(none)' } : {}) };
}

export function render(v: ActualValue | ExpectedValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.length === 0 ? '[]' : [...v].sort().map((g) => `- ${g}`).join('\n');
  return Object.entries(v).map(([k, x]) => `${k}: ${Array.isArray(x) ? `[${x.join(', ')}]` : x === null ? 'null' : String(x)}`).join('\n');
}
