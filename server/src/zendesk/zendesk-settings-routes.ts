import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { bearerSecurity, createApiRouter, errorResponses, json } from '../api/schemas.js';
import type { AppContext } from '../context.js';
import { type AuthEnv, requireRole } from '../http/auth.js';
import { saveConnectorSettings } from '../integrations/connector-settings.js';
import { refuseForDefaultOrganisation } from '../orgs/seed.js';
import { type ZendeskConnections, zendeskSettingsSchema } from './zendesk-connections.js';

const SettingsBody = z
  .object({
    subdomain: z.string().openapi({ example: 'acme', description: 'the part before .zendesk.com' }),
    email: z.string().openapi({ description: 'the agent the API token belongs to' }),
    apiToken: z.string(),
    webhookSecret: z.string().openapi({ description: 'signing secret of our webhook ("old,new" while rotating)' }),
    appSecret: z.string().openapi({ description: 'the sidebar app’s shared secret ("old,new" while rotating)' }),
    appInstallationId: z
      .string()
      .optional()
      .openapi({ description: 'the sidebar app’s installation id (the audience of its signed-URL tokens)' }),
    appId: z.string().optional().openapi({ description: 'the sidebar app’s id (its public key is read from Zendesk)' }),
    appPublicKey: z
      .string()
      .optional()
      .openapi({ description: 'the sidebar app’s public key (PEM), instead of appId' }),
  })
  .openapi('ZendeskSettings');

/** `PUT /api/v1/connectors/zendesk` (admin): the organisation's Zendesk, encrypted at rest, never echoed back. */
export function zendeskSettingsRoutes(ctx: AppContext, connections: ZendeskConnections): OpenAPIHono<AuthEnv> {
  const app = createApiRouter<AuthEnv>();
  app.openapi(
    createRoute({
      method: 'put',
      path: '/connectors/zendesk',
      summary: 'Store this organisation’s Zendesk connection (encrypted; never returned)',
      tags: ['connectors'],
      security: bearerSecurity,
      request: { body: { content: { 'application/json': { schema: SettingsBody } }, required: true } },
      responses: {
        200: json(z.object({ connector: z.string(), configured: z.boolean(), updatedAt: z.string() }), 'Stored'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin');
      await refuseForDefaultOrganisation(ctx.db, principal.orgId, 'Zendesk is');
      const settings = zendeskSettingsSchema.parse(c.req.valid('json'));
      const now = ctx.clock.now();
      await saveConnectorSettings(ctx.db, ctx.config.SECRETS_KEY, {
        orgId: principal.orgId,
        connector: 'zendesk',
        settings,
        staffId: principal.staffId,
        at: now,
      });
      connections.invalidate(principal.orgId);
      return c.json({ connector: 'zendesk', configured: true, updatedAt: now.toISOString() }, 200);
    },
  );
  return app;
}
