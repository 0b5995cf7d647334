/**
 * Grade levels to CEDS codes (`IT`, `PR`, `PK`, `TK`, `KG`, `01`..`13`, `PS`, `UG`, `Other`).
 * The OneRoster 1.2 spec leaves the vocabulary to the implementation guide, so US exports
 * write local variants: `K`, `1`, `9th`, `Grade 3`, `Pre-K`. Unknown values are returned as
 * undefined so the caller can warn and keep the raw value.
 */

const NAMED: Readonly<Record<string, string>> = {
  it: 'IT', infant: 'IT', infanttoddler: 'IT',
  pr: 'PR', preschool: 'PR', ps3: 'PR',
  pk: 'PK', prek: 'PK', prekindergarten: 'PK', p: 'PK',
  tk: 'TK', transitionalkindergarten: 'TK', transitionalk: 'TK',
  k: 'KG', kg: 'KG', kindergarten: 'KG', kinder: 'KG', kindergarden: 'KG',
  ps: 'PS', postsecondary: 'PS',
  ug: 'UG', ungraded: 'UG',
  other: 'Other',
};

export function normalizeGrade(raw: string): string | undefined {
  const v = raw.trim().toLowerCase().replace(/[\s._-]+/g, '');
  if (v === '') return undefined;
  const named = NAMED[v];
  if (named) return named;
  const m = /^(?:grade|gr|g|year|y)?0*(\d{1,2})(?:st|nd|rd|th)?(?:grade)?$/.exec(v);
  if (m) {
    const n = +m[1]!;
    if (n === 0) return 'KG';
    if (n >= 1 && n <= 13) return String(n).padStart(2, '0');
  }
  return undefined;
}
