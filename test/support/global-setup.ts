import pg from 'pg';

/** With DATABASE_URL set, fail fast (one clear line) if the server does not answer. */
export default async function setup(): Promise<void> {
  const url = process.env['DATABASE_URL'];
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(`DATABASE_URL is set but PostgreSQL does not answer: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
