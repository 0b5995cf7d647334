/**
 * The small glob dialect allow-list selectors use: `*` matches within one path segment,
 * `**` across segments, `?` one character; everything else is literal. Case-sensitive, like
 * the directories' own names. Compiled once per entry; no dependency, because the dialect
 * must stay exactly what the schema documents.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] ?? '';
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        // `a/**` also matches `a` itself; `**/b` also matches `b`.
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else if (ch === '/' && glob.slice(i + 1) === '**') {
      re += '(?:/.*)?';
      break;
    } else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
