import path from 'node:path';
import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const optionalSecret = z.string().min(1).optional();

/** Every environment variable Refund Desk reads. docs/configuration.md's tables is checked against this list. */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PUBLIC_URL: z.url().optional(),
  /** A refund attempt in flight longer than this is presumed abandoned (crash) and handed to the janitor. */
  EXECUTION_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Gateway call timeout. */
  GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  BOOTSTRAP_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  SECRETS_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes, base64 (openssl rand -base64 32)')
    .optional(),
  SANDBOX: booleanFlag.default(false),
  DEMO_DATA: booleanFlag.default(true),
  STRIPE_SECRET_KEY: optionalSecret,
  STRIPE_WEBHOOK_SECRET: optionalSecret,
  PAYPAL_CLIENT_ID: optionalSecret,
  PAYPAL_CLIENT_SECRET: optionalSecret,
  PAYPAL_WEBHOOK_ID: optionalSecret,
  SQUARE_ACCESS_TOKEN: optionalSecret,
  SQUARE_WEBHOOK_SIGNATURE_KEY: optionalSecret,

  // Zendesk (issue 5): the default organisation's helpdesk. No API token → the Zendesk sandbox.
  ZENDESK_SUBDOMAIN: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'the part before .zendesk.com')
    .optional(),
  ZENDESK_EMAIL: z.email().optional(),
  ZENDESK_API_TOKEN: optionalSecret,
  /** The signing secret of our webhook in Zendesk ("old,new" during rotation). */
  ZENDESK_WEBHOOK_SECRET: optionalSecret,
  /** The sidebar app's shared secret (HS256 JWT of ZAF secure requests): older installs, read and request only. */
  ZENDESK_APP_SECRET: optionalSecret,
  /** The sidebar app's installation id: the `aud` of its signed-URL tokens (proven agents). */
  ZENDESK_APP_INSTALLATION_ID: z
    .string()
    .regex(/^[1-9][0-9]{0,18}$/, 'the app installation id (a number)')
    .optional(),
  /** The app id: its public key is read from Zendesk (GET /api/v2/apps/{id}/public_key.pem, an admin's token). */
  ZENDESK_APP_ID: z
    .string()
    .regex(/^[1-9][0-9]{0,18}$/, 'the app id (a number)')
    .optional(),
  /** The app's public key (PEM, `\n` for line breaks allowed); overrides fetching it by ZENDESK_APP_ID. */
  ZENDESK_APP_PUBLIC_KEY: z.string().includes('PUBLIC KEY', { message: 'a PEM public key' }).optional(),

  // Slack and Teams (issue 6). No bot token → the Slack sandbox.
  SLACK_SIGNING_SECRET: optionalSecret,
  SLACK_BOT_TOKEN: optionalSecret,
  /** The default organisation's Slack workspace (team id, T…); events from other teams are refused. */
  SLACK_TEAM_ID: z
    .string()
    .regex(/^T[A-Z0-9]+$/, 'a Slack team id such as T0123ABCD')
    .optional(),
  SLACK_APPROVAL_CHANNEL: z.string().min(1).default('refund-approvals'),
  /** A pending approval gets a reminder after this many hours and is escalated a tier up after ESCALATE_AFTER_HOURS. */
  APPROVAL_REMIND_AFTER_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  APPROVAL_ESCALATE_AFTER_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .default(72),
  TEAMS_WEBHOOK_URL: z.url().optional(),

  // Customer notifications (issue 7). No credentials → the Twilio and SendGrid sandboxes.
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'AC followed by 32 hex digits')
    .optional(),
  TWILIO_AUTH_TOKEN: optionalSecret,
  TWILIO_FROM: z
    .string()
    .regex(
      /^(\+[1-9][0-9]{6,14}|MG[0-9a-fA-F]{32})$/,
      'an E.164 number (+15551234567) or a messaging service sid (MG…)',
    )
    .optional(),
  SENDGRID_API_KEY: optionalSecret,
  SENDGRID_FROM: z.email().optional(),
  /** The event webhook's verification key (base64 DER, P-256), from SendGrid's Mail Settings. */
  SENDGRID_WEBHOOK_PUBLIC_KEY: optionalSecret,
  /** Non-urgent messages wait outside these hours, in the organisation's time zone ("HH:MM-HH:MM"). */
  NOTIFY_SEND_WINDOW: z
    .string()
    .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$/, 'HH:MM-HH:MM, e.g. 08:00-21:00')
    .default('08:00-21:00'),
  /** How long a tracking link in a message keeps working. */
  TRACKING_LINK_DAYS: z.coerce.number().int().min(1).max(365).default(90),
});

export type Config = Readonly<z.infer<typeof configSchema> & { readonly dataDir: string }>;

/** The environment is unusable; `problems` names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: ReadonlyArray<{ readonly variable: string; readonly message: string }>) {
    super(`Invalid environment:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment once; empty strings count as unset. Throws ConfigError listing every problem at once. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '(environment)'),
      message: issue.message,
    }));
    throw new ConfigError(problems);
  }
  // npm runs workspace scripts inside the workspace; INIT_CWD is where the user typed the command.
  const base = env['INIT_CWD'] ?? process.cwd();
  return Object.freeze({ ...result.data, dataDir: path.resolve(base, result.data.DATA_DIR) });
}

/** The process's configuration; the only place process.env is read. */
export function loadConfig(): Config {
  return parseConfig(process.env);
}
