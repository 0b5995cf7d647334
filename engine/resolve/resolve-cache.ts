import type { ClassSection, Enrollment } from '../model/people.js';
import type { GroupRule, PlacementRule, Policy, Template } from '../model/policy.js';
import { matches } from './match.js';
import type { PersonFacts, RosterIndex } from './person-facts.js';
import { FALLBACK_SOURCES, renderTemplate } from './naming/template.js';
import { normalizePath } from './paths.js';
import { FieldMemo } from './field-memo.js';
import type { Identity } from './identities.js';
import { isSharedEnrollments } from '../model/shared-enrollments.js';

/**
 * What resolve computes once and shares among the people alike: group intents (a person's
 * groups, before any target filters them), placement paths and the sets of rule ids. Part of
 * resolve (engine/resolve/identities.ts), pure like it.
 */

export interface GroupIntent {
  name: string;
  description: string;
  rule: string;
  membership: 'authoritative' | 'additive';
  /** Empty = every target. */
  targets: readonly string[];
  /**
   * The intent's number among those one resolve shares (0, 1, ...; -1 or absent: not shared),
   * so the diff can find its group by array index instead of a Map lookup per membership.
   */
  seq?: number;
}

/**
 * Per-run caches of what thousands of people share. Group intents are the hot path at
 * district scale (a secondary student has ~10). Names that depend only on class fields are
 * computed once per class, intents with the same name are shared, and per-class values reuse
 * one scratch object instead of a copy per class.
 */
export class ResolveCache {
  private readonly byName = new Map<string, GroupIntent>();
  private readonly classOnly = new Map<GroupRule, boolean>();
  private readonly perClass = new Map<GroupRule, Map<string, GroupIntent>>();
  private readonly perEnrollment = new Map<GroupRule, Map<Enrollment, GroupIntent | null>>();
  private readonly perEnrollmentList = new Map<GroupRule, Map<readonly Enrollment[], readonly GroupIntent[]>>();
  private readonly perPerson = new Map<GroupRule, FieldMemo<GroupIntent>>();
  private readonly deps = new Map<GroupRule, string[]>();
  private readonly paths = new Map<string, string>();
  private readonly fields = new Map<Template, string[]>();
  private readonly placements = new Map<PlacementRule, FieldMemo<Record<string, string>>>();
  private readonly ruleSets = new FieldMemo<Identity['rules']>(['username', 'email', 'displayName', 'path', 'password']);

  /** The rule ids that decided a person's values: few distinct sets, one shared object each (nothing mutates them). */
  rules(r: Identity['rules']): Identity['rules'] {
    const slot = this.ruleSets.slot(r);
    return (slot.value ??= r);
  }

  /** The value fields a template reads, with its fallbacks' (see template.ts). */
  private fieldsOf(t: Template): string[] {
    let f = this.fields.get(t);
    if (!f) {
      f = templateDependencies([t]);
      this.fields.set(t, f);
    }
    return f;
  }

  /**
   * A template over a person's values plus their username, without copying all the values
   * per person: only the fields the template reads (usually just the username) are copied.
   */
  renderWithUsername(t: Template, values: Readonly<Record<string, string>>, username: string): string {
    const deps = this.fieldsOf(t);
    if (!deps.includes('username')) return renderTemplate(t, values);
    const v: Record<string, string> = {};
    for (const d of deps) if (Object.hasOwn(values, d)) v[d] = values[d]!;
    v.username = username;
    return renderTemplate(t, v);
  }

  /**
   * A placement rule's rendered paths per target. They depend only on the fields the rule's
   * templates read (school, gradYear): everyone placed alike shares one rendered object.
   */
  placement(rule: PlacementRule, policy: Policy, values: Readonly<Record<string, string>>): Record<string, string> {
    let memo = this.placements.get(rule);
    if (!memo) {
      const templates = [rule.path];
      for (const t of policy.targets) {
        const o = rule.targets[t.name];
        if (o) templates.push(o);
      }
      memo = new FieldMemo(templateDependencies(templates));
      this.placements.set(rule, memo);
    }
    const slot = memo.slot(values);
    return (slot.value ??= this.renderPaths(rule.path, rule.targets, policy, values));
  }

  /** A template's rendered path per target, with the targets' overrides; each normalized once (see path). */
  renderPaths(base: Template, overrides: Readonly<Record<string, Template>>, policy: Policy, values: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    const rendered = this.path(renderTemplate(base, values));
    for (const t of policy.targets) {
      const o = overrides[t.name];
      out[t.name] = o ? this.path(renderTemplate(o, values)) : rendered;
    }
    return out;
  }

  /** A rendered placement path, normalized once per distinct text and shared by everyone placed there. */
  path(rendered: string): string {
    let p = this.paths.get(rendered);
    if (p === undefined) {
      p = normalizePath(rendered);
      this.paths.set(rendered, p);
    }
    return p;
  }

  isClassOnly(rule: GroupRule): boolean {
    let v = this.classOnly.get(rule);
    if (v === undefined) {
      v = this.dependencies(rule).every((f) => f.startsWith('class.'));
      this.classOnly.set(rule, v);
    }
    return v;
  }

  /** The template fields a rule's name and description read (with fallback sources). */
  private dependencies(rule: GroupRule): string[] {
    let deps = this.deps.get(rule);
    if (!deps) {
      deps = templateDependencies([rule.name, ...(rule.description ? [rule.description] : [])]);
      this.deps.set(rule, deps);
    }
    return deps;
  }

