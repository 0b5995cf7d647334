import type { ClassSection, Person, Roster } from '../model/people.js';
import type { CredentialRecord } from './credential-store.js';

/**
 * A teacher's printable sheet for one class: each enrolled student's display name, username
 * and initial password. Pure: the class list comes from the SIS (who is in the class today),
 * the credentials from the decrypted store (latest record per student and target).
 */

export interface SheetRow {
  anchor: string;
  displayName: string;
  username: string;
  /** One per target with a stored initial password; empty when none was stored. */
  passwords: { target: string; password: string }[];
}

export interface Sheet {
  classTitle: string;
  classCode: string;
  school: string;
  rows: SheetRow[];
}

export function studentsOf(roster: Roster, classId: string): Person[] {
  return roster.people.filter((p) => p.enrollments.some((e) => e.classSourcedId === classId && e.role === 'student'));
}

export function buildSheet(cls: ClassSection, schoolName: string, students: readonly Person[], records: readonly CredentialRecord[], target?: string): Sheet {
  // Latest record wins: an account re-created later has a newer initial password.
  const latest = new Map<string, CredentialRecord>();
  for (const r of records) {
    if (target && r.target !== target) continue;
    const k = `${r.anchor}\u0000${r.target}`;
    const prev = latest.get(k);
    if (!prev || r.createdAt >= prev.createdAt) latest.set(k, r);
  }
  const rows: SheetRow[] = students.map((p) => {
    const mine = [...latest.values()].filter((r) => r.anchor === p.sourcedId).sort((a, b) => (a.target < b.target ? -1 : 1));
    const fallbackName = `${p.preferredGivenName || p.givenName} ${p.preferredFamilyName || p.familyName}`.trim();
    return {
      anchor: p.sourcedId,
      displayName: mine[0]?.displayName || fallbackName,
      username: mine[0]?.username ?? '',
      passwords: mine.map((r) => ({ target: r.target, password: r.password })),
    };
  });
  const key = (p: Person): string => `${p.preferredFamilyName || p.familyName}\u0000${p.preferredGivenName || p.givenName}`;
  const order = new Map(students.map((p) => [p.sourcedId, key(p)]));
  rows.sort((a, b) => (order.get(a.anchor) ?? '').localeCompare(order.get(b.anchor) ?? '') || (a.anchor < b.anchor ? -1 : 1));
  return { classTitle: cls.title, classCode: cls.classCode, school: schoolName, rows };
}

/**
 * The passwords a row shows: one when every target got the same (an apply gives a person one
 * initial password across the targets it creates them in), else one per target.
 */
function shownPasswords(r: SheetRow): SheetRow['passwords'] {
  return new Set(r.passwords.map((p) => p.password)).size === 1 ? r.passwords.slice(0, 1) : r.passwords;
}

export function renderSheetText(s: Sheet): string {
  const out = [`${s.classTitle} (${s.classCode}), ${s.school}`, 'Initial sign-in details. Confidential: hand each student only their own line.', ''];
  for (const r of s.rows) {
    const shown = shownPasswords(r);
    const pw = shown.length === 0 ? '(no initial password stored)' : shown.map((p) => (s.rows.some((x) => shownPasswords(x).length > 1) ? `${p.target}: ${p.password}` : p.password)).join('  ');
    out.push(`${r.displayName}\t${r.username || '(no account yet)'}\t${pw}`);
  }
  return out.join('\n') + '\n';
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** One card per student, sized to cut apart; print CSS keeps a card on one page. */
export function renderSheetHtml(s: Sheet): string {
  const cards = s.rows.map((r) => {
    const shown = shownPasswords(r);
    const pw = shown.length === 0
      ? '<dd class="missing">no initial password stored</dd>'
      : shown.map((p) => `<dd class="pw">${shown.length > 1 ? `<small>${esc(p.target)}</small> ` : ''}${esc(p.password)}</dd>`).join('');
    return `<section class="card"><h2>${esc(r.displayName)}</h2><dl><dt>Username</dt><dd class="user">${esc(r.username || 'no account yet')}</dd><dt>Password</dt>${pw}</dl><p class="class">${esc(s.classTitle)}</p></section>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>${esc(s.classTitle)}: initial sign-in details</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1cm; }
header p { color: #555; }
.cards { display: grid; grid-template-columns: repeat(2, 1fr); gap: 0.5cm; }
.card { border: 1px dashed #888; padding: 0.4cm; break-inside: avoid; page-break-inside: avoid; }
.card h2 { font-size: 14pt; margin: 0 0 0.2cm; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 0.1cm 0.3cm; margin: 0; }
dt { color: #555; } dd { margin: 0; font-family: ui-monospace, monospace; font-size: 13pt; }
.missing { font-family: inherit; font-size: 10pt; color: #a00; }
.class { font-size: 9pt; color: #777; margin: 0.2cm 0 0; }
@media print { body { margin: 0; } header { display: none; } .card { border-color: #000; } }
</style></head>
<body>
<header><h1>${esc(s.classTitle)} (${esc(s.classCode)})</h1><p>${esc(s.school)}. Confidential: cut along the lines and hand each student only their own card.</p></header>
<main class="cards">
${cards}
</main>
</body></html>
`;
}
