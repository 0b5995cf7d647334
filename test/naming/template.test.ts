import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLASS_FIELDS,
  compileTemplate,
  FILTERS,
  PERSON_FIELDS,
  renderTemplate,
  type TemplateValues,
} from '../../engine/resolve/naming/template.js';
import { origin, tpl } from './fixtures.js';

const person: TemplateValues = {
  given: 'Zoë',
  family: 'Nguyễn-Smith',
  middle: 'Anne Marie',
  preferredGiven: '',
  preferredFamily: '',
  middleInitial: 'A',
  identifier: '4217',
  sourcedId: 'u-0001',
  sisUsername: 'znguyen',
  grade: '09',
  gradYear: '2030',
  school: 'MHS',
  role: 'student',
};

const render = (text: string, values: TemplateValues = person): string => renderTemplate(tpl(text), values);

describe('field lists', () => {
  it('exports the documented fields and filters', () => {
    expect(PERSON_FIELDS).toEqual([
      'given', 'family', 'middle', 'preferredGiven', 'preferredFamily', 'middleInitial',
      'identifier', 'sourcedId', 'sisUsername', 'grade', 'gradYear', 'school', 'role',
    ]);
    expect(CLASS_FIELDS).toEqual(['class.code', 'class.title', 'class.sourcedId', 'class.school']);
    expect([...FILTERS].sort()).toEqual(['alnum', 'default', 'first', 'initials', 'last', 'lower', 'pad', 'translit', 'upper']);
  });
});

describe('filters', () => {
  it.each([
    ['{given|first:1}', 'Z'],
    ['{given|first:2}', 'Zo'],
    ['{given|first:10}', 'Zoë'],
    ['{gradYear|last:2}', '30'],
    ['{gradYear|last:9}', '2030'],
    ['{family|translit}', 'Nguyen-Smith'],
    ['{given|lower}', 'zoë'],
    ['{given|upper}', 'ZOË'],
    ['{family|alnum}', 'NguyễnSmith'],
    ['{middle|initials}', 'AM'],
    ['{family|initials}', 'NS'],
    ['{identifier|pad:6}', '004217'],
    ['{identifier|pad:6:x}', 'xx4217'],
    ['{identifier|pad:3}', '4217'],
    ['{preferredGiven|default:none}', 'Zoë'], // falls back to given first
    ['{sisUsername|default:none}', 'znguyen'],
    ['{family|translit|alnum|lower|first:6}', 'nguyen'],
    ['{given|translit|upper}{gradYear|last:2}', 'ZOE30'],
  ])('%s -> %s', (text, expected) => {
    expect(render(text)).toBe(expected);
  });

  it('default applies only to an empty (or blank) value', () => {
    expect(render('{sisUsername|default:none}', { ...person, sisUsername: '' })).toBe('none');
    expect(render('{sisUsername|default:none}', { ...person, sisUsername: '  ' })).toBe('none');
  });

  it('counts characters as people see them (NFC code points), including astral ones', () => {
    expect(render('{given|first:3}', { ...person, given: 'Zoe\u0308y' })).toBe('Zoë');
    expect(render('{given|first:1}', { ...person, given: '𠜎𠜱' })).toBe('𠜎');
    expect(render('{given|last:1}', { ...person, given: '𠜎𠜱' })).toBe('𠜱');
    expect(render('{given|pad:3:-}', { ...person, given: '𠜎' })).toBe('--𠜎');
  });

  it('initials split on spaces, hyphens and dots', () => {
    expect(render('{given|initials}', { ...person, given: 'Mary-Kate  van Dyke' })).toBe('MKvD');
    expect(render('{given|initials}', { ...person, given: 'J.R.R.' })).toBe('JRR');
  });
});

