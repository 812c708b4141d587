import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { mountApi } from './api/api-routes.js';
import type { AppContext } from './context.js';
import { AppError } from './errors/app-error.js';
import { handleError } from './http/error-handler.js';
import { healthRoutes } from './ops/health-routes.js';

export type AppEnv = { Variables: { requestId: string } };

/** Builds the HTTP app; `main.ts` listens. Each area mounts its routes here. */
export function createApp(ctx: AppContext): OpenAPIHono<AppEnv> {
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
  mountApi(app, ctx);

  app.notFound((c) => c.json(new AppError('not_found', `no route for ${c.req.method} ${c.req.path}`).toBody(), 404));
  app.onError(handleError(ctx.logger));
  return app;
}
