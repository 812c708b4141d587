/**
 * `PUT /api/v1/slack/settings` and `PUT /api/v1/teams/settings` (admin): connect the caller's
 * organisation to its Slack workspace (team id, bot token, channels and delays per tier) or its
 * Teams Workflows webhook. Stored encrypted (SECRETS_KEY), never echoed back; a workspace belongs
 * to one organisation only.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { bearerSecurity, createApiRouter, errorResponses, json } from '../api/schemas.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { type AuthEnv, requireRole } from '../http/auth.js';
import { saveConnectorSettings } from '../integrations/connector-settings.js';
import { teamsSettingsSchema } from '../teams/teams-alerts.js';
import { slackSettingsSchema } from './slack-settings.js';

const Stored = z.object({ connector: z.string(), configured: z.boolean() }).openapi('ConnectorStored');

function settingsRoute(connector: 'slack' | 'teams', description: string) {
  return createRoute({
    method: 'put',
    path: `/${connector}/settings`,
    summary: `Connect this organisation to ${connector === 'slack' ? 'its Slack workspace' : 'a Teams Workflows webhook'} (encrypted; never returned)`,
    tags: ['chat approvals'],
    security: bearerSecurity,
    request: {
      body: {
        content: { 'application/json': { schema: z.record(z.string(), z.unknown()).openapi({ description }) } },
        required: true,
      },
    },
    responses: { 200: json(Stored, 'Stored'), ...errorResponses },
  });
}

export function chatSettingsRoutes(ctx: AppContext): OpenAPIHono<AuthEnv> {
  const app = createApiRouter<AuthEnv>();
  app.openapi(
    settingsRoute(
      'slack',
      '{teamId, botToken, approvalChannel?, channels?: {lead?, manager?}, remindAfterHours?: {lead?, manager?}, escalateAfterHours?: {lead?, manager?}}',
    ),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin');
      const settings = slackSettingsSchema.parse(c.req.valid('json'));
      const owner = await ctx.db
        .selectFrom('slack_teams')
        .select('org_id')
        .where('team_id', '=', settings.teamId)
        .executeTakeFirst();
      if (owner && owner.org_id !== principal.orgId) {
        throw new AppError('conflict', 'that Slack workspace is connected to another organisation');
      }
      await saveConnectorSettings(ctx.db, ctx.config.SECRETS_KEY, {
        orgId: principal.orgId,
        connector: 'slack',
        settings,
        staffId: principal.staffId,
        at: ctx.clock.now(),
      });
      await ctx.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('slack_teams').where('org_id', '=', principal.orgId).execute();
        await trx.insertInto('slack_teams').values({ team_id: settings.teamId, org_id: principal.orgId }).execute();
      });
      return c.json({ connector: 'slack', configured: true }, 200);
    },
  );
  app.openapi(
    settingsRoute('teams', '{webhookUrl}: the Workflows "post to a channel when a webhook request is received" URL'),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin');
      const settings = teamsSettingsSchema.parse(c.req.valid('json'));
      if (!settings.webhookUrl.startsWith('https://'))
        throw new AppError('invalid_request', 'webhookUrl must be https');
      await saveConnectorSettings(ctx.db, ctx.config.SECRETS_KEY, {
        orgId: principal.orgId,
        connector: 'teams',
        settings,
        staffId: principal.staffId,
        at: ctx.clock.now(),
      });
      return c.json({ connector: 'teams', configured: true }, 200);
    },
  );
  return app;
}
