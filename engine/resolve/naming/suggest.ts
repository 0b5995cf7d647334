/**
 * "Did you mean ...?" for typos in policy files: the closest valid name by edit distance
 * (swapped neighbours count as one edit, `frist` -> `first`), compared case-insensitively,
 * or nothing when every candidate is far off (a wild guess misleads more than it helps).
 */

/** Optimal string alignment distance: insert, delete, substitute, or swap two neighbours. */
function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    rows.push(row);
  }
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let j = 0; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, at(i - 2, j - 2) + 1);
      row[j] = d;
    }
  }
  return at(a.length, b.length);
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  // Allow about one edit per three characters, at least one: `famly` -> `family`.
  const limit = Math.max(1, Math.floor(w.length / 3));
  if (best !== undefined && bestD <= limit) return best;
  // A prefix of a longer name (`preferred` -> `preferredGiven`) is still a useful hint.
  return candidates.find((c) => w.length >= 3 && c.toLowerCase().startsWith(w));
}
