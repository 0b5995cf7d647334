import { BusyError, ConstraintViolationError, UnavailableError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { TerminalProviderError } from '../../engine/model/errors.js';
import { describeError, isTransient, withRetry } from '../../providers/ldap/connection.js';

describe('retry policy', () => {
  it('classifies busy/unavailable and network errors as transient, the rest as terminal', () => {
    expect(isTransient(new BusyError('busy'))).toBe(true);
    expect(isTransient(new UnavailableError('down'))).toBe(true);
    expect(isTransient(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(new ConstraintViolationError('0000052D: Constraint violation'))).toBe(false);
    expect(isTransient(new TerminalProviderError('x', 'no'))).toBe(false);
    expect(isTransient(new TypeError('bug'))).toBe(false);
  });

  it('retries transient failures and then succeeds', async () => {
    let calls = 0;
    const out = await withRetry(async () => {
      calls++;
      if (calls < 3) throw new BusyError('busy');
      return 'ok';
    }, { baseMs: 1 });
    expect(out).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry terminal failures, and gives up after the attempt limit', async () => {
    let calls = 0;
    await expect(withRetry(async () => {
      calls++;
      throw new ConstraintViolationError('x');
    }, { baseMs: 1 })).rejects.toThrow();
    expect(calls).toBe(1);
    calls = 0;
    await expect(withRetry(async () => {
      calls++;
      throw new BusyError('busy');
    }, { baseMs: 1, attempts: 4 })).rejects.toBeInstanceOf(BusyError);
    expect(calls).toBe(4);
  });

  it('describes errors without DNs (which may hold names)', () => {
    expect(describeError(new ConstraintViolationError('0000052D: Constraint violation - check_password_restrictions'))).toBe('LDAP 19 ConstraintViolationError (0000052D)');
    expect(describeError(new ConstraintViolationError('entry CN=Ana Li,OU=x already'))).toBe('LDAP 19 ConstraintViolationError');
  });
});
