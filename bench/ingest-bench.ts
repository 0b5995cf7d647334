import { existsSync, statSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { readOneRosterCsv } from '../providers/sis/oneroster-csv/index.js';

/**
 * OneRoster CSV ingest alone: wall time, CPU time, rows per second and peak RSS for one set.
 * CPU time is reported beside wall time because the bench machine is often shared.
 *
 *   node dist/bench/ingest-bench.js bench/out/bench-100k/sis [--skip-enrollments] [--json]
 *   node dist/bench/ingest-bench.js --sizes 10k,100k,1m [--runs 3] [--skip-enrollments]
 *     (sets under bench/out/bench-<size>/sis; prints medians, with and without enrollments)
 *
 * With --sizes each run is a fresh process (peak RSS per run is then meaningful).
 */

export interface IngestBenchResult {
  people: number;
  enrollments: number;
  /** Data rows in the CSV files read (line count minus headers). */
  rows: number;
  wallMs: number;
  cpuMs: number;
  rowsPerSec: number;
  peakRssMb: number;
}

export async function ingestBench(dir: string, opts: { skipEnrollments?: boolean } = {}): Promise<IngestBenchResult> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await readOneRosterCsv(dir, { skipEnrollments: !!opts.skipEnrollments });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  let enrollments = 0;
  for (const p of res.roster.people) enrollments += p.enrollments.length;
  const rows = countRows(dir, !!opts.skipEnrollments);
  return {
    people: res.roster.people.length,
    enrollments,
    rows,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round(cpuMs),
    rowsPerSec: Math.round(rows / (wallMs / 1000)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** Rows read: a cheap newline count (quoted newlines are rare enough to ignore here). */
function countRows(dir: string, skipEnrollments: boolean): number {
  let n = 0;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.csv') || f === 'manifest.csv' || (skipEnrollments && f === 'enrollments.csv')) continue;
    // `wc -l` is far faster than counting in JS, and outside the timed part anyway.
    const out = execFileSync('wc', ['-l', join(dir, f)], { encoding: 'utf8' });
    n += Math.max(0, Number(out.trim().split(/\s+/)[0]) - 1);
  }
  return n;
}

function fmt(label: string, r: IngestBenchResult): string {
  return `${label.padEnd(36)} wall ${String(r.wallMs).padStart(6)} ms  cpu ${String(r.cpuMs).padStart(6)} ms  ` +
    `${String(Math.round(r.rowsPerSec / 1000)).padStart(5)}k rows/s  peak RSS ${String(r.peakRssMb).padStart(5)} MB  ` +
    `people ${r.people}  enrollments ${r.enrollments}`;
}

async function main(argv: string[]): Promise<void> {
  const flag = (n: string) => argv.includes(`--${n}`);
  const val = (n: string): string | undefined => {
    const i = argv.indexOf(`--${n}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const skip = flag('skip-enrollments');
  const sizes = val('sizes');
  const json = flag('json');
  if (!sizes) {
    const dir = argv.find((a) => !a.startsWith('--') && existsSync(a));
    if (!dir) throw new Error('usage: ingest-bench <sis-dir> [--skip-enrollments] [--json] | --sizes 10k,100k,1m [--runs N]');
    const r = await ingestBench(dir, { skipEnrollments: skip });
    process.stdout.write(json ? JSON.stringify(r) + '\n' : fmt(dir, r) + '\n');
    return;
  }
  const root = resolve(import.meta.dirname, '..', '..');
  const runs = Number(val('runs') ?? '3');
  for (const size of sizes.split(',')) {
    const dir = join(root, 'bench', 'out', `bench-${size}`, 'sis');
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      process.stdout.write(`${size}: no set at ${dir} (generate it: node dist/scripts/generate-district.js --preset bench-${size} --out ${join(root, 'bench', 'out', `bench-${size}`)})\n`);
      continue;
    }
    for (const skipE of skip ? [true] : [false, true]) {
      const results: IngestBenchResult[] = [];
      for (let i = 0; i < runs; i++) {
        const out = execFileSync(process.execPath, ['--max-old-space-size=8192', import.meta.filename, dir, '--json', ...(skipE ? ['--skip-enrollments'] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 });
        results.push(JSON.parse(out.trim().split('\n').pop()!) as IngestBenchResult);
      }
      results.sort((a, b) => a.wallMs - b.wallMs);
      process.stdout.write(fmt(`${size}${skipE ? ' (no enrollments)' : ''} median of ${runs}`, results[Math.floor(results.length / 2)]!) + '\n');
    }
  }
}

if (import.meta.filename === process.argv[1]) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
