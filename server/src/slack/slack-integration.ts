/**
 * Slack and Teams approvals (issue 6): the Bolt bot at `POST /slack/events`, approval cards from
 * case events, reminders and escalation every minute, Teams alerts with a signed approval page,
 * and the Slack and Teams sandboxes when no credentials are configured (or SANDBOX=true).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createSlackBot, type SlackBot } from '@refund-desk/slack-bot/src/slack-bot.js';
import { WebClient } from '@slack/web-api';
import { Hono } from 'hono';
import type { WorkerRegistration } from '../boot.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import type { Integration, IntegrationDeps } from '../integrations/integration.js';
import type { JobDefinition } from '../jobs/job-definition.js';
import { DEFAULT_ORG_SLUG } from '../orgs/seed.js';
import { type SlackSandbox, startSlackSandbox } from '../sandboxes/slack/slack-sandbox.js';
import { startTeamsSandbox, type TeamsSandbox } from '../sandboxes/teams/teams-sandbox.js';
import { postTeamsAlert, teamsConsumer } from '../teams/teams-alerts.js';
import { teamsApprovalRoutes } from '../teams/teams-approval-routes.js';
import { runEscalations } from './approval-escalation.js';
import { postCard, postNotice, syncCard } from './slack-cards.js';
import { slackConsumer } from './slack-consumer.js';
import { createSlackDesk } from './slack-desk.js';
import {
  approvalEscalationJob,
  slackNoticeJob,
  slackPostCardJob,
  slackSyncCardJob,
  teamsAlertJob,
} from './slack-jobs.js';
import { SlackDirectoryOfTeams } from './slack-settings.js';
import { chatSettingsRoutes } from './slack-settings-routes.js';
import { SlackUserDirectory } from './slack-users.js';

export const SANDBOX_TEAM_ID = 'TSANDBOX01';
/** A sandbox Slack user no staff member matches (for trying refusals). */
export const SANDBOX_UNKNOWN_USER = { id: 'U0UNKNOWN1', name: 'Unknown Person', email: 'stranger@example.com' };

/** The sandbox's Slack user id for a staff email (stable across restarts). */
export function sandboxSlackUserId(email: string): string {
  return `U${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 9).toUpperCase()}`;
}

function worker<T>(definition: JobDefinition<T>, register: (ctx: AppContext) => Promise<void>): WorkerRegistration {
  return { definition: definition as JobDefinition<unknown>, register };
}

