import { z } from 'zod';
import { defineJob } from '../jobs/job-definition.js';

/** Post a case's approval card (once per case: only `case.routed_for_approval` enqueues it). */
export const slackPostCardJob = defineJob('slack.post_card', z.object({ orgId: z.uuid(), caseId: z.uuid() }), {
  retryLimit: 8,
  retryDelaySeconds: 5,
});

/** Re-render a posted card from the case's current state (decision, execution, escalation). */
export const slackSyncCardJob = defineJob('slack.sync_card', z.object({ orgId: z.uuid(), caseId: z.uuid() }), {
  retryLimit: 8,
  retryDelaySeconds: 5,
});

/** A message in the card's thread: reminder (with DMs to the tier's approvers), escalation, failed customer message. */
export const slackNoticeJob = defineJob(
  'slack.notice',
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('reminder'), orgId: z.uuid(), caseId: z.uuid(), hours: z.number() }),
    z.object({ kind: z.literal('escalated'), orgId: z.uuid(), caseId: z.uuid(), from: z.string() }),
    z.object({
      kind: z.literal('notification_failed'),
      orgId: z.uuid(),
      caseId: z.uuid(),
      channel: z.string(),
      errorCode: z.string().optional(),
    }),
  ]),
  { retryLimit: 8, retryDelaySeconds: 5 },
);

/** Every minute: reminders and escalations of approvals nobody answered. */
export const approvalEscalationJob = defineJob('approval.escalate', z.object({}), {
  retryLimit: 1,
  retryDelaySeconds: 30,
  retryBackoff: false,
  expireInSeconds: 300,
});

/** Post a Teams alert (pending approval or exception) with a signed approval link. */
export const teamsAlertJob = defineJob(
  'teams.alert',
  z.object({ orgId: z.uuid(), caseId: z.uuid(), kind: z.enum(['approval', 'exception']), seq: z.number() }),
  { retryLimit: 8, retryDelaySeconds: 10 },
);
