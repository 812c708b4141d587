import { Hono } from 'hono';
import type { WorkerRegistration } from '../boot.js';
import { createSendgridEmailSender } from '../connectors/sendgrid/sendgrid-email-sender.js';
import { createTwilioSmsSender } from '../connectors/twilio/twilio-sms-sender.js';
import type { Integration, IntegrationDeps } from '../integrations/integration.js';
import type { JobDefinition } from '../jobs/job-definition.js';
import { DEFAULT_ORG_SLUG } from '../orgs/seed.js';
import type { NotifierChannels } from '../ports/notifier.js';
import { type SendgridSandbox, startSendgridSandbox } from '../sandboxes/sendgrid/sendgrid-sandbox.js';
import { startTwilioSandbox, type TwilioSandbox } from '../sandboxes/twilio/twilio-sandbox.js';
import { portalRoutes } from '../tracking/portal-routes.js';
import { trackingRoutes } from '../tracking/tracking-routes.js';
import { deliverStage } from './deliver-stage.js';
import { applyDeliveryEvent } from './delivery-events.js';
import { seedDemoContacts } from './demo-contacts.js';
import { notificationApiRoutes } from './notification-api-routes.js';
import { notificationsConsumer } from './notification-consumer.js';
import {
  notificationDeliverJob,
  notificationDeliveryEventJob,
  notificationInboundSmsJob,
} from './notification-jobs.js';
import type { NotificationRuntime } from './notification-runtime.js';
import { applyInboundEvent, notificationWebhookRoutes } from './notification-webhook-routes.js';
import { createNotifierRegistry } from './notifier-registry.js';

/** The integration plus, in sandbox mode, its sandboxes (tests drive them). */
export interface NotificationsIntegration extends Integration {
  readonly runtime: NotificationRuntime;
  readonly twilioSandbox: TwilioSandbox | undefined;
  readonly sendgridSandbox: SendgridSandbox | undefined;
}

/**
 * SMS and email to customers (Twilio, SendGrid), consent, delivery tracking, tracking page and
 * portal (issue 7). The default organisation's vendors come from TWILIO_* / SENDGRID_*; without
 * credentials (or with SANDBOX=true) each runs as its wire-compatible sandbox.
 */
