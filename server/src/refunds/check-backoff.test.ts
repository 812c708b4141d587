import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDelayMs } from './check-backoff.js';
import { MAX_RESOLVE_TRIES } from './resolve-refund.js';

describe('checkDelayMs', () => {
  it('doubles from 2 s per look and stops growing at 30 minutes', () => {
    expect([1, 2, 3, 4, 5].map((tries) => checkDelayMs(tries))).toEqual([2_000, 4_000, 8_000, 16_000, 32_000]);
    expect(checkDelayMs(11)).toBe(30 * 60 * 1000);
    expect(checkDelayMs(1_000)).toBe(30 * 60 * 1000);
  });

  it('never asks sooner than the gateway’s Retry-After, nor waits past the ceiling for it', () => {
    expect(checkDelayMs(1, 10_000)).toBe(10_000);
    expect(checkDelayMs(3, 1_000)).toBe(8_000);
    expect(checkDelayMs(1, 10 * 3600 * 1000)).toBe(30 * 60 * 1000);
  });

  it('grows monotonically for any tries and Retry-After', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 10_000 }), fc.nat(), (tries, retryAfter) => {
        const now = checkDelayMs(tries, retryAfter);
        expect(now).toBeGreaterThanOrEqual(2_000);
        expect(checkDelayMs(tries + 1, retryAfter)).toBeGreaterThanOrEqual(now);
      }),
    );
  });

  it('spends about an hour and a half on the looks before a case goes to a person', () => {
    let total = 0;
    for (let tries = 1; tries <= MAX_RESOLVE_TRIES; tries++) total += checkDelayMs(tries);
    expect(total).toBeGreaterThan(60 * 60 * 1000);
    expect(total).toBeLessThan(2 * 60 * 60 * 1000);
  });
});
