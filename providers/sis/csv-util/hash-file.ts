import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { ExportFile } from './file-set.js';

/**
 * sha256 (hex) of an export file. A file on disk is hashed on a worker thread, so the main
 * thread can parse other files meanwhile (a gigabyte of enrollments takes seconds to hash);
 * a zip entry, or a worker that fails, is hashed here.
 */
export function sha256OfFile(file: ExportFile): Promise<string> {
  if (!file.path) return hashHere(file);
  return hashOnWorker(file.path).catch(() => hashHere(file));
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
