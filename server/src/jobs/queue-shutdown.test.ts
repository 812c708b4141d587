import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BACKENDS, createTestDatabase } from '../../../test/support/databases.js';
import { migrateToLatest } from '../db/migrator.js';
import { defineJob } from './job-definition.js';
import { JobQueue } from './job-queue.js';

const slowJob = defineJob('test.slow', z.object({ n: z.number().int() }), { retryLimit: 1 });

describe.each(BACKENDS)('a job that outlives the queue on %s', (backend) => {
  it('finishes after stop() and the database closed without an unhandled rejection', async () => {
    const database = await createTestDatabase(backend);
    await migrateToLatest(database.handle.db);
    const queue = new JobQueue(database.handle.executeSql, pino({ level: 'silent' }), { runMaintenance: true });
    await queue.start([slowJob]);
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await queue.work(
      slowJob,
      async () => {
        started();
        await gate;
      },
      { pollingIntervalSeconds: 0.5 },
    );
    await queue.send(slowJob, { n: 1 });
    await running;

    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await queue.stop(1000); // the job is still running when the timeout passes
      await database.drop();
      release(); // now it completes, and pg-boss marks it done without awaiting
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
