/**
 * Deterministic generator of synthetic OneRoster 1.2 CSV bulk file sets (a whole district).
 *
 * Who it is for: the Maplewood example (examples/maplewood/sis, committed), the benchmark
 * (10k / 100k / 1M people) and tests. Same spec => byte-identical files: every random choice
 * comes from a seeded PRNG keyed by (seed, stream, index), never Math.random or the clock, so
 * changing one person's draw does not shift everyone after them.
 *
 * It streams: only the small school/section plan is held in memory; users, roles and
 * enrollments are written row by row through buffered writers that honour backpressure, so
 * 1,000,000 people and millions of enrollments generate in constant memory.
 *
 * CLI (after `npm run build`):
 *   node dist/scripts/generate-district.js --preset maplewood --out examples/maplewood/sis
 *   node dist/scripts/generate-district.js --people 50000 --seed 7 --school-year 2027 --out /tmp/d
 * Presets: maplewood, bench-1k, bench-10k, bench-50k, bench-100k, bench-1m.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mulberry32 } from './prng.js';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export type SchoolLevel = 'elementary' | 'middle' | 'high';

export interface SchoolSpec {
  /** State school code; becomes the org `identifier` that policy rules use. */
  code: string;
  name: string;
  level: SchoolLevel;
}

export interface DistrictSpec {
  /** Exact number of rows in users.csv. */
  people: number;
  seed: number;
  /** Named by its ending year: 2027 is the 2026-27 year. */
  schoolYear: number;
  /** Defaults to ~1 school per 650 people, split elementary/middle/high by grade span. */
  schools?: SchoolSpec[];
  districtName?: string;
  /** Org identifier of the district (default `DIST`). */
  districtCode?: string;
  /** Staff email domain (default `district.k12.example`). */
  domain?: string;
  /** First day of the school year, YYYY-MM-DD (default: third Monday-ish of August, `${schoolYear-1}-08-17`). */
  yearStart?: string;
  /** Last day of the school year (inclusive), YYYY-MM-DD (default `${schoolYear}-06-11`). */
  yearEnd?: string;
  /** Periods a secondary student takes (default 8); 2 of them are semester pairs in high school. */
  secondaryPeriods?: number;
  /**
   * 'year' (default): most secondary courses run all year, one section per student per period.
   * 'semester': every secondary course is a semester course with its own fall and spring
   * sections (a common high-school timetable), doubling secondary enrollments; the bench
   * presets use it to reach ~8 enrollments per person (~8M at 1M people).
   */
  secondaryTerms?: 'year' | 'semester';
}

export interface GenerateResult {
  /** File names written into outDir, sorted. */
  files: string[];
  people: number;
  enrollments: number;
}

export const PRESETS: Record<string, DistrictSpec> = {
  maplewood: {
    people: 2000,
    seed: 20270,
    schoolYear: 2027,
    districtName: 'Maplewood Unified School District',
    districtCode: 'MUSD',
    domain: 'maplewood.k12.example',
    yearStart: '2026-08-17',
    yearEnd: '2027-06-11',
    schools: [
      { code: 'MPE', name: 'Maple Park Elementary', level: 'elementary' },
      { code: 'OHE', name: 'Oak Hollow Elementary', level: 'elementary' },
      { code: 'CMS', name: 'Cedar Middle School', level: 'middle' },
      { code: 'MHS', name: 'Maplewood High School', level: 'high' },
    ],
  },
  'bench-1k': { people: 1_000, seed: 1, schoolYear: 2027, secondaryTerms: 'semester', districtName: 'Bench District 1k', domain: 'bench1k.k12.example' },
  'bench-10k': { people: 10_000, seed: 10, schoolYear: 2027, secondaryTerms: 'semester', districtName: 'Bench District 10k', domain: 'bench10k.k12.example' },
  'bench-50k': { people: 50_000, seed: 50, schoolYear: 2027, secondaryTerms: 'semester', districtName: 'Bench District 50k', domain: 'bench50k.k12.example' },
  'bench-100k': { people: 100_000, seed: 100, schoolYear: 2027, secondaryTerms: 'semester', districtName: 'Bench District 100k', domain: 'bench100k.k12.example' },
  'bench-1m': { people: 1_000_000, seed: 1000, schoolYear: 2027, secondaryTerms: 'semester', districtName: 'Bench District 1M', domain: 'bench1m.k12.example' },
};

/** Exact OneRoster 1.2 CSV headers, in the order the CSV binding's tables define them. */
export const HEADERS = {
  orgs: ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'],
  academicSessions: ['sourcedId', 'status', 'dateLastModified', 'title', 'type', 'startDate', 'endDate', 'parentSourcedId', 'schoolYear'],
  courses: ['sourcedId', 'status', 'dateLastModified', 'schoolYearSourcedId', 'title', 'courseCode', 'grades', 'orgSourcedId', 'subjects', 'subjectCodes'],
  classes: ['sourcedId', 'status', 'dateLastModified', 'title', 'grades', 'courseSourcedId', 'classCode', 'classType', 'location', 'schoolSourcedId', 'termSourcedIds', 'subjects', 'subjectCodes', 'periods'],
  users: ['sourcedId', 'status', 'dateLastModified', 'enabledUser', 'username', 'userIds', 'givenName', 'familyName', 'middleName', 'identifier', 'email', 'sms', 'phone', 'agentSourcedIds', 'grades', 'password', 'userMasterIdentifier', 'resourceSourcedIds', 'preferredGivenName', 'preferredMiddleName', 'preferredFamilyName', 'primaryOrgSourcedId', 'pronouns'],
  roles: ['sourcedId', 'status', 'dateLastModified', 'userSourcedId', 'roleType', 'role', 'beginDate', 'endDate', 'orgSourcedId', 'userProfileSourcedId'],
  enrollments: ['sourcedId', 'status', 'dateLastModified', 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role', 'primary', 'beginDate', 'endDate'],
} as const;

// ---------------------------------------------------------------------------------------------
// Seeded randomness: fmix32 to derive a per-(stream,index) seed, mulberry32 for the draws.
// ---------------------------------------------------------------------------------------------

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mix(seed: number, stream: number, index: number): number {
  return fmix32(fmix32(fmix32(seed ^ 0x9e3779b9) ^ Math.imul(stream, 0x27d4eb2f)) ^ Math.imul(index + 1, 0x165667b1));
}

type Rng = () => number;


const STREAM = { user: 1, uuid: 2, layout: 3, staff: 4 } as const;

function rngFor(seed: number, stream: number, index: number): Rng {
  return mulberry32(mix(seed, stream, index));
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)] as T;
}

