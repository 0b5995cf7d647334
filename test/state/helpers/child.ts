import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A spawned child that prints JSON lines; tests wait for particular events. */
export interface ChildEvent {
  event: string;
  [k: string]: unknown;
}

export interface RunningChild {
  proc: ChildProcess;
  events: ChildEvent[];
  waitFor(event: string, timeoutMs?: number): Promise<ChildEvent>;
  exited: Promise<number | null>;
}

export function runChild(script: string, args: string[], env: NodeJS.ProcessEnv = {}): RunningChild {
  const proc = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const events: ChildEvent[] = [];
  const waiters: { event: string; resolve: (e: ChildEvent) => void }[] = [];
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let e: ChildEvent;
    try {
      e = JSON.parse(line) as ChildEvent;
    } catch {
      return;
    }
    events.push(e);
    for (const w of waiters.filter((w) => w.event === e.event)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  // 'close' (not 'exit'): every line the child wrote has been read by then.
  const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
  return {
    proc,
    events,
    exited,
    waitFor(event, timeoutMs = 15_000) {
      const have = events.find((e) => e.event === event);
      if (have) return Promise.resolve(have);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`child never said ${event}; events ${JSON.stringify(events)}; stderr ${stderr}`)), timeoutMs);
        waiters.push({ event, resolve: (e) => (clearTimeout(t), resolve(e)) });
        void exited.then(() =>
          setTimeout(() => {
            clearTimeout(t);
            const again = events.find((e) => e.event === event);
            if (again) resolve(again);
            else reject(new Error(`child exited without ${event}; events ${JSON.stringify(events)}; stderr ${stderr}`));
          }, 50),
        );
      });
    },
  };
}

/** Wait until `cond` holds (polling), or fail after `ms`. */
export async function waitUntil(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
