import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/support/context.js';
import { BACKENDS } from '../../../test/support/databases.js';
import { GENESIS_HASH, hashStoredAuditEvent } from './audit-hash.js';
import { appendEvents, createOrganisation, withAppendOnlyTriggerDisabled } from './test-fixtures.js';
import { verifyAllOrganisations, verifyAuditChain } from './verify-chain.js';

describe.each(BACKENDS)('audit chain verification on %s', (backend) => {
  let context: TestContext;
  const db = () => context.ctx.db;

  beforeAll(async () => {
    context = await createTestContext(backend, { startQueue: false });
  });
  afterAll(() => context.close());

  it('verifies an empty chain as ok with the genesis hash', async () => {
    const orgId = await createOrganisation(db(), 'empty');
    expect(await verifyAuditChain(db(), { orgId })).toEqual({ ok: true, checked: 0, lastHash: GENESIS_HASH });
  });

  it('reads the chain page by page', async () => {
    const orgId = await createOrganisation(db(), 'paged');
    const rows = await appendEvents(db(), orgId, 7);
    for (const pageSize of [1, 3, 7, 100]) {
      expect(await verifyAuditChain(db(), { orgId, pageSize })).toEqual({
        ok: true,
        checked: 7,
        lastHash: rows[6]?.hash,
      });
    }
  });

  it('names seq 2 as hash_mismatch when its data is changed behind the trigger', async () => {
    const orgId = await createOrganisation(db(), 'edited');
    const rows = await appendEvents(db(), orgId, 4);
    await withAppendOnlyTriggerDisabled(db(), async (trx) => {
      await trx
        .updateTable('audit_events')
        .set({ data: JSON.stringify({ step: 200 }) })
        .where('org_id', '=', orgId)
        .where('seq', '=', 2)
        .execute();
    });
    expect(await verifyAuditChain(db(), { orgId, pageSize: 2 })).toEqual({
      ok: false,
      checked: 2,
      firstBroken: { id: rows[1]?.id, seq: 2, reason: 'hash_mismatch' },
    });
  });

  it('names seq 3 as prev_hash_mismatch when row 2 is rewritten with a recomputed hash', async () => {
    const orgId = await createOrganisation(db(), 'rehashed');
    const rows = await appendEvents(db(), orgId, 4);
    const original = rows[1];
    if (!original) throw new Error('no row 2');
    const forged = { ...original, actor_id: 'attacker', data: { step: 200 } };
    await withAppendOnlyTriggerDisabled(db(), async (trx) => {
      await trx
        .updateTable('audit_events')
        .set({ actor_id: forged.actor_id, data: JSON.stringify(forged.data), hash: hashStoredAuditEvent(forged) })
        .where('id', '=', original.id)
        .execute();
    });
    expect(await verifyAuditChain(db(), { orgId })).toEqual({
      ok: false,
      checked: 3,
      firstBroken: { id: rows[2]?.id, seq: 3, reason: 'prev_hash_mismatch' },
    });
  });

  it('names the row after a deleted one as sequence_gap', async () => {
    const orgId = await createOrganisation(db(), 'deleted');
    const rows = await appendEvents(db(), orgId, 4);
    await withAppendOnlyTriggerDisabled(db(), async (trx) => {
      await trx.deleteFrom('audit_events').where('org_id', '=', orgId).where('seq', '=', 2).execute();
    });
    expect(await verifyAuditChain(db(), { orgId })).toEqual({
      ok: false,
      checked: 2,
      firstBroken: { id: rows[2]?.id, seq: 3, reason: 'sequence_gap' },
    });
  });

  it('names a deleted first row as a gap at the new first row', async () => {
    const orgId = await createOrganisation(db(), 'deleted-first');
    const rows = await appendEvents(db(), orgId, 2);
    await withAppendOnlyTriggerDisabled(db(), async (trx) => {
      await trx.deleteFrom('audit_events').where('org_id', '=', orgId).where('seq', '=', 1).execute();
    });
    expect(await verifyAuditChain(db(), { orgId })).toMatchObject({
      ok: false,
      firstBroken: { id: rows[1]?.id, seq: 2, reason: 'sequence_gap' },
    });
  });

  it('reports every organisation by slug, broken or not', async () => {
    const results = await verifyAllOrganisations(db());
    const bySlug = Object.fromEntries(results.map(({ slug, result }) => [slug, result]));
    expect(results.map(({ slug }) => slug)).toEqual([...results.map(({ slug }) => slug)].sort());
    expect(bySlug['paged']).toMatchObject({ ok: true, checked: 7 });
    expect(bySlug['empty']).toMatchObject({ ok: true, checked: 0 });
    expect(bySlug['edited']).toMatchObject({ ok: false, firstBroken: { seq: 2, reason: 'hash_mismatch' } });
    expect(bySlug['deleted']).toMatchObject({ ok: false, firstBroken: { seq: 3, reason: 'sequence_gap' } });
  });
});
