import { randomBytes } from 'node:crypto';
import type { WorkerRegistration } from '../boot.js';
import { createZendeskHelpdesk } from '../connectors/zendesk/zendesk-helpdesk.js';
import type { Integration, IntegrationDeps } from '../integrations/integration.js';
import type { JobDefinition } from '../jobs/job-definition.js';
import { DEFAULT_ORG_SLUG, DEMO_STAFF } from '../orgs/seed.js';
import { type RunningSandbox, startSandboxServer } from '../sandboxes/sandbox-server.js';
import { createZendeskSandbox, type ZendeskSandbox } from '../sandboxes/zendesk/zendesk-sandbox.js';
import { sidebarAppRoutes } from './sidebar-app-routes.js';
import { sidebarRoutes } from './sidebar-routes.js';
import { processTaggedTicket } from './tagged-ticket.js';
import { createZendeskConnections, splitSecrets, type ZendeskConnection } from './zendesk-connections.js';
import { zendeskPruneJob, zendeskTaggedJob, zendeskWritebackJob } from './zendesk-jobs.js';
import { pruneJwtIds, seedSandboxTickets } from './zendesk-sandbox-seed.js';
import { zendeskSettingsRoutes } from './zendesk-settings-routes.js';
import { zendeskWebhookRoutes } from './zendesk-webhook-routes.js';
import { writeBackCase, zendeskWritebackConsumer } from './zendesk-writeback.js';

const generated = () => randomBytes(24).toString('base64url');

/** The integration and, in sandbox mode, the Zendesk sandbox (tests drive it as Zendesk). */
export interface ZendeskIntegration extends Integration {
  readonly sandbox: ZendeskSandbox | undefined;
}

