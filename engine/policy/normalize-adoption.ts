import type { AccountExclusion, AdoptionPolicy, AttributeOverride, CorrelationDecision, RenameApproval, CorrelationMatcher, CorrelationPolicy, RuleOrigin } from '../model/policy.js';
import { PERSON_FIELDS } from '../resolve/naming/template.js';
import { closest } from '../resolve/naming/suggest.js';
import type { SectionContext } from './context.js';
import { literalPaths } from './normalize-placement.js';
import type { PathSeg } from './source-doc.js';
import type { WrittenAdoption, WrittenCorrelation, WrittenDecisions, WrittenExclusions, WrittenOverrides } from './written-adoption.js';

/**
 * The adoption policy files -> the normalized sections: correlation matchers, exclusions,
 * overrides, reviewed decisions and the adoption switch. Defaults: no matchers (accounts link
 * by anchor only, as without these files), nothing excluded, adoption off.
 */

/** Fields correlation templates and `field:` may use: the naming fields plus the SIS email. */
export const CORRELATION_FIELDS: readonly string[] = [...PERSON_FIELDS, 'email'];

function targetList(ctx: SectionContext, list: (string | undefined)[] | undefined, at: readonly PathSeg[]): string[] {
  const out: string[] = [];
  (list ?? []).forEach((t, j) => {
    if (t === undefined) return;
    if (ctx.known.targets === null || ctx.known.targets.has(t)) {
      out.push(t);
      return;
    }
    const near = closest(t, [...(ctx.known.targets ?? [])]);
    ctx.error('policy.unknown-target', `Unknown target "${t}": not in \`targets\` in rollcall.yaml.${near ? ` Did you mean "${near}"?` : ''}`, [...at, j]);
  });
  return out.sort();
}

const DEFAULT_ATTRIBUTE: Record<CorrelationMatcher['kind'], string> = { anchor: 'anchor', attribute: '', email: 'email', username: 'username', name: '' };
const DEFAULT_FIELD: Record<CorrelationMatcher['kind'], string | null> = { anchor: 'identifier', attribute: null, email: 'email', username: 'sisUsername', name: null };

export function normalizeCorrelation(ctx: SectionContext, w: WrittenCorrelation | undefined): CorrelationPolicy {
  const matchers: CorrelationMatcher[] = [];
  (w?.matchers ?? []).forEach((m, i) => {
    if (!m?.match || !m.confidence) return;
    const at: PathSeg[] = ['matchers', i];
    const origin = ctx.origin(at, m.id);
    const kind = m.match;
    const attribute = m.attribute ?? DEFAULT_ATTRIBUTE[kind];
    if (kind === 'attribute' && m.attribute === undefined) ctx.error('policy.correlation-attribute', 'An `attribute` matcher needs `attribute:`, the account attribute it compares', at);
    if (kind !== 'attribute' && kind !== 'name' && m.attribute !== undefined && m.attribute !== attribute) {
      ctx.error('policy.correlation-attribute', `A \`${kind}\` matcher always compares the account's ${DEFAULT_ATTRIBUTE[kind]}; use \`match: attribute\` to compare ${m.attribute}`, [...at, 'attribute']);
    }
    if (kind !== 'name' && m.with !== undefined) ctx.error('policy.correlation-with', '`with:` only applies to `name` matchers', [...at, 'with']);
    if (kind === 'name' && (m.field !== undefined || m.template !== undefined)) ctx.error('policy.correlation-name', 'A `name` matcher compares given and family names; it takes no `field` or `template`', at);
    const template = m.template === undefined ? null : ctx.template(m.template, [...at, 'template'], origin.id, CORRELATION_FIELDS);
    if (m.template !== undefined && template === null) return;
    const field = template ? null : (m.field ?? DEFAULT_FIELD[kind]);
    if (kind === 'attribute' && field === null && template === null) {
      ctx.error('policy.correlation-field', 'An `attribute` matcher needs `field:` or `template:`, the person value it compares', at);
      return;
    }
    matchers.push({ origin, kind, confidence: m.confidence, targets: targetList(ctx, m.targets, [...at, 'targets']), attribute, field, template, with: m.with ?? null });
  });
  return { matchers, scope: literalPaths(ctx, w?.scope, ['scope']) };
}

