import { swaggerUI } from '@hono/swagger-ui';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app.js';
import { auditRoutes } from '../audit/audit-routes.js';
import type { AppContext } from '../context.js';
import { gatewaySettingsRoutes } from '../gateways/gateway-settings-routes.js';
import { type AuthEnv, bearerAuth } from '../http/auth.js';
import type { Integration } from '../integrations/integration.js';
import { eligibilityRoutes } from '../ledger/eligibility-routes.js';
import { ledgerRoutes } from '../ledger/ledger-routes.js';
import { adminRoutes } from '../orgs/admin-routes.js';
import { refundRoutes } from '../refunds/refund-routes.js';

/** Mounts `/api/v1` (Bearer staff tokens), `/openapi.json` covering every route, and `/docs`. */
export function mountApi(
  app: OpenAPIHono<AppEnv>,
  ctx: AppContext,
  integrations: ReadonlyArray<Integration> = [],
): void {
  const api = new OpenAPIHono<AuthEnv>();
  api.use('*', bearerAuth(ctx.db));
  api.route('/', refundRoutes(ctx));
  api.route('/', eligibilityRoutes(ctx));
  api.route('/', ledgerRoutes(ctx));
  api.route('/', adminRoutes(ctx));
  api.route('/', auditRoutes(ctx));
  api.route('/', gatewaySettingsRoutes(ctx));
  for (const integration of integrations) {
    if (integration.apiRoutes) api.route('/', integration.apiRoutes(ctx));
  }
  app.route('/api/v1', api as unknown as OpenAPIHono<AppEnv>);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'A staff API token (rd_…)',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Refund Desk API',
      version: '1',
      description:
        'Refunds requested from the ticket, approved in chat, executed exactly once at the gateway, recorded in a tamper-evident audit trail. Errors are {"error": {"code", "message", "details"?}}.',
    },
  });
  app.get('/docs', swaggerUI({ url: '/openapi.json' }));
}
