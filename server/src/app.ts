import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { mountApi } from './api/api-routes.js';
import type { AppContext } from './context.js';
import { AppError } from './errors/app-error.js';
import { handleError } from './http/error-handler.js';
import type { Integration } from './integrations/integration.js';
import { healthRoutes } from './ops/health-routes.js';
import { gatewayWebhookRoutes } from './webhooks/gateway-webhook-routes.js';

export type AppEnv = { Variables: { requestId: string } };

export interface AppOptions {
  /** Vendor → base URL of its sandbox; served at `GET /sandbox` (absent or empty: 404). */
  readonly sandboxUrls?: Readonly<Record<string, string>> | undefined;
  /** Their routes are mounted at the root. */
  readonly integrations?: ReadonlyArray<Integration> | undefined;
}

/** Builds the HTTP app; `main.ts` listens. Each area mounts its routes here. */
export function createApp(ctx: AppContext, options: AppOptions = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw result.error;
    },
  });

  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath || 'unmatched';
    ctx.metrics.httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds);
    ctx.logger.debug(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        route,
        status: c.res.status,
        ms: Math.round(seconds * 1000),
      },
      'request',
    );
  });
  app.use(
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new AppError('payload_too_large', 'the request body is over 1 MiB');
      },
    }),
  );

  app.route('/', healthRoutes(ctx));
  // until migrations ran and the queue started, work-accepting routes say so (vendors and clients retry)
  app.use('*', refuseUntilReady(ctx));
  app.route('/', gatewayWebhookRoutes(ctx));
  for (const integration of options.integrations ?? []) {
    if (integration.routes) app.route('/', integration.routes(ctx));
  }
  const sandboxUrls = options.sandboxUrls;
  if (sandboxUrls && Object.keys(sandboxUrls).length > 0) app.get('/sandbox', (c) => c.json(sandboxUrls));
  mountApi(app, ctx, options.integrations);

  app.notFound((c) => c.json(new AppError('not_found', `no route for ${c.req.method} ${c.req.path}`).toBody(), 404));
  app.onError(handleError(ctx.logger));
  return app;
}

/** Paths that answer while the desk is starting: operations, the API description, the sandbox list. */
const ALWAYS_ANSWERED = new Set(['/healthz', '/readyz', '/metrics', '/sandbox', '/openapi.json', '/docs']);

function refuseUntilReady(ctx: AppContext): MiddlewareHandler {
  return async (c, next) => {
    if (!ctx.queue.isStarted && !ALWAYS_ANSWERED.has(c.req.path))
      throw new AppError('not_ready', 'Refund Desk is starting; try again in a few seconds');
    await next();
  };
}
