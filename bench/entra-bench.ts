import { pathToFileURL } from 'node:url';
import { startGraphEmulator, type GraphEmulator } from '../test/emulators/graph/index.js';
import { createEntraProvider, type EntraProvider } from '../providers/entra/index.js';
import type { Change } from '../engine/model/plan.js';

/**
 * Microsoft Entra throughput, against the local Graph emulator enforcing the documented
 * users/groups write quota (3,000 writes per 150 s per app, sliding window):
 *  1. 10,000 account creates through the real Graph SDK client, `$batch` of 20 and the
 *     provider's client-side limiter: wall time and the fraction of the quota used.
 *  2. A full read of 100,000 users (seeded directly into the emulator), 999 per page.
 *
 * Time scaling (method): at the real quota, 10,000 creates take at least 450 s (three full
 * windows of 3,000 after the first burst, then the last 1,000). `timeScale` runs the
 * emulator's clock and the provider's waits (window, Retry-After, backoff) that many times
 * faster; everything else (HTTP, JSON, the SDK) runs at real speed. Wall times are reported
 * both as measured and converted back to emulated seconds (measured / timeScale). With a
 * small timeScale, real overheads weigh more, so the quota fraction is a lower bound.
 *
 * quotaUsed = ideal / actual emulated time, where ideal = the least time the sliding window
 * allows for N writes from an idle start: (ceil(N / limit) - 1) * window.
 * nominalRate = accepted writes / emulated seconds / (limit / window) (above 1 is possible
 * because an idle window admits a first burst of `limit`).
 */

export interface EntraBenchOptions {
  creates?: number;
  readUsers?: number;
  /** Real time per emulated time; 1 = real time (creates then take >= 450 s). */
  timeScale?: number;
  /** 5xx fraction injected during the create run (0 for the quota figure). */
  errorRate?: number;
  concurrency?: number;
  log?: (message: string) => void;
}

export interface EntraBenchResult {
  quota: { limit: number; windowSeconds: number; timeScale: number };
  creates: {
    count: number;
    failed: number;
    duplicates: number;
    wallSecondsReal: number;
    wallSecondsEmulated: number;
    idealSecondsEmulated: number;
    quotaUsed: number;
    nominalRate: number;
    acceptedWrites: number;
    throttled: number;
    batches: number;
  };
  read: { users: number; wallSeconds: number; requests: number; usersPerSecond: number };
}

const TENANT = 'bench-tenant';
const DOMAIN = 'bench.k12.example';
const ENV = { RC_BENCH_ENTRA_ID: 'bench-app', RC_BENCH_ENTRA_SECRET: 'bench-secret' };

async function providerFor(emu: GraphEmulator, timeScale: number, concurrency: number): Promise<EntraProvider> {
  return createEntraProvider(
    {
      name: 'bench',
      provider: 'entra',
      settings: {
        tenantId: TENANT,
        clientIdEnv: 'RC_BENCH_ENTRA_ID',
        clientSecretEnv: 'RC_BENCH_ENTRA_SECRET',
        authorityHost: emu.url,
        graphHost: emu.url,
        upnDomain: DOMAIN,
        timeScale,
        concurrency,
        adminUnitFromPathSegment: null,
      },
      origin: { id: 'bench' },
    },
    { policyDir: '/nonexistent', env: ENV, log: () => {} },
  );
}

function createChange(i: number): Change {
  const username = `bench${i}`;
  return {
    id: `bench:account:b${i}:create`,
    target: 'bench',
    kind: 'account',
    action: 'create',
    anchor: `b${i}`,
    key: `b${i}`,
    after: { username, givenName: 'Bench', familyName: `User${i}`, displayName: `Bench User${i}`, email: `${username}@${DOMAIN}`, path: 'Students/BEN/2030', enabled: true },
    reason: { cause: 'sis', detail: 'bench' },
  };
}

