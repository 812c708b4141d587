/** The first look after a call whose outcome is unknown. */
const FIRST_CHECK_MS = 2_000;
/** Checks never wait longer than this (a vendor keeps idempotency keys ≥ 24 h; we give up long before). */
const LONGEST_WAIT_MS = 30 * 60 * 1000;

/**
 * How long to wait before the next look at an attempt whose outcome is unknown, after its `tries`-th
 * call or check: 2 s, then doubling (4 s, 8 s, …) up to 30 minutes, and never sooner than the
 * gateway's Retry-After. Twelve looks span about an hour and a half.
 */
export function checkDelayMs(tries: number, retryAfterMs = 0): number {
  const exponent = Math.min(Math.max(Math.trunc(tries), 1) - 1, 20);
  const grown = Math.min(FIRST_CHECK_MS * 2 ** exponent, LONGEST_WAIT_MS);
  return Math.max(grown, Math.min(Math.max(retryAfterMs, 0), LONGEST_WAIT_MS));
}
