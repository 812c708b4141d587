import { money } from '../../money/money.js';
import { createStripeGateway } from './stripe-gateway.js';
import { startStripeSandbox, TEST_SECRET_KEY } from './stripe-testing.js';

export interface StripeBenchResult {
  readonly label: 'adapter' | 'bare-sdk';
  readonly concurrency: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Runs `count` operations with at most `concurrency` in flight; returns each one's latency. */
async function runPool(count: number, concurrency: number, operation: (index: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const opStarted = performance.now();
      await operation(index);
      latencies.push(performance.now() - opStarted);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { latencies, elapsedMs: performance.now() - started };
}

function percentile(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * fraction) - 1));
  return Math.round((sorted[index] ?? 0) * 100) / 100;
}

/**
 * Refund throughput and latency on loopback: through our adapter (which reads the payment's currency,
 * then creates the refund) and through a bare official-SDK `refunds.create`, at each concurrency.
 */
export async function benchStripe(options: {
  requests: number;
  concurrencies: number[];
}): Promise<StripeBenchResult[]> {
  if (!Number.isSafeInteger(options.requests) || options.requests < 1 || options.requests > 20_000) {
    throw new Error('benchStripe: requests must be an integer from 1 to 20000');
  }
  if (options.concurrencies.some((c) => !Number.isSafeInteger(c) || c < 1 || c > 256)) {
    throw new Error('benchStripe: each concurrency must be an integer from 1 to 256');
  }
  const running = await startStripeSandbox();
  try {
    const gateway = createStripeGateway({ secretKey: TEST_SECRET_KEY, baseUrl: running.server.url, timeoutMs: 15_000 });
    const results: StripeBenchResult[] = [];
    let keySeq = 0;
    for (const concurrency of options.concurrencies) {
      for (const label of ['adapter', 'bare-sdk'] as const) {
        const refs: string[] = [];
        for (let i = 0; i < options.requests; i++) {
          const { paymentRef } = await running.sandbox.createPayment({
            amount: money(1000, 'USD'),
            email: 'bench@example.com',
          });
          refs.push(paymentRef);
        }
        const { latencies, elapsedMs } = await runPool(options.requests, concurrency, (index) => {
          const paymentRef = refs[index] ?? '';
          keySeq += 1;
          const idempotencyKey = `bench-${keySeq}`;
          if (label === 'bare-sdk') {
            return running.stripe.refunds.create({ payment_intent: paymentRef, amount: 500 }, { idempotencyKey });
          }
          const amount = money(500, 'USD');
          return gateway.refund({ paymentRef, amount, reason: 'requested_by_customer', idempotencyKey, metadata: {} });
        });
        const sorted = [...latencies].sort((a, b) => a - b);
        results.push({
          label,
          concurrency,
          opsPerSec: Math.round((options.requests / elapsedMs) * 1000 * 10) / 10,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
        });
      }
    }
    return results;
  } finally {
    await running.server.close();
  }
}
