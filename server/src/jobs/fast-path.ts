import type { Logger } from '../logger.js';

const running = new Set<Promise<void>>();

/**
 * Runs a job's work right after the transaction that enqueued it commits, so the common case
 * does not wait for a worker's poll. The durable job stays queued as the fallback: the work must
 * be idempotent, and a failure here is only logged.
 */
export function runSoon(
  logger: Logger,
  what: string,
  context: Record<string, unknown>,
  work: () => Promise<unknown>,
): Promise<void> {
  const run = work().then(
    () => undefined,
    (error: unknown) => logger.warn({ err: error, ...context }, `fast-path ${what} failed; the queued job will retry`),
  );
  running.add(run);
  void run.finally(() => running.delete(run));
  return run;
}

/** Resolves when every fast path started so far has finished (shutdown, tests). */
export async function drainFastPaths(): Promise<void> {
  while (running.size > 0) await Promise.allSettled([...running]);
}
