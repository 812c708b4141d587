import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../test/support/databases.js';
import { createEngineFixture, type EngineFixture, usd } from '../../../test/support/engine-fixtures.js';
import { drainFastPaths } from '../jobs/fast-path.js';
import { approve } from '../refunds/decide-case.js';
import { requestRefund } from '../refunds/request-refund.js';
import { type CaseEvent, type CaseEventConsumer, dispatchCaseEvents, startCaseEventDispatcher } from './case-events.js';

function recorder(name: string, options: { failOn?: string } = {}) {
  const seen: CaseEvent[] = [];
  const consumer: CaseEventConsumer = {
    name,
    async handle(_trx, event) {
      if (options.failOn && event.action === options.failOn) throw new Error(`refusing ${event.action}`);
      seen.push(event);
    },
  };
  return { consumer, seen };
}

describe.each(BACKENDS)('case events on %s', (backend) => {
  let f: EngineFixture;
  beforeAll(async () => {
    f = await createEngineFixture(backend);
  });
  afterAll(async () => {
    await drainFastPaths();
    await f.close();
  });

  const requestLarge = async () => {
    const { paymentId } = await f.addPayment(usd(300_000));
    return requestRefund(f.ctx, {
      orgId: f.orgId,
      paymentId,
      amount: usd(120_000),
      reasonCode: 'product_return',
      source: 'api',
      requestedBy: f.staff.agent.staffId,
    });
  };

  it('hands every case event to each consumer once, in chain order, with the states either side', async () => {
    const a = recorder('test-a');
    const b = recorder('test-b');
    const { caseRow } = await requestLarge();
    await approve(f.ctx, { principal: f.staff.manager, caseId: caseRow.id });
    await drainFastPaths();

    await dispatchCaseEvents(f.ctx, [a.consumer, b.consumer]);
    await dispatchCaseEvents(f.ctx, [a.consumer, b.consumer]); // nothing new: nothing handed twice

    const actions = a.seen.filter((e) => e.caseId === caseRow.id).map((e) => e.action);
    expect(actions).toEqual([
      'case.requested',
      'case.routed_for_approval',
      'case.approved',
      'case.execution_started',
      'refund.succeeded',
      'case.succeeded',
    ]);
    expect(b.seen.map((e) => e.seq)).toEqual(a.seen.map((e) => e.seq));
    const seqs = a.seen.map((e) => e.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
    const approved = a.seen.find((e) => e.action === 'case.approved');
    expect(approved).toMatchObject({ from: 'pending_approval', to: 'approved', actor: { type: 'staff' } });
  });

  it('offers a batch again after its consumer failed, and other consumers are not held back', async () => {
    const failing = recorder('test-failing', { failOn: 'case.routed_for_approval' });
    const healthy = recorder('test-healthy');
    const { caseRow } = await requestLarge();
    await dispatchCaseEvents(f.ctx, [failing.consumer, healthy.consumer]);
    expect(healthy.seen.some((e) => e.caseId === caseRow.id && e.action === 'case.routed_for_approval')).toBe(true);
    const cursor = () =>
      f.ctx.db
        .selectFrom('event_cursors')
        .select('last_seq')
        .where('consumer', '=', 'test-failing')
        .where('org_id', '=', f.orgId)
        .executeTakeFirst();
    expect(Number((await cursor())?.last_seq ?? 0)).toBe(0); // rolled back with the failed batch

    const recovered = recorder('test-failing');
    await dispatchCaseEvents(f.ctx, [recovered.consumer]);
    expect(recovered.seen.some((e) => e.caseId === caseRow.id && e.action === 'case.routed_for_approval')).toBe(true);
  });

  it('two dispatchers racing hand each event over once', async () => {
    const seen: number[] = [];
    const consumer: CaseEventConsumer = {
      name: 'test-race',
      async handle(_trx, event) {
        seen.push(event.seq);
      },
    };
    for (let i = 0; i < 3; i++) await requestLarge();
    await Promise.all([dispatchCaseEvents(f.ctx, [consumer]), dispatchCaseEvents(f.ctx, [consumer])]);
    await dispatchCaseEvents(f.ctx, [consumer]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(6);
  });

  it('the polling dispatcher picks up new events and flush waits for a fresh pass', async () => {
    const live = recorder('test-live');
    const dispatcher = startCaseEventDispatcher(f.ctx, [live.consumer], { intervalMs: 20 });
    try {
      const { caseRow } = await requestLarge();
      await dispatcher.flush();
      expect(live.seen.some((e) => e.caseId === caseRow.id)).toBe(true);
    } finally {
      await dispatcher.stop();
    }
  });
});
