import Stripe from 'stripe';

/** Socket errors the SDK retries once even with `maxNetworkRetries: 0` (stripe-node issue #1040). */
const CLOSED_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * The SDK's own Node client, except that a write whose connection closed before Stripe answered is
 * reported instead of silently retried: it may have been applied, and our engine resolves that outcome
 * by asking Stripe, never by a hidden retry (the renamed code keeps the SDK from retrying). A read is
 * sent once more: usually the server closed the pooled keep-alive socket just as it was reused.
 */
export class ReportClosedConnectionHttpClient extends Stripe.HttpClient {
  readonly #inner = Stripe.createNodeHttpClient();

  override getClientName(): string {
    return 'node-report-closed-connection';
  }

  override makeRequest(
    ...args: Parameters<Stripe.HttpClient['makeRequest']>
  ): ReturnType<Stripe.HttpClient['makeRequest']> {
    const isRead = args[3] === 'GET';
    return this.#inner.makeRequest(...args).catch((error: unknown) => {
      if (!isClosedConnection(error)) throw error;
      // A read is safe to send again: most often the pooled keep-alive socket was closed by the server
      // just as we reused it. A write is reported instead (it may have been applied).
      if (!isRead) throw reported(error);
      return this.#inner.makeRequest(...args).catch((again: unknown) => {
        throw reported(again);
      });
    });
  }
}

function isClosedConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CLOSED_CONNECTION_CODES.has(code);
}

function reported(error: unknown): unknown {
  if (!isClosedConnection(error)) return error;
  const code = (error as { code: string }).code;
  const closed = new Error(`connection closed before Stripe answered (${code})`, { cause: error });
  Object.assign(closed, { code: 'ERESPONSELOST' });
  return closed;
}
