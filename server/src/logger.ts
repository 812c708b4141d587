import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'token',
  'secret',
  'password',
  'authorization',
  '*.token',
  '*.secret',
  '*.password',
  '*.apiKey',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'config.STRIPE_SECRET_KEY',
  'config.STRIPE_WEBHOOK_SECRET',
  'config.PAYPAL_CLIENT_SECRET',
  'config.SQUARE_ACCESS_TOKEN',
  'config.SQUARE_WEBHOOK_SIGNATURE_KEY',
  'config.BOOTSTRAP_ADMIN_TOKEN',
  'config.SECRETS_KEY',
  'config.DATABASE_URL',
];

/** JSON logs, pretty when writing to a terminal; secrets redacted. */
export function createLogger(options: { readonly level: string; readonly pretty?: boolean }): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  return pino({
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } }
      : {}),
  });
}

/** SDK errors (axios, Stripe, Square) carry the request they failed on, credentials included. */
const VENDOR_ERROR_BAGGAGE = ['config', 'request', 'response', 'headers', 'raw', 'rawHeaders', 'auth'];

/** pino's error serializer, minus anything that can hold a request's credentials. */
export function serializeError(error: unknown): Record<string, unknown> {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  for (const key of VENDOR_ERROR_BAGGAGE) delete serialized[key];
  const status = (error as { response?: { status?: unknown } } | undefined)?.response?.status;
  if (typeof status === 'number') serialized['httpStatus'] = status;
  return serialized;
}