export async function createNotificationsIntegration(
  deps: IntegrationDeps,
  options: { readonly defaultOrgSlug?: string } = {},
): Promise<NotificationsIntegration> {
  const { config } = deps;
  let twilioSandbox: TwilioSandbox | undefined;
  let sendgridSandbox: SendgridSandbox | undefined;
  const timeoutMs = config.GATEWAY_TIMEOUT_MS;
  const defaults: { -readonly [K in keyof NotifierChannels]: NotifierChannels[K] } = {};

  const liveTwilio = !config.SANDBOX && config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_FROM;
  if (liveTwilio) {
    defaults.sms = createTwilioSmsSender({
      accountSid: config.TWILIO_ACCOUNT_SID as string,
      authToken: config.TWILIO_AUTH_TOKEN as string,
      from: config.TWILIO_FROM as string,
      timeoutMs,
    });
    defaults.twilioAuthToken = config.TWILIO_AUTH_TOKEN;
  } else if (deps.startSandboxes) {
    twilioSandbox = await startTwilioSandbox({
      accountSid: config.TWILIO_ACCOUNT_SID,
      authToken: config.TWILIO_AUTH_TOKEN,
      from: config.TWILIO_FROM?.startsWith('+') ? config.TWILIO_FROM : undefined,
    });
    defaults.sms = createTwilioSmsSender({
      accountSid: twilioSandbox.accountSid,
      authToken: twilioSandbox.authToken,
      from: twilioSandbox.from,
      baseUrl: twilioSandbox.url,
      timeoutMs,
    });
    defaults.twilioAuthToken = twilioSandbox.authToken;
  }

  const liveSendgrid = !config.SANDBOX && config.SENDGRID_API_KEY && config.SENDGRID_FROM;
  if (liveSendgrid) {
    defaults.email = createSendgridEmailSender({
      apiKey: config.SENDGRID_API_KEY as string,
      from: config.SENDGRID_FROM as string,
      timeoutMs,
    });
    defaults.sendgridPublicKey = config.SENDGRID_WEBHOOK_PUBLIC_KEY;
  } else if (deps.startSandboxes) {
    try {
      sendgridSandbox = await startSendgridSandbox({ apiKey: config.SENDGRID_API_KEY });
    } catch (error) {
      await twilioSandbox?.close();
      throw error;
    }
    defaults.email = createSendgridEmailSender({
      apiKey: sendgridSandbox.apiKey,
      from: config.SENDGRID_FROM ?? 'refunds@refund-desk.local',
      baseUrl: sendgridSandbox.url,
      timeoutMs,
    });
    // the sandbox signs with a key pair of its own: its public key is the one to check
    defaults.sendgridPublicKey = sendgridSandbox.publicKey;
  }

  const defaultOrgSlug = options.defaultOrgSlug ?? DEFAULT_ORG_SLUG;
  const registry = createNotifierRegistry({ db: deps.db, config, defaultOrgSlug, defaults });
  let listeningUrl: string | undefined;
  const runtime: NotificationRuntime = {
    channelsFor: (orgId) => registry.channelsFor(orgId),
    // without a trailing slash, once, for every link and callback URL built on it
    baseUrl: () => (config.PUBLIC_URL ?? listeningUrl ?? `http://localhost:${config.PORT}`).replace(/\/$/, ''),
  };

  const workers: WorkerRegistration[] = [
    {
      definition: notificationDeliverJob as JobDefinition<unknown>,
      register: (ctx) =>
        ctx.queue.work(notificationDeliverJob, async (payload) => void (await deliverStage(ctx, runtime, payload))),
    },
    {
      definition: notificationDeliveryEventJob as JobDefinition<unknown>,
      register: (ctx) =>
        ctx.queue.work(notificationDeliveryEventJob, async (payload) => void (await applyDeliveryEvent(ctx, payload))),
    },
    {
      definition: notificationInboundSmsJob as JobDefinition<unknown>,
      register: (ctx) => ctx.queue.work(notificationInboundSmsJob, (payload) => applyInboundEvent(ctx, payload)),
    },
  ];

  const sandboxes: Record<string, string> = {};
  if (twilioSandbox) sandboxes['twilio'] = twilioSandbox.url;
  if (sendgridSandbox) sandboxes['sendgrid'] = sendgridSandbox.url;

  return {
    name: 'notifications',
    sandboxes,
    runtime,
    twilioSandbox,
    sendgridSandbox,
    workers,
    consumers: [notificationsConsumer],
    routes(ctx) {
      const app = new Hono();
      app.route('/', notificationWebhookRoutes(ctx, runtime));
      app.route('/', trackingRoutes(ctx));
      app.route('/', portalRoutes(ctx, runtime.baseUrl));
      return app;
    },
    apiRoutes: (ctx) => notificationApiRoutes(ctx, (orgId) => registry.invalidate(orgId)),
    async onReady(ctx) {
      if (config.DEMO_DATA && (twilioSandbox || sendgridSandbox)) {
        try {
          await seedDemoContacts(ctx, defaultOrgSlug);
        } catch (error) {
          ctx.logger.warn({ err: error }, 'could not give the demo customers phone numbers and consent');
        }
      }
    },
    setWebhookBase(url) {
      listeningUrl = url;
      const base = runtime.baseUrl();
      twilioSandbox?.setInboundUrl(`${base}/webhooks/twilio/${defaultOrgSlug}`);
      sendgridSandbox?.setEventWebhookUrl(`${base}/webhooks/sendgrid/${defaultOrgSlug}`);
    },
    async close() {
      await twilioSandbox?.close();
      await sendgridSandbox?.close();
    },
  };
}
