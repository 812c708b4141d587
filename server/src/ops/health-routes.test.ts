import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/support/context.js';
import { BACKENDS } from '../../../test/support/databases.js';
import { createApp } from '../app.js';
import { migrateToLatest } from '../db/migrator.js';

type Check = { ok: true } | { ok: false; reason: string };
type ReadyBody = { status: string; checks: { database: Check; migrations: Check; queue: Check } };

describe.each(BACKENDS)('health routes on %s', (backend) => {
  let test: TestContext;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    test = await createTestContext(backend, { migrate: false });
    app = createApp(test.ctx);
  });

  afterAll(async () => {
    await test?.close();
  });

  it('/healthz answers 200 before migrations ran', async () => {
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 503 naming pending migrations and the stopped queue, then 200 once both are done', async () => {
    const before = await app.request('/readyz');
    expect(before.status).toBe(503);
    const body = (await before.json()) as ReadyBody;
    expect(body.status).toBe('not_ready');
    expect(body.checks.database).toEqual({ ok: true });
    expect(body.checks.migrations.ok).toBe(false);
    const reason = body.checks.migrations.ok ? '' : body.checks.migrations.reason;
    expect(reason).toMatch(/pending/);
    expect(reason).toContain('20261122000100_organisations_staff');
    expect(body.checks.queue.ok).toBe(false);

    await migrateToLatest(test.ctx.db);
    const migratedOnly = (await (await app.request('/readyz')).json()) as ReadyBody;
    expect(migratedOnly.checks.migrations).toEqual({ ok: true });
    expect(migratedOnly.checks.queue.ok).toBe(false);

    await test.ctx.queue.start([]);
    const after = await app.request('/readyz');
    const ready = (await after.json()) as ReadyBody;
    expect(after.status, JSON.stringify(ready)).toBe(200);
    expect(ready).toEqual({
      status: 'ready',
      checks: { database: { ok: true }, migrations: { ok: true }, queue: { ok: true } },
    });
  });

  it('answers an unknown route with 404 and the not_found error body', async () => {
    const response = await app.request('/no/such/route');
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toContain('/no/such/route');
  });

  it('/metrics exposes the request histogram by route pattern', async () => {
    await app.request('/healthz');
    const response = await app.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/healthz"[^}]*\}/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
    // Unmatched paths share one label rather than one series per URL.
    expect(text).not.toContain('/no/such/route');
  });
});
