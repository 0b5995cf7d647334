/** RFC 8288 `Link` header -> rel -> URL (first of each rel), e.g. `<...?offset=200>; rel="next"`. */
export function parseLinkHeader(value: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!value) return out;
  const re = /<([^>]*)>((?:\s*;\s*[^;,]+)*)/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2] ?? '');
    if (!rel) continue;
    for (const r of rel[1]!.trim().split(/\s+/)) if (!out.has(r.toLowerCase())) out.set(r.toLowerCase(), m[1]!);
  }
  return out;
}
