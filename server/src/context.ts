import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/database.js';
import type { Database } from './db/schema.js';
import type { GatewayRegistry } from './gateways/gateway-registry.js';
import type { JobQueue } from './jobs/job-queue.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './ops/metrics.js';

/** Wall-clock source; tests replace it to move time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Everything a request handler or job handler needs, built once at boot. */
export interface AppContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: DatabaseHandle;
  readonly db: Kysely<Database>;
  readonly queue: JobQueue;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly gateways: GatewayRegistry;
}

/** Assembles a context from its parts (boot, tests, benchmarks); metrics count this queue's jobs. */
export function buildContext(
  parts: Omit<AppContext, 'db' | 'metrics' | 'clock'> & { readonly clock?: Clock },
): AppContext {
  return {
    ...parts,
    db: parts.database.db,
    metrics: createMetrics({ countJobs: () => parts.queue.countByQueueAndState() }),
    clock: parts.clock ?? systemClock,
  };
}
