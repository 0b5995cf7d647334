/**
 * Dates as exports really write them, normalized to ISO `YYYY-MM-DD`.
 * Accepted: `2026-08-20`, `2026-08-20T13:45:00Z` (and with offsets or a space before the time),
 * `2026/08/20`, `20260820`, `20.08.2026` (day first), and slash dates `8/20/2026` or
 * `20/8/2026`. A slash date whose two parts are both <= 12 is ambiguous; `SlashOrder` learns
 * the order from the first unambiguous date in a column and reports the guesses it had to make.
 */

export type DateParse =
  | { ok: true; iso: string; /** The day/month order had to be guessed. */ ambiguous: boolean }
  | { ok: false };

export type SlashOrder = 'month-first' | 'day-first';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const YMD_SLASH = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const DMY_DOT = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const SLASH = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?$/;

/** Parse one date. `order` decides ambiguous slash dates (default month-first, the US habit). */
export function parseDate(value: string, order: SlashOrder = 'month-first'): DateParse {
  const v = value.trim();
  let m = ISO.exec(v) ?? YMD_SLASH.exec(v) ?? COMPACT.exec(v);
  if (m) return make(+m[1]!, +m[2]!, +m[3]!, false);
  m = DMY_DOT.exec(v);
  if (m) return make(+m[3]!, +m[2]!, +m[1]!, false);
  m = SLASH.exec(v);
  if (m) {
    const a = +m[1]!;
    const b = +m[2]!;
    const y = +m[3]!;
    if (a > 12 && b <= 12) return make(y, b, a, false);
    if (b > 12 && a <= 12) return make(y, a, b, false);
    const ambiguous = a !== b;
    return order === 'day-first' ? make(y, b, a, ambiguous) : make(y, a, b, ambiguous);
  }
  return { ok: false };
}

/** Which order an unambiguous slash date reveals, if any. */
export function slashOrderOf(value: string): SlashOrder | undefined {
  const m = SLASH.exec(value.trim());
  if (!m) return undefined;
  const a = +m[1]!;
  const b = +m[2]!;
  if (a > 12 && b <= 12) return 'day-first';
  if (b > 12 && a <= 12) return 'month-first';
  return undefined;
}

function make(y: number, mo: number, d: number, ambiguous: boolean): DateParse {
  if (mo < 1 || mo > 12 || d < 1 || y < 1900 || y > 2200) return { ok: false };
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > days) return { ok: false };
  return { ok: true, iso: `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`, ambiguous };
}

/**
 * A timestamp as a sortable ISO-8601 UTC string (`dateLastModified`). Date-only values mean
 * midnight UTC. Returns undefined when unreadable.
 */
export function parseDateTime(value: string, order: SlashOrder = 'month-first'): string | undefined {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v)) {
    const withT = v.replace(' ', 'T');
    const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(withT);
    const t = Date.parse(hasZone ? withT : withT + 'Z');
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  const d = parseDate(v, order);
  return d.ok ? `${d.iso}T00:00:00.000Z` : undefined;
}
