import { HelpdeskError } from '../ports/helpdesk.js';

export interface RetryOptions {
  readonly attempts?: number;
  /** Longest Retry-After we wait in process; longer ones go back to the queue's own backoff. */
  readonly maxWaitSeconds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a desk call, retrying what is worth retrying: a 429 after its Retry-After, a 5xx or lost
 * response after an exponential backoff with jitter. `attempt` (0-based) lets the call know it is
 * a retry (e.g. to look for its own note before posting again).
 */
export async function withHelpdeskRetries<T>(
  work: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      const isLast = attempt + 1 >= attempts;
      if (!(error instanceof HelpdeskError) || !error.isRetryable || isLast) throw error;
      if (error.code === 'rate_limited') {
        const wait = error.retryAfterSeconds ?? 1;
        if (wait > (options.maxWaitSeconds ?? 60)) throw error;
        await sleep(wait * 1000);
      } else {
        await sleep(250 * 2 ** attempt * (0.75 + Math.random() / 2));
      }
    }
  }
}
