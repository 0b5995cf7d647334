import type { Template } from '../../model/policy.js';
import type { TargetConstraints } from '../../model/provider.js';
import { normalizeUsername } from './constraints.js';
import { renderPart, type TemplateValues } from './template.js';
import { toAsciiName } from './transliterate.js';

/**
 * What a username template gives one person, and whether an existing username is such an
 * output (possibly with a collision number), so a name change is told apart from a name
 * that was simply numbered or taken from a later template of the chain.
 */

/** Fields that carry a person's name, as opposed to numbers and codes. */
const NAME_FIELDS: ReadonlySet<string> = new Set(['given', 'family', 'middle', 'preferredGiven', 'preferredFamily', 'middleInitial']);
const HAS_ALNUM = /[A-Za-z0-9]/;

/** Shorter names are too easy to collide with role accounts and too short to read as a person. */
export const MIN_USERNAME_LENGTH = 2;

/** The base cut so `base + k digits` fits, with no dot left dangling before the number. */
export function cutBase(base: string, digits: number, max: number): string {
  let end = Math.min(base.length, max - digits);
  while (end > 0 && base.charCodeAt(end - 1) === 46) end--;
  return end > 0 ? base.slice(0, end) : '';
}

function trailingDigits(s: string): number {
  let k = 0;
  while (k < s.length) {
    const c = s.charCodeAt(s.length - 1 - k);
    if (c < 48 || c > 57) break;
    k++;
  }
  return k;
}

/**
 * One template's output, normalized, or null when unusable: shorter than MIN_USERNAME_LENGTH,
 * or built on name fields that give nothing (an emoji-only name must not become `30` from
 * `{given|first:1}{family}{gradYear|last:2}`).
 */
export function baseOf(t: Template, values: TemplateValues, c: TargetConstraints): string | null {
  // Transliterated part by part: parts repeat across people (the toAsciiName cache hits),
  // whole names mostly do not; the joined ASCII then takes normalizeUsername's fast path.
  let text = '';
  let usesName = false;
  let nameGives = false;
  for (const part of t.parts) {
    const v = toAsciiName(renderPart(part, values));
    text += v;
    if (part.kind === 'field' && NAME_FIELDS.has(part.field)) {
      usesName = true;
      nameGives ||= HAS_ALNUM.test(v);
    }
  }
  if (usesName && !nameGives) return null;
  const b = normalizeUsername(text, c);
  return b.length >= MIN_USERNAME_LENGTH ? b : null;
}

/** Whether lower-case `name` is what one of `templates` gives, possibly with a number appended. */
export function isRuleOutput(name: string, templates: readonly Template[], values: TemplateValues, c: TargetConstraints): boolean {
  const k = trailingDigits(name);
  for (const t of templates) {
    const b = baseOf(t, values, c);
    if (b === null) continue;
    if (b === name) return true;
    for (let j = 1; j <= k; j++) {
      const prefix = name.slice(0, name.length - j);
      if (prefix === b || prefix === cutBase(b, j, c.maxUsernameLength)) return true;
    }
  }
  return false;
}
