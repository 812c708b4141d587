import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../server/src/db/database.js';
import { BACKENDS, createPostgresDatabase } from './support/databases.js';
import { cleanupProcesses, makeTempDir, START_TIMEOUT_MS, spawnNode } from './support/processes.js';

const WRITER = 'test/support/writer-process.ts';
const ROWS_PER_BATCH = 5;
const BATCHES_BEFORE_KILL = 30;
const ROUNDS = 3;

// Several real boots per test; a loaded CI machine needs far more than the default minute.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

afterAll(async () => {
  await cleanupProcesses();
});

describe.each(BACKENDS)('SIGKILL during committed writes on %s', (backend) => {
  it(`keeps every reported commit and no partial transaction, ${ROUNDS} kills in a row`, async () => {
    let target: string;
    let dropDatabase: () => Promise<void> = async () => undefined;
    if (backend === 'pglite') {
      target = path.join(makeTempDir('refund-desk-crash-'), 'data');
    } else {
      const created = await createPostgresDatabase();
      target = created.connectionString;
      dropDatabase = created.drop;
    }
    const open = (): Promise<DatabaseHandle> =>
      openDatabase(
        backend === 'pglite'
          ? { backend: 'pglite', dataDir: target }
          : { backend: 'postgres', connectionString: target, poolSize: 2 },
      );

    try {
      const reported = new Set<number>();
      for (let round = 1; round <= ROUNDS; round++) {
        const writer = spawnNode(WRITER, { args: [target] });
        const committedThisRound = () => writer.logs.filter((line) => line.startsWith('committed ')).length;
        await writer.waitForLine(() => committedThisRound() >= BATCHES_BEFORE_KILL, 2 * START_TIMEOUT_MS);
        writer.child.kill('SIGKILL');
        const exit = await writer.waitForExit();
        expect(exit.signal, exit.stderr).toBe('SIGKILL');
        for (const line of writer.logs) {
          const match = /^committed (\d+)$/.exec(line);
          if (match) reported.add(Number(match[1]));
        }

        // The child is gone; the embedded folder can be opened by this process now.
        const database = await open();
        try {
          const groups = await sql<{ batch: number; rows: number; items: number }>`
            select batch, count(*)::int as rows, count(distinct item)::int as items
            from crash_probe group by batch order by batch`.execute(database.db);
          const partial = groups.rows.filter(
            (group) => group.rows !== ROWS_PER_BATCH || group.items !== ROWS_PER_BATCH,
          );
          expect(partial, `round ${round}: batches with a partial transaction`).toEqual([]);

          const present = new Set(groups.rows.map((group) => group.batch));
          const lost = [...reported].filter((batch) => !present.has(batch));
          expect(lost, `round ${round}: batches reported committed but missing`).toEqual([]);
          expect(present.size).toBeGreaterThanOrEqual(round * BATCHES_BEFORE_KILL);

          // The database takes a further transaction (and the batch keeps the invariant for later rounds).
          const next = Math.max(...present) + 1;
          await database.db.transaction().execute(async (trx) => {
            for (let item = 1; item <= ROWS_PER_BATCH; item++) {
              await sql`insert into crash_probe (batch, item) values (${next}, ${item})`.execute(trx);
            }
          });
          const written = await sql<{
            rows: number;
          }>`select count(*)::int as rows from crash_probe where batch = ${next}`.execute(database.db);
          expect(written.rows[0]?.rows).toBe(ROWS_PER_BATCH);
          reported.add(next);
        } finally {
          await database.close();
        }
      }
    } finally {
      await cleanupProcesses();
      await dropDatabase();
    }
  });
});