/** A weighted list, sampled by binary search over cumulative weights. */
class Weighted<T> {
  private readonly cum: Float64Array;
  constructor(private readonly items: readonly T[], weights: readonly number[]) {
    this.cum = new Float64Array(items.length);
    let c = 0;
    for (let i = 0; i < items.length; i++) this.cum[i] = c += weights[i] ?? 1;
  }
  pick(rng: Rng): T {
    const x = rng() * (this.cum[this.cum.length - 1] ?? 0);
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cum[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}

/** A UUID-shaped id (version 4 bits set) drawn from the seeded stream: stable per index. */
function uuidFor(seed: number, index: number): string {
  const r = rngFor(seed, STREAM.uuid, index);
  const hex = (n: number, len: number) => Math.floor(n).toString(16).padStart(len, '0');
  const a = hex(r() * 2 ** 32, 8);
  const b = hex(r() * 2 ** 16, 4);
  const c = '4' + hex(r() * 2 ** 12, 3);
  const d = hex(0x8000 + r() * 2 ** 14, 4);
  const e = hex(r() * 2 ** 24, 6) + hex(r() * 2 ** 24, 6);
  return `${a}-${b}-${c}-${d}-${e}`;
}

// ---------------------------------------------------------------------------------------------
// Names: a curated, weighted mix. Common US names for the bulk; diacritics, apostrophes,
// hyphens, particles and non-Latin scripts to exercise transliteration; a few very common
// full names and look-alike pairs (José/Jose, Zoë Müller/Zoe Muller) to force username
// collisions. Inspired by sigpwned popular-names-by-country (CC0), faker-ruby locales (MIT)
// and the i18nguy examples; copied here so the script never reads outside the repo.
// ---------------------------------------------------------------------------------------------

interface Culture {
  weight: number;
  female: readonly string[];
  male: readonly string[];
  family: readonly string[];
  /** Middle names drawn from here instead of the given-name lists (e.g. Vietnamese Thị/Văn). */
  middleF?: readonly string[];
  middleM?: readonly string[];
}

const CULTURES: readonly Culture[] = [
  {
    // Common US names (SSA/Census top lists), the majority.
    weight: 52,
    female: ['Olivia', 'Emma', 'Charlotte', 'Amelia', 'Sophia', 'Mia', 'Isabella', 'Ava', 'Evelyn', 'Harper', 'Luna', 'Camila', 'Sofia', 'Scarlett', 'Elizabeth', 'Eleanor', 'Emily', 'Chloe', 'Mila', 'Violet', 'Penelope', 'Gianna', 'Aria', 'Abigail', 'Ella', 'Avery', 'Hazel', 'Nora', 'Layla', 'Lily', 'Madison', 'Katherine', 'Jessica', 'Ashley', 'Sarah', 'Jennifer', 'Imani', 'Aaliyah', 'Zoe', 'Riley'],
    male: ['Liam', 'Noah', 'Oliver', 'James', 'Elijah', 'William', 'Henry', 'Lucas', 'Benjamin', 'Theodore', 'Mateo', 'Levi', 'Sebastian', 'Daniel', 'Jack', 'Michael', 'Alexander', 'Owen', 'Asher', 'Samuel', 'Ethan', 'Joseph', 'John', 'David', 'Jacob', 'Logan', 'Jackson', 'Aiden', 'Christopher', 'Matthew', 'Andrew', 'Joshua', 'Robert', 'Thomas', 'DeShawn', 'Jamal', 'Darnell', 'Tyrone', 'Ryan', 'Nathan'],
    family: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Jackson', 'Martin', 'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Hill', 'Green', 'Adams', 'Baker', 'Nelson', 'Carter', 'Mitchell', 'Roberts', 'Turner', 'Phillips', 'Campbell', 'Parker', 'Evans', 'Edwards', 'Collins', 'Stewart', 'Morris', 'Murphy', 'Cook', 'Rogers', 'Washington', 'Jefferson', 'Van Buren', 'St. John', 'McDonald', 'MacLeod', 'Smith-Jones', 'Harris-Walker'],
  },
  {
    weight: 20, // Hispanic: accents, ñ, particles, two-part surnames.
    female: ['María', 'Sofía', 'Valentina', 'Camila', 'Lucía', 'Ximena', 'Guadalupe', 'Daniela', 'Renée', 'Inés', 'Mariana', 'Ana', 'Itzel', 'Maricela', 'Yesenia'],
    male: ['José', 'Jose', 'Luis', 'Juan', 'Carlos', 'Jesús', 'Ángel', 'Santiago', 'Matías', 'Sebastián', 'Diego', 'Joaquín', 'Iker', 'Emiliano', 'Andrés'],
    family: ['García', 'Garcia', 'Rodríguez', 'Martínez', 'Hernández', 'López', 'González', 'Pérez', 'Sánchez', 'Ramírez', 'Torres', 'Flores', 'Rivera', 'Gómez', 'Díaz', 'Muñoz', 'Peña', 'Ibáñez', 'de la Cruz', 'De León', 'del Río', 'García López', 'Hernández-Ruiz', 'Núñez de Balboa', 'Cruz'],
  },
  {
    weight: 3, // Vietnamese: stacked diacritics (Nguyễn, Trần), Thị/Văn middle names.
    female: ['Linh', 'Lan', 'Ngọc', 'Thảo', 'Hương', 'Trâm', 'Phương', 'Vy'],
    male: ['An', 'Minh', 'Huy', 'Dũng', 'Khoa', 'Phúc', 'Quốc', 'Đức'],
    family: ['Nguyễn', 'Nguyen', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Võ', 'Đặng', 'Bùi'],
    middleF: ['Thị', 'Ngọc', 'Thu'],
    middleM: ['Văn', 'Hữu', 'Đình'],
  },
  {
    weight: 1.5, // Chinese, romanized.
    female: ['Mei', 'Xiaoling', 'Yan', 'Jing', 'Hui'],
    male: ['Wei', 'Jun', 'Hao', 'Zhiwei', 'Yu'],
    family: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhou'],
  },
  {
    weight: 1.5, // Chinese, Han script.
    female: ['秀英', '丽', '静', '敏', '婷'],
    male: ['伟', '强', '磊', '军', '洋'],
    family: ['王', '李', '张', '刘', '陈', '欧阳'],
  },
  {
    weight: 1, // Korean, romanized.
    female: ['Ji-woo', 'Seo-yeon', 'Min-seo', 'Ha-eun'],
    male: ['Min-jun', 'Seo-jun', 'Do-yun', 'Ji-ho'],
    family: ['Kim', 'Lee', 'Park', 'Choi', 'Jung'],
  },
  {
    weight: 1, // Korean, Hangul.
    female: ['서연', '지우', '민서', '하은'],
    male: ['민준', '서준', '도윤', '지호'],
    family: ['김', '이', '박', '최', '정'],
  },
  {
    weight: 1, // Arabic, romanized (with apostrophes and particles).
    female: ['Fatima', 'Aisha', 'Layla', 'Mariam', 'Noor'],
    male: ['Mohammed', 'Ahmed', 'Omar', 'Yusuf', 'Ali'],
    family: ['Al-Sayed', 'Haddad', 'Khalil', "Sa'id", 'Abdullah', 'El Amrani', 'Bin Hamad'],
  },
  {
    weight: 1, // Arabic script.
    female: ['فاطمة', 'عائشة', 'مريم', 'نور'],
    male: ['محمد', 'أحمد', 'عمر', 'يوسف'],
    family: ['الأحمد', 'حداد', 'خليل', 'عبدالله'],
  },
  {
    weight: 1, // Russian/Ukrainian, Cyrillic.
    female: ['Анастасия', 'Мария', 'Дарья', 'Софія', 'Ольга'],
    male: ['Дмитрий', 'Александр', 'Иван', 'Олександр', 'Сергей'],
    family: ['Иванов', 'Смирнова', 'Кузнецов', 'Шевченко', 'Ковальчук'],
  },
  {
    weight: 1, // Russian, romanized.
    female: ['Anastasia', 'Daria', 'Natalya', 'Yelena'],
    male: ['Dmitri', 'Aleksandr', 'Ivan', 'Sergei'],
    family: ['Ivanov', 'Smirnova', 'Kuznetsov', 'Shevchenko', 'Petrov'],
  },
  {
    weight: 2.5, // South Asian, romanized.
    female: ['Priya', 'Ananya', 'Aadhya', 'Diya', 'Saanvi'],
    male: ['Aarav', 'Vihaan', 'Arjun', 'Rohan', 'Ishaan'],
    family: ['Patel', 'Sharma', 'Singh', 'Kumar', 'Reddy', 'Gupta', 'Venkataraman'],
  },
  {
    weight: 1.5, // Polish: Ł, ó, ś, ż.
    female: ['Zofia', 'Małgorzata', 'Agnieszka', 'Łucja'],
    male: ['Łukasz', 'Paweł', 'Wojciech', 'Jakub', 'Bartłomiej'],
    family: ['Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kamiński', 'Łukasiewicz', 'Żak'],
  },
  {
    weight: 1.5, // German: umlauts and ß (Straße-style), plus their ASCII look-alikes.
    female: ['Zoë', 'Jördis', 'Lena', 'Anneliese', 'Käthe'],
    male: ['Jürgen', 'Lukas', 'Björn', 'Matthias', 'Günther'],
    family: ['Müller', 'Muller', 'Mueller', 'Schröder', 'Straße', 'Strauß', 'Weiß', 'Fischer', 'von Bülow', 'Schmidt'],
  },
  {
    weight: 1.5, // Irish/Scottish: apostrophes (ASCII and U+2019), Mc/Mac.
    female: ['Siobhán', 'Niamh', 'Aoife', 'Sinéad', 'Saoirse'],
    male: ['Seán', 'Ciarán', 'Pádraig', 'Eoin', 'Liam'],
    family: ["O'Brien", "O'Connor", 'O\u2019Sullivan', "D'Angelo", 'McCarthy', 'Ó Briain', 'MacAodha'],
  },
  {
    weight: 1, // French: accents and diaeresis.
    female: ['Chloé', 'Zoë', 'Noémie', 'Hélène', 'Anaïs', 'Renée'],
    male: ['François', 'Jérôme', 'Loïc', 'Benoît', 'René'],
    family: ['Lefèvre', 'Dubois', 'Côté', 'Gagné', 'Bélanger', "L'Heureux", 'Saint-Pierre'],
  },
  {
    weight: 0.6, // Nordic and Icelandic: Þ, ð, ø, å, æ.
    female: ['Guðrún', 'Åsa', 'Sigríður', 'Ærin'],
    male: ['Þórður', 'Søren', 'Ólafur', 'Bjørn'],
    family: ['Guðmundsdóttir', 'Jónsson', 'Þorsteinsson', 'Sørensen', 'Ågren', 'Hauch-Fausbøll'],
  },
  {
    weight: 0.6, // Greek script.
    female: ['Γεωργία', 'Ελένη', 'Μαρία'],
    male: ['Γιώργος', 'Νίκος', 'Δημήτρης'],
    family: ['Παπαδόπουλος', 'Οικονόμου', 'Νταλάρας'],
  },
  {
    weight: 0.4, // Thai script (no spaces, combining vowels).
    female: ['สมหญิง', 'มาลี', 'กนกวรรณ'],
    male: ['สมชาย', 'ประเสริฐ', 'ธนากร'],
    family: ['ใจดี', 'ศรีสุข', 'วงศ์สวัสดิ์'],
  },
  {
    weight: 0.2, // Hebrew script (right-to-left).
    female: ['נועה', 'מאיה'],
    male: ['יוסף', 'דוד'],
    family: ['כהן', 'לוי'],
  },
  {
    weight: 0.2, // Armenian script.
    female: ['Անի', 'Նարե'],
    male: ['Արամ', 'Դավիթ'],
    family: ['Խաչատրյան', 'Հովհաննիսյան'],
  },
];

/** Very common full names and ASCII/diacritic look-alikes, to force username collisions. */
const COLLIDERS: readonly (readonly [string, string])[] = [
  ['Michael', 'Smith'], ['Emily', 'Johnson'], ['José', 'García'], ['Jose', 'Garcia'], ['Zoë', 'Müller'],
  ['Zoe', 'Muller'], ['Zoe', 'Mueller'], ['Nguyễn', 'An'], ['Liam', "O'Brien"], ['Liam', 'OBrien'],
  ['Mohammed', 'Khan'], ['Muhammad', 'Khan'], ['Ana', 'de la Cruz'], ['Ana', 'Delacruz'], ['Sean', 'Murphy'], ['Seán', 'Murphy'],
];

const NICKNAMES: Readonly<Record<string, string>> = {
  William: 'Will', Elizabeth: 'Liz', Alexander: 'Alex', Katherine: 'Kate', Christopher: 'Chris', Matthew: 'Matt',
  Benjamin: 'Ben', Theodore: 'Teddy', Samuel: 'Sam', Joseph: 'Joe', Robert: 'Bobby', Jessica: 'Jess', Abigail: 'Abby',
  Daniel: 'Danny', Thomas: 'Tom', Jacob: 'Jake', Nathan: 'Nate', Penelope: 'Penny', Madison: 'Maddie', Andrew: 'Drew',
  Jennifer: 'Jenny', Eleanor: 'Ellie', Santiago: 'Santi', Guadalupe: 'Lupe', Francisco: 'Paco', Małgorzata: 'Gosia',
  Aleksandr: 'Sasha', Александр: 'Саша', Wojciech: 'Wojtek', Zhiwei: 'David', Xiaoling: 'Lily', 'Min-jun': 'Jun',
};
/** Chosen names unrelated to the legal one (e.g. trans students): exercises renames. */
const CHOSEN: readonly string[] = ['River', 'Sky', 'Jordan', 'Quinn', 'Rowan', 'Elliot', 'Sage', 'Kai', 'Alex', 'Max'];

const PRONOUNS = new Weighted(['', 'she/her/hers', 'he/him/his', 'they/them/theirs'], [70, 13, 13, 4]);
const CULTURE_PICK = new Weighted(CULTURES, CULTURES.map((c) => c.weight));

interface Name {
  given: string;
  family: string;
  middle: string;
  female: boolean;
}

function drawName(rng: Rng, culture: Culture = CULTURE_PICK.pick(rng)): Name {
  const female = rng() < 0.5;
  const given = pick(rng, female ? culture.female : culture.male);
  let family = pick(rng, culture.family);
  // Some hyphenated double surnames across cultures (parents' names joined).
  if (rng() < 0.02) {
    const other = pick(rng, CULTURE_PICK.pick(rng).family);
    if (!/[- ]/.test(family + other) && other !== family) family = `${family}-${other}`;
  }
  let middle = '';
  const m = rng();
  if (female && culture.middleF) middle = pick(rng, culture.middleF);
  else if (!female && culture.middleM) middle = pick(rng, culture.middleM);
  else if (m < 0.55) middle = pick(rng, female ? culture.female : culture.male);
  else if (m < 0.6) middle = `${pick(rng, culture.female)} ${pick(rng, culture.female)}`; // two middle names
  if (middle === given) middle = '';
  return { given, family, middle, female };
}

// ---------------------------------------------------------------------------------------------
// District layout: schools, per-grade student counts, courses and class sections.
// ---------------------------------------------------------------------------------------------

const LEVEL_GRADES: Record<SchoolLevel, readonly string[]> = {
  elementary: ['KG', '01', '02', '03', '04', '05'],
  middle: ['06', '07', '08'],
  high: ['09', '10', '11', '12'],
};
const TYPICAL_SIZE: Record<SchoolLevel, number> = { elementary: 450, middle: 750, high: 1100 };
const PLACE_NAMES = ['Maple', 'Oak', 'Cedar', 'Birch', 'Willow', 'Aspen', 'Pine', 'Elm', 'Hickory', 'Spruce', 'Juniper', 'Magnolia', 'Sycamore', 'Chestnut', 'Laurel', 'Cypress', 'Redwood', 'Alder', 'Hawthorn', 'Linden'];
const PLACE_SUFFIX = ['Park', 'Hollow', 'Ridge', 'Valley', 'Creek', 'Grove', 'Hills', 'Meadow', 'Springs', 'Heights'];

/** Splits `total` into integer parts proportional to `weights` (largest remainder, ties by index). */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0 || total <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (w / sum) * total);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k]![1]]! += 1;
  return out;
}