  /**
   * A class-only rule's intent per enrollment object, null when its class is unknown. Readers
   * share one object among enrollments alike (same class, role, dates), so a hit here skips
   * reading the class id: at a million people, most of a lookup by id is that read (profile).
   */
  enrollmentMap(rule: GroupRule, limit: number): Map<Enrollment, GroupIntent | null> | null {
    const m = ruleMap(this.perEnrollment, rule);
    return m.size < limit ? m : null;
  }

  /**
   * A class-only rule's intents per enrollment list, for lists a reader shared among people
   * enrolled alike (engine/model/shared-enrollments.ts): the cached read gives the bench's
   * million people 353,575 distinct lists, and only a list held more than once makes this pay.
   */
  enrollmentListMap(rule: GroupRule): Map<readonly Enrollment[], readonly GroupIntent[]> {
    return ruleMap(this.perEnrollmentList, rule);
  }

  classMap(rule: GroupRule): Map<string, GroupIntent> {
    return ruleMap(this.perClass, rule);
  }

  /**
   * A `forEach: person` intent depends only on the template fields its name and description
   * use (school, gradYear, ...): thousands of people share one, so it is rendered once per
   * distinct combination of those values.
   */
  personIntent(rule: GroupRule, values: Readonly<Record<string, string>>): GroupIntent {
    let memo = this.perPerson.get(rule);
    if (!memo) {
      memo = new FieldMemo(this.dependencies(rule));
      this.perPerson.set(rule, memo);
    }
    const slot = memo.slot(values);
    return (slot.value ??= this.shared(intent(rule, values)));
  }

  shared(intent: GroupIntent): GroupIntent {
    const key = `${intent.rule}\u0000${intent.name}`;
    const hit = this.byName.get(key);
    if (hit && hit.description === intent.description && hit.membership === intent.membership) return hit;
    if (!hit) {
      intent.seq = this.byName.size;
      this.byName.set(key, intent);
    }
    return intent;
  }
}

/** A rule's map in one of ResolveCache's per-rule caches, made on first use. */
function ruleMap<K, V>(maps: Map<GroupRule, Map<K, V>>, rule: GroupRule): Map<K, V> {
  let m = maps.get(rule);
  if (!m) {
    m = new Map();
    maps.set(rule, m);
  }
  return m;
}

export function groupIntents(rules: readonly GroupRule[], f: PersonFacts, index: RosterIndex, cache: ResolveCache): GroupIntent[] {
  const out: GroupIntent[] = [];
  let scratch: Record<string, string> | null = null;
  const enrollments = f.person.enrollments;
  const sharedList = enrollments.length > 1 && isSharedEnrollments(enrollments);
  for (const rule of rules) {
    if (!matches(rule.when, f.subject)) continue;
    if (rule.forEach === 'person') {
      out.push(cache.personIntent(rule, f.values));
      continue;
    }
    const perClass = cache.isClassOnly(rule) ? cache.classMap(rule) : null;
    const perList = perClass && sharedList ? cache.enrollmentListMap(rule) : null;
    if (perList) {
      const seen = perList.get(enrollments);
      if (seen) {
        for (let i = 0; i < seen.length; i++) out.push(seen[i]!);
        continue;
      }
    }
    const from = out.length;
    // Bounded, for a reader that would make an object per row without an id.
    const kinds = perClass ? cache.enrollmentMap(rule, 4 * index.classes.size + 1024) : null;
    for (const e of enrollments) {
      // An enrollment with its own record id is its row's own object, met once here: a lookup
      // keyed by it never hits (a 100,000-person plan read with record ids, as `plan --out`
      // reads, spent about 0.2 s missing).
      const perEnrollment = e.sourcedId === undefined ? kinds : null;
      if (perEnrollment) {
        const seen = perEnrollment.get(e);
        if (seen !== undefined) {
          if (seen !== null) out.push(seen);
          continue;
        }
      }
      if (perClass) {
        const hit = perClass.get(e.classSourcedId);
        if (hit) {
          perEnrollment?.set(e, hit);
          out.push(hit);
          continue;
        }
      }
      const cls = index.classes.get(e.classSourcedId);
      if (!cls) {
        perEnrollment?.set(e, null);
        continue;
      }
      if (perClass) {
        const made = cache.shared(intent(rule, classValues({}, cls, index)));
        perClass.set(cls.sourcedId, made);
        perEnrollment?.set(e, made);
        out.push(made);
      } else {
        scratch ??= { ...f.values };
        out.push(cache.shared(intent(rule, classValues(scratch, cls, index))));
      }
    }
    perList?.set(enrollments, out.slice(from));
  }
  // Kept as long as the plan: push() over-allocates (a secondary student has a dozen or more).
  return out.slice();
}

function classValues(values: Record<string, string>, cls: ClassSection, index: RosterIndex): Record<string, string> {
  values['class.code'] = cls.classCode;
  values['class.title'] = cls.title;
  values['class.sourcedId'] = cls.sourcedId;
  values['class.school'] = index.orgs.get(cls.schoolSourcedId)?.identifier ?? '';
  return values;
}

/** The value fields templates read, including the fields their fallbacks read (see template.ts). */
function templateDependencies(templates: readonly Template[]): string[] {
  const out = new Set<string>();
  for (const t of templates) {
    for (const p of t.parts) {
      if (p.kind !== 'field') continue;
      out.add(p.field);
      for (const f of FALLBACK_SOURCES[p.field] ?? []) out.add(f);
    }
  }
  return [...out].sort();
}

function intent(rule: GroupRule, values: Readonly<Record<string, string>>): GroupIntent {
  return {
    name: renderTemplate(rule.name, values),
    description: rule.description ? renderTemplate(rule.description, values) : '',
    rule: rule.origin.id,
    membership: rule.membership,
    targets: rule.targets,
    seq: -1, // every intent has the field from the start: one object shape
  };
}
