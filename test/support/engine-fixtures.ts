import { MemoryGateway } from '../../server/src/connectors/memory/memory-gateway.js';
import type { Backend } from '../../server/src/db/database.js';
import type { StaffRole } from '../../server/src/db/schema.js';
import { staticGatewayRegistry } from '../../server/src/gateways/gateway-registry.js';
import type { Principal } from '../../server/src/http/auth.js';
import { upsertPayment } from '../../server/src/ledger/payments.js';
import { type Money, money } from '../../server/src/money/money.js';
import { createOrganisation, createStaff } from '../../server/src/orgs/organisations.js';
import { refundExecuteJob, refundResolveJob, refundSweepJob } from '../../server/src/refunds/refund-jobs.js';
import { createTestContext, TestClock, type TestContext } from './context.js';

export interface EngineFixture extends TestContext {
  readonly gateway: MemoryGateway;
  readonly clock: TestClock;
  readonly orgId: string;
  readonly staff: Record<'agent' | 'lead' | 'manager' | 'manager2' | 'admin' | 'auditor', Principal>;
  /** Records a captured payment at the memory gateway and in the ledger; returns our payment id. */
  addPayment(
    amount: Money,
    options?: { capturedAt?: Date; email?: string; method?: Record<string, unknown> },
  ): Promise<{ paymentId: string; paymentRef: string }>;
}

const ROLES: ReadonlyArray<[keyof EngineFixture['staff'], StaffRole]> = [
  ['agent', 'agent'],
  ['lead', 'lead'],
  ['manager', 'manager'],
  ['manager2', 'manager'],
  ['admin', 'admin'],
  ['auditor', 'auditor'],
];

/** A migrated database, a memory gateway, one organisation and staff of every role. */
export async function createEngineFixture(
  backend: Backend,
  options: { env?: Record<string, string>; slug?: string } = {},
): Promise<EngineFixture> {
  const gateway = new MemoryGateway();
  const clock = new TestClock(new Date());
  const t = await createTestContext(backend, {
    gateways: staticGatewayRegistry([gateway]),
    clock,
    jobs: [refundExecuteJob, refundResolveJob, refundSweepJob].map((j) => j as never),
    ...(options.env ? { env: options.env } : {}),
  });
  return withOrganisation(t, gateway, clock, options.slug ?? 'acme');
}

/** Adds another organisation (with its own staff) to an existing fixture's database. */
export async function withOrganisation(
  t: TestContext,
  gateway: MemoryGateway,
  clock: TestClock,
  slug: string,
): Promise<EngineFixture> {
  const org = await createOrganisation(t.ctx.db, { slug, name: `${slug} clinic` });
  const staff = {} as Record<keyof EngineFixture['staff'], Principal>;
  for (const [key, role] of ROLES) {
    const { staff: row } = await createStaff(t.ctx.db, {
      orgId: org.id,
      name: `${key} of ${slug}`,
      email: `${key}@${slug}.test`,
      role,
    });
    staff[key] = {
      orgId: org.id,
      staffId: row.id,
      role,
      name: row.name,
      email: row.email,
      channel: 'api',
      proof: 'api_token',
    };
  }
  return {
    ...t,
    gateway,
    clock,
    orgId: org.id,
    staff,
    async addPayment(amount, paymentOptions = {}) {
      const capturedAt = paymentOptions.capturedAt ?? new Date(clock.now().getTime() - 24 * 3600 * 1000);
      const gp = gateway.addPayment({ amount, capturedAt, email: paymentOptions.email ?? 'pat@example.com' });
      const { payment } = await t.ctx.db.transaction().execute((trx) =>
        upsertPayment(trx, org.id, {
          gateway: 'memory',
          gatewayPaymentId: gp.paymentRef,
          amount,
          status: 'captured',
          capturedAt,
          method: {
            type: 'card',
            brand: 'visa',
            last4: '4242',
            expMonth: 12,
            expYear: 2099,
            funding: 'credit',
            ...paymentOptions.method,
          },
          customer: { email: paymentOptions.email ?? 'pat@example.com', name: 'Pat Example' },
          source: 'test',
        }),
      );
      return { paymentId: payment.id, paymentRef: gp.paymentRef };
    },
  };
}

export const usd = (cents: number) => money(cents, 'USD');

/** Polls until the predicate holds (bounded). */
export async function eventually(predicate: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
