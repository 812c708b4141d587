import { describe, expect, it } from 'vitest';
import { benchStripe } from './stripe-bench.js';

describe('benchStripe', () => {
  it('measures the adapter and the bare SDK at each concurrency', async () => {
    const results = await benchStripe({ requests: 20, concurrencies: [1, 4] });
    expect(results.map((row) => `${row.label}@${row.concurrency}`)).toEqual([
      'adapter@1',
      'bare-sdk@1',
      'adapter@4',
      'bare-sdk@4',
    ]);
    for (const row of results) {
      expect(row.opsPerSec).toBeGreaterThan(0);
      expect(row.p99Ms).toBeGreaterThanOrEqual(row.p50Ms);
    }
  });

  it('refuses unbounded runs', async () => {
    await expect(benchStripe({ requests: 0, concurrencies: [1] })).rejects.toThrow(/requests/);
    await expect(benchStripe({ requests: 1, concurrencies: [1000] })).rejects.toThrow(/concurrency/);
  });
});
