import { z } from 'zod';
import { defineJob } from '../jobs/job-definition.js';

/** Write a case's pending stages back to its Zendesk ticket, in order. */
export const zendeskWritebackJob = defineJob('zendesk.writeback', z.object({ orgId: z.uuid(), caseId: z.uuid() }), {
  retryLimit: 12,
  retryDelaySeconds: 5,
  retryBackoff: true,
  expireInSeconds: 600,
});

/** Act on one recorded `refund_approved` webhook (inbound_events row). */
export const zendeskTaggedJob = defineJob(
  'zendesk.ticket_tagged',
  z.object({ orgId: z.uuid(), inboundEventId: z.uuid() }),
  { retryLimit: 10, retryDelaySeconds: 5, retryBackoff: true, expireInSeconds: 600 },
);

/** Forget expired sidebar JWT ids. */
export const zendeskPruneJob = defineJob('zendesk.prune', z.object({}), {
  retryLimit: 1,
  retryDelaySeconds: 60,
  retryBackoff: false,
  expireInSeconds: 300,
});
