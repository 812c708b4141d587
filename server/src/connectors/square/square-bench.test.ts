import { describe, expect, it } from 'vitest';
import { benchSquare } from './square-bench.js';

describe('benchSquare', () => {
  it('measures the adapter and the bare SDK at each concurrency', async () => {
    const rows = await benchSquare({ requests: 12, concurrencies: [1, 4] });
    expect(rows.map((row) => [row.label, row.concurrency])).toEqual([
      ['adapter', 1],
      ['bare-sdk', 1],
      ['adapter', 4],
      ['bare-sdk', 4],
    ]);
    for (const row of rows) {
      expect(row.opsPerSec).toBeGreaterThan(0);
      expect(row.p50Ms).toBeGreaterThan(0);
      expect(row.p99Ms).toBeGreaterThanOrEqual(row.p50Ms);
    }
  });
});
