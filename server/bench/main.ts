import pg from 'pg';
import { benchEngine } from './engine.js';
import { runZendeskBench } from './zendesk.js';

/**
 * `npm run bench`: prints the figures the closing notes quote. Needs PostgreSQL: DATABASE_URL, or
 * the local server at 127.0.0.1:5432. Loopback only; every loop is bounded.
 */
async function main(): Promise<void> {
  const adminUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const probe = new pg.Client({ connectionString: adminUrl });
  try {
    await probe.connect();
    await probe.end();
  } catch {
    process.stderr.write(`bench: PostgreSQL does not answer at ${adminUrl}; set DATABASE_URL\n`);
    process.exit(1);
  }
  const cases = Number(process.env['BENCH_CASES'] ?? 400);
  for (const concurrency of [1, 8]) {
    for (const line of await benchEngine({ adminUrl, cases, concurrency })) process.stdout.write(`${line}\n`);
  }
  const extra = await loadOptional('./gateways.js', 'benchGateways');
  if (extra) for (const line of await extra()) process.stdout.write(`${line}\n`);
  // prints its own lines as it goes
  await runZendeskBench({ adminUrl });
}

async function loadOptional(path: string, exported: string): Promise<(() => Promise<string[]>) | undefined> {
  try {
    const module = (await import(path)) as Record<string, () => Promise<string[]>>;
    return module[exported];
  } catch {
    return undefined;
  }
}

await main();