/** Zendesk: sidebar app and API, signed webhook, ticket write-back, sandbox (issue 5). */
export async function createZendeskIntegration(deps: IntegrationDeps): Promise<ZendeskIntegration> {
  const { config } = deps;
  const isLive = !!config.ZENDESK_API_TOKEN && !config.SANDBOX;
  let defaultConnection: Omit<ZendeskConnection, 'orgId'> | undefined;
  let sandbox: ZendeskSandbox | undefined;
  let running: RunningSandbox | undefined;
  if (isLive) {
    if (!config.ZENDESK_SUBDOMAIN || !config.ZENDESK_EMAIL) {
      throw new Error('ZENDESK_API_TOKEN needs ZENDESK_SUBDOMAIN and ZENDESK_EMAIL');
    }
    defaultConnection = {
      subdomain: config.ZENDESK_SUBDOMAIN,
      helpdesk: createZendeskHelpdesk({
        baseUrl: `https://${config.ZENDESK_SUBDOMAIN}.zendesk.com`,
        email: config.ZENDESK_EMAIL,
        apiToken: config.ZENDESK_API_TOKEN as string,
      }),
      webhookSecrets: splitSecrets(config.ZENDESK_WEBHOOK_SECRET ?? ''),
      appSecrets: splitSecrets(config.ZENDESK_APP_SECRET ?? ''),
      signedUrls: config.ZENDESK_APP_INSTALLATION_ID
        ? {
            installationId: config.ZENDESK_APP_INSTALLATION_ID,
            appId: config.ZENDESK_APP_ID,
            publicKeyPem: config.ZENDESK_APP_PUBLIC_KEY,
          }
        : undefined,
      frameAncestors: [`https://${config.ZENDESK_SUBDOMAIN}.zendesk.com`],
    };
    if (config.ZENDESK_APP_INSTALLATION_ID && !config.ZENDESK_APP_ID && !config.ZENDESK_APP_PUBLIC_KEY) {
      throw new Error(
        'ZENDESK_APP_INSTALLATION_ID needs ZENDESK_APP_ID or ZENDESK_APP_PUBLIC_KEY (the app’s public key)',
      );
    }
  } else if (deps.startSandboxes) {
    // the sandbox signs with the configured secrets (the newest when rotating), else ones made now
    const webhookSecrets = splitSecrets(config.ZENDESK_WEBHOOK_SECRET ?? '');
    const appSecrets = splitSecrets(config.ZENDESK_APP_SECRET ?? '');
    if (webhookSecrets.length === 0) webhookSecrets.push(generated());
    if (appSecrets.length === 0) appSecrets.push(generated());
    const subdomain = config.ZENDESK_SUBDOMAIN ?? 'refund-desk-sandbox';
    const email = config.ZENDESK_EMAIL ?? 'zendesk-api@refund-desk.local';
    const apiToken = config.ZENDESK_API_TOKEN ?? generated();
    sandbox = createZendeskSandbox({ subdomain, email, apiToken, appSecret: appSecrets.at(-1) as string });
    seedSandboxAgents(sandbox);
    running = await startSandboxServer(sandbox.app);
    defaultConnection = {
      subdomain,
      helpdesk: createZendeskHelpdesk({ baseUrl: running.url, email, apiToken }),
      webhookSecrets,
      appSecrets,
      // the sandbox installed the app with signedUrls: its key is read through the API, as from Zendesk
      signedUrls: { installationId: sandbox.installedApp.installationId, appId: sandbox.installedApp.appId },
      frameAncestors: [running.url],
    };
  }
  const connections = createZendeskConnections({
    db: deps.db,
    config,
    defaultSlug: DEFAULT_ORG_SLUG,
    defaultConnection,
  });

  const workers: WorkerRegistration[] = [
    {
      definition: zendeskWritebackJob as JobDefinition<unknown>,
      register: (ctx) => ctx.queue.work(zendeskWritebackJob, (payload) => writeBackCase(ctx, connections, payload)),
    },
    {
      definition: zendeskTaggedJob as JobDefinition<unknown>,
      register: (ctx) =>
        ctx.queue.work(
          zendeskTaggedJob,
          async (payload) => void (await processTaggedTicket(ctx, connections, payload)),
        ),
    },
    {
      definition: zendeskPruneJob as JobDefinition<unknown>,
      register: async (ctx) => {
        await ctx.queue.work(zendeskPruneJob, async () => void (await pruneJwtIds(ctx)));
        await ctx.queue.schedule(zendeskPruneJob, '*/10 * * * *');
      },
    },
  ];

  return {
    name: 'zendesk',
    sandbox,
    sandboxes: running ? { zendesk: running.url, 'zendesk-preview': `${running.url}/preview` } : {},
    routes: (ctx) => {
      const app = zendeskWebhookRoutes(ctx, connections);
      app.route('/', sidebarRoutes(ctx, connections));
      app.route('/', sidebarAppRoutes(ctx, connections));
      return app;
    },
    apiRoutes: (ctx) => zendeskSettingsRoutes(ctx, connections),
    workers,
    consumers: [zendeskWritebackConsumer],
    async onReady(ctx) {
      if (sandbox) await seedSandboxTickets(ctx, sandbox);
    },
    setWebhookBase(url) {
      if (!sandbox || !defaultConnection) return;
      sandbox.setWebhookTarget({
        url: `${url}/webhooks/zendesk/${DEFAULT_ORG_SLUG}`,
        secret: defaultConnection.webhookSecrets.at(-1) as string,
      });
      sandbox.setServer(url, DEFAULT_ORG_SLUG);
    },
    async close() {
      await sandbox?.drainWebhooks();
      await running?.close();
    },
  };
}

/** The default organisation's staff (see orgs/seed.ts) as Zendesk agents, plus one agent who is not staff. */
function seedSandboxAgents(sandbox: ZendeskSandbox): void {
  const agents: Array<[string, string, 'agent' | 'admin']> = [
    ...DEMO_STAFF.map((s): [string, string, 'agent' | 'admin'] => [
      s.name,
      s.email,
      s.role === 'admin' ? 'admin' : 'agent',
    ]),
    ['Casey Contractor', 'casey.contractor@refund-desk.local', 'agent'],
  ];
  for (const [name, email, role] of agents) sandbox.store.addUser({ name, email, role });
}
