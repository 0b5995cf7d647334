import { errorDiag, warningDiag, type Diagnostic } from '../../model/diagnostics.js';
import type { RenamePolicy, UsernameRule } from '../../model/policy.js';
import type { TargetConstraints } from '../../model/provider.js';
import type { RegistryEntry } from '../../model/state.js';
import { ALWAYS_RESERVED, normalizeUsername } from './constraints.js';
import { baseOf, cutBase, isRuleOutput } from './candidates.js';
import { AnchorOrderedMap } from '../anchor-ordered-map.js';
import { mapView } from '../../model/map-view.js';
export { MIN_USERNAME_LENGTH } from './candidates.js';
import type { TemplateValues } from './template.js';

/**
 * Username allocation: one pass over every person who needs a username, in sorted anchor
 * order so the outcome does not depend on SIS row order.
 *
 *  - A person who already has a username keeps it. If their rule now gives a different name
 *    (legal or preferred name change), `pendingRename` carries a free name; the caller's
 *    rename policy (keep / rename / approve) decides. Rename targets are allocated after all
 *    new people, so a rename nobody applies never pushes a newcomer to a suffixed name.
 *  - Reserved: the policy's list plus ALWAYS_RESERVED (Windows device names such as `con`).
 *  - A new person gets the first template output that is usable (see candidates.ts), not
 *    reserved, never issued before (the registry outlives deletions), not held by an
 *    unmanaged account and not issued earlier in this run. When every base is taken, the
 *    first usable base gets a number: `jsmith2`, cut so it fits the length.
 *  - A person re-appearing without a current username but with a registry entry gets that
 *    name back: re-enrollment restores, never re-issues.
 *
 * Cost is linear: Set/Map lookups, and a per-base counter so the N-th `jsmith` does not
 * re-try the N-1 numbers before it.
 */

export interface UsernameRequest {
  anchor: string;
  rule: UsernameRule;
  values: TemplateValues;
}

export interface UsernameResult {
  anchor: string;
  username: string;
  /** The rule's id (origin.id). */
  rule: string;
  /** True when this run issues the name (the caller adds it to the registry). */
  newlyIssued: boolean;
  pendingRename?: { to: string; rule: string };
}

export interface AllocationContext {
  /** Every username ever issued, lower-case. */
  registry: Readonly<Record<string, RegistryEntry>>;
  /** anchor -> username already issued (state). */
  current: ReadonlyMap<string, string>;
  reserved: readonly string[];
  /** The merged constraints of all targets; each rule's maxLength may cut further. */
  constraints: TargetConstraints;
  /** Names held by accounts rollcall does not manage; read only if someone needs a new name. */
  taken: Iterable<string>;
  /**
   * The policy's `naming.renames`. Under `keep` nobody's username changes, so the check for
   * a rename target (a render of every template chain per person: 3 s of a million-person
   * plan) is skipped, and so is its "none is free" warning. Absent: checked, as for `rename`.
   */
  renames?: RenamePolicy;
}

