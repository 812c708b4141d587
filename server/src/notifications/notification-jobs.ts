import { z } from 'zod';
import { defineJob } from '../jobs/job-definition.js';
import { STAGES } from './message-templates.js';

/** Sends one stage's message for one case (SMS, or email when SMS is not possible). */
export const notificationDeliverJob = defineJob(
  'notifications.deliver',
  z.object({ orgId: z.uuid(), caseId: z.uuid(), stage: z.enum(STAGES) }),
  { retryLimit: 10, retryDelaySeconds: 5 },
);

/** Applies one recorded delivery event (Twilio status callback, SendGrid event) to its notification. */
export const notificationDeliveryEventJob = defineJob(
  'notifications.delivery_event',
  z.object({ orgId: z.uuid(), inboundEventId: z.uuid() }),
);

/** Applies one recorded inbound SMS (STOP/START keywords, free-text revocations) to consent. */
export const notificationInboundSmsJob = defineJob(
  'notifications.inbound_sms',
  z.object({ orgId: z.uuid(), inboundEventId: z.uuid() }),
);

export const NOTIFICATION_JOBS = [notificationDeliverJob, notificationDeliveryEventJob, notificationInboundSmsJob];
