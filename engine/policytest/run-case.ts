import { errorDiag, type Diagnostic, type SourceRange } from '../model/diagnostics.js';
import type { Policy } from '../model/policy.js';
import type { TargetConstraints } from '../model/provider.js';
import { computePlan } from '../plan/build-plan.js';
import { decisionFor } from '../explain/decision.js';
import { actualFor } from './actual.js';
import { compare } from './compare.js';
import { buildFixture } from './fixture.js';
import type { ExpectField, PolicyTestCase } from './types.js';

/**
 * Run one test case through the real pure core (computePlan, as `rollcall plan` does, with
 * empty targets) against the repo's real policy, and compare. No I/O, no clock.
 */

export interface Failure {
  anchor: string;
  field: ExpectField;
  source: SourceRange;
  expected: string;
  actual: string;
}

export interface CaseResult {
  file: string;
  name: string;
  source: SourceRange;
  ok: boolean;
  failures: Failure[];
  /** Fixture mistakes (unknown school, class, person): the case fails without running. */
  diagnostics: Diagnostic[];
}

export function runCase(tc: PolicyTestCase, policy: Policy, constraints: TargetConstraints): CaseResult {
  const base = { file: tc.file, name: tc.name, source: tc.source };
  const fixture = buildFixture(tc, policy);
  const diagnostics = [...fixture.diagnostics];
  const known = new Set([...tc.people.map((p) => p.id), ...Object.keys(tc.state.people)]);
  for (const e of tc.expectations) {
    if (!known.has(e.anchor)) {
      diagnostics.push(errorDiag('policytest.unknown-person', `expectation for "${e.anchor}", who is neither in \`people\` nor in \`state.people\``, { source: e.source }));
    }
  }
  if (diagnostics.length > 0) return { ...base, ok: false, failures: [], diagnostics };

  const { identities } = computePlan({
    policy,
    policyDigest: 'policytest',
    policyCommit: null,
    roster: fixture.roster,
    sisDigest: 'policytest',
    sisWarnings: [],
    state: fixture.state,
    snapshots: fixture.snapshots,
    constraints,
    now: tc.now,
  });
  const byAnchor = new Map(identities.map((i) => [i.anchor, i]));
  const failures: Failure[] = [];
  for (const e of tc.expectations) {
    const identity = byAnchor.get(e.anchor);
    const fallback = identity || e.field !== 'lifecycle' ? null : decisionFor(e.anchor, { policy, roster: fixture.roster, state: fixture.state, now: tc.now, observedAnchors: new Set() }).outcome;
    const mismatch = compare(e, actualFor(e.field, identity, policy, fallback));
    if (mismatch) failures.push({ anchor: e.anchor, field: e.field, source: e.source, ...mismatch });
  }
  return { ...base, ok: failures.length === 0, failures, diagnostics };
}
