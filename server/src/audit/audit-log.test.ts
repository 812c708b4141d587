import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/support/context.js';
import { BACKENDS } from '../../../test/support/databases.js';
import { GENESIS_HASH, hashStoredAuditEvent } from './audit-hash.js';
import { appendAudit, listAudit } from './audit-log.js';
import { canonicalJson } from './canonical-json.js';
import { appendEvents, createOrganisation } from './test-fixtures.js';
import { verifyAuditChain } from './verify-chain.js';

const AT = new Date('2026-11-22T10:00:00.123Z');

describe.each(BACKENDS)('audit log on %s', (backend) => {
  let context: TestContext;
  const db = () => context.ctx.db;

  beforeAll(async () => {
    context = await createTestContext(backend, { startQueue: false });
  });
  afterAll(() => context.close());

  it('chains three events: seq 1..3, each prev_hash the previous hash, and the chain verifies', async () => {
    const orgId = await createOrganisation(db(), 'three');
    const rows = await appendEvents(db(), orgId, 3);
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3]);
    expect(rows[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(rows[1]?.prev_hash).toBe(rows[0]?.hash);
    expect(rows[2]?.prev_hash).toBe(rows[1]?.hash);
    expect(new Set(rows.map((row) => row.hash)).size).toBe(3);
    for (const row of rows) expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await verifyAuditChain(db(), { orgId })).toEqual({ ok: true, checked: 3, lastHash: rows[2]?.hash });
  });

  it('stores the fields it was given and a hash recomputable from the stored row', async () => {
    const orgId = await createOrganisation(db(), 'fields');
    const caseId = crypto.randomUUID();
    const row = await appendAudit(db(), {
      orgId,
      caseId: caseId.toUpperCase(),
      actor: { type: 'staff', id: 'staff-7' },
      action: 'refund.approved',
      data: { amount: { minor: 1250, currency: 'USD' }, approvedAt: AT, note: undefined },
      at: AT,
    });
    expect(row).toMatchObject({ org_id: orgId, seq: 1, case_id: caseId, actor_type: 'staff', actor_id: 'staff-7' });
    expect(row.data).toEqual({ amount: { minor: 1250, currency: 'USD' }, approvedAt: AT.toISOString() });
    expect(row.created_at.toISOString()).toBe(AT.toISOString());
    const [stored] = await listAudit(db(), { orgId });
    expect(stored && hashStoredAuditEvent(stored)).toBe(row.hash);
  });

  it('keeps two organisations on independent chains', async () => {
    const first = await createOrganisation(db(), 'first');
    const second = await createOrganisation(db(), 'second');
    await appendEvents(db(), first, 2);
    const secondRows = await appendEvents(db(), second, 3);
    const third = await appendAudit(db(), { orgId: first, actor: { type: 'system' }, action: 'x', data: {}, at: AT });
    expect(third.seq).toBe(3);
    expect(secondRows.map((row) => row.seq)).toEqual([1, 2, 3]);
    expect(secondRows[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(await verifyAuditChain(db(), { orgId: first })).toMatchObject({
      ok: true,
      checked: 3,
      lastHash: third.hash,
    });
    expect(await verifyAuditChain(db(), { orgId: second })).toMatchObject({ ok: true, checked: 3 });
  });

  it('gives 30 concurrent appends, each in its own transaction, seq 1..30 with no gap or duplicate', async () => {
    const orgId = await createOrganisation(db(), 'concurrent');
    const rows = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        db()
          .transaction()
          .execute(async (trx) => {
            const row = await appendAudit(trx, {
              orgId,
              actor: { type: 'gateway' },
              action: 'payment.seen',
              data: { n },
              at: AT,
            });
            // hold the lock a moment, so waiting appenders really queue up behind it
            await sql`select pg_sleep(0.005)`.execute(trx);
            return row;
          }),
      ),
    );
    expect(rows.map((row) => row.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await verifyAuditChain(db(), { orgId })).toMatchObject({ ok: true, checked: 30 });
  });

  it('wraps itself in a transaction when given no transaction (concurrently too)', async () => {
    const orgId = await createOrganisation(db(), 'self-wrapped');
    await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        appendAudit(db(), { orgId, actor: { type: 'system' }, action: 'tick', data: { n }, at: AT }),
      ),
    );
    expect(await verifyAuditChain(db(), { orgId })).toMatchObject({ ok: true, checked: 10 });
  });

  it('leaves no row when the transaction rolls back, and the next append still chains', async () => {
    const orgId = await createOrganisation(db(), 'rollback');
    const [first] = await appendEvents(db(), orgId, 1);
    await expect(
      db()
        .transaction()
        .execute(async (trx) => {
          await appendAudit(trx, {
            orgId,
            actor: { type: 'staff', id: 's1' },
            action: 'refund.approved',
            data: {},
            at: AT,
          });
          throw new Error('state change failed');
        }),
    ).rejects.toThrow('state change failed');
    expect(await listAudit(db(), { orgId })).toHaveLength(1);
    const next = await appendAudit(db(), { orgId, actor: { type: 'system' }, action: 'after', data: {}, at: AT });
    expect(next).toMatchObject({ seq: 2, prev_hash: first?.hash });
    expect(await verifyAuditChain(db(), { orgId })).toMatchObject({ ok: true, checked: 2 });
  });

  it('has the database refuse UPDATE, DELETE and TRUNCATE on audit_events', async () => {
    const orgId = await createOrganisation(db(), 'append-only');
    await appendEvents(db(), orgId, 2);
    await expect(
      db().updateTable('audit_events').set({ action: 'forged' }).where('org_id', '=', orgId).execute(),
    ).rejects.toThrow(/append-only \(UPDATE refused\)/);
    await expect(db().deleteFrom('audit_events').where('org_id', '=', orgId).execute()).rejects.toThrow(
      /append-only \(DELETE refused\)/,
    );
    await expect(sql`truncate audit_events`.execute(db())).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
    expect(await listAudit(db(), { orgId })).toHaveLength(2);
  });

  it('hashes data exactly as jsonb gives it back, for any storable JSON', async () => {
    const orgId = await createOrganisation(db(), 'roundtrip');
    const storable = fc
      .dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }))
      .filter((value) => {
        try {
          canonicalJson(value);
          return true;
        } catch {
          return false;
        }
      });
    await fc.assert(
      fc.asyncProperty(storable, async (data) => {
        await appendAudit(db(), { orgId, actor: { type: 'customer' }, action: 'portal.request', data, at: AT });
      }),
      { numRuns: 40 },
    );
    await appendAudit(db(), {
      orgId,
      actor: { type: 'customer' },
      action: 'portal.request',
      data: {
        long_key_first: 1,
        k: [1.0, 0.1, 5e-324, 1.5e-7, -0, 123456.789e-3, 2 ** 53 - 1],
        é: '😀',
        '10': 'x',
        '9': 'y',
      },
      at: AT,
    });
    expect(await verifyAuditChain(db(), { orgId })).toMatchObject({ ok: true, checked: 41 });
  });

  it('lists by case, after a seq, with a limit, in seq order', async () => {
    const orgId = await createOrganisation(db(), 'listing');
    const caseId = crypto.randomUUID();
    for (let n = 1; n <= 6; n++) {
      await appendAudit(db(), {
        orgId,
        caseId: n % 2 === 0 ? caseId : null,
        actor: { type: 'system' },
        action: `a${n}`,
        data: {},
        at: AT,
      });
    }
    expect((await listAudit(db(), { orgId, caseId })).map((row) => row.seq)).toEqual([2, 4, 6]);
    expect((await listAudit(db(), { orgId, afterSeq: 2, limit: 3 })).map((row) => row.seq)).toEqual([3, 4, 5]);
  });

  it('rejects bad input before writing anything', async () => {
    const orgId = await createOrganisation(db(), 'bad-input');
    const base = { orgId, actor: { type: 'system' as const }, action: 'x', data: {}, at: AT };
    await expect(appendAudit(db(), { ...base, orgId: 'not-a-uuid' })).rejects.toThrow(/orgId must be a UUID/);
    await expect(appendAudit(db(), { ...base, actor: { type: 'robot' } as never })).rejects.toThrow(/actor type/);
    await expect(appendAudit(db(), { ...base, at: new Date(Number.NaN) })).rejects.toThrow(/valid Date/);
    await expect(appendAudit(db(), { ...base, data: { n: Number.NaN } })).rejects.toThrow(/finite/);
    expect(await listAudit(db(), { orgId })).toEqual([]);
  });
});
