import { executeSqlIn } from '../db/database.js';
import type { CaseEventConsumer } from '../events/case-events.js';
import { notificationDeliverJob } from './notification-jobs.js';
import { isUrgent, secondsUntilSendWindow, stageOf } from './notification-stages.js';

/**
 * The `notifications` case-event consumer: each stage a customer hears about becomes one
 * `notifications.deliver` job, enqueued in the cursor's transaction. Non-urgent stages outside the
 * send window start when the window opens (organisation time zone). The job claims a unique row
 * per (case, stage, channel) before sending, so a replayed event or a retried job sends nothing twice.
 */
export const notificationsConsumer: CaseEventConsumer = {
  name: 'notifications',
  wants: (event) => stageOf(event) !== undefined,
  async handle(trx, event, ctx) {
    const stage = stageOf(event);
    if (!stage) return;
    let startAfterSeconds = 0;
    if (!isUrgent(stage)) {
      const org = await trx
        .selectFrom('organisations')
        .select('timezone')
        .where('id', '=', event.orgId)
        .executeTakeFirstOrThrow();
      startAfterSeconds = secondsUntilSendWindow(ctx.clock.now(), org.timezone, ctx.config.NOTIFY_SEND_WINDOW);
    }
    await ctx.queue.send(
      notificationDeliverJob,
      { orgId: event.orgId, caseId: event.caseId, stage },
      {
        executeSql: executeSqlIn(trx),
        singletonKey: `${event.caseId}:${stage}`,
        ...(startAfterSeconds > 0 ? { startAfterSeconds } : {}),
      },
    );
  },
};
