import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, digestOf, sha256 } from '../../engine/plan/canonical.js';

describe('canonical JSON and its digest', () => {
  it('sorts keys at every depth, drops undefined, and walks integer-like keys first as JSON.stringify does', () => {
    const v = { b: 1, 10: 'ten', a: [undefined, { z: 1, y: undefined }], 2: 'two', '01': 0 };
    expect(canonicalJson(v)).toBe('{"2":"two","10":"ten","01":0,"a":[null,{"z":1}],"b":1}');
  });

  it('hashes as a Hash object does (digests in saved plans and impacts keep their values)', () => {
    expect(sha256('abc')).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(sha256('é\u0000名')).toBe(createHash('sha256').update('é\u0000名').digest('hex'));
    expect(sha256(new Uint8Array([1, 2, 3]))).toBe(createHash('sha256').update(new Uint8Array([1, 2, 3])).digest('hex'));
    expect(digestOf({ b: 1, a: 2 })).toBe(createHash('sha256').update('{"a":2,"b":1}').digest('hex'));
  });
});
