import { benchPayPal } from '../src/connectors/paypal/paypal-bench.js';
import { benchSquare } from '../src/connectors/square/square-bench.js';
import { benchStripe } from '../src/connectors/stripe/stripe-bench.js';

interface BenchRow {
  readonly label: 'adapter' | 'bare-sdk';
  readonly concurrency: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const CONCURRENCIES = [1, 8, 32];
/** Refunds per concurrency level and per path: bounded so the whole run stays under a minute or two. */
const REQUESTS = 200;

function format(vendor: string, rows: readonly BenchRow[]): string[] {
  const lines = [`${vendor}: ${REQUESTS} refunds per level, loopback sandbox`];
  for (const concurrency of CONCURRENCIES) {
    const adapter = rows.find((r) => r.label === 'adapter' && r.concurrency === concurrency);
    const bare = rows.find((r) => r.label === 'bare-sdk' && r.concurrency === concurrency);
    if (!adapter || !bare) continue;
    const ratio = bare.opsPerSec > 0 ? (adapter.opsPerSec / bare.opsPerSec).toFixed(2) : 'n/a';
    lines.push(
      `  c=${String(concurrency).padStart(2)}  adapter ${adapter.opsPerSec.toFixed(1).padStart(7)} refunds/s ` +
        `p50 ${adapter.p50Ms.toFixed(1)} ms p99 ${adapter.p99Ms.toFixed(1)} ms | ` +
        `bare SDK ${bare.opsPerSec.toFixed(1).padStart(7)} refunds/s p50 ${bare.p50Ms.toFixed(1)} ms p99 ${bare.p99Ms.toFixed(1)} ms | ` +
        `adapter/bare ${ratio}`,
    );
  }
  return lines;
}

/** Refund throughput through each adapter and through the bare official SDK, at concurrency 1, 8 and 32. */
export async function benchGateways(): Promise<string[]> {
  const options = { requests: REQUESTS, concurrencies: CONCURRENCIES };
  return [
    ...format('stripe', await benchStripe(options)),
    ...format('paypal', await benchPayPal(options)),
    ...format('square', await benchSquare(options)),
  ];
}