export async function runEntraBench(opts: EntraBenchOptions = {}): Promise<EntraBenchResult> {
  const n = opts.creates ?? 10_000;
  const readUsers = opts.readUsers ?? 100_000;
  const timeScale = opts.timeScale ?? 0.01;
  const concurrency = opts.concurrency ?? 4;
  const log = opts.log ?? (() => {});
  const limit = 3000;
  const windowSeconds = 150;
  const emuOpts = { tenantId: TENANT, clientId: ENV.RC_BENCH_ENTRA_ID, clientSecret: ENV.RC_BENCH_ENTRA_SECRET, domains: [DOMAIN], timeScale };

  // 1. Creates at the write quota.
  const emu = await startGraphEmulator({ ...emuOpts, throttle: { writeLimit: limit, writeWindowMs: windowSeconds * 1000 }, faults: { errorRate: opts.errorRate ?? 0 } });
  let creates: EntraBenchResult['creates'];
  try {
    const p = await providerFor(emu, timeScale, concurrency);
    log(`entra bench: ${n} creates at ${limit} writes / ${windowSeconds} s (time x${1 / timeScale})`);
    const t0 = performance.now();
    const out = await p.applyMany(Array.from({ length: n }, (_, i) => createChange(i)), () => ({ initialPassword: 'Bench-Pass-2026!' }));
    const wall = (performance.now() - t0) / 1000;
    const emulated = wall / timeScale;
    const ideal = (Math.ceil(n / limit) - 1) * windowSeconds;
    const dup = [...emu.state.countBy('employeeId').values()].filter((c) => c > 1).length;
    creates = {
      count: n,
      failed: [...out.values()].filter((o) => o.status === 'failed').length,
      duplicates: dup,
      wallSecondsReal: round(wall),
      wallSecondsEmulated: round(emulated),
      idealSecondsEmulated: ideal,
      quotaUsed: round(ideal / emulated, 3),
      nominalRate: round(emu.stats.writes / emulated / (limit / windowSeconds), 3),
      acceptedWrites: emu.stats.writes,
      throttled: emu.stats.throttled,
      batches: p.runner.stats.batches,
    };
  } finally {
    await emu.stop();
  }

  // 2. A full read of 100,000 users, seeded straight into the emulator's store.
  const emu2 = await startGraphEmulator({ ...emuOpts, timeScale: 1 });
  let read: EntraBenchResult['read'];
  try {
    for (let i = 0; i < readUsers; i++) {
      emu2.state.create('users', {
        accountEnabled: true,
        displayName: `Read User${i}`,
        givenName: 'Read',
        surname: `User${i}`,
        mailNickname: `read${i}`,
        userPrincipalName: `read${i}@${DOMAIN}`,
        mail: `read${i}@${DOMAIN}`,
        employeeId: `r${i}`,
        otherMails: [],
        proxyAddresses: [],
        onPremisesExtensionAttributes: { extensionAttribute1: `Students/S${i % 20}/${2027 + (i % 13)}` },
      });
    }
    const p = await providerFor(emu2, 1, concurrency);
    log(`entra bench: full read of ${readUsers} users`);
    const before = emu2.stats.requests;
    const t0 = performance.now();
    const snap = await p.read();
    const wall = (performance.now() - t0) / 1000;
    read = { users: snap.accounts.length, wallSeconds: round(wall), requests: emu2.stats.requests - before, usersPerSecond: Math.round(snap.accounts.length / wall) };
  } finally {
    await emu2.stop();
  }
  return { quota: { limit, windowSeconds, timeScale }, creates, read };
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string): number | undefined => {
    const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
    return hit ? Number(hit.split('=')[1]) : undefined;
  };
  const result = await runEntraBench({ timeScale: arg('time-scale'), creates: arg('creates'), readUsers: arg('read-users'), errorRate: arg('error-rate'), log: (m) => console.error(m) });
  console.log(JSON.stringify(result, null, 2));
}
