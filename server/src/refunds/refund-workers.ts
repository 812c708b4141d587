import type { WorkerRegistration } from '../boot.js';
import type { JobDefinition } from '../jobs/job-definition.js';
import { executeCase } from './execute-refund.js';
import { refundExecuteJob, refundResolveJob, refundSweepJob } from './refund-jobs.js';
import { resolveRefund } from './resolve-refund.js';
import { sweep } from './sweep.js';

/** The refund engine's jobs: execute, resolve (janitor), and a sweep every minute plus one at boot. */
export function refundWorkers(): WorkerRegistration[] {
  return [
    {
      definition: refundExecuteJob as JobDefinition<unknown>,
      register: (ctx) => ctx.queue.work(refundExecuteJob, async (payload) => void (await executeCase(ctx, payload))),
    },
    {
      definition: refundResolveJob as JobDefinition<unknown>,
      register: (ctx) => ctx.queue.work(refundResolveJob, async (payload) => void (await resolveRefund(ctx, payload))),
    },
    {
      definition: refundSweepJob as JobDefinition<unknown>,
      register: async (ctx) => {
        await ctx.queue.work(refundSweepJob, async () => void (await sweep(ctx)));
        await ctx.queue.schedule(refundSweepJob, '* * * * *');
        await ctx.queue.send(refundSweepJob, {});
      },
    },
  ];
}
