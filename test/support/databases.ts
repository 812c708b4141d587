import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Backend, type DatabaseHandle, openDatabase } from '../../server/src/db/database.js';

/** The backends every database test runs on: PGlite always, PostgreSQL when DATABASE_URL is set. */
export const BACKENDS: readonly Backend[] = process.env['DATABASE_URL'] ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase {
  readonly handle: DatabaseHandle;
  /** Set for PostgreSQL: a connection string to this suite's own database (for child processes). */
  readonly connectionString?: string;
  /** Closes the handle and drops the suite's database. */
  drop(): Promise<void>;
}

/** A fresh, empty database of its own for one suite. */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const handle = await openDatabase({ backend: 'pglite' });
    return { handle, drop: () => handle.close() };
  }
  const { connectionString, drop } = await createPostgresDatabase();
  const handle = await openDatabase({ backend: 'postgres', connectionString, poolSize: 20 });
  return {
    handle,
    connectionString,
    drop: async () => {
      await handle.close();
      await drop();
    },
  };
}

/** Creates `rdt_<random>` on the server named by DATABASE_URL; drop() removes it. */
export async function createPostgresDatabase(): Promise<{ connectionString: string; drop(): Promise<void> }> {
  const adminUrl = process.env['DATABASE_URL'];
  if (!adminUrl) throw new Error('DATABASE_URL is not set');
  const name = `rdt_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    connectionString: url.toString(),
    drop: () =>
      withAdmin(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`)).then(
        () => undefined,
      ),
  };
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