describe('fields', () => {
  it('preferred names fall back to legal names when empty, and win when set', () => {
    expect(render('{preferredGiven} {preferredFamily}')).toBe('Zoë Nguyễn-Smith');
    expect(render('{preferredGiven} {preferredFamily}', { ...person, preferredGiven: 'Zed', preferredFamily: 'Ng' })).toBe('Zed Ng');
  });

  it('middleInitial falls back to the first letter of middle', () => {
    expect(render('{middleInitial}', { ...person, middleInitial: '' })).toBe('A');
  });

  it('a missing value renders empty', () => {
    expect(render('{given}{school}', { given: 'Kim' })).toBe('Kim');
  });

  it('class fields and extra fields such as username are allowed when the caller lists them', () => {
    const t = compileTemplate('{class.code|lower}-{class.school}', origin('g'), CLASS_FIELDS).template;
    expect(t).not.toBeNull();
    if (t) expect(renderTemplate(t, { 'class.code': 'MATH-7', 'class.school': 'MHS' })).toBe('math-7-MHS');
    const e = compileTemplate('{username}@x.example', origin('e'), [...PERSON_FIELDS, 'username']).template;
    if (e) expect(renderTemplate(e, { username: 'zn30' })).toBe('zn30@x.example');
    expect(e).not.toBeNull();
  });

  it('does not read inherited object properties as fields', () => {
    const t = compileTemplate('{constructor}', origin('x'), ['constructor']).template;
    expect(t).not.toBeNull();
    if (t) expect(renderTemplate(t, {})).toBe('');
  });
});

describe('literal text and escapes', () => {
  it('keeps literal text and turns {{ }} into braces', () => {
    expect(render('s{identifier}')).toBe('s4217');
    expect(render('{given}.{family|translit}')).toBe('Zoë.Nguyen-Smith');
    expect(render('{{{given|first:1}}}')).toBe('{Z}');
    expect(render('a{{b}}c')).toBe('a{b}c');
  });

  it('compiles to parts the model describes', () => {
    const t = tpl('x{given|first:1|lower}{{');
    expect(t.parts).toEqual([
      { kind: 'literal', value: 'x' },
      { kind: 'field', field: 'given', filters: [{ name: 'first', args: ['1'] }, { name: 'lower', args: [] }] },
      { kind: 'literal', value: '{' },
    ]);
    expect(t.text).toBe('x{given|first:1|lower}{{');
  });

  it('allows spaces around names inside braces', () => {
    expect(render('{ given | first:1 }')).toBe('Z');
  });
});

