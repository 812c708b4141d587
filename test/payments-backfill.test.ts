/**
 * Issue 19.9: `payments:backfill` — a new installation records the payments its gateways took before it
 * existed, through the adapters' listPayments against the sandboxes; resumable and idempotent.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPaymentsBackfill } from '../server/src/cli/payments-backfill.js';
import { openDatabase } from '../server/src/db/database.js';
import { migrateToLatest } from '../server/src/db/migrator.js';
import type { GatewayRegistry } from '../server/src/gateways/gateway-registry.js';
import { createOrganisation } from '../server/src/orgs/organisations.js';
import { GatewayError, type ListPaymentsInput, type PaymentGateway } from '../server/src/ports/payment-gateway.js';
import { type GatewayRig, money, startGatewayRig, VENDORS } from './gateways.fixture.js';
import { BACKENDS } from './support/databases.js';
import { cleanupProcesses, makeTempDir, spawnNode } from './support/processes.js';

const CURRENCY = { stripe: 'USD', paypal: 'EUR', square: 'USD' } as const;
/** More than one page of every adapter (they list 100 a page). */
const PAYMENTS_PER_GATEWAY = 105;

describe.each(BACKENDS)('payments:backfill on %s', (backend) => {
  let rig: GatewayRig;
  const taken = new Map<string, { email: string; vendor: string }>();
  let knownRef = '';
  let refundedRef = '';

  beforeAll(async () => {
    rig = await startGatewayRig(backend);
    // One payment the ledger already knows (taken with the desk running) ...
    knownRef = (await rig.payment('stripe', money(1_000, 'USD'))).paymentRef;
    // ... and the history the desk never heard of: its webhooks were not pointed at us yet.
    for (const vendor of VENDORS) rig.setup.sandboxes[vendor]?.sandbox.setWebhookTarget(undefined);
    for (const vendor of VENDORS) {
      const sandbox = rig.setup.sandboxes[vendor]?.sandbox;
      for (let i = 0; i < PAYMENTS_PER_GATEWAY; i++) {
        const email = `history-${vendor}-${i}-${randomUUID().slice(0, 6)}@example.com`;
        const { paymentRef } = (await sandbox?.createPayment({
          amount: money(2_000 + i, CURRENCY[vendor]),
          email,
          name: 'History Customer',
        })) ?? { paymentRef: '' };
        taken.set(paymentRef, { email, vendor });
      }
    }
    refundedRef = [...taken].find(([, t]) => t.vendor === 'square')?.[0] ?? '';
    await rig.setup.registry.forPayment(rig.orgId, 'square').refund({
      paymentRef: refundedRef,
      amount: money(500, 'USD'),
      reason: 'requested_by_customer',
      idempotencyKey: `outside-${randomUUID().slice(0, 8)}`,
      metadata: {},
    });
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** The rig's gateways, except that each vendor's second page fails `failures` times (then works). */
  const flaky = (failures: number, calls: ListPaymentsInput[]): GatewayRegistry => {
    const failed = new Map<string, number>();
    return {
      forPayment: (orgId, name) => {
        const real = rig.setup.registry.forPayment(orgId, name);
        const wrapped: PaymentGateway = {
          ...real,
          name: real.name,
          listPayments: async (input) => {
            calls.push(input);
            if (input.cursor !== undefined && (failed.get(name) ?? 0) < failures) {
              failed.set(name, (failed.get(name) ?? 0) + 1);
              throw new GatewayError('unavailable', 'the gateway answered 503', {
                gateway: real.name,
                httpStatus: 503,
              });
            }
            return real.listPayments(input);
          },
        };
        return wrapped;
      },
    };
  };
  const today = () => new Date().toISOString().slice(0, 10);
  const run = async (registry: GatewayRegistry, command: { gateway?: string } = {}) => {
    const lines: string[] = [];
    const code = await runPaymentsBackfill(
      { db: rig.ctx.db, registry, sleep: async () => undefined },
      { since: today(), org: 'default', ...command },
      (line) => lines.push(line),
    );
    return { code, lines };
  };

  it('records every payment since the date with its payer and the refunds made there; resumes after a failure; runs once', async () => {
    // A page that keeps failing (beyond the retries) stops that gateway; the others go on.
    const failingCalls: ListPaymentsInput[] = [];
    const interrupted = await run(flaky(10, failingCalls));
    expect(interrupted.code).toBe(1);
    for (const vendor of VENDORS) {
      expect(interrupted.lines).toContain(`${vendor} default: page 1 — ${pageOneSummary(vendor)}`);
      expect(interrupted.lines.find((l) => l.startsWith(`${vendor} default: stopped`))).toMatch(
        /stopped — unavailable; run the same command again to resume where it stopped$/,
      );
    }
    const afterFirstPages = await countPayments();
    expect(afterFirstPages).toBeGreaterThanOrEqual(1 + 3 * 100);

    const resumedCalls: ListPaymentsInput[] = [];
    const resumed = await run(flaky(0, resumedCalls));
    expect(resumed.code, resumed.lines.join('\n')).toBe(0);
    // each gateway went on at its second page, never from the start
    expect(resumedCalls.every((input) => input.cursor !== undefined)).toBe(true);
    for (const vendor of VENDORS) {
      const done = resumed.lines.find((l) => l.startsWith(`${vendor} default: done`)) ?? '';
      expect(done).toMatch(/^\S+ default: done \(resumed\) — \d+ payments read, \d+ new to the ledger/);
    }

    for (const [paymentRef, { email, vendor }] of taken) {
      const row = await rig.ctx.db
        .selectFrom('payments')
        .innerJoin('customers', 'customers.id', 'payments.customer_id')
        .select(['payments.gateway', 'payments.source', 'customers.email', 'customers.name'])
        .where('payments.gateway_payment_id', '=', paymentRef)
        .executeTakeFirst();
      expect(row, `${vendor} ${paymentRef}`).toEqual({
        gateway: vendor,
        source: 'gateway_backfill',
        email,
        name: 'History Customer',
      });
    }
    const known = await rig.ctx.db
      .selectFrom('payments')
      .select('source')
      .where('gateway_payment_id', '=', knownRef)
      .executeTakeFirstOrThrow();
    expect(known.source).not.toBe('gateway_backfill'); // known before (its own webhook, or the test): not re-created
    const refunded = await rig.ctx.db
      .selectFrom('payments')
      .select('id')
      .where('gateway_payment_id', '=', refundedRef)
      .executeTakeFirstOrThrow();
    expect(await rig.refundable(refunded.id)).toBe(2_000 + indexOf(refundedRef) - 500);
    const total = await countPayments();
    expect(total).toBe(1 + taken.size);

    const again = await run(rig.setup.registry);
    expect(again.code).toBe(0);
    for (const vendor of VENDORS) {
      expect(again.lines.find((l) => l.startsWith(`${vendor} default:`))).toMatch(/: already done earlier — /);
    }
    expect(await countPayments()).toBe(total);
    const refunds = await rig.ctx.db
      .selectFrom('refunds')
      .select('origin')
      .where('payment_id', '=', refunded.id)
      .execute();
    expect(refunds).toEqual([{ origin: 'external' }]);
  });

  it('refuses a bad date, a date in the future, an unknown gateway and an unknown organisation', async () => {
    const out = () => undefined;
    const deps = { db: rig.ctx.db, registry: rig.setup.registry };
    await expect(runPaymentsBackfill(deps, { since: 'last week' }, out)).rejects.toThrow(/YYYY-MM-DD/);
    await expect(runPaymentsBackfill(deps, { since: '2026-02-30' }, out)).rejects.toThrow(/YYYY-MM-DD/);
    await expect(runPaymentsBackfill(deps, { since: '2999-01-01' }, out)).rejects.toThrow(/future/);
    await expect(runPaymentsBackfill(deps, { since: today(), gateway: 'adyen' }, out)).rejects.toThrow(/--gateway/);
    await expect(runPaymentsBackfill(deps, { since: today(), org: 'nope' }, out)).rejects.toThrow(/no organisation/);
  });

  /** Page 1 of every adapter holds 100 of the history (Stripe lists newest first; PayPal and Square oldest first, so the refunded Square payment, the first one taken, is on it). */
  function pageOneSummary(vendor: string): string {
    return `100 payments read, 100 new to the ledger, ${vendor === 'square' ? 1 : 0} refunds made at the gateway recorded`;
  }
  function indexOf(paymentRef: string): number {
    const email = taken.get(paymentRef)?.email ?? '';
    return Number(/^history-\w+-(\d+)-/.exec(email)?.[1]);
  }
  async function countPayments(): Promise<number> {
    const row = await rig.ctx.db
      .selectFrom('payments')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('org_id', '=', rig.orgId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
});

describe('payments:backfill from the command line', () => {
  afterAll(() => cleanupProcesses({ removeTempDirs: true }));

  it('reports each gateway of the organisation; a fresh embedded installation’s vendors are sandboxes, so nothing is backfilled', async () => {
    const dataDir = makeTempDir();
    const database = await openDatabase({ backend: 'pglite', dataDir });
    try {
      await migrateToLatest(database.db);
      await createOrganisation(database.db, { slug: 'default', name: 'Default' });
    } finally {
      await database.close();
    }
    const result = await spawnNode('server/src/cli/main.ts', {
      args: ['payments:backfill', '--since', '2026-01-01', '--org', 'default'],
      env: { DATA_DIR: dataDir, DATABASE_URL: undefined },
    }).waitForExit(120_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('backfilling payments captured since 2026-01-01');
    for (const vendor of VENDORS) {
      expect(result.stdout).toContain(
        `${vendor} default: a sandbox in this process (no credentials) — nothing to backfill`,
      );
    }
  });
});
