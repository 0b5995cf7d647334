import { describe, expect, it } from 'vitest';
import { unclosedOpener } from '../../engine/policy/yaml-unclosed.js';

describe('unclosedOpener', () => {
  it('finds the bracket left open, skipping closed ones, quoted brackets and comments', () => {
    const text = 'a: { b: [1, 2], c: "}]", d: \'{\' # } ]\ne: 1\n';
    expect(unclosedOpener(text, text.indexOf('e:'))).toBe(3);
  });

  it('returns the innermost open bracket', () => {
    const text = 'a: [ { x: 1 }, [ 2\nb: 1\n';
    expect(unclosedOpener(text, text.indexOf('b:'))).toBe(text.indexOf('[ 2'));
  });

  it('returns null when everything is closed', () => {
    const text = 'a: { b: [1] }\nb: "{"\n';
    expect(unclosedOpener(text, text.length)).toBeNull();
  });
});
