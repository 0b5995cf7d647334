import type { Action, Change, ChangeKind, SafetyViolation } from '../model/plan.js';

/**
 * The impact of a policy change: the base plan (policy at the base ref) and the head plan
 * (policy at the head) computed against the SAME roster, state and target snapshots, and
 * the difference between them. It is what a reviewer approves on a pull request, and what
 * `rollcall impact verify` compares a fresh run against after the merge. Plain JSON data.
 */

/** How a change differs between the base plan and the head plan. */
export type EntryChange = 'added' | 'removed' | 'altered';

export interface ImpactEntry {
  /** Stable key: `${target}:${kind}:${key}:${action}` (the change id, identical in both plans). */
  key: string;
  change: EntryChange;
  target: string;
  kind: ChangeKind;
  action: Action;
  /** The person's sourcedId, where the change concerns a person. */
  anchor?: string;
  /** The qualified policy rule behind it, e.g. `naming.usernames[students]`. */
  rule: string;
  /** The person's school code (head side), for the summary by school; '' when unknown. */
  school: string;
  /** The change in the base plan (removed, altered) and in the head plan (added, altered). */
  base?: Change;
  head?: Change;
}

/** A policy rule whose definition differs between base and head. */
export interface RuleChange {
  /** Qualified id: `naming.usernames[students]`, `naming.renames`, `safety`, `groups.rules[grade-cohort]`. */
  rule: string;
  change: 'added' | 'removed' | 'modified';
  /** Digests of the rule's definition (without source positions), so verify can compare. */
  base?: string;
  head?: string;
}

export interface ImpactSide {
  /** The ref as given (`origin/main`, `HEAD`, `working tree`). */
  ref: string;
  /** The resolved commit, `-dirty` for a modified working tree; null outside git. */
  commit: string | null;
  policy_digest: string;
}

export interface ImpactSummary {
  /** Entries, and per kind of difference. */
  total: number;
  by_change: Record<EntryChange, number>;
  /** Head-side actions the PR adds or alters (what merging it will do). */
  by_action: Partial<Record<Action, number>>;
  /** Base-side actions the PR takes out of the plan. */
  removed_by_action: Partial<Record<Action, number>>;
  by_rule: Record<string, Partial<Record<Action, number>>>;
  by_school: Record<string, Partial<Record<Action, number>>>;
  /** People the PR touches (distinct anchors). */
  people: number;
}

/**
 * Who was in the roster when the impact was computed: a short hash of each sourcedId ->
 * a short hash of that person's SIS record. Verify uses it to tell people who joined, left
 * or changed since approval (reported) from the people present and unchanged in both
 * (compared). Hashes keep the artifact from being a roster dump.
 */
export interface Population {
  count: number;
  people: Record<string, string>;
  /**
   * Short hash of each person's changes in the BASE plan (what would happen anyway, without
   * this policy change), for people who have any. A person whose pending changes differ at
   * verify time (an account created by the daily sync since, a pre-enrollment window that
   * opened) is reported, not compared: the policy change meets a different situation.
   */
  pending: Record<string, string>;
}

export interface ImpactDocument {
  format_version: 1;
  kind: 'rollcall-impact';
  created_at: string;
  base: ImpactSide;
  head: ImpactSide;
  inputs: {
    now: string;
    sis_digest: string;
    sis_people: number;
    state_lineage: string;
    state_serial: number;
    targets: Record<string, { digest: string }>;
  };
  /** The plan digests the impact was computed from. */
  plans: { base: string; head: string };
  rules: RuleChange[];
  summary: ImpactSummary;
  /** One line for people: "this PR renames 412 accounts, adds 3 groups; 0 disables, 0 deletions". */
  headline: string;
  entries: ImpactEntry[];
  safety: {
    /** The head plan's verdict (what apply will see). */
    head: { ok: boolean; violations: SafetyViolation[] };
    /** Violation ids the head plan has and the base plan does not: this PR causes them. */
    introduced: string[];
  };
  population: Population;
  /** sha256 over everything above. */
  digest: string;
}
