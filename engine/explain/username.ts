import type { ObservedAccount } from '../model/accounts.js';
import type { UsernameRule } from '../model/policy.js';
import type { TargetConstraints } from '../model/provider.js';
import { issuedEntry, type StateDocument } from '../model/state.js';
import { baseOf, cutBase, isRuleOutput } from '../resolve/naming/candidates.js';
import { ALWAYS_RESERVED } from '../resolve/naming/constraints.js';
import type { TemplateValues } from '../resolve/naming/template.js';

/**
 * How this person's username came about, template by template. The allocator itself keeps
 * no trace (it runs over every person at once), so this re-derives each template's output
 * and says what stood in its way, from the same registry, reserved list and plan.
 */

export type TemplateVerdict =
  /** The username issued or held is this output. */
  | 'chosen'
  /** Empty, too short, or a name field that gave nothing. */
  | 'empty'
  | 'reserved'
  /** Issued earlier to another person: never re-issued. */
  | 'issued-before'
  /** Given to another person in this plan. */
  | 'taken'
  /** Held by an account rollcall does not manage. */
  | 'taken-unmanaged'
  /** Usable, but an earlier template won or the person already had a name. */
  | 'not-needed';

export interface TemplateTrial {
  template: string;
  output: string | null;
  verdict: TemplateVerdict;
  detail?: string;
}

export interface UsernameStory {
  username: string | null;
  /** kept: held already; restored: from the registry; issued: a template output; numbered: collision suffix. */
  how: 'kept' | 'restored' | 'issued' | 'numbered' | 'none';
  detail: string;
  templates: TemplateTrial[];
  collision?: { base: string; suffix: string; minDigits: number; start: number };
}

export interface UsernameContext {
  anchor: string;
  username: string | null;
  rule: UsernameRule | null;
  values: TemplateValues;
  state: StateDocument;
  reserved: readonly string[];
  constraints: TargetConstraints;
  /** lower-case username -> anchor of everyone else the plan gives a username. */
  others: ReadonlyMap<string, string>;
  unmanaged: readonly ObservedAccount[];
  renames: string;
}

export function usernameStory(ctx: UsernameContext): UsernameStory {
  const name = ctx.username?.toLowerCase() ?? null;
  if (!ctx.rule) {
    return { username: ctx.username, how: name ? 'kept' : 'none', detail: name ? 'no username rule matches; the username already issued stays' : 'no username rule matches: no username is issued', templates: [] };
  }
  const c = { ...ctx.constraints, maxUsernameLength: Math.min(ctx.constraints.maxUsernameLength, ctx.rule.maxLength) };
  const reserved = new Set([...ALWAYS_RESERVED, ...ctx.reserved.map((r) => r.toLowerCase())]);
  const unmanaged = new Set(ctx.unmanaged.filter((a) => a.anchor === null).map((a) => a.username.toLowerCase()));
  const templates: TemplateTrial[] = ctx.rule.templates.map((t) => {
    const output = baseOf(t, ctx.values, c);
    const trial = (verdict: TemplateVerdict, detail?: string): TemplateTrial => ({ template: t.text, output, verdict, ...(detail ? { detail } : {}) });
    if (output === null) return trial('empty', 'empty or shorter than 2 characters after transliteration');
    if (output === name) return trial('chosen');
    if (reserved.has(output)) return trial('reserved', 'in the reserved list');
    const reg = issuedEntry(ctx.state.registry, output);
    if (reg && reg.anchor !== ctx.anchor) return trial('issued-before', `issued on ${reg.issued_at.slice(0, 10)} to another person; usernames are never re-issued`);
    if (ctx.others.has(output)) return trial('taken', 'given to another person in this plan (people are named in sourcedId order)');
    if (unmanaged.has(output)) return trial('taken-unmanaged', 'held by an account rollcall does not manage');
    return trial('not-needed');
  });

  if (name === null) return { username: null, how: 'none', detail: 'no username: the person gets no account now', templates };
  const held = ctx.state.people[ctx.anchor]?.username?.toLowerCase();
  if (held === name) {
    const reg = issuedEntry(ctx.state.registry, name);
    const still = isRuleOutput(name, ctx.rule.templates, ctx.values, c);
    const since = reg ? ` since ${reg.issued_at.slice(0, 10)}` : '';
    return { username: ctx.username, how: 'kept', detail: `already issued to this person${since}; kept${still ? '' : ` although the rule now gives another name (renames: ${ctx.renames})`}`, templates };
  }
  const reg = issuedEntry(ctx.state.registry, name);
  if (reg?.anchor === ctx.anchor) {
    return { username: ctx.username, how: 'restored', detail: `issued to this person on ${reg.issued_at.slice(0, 10)} (registry): the same name is restored, never a new one`, templates };
  }
  if (templates.some((t) => t.verdict === 'chosen')) return { username: ctx.username, how: 'issued', detail: 'the first free template output', templates };
  // Numbered: the first usable, non-reserved base, cut to fit, plus digits.
  const base = templates.find((t) => t.output !== null && t.verdict !== 'reserved')?.output ?? templates.find((t) => t.output !== null)?.output;
  const { minDigits, start } = ctx.rule.collision;
  if (base) {
    // The base may end in digits itself (`jsmith29` + `2`): try each split of the trailing digits.
    const digits = /\d*$/.exec(name)?.[0].length ?? 0;
    for (let j = 1; j <= digits; j++) {
      const suffix = name.slice(name.length - j);
      if (cutBase(base, j, c.maxUsernameLength) === name.slice(0, name.length - j)) {
        return { username: ctx.username, how: 'numbered', detail: `every template output was unavailable: ${base} numbered (collision: number, minDigits ${minDigits}, start ${start})`, templates, collision: { base, suffix, minDigits, start } };
      }
    }
  }
  return { username: ctx.username, how: 'kept', detail: 'held by this person\'s existing account', templates };
}
