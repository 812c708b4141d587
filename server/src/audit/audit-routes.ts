import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { bearerSecurity, createApiRouter, errorResponses, json } from '../api/schemas.js';
import type { AppContext } from '../context.js';
import { type AuthEnv, requireRole } from '../http/auth.js';
import { exportAuditCsv, exportAuditNdjson } from './audit-export.js';
import { verifyAuditChain } from './verify-chain.js';

/** `/audit/verify` and `/audit/export`: for auditors and admins. */
export function auditRoutes(ctx: AppContext): OpenAPIHono<AuthEnv> {
  const app = createApiRouter<AuthEnv>();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit/verify',
      summary: "Verify the organisation's hash chain; names the first broken row",
      tags: ['audit'],
      security: bearerSecurity,
      responses: {
        200: json(
          z.object({
            ok: z.boolean(),
            checked: z.number().int(),
            firstBroken: z.unknown().optional(),
            lastHash: z.string().optional(),
          }),
          'Verification result',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'auditor', 'admin', 'manager');
      return c.json(await verifyAuditChain(ctx.db, { orgId: principal.orgId }), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit/export',
      summary: 'Export the audit trail as CSV or NDJSON',
      tags: ['audit'],
      security: bearerSecurity,
      request: {
        query: z.object({
          format: z.enum(['csv', 'ndjson']).default('ndjson'),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
        }),
      },
      responses: {
        200: {
          description: 'The export, streamed',
          content: { 'text/csv': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'auditor', 'admin');
      const query = c.req.valid('query');
      const options = {
        orgId: principal.orgId,
        ...(query.from ? { from: new Date(query.from) } : {}),
        ...(query.to ? { to: new Date(query.to) } : {}),
      };
      const lines = query.format === 'csv' ? exportAuditCsv(ctx.db, options) : exportAuditNdjson(ctx.db, options);
      c.header('content-type', query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
      c.header('content-disposition', `attachment; filename="audit.${query.format}"`);
      return stream(c, async (out) => {
        for await (const line of lines) await out.write(line);
      });
    },
  );
  return app;
}