export function allocateUsernames(
  requests: readonly UsernameRequest[],
  ctx: AllocationContext,
): { results: AnchorOrderedMap<UsernameResult>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const reserved = new Set([...ALWAYS_RESERVED, ...ctx.reserved.map((r) => r.toLowerCase())]);
  const registry = ctx.registry;

  // Names held right now, by anyone, plus everything issued during this run: name -> anchor.
  const inUse = new Map<string, string>();
  // Entries, not keys and a lookup each; resolve adds them in anchor order, so the sort only checks.
  const held = [...ctx.current];
  if (!inAnchorOrder(held)) held.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [anchor, current] of held) {
    const name = (current ?? '').toLowerCase();
    if (name === '') continue;
    const other = inUse.get(name);
    if (other !== undefined) {
      diagnostics.push(
        warningDiag('naming.duplicate-username', `people ${other} and ${anchor} hold the same username in state; fix one by hand`),
      );
    }
    inUse.set(name, anchor);
  }
  // Sets, built on the first candidate: in a district where everyone already has a name, no
  // plan needs them (a million entries each), and a keyed lookup on a million-key object costs
  // a probe of V8's string table per candidate name. A registry read deferred (state-file.ts
  // deferMaps) has a view that answers by a binary search over its bytes instead of a Set.
  let taken: Set<string> | undefined;
  const view = mapView(registry);
  let issuedSet: Set<string> | undefined;
  const issued = (n: string): boolean => (view ? view.has(n) : (issuedSet ??= new Set(Object.keys(registry))).has(n));
  const free = (n: string): boolean => {
    if (taken === undefined) {
      taken = new Set<string>();
      for (const t of ctx.taken) taken.add(t.toLowerCase());
    }
    return !inUse.has(n) && !reserved.has(n) && !taken.has(n) && !issued(n);
  };

  // Per rule: the constraints with the rule's own maxLength applied.
  const limits = new Map<UsernameRule, TargetConstraints>();
  const limitsFor = (rule: UsernameRule): TargetConstraints => {
    let c = limits.get(rule);
    if (!c) {
      c = { ...ctx.constraints, maxUsernameLength: Math.min(ctx.constraints.maxUsernameLength, rule.maxLength) };
      limits.set(rule, c);
    }
    return c;
  };

  const nextNumber = new Map<string, number>();
  function numbered(base: string, rule: UsernameRule, c: TargetConstraints): string | null {
    const { minDigits, start } = rule.collision;
    const key = `${c.maxUsernameLength}|${minDigits}|${start}|${base}`;
    let n = nextNumber.get(key) ?? Math.max(0, Math.floor(start));
    for (;;) {
      const digits = String(n).padStart(Math.max(1, minDigits), '0');
      n++;
      if (digits.length >= c.maxUsernameLength) return null;
      const prefix = cutBase(base, digits.length, c.maxUsernameLength);
      if (prefix === '') return null;
      const name = prefix + digits;
      // A charset without digits cannot hold a number; normalizing must not change the name.
      if (free(name) && normalizeUsername(name, c) === name) {
        nextNumber.set(key, n);
        return name;
      }
    }
  }

  function pick(req: UsernameRequest, c: TargetConstraints): string | null {
    let first: string | undefined;
    let firstReserved: string | undefined;
    for (const t of req.rule.templates) {
      const b = baseOf(t, req.values, c);
      if (b === null) continue;
      if (reserved.has(b)) {
        firstReserved ??= b;
        continue;
      }
      if (free(b)) return b;
      first ??= b;
    }
    // Number a reserved base (`con` -> `con2`) only when the chain offers nothing else.
    const base = first ?? firstReserved;
    return base === undefined ? null : numbered(base, req.rule, c);
  }

  // A registry name of this anchor, for people re-appearing without state: latest issued wins.
  let byAnchor: Map<string, { name: string; at: string }> | undefined;
  function restorable(anchor: string): string | undefined {
    if (!byAnchor) {
      // Built once, on the first newcomer; a run without newcomers never pays for it.
      byAnchor = new Map();
      // A deferred registry is walked from its bytes: through the Proxy every key would cost a trap.
      for (const [name, e] of view ? view.entries() : ownEntries(registry)) {
        if (!e) continue;
        const prev = byAnchor.get(e.anchor);
        if (!prev || e.issued_at > prev.at || (e.issued_at === prev.at && name < prev.name)) {
          byAnchor.set(e.anchor, { name, at: e.issued_at });
        }
      }
    }
    const hit = byAnchor.get(anchor);
    return hit && !inUse.has(hit.name) ? hit.name : undefined;
  }

  // Sorted by anchor (stable, so of duplicates the first given wins). Callers usually pass
  // requests already sorted, which the sort then only verifies in one linear pass.
  const sorted = [...requests].sort((a, b) => (a.anchor < b.anchor ? -1 : a.anchor > b.anchor ? 1 : 0));
  const results = new AnchorOrderedMap<UsernameResult>();
  const renameCheck: UsernameRequest[] = [];
  const checkRenames = ctx.renames !== 'keep';
  let previous: string | undefined;
  // `held` is in anchor order too: walked beside the requests instead of a lookup each.
  let h = 0;
  for (const req of sorted) {
    const anchor = req.anchor;
    if (anchor === previous) {
      diagnostics.push(errorDiag('naming.duplicate-request', `person ${anchor} was asked for a username twice; the first request is used`));
      continue;
    }
    previous = anchor;
    const c = limitsFor(req.rule);
    const rule = req.rule.origin.id;
    while (h < held.length && held[h]![0] < anchor) h++;
    const own = h < held.length && held[h]![0] === anchor ? held[h]![1] : undefined;
    // Only own string values count: inherited keys (`constructor`, `__proto__`) are never strings.
    const current = typeof own === 'string' ? own : '';
    const kept = current !== '' ? current : restorable(anchor);
    if (kept !== undefined) {
      // Current names are in inUse already (loaded above); only a restored one is new here.
      if (current === '') inUse.set(kept.toLowerCase(), anchor);
      results.set(anchor, { anchor, username: kept, rule, newlyIssued: false });
      if (checkRenames && !isRuleOutput(kept.toLowerCase(), req.rule.templates, req.values, c)) renameCheck.push(req);
      continue;
    }
    const name = pick(req, c);
    if (name === null) {
      diagnostics.push(
        errorDiag(
          'naming.no-username',
          `no usable username for person ${anchor} under rule ${rule}: every template gave an empty, too short, reserved or unnumberable name; end the chain with a template on {identifier} or {sourcedId}`,
          req.rule.origin.source ? { source: req.rule.origin.source } : {},
        ),
      );
      continue;
    }
    inUse.set(name, anchor);
    results.set(anchor, { anchor, username: name, rule, newlyIssued: true });
  }

  // After every new person, so unapplied renames never change what newcomers get.
  for (const req of renameCheck) {
    const anchor = req.anchor;
    const res = results.get(anchor);
    if (!res) continue;
    const c = limitsFor(req.rule);
    const to = pick(req, c);
    if (to === null) {
      // A rule that gives this person nothing at all (emoji-only name, no identifier template)
      // is no reason to rename: they keep their name quietly.
      if (!req.rule.templates.some((t) => baseOf(t, req.values, c) !== null)) continue;
      diagnostics.push(warningDiag('naming.no-rename-target', `person ${anchor}: rule ${res.rule} gives a new username but none is free; the current one stays`));
      continue;
    }
    inUse.set(to, anchor);
    res.pendingRename = { to, rule: res.rule };
  }
  return { results, diagnostics };
}

function* ownEntries<V>(map: Readonly<Record<string, V>>): Generator<[string, V]> {
  for (const name of Object.keys(map)) yield [name, map[name]!];
}

function inAnchorOrder(entries: readonly (readonly [string, string])[]): boolean {
  for (let i = 1; i < entries.length; i++) if (!(entries[i - 1]![0] < entries[i]![0])) return false;
  return true;
}