function defaultSchools(students: number): SchoolSpec[] {
  const schools: SchoolSpec[] = [];
  let n = 0;
  for (const level of ['elementary', 'middle', 'high'] as const) {
    const share = (students * LEVEL_GRADES[level].length) / 13;
    const count = Math.max(1, Math.round(share / TYPICAL_SIZE[level]));
    const kind = level === 'elementary' ? 'Elementary' : level === 'middle' ? 'Middle School' : 'High School';
    const prefix = level === 'elementary' ? 'E' : level === 'middle' ? 'M' : 'H';
    for (let i = 0; i < count; i++, n++) {
      const place = `${PLACE_NAMES[n % PLACE_NAMES.length]} ${PLACE_SUFFIX[Math.floor(n / PLACE_NAMES.length) % PLACE_SUFFIX.length]}`;
      const round = Math.floor(n / (PLACE_NAMES.length * PLACE_SUFFIX.length));
      schools.push({ code: `${prefix}${String(i + 1).padStart(4, '0')}`, name: `${place}${round ? ` ${round + 1}` : ''} ${kind}`, level });
    }
  }
  return schools;
}

/** One slot of a student's timetable: each student takes one option; `semester` slots split in two terms. */
interface Slot {
  key: string;
  subject: string;
  subjectCode: string;
  /** Course title templates per option; `{g}` is the grade number. */
  options: readonly string[];
  semester?: readonly [string, string];
}

