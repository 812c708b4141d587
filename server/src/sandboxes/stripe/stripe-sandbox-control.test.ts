import { describe, expect, it } from 'vitest';
import { createStripeSandbox } from './stripe-sandbox.js';

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

describe('Stripe sandbox /__sandbox control routes', () => {
  it('seeds a payment, injects a fault, settles a pending refund and lists refunds', async () => {
    const sandbox = createStripeSandbox({ refundFailAfterMs: null });
    const { app } = sandbox;
    const seeded = await app.request('/__sandbox/payments', {
      method: 'POST',
      body: JSON.stringify({ amount: 2000, currency: 'usd', email: 'ctl@example.com', kind: 'card_refund_fails' }),
    });
    expect(seeded.status).toBe(201);
    const { paymentRef } = (await json(seeded)) as { paymentRef: string };
    expect(paymentRef).toMatch(/^pi_/);

    const faults = await app.request('/__sandbox/faults', {
      method: 'POST',
      body: JSON.stringify({ faults: [{ kind: 'http_429', retryAfterSeconds: 3 }] }),
    });
    expect(await json(faults)).toEqual({ queued: 1 });
    const headers = { authorization: 'Bearer sk_test_any', 'content-type': 'application/x-www-form-urlencoded' };
    const limited = await app.request('/v1/refunds', { method: 'POST', headers, body: `payment_intent=${paymentRef}` });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');

    const created = await app.request('/v1/refunds', { method: 'POST', headers, body: `payment_intent=${paymentRef}` });
    const refund = (await json(created)) as { id: string; status: string };
    expect(refund.status).toBe('pending');
    const settle = await app.request(`/__sandbox/refunds/${refund.id}/settle`, {
      method: 'POST',
      body: JSON.stringify({ status: 'failed', reason: 'card_expired_or_canceled' }),
    });
    expect(settle.status).toBe(200);
    const listed = await json(await app.request(`/__sandbox/payments/${paymentRef}/refunds`));
    expect(listed).toEqual({ refunds: [{ gatewayRefundId: refund.id, amount: 2000, status: 'failed' }] });
    const retrieved = await json(await app.request(`/v1/refunds/${refund.id}`, { headers }));
    expect(retrieved).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card' });
  });

  it('refuses malformed control bodies and unknown refunds', async () => {
    const { app } = createStripeSandbox();
    const bad = await app.request('/__sandbox/faults', {
      method: 'POST',
      body: JSON.stringify({ faults: [{ kind: 'x' }] }),
    });
    expect(bad.status).toBe(400);
    const missing = await app.request('/__sandbox/refunds/re_nope/settle', {
      method: 'POST',
      body: JSON.stringify({ status: 'succeeded' }),
    });
    expect(missing.status).toBe(404);
    const target = await app.request('/__sandbox/webhook', {
      method: 'PUT',
      body: JSON.stringify({ url: 'http://127.0.0.1:9/hook', secret: 'whsec_x' }),
    });
    expect(await json(target)).toEqual({ target: 'http://127.0.0.1:9/hook' });
    expect((await app.request('/__sandbox/faults', { method: 'DELETE' })).status).toBe(204);
  });
});
