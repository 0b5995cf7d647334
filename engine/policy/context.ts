import { errorDiag, type Diagnostic, type SourceRange } from '../model/diagnostics.js';
import type { RuleOrigin, Template } from '../model/policy.js';
import { compileTemplate } from '../resolve/naming/template.js';
import { pointer, type Locator, type PathSeg } from './source-doc.js';

/**
 * What normalizing one section needs: where its values are written (a locator), the names it
 * may refer to (roles, schools, targets), and a sink for diagnostics. Rule ids are checked for
 * duplicates per section.
 */

/** Declared names; null when rollcall.yaml's list is itself broken (its error is reported once). */
export interface Known {
  roles: ReadonlySet<string> | null;
  schools: ReadonlySet<string> | null;
  targets: ReadonlySet<string> | null;
}

export class SectionContext {
  readonly diagnostics: Diagnostic[] = [];
  private readonly ids = new Map<string, PathSeg[]>();

  constructor(
    /** The section's name as rule ids use it: `naming`, `placement`, ... */
    readonly section: string,
    readonly loc: Locator | null,
    readonly known: Known,
    /** Where the section sits in its file: [] for policy/*.yaml, ['naming'] when inline. */
    readonly prefix: readonly PathSeg[] = [],
  ) {}

  at(path: readonly PathSeg[]): SourceRange | undefined {
    return this.loc?.value(path);
  }

  error(code: string, summary: string, path: readonly PathSeg[], where: 'value' | 'key' = 'value'): void {
    const source = this.loc ? (where === 'key' ? this.loc.key(path) : this.loc.value(path)) : undefined;
    this.diagnostics.push(errorDiag(code, summary, { ...(source ? { source } : {}), path: pointer([...this.prefix, ...path]) }));
  }

  /** An error at character `at` of the string scalar written at `path`. */
  errorInScalar(code: string, summary: string, path: readonly PathSeg[], at: number): void {
    const sc = this.loc?.scalar(path);
    const s = sc?.source;
    const source = s && s.line !== undefined && s.column !== undefined ? { ...s, column: s.column + sc.quoteOffset + at } : s;
    this.diagnostics.push(errorDiag(code, summary, { ...(source ? { source } : {}), path: pointer([...this.prefix, ...path]) }));
  }

  /**
   * A rule's origin: its own `id:` or its position (`naming.usernames[0]`), pointing at the
   * rule. Reports a second rule with the same id in this section.
   */
  origin(path: readonly PathSeg[], ownId: string | undefined): RuleOrigin {
    const positional = `${this.section}${path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}`.replace(/^groups\.groups/, 'groups');
    const id = ownId ?? positional;
    if (ownId !== undefined) {
      const first = this.ids.get(ownId);
      if (first) {
        const firstAt = this.loc?.value([...first, 'id']);
        const where = firstAt?.line !== undefined ? ` (first used at line ${firstAt.line})` : '';
        this.error('policy.duplicate-id', `Duplicate rule id "${ownId}" in ${this.section}${where}: rule ids must be unique`, [...path, 'id']);
      } else {
        this.ids.set(ownId, [...path]);
      }
    }
    const source = this.at(path);
    return source ? { id, source } : { id };
  }

  /** Compile the template written at `path`; null (with diagnostics) when it is wrong. */
  template(text: string, path: readonly PathSeg[], ruleId: string, fields: readonly string[]): Template | null {
    const scalar = this.loc?.scalar(path);
    const origin: RuleOrigin = scalar ? { id: ruleId, source: scalar.source } : { id: ruleId };
    const { template, diagnostics } = compileTemplate(text, origin, fields, scalar?.quoteOffset ?? 0);
    for (const d of diagnostics) this.diagnostics.push({ ...d, path: pointer([...this.prefix, ...path]) });
    return template;
  }
}

/** A template the policy did not write (a default); it cannot fail. */
export function builtinTemplate(text: string, id: string, fields: readonly string[]): Template {
  const { template } = compileTemplate(text, { id }, fields);
  if (!template) throw new Error(`built-in template ${text} does not compile`);
  return template;
}
