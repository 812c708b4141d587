/** A sliding-window limit per key, in memory (one process; enough to slow down guessing on a public form). */
export interface RateLimiter {
  /** Counts an attempt; false when the key is over its limit. */
  allow(key: string, now: Date): boolean;
}

export function createRateLimiter(options: { readonly limit: number; readonly windowMs: number }): RateLimiter {
  const attempts = new Map<string, number[]>();
  return {
    allow(key, now) {
      const since = now.getTime() - options.windowMs;
      const recent = (attempts.get(key) ?? []).filter((t) => t > since);
      const allowed = recent.length < options.limit;
      if (allowed) recent.push(now.getTime());
      attempts.set(key, recent);
      if (attempts.size > 10_000) {
        // keep memory bounded: drop keys with nothing in the window
        for (const [k, times] of attempts) if (times.every((t) => t <= since)) attempts.delete(k);
      }
      return allowed;
    },
  };
}
