import { sql } from 'kysely';
import { afterAll, beforeAll, expect } from 'vitest';
import { MemoryGateway } from '../../server/src/connectors/memory/memory-gateway.js';
import type { Backend } from '../../server/src/db/database.js';
import type { RefundRow } from '../../server/src/db/schema.js';
import { staticGatewayRegistry } from '../../server/src/gateways/gateway-registry.js';
import type { JobDefinition } from '../../server/src/jobs/job-definition.js';
import { refundExecuteJob, refundResolveJob, refundSweepJob } from '../../server/src/refunds/refund-jobs.js';
import { type ApiFixture, type ApiResponse, createApiFixture } from './api-fixtures.js';
import { createTestContext, TestClock, type TestContext } from './context.js';

export const JOBS = [refundExecuteJob, refundResolveJob, refundSweepJob] as ReadonlyArray<JobDefinition<unknown>>;

/** Every /api/v1 route declared in server/src (refund-routes, eligibility-routes, ledger-routes, admin-routes, audit-routes, gateway-settings-routes). */
export const API_ROUTES = [
  'GET /api/v1/audit/export',
  'GET /api/v1/audit/verify',
  'GET /api/v1/eligibility',
  'GET /api/v1/policy',
  'GET /api/v1/reason-codes',
  'GET /api/v1/reconciliation/issues',
  'GET /api/v1/refunds',
  'GET /api/v1/refunds/{id}',
  'GET /api/v1/refunds/{id}/audit',
  'GET /api/v1/staff',
  'POST /api/v1/balances',
  'POST /api/v1/payments',
  'POST /api/v1/reconciliation/run',
  'POST /api/v1/refunds',
  'POST /api/v1/refunds/{id}/approve',
  'POST /api/v1/refunds/{id}/cancel',
  'POST /api/v1/refunds/{id}/deny',
  'POST /api/v1/refunds/{id}/resolve',
  'POST /api/v1/refunds/{id}/retry',
  'POST /api/v1/staff',
  'PUT /api/v1/gateways/{vendor}',
  'PUT /api/v1/policy',
  'PUT /api/v1/reason-codes/{code}',
].sort();

export function expectError(res: ApiResponse, status: number, code: string | readonly string[]): void {
  const context = `${res.status} ${res.text}`;
  expect(res.status, context).toBe(status);
  expect(res.headers.get('content-type') ?? '', context).toContain('application/json');
  expect(Object.keys(res.body ?? {}), context).toEqual(['error']);
  if (typeof code === 'string') expect(res.body.error.code, context).toBe(code);
  else expect(code, context).toContain(res.body.error.code);
  expect(typeof res.body.error.message, context).toBe('string');
  expect(res.body.error.message.length, context).toBeGreaterThan(0);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ApiSuite {
  readonly tc: TestContext;
  readonly gateway: MemoryGateway;
  readonly clock: TestClock;
  /** A new organisation with staff of every role, payments and an HTTP caller. */
  fresh(): Promise<ApiFixture>;
  count(table: string, orgId?: string): Promise<number>;
  refundsOfCase(caseId: string): Promise<RefundRow[]>;
}

/** One database, memory gateway and clock per backend describe block of an API test file. */
export function useApiSuite(backend: Backend): ApiSuite {
  const state = {} as { tc: TestContext; gateway: MemoryGateway; clock: TestClock };
  beforeAll(async () => {
    state.gateway = new MemoryGateway();
    state.clock = new TestClock();
    state.tc = await createTestContext(backend, {
      jobs: JOBS,
      gateways: staticGatewayRegistry([state.gateway]),
      clock: state.clock,
    });
  });
  afterAll(async () => {
    await state.tc?.close();
  });
  return {
    get tc() {
      return state.tc;
    },
    get gateway() {
      return state.gateway;
    },
    get clock() {
      return state.clock;
    },
    fresh: () => createApiFixture(state.tc, state.gateway),
    async count(table, orgId) {
      const where = orgId ? sql` where org_id = ${orgId}` : sql``;
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}${where}`.execute(
        state.tc.ctx.db,
      );
      return rows[0]?.n ?? -1;
    },
    refundsOfCase: (caseId) =>
      state.tc.ctx.db.selectFrom('refunds').selectAll().where('case_id', '=', caseId).execute(),
  };
}
