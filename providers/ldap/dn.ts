/**
 * RFC 4514 distinguished names, written here rather than trusted to a library, because every
 * DN rollcall writes is built from SIS data (names) and a hostile value must never change which
 * entry is written.
 *
 * Escaping always uses the `\XX` hex form for special characters (never `\,`). Besides being
 * valid RFC 4514, it keeps DNs safe for ldapts' modifyDN, which finds the new RDN by splitting
 * at the first comma not preceded by a backslash.
 */

export interface Rdn {
  type: string;
  value: string;
}

/** Characters RFC 4514 requires to be escaped anywhere in a value, plus `=` for caution. */
const SPECIAL = new Set(['"', '+', ',', ';', '<', '>', '\\', '=']);

function hex(ch: string): string {
  return '\\' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
}

/** Escape one attribute value for use in a DN (RFC 4514 section 2.4). */
export function escapeDnValue(value: string): string {
  let out = '';
  const chars = [...value];
  chars.forEach((ch, i) => {
    const code = ch.codePointAt(0) ?? 0;
    if (SPECIAL.has(ch) || code < 0x20 || code === 0x7f) out += hex(ch);
    else if (i === 0 && (ch === '#' || ch === ' ')) out += hex(ch);
    else if (i === chars.length - 1 && ch === ' ') out += hex(ch);
    else out += ch;
  });
  return out;
}

export function rdn(type: string, value: string): string {
  return `${type}=${escapeDnValue(value)}`;
}

/** Join RDN strings (already escaped) and an escaped parent DN; empty parts are dropped. */
export function joinDn(...parts: string[]): string {
  return parts.filter((p) => p.length > 0).join(',');
}

/**
 * Parse a DN string into RDNs with unescaped values (both `\,` and `\2C` forms). In a
 * multi-valued RDN (`a=1+b=2`) only the first pair is kept, which is enough for the entries
 * rollcall reads. Unescaped leading/trailing spaces are dropped (RFC 4514 section 3).
 * Throws on malformed input.
 */
export function parseDn(dn: string): Rdn[] {
  const rdns: Rdn[] = [];
  const n = dn.length;
  let i = 0;
  if (dn.trim() === '') return rdns;
  while (i < n) {
    while (i < n && dn[i] === ' ') i++;
    const eqAt = dn.indexOf('=', i);
    if (eqAt < 0) throw new Error('malformed DN (no "=")');
    const type = dn.slice(i, eqAt).trim();
    if (!/^([A-Za-z][A-Za-z0-9-]*|[0-9]+(\.[0-9]+)*)$/.test(type)) throw new Error('malformed DN attribute type');
    i = eqAt + 1;
    while (i < n && dn[i] === ' ') i++;
    const bytes: number[] = [];
    let significant = 0; // bytes up to the last char that is not an unescaped space
    let skipping = false; // inside the 2nd+ pair of a multi-valued RDN
    while (i < n) {
      const ch = dn[i] as string;
      if (ch === '\\') {
        const pair = dn.slice(i + 1, i + 3);
        if (/^[0-9A-Fa-f]{2}$/.test(pair)) {
          if (!skipping) bytes.push(parseInt(pair, 16));
          i += 3;
        } else if (i + 1 < n) {
          const cp = String.fromCodePoint(dn.codePointAt(i + 1) ?? 0);
          if (!skipping) bytes.push(...Buffer.from(cp, 'utf8'));
          i += 1 + cp.length;
        } else {
          throw new Error('malformed DN (trailing backslash)');
        }
        if (!skipping) significant = bytes.length;
        continue;
      }
      if (ch === ',' || ch === ';') {
        i++;
        break;
      }
      if (ch === '+') {
        skipping = true;
        i++;
        continue;
      }
      const cp = String.fromCodePoint(dn.codePointAt(i) ?? 0);
      if (!skipping) {
        bytes.push(...Buffer.from(cp, 'utf8'));
        if (ch !== ' ') significant = bytes.length;
      }
      i += cp.length;
    }
    rdns.push({ type, value: Buffer.from(bytes.slice(0, significant)).toString('utf8') });
  }
  return rdns;
}

/** Serialize RDNs back to a DN string with rollcall's escaping. */
export function formatDn(rdns: readonly Rdn[]): string {
  return rdns.map((r) => rdn(r.type, r.value)).join(',');
}

/**
 * A canonical form for comparing DNs: attribute types lower-cased, values unescaped,
 * lower-cased (LDAP names in AD and in the schemas rollcall uses compare case-insensitively)
 * and re-escaped.
 */
export function normalizeDn(dn: string): string {
  return parseDn(dn).map((r) => `${r.type.toLowerCase()}=${escapeDnValue(r.value.toLowerCase())}`).join(',');
}

/** Whether `dn` is `ancestor` or lies below it. */
export function isWithin(dn: string, ancestor: string): boolean {
  const d = normalizeDn(dn);
  const a = normalizeDn(ancestor);
  return a === '' || d === a || d.endsWith(',' + a);
}

/** The parent DN of `dn` (everything after the first RDN), in rollcall's escaping. */
export function parentDn(dn: string): string {
  return formatDn(parseDn(dn).slice(1));
}
