import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/support/context.js';
import { BACKENDS } from '../../../test/support/databases.js';
import { exportAuditCsv, exportAuditNdjson, toCsvCell } from './audit-export.js';
import { hashStoredAuditEvent } from './audit-hash.js';
import { appendAudit, listAudit } from './audit-log.js';
import { appendEvents, createOrganisation } from './test-fixtures.js';

async function collect(lines: AsyncGenerator<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

describe('toCsvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['a=b', 'a=b'],
    ['', ''],
  ])('writes %j as %j', (value, expected) => {
    expect(toCsvCell(value)).toBe(expected);
  });
});

describe.each(BACKENDS)('audit export on %s', (backend) => {
  let context: TestContext;
  let orgId: string;
  const db = () => context.ctx.db;

  beforeAll(async () => {
    context = await createTestContext(backend, { startQueue: false });
    orgId = await createOrganisation(db(), 'export');
    await appendEvents(db(), orgId, 2);
    await appendAudit(db(), {
      orgId,
      actor: { type: 'helpdesk', id: '=cmd|"/c calc"!A1' },
      action: 'ticket.tagged, "refund",\nagain',
      data: { note: 'a,"b"\nc' },
      at: new Date('2026-11-23T00:00:00.000Z'),
    });
  });
  afterAll(() => context.close());

  it('writes a header and RFC 4180 rows, escaping commas, quotes and newlines and neutralising a leading =', async () => {
    const lines = await collect(exportAuditCsv(db(), { orgId, pageSize: 2 }));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('seq,created_at,case_id,actor_type,actor_id,action,data,prev_hash,hash\r\n');
    const rows = await listAudit(db(), { orgId });
    expect(lines[1]).toBe(
      `1,${rows[0]?.created_at.toISOString()},,system,,refund.step,"{""step"":1}",${rows[0]?.prev_hash},${rows[0]?.hash}\r\n`,
    );
    expect(lines[3]).toBe(
      `3,2026-11-23T00:00:00.000Z,,helpdesk,"'=cmd|""/c calc""!A1","ticket.tagged, ""refund"",\nagain","{""note"":""a,\\""b\\""\\nc""}",${rows[2]?.prev_hash},${rows[2]?.hash}\r\n`,
    );
  });

  it('filters by created_at: from inclusive, to exclusive', async () => {
    const lines = await collect(
      exportAuditCsv(db(), {
        orgId,
        from: new Date('2026-11-22T10:02:00.002Z'),
        to: new Date('2026-11-23T00:00:00.000Z'),
      }),
    );
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['2']);
  });

  it('writes NDJSON lines that parse back to the rows and still hash to their hash', async () => {
    const lines = await collect(exportAuditNdjson(db(), { orgId, pageSize: 1 }));
    const rows = await listAudit(db(), { orgId });
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed).toEqual(rows.map((row) => ({ ...row, created_at: row.created_at.toISOString() })));
    for (const record of parsed) expect(hashStoredAuditEvent(record)).toBe(record.hash);
  });
});
