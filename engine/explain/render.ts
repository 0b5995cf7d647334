import { formatSource } from '../model/diagnostics.js';
import type { AttrMap } from '../model/plan.js';
import type { AttributeStory, Explanation } from './explain.js';
import type { RuleTrial } from './why-not.js';

/** Text for one person's explanation. Reads the Explanation only; `--json` prints it as is. */

function trialLines(trials: readonly RuleTrial[], indent = '    '): string[] {
  return trials.map((t) => {
    const where = t.source ? ` (${formatSource(t.source)})` : '';
    return `${indent}${t.matched ? '✓' : '✗'} ${t.rule}${where}${t.why ? `: ${t.why}` : ''}`;
  });
}

function attrs(m: AttrMap | undefined): string {
  if (!m) return '';
  return Object.entries(m).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`).join(' ');
}

function attribute(title: string, a: AttributeStory, kept: boolean): string[] {
  return [`${title}: ${a.value ?? (kept ? '(kept as it is)' : '(none)')}${a.template ? `   from "${a.template}"` : ''}`, ...trialLines(a.rules)];
}

export function renderExplanation(e: Explanation): string {
  const out: string[] = [`Person ${e.anchor} at ${e.now}`];
  if (e.sis) {
    const s = e.sis;
    const preferred = s.preferredGivenName || s.preferredFamilyName ? ` (preferred: ${[s.preferredGivenName, s.preferredFamilyName].filter(Boolean).join(' ')})` : '';
    out.push(`  SIS ${s.record}: ${s.givenName} ${s.familyName}${preferred}`);
    out.push(`  role ${s.role || '(none)'} at ${s.school || '(no school)'}, grade ${s.grade || '(none)'}, gradYear ${s.gradYear ?? '(none)'}; role is ${s.eligibility}; enabledUser ${String(s.enabledUser)}`);
    if (s.classes.length) out.push(`  classes: ${s.classes.map((c) => `${c.code} (${c.title})`).join(', ')}`);
  } else {
    out.push('  not in this SIS export');
  }
  if (e.remembered) {
    const r = e.remembered;
    const timers = (['missing_since', 'suspended_at', 'delete_after', 'deleted_at'] as const).filter((k) => r[k]).map((k) => `${k} ${r[k]}`);
    out.push(`  state: username ${r.username}, first seen ${r.first_seen.slice(0, 10)}${timers.length ? `; ${timers.join(', ')}` : ''}`);
  }

  out.push('', `Lifecycle: ${e.lifecycle ? `${e.lifecycle.state} (rule ${e.lifecycle.rule}${e.lifecycle.date ? `, date ${e.lifecycle.date}` : ''})` : 'not managed (no eligible role, never provisioned)'}`);
  if (e.lifecycle) {
    out.push(`    ${e.lifecycle.detail}`);
    for (const t of e.lifecycle.timers) out.push(`    timer ${t.field} := ${t.value ?? '(cleared)'} (${t.reason.rule ?? t.reason.cause}: ${t.reason.detail})`);
  }

  const u = e.username.story;
  out.push('', `Username: ${u.username ?? '(none)'}: ${u.how}, ${u.detail}`, ...trialLines(e.username.rules));
  for (const t of u.templates) {
    out.push(`      "${t.template}" -> ${t.output ?? '(empty)'}: ${t.verdict}${t.detail ? ` (${t.detail})` : ''}`);
  }
  if (u.collision) out.push(`      collision suffix: ${u.collision.base} + ${u.collision.suffix}`);

  out.push('', ...attribute('Email', e.email, e.attributesKept), '', ...attribute('Display name', e.displayName, e.attributesKept));
  out.push('', `Placement: ${e.placement.note}${e.placement.template ? `   from "${e.placement.template}"` : ''}`, ...trialLines(e.placement.rules));
  const groups = e.groups.groups.length ? e.groups.groups.map((g) => `${g.name} (${g.rule}, ${g.membership})`).join(', ') : e.held ? '(kept as they are until the suspension)' : '(none)';
  out.push('', `Groups: ${groups}`, ...trialLines(e.groups.rules));
  out.push('', `Initial password rule: ${e.password.rule ?? '(none)'} (the password itself is never shown here)`, ...trialLines(e.password.rules));

  for (const t of e.targets) {
    out.push('', `Target ${t.target}:`);
    out.push(`  account: ${t.account ? `${t.account.username} at ${t.account.path || '(root)'}, ${t.account.enabled ? 'enabled' : 'disabled'} [${t.account.id}]` : '(none linked by anchor)'}`);
    out.push(`  desired: path ${t.path ?? '(leave in place)'}; groups ${t.groups.length ? t.groups.join(', ') : e.held ? '(kept as they are)' : '(none)'}`);
    if (t.changes.length === 0) out.push('  planned: no changes');
    for (const c of t.changes) {
      const why = `${c.reason.cause}${c.reason.rule ? ` ${c.reason.rule}` : ''}${c.reason.date ? ` ${c.reason.date}` : ''}: ${c.reason.detail}`;
      out.push(`  planned: ${c.action} ${c.kind} ${c.kind === 'account' ? '' : `${c.key} `}${c.before ? `from ${attrs(c.before)} ` : ''}${c.after ? `to ${attrs(c.after)} ` : ''}(${why})`);
    }
  }
  if (e.decisions.length) out.push('', 'Pending decisions:', ...e.decisions.map((d) => `  ${d.kind}: ${d.detail}`));
  return out.join('\n') + '\n';
}
