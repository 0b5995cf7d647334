import type { DriftView } from './drift-view.js';

/**
 * The machine-readable drift report, for CI and other tools: the same rows as every other
 * format (privacy applied), plus the summary. Stable field names; `format_version` bumps on
 * any incompatible change.
 */
export function renderDriftJson(v: DriftView): string {
  const doc = {
    format_version: 1,
    kind: 'rollcall-drift-report',
    district: v.district,
    generated_at: v.generatedAt,
    policy_commit: v.policyCommit,
    policy_digest: v.policyDigest,
    state_serial: v.stateSerial,
    pseudonymous: !v.showPii,
    targets: v.targets,
    summary: v.summary,
    items: v.rows,
    allowed: v.allowed,
    warnings: v.warnings,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
