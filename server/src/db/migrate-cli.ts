import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from './database.js';
import { migrateDownOne, migrateToLatest, pendingMigrations } from './migrator.js';

/**
 * `npm run migrate`: applies every pending migration; `npm run migrate -- down` rolls back the
 * newest one; `npm run migrate -- status` lists what is pending. Uses DATABASE_URL or DATA_DIR.
 */
async function main(direction: string | undefined): Promise<number> {
  if (direction !== undefined && direction !== 'up' && direction !== 'down' && direction !== 'status') {
    process.stderr.write(`usage: npm run migrate [-- up|down|status] (got "${direction}")\n`);
    return 2;
  }
  const config = loadConfig();
  const database = await openDatabase(
    config.DATABASE_URL
      ? { backend: 'postgres', connectionString: config.DATABASE_URL }
      : { backend: 'pglite', dataDir: config.dataDir },
  );
  try {
    if (direction === 'status') {
      const pending = await pendingMigrations(database.db);
      process.stdout.write(pending.length === 0 ? 'schema is current\n' : `pending: ${pending.join(', ')}\n`);
      return 0;
    }
    const result = direction === 'down' ? await migrateDownOne(database.db) : await migrateToLatest(database.db);
    const moved = result.results ?? [];
    if (moved.length === 0)
      process.stdout.write(direction === 'down' ? 'nothing to roll back\n' : 'schema is current\n');
    for (const step of moved)
      process.stdout.write(`${step.direction === 'Down' ? 'rolled back' : 'applied'} ${step.migrationName}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
