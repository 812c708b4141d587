import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestContext, type TestContext } from '../../../test/support/context.js';
import { BACKENDS } from '../../../test/support/databases.js';
import { executeSqlIn } from '../db/database.js';
import { deadLetterQueueOf, defineJob } from './job-definition.js';

const probeJob = defineJob('test.probe', z.object({ n: z.number().int() }), { retryLimit: 0 });
const flakyJob = defineJob('test.flaky', z.object({ n: z.number().int() }), {
  retryLimit: 2,
  retryDelaySeconds: 1,
  retryBackoff: true,
});

async function jobCount(t: TestContext, queue: string): Promise<number> {
  const result = await sql<{ n: number }>`select count(*)::int as n from pgboss.job where name = ${queue}`.execute(
    t.ctx.db,
  );
  return result.rows[0]?.n ?? 0;
}

async function until(predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(BACKENDS)('job queue on %s', (backend) => {
  let t: TestContext;

  beforeAll(async () => {
    t = await createTestContext(backend, { jobs: [probeJob, flakyJob] });
  });
  afterAll(() => t.close());

  it('leaves no job behind when the enqueuing transaction rolls back, and keeps it when it commits', async () => {
    await expect(
      t.ctx.db.transaction().execute(async (trx) => {
        await t.ctx.queue.send(probeJob, { n: 1 }, { executeSql: executeSqlIn(trx) });
        // PGlite is one session: "outside" this transaction does not exist until it ends
        if (backend === 'postgres') expect(await jobCount(t, probeJob.id)).toBe(0);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await jobCount(t, probeJob.id)).toBe(0);

    await t.ctx.db.transaction().execute(async (trx) => {
      await t.ctx.queue.send(probeJob, { n: 2 }, { executeSql: executeSqlIn(trx) });
    });
    expect(await jobCount(t, probeJob.id)).toBe(1);
  });

  it('refuses a payload that does not match the job schema', async () => {
    await expect(t.ctx.queue.send(probeJob, { n: 1.5 })).rejects.toThrow();
  });

  it('retries a failing job with backoff, then moves it to the dead-letter queue', async () => {
    const attempts: number[] = [];
    await t.ctx.queue.work(
      flakyJob,
      async (_payload, job) => {
        attempts.push(job.retryCount);
        throw new Error('always fails');
      },
      { pollingIntervalSeconds: 0.5 },
    );
    await t.ctx.queue.send(flakyJob, { n: 7 });
    await until(async () => (await jobCount(t, deadLetterQueueOf(flakyJob.id))) === 1, 30_000);
    expect(attempts).toEqual([0, 1, 2]);
    const dead = await sql<{
      data: { n: number };
    }>`select data from pgboss.job where name = ${deadLetterQueueOf(flakyJob.id)}`.execute(t.ctx.db);
    expect(dead.rows[0]?.data).toEqual({ n: 7 });
  });

  it('configures expiry on the queue', async () => {
    const queue = await sql<{
      expire_seconds: number;
    }>`select expire_seconds from pgboss.queue where name = ${probeJob.id}`.execute(t.ctx.db);
    expect(queue.rows[0]?.expire_seconds).toBe(probeJob.policy.expireInSeconds);
  });
});
