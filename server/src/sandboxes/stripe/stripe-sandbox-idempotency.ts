import type { MiddlewareHandler } from 'hono';
import { StripeSandboxFailure } from './stripe-sandbox-errors.js';

interface SavedResult {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

const IN_FLIGHT = Symbol('in-flight');

/**
 * Stripe's v1 idempotency: the first result of a POST with an `Idempotency-Key` is saved (errors and
 * 5xx included) and replayed with `Idempotent-Replayed: true`; the same key with other parameters is
 * an `idempotency_error`; a concurrent duplicate gets 409. Results of requests that never reached the
 * endpoint (auth, rate limit, unanswered) are not saved, so a later retry executes.
 */
export class StripeSandboxIdempotency {
  readonly #results = new Map<string, SavedResult | typeof IN_FLIGHT>();
  readonly #unsaved = new WeakSet<Request>();

  /** Tells the middleware not to save this request's result: it never executed. */
  markNotExecuted(request: Request): void {
    this.#unsaved.add(request);
  }

  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const key = c.req.header('idempotency-key');
      if (c.req.method !== 'POST' || !key) return next();
      const fingerprint = `${c.req.path}\n${await c.req.text()}`;
      const saved = this.#results.get(key);
      if (saved === IN_FLIGHT) {
        const failure = new StripeSandboxFailure(
          409,
          'idempotency_error',
          `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
          { code: 'idempotency_key_in_use' },
        );
        return c.json(failure.toBody(), 409);
      }
      if (saved) {
        if (saved.fingerprint !== fingerprint) {
          const failure = new StripeSandboxFailure(
            400,
            'idempotency_error',
            `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          );
          return c.json(failure.toBody(), 400);
        }
        const headers = new Headers(saved.headers as Array<[string, string]>);
        headers.set('Idempotent-Replayed', 'true');
        return new Response(saved.body, { status: saved.status, headers });
      }
      this.#results.set(key, IN_FLIGHT);
      try {
        await next();
      } finally {
        this.#results.delete(key);
      }
      c.header('Idempotency-Key', key);
      const isSaved = !this.#unsaved.has(c.req.raw) && c.res.status !== 401 && c.res.status !== 429;
      if (isSaved) {
        const body = await c.res.clone().text();
        const headers = [...c.res.headers.entries()].filter(([name]) => name !== 'content-length');
        this.#results.set(key, { fingerprint, status: c.res.status, body, headers });
      }
    };
  }
}