const MIDDLE_SLOTS: readonly Slot[] = [
  { key: 'ela', subject: 'English Language Arts', subjectCode: '01', options: ['English {g}'] },
  { key: 'math', subject: 'Mathematics', subjectCode: '02', options: ['Math {g}', 'Accelerated Math {g}'] },
  { key: 'sci', subject: 'Science', subjectCode: '03', options: ['Science {g}'] },
  { key: 'soc', subject: 'Social Studies', subjectCode: '04', options: ['Social Studies {g}'] },
  { key: 'pe', subject: 'Physical Education', subjectCode: '08', options: ['PE {g}'] },
  { key: 'wl', subject: 'World Languages', subjectCode: '06', options: ['Spanish {g}', 'French {g}'] },
  { key: 'arts', subject: 'Fine and Performing Arts', subjectCode: '05', options: ['Band {g}', 'Choir {g}', 'Art {g}'] },
  { key: 'elec', subject: 'Computer and Information Sciences', subjectCode: '10', options: ['Computer Science {g}', 'STEM Lab {g}'] },
  { key: 'adv', subject: 'Miscellaneous', subjectCode: '22', options: ['Advisory {g}'] },
  { key: 'hlth', subject: 'Health Care Sciences', subjectCode: '14', options: ['Health {g}'] },
];

const HIGH_SLOTS: readonly Slot[] = [
  { key: 'ela', subject: 'English Language Arts', subjectCode: '01', options: ['English {g}', 'Honors English {g}'] },
  { key: 'math', subject: 'Mathematics', subjectCode: '02', options: ['Algebra I', 'Geometry', 'Algebra II', 'Precalculus', 'AP Calculus AB'] },
  { key: 'sci', subject: 'Science', subjectCode: '03', options: ['Biology', 'Chemistry', 'Physics', 'Environmental Science'] },
  { key: 'soc', subject: 'Social Studies', subjectCode: '04', options: ['World History', 'US History', 'Government', 'Economics'] },
  { key: 'wl', subject: 'World Languages', subjectCode: '06', options: ['Spanish', 'French', 'Mandarin'] },
  { key: 'arts', subject: 'Fine and Performing Arts', subjectCode: '05', options: ['Studio Art', 'Band', 'Choir', 'Theatre'] },
  { key: 'pehl', subject: 'Physical Education', subjectCode: '08', options: ['Health and PE {g}'], semester: ['Health {g}', 'PE {g}'] },
  { key: 'elec', subject: 'Computer and Information Sciences', subjectCode: '10', options: ['Electives {g}'], semester: ['Intro to Programming', 'Digital Media'] },
  { key: 'adv', subject: 'Miscellaneous', subjectCode: '22', options: ['Advisory {g}'] },
  { key: 'fin', subject: 'Business and Marketing', subjectCode: '12', options: ['Personal Finance', 'Psychology'] },
];

const ELEM_SPECIALS = ['Music', 'Art', 'Reading Intervention'] as const;

interface Term {
  sourcedId: string;
  title: string;
  type: string;
  start: string;
  /** Exclusive, as OneRoster's endDate. */
  end: string;
}

interface Section {
  sourcedId: string;
  title: string;
  classCode: string;
  classType: 'homeroom' | 'scheduled';
  courseSourcedId: string;
  grade: string;
  subject: string;
  subjectCode: string;
  period: number;
  room: number;
  terms: Term[];
  /** Load in teacher-days: a homeroom is a whole day, a secondary section a fifth. */
  load: number;
  teacher: number;
  coTeacher: number;
}

