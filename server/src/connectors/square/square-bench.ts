import { SquareClient } from 'square';
import { money } from '../../money/money.js';
import { startSandboxServer } from '../../sandboxes/sandbox-server.js';
import { createSquareSandbox } from '../../sandboxes/square/square-sandbox.js';
import { createSquareGateway } from './square-gateway.js';

export interface SquareBenchRow {
  readonly label: 'adapter' | 'bare-sdk';
  readonly concurrency: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const ACCESS_TOKEN = 'EAAAl-bench-token';
const MAX_REQUESTS = 20_000;
const MAX_CONCURRENCY = 256;

/**
 * Refund throughput on loopback: our adapter against a bare official-SDK RefundPayment call, at each
 * concurrency. Every refund gets its own seeded payment and key, so no call is an idempotent replay.
 */
export async function benchSquare(options: { requests: number; concurrencies: number[] }): Promise<SquareBenchRow[]> {
  const requests = Math.min(Math.max(1, Math.floor(options.requests)), MAX_REQUESTS);
  const concurrencies = options.concurrencies.map((value) => Math.min(Math.max(1, Math.floor(value)), MAX_CONCURRENCY));
  const sandbox = createSquareSandbox({ credentials: { accessToken: ACCESS_TOKEN } });
  const server = await startSandboxServer(sandbox.app);
  try {
    const gateway = createSquareGateway({ accessToken: ACCESS_TOKEN, baseUrl: server.url, timeoutMs: 15_000 });
    const sdk = new SquareClient({ token: ACCESS_TOKEN, baseUrl: server.url, maxRetries: 0, timeoutInSeconds: 15 });
    const rows: SquareBenchRow[] = [];
    let run = 0;
    for (const concurrency of concurrencies) {
      for (const label of ['adapter', 'bare-sdk'] as const) {
        run += 1;
        const payments = await seedPayments(sandbox, requests);
        const refundOne = async (index: number) => {
          const paymentRef = payments[index] ?? '';
          const idempotencyKey = `bench-${run}-${index}`;
          if (label === 'adapter') {
            await gateway.refund({
              paymentRef,
              amount: money(100, 'USD'),
              reason: 'requested_by_customer',
              idempotencyKey,
              metadata: { caseId: `case_${index}` },
            });
          } else {
            await sdk.refunds.refundPayment({
              paymentId: paymentRef,
              idempotencyKey,
              amountMoney: { amount: BigInt(100), currency: 'USD' },
            });
          }
        };
        rows.push({ label, concurrency, ...(await measure(requests, concurrency, refundOne)) });
      }
    }
    return rows;
  } finally {
    sandbox.close();
    await server.close();
  }
}

async function seedPayments(sandbox: ReturnType<typeof createSquareSandbox>, count: number): Promise<string[]> {
  const payments: string[] = [];
  for (let index = 0; index < count; index++) {
    const { paymentRef } = await sandbox.createPayment({
      amount: money(1_000, 'USD'),
      email: `bench${index}@example.com`,
    });
    payments.push(paymentRef);
  }
  return payments;
}

async function measure(requests: number, concurrency: number, call: (index: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const index = next++;
      const started = performance.now();
      await call(index);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    opsPerSec: round((requests / elapsedMs) * 1000),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
  };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
