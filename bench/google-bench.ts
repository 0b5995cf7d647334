import { pathToFileURL } from 'node:url';
import { startGoogleEmulator } from '../test/emulators/google/index.js';
import { type GoogleProvider, googleProviderModule } from '../providers/google/index.js';
import type { Change } from '../engine/model/plan.js';

/**
 * Google Workspace throughput, against the local emulator with the documented quota
 * (2,400 queries per 60 s per user, enforced by the emulator as a sliding window):
 *  1. 10,000 account creates through the real SDK client and the provider's limiter:
 *     wall time and the fraction of the quota used (accepted calls / calls the quota allows
 *     in that time). Goal: >= 90%.
 *  2. A full read of 100,000 users (seeded directly), 500 per page, at the same quota.
 * `windowMs` scales the quota window for quick runs (2,400 per 6 s is the same shape ten
 * times faster); the figures to quote come from the default, real 60 s window.
 */
export interface GoogleBenchOptions {
  creates?: number;
  readUsers?: number;
  qpm?: number;
  windowMs?: number;
  concurrency?: number;
  log?: (message: string) => void;
}

export interface GoogleBenchResult {
  quota: { limit: number; windowMs: number };
  creates: {
    count: number;
    failed: number;
    wallSeconds: number;
    acceptedCalls: number;
    rejectedByQuota: number;
    callsPerSecond: number;
    /** accepted calls / (limit * wall / window). */
    quotaUsed: number;
  };
  read: { users: number; wallSeconds: number; calls: number; usersPerSecond: number };
}

const DOMAIN = 'bench.example.edu';
const KEY_ENV = 'ROLLCALL_BENCH_GOOGLE_KEY';

async function providerFor(emu: Awaited<ReturnType<typeof startGoogleEmulator>>, qpm: number, windowMs: number, concurrency: number): Promise<GoogleProvider> {
  return (await googleProviderModule.create(
    {
      name: 'bench',
      provider: 'google',
      settings: { domain: DOMAIN, rootUrl: emu.url, tokenUrl: emu.tokenUrl, credentialsEnv: KEY_ENV, subject: `admin@${DOMAIN}`, orgUnitRoot: '/Rollcall', qpm, quotaWindowMs: windowMs, concurrency },
      origin: { id: 'bench' },
    },
    { policyDir: '/nonexistent', env: { [KEY_ENV]: JSON.stringify(emu.serviceAccount) }, log: () => {} },
  )) as GoogleProvider;
}

function createChange(i: number): Change {
  const username = `bench${i}`;
  return {
    id: `bench:account:${username}:create`,
    target: 'bench',
    kind: 'account',
    action: 'create',
    anchor: `B-${i}`,
    key: username,
    after: { username, givenName: 'Bench', familyName: `User${i}`, displayName: `Bench User${i}`, email: `${username}@${DOMAIN}`, path: 'Students/MHS/2030', enabled: true },
    reason: { cause: 'sis', detail: 'benchmark' },
  };
}

export async function runGoogleBench(opts: GoogleBenchOptions = {}): Promise<GoogleBenchResult> {
  const creates = opts.creates ?? 10_000;
  const readUsers = opts.readUsers ?? 100_000;
  const limit = opts.qpm ?? 2400;
  const windowMs = opts.windowMs ?? 60_000;
  const concurrency = opts.concurrency ?? 16;
  const log = opts.log ?? (() => {});

  // 1. Creates at the quota.
  const emu = await startGoogleEmulator({ domains: [DOMAIN], quota: { limit, windowMs } });
  let createResult: GoogleBenchResult['creates'];
  try {
    emu.state.seedOrgUnit('/Rollcall/Students/MHS/2030');
    const provider = await providerFor(emu, limit, windowMs, concurrency);
    try {
      await provider.apply(createChange(-1), {}); // warm-up: token exchange and first socket
      const accepted0 = emu.quota.accepted;
      const started = performance.now();
      let next = 0;
      let failed = 0;
      let done = 0;
      await Promise.all(
        Array.from({ length: concurrency * 2 }, async () => {
          while (next < creates) {
            const i = next++;
            const out = await provider.apply(createChange(i), { initialPassword: `Bench-pass-${i}` });
            if (out.status === 'failed') failed++;
            if (++done % 1000 === 0) log(`google bench: ${done}/${creates} creates`);
          }
        }),
      );
      const wallMs = performance.now() - started;
      const accepted = emu.quota.accepted - accepted0;
      createResult = {
        count: creates,
        failed,
        wallSeconds: wallMs / 1000,
        acceptedCalls: accepted,
        rejectedByQuota: emu.quota.rejected,
        callsPerSecond: accepted / (wallMs / 1000),
        quotaUsed: accepted / ((limit * wallMs) / windowMs),
      };
    } finally {
      await provider.close();
    }
  } finally {
    await emu.stop();
  }

  // 2. A full read of readUsers users at the same quota (a fresh window).
  const emu2 = await startGoogleEmulator({ domains: [DOMAIN], quota: { limit, windowMs } });
  let readResult: GoogleBenchResult['read'];
  try {
    for (let i = 0; i < readUsers; i++) {
      emu2.state.seedUser({
        primaryEmail: `u${i}@${DOMAIN}`,
        givenName: 'Read',
        familyName: `User${i}`,
        orgUnitPath: '/Rollcall',
        externalIds: [{ type: 'organization', value: `R-${i}` }],
      });
    }
    const provider = await providerFor(emu2, limit, windowMs, concurrency);
    try {
      const calls0 = emu2.state.counters.calls;
      const started = performance.now();
      const snap = await provider.read();
      const wall = (performance.now() - started) / 1000;
      readResult = { users: snap.accounts.length, wallSeconds: wall, calls: emu2.state.counters.calls - calls0, usersPerSecond: snap.accounts.length / wall };
    } finally {
      await provider.close();
    }
  } finally {
    await emu2.stop();
  }
  return { quota: { limit, windowMs }, creates: createResult, read: readResult };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string): number | undefined => {
    const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
    return hit ? Number(hit.split('=')[1]) : undefined;
  };
  runGoogleBench({ creates: arg('creates'), readUsers: arg('read'), qpm: arg('qpm'), windowMs: arg('window'), log: (m) => console.error(m) }).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
