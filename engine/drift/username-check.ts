import type { Policy } from '../model/policy.js';
import type { TargetConstraints } from '../model/provider.js';
import { issuedEntry, type StateDocument } from '../model/state.js';
import { ALWAYS_RESERVED, normalizeUsername } from '../resolve/naming/constraints.js';

/**
 * Why a managed account's username is out of policy, or [] when it is fine. Policy allows
 * exactly the username the registry issued to this anchor, and only if it still meets the
 * merged constraints of every target (the same rules rollcall issues names under). The
 * messages name no one: they describe the rule broken, not the name.
 */
export function usernameProblems(username: string, anchor: string, state: StateDocument, policy: Policy, constraints: TargetConstraints): string[] {
  const problems: string[] = [];
  const key = username.toLowerCase();
  const entry = issuedEntry(state.registry, key);
  if (!entry) problems.push('not a username rollcall issued');
  else if (entry.anchor !== anchor) problems.push('a username rollcall issued to another person');
  const remembered = state.people[anchor]?.username;
  if (entry?.anchor === anchor && remembered && remembered !== username) problems.push('not the username rollcall holds for this person (a former one)');
  if (normalizeUsername(username, constraints) !== username) problems.push(`breaks the naming constraints: ${constraintBreaks(username, constraints).join(', ')}`);
  if (policy.naming.reserved.some((r) => r.toLowerCase() === key) || ALWAYS_RESERVED.includes(key)) problems.push('a reserved name');
  return problems;
}

/** Which of the merged target constraints a username breaks, in words (never the name itself). */
function constraintBreaks(username: string, c: TargetConstraints): string[] {
  const out: string[] = [];
  if (username !== username.toLowerCase()) out.push('upper-case letters');
  if (/\s/.test(username)) out.push('spaces');
  const rest = username.toLowerCase().replace(/\s/g, '');
  if (normalizeUsername(rest, { ...c, maxUsernameLength: Number.MAX_SAFE_INTEGER, dotEdgesAllowed: true }).length !== rest.replace(/^-+/, '').length) out.push('characters no target allows');
  if (!c.dotEdgesAllowed && /^\.|\.$/.test(username)) out.push('a leading or trailing dot');
  if (username.length > c.maxUsernameLength) out.push(`longer than ${c.maxUsernameLength} characters`);
  return out.length > 0 ? out : ['not in the form rollcall issues'];
}
