import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createApp } from '../../server/src/app.js';
import type { MemoryGateway } from '../../server/src/connectors/memory/memory-gateway.js';
import type { AppContext } from '../../server/src/context.js';
import type { PaymentRow, StaffRole } from '../../server/src/db/schema.js';
import { upsertPayment } from '../../server/src/ledger/payments.js';
import { parseDecimal } from '../../server/src/money/money.js';
import { createOrganisation, createStaff } from '../../server/src/orgs/organisations.js';
import { STAFF_ROLES } from '../../server/src/orgs/roles.js';
import type { PaymentMethodFacts } from '../../server/src/ports/payment-gateway.js';
import type { TestContext } from './context.js';

export interface StaffMember {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly role: StaffRole;
  readonly token: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON when the body is JSON, else undefined. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  readonly body: any;
}

export interface CallOptions {
  readonly token?: string | undefined;
  /** An object is sent as JSON; a string is sent as is (with content-type application/json). */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface TestPayment {
  readonly row: PaymentRow;
  /** The MemoryGateway payment reference (gateway_payment_id). */
  readonly ref: string;
  readonly email: string;
}

export interface ApiFixture {
  readonly ctx: AppContext;
  readonly orgId: string;
  readonly slug: string;
  readonly staff: Readonly<Record<StaffRole, StaffMember>>;
  readonly gateway: MemoryGateway;
  call(method: string, path: string, options?: CallOptions): Promise<ApiResponse>;
  /** A captured payment at the MemoryGateway, recorded in this organisation's ledger with a customer. */
  payment(input: {
    readonly amount: string;
    readonly currency?: string;
    readonly email?: string;
    readonly capturedAt?: Date;
    readonly method?: PaymentMethodFacts;
  }): Promise<TestPayment>;
  /** Rows in refund_cases (all organisations). */
  countCases(): Promise<number>;
  /** Polls the case until it leaves approved/executing (bounded); returns the last view. */
  // biome-ignore lint/suspicious/noExplicitAny: case view as JSON
  settle(caseId: string, timeoutMs?: number): Promise<any>;
}

const DAY_MS = 86_400_000;

/** An organisation of its own with one staff member per role, a ledger pointing at `gateway`, and an HTTP caller. */
export async function createApiFixture(tc: TestContext, gateway: MemoryGateway): Promise<ApiFixture> {
  const { ctx } = tc;
  const slug = `org-${randomUUID().slice(0, 8)}`;
  const org = await createOrganisation(ctx.db, { slug, name: `Org ${slug}` });
  const staff = {} as Record<StaffRole, StaffMember>;
  for (const role of STAFF_ROLES) {
    const name = `${role[0]?.toUpperCase()}${role.slice(1)} ${slug}`;
    const created = await createStaff(ctx.db, { orgId: org.id, name, email: `${role}@${slug}.test`, role });
    staff[role] = { id: created.staff.id, name, email: created.staff.email, role, token: created.token };
  }
  const app = createApp(ctx);

  const call = async (method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown;
    if ((response.headers.get('content-type') ?? '').includes('application/json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  };

  const fixture: ApiFixture = {
    ctx,
    orgId: org.id,
    slug,
    staff,
    gateway,
    call,
    async payment(input) {
      const currency = input.currency ?? 'USD';
      const amount = parseDecimal(input.amount, currency);
      const email = input.email ?? `customer-${randomUUID().slice(0, 8)}@example.test`;
      const capturedAt = input.capturedAt ?? new Date(ctx.clock.now().getTime() - DAY_MS);
      const gp = gateway.addPayment({ amount, email, capturedAt });
      const { payment } = await ctx.db.transaction().execute((trx) =>
        upsertPayment(trx, org.id, {
          gateway: 'memory',
          gatewayPaymentId: gp.paymentRef,
          amount,
          status: 'captured',
          capturedAt,
          method: input.method ?? gp.method,
          customer: { email, name: 'Casey Customer' },
          source: 'test',
        }),
      );
      return { row: payment, ref: gp.paymentRef, email };
    },
    async countCases() {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from refund_cases`.execute(ctx.db);
      return rows[0]?.n ?? -1;
    },
    async settle(caseId, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await call('GET', `/api/v1/refunds/${caseId}`, { token: staff.auditor.token });
        if (res.status !== 200) throw new Error(`GET case ${caseId}: ${res.status} ${res.text}`);
        if (!['approved', 'executing'].includes(res.body.state)) return res.body;
        if (Date.now() > deadline) throw new Error(`case ${caseId} still ${res.body.state} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
  return fixture;
}
