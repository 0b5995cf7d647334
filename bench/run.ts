import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runPlan } from '../engine/run/plan-run.js';
import { benchDistrict, writePolicyRepo } from './district-repo.js';
import { materialize } from './materialize.js';

/**
 * `npm run bench`: plan wall time and peak RSS at district scale, medians of several runs,
 * each run in a fresh process. Sizes: 10k and 100k by default; add 1m with
 * `npm run bench -- --sizes 10k,100k,1m`. Apply throughput against the directories has its
 * own scripts (bench/google-bench.ts, bench/entra-bench.ts, bench/ldap-bench.ts).
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const NOW = '2026-10-01T12:00:00.000Z';
const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const sizes = arg('sizes', '10k,100k').split(',');
const runs = Number(arg('runs', '3'));

interface RunResult { wallMs: number; maxRssMb: number; phases: Record<string, number>; changes: number; people: number }

function planOnce(dir: string): RunResult {
  const out = execFileSync(process.execPath, ['--max-old-space-size=4096', '--max-semi-space-size=64', join(ROOT, 'dist/bench/plan-once.js'), dir, NOW], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!) as RunResult;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function report(label: string, results: RunResult[]): void {
  const phases = Object.keys(results[0]!.phases);
  const med = Object.fromEntries(phases.map((p) => [p, median(results.map((r) => r.phases[p] ?? 0))]));
  const people = results[0]!.people;
  const ingest = med.ingest ?? 0;
  const core = Object.entries(med).filter(([k]) => k.startsWith('core.')).reduce((a, [, v]) => a + v, 0);
  process.stdout.write(
    `${label.padEnd(34)} wall ${String(median(results.map((r) => r.wallMs))).padStart(7)} ms  ` +
    `peak RSS ${String(median(results.map((r) => r.maxRssMb))).padStart(5)} MB  changes ${results[0]!.changes}  ` +
    `ingest ${ingest} ms (${Math.round(people / Math.max(0.001, ingest / 1000))} people/s)  core ${core} ms  ` +
    `phases ${JSON.stringify(med)}\n`);
}

function helpStartup(): void {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), '--help'], { encoding: 'utf8' });
    times.push(performance.now() - t);
  }
  const base: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    base.push(performance.now() - t);
  }
  process.stdout.write(`rollcall --help start-up              median ${Math.round(median(times))} ms (node -e 0: ${Math.round(median(base))} ms)\n`);
}

/** Change one person's family name in place (same byte length), as the "one-line change". */
function oneLineChange(sis: string, undo: boolean): void {
  const file = join(sis, 'users.csv');
  const buf = readFileSync(file);
  const from = Buffer.from(undo ? ',Benchmarkq,' : ',Benchmarka,');
  const to = Buffer.from(undo ? ',Benchmarka,' : ',Benchmarkq,');
  const i = buf.indexOf(from);
  if (i >= 0) {
    to.copy(buf, i);
    writeFileSync(file, buf);
  }
}

helpStartup();
for (const size of sizes) {
  const district = await benchDistrict(`bench-${size}`);
  ensureMarker(district.sis);
  writePolicyRepo(district.dir, district.sis);
  report(`first plan, ${size} people`, Array.from({ length: runs }, () => planOnce(district.dir)));

  const first = await runPlan({ dir: district.dir, now: NOW });
  await materialize(first.plan, district.dir, NOW);
  const noop = planOnce(district.dir);
  if (noop.changes !== 0) process.stdout.write(`  (warning: re-plan after materialize has ${noop.changes} changes)\n`);
  oneLineChange(district.sis, false);
  try {
    report(`one-line change, ${size} people`, Array.from({ length: runs }, () => planOnce(district.dir)));
  } finally {
    oneLineChange(district.sis, true);
  }
}

/** Give the generated export one row whose family name the one-line change can edit. */
function ensureMarker(sis: string): void {
  const file = join(sis, 'users.csv');
  if (!existsSync(file)) return;
  const buf = readFileSync(file);
  if (buf.indexOf(Buffer.from(',Benchmarka,')) >= 0 || buf.indexOf(Buffer.from(',Benchmarkq,')) >= 0) return;
  // Replace the family name of the first student row with a marker of its own length class.
  const text = buf.toString('utf8');
  const lines = text.split('\n');
  const header = lines[0]!.split(',');
  const fam = header.indexOf('familyName');
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(',');
    if (cells.length === header.length && !lines[i]!.includes('"')) {
      cells[fam] = 'Benchmarka';
      lines[i] = cells.join(',');
      break;
    }
  }
  writeFileSync(file, lines.join('\n'));
}
