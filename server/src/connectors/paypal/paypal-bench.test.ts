import { describe, expect, it } from 'vitest';
import { benchPayPal } from './paypal-bench.js';

describe('benchPayPal', () => {
  it('measures the adapter and the bare SDK at each concurrency', async () => {
    const rows = await benchPayPal({ requests: 20, concurrencies: [1, 4] });
    expect(rows.map((r) => `${r.label}@${r.concurrency}`)).toEqual([
      'adapter@1',
      'bare-sdk@1',
      'adapter@4',
      'bare-sdk@4',
    ]);
    for (const row of rows) {
      expect(row.opsPerSec).toBeGreaterThan(0);
      expect(row.p50Ms).toBeGreaterThan(0);
      expect(row.p99Ms).toBeGreaterThanOrEqual(row.p50Ms);
    }
  });

  it('refuses unbounded runs', async () => {
    await expect(benchPayPal({ requests: 0, concurrencies: [1] })).rejects.toThrow(/requests/);
    await expect(benchPayPal({ requests: 10, concurrencies: [10_000] })).rejects.toThrow(/concurrency/);
  });
});
