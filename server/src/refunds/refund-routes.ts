import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  bearerSecurity,
  CurrencyCode,
  createApiRouter,
  DecimalAmount,
  errorResponses,
  IdParam,
  json,
} from '../api/schemas.js';
import { listAudit } from '../audit/audit-log.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { type AuthEnv, requireRole } from '../http/auth.js';
import { parseDecimal } from '../money/money.js';
import { canRequestRefunds } from '../orgs/roles.js';
import { CASE_STATES } from './case-states.js';
import { CaseView, caseView } from './case-view.js';
import { approve, cancel, deny, markResolvedManually, retry } from './decide-case.js';
import { listCases } from './list-cases.js';
import { requestRefund } from './request-refund.js';

const CreateRefundBody = z
  .object({
    paymentId: z.uuid(),
    amount: DecimalAmount.optional().openapi({ description: 'omit for everything still refundable' }),
    currency: CurrencyCode.optional(),
    reasonCode: z.string().min(1).max(64),
    note: z.string().max(2000).optional(),
    ticket: z.object({ system: z.enum(['zendesk', 'freshdesk', 'other']), ref: z.string().min(1).max(64) }).optional(),
    identity: z.enum(['verified', 'email_only', 'phone_only', 'unmatched']).optional(),
  })
  .strict()
  .openapi('CreateRefund');

const CaseWithVerdict = z.object({ case: CaseView, eligibility: z.unknown() }).openapi('RefundCaseCreated');
const ReasonBody = z.object({ reason: z.string().max(2000).optional(), evidence: z.unknown().optional() }).strict();
const decisionRoute = (path: string, summary: string) =>
  createRoute({
    method: 'post',
    path,
    summary,
    tags: ['refunds'],
    security: bearerSecurity,
    request: { params: IdParam, body: { content: { 'application/json': { schema: ReasonBody } }, required: false } },
    responses: { 200: json(CaseView, 'The case after the decision'), ...errorResponses },
  });

/** `/api/v1/refunds`: create, read, list, decide, retry, resolve, audit. */
export function refundRoutes(ctx: AppContext): OpenAPIHono<AuthEnv> {
  const app = createApiRouter<AuthEnv>();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/refunds',
      summary: 'Request a refund (opens a case; policy routes it)',
      tags: ['refunds'],
      security: bearerSecurity,
      request: {
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
        body: { content: { 'application/json': { schema: CreateRefundBody } }, required: true },
      },
      responses: {
        201: json(CaseWithVerdict, 'Case opened'),
        200: json(CaseWithVerdict, 'Replay of an earlier request with the same Idempotency-Key'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      if (!canRequestRefunds(principal.role)) throw new AppError('forbidden', 'your role cannot request refunds');
      const body = c.req.valid('json');
      if (body.amount !== undefined && body.currency === undefined)
        throw new AppError('invalid_request', 'currency is required with amount');
      const outcome = await requestRefund(ctx, {
        orgId: principal.orgId,
        paymentId: body.paymentId,
        amount: body.amount !== undefined && body.currency ? parseDecimal(body.amount, body.currency) : undefined,
        currency: body.currency,
        reasonCode: body.reasonCode,
        note: body.note,
        source: 'api',
        ticket: body.ticket,
        requestedBy: principal.staffId,
        identity: body.identity,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      return c.json({ case: caseView(outcome.caseRow), eligibility: outcome.verdict }, outcome.replayed ? 200 : 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/refunds',
      summary: 'List cases, newest first',
      tags: ['refunds'],
      security: bearerSecurity,
      request: {
        query: z.object({
          state: z.enum(CASE_STATES).optional(),
          source: z.string().max(32).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          ticketRef: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.string().max(200).optional(),
        }),
      },
      responses: {
        200: json(z.object({ cases: z.array(CaseView), nextCursor: z.string().nullable() }), 'A page of cases'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const page = await listCases(ctx.db, c.get('principal').orgId, query);
      return c.json({ cases: page.rows.map(caseView), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/refunds/{id}',
      summary: 'One case',
      tags: ['refunds'],
      security: bearerSecurity,
      request: { params: IdParam },
      responses: { 200: json(CaseView, 'The case'), ...errorResponses },
    }),
    async (c) => {
      const row = await ctx.db
        .selectFrom('refund_cases')
        .selectAll()
        .where('id', '=', c.req.valid('param').id)
        .where('org_id', '=', c.get('principal').orgId)
        .executeTakeFirst();
      if (!row) throw new AppError('not_found', 'no such refund case');
      return c.json(caseView(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/refunds/{id}/audit',
      summary: 'The audit trail of one case',
      tags: ['refunds', 'audit'],
      security: bearerSecurity,
      request: { params: IdParam },
      responses: { 200: json(z.object({ events: z.array(z.unknown()) }), 'Events in order'), ...errorResponses },
    }),
    async (c) => {
      const orgId = c.get('principal').orgId;
      const id = c.req.valid('param').id;
      const exists = await ctx.db
        .selectFrom('refund_cases')
        .select('id')
        .where('id', '=', id)
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      if (!exists) throw new AppError('not_found', 'no such refund case');
      const events = await listAudit(ctx.db, { orgId, caseId: id, limit: 1000 });
      return c.json(
        {
          events: events.map((e) => ({
            seq: e.seq,
            at: e.created_at.toISOString(),
            actor: { type: e.actor_type, id: e.actor_id },
            action: e.action,
            data: e.data,
            hash: e.hash,
          })),
        },
        200,
      );
    },
  );

  const decide =
    (handler: typeof approve) =>
    async (c: {
      get: (k: 'principal') => AuthEnv['Variables']['principal'];
      req: { valid: (t: 'param' | 'json') => unknown };
    }) => {
      const body = ((c.req.valid('json') as z.infer<typeof ReasonBody> | undefined) ?? {}) as z.infer<
        typeof ReasonBody
      >;
      return handler(ctx, {
        principal: c.get('principal'),
        caseId: (c.req.valid('param') as { id: string }).id,
        reason: body.reason,
        evidence: body.evidence,
      });
    };
  app.openapi(decisionRoute('/refunds/{id}/approve', 'Approve a pending case'), async (c) =>
    c.json(caseView(await decide(approve)(c)), 200),
  );
  app.openapi(decisionRoute('/refunds/{id}/deny', 'Deny a pending case (reason required)'), async (c) =>
    c.json(caseView(await decide(deny)(c)), 200),
  );
  app.openapi(decisionRoute('/refunds/{id}/cancel', 'Cancel a pending case'), async (c) =>
    c.json(caseView(await decide(cancel)(c)), 200),
  );
  app.openapi(
    decisionRoute('/refunds/{id}/resolve', 'Record that an exception was refunded another way (reason required)'),
    async (c) => c.json(caseView(await decide(markResolvedManually)(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/refunds/{id}/retry',
      summary: 'Retry an exception as a new case',
      tags: ['refunds'],
      security: bearerSecurity,
      request: { params: IdParam },
      responses: { 201: json(CaseWithVerdict, 'The new case'), ...errorResponses },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'lead', 'manager', 'admin');
      const outcome = await retry(ctx, { principal, caseId: c.req.valid('param').id });
      return c.json({ case: caseView(outcome.caseRow), eligibility: outcome.verdict }, 201);
    },
  );
  return app;
}
