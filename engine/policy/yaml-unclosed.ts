/**
 * yaml notices an unclosed flow collection (`when: { role: student` with no `}`) only where
 * the next line starts, and says so there. The mistake is the opening bracket; find it so the
 * diagnostic points where the fix goes. Tracks quotes and `#` comments; a heuristic, used only
 * for yaml's "must ... end with a }/]" errors.
 */
export function unclosedOpener(text: string, until: number): number | null {
  const stack: number[] = [];
  let quote: string | null = null;
  for (let i = 0; i < until && i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
      else if (ch === '\n' && stack.length === 0) quote = null;
      continue;
    }
    if (ch === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      const nl = text.indexOf('\n', i);
      if (nl === -1 || nl >= until) break;
      i = nl - 1;
      continue;
    }
    if ((ch === '"' || ch === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1] ?? ''))) quote = ch;
    else if (ch === '{' || ch === '[') stack.push(i);
    else if ((ch === '}' || ch === ']') && stack.length) stack.pop();
  }
  return stack.length ? (stack[stack.length - 1] ?? null) : null;
}
