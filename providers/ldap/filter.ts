/**
 * RFC 4515 search filters. Every value that reaches a filter is escaped here, so a name such as
 * `*)(uid=*` matches only itself.
 */

/**
 * Escape a filter assertion value (RFC 4515): `*`, `(`, `)`, `\`, NUL and other controls become
 * `\XX`. Only ASCII specials and controls are hex-escaped; other text,
 * including non-Latin scripts, stays literal. That matters with ldapts, whose string filter
 * parser turns each `\XX` into one UTF-16 code unit: a hex-escaped UTF-8 sequence would be
 * mangled. Binary values (Buffers) belong in a Filter object, not a string (see profile.ts).
 */
export function escapeFilterValue(value: string | Buffer): string {
  if (Buffer.isBuffer(value)) {
    return [...value].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');
  }
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '*' || ch === '(' || ch === ')' || ch === '\\' || code < 0x20 || code === 0x7f) {
      out += '\\' + code.toString(16).padStart(2, '0');
    } else {
      out += ch;
    }
  }
  return out;
}

/** Attribute names are never user data, but check them so a bad setting cannot inject either. */
function attr(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(name)) throw new Error(`invalid LDAP attribute name: ${JSON.stringify(name)}`);
  return name;
}

export function eq(attribute: string, value: string | Buffer): string {
  return `(${attr(attribute)}=${escapeFilterValue(value)})`;
}

export function present(attribute: string): string {
  return `(${attr(attribute)}=*)`;
}

export function and(...filters: string[]): string {
  return filters.length === 1 ? (filters[0] as string) : `(&${filters.join('')})`;
}

export function or(...filters: string[]): string {
  return filters.length === 1 ? (filters[0] as string) : `(|${filters.join('')})`;
}
