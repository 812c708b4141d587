import Stripe from 'stripe';

/** Socket errors the SDK retries once even with `maxNetworkRetries: 0` (stripe-node issue #1040). */
const CLOSED_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * The SDK's own Node client, except that a connection closed before Stripe answered is reported
 * instead of silently retried: the request may have been applied, and our engine resolves that
 * outcome by asking Stripe, never by a hidden retry. The renamed code keeps the SDK from retrying.
 */
export class ReportClosedConnectionHttpClient extends Stripe.HttpClient {
  readonly #inner = Stripe.createNodeHttpClient();

  override getClientName(): string {
    return 'node-report-closed-connection';
  }

  override makeRequest(
    ...args: Parameters<Stripe.HttpClient['makeRequest']>
  ): ReturnType<Stripe.HttpClient['makeRequest']> {
    return this.#inner.makeRequest(...args).catch((error: unknown) => {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code !== 'string' || !CLOSED_CONNECTION_CODES.has(code)) throw error;
      const closed = new Error(`connection closed before Stripe answered (${code})`, { cause: error });
      Object.assign(closed, { code: 'ERESPONSELOST' });
      throw closed;
    });
  }
}
