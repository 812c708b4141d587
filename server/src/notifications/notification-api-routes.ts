import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { bearerSecurity, createApiRouter, errorResponses, IdParam, json } from '../api/schemas.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { type AuthEnv, requireRole } from '../http/auth.js';
import { saveConnectorSettings } from '../integrations/connector-settings.js';
import { refuseForDefaultOrganisation } from '../orgs/seed.js';
import { setConsent, setContactLocale } from './contact-preferences.js';
import { LOCALES } from './message-templates.js';
import { messagingSettingsSchemas } from './notifier-registry.js';

const NotificationView = z
  .object({
    id: z.uuid(),
    stage: z.string(),
    channel: z.enum(['sms', 'email']),
    status: z.string(),
    errorCode: z.string().nullable(),
    locale: z.string(),
    sentAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('CustomerNotification');

const ConsentBody = z.object({ granted: z.boolean(), source: z.string().min(1).max(64) });
const PreferencesBody = z
  .object({ locale: z.enum(LOCALES).optional(), sms: ConsentBody.optional(), email: ConsentBody.optional() })
  .strict();

/** `/api/v1`: a case's customer notifications, customers' message preferences, messaging connectors. */
export function notificationApiRoutes(
  ctx: AppContext,
  onConnectorSaved: (orgId: string) => void,
): OpenAPIHono<AuthEnv> {
  const app = createApiRouter<AuthEnv>();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/refunds/{id}/notifications',
      summary: 'Messages sent to the customer about this case, with their delivery status',
      tags: ['notifications'],
      security: bearerSecurity,
      request: { params: IdParam },
      responses: {
        200: json(z.object({ notifications: z.array(NotificationView) }), 'Oldest first'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const orgId = c.get('principal').orgId;
      const { id } = c.req.valid('param');
      const exists = await ctx.db
        .selectFrom('refund_cases')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!exists) throw new AppError('not_found', 'no such refund case');
      const rows = await ctx.db
        .selectFrom('notifications')
        .select(['id', 'stage', 'channel', 'status', 'error_code', 'locale', 'sent_at', 'updated_at', 'created_at'])
        .where('org_id', '=', orgId)
        .where('case_id', '=', id)
        .orderBy('created_at', 'asc')
        .orderBy('id', 'asc')
        .execute();
      return c.json(
        {
          notifications: rows.map((r) => ({
            id: r.id,
            stage: r.stage,
            channel: r.channel,
            status: r.status,
            errorCode: r.error_code,
            locale: r.locale,
            sentAt: r.sent_at?.toISOString() ?? null,
            updatedAt: r.updated_at.toISOString(),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/customers/{id}/contact-preferences',
      summary: 'Record a customer’s message language and SMS/email consent (with its source)',
      tags: ['notifications'],
      security: bearerSecurity,
      request: {
        params: IdParam,
        body: { content: { 'application/json': { schema: PreferencesBody } }, required: true },
      },
      responses: { 200: json(z.object({ updated: z.boolean() }), 'Stored'), ...errorResponses },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'agent', 'lead', 'manager', 'admin');
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const customer = await ctx.db
        .selectFrom('customers')
        .select('id')
        .where('org_id', '=', principal.orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!customer) throw new AppError('not_found', 'no such customer');
      const at = ctx.clock.now();
      await ctx.db.transaction().execute(async (trx) => {
        if (body.locale)
          await setContactLocale(trx, { orgId: principal.orgId, customerId: id, locale: body.locale, at });
        for (const channel of ['sms', 'email'] as const) {
          const consent = body[channel];
          if (!consent) continue;
          await setConsent(trx, {
            orgId: principal.orgId,
            customerId: id,
            channel,
            state: consent.granted ? 'granted' : 'revoked',
            source: `staff:${consent.source}`,
            at,
            actor: { type: 'staff', id: principal.staffId },
          });
        }
      });
      return c.json({ updated: true }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/notifications/connectors/{vendor}',
      summary: 'Store this organisation’s Twilio or SendGrid settings (encrypted; never returned)',
      tags: ['notifications'],
      security: bearerSecurity,
      request: {
        params: z.object({ vendor: z.enum(['twilio', 'sendgrid']).openapi({ param: { name: 'vendor', in: 'path' } }) }),
        body: {
          content: {
            'application/json': {
              schema: z.record(z.string(), z.string()).openapi({
                description: 'twilio: {accountSid, authToken, from}; sendgrid: {apiKey, from, webhookPublicKey?}',
              }),
            },
          },
          required: true,
        },
      },
      responses: { 200: json(z.object({ vendor: z.string(), configured: z.boolean() }), 'Stored'), ...errorResponses },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin');
      const { vendor } = c.req.valid('param');
      await refuseForDefaultOrganisation(ctx.db, principal.orgId, 'messaging is');
      const parsed = messagingSettingsSchemas[vendor].safeParse(c.req.valid('json'));
      if (!parsed.success) throw new AppError('invalid_request', 'unusable settings', parsed.error.issues);
      await saveConnectorSettings(ctx.db, ctx.config.SECRETS_KEY, {
        orgId: principal.orgId,
        connector: vendor,
        settings: parsed.data,
        staffId: principal.staffId,
        at: ctx.clock.now(),
      });
      onConnectorSaved(principal.orgId);
      return c.json({ vendor, configured: true }, 200);
    },
  );
  return app;
}
