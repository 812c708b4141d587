/**
 * The `slack` case-event consumer: it only enqueues (in the dispatcher's transaction) — the
 * Slack calls happen in the jobs, with retries. Jobs for an organisation without Slack do nothing.
 */
import { executeSqlIn } from '../db/database.js';
import type { CaseEventConsumer } from '../events/case-events.js';
import { recordDecisionTime } from './approval-metrics.js';
import { slackNoticeJob, slackPostCardJob, slackSyncCardJob } from './slack-jobs.js';

const SYNC_ON = new Set([
  'case.approved',
  'case.denied',
  'case.cancelled',
  'case.expired',
  'case.execution_started',
  'case.succeeded',
  'case.exception_raised',
  'case.resolved_manually',
  'case.retried',
]);

export function slackConsumer(): CaseEventConsumer {
  return {
    name: 'slack',
    wants: (event) =>
      event.action === 'case.routed_for_approval' ||
      event.action === 'case.escalated' ||
      event.action === 'notification.failed' ||
      SYNC_ON.has(event.action),
    async handle(trx, event, ctx) {
      const executeSql = executeSqlIn(trx);
      const ids = { orgId: event.orgId, caseId: event.caseId };
      await recordDecisionTime(trx, event, ctx.metrics.approvalDecision);
      if (event.action === 'case.routed_for_approval') {
        await ctx.queue.send(slackPostCardJob, ids, { executeSql, singletonKey: `slack-card:${event.caseId}` });
      } else if (event.action === 'case.escalated') {
        const from = typeof event.data['fromRole'] === 'string' ? event.data['fromRole'] : 'lead';
        await ctx.queue.send(slackNoticeJob, { kind: 'escalated', ...ids, from }, { executeSql });
      } else if (event.action === 'notification.failed') {
        const channel = event.data['channel'] === 'sms' ? 'sms' : 'email';
        const code = event.data['errorCode'] ?? event.data['status'];
        // a vendor code only (e.g. 21610, bounce): free text could carry the customer's address
        const errorCode = typeof code === 'string' || typeof code === 'number' ? String(code) : '';
        await ctx.queue.send(
          slackNoticeJob,
          {
            kind: 'notification_failed',
            ...ids,
            channel,
            ...(/^[A-Za-z0-9_.-]{1,40}$/.test(errorCode) ? { errorCode } : {}),
          },
          { executeSql },
        );
      } else {
        await ctx.queue.send(slackSyncCardJob, ids, { executeSql });
      }
    },
  };
}
