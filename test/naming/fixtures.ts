import type { RuleOrigin, Template, UsernameRule } from '../../engine/model/policy.js';
import { compileTemplate, PERSON_FIELDS } from '../../engine/resolve/naming/template.js';

/**
 * Strings copied from public name corpora (faker-ruby locales, sigpwned popular names,
 * i18nguy examples) and the Big List of Naughty Strings, so the tests do not need them.
 * Each pair: [input, the ASCII a person would expect].
 */
export const SCRIPT_SAMPLES: readonly (readonly [string, string])[] = [
  // Cyrillic (ru, uk, bg; soft/hard signs must not leave apostrophes)
  ['Александр', 'Aleksandr'],
  ['Альберт', 'Albert'],
  ['Михаил Горбачёв', 'Mikhail Gorbachev'],
  ['Смирно́в', 'Smirnov'],
  ['Александър', 'Aleksandr'],
  ['Хуршида Ғуломова', 'Khurshida Ghulomova'],
  // Arabic and Persian (consonantal; the ayn must not leave a backtick)
  ['خالد', 'khld'],
  ['عبدالصّمد', 'bdlsmd'],
  ['آبتین', 'abtyn'],
  // Hebrew (aleph must not leave an apostrophe)
  ['אביגיל', 'vygyl'],
  // Hangul
  ['김민준', 'GimMinJun'],
  ['서연', 'SeoYeon'],
  ['이설희', 'ISeolHui'],
  // Thai
  ['สมชาย', 'smchay'],
  ['สิริกิติ์', 'sirikiti'],
  // Greek, modern and polytonic
  ['Αλέξανδρος', 'Alexandros'],
  ['Γιώργος Νταλάρας', 'Giorgos Ntalaras'],
  ['Κρητικός', 'Kritikos'],
  // Vietnamese
  ['Nguyễn Thị Minh Khai', 'Nguyen Thi Minh Khai'],
  ['Đặng', 'Dang'],
  ['Trần', 'Tran'],
  // Han, Armenian, Georgian, Turkish, Azeri
  ['王菲', 'WangFei'],
  ['博文', 'BoWen'],
  ['Գրիգորյան', 'Grigoryan'],
  ['ბერიძე', 'beridze'],
  ['Yiğit', 'Yigit'],
  ['Heydər Əliyev', 'Heyder Eliyev'],
  // Latin with diacritics, ligatures, macrons
  ['Antonín Dvořák', 'Antonin Dvorak'],
  ['Søren Hauch-Fausbøll', 'Soren Hauch-Fausboll'],
  ['Björk Guðmundsdóttir', 'Bjork Gudmundsdottir'],
  ['Pūblius Cornēlius Scīpiō', 'Publius Cornelius Scipio'],
  ['Sinéad O’Connor', 'Sinead OConnor'],
  ['Johann Strauß', 'Johann Strauss'],
];

/** Hostile strings: LDAP/DN injection, path tricks, controls, bidi, emoji, Zalgo, prototype keys. */
export const HOSTILE: readonly string[] = [
  '*)(uid=*',
  '*)(|(objectClass=*))',
  'Smith,OU=Admins',
  'CN=Administrator,CN=Users,DC=corp,DC=example',
  '#',
  '\\',
  '\u0000',
  'a\u0000b',
  '\r\n',
  '\t',
  '😀',
  '🐵 🙈 🙉 🙊',
  '❤️ 💔',
  '👩🏽‍💻',
  '\u202Egnp.exe',
  'abc\u200Bdef',
  '\u200F\u200E',
  '\uFEFF',
  'مرحبا\u202Bعالم',
  "'; DROP TABLE users;--",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '..',
  '.',
  '.hidden.',
  '-rf',
  '--help',
  '${jndi:ldap://127.0.0.1/a}',
  '%s%s%n',
  'Ṱ̺̺̕o͞ ̷i̲̬͇̪͙n̝̗͕v̟̜̘̦͟o̶̙̰̠kè͚̮̺̪̹̱̤ ̖t̝͕̳̣̻̪͞h̼͓̲̦̳̘̲e͇̣̰̦̬͎ ̢̼̻̱̘h͚͎͙̜̣̲ͅi̦̲̣̰̤v̻͍e̺̭̳̪̰-m̢iͅn̖̺̞̲̯̰d̵̼̟͙̩̼̘̳ ̞̥̱̳̭r̛̗̘e͙p͠r̼̞̻̭̗e̺̠̣͟s̘͇̳͍̝͉e͉̥̯̞̲͚̬͜ǹ̬͎͎̟̖͇̤t͍̬̤͓̼̭͘ͅi̪̱n͠g̴͉ ͏͉ͅc̬̟h͡a̫̻̯͘o̫̟̖͍̙̝͉s̗̦̲.̨̹͈̣',
  '𠜎𠜱𠝹𠱓𠱸𠲖𠳏',
  '１２３',
  'COM3',
  'con',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'x'.repeat(300),
  '\uD800',
  ' ',
  '',
];

export const origin = (id: string, line?: number, column?: number): RuleOrigin =>
  line === undefined ? { id } : { id, source: { file: 'policy/naming.yaml', line, ...(column === undefined ? {} : { column }) } };

export function tpl(text: string, fields: readonly string[] = PERSON_FIELDS): Template {
  const { template, diagnostics } = compileTemplate(text, origin('test'), fields);
  if (!template) throw new Error(`fixture template does not compile: ${diagnostics.map((d) => d.summary).join('; ')}`);
  return template;
}

export function rule(id: string, templates: string[], opts: { maxLength?: number; minDigits?: number; start?: number } = {}): UsernameRule {
  return {
    origin: origin(id, 7, 7),
    when: {},
    templates: templates.map((t) => tpl(t)),
    collision: { strategy: 'number', minDigits: opts.minDigits ?? 1, start: opts.start ?? 2 },
    maxLength: opts.maxLength ?? 20,
  };
}

/** The example district's student rule. */
export const STUDENT_RULE = rule('students', [
  '{preferredGiven|first:1}{family}{gradYear|last:2}',
  '{preferredGiven|first:2}{family}{gradYear|last:2}',
  's{identifier}',
]);
