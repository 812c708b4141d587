import path from 'node:path';
import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const optionalSecret = z.string().min(1).optional();

/** Every environment variable Refund Desk reads. README's configuration table is checked against this list. */
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
