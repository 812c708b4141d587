import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, Environment, PaymentsController } from '@paypal/paypal-server-sdk';
import { money } from '../../money/money.js';
import { createPayPalSandbox } from '../../sandboxes/paypal/paypal-sandbox.js';
import { startSandboxServer } from '../../sandboxes/sandbox-server.js';
import { hostRewritingAdapter } from './paypal-client.js';
import { createPayPalGateway } from './paypal-gateway.js';

export interface PayPalBenchRow {
  readonly label: 'adapter' | 'bare-sdk';
  readonly concurrency: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const CREDENTIALS = { clientId: 'bench-client', clientSecret: 'bench-secret' } as const;
const MAX_REQUESTS = 20_000;
const MAX_CONCURRENCY = 256;

/**
 * Refunds per second against a loopback PayPal sandbox, through our adapter and through a bare SDK call
 * (same host rewrite, no mapping or error translation), one fresh capture per refund.
 */
export async function benchPayPal(options: { requests: number; concurrencies: number[] }): Promise<PayPalBenchRow[]> {
  const { requests, concurrencies } = options;
  if (!Number.isInteger(requests) || requests < 1 || requests > MAX_REQUESTS) {
    throw new Error(`benchPayPal: requests must be an integer from 1 to ${MAX_REQUESTS}`);
  }
  if (concurrencies.some((c) => !Number.isInteger(c) || c < 1 || c > MAX_CONCURRENCY)) {
    throw new Error(`benchPayPal: each concurrency must be an integer from 1 to ${MAX_CONCURRENCY}`);
  }
  const sandbox = createPayPalSandbox({ credentials: CREDENTIALS });
  const server = await startSandboxServer(sandbox.app);
  try {
    const gateway = createPayPalGateway({ ...CREDENTIALS, baseUrl: server.url, timeoutMs: 10_000 });
    const bare = new PaymentsController(
      new Client({
        environment: Environment.Sandbox,
        timeout: 10_000,
        clientCredentialsAuthCredentials: {
          oAuthClientId: CREDENTIALS.clientId,
          oAuthClientSecret: CREDENTIALS.clientSecret,
        },
        httpClientOptions: { timeout: 10_000, retryConfig: { maxNumberOfRetries: 0 } },
        unstable_httpClientOptions: { adapter: hostRewritingAdapter(server.url) },
      }),
    );
    const seed = async () => {
      const refs: string[] = [];
      for (let i = 0; i < requests; i++) {
        refs.push((await sandbox.createPayment({ amount: money(1000, 'USD'), email: 'bench@example.com' })).paymentRef);
      }
      return refs;
    };
    const refundThroughAdapter = (paymentRef: string) =>
      gateway.refund({
        paymentRef,
        amount: money(100, 'USD'),
        reason: 'requested_by_customer',
        idempotencyKey: randomUUID(),
        metadata: { bench: '1' },
      });
    const refundThroughSdk = (captureId: string) =>
      bare.refundCapturedPayment({
        captureId,
        paypalRequestId: randomUUID(),
        prefer: 'return=representation',
        body: { amount: { currencyCode: 'USD', value: '1.00' } },
      });
    // Fetch both OAuth tokens before timing anything.
    const warmRef = (await seed())[0] ?? '';
    await refundThroughAdapter(warmRef);
    await refundThroughSdk(warmRef);

    const rows: PayPalBenchRow[] = [];
    for (const concurrency of concurrencies) {
      rows.push(await measure('adapter', concurrency, await seed(), refundThroughAdapter));
      rows.push(await measure('bare-sdk', concurrency, await seed(), refundThroughSdk));
    }
    return rows;
  } finally {
    await server.close();
  }
}

async function measure(
  label: PayPalBenchRow['label'],
  concurrency: number,
  paymentRefs: readonly string[],
  operation: (paymentRef: string) => Promise<unknown>,
): Promise<PayPalBenchRow> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < paymentRefs.length) {
      const paymentRef = paymentRefs[next++] ?? '';
      const startedAt = performance.now();
      await operation(paymentRef);
      latencies.push(performance.now() - startedAt);
    }
  };
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, paymentRefs.length) }, worker));
  const elapsedMs = performance.now() - startedAt;
  latencies.sort((a, b) => a - b);
  return {
    label,
    concurrency,
    opsPerSec: round((paymentRefs.length / elapsedMs) * 1000),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
  };
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
