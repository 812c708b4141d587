import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { pendingMigrations } from '../db/migrator.js';

type CheckResult = { ok: true } | { ok: false; reason: string };

/** `/healthz` (alive), `/readyz` (database, migrations, queue), `/metrics` (Prometheus). */
export function healthRoutes(ctx: AppContext): Hono {
  const app = new Hono();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const database = await check(async () => {
      await sql`select 1`.execute(ctx.db);
    });
    const migrations = database.ok
      ? await check(async () => {
          const pending = await pendingMigrations(ctx.db);
          if (pending.length > 0) throw new Error(`pending: ${pending.join(', ')}`);
        })
      : ({ ok: false, reason: 'database unreachable' } as const);
    const queue: CheckResult = ctx.queue.isStarted ? { ok: true } : { ok: false, reason: 'not started' };
    const checks = { database, migrations, queue };
    const ready = database.ok && migrations.ok && queue.ok;
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    const body = await ctx.metrics.registry.metrics();
    return c.text(body, 200, { 'content-type': ctx.metrics.registry.contentType });
  });

  return app;
}

async function check(probe: () => Promise<void>): Promise<CheckResult> {
  try {
    await probe();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
