import pino from 'pino';
import { parseConfig } from '../../server/src/config.js';
import { type AppContext, buildContext, type Clock } from '../../server/src/context.js';
import type { Backend } from '../../server/src/db/database.js';
import { migrateToLatest } from '../../server/src/db/migrator.js';
import { type GatewayRegistry, staticGatewayRegistry } from '../../server/src/gateways/gateway-registry.js';
import type { JobDefinition } from '../../server/src/jobs/job-definition.js';
import { JobQueue } from '../../server/src/jobs/job-queue.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

/** A clock tests can move. */
export class TestClock implements Clock {
  constructor(private current = new Date('2026-11-22T10:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date): void {
    this.current = new Date(date);
  }
}

export interface TestContext {
  readonly ctx: AppContext;
  readonly database: TestDatabase;
  close(): Promise<void>;
}

/** A migrated database of its own, a started queue and a silent logger: the context handlers and routes need. */
export async function createTestContext(
  backend: Backend,
  options: {
    readonly jobs?: ReadonlyArray<JobDefinition<unknown>>;
    readonly clock?: Clock;
    readonly migrate?: boolean;
    readonly startQueue?: boolean;
    readonly gateways?: GatewayRegistry;
    readonly env?: Record<string, string>;
  } = {},
): Promise<TestContext> {
  const database = await createTestDatabase(backend);
  const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  if (options.migrate !== false) await migrateToLatest(database.handle.db);
  const queue = new JobQueue(database.handle.executeSql, logger, { runMaintenance: true });
  if (options.startQueue !== false && options.migrate !== false) await queue.start(options.jobs ?? []);
  const ctx = buildContext({
    config: parseConfig({ SANDBOX: 'true', LOG_LEVEL: 'silent', ...options.env }),
    logger,
    database: database.handle,
    queue,
    clock: options.clock ?? new TestClock(),
    gateways: options.gateways ?? staticGatewayRegistry([]),
  });
  return {
    ctx,
    database,
    close: async () => {
      await queue.stop(1000);
      await database.drop();
    },
  };
}
