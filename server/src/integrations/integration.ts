/**
 * An integration: one outside system the desk talks to beyond the payment gateways (Zendesk,
 * Slack and Teams, SMS and email). Each area builds one from the configuration at boot; boot
 * mounts its routes, registers its jobs, runs its case-event consumers in worker roles, lists its
 * sandboxes at `GET /sandbox`, and closes it at shutdown. Integrations never import each other:
 * they meet through case events (the audit chain) and the HTTP API.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { WorkerRegistration } from '../boot.js';
import type { Config } from '../config.js';
import type { AppContext, Clock } from '../context.js';
import type { Database } from '../db/schema.js';
import type { CaseEventConsumer } from '../events/case-events.js';
import type { AuthEnv } from '../http/auth.js';
import type { Logger } from '../logger.js';

export interface IntegrationDeps {
  readonly config: Config;
  readonly db: Kysely<Database>;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Start wire-compatible sandboxes for vendors without credentials (false in a worker-only or web-only process). */
  readonly startSandboxes: boolean;
}

export interface Integration {
  readonly name: string;
  /** Sandboxes it runs: name (e.g. `zendesk`) → base URL of its loopback origin. */
  readonly sandboxes: Readonly<Record<string, string>>;
  /** HTTP routes, mounted at the root; paths under /api/ and /webhooks/ answer 503 until the desk is ready. */
  routes?(ctx: AppContext): Hono;
  /** Routes inside `/api/v1`: staff Bearer tokens already checked (\`c.get('principal')\`), listed in /openapi.json. */
  apiRoutes?(ctx: AppContext): OpenAPIHono<AuthEnv>;
  /** Runs once migrations ran and the queue started, in every role (seed sandboxes from the database…). */
  onReady?(ctx: AppContext): Promise<void>;
  /** Job types and their handlers. */
  readonly workers?: ReadonlyArray<WorkerRegistration>;
  /** Case event consumers, run by worker roles. */
  readonly consumers?: ReadonlyArray<CaseEventConsumer>;
  /** Called once the HTTP server listens: the base URL its sandboxes post webhooks to (PUBLIC_URL wins). */
  setWebhookBase?(url: string): void;
  close?(): Promise<void>;
}

export type IntegrationFactory = (deps: IntegrationDeps) => Promise<Integration>;
