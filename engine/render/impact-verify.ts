import type { Mismatch, VerifyReport } from '../impact/verify.js';
import { ACTION_ORDER } from '../model/plan.js';
import { shortCommit } from './impact-view.js';
import { escapeCell } from './markdown.js';
import type { PrivacyOptions } from './pseudonym.js';
import { subjectOf } from './view-model.js';

/**
 * The verify report for people: the verdict first, then why, then what was compared and
 * what was only reported. Counts, rule ids, and people as pseudonyms: a mismatch's change key
 * names its person by sourcedId (or an unmanaged member by username), and apply.yml posts
 * this into an issue.
 */

/** What a mismatch is about: a rule id as it is; a change by target, kind, action and its (pseudonymized) subject. */
function subject(m: Mismatch, privacy: PrivacyOptions): string {
  const c = m.change;
  return c ? `${c.target} ${c.kind} ${c.action} ${subjectOf(c, privacy)}` : m.subject;
}

function counts(m: Partial<Record<string, number>>): string {
  const parts = ACTION_ORDER.filter((a) => m[a]).map((a) => `${a} ${m[a]}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export function renderVerifyText(r: VerifyReport, privacy: PrivacyOptions): string {
  const out: string[] = [];
  out.push(r.ok ? 'VERIFIED: the merged policy change matches the approved impact.' : 'REFUSED: the merged policy change does not match the approved impact, or the rest is unsafe. Nothing may be applied.');
  for (const reason of r.reasons) out.push(`  - ${reason}`);
  out.push('');
  out.push(`Approved impact ${r.approved.digest.slice(0, 12)}: base ${shortCommit(r.approved.base)} -> head ${shortCommit(r.approved.head)}, ${r.approved.entries} entries.`);
  out.push(`Policy part: ${r.policy_part.changes} change(s) matched the approval (${counts(r.policy_part.by_action)}).`);
  out.push(`Reported, not compared: ${r.reported.joined} entr(ies) for people who joined, ${r.reported.left} for people who left, ${r.reported.changed} for people whose SIS record or pending changes differ since approval; ${r.reported.shifted} approved change(s) whose username a collision moved (applied).`);
  out.push(`Rest (SIS, lifecycle, drift): ${r.rest.changes} change(s) by cause ${JSON.stringify(r.rest.by_cause)}; safety ${r.rest.safety.ok ? 'ok' : `over limits: ${r.rest.safety.violations.map((v) => v.id).join(', ')}`}.`);
  if (r.ok && r.accept.length > 0) out.push(`Apply must accept ${r.accept.join(', ')} (caused by the approved change): rollcall apply PLAN ${r.accept.map((a) => `--accept ${a}`).join(' ')}`);
  if (r.mismatches.length > 0) {
    out.push('', 'Mismatches (first 20):');
    for (const m of r.mismatches.slice(0, 20)) out.push(`  ${m.kind} ${subject(m, privacy)}: ${m.detail}`);
  }
  return out.join('\n') + '\n';
}

export function renderVerifyMarkdown(r: VerifyReport, privacy: PrivacyOptions): string {
  const out: string[] = [];
  out.push(`### rollcall: apply-on-merge verification — ${r.ok ? 'verified' : '**refused**'}`, '');
  if (!r.ok) out.push('> [!CAUTION]', '> Nothing was applied.', ...r.reasons.map((x) => `> - ${escapeCell(x)}`), '');
  out.push('| part | changes | detail |', '|---|---:|---|');
  out.push(`| policy change (compared with the approval) | ${r.policy_part.changes} | ${counts(r.policy_part.by_action)} |`);
  out.push(`| people who joined / left / changed since approval (reported) | ${r.reported.joined + r.reported.left + r.reported.changed} | ${r.reported.joined} / ${r.reported.left} / ${r.reported.changed} |`);
  if (r.reported.shifted > 0) out.push(`| approved changes whose username a collision moved (applied) | ${r.reported.shifted} | |`);
  out.push(`| rest: SIS, lifecycle, drift | ${r.rest.changes} | safety ${r.rest.safety.ok ? 'ok' : r.rest.safety.violations.map((v) => `\`${v.id}\``).join(', ')} |`, '');
  out.push(`Approved impact \`${r.approved.digest.slice(0, 12)}\`: base ${shortCommit(r.approved.base)} → head ${shortCommit(r.approved.head)}.`, '');
  if (r.ok && r.accept.length > 0) out.push(`Accepted for the approved change: ${r.accept.map((a) => `\`${a}\``).join(', ')}.`, '');
  if (r.mismatches.length > 0) {
    out.push('<details><summary>Mismatches</summary>', '', '| kind | subject | detail |', '|---|---|---|');
    for (const m of r.mismatches.slice(0, 100)) out.push(`| ${m.kind} | \`${escapeCell(subject(m, privacy))}\` | ${escapeCell(m.detail)} |`);
    out.push('', '</details>', '');
  }
  return out.join('\n') + '\n';
}
