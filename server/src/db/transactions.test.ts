import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { migrateDownOne, migrateToLatest, pendingMigrations } from './migrator.js';

describe.each(BACKENDS)('database on %s', (backend) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    await migrateToLatest(database.handle.db);
    await sql`create table tx_probe (id serial primary key, worker int not null, committed boolean not null)`.execute(
      database.handle.db,
    );
  });
  afterAll(() => database.drop());

  it('loses no committed write when 50 transactions overlap and half roll back', async () => {
    const db = database.handle.db;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, worker) =>
        db.transaction().execute(async (trx) => {
          const shouldRollBack = worker % 2 === 1;
          for (let i = 0; i < 3; i++) {
            await sql`insert into tx_probe (worker, committed) values (${worker}, ${!shouldRollBack})`.execute(trx);
            // yield so the transactions genuinely overlap in time
            await new Promise((resolve) => setImmediate(resolve));
          }
          if (shouldRollBack) throw new Error(`worker ${worker} rolls back`);
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(25);
    const rows = await sql<{ committed: boolean; n: number }>`
      select committed, count(*)::int as n from tx_probe group by committed`.execute(db);
    expect(rows.rows).toEqual([{ committed: true, n: 75 }]);
  });

  it('reports affected row counts for updates and deletes', async () => {
    const db = database.handle.db;
    const updated = await sql`update tx_probe set worker = worker where committed`.execute(db);
    expect(Number(updated.numAffectedRows)).toBe(75);
    const none = await sql`delete from tx_probe where worker < 0`.execute(db);
    expect(Number(none.numAffectedRows)).toBe(0);
  });

  it('rolls one migration back and forward again', async () => {
    const db = database.handle.db;
    expect(await pendingMigrations(db)).toEqual([]);
    await migrateDownOne(db);
    const pending = await pendingMigrations(db);
    expect(pending).toHaveLength(1);
    await migrateToLatest(db);
    expect(await pendingMigrations(db)).toEqual([]);
  });
});
