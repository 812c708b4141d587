import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/support/context.js';
import { BACKENDS } from '../../../test/support/databases.js';
import { runAuditVerify } from '../cli/audit-verify.js';
import { appendEvents, createOrganisation, withAppendOnlyTriggerDisabled } from './test-fixtures.js';

// Lives here rather than beside cli/audit-verify.ts only because the cli folder is shared.
describe.each(BACKENDS)('audit:verify command on %s', (backend) => {
  let context: TestContext;
  const db = () => context.ctx.db;

  beforeAll(async () => {
    context = await createTestContext(backend, { startQueue: false });
  });
  afterAll(() => context.close());

  it('prints OK per organisation and returns 0, then BROKEN and 1 after tampering', async () => {
    const acme = await createOrganisation(db(), 'acme');
    await createOrganisation(db(), 'beta');
    const rows = await appendEvents(db(), acme, 3);

    const before: string[] = [];
    expect(await runAuditVerify(db(), (line) => before.push(line))).toBe(0);
    expect(before).toEqual(['org acme: OK, 3 events', 'org beta: OK, 0 events']);

    await withAppendOnlyTriggerDisabled(db(), async (trx) => {
      await trx
        .updateTable('audit_events')
        .set({ action: 'refund.forged' })
        .where('org_id', '=', acme)
        .where('seq', '=', 2)
        .execute();
    });
    const after: string[] = [];
    expect(await runAuditVerify(db(), (line) => after.push(line))).toBe(1);
    expect(after).toEqual([
      `org acme: BROKEN at seq 2 (row id ${rows[1]?.id}): hash_mismatch`,
      'org beta: OK, 0 events',
    ]);
  });
});
