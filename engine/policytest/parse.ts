import { errorDiag, type Diagnostic, type SourceRange } from '../model/diagnostics.js';
import { schemaFindings } from '../policy/schema-diagnostics.js';
import type { Locator, PathSeg } from '../policy/source-doc.js';
import { parseYamlDoc } from '../policy/yaml-doc.js';
import { validateTestFile } from './schema.js';
import { EXPECT_FIELDS, type ClassFixture, type Expectation, type ExpectedValue, type PersonFixture, type PolicyTestCase, type RememberedFixture } from './types.js';

/**
 * A test file's text -> test cases, or diagnostics with file:line:col. Pure. Schema problems
 * are reported all at once; a file with any is not run, because a half-read fixture would
 * fail for reasons unrelated to the policy.
 */

type Obj = Record<string, unknown>;

const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : d);

/** `9` and `"9"` mean grade 09 (YAML 1.2 reads `09` as the number 9). */
export function normalizeGrade(v: unknown): string {
  const s = str(v);
  return /^\d$/.test(s) ? `0${s}` : s;
}

/** A date alone means noon UTC, as `rollcall plan --now` reads it. */
export function normalizeNow(s: string): string {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T12:00:00Z` : s).toISOString();
}

export function parseTestFile(file: string, text: string): { cases: PolicyTestCase[]; diagnostics: Diagnostic[] } {
  const doc = parseYamlDoc(file, text);
  const diagnostics: Diagnostic[] = [...doc.diagnostics.filter((d) => d.severity === 'error')];
  if (doc.value === undefined) return { cases: [], diagnostics };
  const errors = validateTestFile(doc.value);
  diagnostics.push(...schemaFindings(errors, doc.locator).diagnostics.map((d) => ({ ...d, code: d.code.replace(/^policy\./, 'policytest.') })));
  if (diagnostics.length > 0) return { cases: [], diagnostics };

  const loc = doc.locator;
  const root = doc.value as Obj;
  const sharedClasses = classesOf(root.classes, ['classes'], loc);
  const cases: PolicyTestCase[] = [];
  (root.tests as Obj[]).forEach((t, i) => {
    const at = (...p: PathSeg[]): SourceRange => loc.value(['tests', i, ...p]);
    const nowText = str(t.now, str(root.now));
    if (!nowText) {
      diagnostics.push(errorDiag('policytest.now', `Test "${str(t.name)}" has no \`now\`: set it on the test or at the top of the file`, { source: loc.key(['tests', i, 'name']) }));
      return;
    }
    const people = ((t.people as Obj[] | undefined) ?? []).map((p, j) => personOf(p, at('people', j)));
    const remembered: Record<string, RememberedFixture> = {};
    for (const [anchor, r] of Object.entries(((t.state as Obj | undefined)?.people as Record<string, Obj> | undefined) ?? {})) {
      remembered[anchor] = rememberedOf(r, at('state', 'people', anchor));
    }
    const expectations: Expectation[] = [];
    for (const [anchor, e] of Object.entries(t.expect as Record<string, Obj>)) {
      for (const field of EXPECT_FIELDS) {
        if (!(field in e)) continue;
        expectations.push({ anchor, field, expected: expectedOf(field, e[field]), source: loc.key(['tests', i, 'expect', anchor, field]) });
      }
    }
    cases.push({
      file,
      name: str(t.name),
      source: loc.key(['tests', i, 'name']),
      now: normalizeNow(nowText),
      schoolYear: typeof t.schoolYear === 'number' ? t.schoolYear : null,
      classes: [...sharedClasses, ...classesOf(t.classes, ['tests', i, 'classes'], loc)],
      people,
      state: { people: remembered, issued: { ...((t.state as Obj | undefined)?.issued as Record<string, string> | undefined) } },
      unmanaged: ((t.unmanaged as unknown[] | undefined) ?? []).map((u) => str(u)),
      expectations,
    });
  });
  return { cases, diagnostics };
}

function classesOf(v: unknown, path: PathSeg[], loc: Locator): ClassFixture[] {
  return ((v as Obj[] | undefined) ?? []).map((c, i) => {
    const code = str(c.code, str(c.id));
    return { id: str(c.id), code, title: str(c.title, code), school: str(c.school), source: loc.value([...path, i]) };
  });
}

function personOf(p: Obj, source: SourceRange): PersonFixture {
  return {
    id: str(p.id),
    given: str(p.given),
    family: str(p.family),
    middle: str(p.middle),
    preferredGiven: str(p.preferredGiven),
    preferredFamily: str(p.preferredFamily),
    identifier: str(p.identifier, str(p.id)),
    sisUsername: str(p.sisUsername),
    email: str(p.email),
    role: str(p.role, 'student'),
    school: str(p.school),
    grade: normalizeGrade(p.grade),
    ...(typeof p.begin === 'string' ? { begin: p.begin } : {}),
    ...(typeof p.end === 'string' ? { end: p.end } : {}),
    enabledUser: p.enabledUser !== false,
    classes: ((p.classes as unknown[] | undefined) ?? []).map((c) => str(c)),
    source,
  };
}

function rememberedOf(r: Obj, source: SourceRange): RememberedFixture {
  const out: RememberedFixture = { username: str(r.username), source };
  if (r.role !== undefined) out.role = str(r.role);
  if (r.grade !== undefined) out.grade = normalizeGrade(r.grade);
  if (r.school !== undefined) out.school = str(r.school);
  if (r.gradYear !== undefined) out.gradYear = str(r.gradYear);
  for (const k of ['firstSeen', 'missingSince', 'suspendedAt', 'deleteAfter', 'deletedAt'] as const) {
    if (typeof r[k] === 'string') out[k] = r[k];
  }
  return out;
}

function expectedOf(field: string, v: unknown): ExpectedValue {
  if (field === 'groups' || field === 'groupsInclude') return (v as unknown[]).map((g) => str(g));
  if (field === 'lifecycle') {
    if (typeof v === 'string') return v === 'none' ? null : { state: v };
    const o = v as Obj;
    return { state: str(o.state), ...(o.rule !== undefined ? { rule: str(o.rule) } : {}), ...(o.date !== undefined ? { date: str(o.date) } : {}) };
  }
  if (field === 'path' && v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Obj).map(([k, x]) => [k, x === null ? null : str(x)]));
  }
  return v === null ? null : str(v);
}
