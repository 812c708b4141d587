/**
 * A child program for crash-recovery tests: opens the database named by argv[2] (a PostgreSQL
 * connection string, or an embedded PGlite data folder), migrates it, then commits batches of
 * five rows, one transaction per batch, forever, printing `committed <batch>` after each commit.
 * The test SIGKILLs it at an arbitrary point and checks nothing half-written survived.
 *
 *   node --import tsx test/support/writer-process.ts <postgres://… | /path/to/data-dir>
 */
import { sql } from 'kysely';
import { openDatabase } from '../../server/src/db/database.js';
import { migrateToLatest } from '../../server/src/db/migrator.js';

export const ROWS_PER_BATCH = 5;

async function main(): Promise<void> {
  const target = process.argv[2] ?? process.env['WRITER_TARGET'];
  if (!target) {
    process.stderr.write('usage: writer-process.ts <postgres://… | data-dir>\n');
    process.exit(2);
  }
  const database = await openDatabase(
    /^postgres(ql)?:\/\//.test(target)
      ? { backend: 'postgres', connectionString: target, poolSize: 1 }
      : { backend: 'pglite', dataDir: target },
  );
  await migrateToLatest(database.db);
  await sql`create table if not exists crash_probe (batch int not null, item int not null)`.execute(database.db);
  const last = await sql<{ max: number | null }>`select max(batch) as max from crash_probe`.execute(database.db);
  let batch = (last.rows[0]?.max ?? 0) + 1;
  process.stdout.write(`ready ${batch}\n`);

  for (;;) {
    await database.db.transaction().execute(async (trx) => {
      for (let item = 1; item <= ROWS_PER_BATCH; item++) {
        await sql`insert into crash_probe (batch, item) values (${batch}, ${item})`.execute(trx);
      }
    });
    // Written synchronously (stdout is a pipe): once the parent reads this, the commit has returned.
    process.stdout.write(`committed ${batch}\n`);
    batch++;
  }
}

await main();
