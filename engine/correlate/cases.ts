import type { PlanDocument } from '../model/plan.js';

/**
 * Ambiguous correlations as review cases, for `rollcall correlate`: people and candidate
 * accounts that share any candidate form one case (a same-named pair and their two accounts
 * is one case), so one reviewed file settles everything that depends on each other.
 * The files hold usernames and paths: a reviewer cannot decide without them.
 */

export interface CaseAccount {
  id: string;
  username: string;
  path: string;
}

export interface AmbiguousCase {
  target: string;
  /** A file name for the case, unique and stable for the same plan: `<target>-<first person>.yaml`. */
  file: string;
  people: { anchor: string; detail: string; candidates: string[] }[];
  accounts: CaseAccount[];
}

export function ambiguousCases(plan: PlanDocument, account: (target: string, id: string) => { username: string; path: string } | null): AmbiguousCase[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) ?? r;
    let c = x;
    while (c !== r) {
      const next = parent.get(c) ?? r;
      parent.set(c, r);
      c = next;
    }
    return r;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  const items = plan.decisions.filter((d) => d.kind === 'ambiguous-correlation' && d.target !== undefined);
  const node = (kind: 'p' | 'a', target: string, id: string): string => `${kind}\u0000${target}\u0000${id}`;
  for (const d of items) {
    const p = node('p', d.target!, d.anchor);
    if (!parent.has(p)) parent.set(p, p);
    for (const c of d.candidates ?? []) {
      const a = node('a', d.target!, c);
      if (!parent.has(a)) parent.set(a, a);
      union(p, a);
    }
  }
  const groups = new Map<string, AmbiguousCase>();
  for (const d of items) {
    const root = find(node('p', d.target!, d.anchor));
    let g = groups.get(root);
    if (!g) {
      g = { target: d.target!, file: '', people: [], accounts: [] };
      groups.set(root, g);
    }
    g.people.push({ anchor: d.anchor, detail: d.detail, candidates: [...(d.candidates ?? [])] });
    for (const c of d.candidates ?? []) {
      if (g.accounts.some((a) => a.id === c)) continue;
      const acc = account(d.target!, c);
      g.accounts.push({ id: c, username: acc?.username ?? '', path: acc?.path ?? '' });
    }
  }
  const out = [...groups.values()];
  for (const g of out) {
    g.people.sort((a, b) => (a.anchor < b.anchor ? -1 : 1));
    g.accounts.sort((a, b) => (a.id < b.id ? -1 : 1));
    g.file = `${g.target}-${(g.people[0]?.anchor ?? 'case').replace(/[^A-Za-z0-9_.-]/g, '_')}.yaml`;
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : 1));
}

const q = (s: string): string => JSON.stringify(s);

/**
 * One case as a decisions file, ready to edit and commit. `pick` pre-fills a person's account
 * (tests, or a future `--suggest`); the CLI leaves every `account:` null for a person to fill.
 */
export function renderDecisionFile(c: AmbiguousCase, pick: (person: string) => string | null = () => null): string {
  const lines = [
    `# Ambiguous correlation in target ${c.target}: ${c.people.length} person(s), ${c.accounts.length} candidate account(s).`,
    '# Written by `rollcall correlate`. It contains usernames: keep the policy repo private.',
    '# For each person set `account:` to the id of their account; entries left null are ignored.',
    '# An account that belongs to nobody: add { target, account: ID, notAPerson: true, reason: ... }.',
    '# Candidates:',
    ...c.accounts.map((a) => `#   ${a.id}  ${a.username}  ${a.path}`),
    'decisions:',
  ];
  for (const p of c.people) {
    const chosen = pick(p.anchor);
    lines.push(`  - target: ${q(c.target)}`, `    person: ${q(p.anchor)}`, `    account: ${chosen === null ? 'null' : q(chosen)}`, `    reason: ${q(chosen === null ? '' : 'reviewed')}`);
    lines.push(`    # ${p.detail.replace(/\n/g, ' ')}`);
    lines.push('    candidates:');
    for (const id of p.candidates) {
      const a = c.accounts.find((x) => x.id === id);
      lines.push(`      - ${q(`${id} (${a?.username ?? '?'}, ${a?.path ?? '?'})`)}`);
    }
  }
  return lines.join('\n') + '\n';
}
