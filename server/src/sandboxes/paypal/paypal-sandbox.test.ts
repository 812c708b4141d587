import { describe, expect, it } from 'vitest';
import { TEST_CREDENTIALS } from '../../connectors/paypal/paypal-test-fixture.js';
import { createPayPalSandbox } from './paypal-sandbox.js';

const basic = `Basic ${Buffer.from(`${TEST_CREDENTIALS.clientId}:${TEST_CREDENTIALS.clientSecret}`).toString('base64')}`;

async function signedIn() {
  const sandbox = createPayPalSandbox({ credentials: TEST_CREDENTIALS });
  const tokenResponse = await sandbox.app.request('/v1/oauth2/token', {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const token = (await tokenResponse.json()) as { access_token: string; token_type: string; expires_in: number };
  expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 32400 });
  const refund = (captureId: string, body: unknown, key: string) =>
    sandbox.app.request(`/v2/payments/captures/${captureId}/refund`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token.access_token}`,
        'content-type': 'application/json',
        'paypal-request-id': key,
      },
      body: JSON.stringify(body),
    });
  return { sandbox, refund };
}

describe('PayPal sandbox wire behaviour', () => {
  it('answers wrong client credentials and unknown bearer tokens with PayPal 401 bodies', async () => {
    const sandbox = createPayPalSandbox({ credentials: TEST_CREDENTIALS });
    const token = await sandbox.app.request('/v1/oauth2/token', {
      method: 'POST',
      headers: { authorization: 'Basic eDp5' },
    });
    expect(token.status).toBe(401);
    expect(await token.json()).toMatchObject({ error: 'invalid_client' });
    const capture = await sandbox.app.request('/v2/payments/captures/ANY', {
      headers: { authorization: 'Bearer forged' },
    });
    expect(capture.status).toBe(401);
    expect(await capture.json()).toMatchObject({ name: 'AUTHENTICATION_FAILURE' });
  });

  it('replays a refused refund byte for byte under the same PayPal-Request-Id', async () => {
    const { sandbox, refund } = await signedIn();
    const { paymentRef } = await sandbox.createPayment({
      amount: { amount: 1000, currency: 'USD' },
      email: 'a@example.com',
    });
    const body = { amount: { currency_code: 'USD', value: '10.01' } };
    const first = await refund(paymentRef, body, 'key-1');
    const second = await refund(paymentRef, body, 'key-1');
    expect(first.status).toBe(422);
    expect(second.status).toBe(422);
    const firstText = await first.text();
    expect(await second.text()).toBe(firstText);
    expect(JSON.parse(firstText)).toMatchObject({
      name: 'UNPROCESSABLE_ENTITY',
      details: [{ issue: 'REFUND_AMOUNT_EXCEEDED' }],
    });
    expect(sandbox.refundsOf(paymentRef)).toEqual([]);
  });

  it('refunds the remainder when no amount is given and refuses three-decimal USD', async () => {
    const { sandbox, refund } = await signedIn();
    const { paymentRef } = await sandbox.createPayment({
      amount: { amount: 1999, currency: 'USD' },
      email: 'a@example.com',
    });
    const precise = await refund(paymentRef, { amount: { currency_code: 'USD', value: '1.001' } }, 'key-p');
    expect(await precise.json()).toMatchObject({ details: [{ issue: 'DECIMAL_PRECISION' }] });
    const full = await refund(paymentRef, {}, 'key-f');
    expect(full.status).toBe(201);
    expect(await full.json()).toMatchObject({ status: 'COMPLETED', amount: { currency_code: 'USD', value: '19.99' } });
  });

  it('drives faults, payments, settlement and listings through the /__sandbox control routes', async () => {
    const { sandbox, refund } = await signedIn();
    const json = (method: string, body?: unknown) => ({
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const created = await sandbox.app.request(
      '/__sandbox/payments',
      json('POST', { amount: 5000, currency: 'JPY', email: 'j@example.com' }),
    );
    const { paymentRef } = (await created.json()) as { paymentRef: string };
    await sandbox.app.request(
      '/__sandbox/faults',
      json('POST', { faults: [{ kind: 'http_500' }, { kind: 'pending' }] }),
    );
    expect((await refund(paymentRef, { amount: { currency_code: 'JPY', value: '100' } }, 'k1')).status).toBe(500);
    const pending = (await (
      await refund(paymentRef, { amount: { currency_code: 'JPY', value: '100' } }, 'k2')
    ).json()) as { id: string; status: string };
    expect(pending.status).toBe('PENDING');
    const settled = await sandbox.app.request(
      `/__sandbox/refunds/${pending.id}/settle`,
      json('POST', { status: 'failed', reason: 'card_lost_or_stolen' }),
    );
    expect(settled.status).toBe(200);
    const listed = await (await sandbox.app.request(`/__sandbox/payments/${paymentRef}/refunds`)).json();
    expect(listed).toEqual({ refunds: [{ gatewayRefundId: pending.id, amount: 100, status: 'failed' }] });
    await sandbox.app.request('/__sandbox/faults', json('POST', { faults: [{ kind: 'http_500' }] }));
    await sandbox.app.request('/__sandbox/faults', { method: 'DELETE' });
    expect((await refund(paymentRef, { amount: { currency_code: 'JPY', value: '100' } }, 'k3')).status).toBe(201);
    expect(
      (await sandbox.app.request('/__sandbox/webhook', json('PUT', { url: 'http://127.0.0.1:9/x', secret: 'WH' })))
        .status,
    ).toBe(200);
  });
});
