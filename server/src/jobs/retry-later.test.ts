import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { migrateToLatest } from '../db/migrator.js';
import { defineJob, RetryLater } from './job-definition.js';
import { JobQueue } from './job-queue.js';

const waitingJob = defineJob('test.waiting', z.object({ n: z.number().int() }), {
  retryLimit: 3,
  retryDelaySeconds: 1,
  retryBackoff: false,
});

describe('a job that must wait (RetryLater)', () => {
  let database: TestDatabase;
  let queue: JobQueue;
  const lines: Array<{ level: number; msg: string; err?: unknown }> = [];

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    await migrateToLatest(database.handle.db);
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    queue = new JobQueue(database.handle.executeSql, pino({ level: 'debug' }, sink), { runMaintenance: true });
    await queue.start([waitingJob]);
  });
  afterAll(async () => {
    await queue.stop(1000);
    await database.drop();
  });

  it('runs again until it can, logging the waits quietly and real failures loudly', async () => {
    const attempts: number[] = [];
    await queue.work(
      waitingJob,
      async (_payload, job) => {
        attempts.push(job.retryCount);
        if (job.retryCount === 0) throw new RetryLater('the earlier step has not happened yet');
        if (job.retryCount === 1) throw new Error('a real failure');
      },
      { pollingIntervalSeconds: 0.5 },
    );
    await queue.send(waitingJob, { n: 1 });
    const deadline = Date.now() + 20_000;
    while (attempts.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    expect(attempts).toEqual([0, 1, 2]);
    const waits = lines.filter((l) => l.msg === 'job waits; it will run again');
    const failures = lines.filter((l) => l.msg === 'job failed; it will be retried per its policy');
    expect(waits).toHaveLength(1);
    expect(waits[0]?.level).toBe(20); // debug
    expect(waits[0]?.err).toBeUndefined();
    expect(failures).toHaveLength(1);
    expect(failures[0]?.level).toBe(40); // warn, with the error
    expect(failures[0]?.err).toBeDefined();
  });
});
