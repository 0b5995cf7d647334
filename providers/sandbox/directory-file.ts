import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { expectEnd, expectLine, LayoutError, LineWindow, readMapBody } from '../../engine/state/line-window.js';
import type { SandboxData } from './store.js';

/**
 * `directory.json`, the sandbox's compacted base. compact() writes it one account or group
 * per line (still one JSON document), streamed, and it is read back in windows, because a
 * sandbox of a million accounts is close to V8's largest string. A file in any other layout
 * (one line of JSON, as older releases and the benchmark fixtures write) is parsed whole.
 *
 *   {"seq":12,"containers":["Staff","Students"],
 *   "accounts":{
 *   "u000001":{...},
 *   ...
 *   },
 *   "groups":{
 *   "g000002":{...}
 *   }
 *   }
 */

const HEADER_PREFIX = '{"seq":';
const WRITE_BATCH = 1 << 20;
const WINDOW_BYTES = 4 * 2 ** 20;

function* lines(data: SandboxData): Generator<string> {
  yield `${HEADER_PREFIX}${JSON.stringify(data.seq)},"containers":${JSON.stringify(data.containers)},\n"accounts":{\n`;
  yield* entries(data.accounts);
  yield '},\n"groups":{\n';
  yield* entries(data.groups);
  yield '}\n}\n';
}

function* entries(map: Record<string, object>): Generator<string> {
  const ids = Object.keys(map);
  const last = ids.length - 1;
  for (let i = 0; i <= last; i++) {
    const id = ids[i] as string;
    yield `${JSON.stringify(id)}:${JSON.stringify(map[id])}${i === last ? '\n' : ',\n'}`;
  }
}

/** Write `data` to `path` through a temp file: fsync, then rename over the old one. */
export function writeDirectoryFile(path: string, data: SandboxData): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    let parts: string[] = [];
    let size = 0;
    const flush = (): void => {
      const buf = Buffer.from(parts.join(''), 'utf8');
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
      parts = [];
      size = 0;
    };
    for (const l of lines(data)) {
      parts.push(l);
      size += l.length;
      if (size >= WRITE_BATCH) flush();
    }
    flush();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The directory in `path`, or an error naming where its layout broke. */
export function readDirectoryFile(path: string): SandboxData {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
    const win = new LineWindow(fd, WINDOW_BYTES);
    const first = win.line();
    if (first !== null && first.startsWith(HEADER_PREFIX) && first.endsWith(',')) {
      try {
        const head = JSON.parse(`${first.slice(0, -1)}}`) as Pick<SandboxData, 'seq' | 'containers'>;
        expectLine(win, '"accounts":{');
        const accounts = readMapBody(win) as SandboxData['accounts'];
        expectLine(win, '},');
        expectLine(win, '"groups":{');
        const groups = readMapBody(win) as SandboxData['groups'];
        expectLine(win, '}');
        expectLine(win, '}');
        expectEnd(win);
        return { seq: head.seq, accounts, groups, containers: head.containers };
      } catch (err) {
        if (!(err instanceof LayoutError || err instanceof SyntaxError)) throw err;
        if (size > WHOLE_FILE_LIMIT) throw new Error(`sandbox ${path}: ${err.message} (at byte ${err instanceof LayoutError ? err.offset : 0})`);
      }
    }
  } finally {
    closeSync(fd);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as SandboxData;
}

/** Below V8's string limit with room for multi-byte text. */
const WHOLE_FILE_LIMIT = 400 * 2 ** 20;