describe('compile errors', () => {
  // The template starts at column 10 of line 4; every error points at its token.
  const at = origin('naming.usernames[0]', 4, 10);
  const compile = (text: string, quoteOffset = 0) => compileTemplate(text, at, PERSON_FIELDS, quoteOffset);

  it('unknown field: exact column, a suggestion and the valid list', () => {
    const { template, diagnostics } = compile('{given|first:1}{famly}');
    expect(template).toBeNull();
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0];
    expect(d?.code).toBe('policy.template');
    expect(d?.severity).toBe('error');
    expect(d?.source).toEqual({ file: 'policy/naming.yaml', line: 4, column: 10 + 16 });
    expect(d?.summary).toContain('"famly"');
    expect(d?.summary).toContain('Did you mean "family"?');
    expect(d?.summary).toContain(PERSON_FIELDS.join(', '));
  });

  it('a quoted scalar shifts columns by one', () => {
    const d = compile('{famly}', 1).diagnostics[0];
    expect(d?.source?.column).toBe(10 + 1 + 1);
  });

  it('unknown filter: points at the filter name and suggests', () => {
    const d = compile('{given|lowr}').diagnostics[0];
    expect(d?.source?.column).toBe(10 + 7);
    expect(d?.summary).toContain('Unknown filter "lowr"');
    expect(d?.summary).toContain('Did you mean "lower"?');
    expect(d?.summary).toContain('pad:N[:char]');
  });

  it.each([
    ['{Given}', 'given'],
    ['{grad_year}', 'gradYear'],
    ['{preferred}', 'preferredGiven'],
    ['{given|frist:1}', 'first'],
    ['{given|translate}', 'translit'],
  ])('suggests for %s: %s', (text, near) => {
    expect(compile(text).diagnostics[0]?.summary).toContain(`Did you mean "${near}"?`);
  });

  it('explains that filters follow a bar when a colon is used instead', () => {
    const d = compile('{given:1}').diagnostics[0];
    expect(d?.source?.column).toBe(11);
    expect(d?.summary).toContain('filters follow a "|"');
  });

  it('no suggestion for a name far from every valid one', () => {
    const d = compile('{zzzzzzzzzz}').diagnostics[0];
    expect(d?.summary).not.toContain('Did you mean');
    expect(d?.summary).toContain('Valid fields:');
  });

  it.each([
    ['{given|first}', 7, 'takes 1 argument (first:N) but was given 0'],
    ['{given|last:1:2}', 7, 'takes 1 argument (last:N) but was given 2'],
    ['{given|lower:1}', 7, 'takes 0 arguments (lower) but was given 1'],
    ['{given|pad}', 7, 'takes 1 to 2 arguments (pad:N[:char]) but was given 0'],
    ['{given|pad:1:2:3}', 7, 'takes 1 to 2 arguments'],
    ['{given|default}', 7, 'takes 1 argument (default:value)'],
  ])('wrong arity %s at offset %i', (text, offset, message) => {
    const d = compile(text).diagnostics[0];
    expect(d?.source?.column).toBe(10 + offset);
    expect(d?.summary).toContain(message);
  });

  it.each([
    ['{given|first:x}', 13, 'first:N: N must be a whole number'],
    ['{given|first:0}', 13, 'from 1 to'],
    ['{given|last:-2}', 12, 'last:N: N must be'],
    ['{identifier|pad:6:ab}', 18, 'char must be exactly one character'],
  ])('bad argument %s at offset %i', (text, offset, message) => {
    const d = compile(text).diagnostics[0];
    expect(d?.source?.column).toBe(10 + offset);
    expect(d?.summary).toContain(message);
  });

  it.each([
    ['{given', 0, 'Unclosed "{"'],
    ['ab{given|first:1', 2, 'Unclosed "{"'],
    ['given}', 5, 'Unmatched "}"'],
    ['{given{family}', 6, 'Unexpected "{"'],
    ['{}', 0, 'Empty field'],
    ['{given|}', 6, 'Empty filter'],
    ['', 0, 'Template is empty'],
  ])('syntax error %s at offset %i', (text, offset, message) => {
    const { template, diagnostics } = compile(text);
    expect(template).toBeNull();
    expect(diagnostics[0]?.source?.column).toBe(10 + offset);
    expect(diagnostics[0]?.summary).toContain(message);
  });

  it('reports every mistake in one template, in order', () => {
    const { diagnostics } = compile('{gven}{family|uper}{grade|first:z}');
    expect(diagnostics.map((d) => d.source?.column)).toEqual([11, 10 + 14, 10 + 32]);
  });

  it('points at the caret in the detail and names the rule', () => {
    const d = compile('{famly}').diagnostics[0];
    expect(d?.detail).toBe('{famly}\n ^ (naming.usernames[0])');
  });

  it('without a line and column it keeps the file, and without a source it has none', () => {
    const noCol = compileTemplate('{x}', { id: 'r', source: { file: 'rollcall.yaml' } }, PERSON_FIELDS).diagnostics[0];
    expect(noCol?.source).toEqual({ file: 'rollcall.yaml' });
    const none = compileTemplate('{x}', { id: 'r' }, PERSON_FIELDS).diagnostics[0];
    expect(none?.source).toBeUndefined();
  });

  it('rejects class fields where only person fields are allowed', () => {
    expect(compile('{class.code}').diagnostics[0]?.summary).toContain('Unknown field "class.code"');
  });
});

describe('arguments', () => {
  it('pad takes a space as its character, and arguments are trimmed otherwise', () => {
    expect(render('{identifier|pad:6: }')).toBe('  4217');
    expect(render('{sisUsername|default: none }', { ...person, sisUsername: '' })).toBe('none');
  });

  it('points past leading spaces at a bad argument', () => {
    const d = compileTemplate('{given|first:  x}', origin('r', 2, 3), PERSON_FIELDS).diagnostics[0];
    expect(d?.source?.column).toBe(3 + 15);
  });
});

describe('compileTemplate on arbitrary text', () => {
  it('never throws; errors point inside the template; valid templates render', () => {
    const pieces = fc.constantFrom('{', '}', '{{', '}}', '|', ':', 'given', 'famly', 'first', '1', 'pad', 'x', ' ', 'é', '😀');
    const textArb = fc.oneof(fc.string({ maxLength: 30 }), fc.array(pieces, { maxLength: 12 }).map((a) => a.join('')));
    fc.assert(
      fc.property(textArb, (text) => {
        const { template, diagnostics } = compileTemplate(text, origin('r', 1, 1), PERSON_FIELDS);
        expect(template === null).toBe(diagnostics.length > 0);
        for (const d of diagnostics) {
          expect(d.code).toBe('policy.template');
          expect(d.source?.column).toBeGreaterThanOrEqual(1);
          expect(d.source?.column).toBeLessThanOrEqual(Math.max(1, text.length + 1));
        }
        if (template) expect(typeof renderTemplate(template, person)).toBe('string');
      }),
      { numRuns: 3000 },
    );
  });
});
