import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { ExportFile } from './file-set.js';

/**
 * sha256 (hex) of an export file. A large file on disk is hashed on a worker thread, so the
 * main thread can parse other files meanwhile (a gigabyte of enrollments takes seconds to
 * hash); a small one (IN_THREAD_BYTES), a zip entry, or a file the worker fails on, is hashed here.
 */
export function sha256OfFile(file: ExportFile): Promise<string> {
  if (!file.path) return hashHere(file);
  if (file.size < IN_THREAD_BYTES) {
    try {
      return Promise.resolve(hashFileNow(file.path));
    } catch {
      return hashHere(file);
    }
  }
  return hashOnWorker(file.path).catch(() => hashHere(file));
}

/**
 * Smaller files are hashed here, at once: a worker takes 30-50 ms to start on this kind of
 * machine and SHA-256 runs at about 1 GB/s, so below this size waiting for a worker costs more
 * than the hashing blocks (a 1,000-person export's four cached files took ~200 ms of workers).
 */
const IN_THREAD_BYTES = 16 << 20;

function hashFileNow(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

// Plain CommonJS so it runs the same from dist/ and from the TypeScript sources under test.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const h = createHash('sha256');
const fd = fs.openSync(workerData, 'r');
try {
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let n = fs.readSync(fd, buf, 0, buf.length, null); n > 0; n = fs.readSync(fd, buf, 0, buf.length, null)) h.update(buf.subarray(0, n));
} finally {
  fs.closeSync(fd);
}
parentPort.postMessage(h.digest('hex'));
`;

function hashOnWorker(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: path });
    let done = false;
    w.once('message', (m: unknown) => {
      done = true;
      if (typeof m === 'string' && /^[0-9a-f]{64}$/.test(m)) resolve(m);
      else reject(new Error('hash worker: bad answer'));
    });
    w.once('error', (e) => {
      done = true;
      reject(e);
    });
    w.once('exit', (code) => {
      if (!done) reject(new Error(`hash worker exited with ${code}`));
    });
  });
}

async function hashHere(file: ExportFile): Promise<string> {
  const h = createHash('sha256');
  const stream = await file.open();
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) h.update(chunk);
  } finally {
    stream.destroy();
  }
  return h.digest('hex');
}
