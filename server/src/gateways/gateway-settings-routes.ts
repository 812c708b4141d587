import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { bearerSecurity, createApiRouter, errorResponses, json } from '../api/schemas.js';
import { appendAudit } from '../audit/audit-log.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { type AuthEnv, requireRole } from '../http/auth.js';
import { refuseForDefaultOrganisation } from '../orgs/seed.js';
import { connectVendor, credentialSchemas, GATEWAY_VENDORS } from './gateway-credentials.js';
import { gatewayReconcileJob } from './gateway-reconcile.js';
import { sealSecret } from './gateway-secrets.js';
import { settingsAad } from './org-gateway-registry.js';

const IssueView = z
  .object({
    id: z.uuid(),
    paymentId: z.uuid(),
    refundId: z.uuid().nullable(),
    kind: z.string(),
    details: z.record(z.string(), z.unknown()),
    detectedAt: z.string(),
    resolvedAt: z.string().nullable(),
  })
  .openapi('ReconciliationIssue');

/**
 * `PUT /gateways/{vendor}` (admin): an organisation's own gateway credentials, encrypted at rest with
 * SECRETS_KEY and never echoed back; `GET /reconciliation/issues` (admin, manager, auditor);
 * `POST /reconciliation/run` (admin) enqueues a reconciliation of the caller's organisation now.
 */
export function gatewaySettingsRoutes(ctx: AppContext): OpenAPIHono<AuthEnv> {
  const app = createApiRouter<AuthEnv>();

  app.openapi(
    createRoute({
      method: 'put',
      path: '/gateways/{vendor}',
      summary: 'Store this organisation’s credentials for a gateway (encrypted; never returned)',
      tags: ['gateways'],
      security: bearerSecurity,
      request: {
        params: z.object({ vendor: z.enum(GATEWAY_VENDORS).openapi({ param: { name: 'vendor', in: 'path' } }) }),
        body: {
          content: {
            'application/json': {
              schema: z.record(z.string(), z.string()).openapi({
                description:
                  'stripe: {secretKey, webhookSecret?}; paypal: {clientId, clientSecret, webhookId?, environment?}; square: {accessToken, webhookSignatureKey?}',
              }),
            },
          },
          required: true,
        },
      },
      responses: {
        200: json(z.object({ vendor: z.string(), configured: z.boolean(), updatedAt: z.string() }), 'Stored'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin');
      const { vendor } = c.req.valid('param');
      const secretsKey = ctx.config.SECRETS_KEY;
      if (!secretsKey) {
        throw new AppError('conflict', 'SECRETS_KEY is not set: gateway credentials cannot be stored encrypted');
      }
      await refuseForDefaultOrganisation(ctx.db, principal.orgId, 'gateways are');
      const credentials = credentialSchemas[vendor].parse(c.req.valid('json'));
      try {
        connectVendor(vendor, credentials, { timeoutMs: ctx.config.GATEWAY_TIMEOUT_MS });
      } catch (error) {
        throw new AppError('invalid_request', error instanceof Error ? error.message : 'unusable credentials');
      }
      const sealed = sealSecret(secretsKey, JSON.stringify(credentials), settingsAad(principal.orgId, vendor));
      const now = ctx.clock.now();
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('gateway_settings')
          .values({ org_id: principal.orgId, vendor, ...sealed, updated_at: now })
          .onConflict((oc) => oc.columns(['org_id', 'vendor']).doUpdateSet({ ...sealed, updated_at: now }))
          .execute();
        await appendAudit(trx, {
          orgId: principal.orgId,
          actor: { type: 'staff', id: principal.staffId },
          action: 'gateway.configured',
          data: { vendor, fields: Object.keys(credentials).sort() },
          at: now,
        });
      });
      ctx.gateways.invalidate?.(principal.orgId, vendor);
      return c.json({ vendor, configured: true, updatedAt: now.toISOString() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reconciliation/issues',
      summary: 'Where the ledger and the gateways disagree (open issues by default)',
      tags: ['gateways'],
      security: bearerSecurity,
      request: { query: z.object({ state: z.enum(['open', 'all']).default('open') }) },
      responses: { 200: json(z.object({ issues: z.array(IssueView) }), 'Issues, newest first'), ...errorResponses },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin', 'manager', 'auditor');
      let query = ctx.db
        .selectFrom('reconciliation_issues')
        .selectAll()
        .where('org_id', '=', principal.orgId)
        .orderBy('detected_at', 'desc')
        .limit(500);
      if (c.req.valid('query').state === 'open') query = query.where('resolved_at', 'is', null);
      const rows = await query.execute();
      return c.json(
        {
          issues: rows.map((row) => ({
            id: row.id,
            paymentId: row.payment_id,
            refundId: row.refund_id,
            kind: row.kind,
            details: row.details,
            detectedAt: row.detected_at.toISOString(),
            resolvedAt: row.resolved_at?.toISOString() ?? null,
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/reconciliation/run',
      summary: 'Reconcile this organisation’s recent payments with the gateways now',
      tags: ['gateways'],
      security: bearerSecurity,
      responses: { 202: json(z.object({ queued: z.boolean() }), 'Queued'), ...errorResponses },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin');
      const jobId = await ctx.queue.send(
        gatewayReconcileJob,
        { orgId: principal.orgId },
        { singletonKey: `reconcile:${principal.orgId}` },
      );
      return c.json({ queued: jobId !== null }, 202);
    },
  );
  return app;
}
