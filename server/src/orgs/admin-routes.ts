import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { bearerSecurity, createApiRouter, errorResponses, json } from '../api/schemas.js';
import { loadPolicy, savePolicy } from '../approvals/policy-store.js';
import { appendAudit } from '../audit/audit-log.js';
import type { AppContext } from '../context.js';
import { type AuthEnv, requireRole } from '../http/auth.js';
import { createStaff } from './organisations.js';
import { STAFF_ROLES } from './roles.js';

const StaffView = z
  .object({ id: z.uuid(), name: z.string(), email: z.string(), role: z.enum(STAFF_ROLES), active: z.boolean() })
  .openapi('Staff');

/** Staff, policy and reason codes: the admin's levers. */
export function adminRoutes(ctx: AppContext): OpenAPIHono<AuthEnv> {
  const app = createApiRouter<AuthEnv>();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/staff',
      summary: 'Create a staff member; the token is shown once',
      tags: ['staff'],
      security: bearerSecurity,
      request: {
        body: {
          content: {
            'application/json': {
              schema: z
                .object({
                  name: z.string().min(1).max(200),
                  email: z.email().max(254),
                  role: z.enum(STAFF_ROLES),
                  externalIds: z.record(z.string().max(32), z.string().max(128)).optional(),
                })
                .strict(),
            },
          },
          required: true,
        },
      },
      responses: {
        201: json(z.object({ staff: StaffView, token: z.string() }), 'Created; store the token now'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin');
      const body = c.req.valid('json');
      const { staff, token } = await createStaff(ctx.db, { orgId: principal.orgId, ...body });
      await appendAudit(ctx.db, {
        orgId: principal.orgId,
        actor: { type: 'staff', id: principal.staffId },
        action: 'staff.created',
        data: { staffId: staff.id, role: staff.role },
        at: ctx.clock.now(),
      });
      return c.json(
        {
          staff: { id: staff.id, name: staff.name, email: staff.email, role: staff.role, active: staff.active },
          token,
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/staff',
      summary: 'List staff',
      tags: ['staff'],
      security: bearerSecurity,
      responses: { 200: json(z.object({ staff: z.array(StaffView) }), 'Staff'), ...errorResponses },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin', 'manager', 'auditor');
      const rows = await ctx.db
        .selectFrom('staff')
        .select(['id', 'name', 'email', 'role', 'active'])
        .where('org_id', '=', principal.orgId)
        .orderBy('name')
        .execute();
      return c.json({ staff: rows }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/policy',
      summary: 'The approval policy',
      tags: ['policy'],
      security: bearerSecurity,
      responses: { 200: json(z.object({ policy: z.unknown() }), 'Policy'), ...errorResponses },
    }),
    async (c) => c.json({ policy: await loadPolicy(ctx.db, c.get('principal').orgId) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/policy',
      summary: 'Replace the approval policy (validated as a whole)',
      tags: ['policy'],
      security: bearerSecurity,
      request: {
        body: {
          content: { 'application/json': { schema: z.object({ policy: z.unknown() }).strict() } },
          required: true,
        },
      },
      responses: { 200: json(z.object({ policy: z.unknown() }), 'Stored policy'), ...errorResponses },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin');
      const policy = await ctx.db.transaction().execute(async (trx) => {
        const saved = await savePolicy(trx, principal.orgId, c.req.valid('json').policy, principal.staffId);
        await appendAudit(trx, {
          orgId: principal.orgId,
          actor: { type: 'staff', id: principal.staffId },
          action: 'policy.updated',
          data: { policy: saved },
          at: ctx.clock.now(),
        });
        return saved;
      });
      return c.json({ policy }, 200);
    },
  );

  const ReasonCodeView = z
    .object({
      code: z.string(),
      label: z.string(),
      refundWindowDays: z.number().int(),
      gatewayReason: z.string(),
      active: z.boolean(),
    })
    .openapi('ReasonCode');
  app.openapi(
    createRoute({
      method: 'get',
      path: '/reason-codes',
      summary: 'Reason codes',
      tags: ['policy'],
      security: bearerSecurity,
      responses: { 200: json(z.object({ reasonCodes: z.array(ReasonCodeView) }), 'Reason codes'), ...errorResponses },
    }),
    async (c) => {
      const rows = await ctx.db
        .selectFrom('reason_codes')
        .selectAll()
        .where('org_id', '=', c.get('principal').orgId)
        .orderBy('code')
        .execute();
      return c.json(
        {
          reasonCodes: rows.map((r) => ({
            code: r.code,
            label: r.label,
            refundWindowDays: r.refund_window_days,
            gatewayReason: r.gateway_reason,
            active: r.active,
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/reason-codes/{code}',
      summary: 'Create or change a reason code',
      tags: ['policy'],
      security: bearerSecurity,
      request: {
        params: z.object({
          code: z
            .string()
            .regex(/^[a-z][a-z0-9_]{1,63}$/)
            .openapi({ param: { name: 'code', in: 'path' } }),
        }),
        body: {
          content: {
            'application/json': {
              schema: z
                .object({
                  label: z.string().min(1).max(120),
                  refundWindowDays: z.number().int().min(1).max(3650),
                  gatewayReason: z
                    .enum(['duplicate', 'fraudulent', 'requested_by_customer'])
                    .default('requested_by_customer'),
                  active: z.boolean().default(true),
                })
                .strict(),
            },
          },
          required: true,
        },
      },
      responses: { 200: json(ReasonCodeView, 'Stored'), ...errorResponses },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin');
      const { code } = c.req.valid('param');
      const body = c.req.valid('json');
      const values = {
        label: body.label,
        refund_window_days: body.refundWindowDays,
        gateway_reason: body.gatewayReason,
        active: body.active,
      };
      await ctx.db
        .insertInto('reason_codes')
        .values({ org_id: principal.orgId, code, ...values })
        .onConflict((oc) => oc.columns(['org_id', 'code']).doUpdateSet(values))
        .execute();
      await appendAudit(ctx.db, {
        orgId: principal.orgId,
        actor: { type: 'staff', id: principal.staffId },
        action: 'reason_code.saved',
        data: { code, ...values },
        at: ctx.clock.now(),
      });
      return c.json(
        {
          code,
          label: body.label,
          refundWindowDays: body.refundWindowDays,
          gatewayReason: body.gatewayReason,
          active: body.active,
        },
        200,
      );
    },
  );
  return app;
}
