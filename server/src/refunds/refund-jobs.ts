import { z } from 'zod';
import { defineJob } from '../jobs/job-definition.js';

/** Execute an approved case at its gateway. */
export const refundExecuteJob = defineJob('refund.execute', z.object({ orgId: z.uuid(), caseId: z.uuid() }), {
  retryLimit: 10,
  retryDelaySeconds: 5,
  retryBackoff: true,
  expireInSeconds: 300,
});

/** Find out what happened to a refund whose outcome is unknown (or still pending), asking the gateway before anything is resent. */
export const refundResolveJob = defineJob('refund.resolve', z.object({ orgId: z.uuid(), refundId: z.uuid() }), {
  retryLimit: 20,
  retryDelaySeconds: 10,
  retryBackoff: true,
  expireInSeconds: 300,
});

/** Periodic sweep: unresolved refunds, stale attempts, expired approvals. */
export const refundSweepJob = defineJob('refund.sweep', z.object({}), {
  retryLimit: 1,
  retryDelaySeconds: 30,
  retryBackoff: false,
  expireInSeconds: 300,
});
