import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { sql } from 'kysely';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { type AppContext, buildContext, type Clock, systemClock } from './context.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrator.js';
import { type CaseEventDispatcher, startCaseEventDispatcher } from './events/case-events.js';
import { seedDemoPayments } from './gateways/demo-data.js';
import type { GatewayRegistry } from './gateways/gateway-registry.js';
import { createGatewaySetup, type GatewaySetup } from './gateways/gateway-setup.js';
import type { Integration, IntegrationFactory } from './integrations/integration.js';
import { closeIntegrations, startIntegrations } from './integrations/integrations.js';
import { drainFastPaths } from './jobs/fast-path.js';
import type { JobDefinition } from './jobs/job-definition.js';
import { JobQueue } from './jobs/job-queue.js';
import { createLogger, type Logger } from './logger.js';
import { ensureDefaultOrganisation, type FirstStart } from './orgs/seed.js';

export type Role = 'all' | 'web' | 'worker';

/** A job type and the handler this process runs for it. */
export interface WorkerRegistration {
  readonly definition: JobDefinition<unknown>;
  register(ctx: AppContext): Promise<void>;
}

export interface BootOptions {
  readonly config: Config;
  readonly role?: Role;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Gateway adapters; default: built from the environment (sandboxes for vendors without credentials). */
  readonly gateways?: GatewayRegistry;
  /** Jobs this process knows (and, for worker roles, runs). */
  readonly workers?: ReadonlyArray<WorkerRegistration>;
  /** Zendesk, Slack, notifications…: their routes, jobs and case-event consumers (default: none). */
  readonly integrations?: ReadonlyArray<IntegrationFactory>;
  /** How often worker roles read new case events for the integrations (default 250 ms). */
  readonly caseEventIntervalMs?: number;
}

export interface RunningDesk {
  readonly ctx: AppContext;
  /** What the first start created (tokens shown once). */
  readonly firstStart: FirstStart | undefined;
  /** Base URL of the HTTP server (undefined for a worker-only process). */
  readonly url: string | undefined;
  /** Vendor → base URL of each vendor running as its sandbox (empty when none). */
  readonly sandboxes: Readonly<Record<string, string>>;
  readonly integrations: ReadonlyArray<Integration>;
  /** Hands case events to the integrations (worker roles only). */
  readonly caseEvents: CaseEventDispatcher | undefined;
  /** Stops accepting, lets requests and jobs finish up to the deadline, closes the database. */
  stop(): Promise<void>;
}