interface Course {
  sourcedId: string;
  title: string;
  courseCode: string;
  grade: string;
  subject: string;
  subjectCode: string;
}

/** Sections one grade's students are spread across, for one option of one slot. */
interface OptionSections {
  /** One list per term (one for year-long, two for a semester pair). */
  perTerm: Section[][];
}

interface Cell {
  grade: string;
  students: number;
  homerooms: Section[];
  /** Elementary specials (one optional extra class per student). */
  specials: Section[][];
  /** Secondary: slots x options. */
  slots: OptionSections[][];
  slotDefs: readonly Slot[];
}

interface SchoolPlan {
  spec: SchoolSpec;
  sourcedId: string;
  cells: Cell[];
  sections: Section[];
  courses: Course[];
  teachers: number;
  /** Staff other than teachers: role names, in order. */
  staffRoles: string[];
  /** First section index per teacher (contiguous blocks); length teachers+1. */
  teacherStart: number[];
}

const SECTION_SIZE: Record<SchoolLevel, number> = { elementary: 24, middle: 28, high: 28 };

function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b);
}

/** Number of k in [0, n) with k % m === j. */
function countResidue(n: number, m: number, j: number): number {
  return n > j ? Math.floor((n - j - 1) / m) + 1 : 0;
}

function gradeNumber(grade: string): string {
  return grade === 'KG' ? 'K' : String(Number(grade));
}

function planSchool(spec: SchoolSpec, perGrade: readonly number[], yearTerms: readonly Term[], periods: number, semesters: boolean): SchoolPlan {
  const code = spec.code.toLowerCase();
  const sourcedId = `org-${code}`;
  const courses: Course[] = [];
  const sections: Section[] = [];
  const courseIds = new Map<string, string>();
  const size = SECTION_SIZE[spec.level];
  let room = 100;
  const course = (title: string, grade: string, subject: string, subjectCode: string): string => {
    const key = `${grade}|${title}`;
    let id = courseIds.get(key);
    if (!id) {
      id = `crs-${code}-${String(courses.length + 1).padStart(4, '0')}`;
      courseIds.set(key, id);
      courses.push({ sourcedId: id, title, courseCode: `${subjectCode}${grade}${String(courses.length + 1).padStart(3, '0')}`, grade, subject, subjectCode });
    }
    return id;
  };
  const addSection = (title: string, grade: string, subject: string, subjectCode: string, classType: Section['classType'], period: number, terms: Term[], load: number): Section => {
    const n = sections.length + 1;
    const s: Section = {
      sourcedId: `cls-${code}-${String(n).padStart(5, '0')}`,
      title: `${title} - ${String(n).padStart(3, '0')}`,
      classCode: `${spec.code}-${grade}-${title.replace(/[^A-Za-z0-9]+/g, '').slice(0, 10).toUpperCase()}-${String(n).padStart(3, '0')}`,
      classType,
      courseSourcedId: course(title, grade, subject, subjectCode),
      grade,
      subject,
      subjectCode,
      period,
      room: room++,
      terms,
      load,
      teacher: 0,
      coTeacher: -1,
    };
    sections.push(s);
    return s;
  };
  const [yearTerm, s1, s2] = yearTerms as [Term, Term, Term];
  const grades = LEVEL_GRADES[spec.level];
  const slotDefs = spec.level === 'middle' ? MIDDLE_SLOTS.slice(0, periods) : spec.level === 'high' ? HIGH_SLOTS.slice(0, periods) : [];
  const cells: Cell[] = grades.map((grade, gi) => {
    const n = perGrade[gi] ?? 0;
    const g = gradeNumber(grade);
    const cell: Cell = { grade, students: n, homerooms: [], specials: [], slots: [], slotDefs };
    if (spec.level === 'elementary') {
      const hr = Math.max(1, ceilDiv(n, size));
      for (let i = 0; i < hr; i++) cell.homerooms.push(addSection(`Grade ${g} Homeroom`, grade, 'Homeroom', '22', 'homeroom', 1, [s1, s2], 1));
      // Every second student takes one special, the specials rotating: ~1.5 classes each.
      ELEM_SPECIALS.forEach((title, si) => {
        const takers = countResidue(n, 6, 2 * si);
        const list: Section[] = [];
        for (let i = 0; i < Math.max(takers > 0 ? 1 : 0, ceilDiv(takers, size)); i++) list.push(addSection(`${title} ${g}`, grade, title === 'Music' || title === 'Art' ? 'Fine and Performing Arts' : 'English Language Arts', title === 'Reading Intervention' ? '01' : '05', 'scheduled', 2 + si, [s1, s2], 1 / 6));
        cell.specials.push(list);
      });
    } else {
      slotDefs.forEach((slot, period) => {
        const perOption: OptionSections[] = slot.options.map((opt, oi) => {
          const takers = countResidue(n, slot.options.length, oi);
          const count = takers > 0 ? ceilDiv(takers, size) : 0;
          const termTitles = slot.semester
            ? ([[slot.semester[0], s1], [slot.semester[1], s2]] as const)
            : semesters
              ? ([[opt, s1], [opt, s2]] as const)
              : ([[opt, yearTerm]] as const);
          const split = termTitles.length > 1;
          const perTerm = termTitles.map(([t, term]) => {
            const list: Section[] = [];
            const title = t.replace('{g}', g);
            for (let i = 0; i < count; i++) list.push(addSection(title, grade, slot.subject, slot.subjectCode, 'scheduled', period + 1, term === yearTerm ? [s1, s2] : [term], split ? 0.1 : 0.2));
            return list;
          });
          return { perTerm };
        });
        cell.slots.push(perOption);
      });
    }
    return cell;
  });
  return { spec, sourcedId, cells, sections, courses, teachers: 0, staffRoles: [], teacherStart: [] };
}

/**
 * Teachers take contiguous blocks of the school's sections (sections are created grade by
 * grade, subject by subject), sized by load, so an elementary teacher gets one homeroom and
 * a secondary teacher about five sections of neighbouring subjects/grades.
 */
function assignTeachers(plan: SchoolPlan, teachers: number): void {
  plan.teachers = teachers;
  const total = plan.sections.reduce((a, s) => a + s.load, 0);
  plan.teacherStart = new Array<number>(teachers + 1).fill(plan.sections.length);
  let cum = 0;
  let t = 0;
  plan.sections.forEach((s, j) => {
    const owner = teachers === 0 ? -1 : Math.min(teachers - 1, Math.floor(((cum + s.load / 2) * teachers) / total));
    cum += s.load;
    s.teacher = owner;
    while (t <= owner) plan.teacherStart[t++] = j;
    // One section in 17 is co-taught by the next teacher (non-primary enrollment).
    if (teachers > 1 && j % 17 === 5) s.coTeacher = (owner + 1) % teachers;
  });
  // Teachers past the last owner keep teacherStart = sections.length (no sections).
}