export async function createSlackIntegration(deps: IntegrationDeps): Promise<Integration> {
  const { config } = deps;
  const slackSandboxed = config.SANDBOX || !config.SLACK_BOT_TOKEN;
  const teamsSandboxed = config.SANDBOX || !config.TEAMS_WEBHOOK_URL;
  const signingSecrets =
    config.SLACK_SIGNING_SECRET?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? (slackSandboxed && deps.startSandboxes ? [randomBytes(16).toString('hex')] : []);
  const botToken = config.SLACK_BOT_TOKEN ?? `xoxb-sandbox-${randomBytes(8).toString('hex')}`;
  const teamId = config.SLACK_TEAM_ID ?? (slackSandboxed ? SANDBOX_TEAM_ID : undefined);

  let slackSandbox: SlackSandbox | undefined;
  let teamsSandbox: TeamsSandbox | undefined;
  if (deps.startSandboxes && slackSandboxed && teamId && signingSecrets[0]) {
    slackSandbox = await startSlackSandbox({ botToken, signingSecret: signingSecrets[0], teamId });
  }
  if (deps.startSandboxes && teamsSandboxed)
    teamsSandbox = await startTeamsSandbox().catch(async (error) => {
      await slackSandbox?.close();
      throw error;
    });
  // a sandboxed Slack without its sandbox (web- or worker-only process) is simply off
  const slackOn = !slackSandboxed || slackSandbox !== undefined;
  const slackApiUrl = slackSandbox ? `${slackSandbox.url}/api/` : undefined;
  const teams = new SlackDirectoryOfTeams(deps.db, config, {
    signingSecrets,
    defaultTeamId: slackOn ? teamId : undefined,
    defaultBotToken: slackOn ? botToken : undefined,
    slackApiUrl,
  });
  const users = new SlackUserDirectory(deps.db);
  const clients = new Map<string, WebClient>();
  const clientFor = (token: string) => {
    let client = clients.get(token);
    if (!client) {
      // jobs retry on their own schedule; the SDK should not sit on a failing call for minutes
      client = new WebClient(token, {
        ...(slackApiUrl ? { slackApiUrl } : {}),
        retryConfig: { retries: 1 },
        timeout: 10_000,
      });
      clients.set(token, client);
    }
    return client;
  };
  const defaultWebhookUrl = teamsSandboxed ? teamsSandbox?.webhookUrl(DEFAULT_ORG_SLUG) : config.TEAMS_WEBHOOK_URL;
  let publicBase = config.PUBLIC_URL?.replace(/\/$/, '');
  const isDefaultOrg = async (orgId: string) => orgId === (await teams.defaultOrgId());
  let bot: SlackBot | undefined;

  const sandboxes: Record<string, string> = {};
  if (slackSandbox) sandboxes['slack'] = slackSandbox.url;
  if (teamsSandbox) sandboxes['teams'] = teamsSandbox.url;

  return {
    name: 'slack',
    sandboxes,
    routes(ctx) {
      const app = new Hono();
      app.post('/slack/events', async (c) => {
        if (signingSecrets.length === 0)
          throw new AppError('not_found', 'Slack is not configured (SLACK_SIGNING_SECRET)');
        bot ??= createSlackBot({
          port: createSlackDesk({ ctx, teams, users, clientFor }),
          signingSecrets,
          slackApiUrl,
          logger: ctx.logger,
        });
        return bot.handle(c.req.raw);
      });
      app.route('/', teamsApprovalRoutes(ctx, isDefaultOrg));
      return app;
    },
    apiRoutes: (ctx) => chatSettingsRoutes(ctx),
    async onReady(ctx) {
      if (!slackSandbox) return;
      const orgId = await teams.defaultOrgId();
      const staff = orgId
        ? await ctx.db.selectFrom('staff').select(['name', 'email']).where('org_id', '=', orgId).execute()
        : [];
      for (const member of staff) {
        if (!slackSandbox.state.users.some((u) => u.email === member.email)) {
          slackSandbox.addUser({
            id: sandboxSlackUserId(member.email),
            name: member.name,
            email: member.email,
            teamId: slackSandbox.teamId,
          });
        }
      }
      if (!slackSandbox.state.users.some((u) => u.id === SANDBOX_UNKNOWN_USER.id)) {
        slackSandbox.addUser({ ...SANDBOX_UNKNOWN_USER, teamId: slackSandbox.teamId });
      }
    },
    workers: [
      worker(slackPostCardJob, (ctx) =>
        ctx.queue.work(slackPostCardJob, (p) => postCard({ ctx, teams, clientFor }, p), {
          pollingIntervalSeconds: 0.5,
        }),
      ),
      worker(slackSyncCardJob, (ctx) =>
        ctx.queue.work(slackSyncCardJob, (p) => syncCard({ ctx, teams, clientFor }, p), {
          pollingIntervalSeconds: 0.5,
        }),
      ),
      worker(slackNoticeJob, (ctx) =>
        ctx.queue.work(slackNoticeJob, (p) => postNotice({ ctx, teams, clientFor }, p), {
          pollingIntervalSeconds: 0.5,
        }),
      ),
      worker(teamsAlertJob, (ctx) =>
        ctx.queue.work(
          teamsAlertJob,
          (p) => postTeamsAlert(ctx, p, { defaultWebhookUrl, publicBase: () => publicBase, isDefaultOrg }),
          { pollingIntervalSeconds: 0.5 },
        ),
      ),
      worker(approvalEscalationJob, async (ctx) => {
        await ctx.queue.work(approvalEscalationJob, async () => void (await runEscalations(ctx, teams)), {
          concurrency: 1,
        });
        await ctx.queue.schedule(approvalEscalationJob, '* * * * *');
      }),
    ],
    consumers: [slackConsumer(), teamsConsumer()],
    setWebhookBase(url) {
      publicBase ??= url.replace(/\/$/, '');
      slackSandbox?.setTarget(`${url.replace(/\/$/, '')}/slack/events`);
    },
    async close() {
      await slackSandbox?.close();
      await teamsSandbox?.close();
    },
  };
}
