import type { ChildProcess } from 'node:child_process';

/**
 * Poll `probe` until it resolves true, the child exits, or `timeoutMs` passes. A server that
 * does not come up fails the run with its own output attached; tests never skip.
 */
export async function waitReady(name: string, child: ChildProcess, output: () => string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output().slice(-4000)}`);
    }
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} was not ready after ${timeoutMs} ms (last probe error: ${lastError}):\n${output().slice(-4000)}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Keep the last `max` characters a child printed, for error messages. */
export function captureOutput(child: ChildProcess, max = 20_000): () => string {
  let buf = '';
  const add = (chunk: Buffer): void => {
    buf = (buf + chunk.toString('utf8')).slice(-max);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => buf;
}