// ---------------------------------------------------------------------------------------------
// CSV writing
// ---------------------------------------------------------------------------------------------

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180 quoting: only fields with a comma, quote or line break are quoted. */
export function csvField(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Encodes rows straight into 1 MB Buffers (no per-row string joins; row strings die young,
 * which keeps GC cheap) and reports backpressure: callers `await ready()` once per person,
 * not once per row. A Buffer handed to the stream is never reused.
 */
class CsvWriter {
  private static readonly SIZE = 1 << 20;
  private buf = Buffer.allocUnsafe(CsvWriter.SIZE);
  private pos = 0;
  private blocked = false;
  private readonly stream: WriteStream;
  rows = 0;
  constructor(path: string, header: readonly string[]) {
    this.stream = createWriteStream(path, { highWaterMark: 4 << 20 });
    this.put(header.join(','));
  }
  /** Fields must already be quoted where needed (ids and dates never need it). */
  row(line: string): void {
    this.put(line);
    this.rows++;
  }
  private put(line: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit; flush first if the row might not fit.
    if (this.pos + line.length * 3 + 1 > this.buf.length) {
      this.flush();
      if (line.length * 3 + 1 > this.buf.length) this.buf = Buffer.allocUnsafe(line.length * 3 + 1);
    }
    this.pos += this.buf.write(line, this.pos, 'utf8');
    this.buf[this.pos++] = 10;
  }
  private flush(): void {
    if (this.pos === 0) return;
    if (!this.stream.write(this.buf.subarray(0, this.pos))) this.blocked = true;
    this.buf = Buffer.allocUnsafe(CsvWriter.SIZE);
    this.pos = 0;
  }
  /** Resolves at once unless the stream asked us to wait for 'drain'. */
  ready(): Promise<void> | undefined {
    if (!this.blocked) return undefined;
    return new Promise<void>((res, rej) => {
      const onDrain = () => { this.stream.off('error', onError); this.blocked = false; res(); };
      const onError = (e: Error) => { this.stream.off('drain', onDrain); rej(e); };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
  }
  async close(): Promise<void> {
    this.flush();
    await this.ready();
    await new Promise<void>((res, rej) => {
      this.stream.once('error', rej);
      this.stream.end(() => res());
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

const maxDate = (a: string, b: string) => (a > b ? a : b);
const minDate = (a: string, b: string) => (a < b ? a : b);

function validateSpec(spec: DistrictSpec): void {
  if (!Number.isInteger(spec.people) || spec.people < 10) throw new Error(`people must be an integer >= 10 (got ${spec.people})`);
  if (!Number.isInteger(spec.seed)) throw new Error('seed must be an integer');
  if (!Number.isInteger(spec.schoolYear) || spec.schoolYear < 1900 || spec.schoolYear > 9999) throw new Error('schoolYear must be a year like 2027');
  const codes = new Set<string>();
  for (const s of spec.schools ?? []) {
    if (codes.has(s.code)) throw new Error(`duplicate school code ${s.code}`);
    codes.add(s.code);
  }
}

/**
 * Writes a OneRoster 1.2 bulk CSV set for a synthetic district into outDir (created if
 * needed). Deterministic: identical spec => identical bytes.
 */
export async function generateDistrict(spec: DistrictSpec, outDir: string): Promise<GenerateResult> {
  validateSpec(spec);
  await mkdir(outDir, { recursive: true });
  const seed = spec.seed >>> 0;
  const year = spec.schoolYear;
  const yearStart = spec.yearStart ?? `${year - 1}-08-17`;
  const lastDay = spec.yearEnd ?? `${year}-06-11`;
  const yearEndExcl = addDays(lastDay, 1);
  const s1End = `${year}-01-16`;
  const s2Start = `${year}-01-19`;
  const domain = spec.domain ?? 'district.k12.example';
  const periods = Math.max(1, Math.min(10, spec.secondaryPeriods ?? 8));

  const nStudents = Math.round(spec.people * 0.92);
  const nTeachers = Math.round(spec.people * 0.06);
  const nOther = spec.people - nStudents - nTeachers;
  const schools = spec.schools ?? defaultSchools(nStudents);

  // --- academic sessions
  const yearTerm: Term = { sourcedId: `as-${year}`, title: `${year - 1}-${String(year).slice(2)} School Year`, type: 'schoolYear', start: yearStart, end: yearEndExcl };
  const s1: Term = { sourcedId: `as-${year}-s1`, title: `Fall ${year - 1}`, type: 'semester', start: yearStart, end: s1End };
  const s2: Term = { sourcedId: `as-${year}-s2`, title: `Spring ${year}`, type: 'semester', start: s2Start, end: yearEndExcl };
  const terms = [yearTerm, s1, s2];

  // --- students per school per grade: level share by grade span, then jittered per cell.
  const layout = rngFor(seed, STREAM.layout, 0);
  const levels = (['elementary', 'middle', 'high'] as const).filter((l) => schools.some((s) => s.level === l));
  const levelStudents = apportion(nStudents, levels.map((l) => LEVEL_GRADES[l].length));
  const perGrade = new Map<SchoolSpec, number[]>();
  levels.forEach((level, li) => {
    const inLevel = schools.filter((s) => s.level === level);
    const cells = inLevel.flatMap((s) => LEVEL_GRADES[level].map((_, gi) => ({ s, gi })));
    const counts = apportion(levelStudents[li] ?? 0, cells.map(() => 0.85 + 0.3 * layout()));
    for (const s of inLevel) perGrade.set(s, new Array<number>(LEVEL_GRADES[level].length).fill(0));
    cells.forEach((c, i) => { perGrade.get(c.s)![c.gi] = counts[i] ?? 0; });
  });
  const plans = schools.map((s) => planSchool(s, perGrade.get(s) ?? [], terms, periods, spec.secondaryTerms === 'semester'));

  // --- teachers per school by teaching load; at least one where there are sections.
  const loads = plans.map((p) => p.sections.reduce((a, s) => a + s.load, 0));
  const withSections = plans.filter((p) => p.sections.length > 0).length;
  const base: number[] = plans.map((p) => (p.sections.length > 0 && nTeachers >= withSections ? 1 : 0));
  const rest = apportion(nTeachers - base.reduce((a, b) => a + b, 0), loads);
  plans.forEach((p, i) => assignTeachers(p, (base[i] ?? 0) + (rest[i] ?? 0)));

  // --- other staff: district administrators, then per school principal, site admin, counselors; aides take the rest.
  const districtAdmins = Math.min(nOther, Math.max(1, Math.round(spec.people * 0.001)));
  let otherLeft = nOther - districtAdmins;
  const schoolStudents = plans.map((p) => p.cells.reduce((a, c) => a + c.students, 0));
  for (const role of ['principal', 'siteAdministrator', 'counselor', 'principal'] as const) {
    plans.forEach((p, i) => {
      const st = schoolStudents[i] ?? 0;
      let want = 1;
      if (role === 'counselor') want = Math.max(1, Math.round(st / (p.spec.level === 'elementary' ? 500 : 350)));
      if (role === 'principal') want = p.staffRoles.includes('principal') ? (st > 700 ? 1 : 0) : 1; // second pass: assistant principal
      for (let k = 0; k < want && otherLeft > 0; k++, otherLeft--) p.staffRoles.push(role);
    });
  }
  const aides = apportion(otherLeft, plans.map((p, i) => (schoolStudents[i] ?? 0) * (p.spec.level === 'elementary' ? 2 : 1)));
  plans.forEach((p, i) => { for (let k = 0; k < (aides[i] ?? 0); k++) p.staffRoles.push('aide'); });

  const districtId = 'org-district';
  const out = (name: string) => join(outDir, name);

  // --- small files
  const manifest = new CsvWriter(out('manifest.csv'), ['propertyName', 'value']);
  const present = new Set(['academicSessions', 'classes', 'courses', 'enrollments', 'orgs', 'roles', 'users']);
  manifest.row('manifest.version,1.0');
  manifest.row('oneroster.version,1.2');
  for (const f of ['academicSessions', 'categories', 'classes', 'classResources', 'courses', 'courseResources', 'demographics', 'enrollments', 'lineItemLearningObjectiveIds', 'lineItems', 'lineItemScoreScales', 'orgs', 'resources', 'resultLearningObjectiveIds', 'results', 'resultScoreScales', 'roles', 'scoreScales', 'userProfiles', 'userResources', 'users']) {
    manifest.row(`file.${f},${present.has(f) ? 'bulk' : 'absent'}`);
  }
  manifest.row('source.systemName,rollcall generate-district');
  manifest.row(`source.systemCode,seed-${seed}`);
  await manifest.close();

  const orgs = new CsvWriter(out('orgs.csv'), HEADERS.orgs);
  orgs.row(`${districtId},,,${csvField(spec.districtName ?? 'Synthetic School District')},district,${csvField(spec.districtCode ?? 'DIST')},`);
  for (const p of plans) orgs.row(`${p.sourcedId},,,${csvField(p.spec.name)},school,${csvField(p.spec.code)},${districtId}`);
  await orgs.close();

  const sessions = new CsvWriter(out('academicSessions.csv'), HEADERS.academicSessions);
  sessions.row(`${yearTerm.sourcedId},,,${yearTerm.title},schoolYear,${yearTerm.start},${yearTerm.end},,${year}`);
  for (const t of [s1, s2]) sessions.row(`${t.sourcedId},,,${t.title},${t.type},${t.start},${t.end},${yearTerm.sourcedId},${year}`);
  await sessions.close();

  const courses = new CsvWriter(out('courses.csv'), HEADERS.courses);
  for (const p of plans) {
    for (const c of p.courses) courses.row(`${c.sourcedId},,,${yearTerm.sourcedId},${csvField(c.title)},${c.courseCode},${c.grade},${p.sourcedId},${csvField(c.subject)},${c.subjectCode}`);
  }
  await courses.close();

  const classes = new CsvWriter(out('classes.csv'), HEADERS.classes);
  for (const p of plans) {
    for (const s of p.sections) {
      const termIds = csvField(s.terms.map((t) => t.sourcedId).join(','));
      classes.row(`${s.sourcedId},,,${csvField(s.title)},${s.grade},${s.courseSourcedId},${csvField(s.classCode)},${s.classType},Room ${s.room},${p.sourcedId},${termIds},${csvField(s.subject)},${s.subjectCode},${s.period}`);
    }
  }
  await classes.close();

  // --- people: students, then teachers, then other staff; users/roles/enrollments stream together.
  const users = new CsvWriter(out('users.csv'), HEADERS.users);
  const roles = new CsvWriter(out('roles.csv'), HEADERS.roles);
  const enrollments = new CsvWriter(out('enrollments.csv'), HEADERS.enrollments);
  let personIndex = 0;
  let staffIndex = 0;
  let studentIndex = 0;
  const enroll = (s: Section, schoolId: string, userId: string, role: string, primary: boolean, begin: string, end: string) => {
    // Enrollment dates are the class's terms clipped to the person's role dates; none if they do not overlap.
    const b = maxDate(s.terms[0]!.start, begin);
    const e = minDate(s.terms[s.terms.length - 1]!.end, end);
    if (b >= e) return;
    enrollments.row(`enr-${String(enrollments.rows + 1).padStart(8, '0')},,,${s.sourcedId},${schoolId},${userId},${role},${primary},${b},${e}`);
  };
  const writeUser = (u: { id: string; enabled: boolean; username: string; userIds: string; name: Name; identifier: string; email: string; grades: string; master: string; pg: string; pm: string; pf: string; org: string; pronouns: string }) => {
    const n = u.name;
    users.row(`${u.id},,,${u.enabled},${u.username},${csvField(u.userIds)},${csvField(n.given)},${csvField(n.family)},${csvField(n.middle)},${u.identifier},${u.email},,,,${u.grades},,${u.master},,${csvField(u.pg)},${csvField(u.pm)},${csvField(u.pf)},${u.org},${u.pronouns}`);
  };
  const writeRole = (userId: string, roleType: 'primary' | 'secondary', role: string, begin: string, end: string, org: string) => {
    roles.row(`rol-${String(roles.rows + 1).padStart(8, '0')},,,${userId},${roleType},${role},${begin},${end},${org},`);
  };
  /** Once per person: wait if any of the three big streams pushed back. */
  const drained = async () => {
    for (const w of [users, roles, enrollments]) {
      const wait = w.ready();
      if (wait) await wait;
    }
  };
  const preferred = (rng: Rng, name: Name): { pg: string; pm: string; pf: string } => {
    const r = rng();
    const nick = NICKNAMES[name.given];
    if (nick && r < 0.35) return { pg: nick, pm: '', pf: '' };
    if (r < 0.02) return { pg: pick(rng, CHOSEN), pm: '', pf: '' };
    if (r < 0.025) return { pg: '', pm: '', pf: pick(rng, pick(rng, CULTURES).family) };
    if (r < 0.028 && name.middle) return { pg: name.middle.split(' ')[0] ?? '', pm: '', pf: '' };
    return { pg: '', pm: '', pf: '' };
  };

  for (const p of plans) {
    for (const cell of p.cells) {
      let prev: Name | undefined;
      for (let k = 0; k < cell.students; k++) {
        await drained();
        const idx = personIndex++;
        const sIdx = studentIndex++;
        const rng = rngFor(seed, STREAM.user, idx);
        let name: Name;
        const r = rng();
        if (prev && r < 0.015) {
          // A twin: same family and grade; half share a first initial to collide on `{given|first:1}{family}`.
          const sib = drawName(rng);
          const culture = CULTURES.find((c) => c.family.includes(prev!.family)) ?? CULTURES[0]!;
          const pool = sib.female ? culture.female : culture.male;
          const same = pool.filter((g) => g[0] === prev!.given[0] && g !== prev!.given);
          name = { ...sib, given: same.length && rng() < 0.5 ? pick(rng, same) : pick(rng, pool), family: prev.family };
        } else if (r < 0.02) {
          const [g, f] = pick(rng, COLLIDERS);
          const base = drawName(rng);
          // Vietnamese order: family first in the pair above.
          name = g === 'Nguyễn' ? { ...base, given: f, family: g, middle: 'Văn' } : { ...base, given: g, family: f };
        } else {
          name = drawName(rng);
        }
        prev = name;
        const id = uuidFor(seed, idx);
        const identifier = String(1_000_000 + sIdx);
        const master = String(Math.imul(sIdx ^ (seed & 0x3fffffff), 0x9e3779b1) >>> 0).padStart(10, '0');
        const userIds = rng() < 0.3 ? `{SIS:${identifier}},{StateID:${master}}` : `{SIS:${identifier}}`;
        const pref = preferred(rng, name);
        // Mid-year arrivals and withdrawals: role (and enrollment) dates say so.
        const rr = rng();
        const begin = rr < 0.01 ? addDays(yearStart, 35 + Math.floor(rng() * 60)) : yearStart;
        const end = rr > 0.996 ? s1End : yearEndExcl;
        writeUser({ id, enabled: rng() >= 0.004, username: `s${identifier}`, userIds, name, identifier, email: '', grades: cell.grade, master, org: p.sourcedId, pronouns: PRONOUNS.pick(rng), ...pref });
        writeRole(id, 'primary', 'student', begin, end, p.sourcedId);
        // A few high-schoolers also work as aides: a second role in the same org.
        if (p.spec.level === 'high' && rng() < 0.003) writeRole(id, 'secondary', 'aide', begin, end, p.sourcedId);
        if (p.spec.level === 'elementary') {
          enroll(cell.homerooms[k % cell.homerooms.length]!, p.sourcedId, id, 'student', false, begin, end);
          if (k % 2 === 0) {
            const si = (k / 2) % ELEM_SPECIALS.length;
            const list = cell.specials[si]!;
            const nth = Math.floor(k / 6);
            if (list.length) enroll(list[nth % list.length]!, p.sourcedId, id, 'student', false, begin, end);
          }
        } else {
          for (let sl = 0; sl < cell.slots.length; sl++) {
            const opts = cell.slots[sl]!;
            const oi = k % opts.length;
            const nth = Math.floor(k / opts.length);
            for (const list of opts[oi]!.perTerm) {
              if (list.length) enroll(list[(nth + sl) % list.length]!, p.sourcedId, id, 'student', false, begin, end);
            }
          }
        }
      }
    }
  }

  // Staff share one numbering so employee numbers and emails never collide.
  const staffUser = async (role: string, org: string, schoolPlan: SchoolPlan | undefined, teacher: number) => {
    await drained();
    const idx = personIndex++;
    const sIdx = staffIndex++;
    const rng = rngFor(seed, STREAM.staff, idx);
    const name = rng() < 0.01 ? (() => { const [g, f] = pick(rng, COLLIDERS); return { ...drawName(rng), given: g, family: f }; })() : drawName(rng);
    const id = uuidFor(seed, idx);
    const identifier = String(50_000_000 + sIdx);
    const username = `e${identifier}`;
    const hired = `${year - 2 - Math.floor(rng() * 25)}-08-${String(1 + Math.floor(rng() * 20)).padStart(2, '0')}`;
    const left = rng() < 0.01 ? `${year - 1}-12-19` : '';
    const pref = preferred(rng, name);
    writeUser({ id, enabled: rng() >= 0.005, username, userIds: `{HR:${identifier}}`, name, identifier, email: `${username}@${domain}`, grades: '', master: `E${identifier}`, org, pronouns: PRONOUNS.pick(rng), ...pref });
    writeRole(id, 'primary', role, hired, left, org);
    if (!schoolPlan || teacher < 0) return;
    // A teacher at two schools: a secondary teacher role at the next school of the same level.
    if (rng() < 0.02) {
      const other = plans.find((q) => q !== schoolPlan && q.spec.level === schoolPlan.spec.level);
      if (other) writeRole(id, 'secondary', 'teacher', yearStart, left, other.sourcedId);
    }
    const end = left ? minDate(left, yearEndExcl) : yearEndExcl;
    const from = schoolPlan.teacherStart[teacher] ?? 0;
    const to = schoolPlan.teacherStart[teacher + 1] ?? from;
    for (let j = from; j < to; j++) enroll(schoolPlan.sections[j]!, schoolPlan.sourcedId, id, 'teacher', true, yearStart, end);
    if (schoolPlan.teachers > 1) {
      const prevT = (teacher - 1 + schoolPlan.teachers) % schoolPlan.teachers;
      const pf = schoolPlan.teacherStart[prevT] ?? 0;
      const pt = schoolPlan.teacherStart[prevT + 1] ?? pf;
      for (let j = pf; j < pt; j++) {
        const s = schoolPlan.sections[j]!;
        if (s.coTeacher === teacher) enroll(s, schoolPlan.sourcedId, id, 'teacher', false, yearStart, end);
      }
    }
  };
  for (const p of plans) for (let t = 0; t < p.teachers; t++) await staffUser('teacher', p.sourcedId, p, t);
  for (let i = 0; i < districtAdmins; i++) await staffUser('districtAdministrator', districtId, undefined, -1);
  for (const p of plans) for (const role of p.staffRoles) await staffUser(role, p.sourcedId, p, -1);

  await Promise.all([users.close(), roles.close(), enrollments.close()]);
  return {
    files: ['academicSessions.csv', 'classes.csv', 'courses.csv', 'enrollments.csv', 'manifest.csv', 'orgs.csv', 'roles.csv', 'users.csv'],
    people: users.rows,
    enrollments: enrollments.rows,
  };
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

const USAGE = `usage: generate-district (--preset maplewood|bench-1k|bench-10k|bench-50k|bench-100k|bench-1m | --people N [--seed S] [--school-year Y]) --out DIR`;

export function parseArgs(argv: readonly string[]): { spec: DistrictSpec; out: string } {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}\n${USAGE}`);
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else flags.set(a.slice(2), argv[++i] ?? '');
  }
  const out = flags.get('out');
  if (!out) throw new Error(`--out is required\n${USAGE}`);
  const presetName = flags.get('preset');
  let spec: DistrictSpec;
  if (presetName) {
    const preset = PRESETS[presetName];
    if (!preset) throw new Error(`unknown preset ${presetName}; one of ${Object.keys(PRESETS).join(', ')}`);
    spec = { ...preset };
  } else {
    const people = Number(flags.get('people'));
    if (!Number.isInteger(people)) throw new Error(`--people N or --preset is required\n${USAGE}`);
    spec = { people, seed: 1, schoolYear: 2027 };
  }
  if (flags.has('seed')) spec.seed = Number(flags.get('seed'));
  if (flags.has('school-year')) spec.schoolYear = Number(flags.get('school-year'));
  return { spec, out };
}

async function main(): Promise<void> {
  const { spec, out } = parseArgs(process.argv.slice(2));
  const started = process.hrtime.bigint();
  const r = await generateDistrict(spec, resolve(out));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`wrote ${r.files.length} files to ${out}: ${r.people} people, ${r.enrollments} enrollments in ${(ms / 1000).toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  });
}