/** Thrown when the HTTP port is taken; main.ts prints one line for it. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} is already in use; set PORT to a free port or stop the other process`);
    this.name = 'PortInUseError';
  }
}

/** Boots one process: database → HTTP (web roles) → migrations → queue → workers (worker roles). */
export async function bootDesk(options: BootOptions): Promise<RunningDesk> {
  const { config } = options;
  const role = options.role ?? 'all';
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const database = await openDatabase(
    config.DATABASE_URL
      ? { backend: 'postgres', connectionString: config.DATABASE_URL }
      : { backend: 'pglite', dataDir: config.dataDir },
  );
  const clock = options.clock ?? systemClock;
  let setup: GatewaySetup | undefined;
  let integrations: Integration[] = [];
  try {
    if (!options.gateways) setup = await createGatewaySetup(config, { db: database.db, logger });
    integrations = await startIntegrations(
      { config, db: database.db, logger, clock, startSandboxes: role === 'all' },
      options.integrations ?? [],
    );
  } catch (error) {
    await setup?.close();
    await database.close();
    throw error;
  }
  const sandboxes: Record<string, string> = Object.fromEntries(
    Object.entries(setup?.sandboxes ?? {}).map(([vendor, s]) => [vendor, s.url]),
  );
  for (const integration of integrations) Object.assign(sandboxes, integration.sandboxes);
  const queue = new JobQueue(database.executeSql, logger, { runMaintenance: role !== 'web' });
  const ctx = buildContext({
    config,
    logger,
    database,
    queue,
    gateways: options.gateways ?? (setup as GatewaySetup).registry,
    clock,
  });
  let caseEvents: CaseEventDispatcher | undefined;

  let server: ServerType | undefined;
  let url: string | undefined;
  let firstStart: FirstStart | undefined;
  try {
    if (role !== 'worker') {
      ({ server, url } = await listen(ctx, config, sandboxes, integrations));
    }
    await migrateToLatest(database.db);
    if (role !== 'worker')
      firstStart = await ensureDefaultOrganisation(database.db, { bootstrapAdminToken: config.BOOTSTRAP_ADMIN_TOKEN });
    if (firstStart?.created && config.DEMO_DATA && setup) await seedDemo(ctx, setup, firstStart.orgId);
    const workers = [...(options.workers ?? []), ...integrations.flatMap((i) => i.workers ?? [])];
    await queue.start(
      workers.map((w) => w.definition),
      { serialize: database.backend === 'postgres' ? serializeAcrossProcesses(database.db) : undefined },
    );
    // the queue exists now, so webhooks can be accepted; from now on sandboxes post their webhooks here
    for (const integration of integrations) await integration.onReady?.(ctx);
    if (url) {
      setup?.setWebhookBase(loopbackUrl(url, config));
      for (const integration of integrations) integration.setWebhookBase?.(loopbackUrl(url, config));
    }
    if (role !== 'web') {
      for (const worker of workers) await worker.register(ctx);
      const consumers = integrations.flatMap((i) => i.consumers ?? []);
      if (consumers.length > 0) {
        const intervalMs = options.caseEventIntervalMs;
        caseEvents = startCaseEventDispatcher(ctx, consumers, intervalMs ? { intervalMs } : {});
      }
    }
  } catch (error) {
    await closeServer(server, 0);
    await caseEvents?.stop();
    await closeIntegrations(integrations);
    await setup?.close();
    await database.close();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const deadline = Date.now() + config.SHUTDOWN_TIMEOUT_MS;
      await closeServer(server, config.SHUTDOWN_TIMEOUT_MS);
      await Promise.race([
        drainFastPaths(),
        new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()))),
      ]);
      await caseEvents?.stop();
      await queue.stop(Math.max(0, deadline - Date.now()));
      await closeIntegrations(integrations);
      await setup?.close();
      await database.close();
    })();
    return stopping;
  };
  return { ctx, url, firstStart, sandboxes, integrations, caseEvents, stop };
}

/** Demo payments in the sandboxes; a failure is logged, never fatal. */
async function seedDemo(ctx: AppContext, setup: GatewaySetup, orgId: string): Promise<void> {
  try {
    await seedDemoPayments({
      db: ctx.db,
      orgId,
      registry: setup.registry,
      sandboxes: setup.sandboxes,
      logger: ctx.logger,
    });
  } catch (error) {
    ctx.logger.warn({ err: error }, 'could not create the demo payments');
  }
}

/** Where sandboxes on this machine post webhooks: the listening port on loopback. */
function loopbackUrl(url: string, config: Config): string {
  const isWildcard = config.HOST === '0.0.0.0' || config.HOST === '::';
  return isWildcard ? `http://127.0.0.1:${new URL(url).port}` : url;
}

function listen(
  ctx: AppContext,
  config: Config,
  sandboxUrls: Readonly<Record<string, string>>,
  integrations: ReadonlyArray<Integration>,
): Promise<{ server: ServerType; url: string }> {
  const app = createApp(ctx, { sandboxUrls, integrations });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info: AddressInfo) => {
      const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
      resolve({ server, url: `http://${host}:${info.port}` });
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(config.PORT) : error);
    });
  });
}

/** Stops accepting connections and waits for in-flight requests, up to the deadline. */
function closeServer(server: ServerType | undefined, timeoutMs: number): Promise<void> {
  if (!server?.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if ('closeAllConnections' in server) server.closeAllConnections();
    }, timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
}

/** Processes starting together on one PostgreSQL install the queue one at a time (a transaction-scoped advisory lock). */
function serializeAcrossProcesses(db: AppContext['db']) {
  return <T>(work: () => Promise<T>): Promise<T> =>
    db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtextextended('refund-desk:queue-install', 0))`.execute(trx);
      return work();
    });
}
