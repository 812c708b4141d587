import type { HttpBindings } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import type { FaultQueue, SandboxFault } from '../gateway-sandbox.js';
import { StripeSandboxFailure } from './stripe-sandbox-errors.js';
import type { StripeSandboxIdempotency } from './stripe-sandbox-idempotency.js';

/** Faults the refund endpoint itself applies (inside idempotency, so their results are saved like Stripe's). */
export type EndpointFault = Extract<SandboxFault, { kind: 'http_500' | 'drop_response' | 'pending' }>;

/** The Node socket under a request when served by @hono/node-server; absent under `app.request()`. */
export function nodeSocketOf(
  c: Context,
): { destroy(): void; once(event: 'close', listener: () => void): void } | undefined {
  const bindings = c.env as Partial<HttpBindings> | undefined;
  return bindings?.incoming?.socket;
}

/** Holds the request until its connection closes (client timeout or server shutdown), with a ceiling. */
function waitForDisconnect(c: Context): Promise<void> {
  return new Promise((resolve) => {
    const ceiling = setTimeout(resolve, 120_000);
    ceiling.unref();
    nodeSocketOf(c)?.once('close', () => {
      clearTimeout(ceiling);
      resolve();
    });
  });
}

/**
 * Takes the next queued fault for a refund-create call. Rate limiting and unanswered requests happen
 * before Stripe's endpoint runs (nothing applied, nothing saved for the idempotency key); latency
 * delays the call; the others are handed to the endpoint through `endpointFaults`.
 */
export function refundFaultMiddleware(
  faults: FaultQueue,
  idempotency: StripeSandboxIdempotency,
  endpointFaults: WeakMap<Request, EndpointFault>,
): MiddlewareHandler {
  return async (c, next) => {
    const fault = faults.next();
    if (!fault) return next();
    switch (fault.kind) {
      case 'latency':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return next();
      case 'http_429': {
        const failure = new StripeSandboxFailure(
          429,
          'invalid_request_error',
          'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
          { code: 'rate_limit' },
        );
        c.header('Retry-After', String(fault.retryAfterSeconds ?? 1));
        return c.json(failure.toBody(), 429);
      }
      case 'timeout':
        idempotency.markNotExecuted(c.req.raw);
        await waitForDisconnect(c);
        return c.body(null, 504);
      default:
        endpointFaults.set(c.req.raw, fault);
        return next();
    }
  };
}