export function normalizeExclusions(ctx: SectionContext, w: WrittenExclusions | undefined): AccountExclusion[] {
  const out: AccountExclusion[] = [];
  (w?.accounts ?? []).forEach((e, i) => {
    if (!e || e.reason === undefined) return;
    const at: PathSeg[] = ['accounts', i];
    if (e.username === undefined && e.account === undefined && e.path === undefined) {
      ctx.error('policy.exclusion-selector', 'An exclusion names the account by `username:`, `account:` (its provider id) or `path:` (a glob); this one names none, so it would exclude nothing', at);
      return;
    }
    out.push({
      origin: ctx.origin(at, e.id),
      username: e.username?.toLowerCase() ?? null,
      id: e.account ?? null,
      path: e.path ?? null,
      person: e.person ?? null,
      targets: targetList(ctx, e.targets, [...at, 'targets']),
      reason: e.reason,
    });
  });
  return out;
}

export function normalizeOverrides(ctx: SectionContext, w: WrittenOverrides | undefined): AttributeOverride[] {
  const out: AttributeOverride[] = [];
  (w?.overrides ?? []).forEach((o, i) => {
    if (!o?.person || !o.attribute || o.value === undefined || o.reason === undefined || o.expires === undefined) return;
    const at: PathSeg[] = ['overrides', i];
    if (o.attribute === 'path' && literalPaths(ctx, [o.value], [...at, 'value']).length === 0) return;
    if (o.attribute !== 'path' && (o.targets?.length ?? 0) > 0) {
      ctx.error('policy.override-targets', `\`targets:\` only applies to path overrides; a person's ${o.attribute} is the same in every target`, [...at, 'targets']);
      return;
    }
    // `overrides[2]`, not `overrides.overrides[2]`: the section and its list share a name.
    const origin = { ...ctx.origin(at, o.id), id: o.id ?? `overrides[${i}]` };
    out.push({ origin, person: o.person, attribute: o.attribute, value: o.value, targets: targetList(ctx, o.targets, [...at, 'targets']), reason: o.reason, expires: o.expires });
  });
  return out;
}

/** One decisions file; origins name the file and entry, e.g. `decisions/2026-09.yaml[3]`. */
export function normalizeDecisions(ctx: SectionContext, file: string, w: WrittenDecisions | undefined): CorrelationDecision[] {
  const out: CorrelationDecision[] = [];
  (w?.decisions ?? []).forEach((d, i) => {
    if (!d?.target || d.account === undefined) return;
    const at: PathSeg[] = ['decisions', i];
    if (d.account === null || d.account === '') return; // undecided: `rollcall correlate` wrote it, nobody filled it in yet
    const notAPerson = d.notAPerson === true;
    if (notAPerson === (d.person !== undefined)) {
      ctx.error('policy.decision', 'A decision names either `person:` (the account is theirs) or `notAPerson: true` (it is nobody\'s), exactly one', at);
      return;
    }
    if (notAPerson && !d.reason) {
      ctx.error('policy.decision-reason', '`notAPerson: true` needs a `reason:` for reviewers', at);
      return;
    }
    targetList(ctx, [d.target], [...at, 'target']);
    const source = ctx.at(at);
    const origin: RuleOrigin = source ? { id: `${file}[${i}]`, source } : { id: `${file}[${i}]` };
    out.push({ origin, target: d.target, account: d.account, person: d.person ?? null, notAPerson, reason: d.reason ?? '' });
  });
  return out;
}

/** The rename approvals of one decisions file; origins name the file and entry, e.g. `decisions/renames.yaml#renames[0]`. */
export function normalizeRenameApprovals(ctx: SectionContext, file: string, w: WrittenDecisions | undefined): RenameApproval[] {
  const out: RenameApproval[] = [];
  (w?.renames ?? []).forEach((r, i) => {
    if (!r?.person || !r.to || !r.reason) return; // the schema already reported what is missing
    const at: PathSeg[] = ['renames', i];
    const source = ctx.at(at);
    const id = `${file}#renames[${i}]`;
    out.push({ origin: source ? { id, source } : { id }, person: r.person, to: r.to.toLowerCase(), reason: r.reason });
  });
  return out;
}

export function normalizeAdoption(w: WrittenAdoption | undefined): AdoptionPolicy {
  if (w === undefined || typeof w === 'boolean') return { enabled: w === true, renames: 'keep', allowDisable: false };
  return { enabled: w.enabled ?? true, renames: w.renames ?? 'keep', allowDisable: w.allowDisable ?? false };
}
