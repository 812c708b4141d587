import { SquareClient, SquareError } from 'square';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freshKey,
  payWithSdk,
  type SquareRig,
  startSquareRig,
  TEST_ACCESS_TOKEN,
} from '../../connectors/square/square-test-kit.js';

let rig: SquareRig;
beforeAll(async () => {
  rig = await startSquareRig();
});
afterAll(() => rig.close());

async function postRefund(body: Record<string, unknown>, token = TEST_ACCESS_TOKEN) {
  const response = await fetch(`${rig.server.url}/v2/refunds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe('Square sandbox wire behaviour', () => {
  it('answers a wrong token with Square’s 401 body', async () => {
    const answer = await postRefund({}, 'nope');
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toEqual({
      errors: [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED', detail: expect.any(String) }],
    });
  });

  it('replays the first answer byte for byte, errors included', async () => {
    const paymentId = await payWithSdk(rig.sdk, { amount: 500, currency: 'USD', email: 'bytes@example.com' });
    const body = { idempotency_key: freshKey(), payment_id: paymentId, amount_money: { amount: 200, currency: 'USD' } };
    const first = await postRefund(body);
    const again = await postRefund({
      amount_money: body.amount_money,
      payment_id: paymentId,
      idempotency_key: body.idempotency_key,
    });
    expect(first.status).toBe(200);
    expect(again.text).toBe(first.text);

    const tooMuch = { ...body, idempotency_key: freshKey(), amount_money: { amount: 999, currency: 'USD' } };
    const refused = await postRefund(tooMuch);
    await postRefund({ ...body, idempotency_key: freshKey(), amount_money: { amount: 300, currency: 'USD' } });
    const refusedAgain = await postRefund(tooMuch);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text).errors[0].code).toBe('REFUND_AMOUNT_INVALID');
    expect(refusedAgain.text).toBe(refused.text);
  });

  it('refuses an idempotency key longer than 45 characters', async () => {
    const answer = await postRefund({
      idempotency_key: 'k'.repeat(46),
      payment_id: 'x',
      amount_money: { amount: 1, currency: 'USD' },
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).errors[0]).toMatchObject({ code: 'VALUE_TOO_LONG', field: 'idempotency_key' });
  });

  it('declines Square’s declining test token through the SDK', async () => {
    const error = await payWithSdk(rig.sdk, {
      amount: 100,
      currency: 'USD',
      email: 'declined@example.com',
      sourceId: 'cnon:card-nonce-declined',
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SquareError);
    expect((error as SquareError).errors[0]).toMatchObject({
      category: 'PAYMENT_METHOD_ERROR',
      code: 'GENERIC_DECLINE',
    });
  });

  it('pages ListPayments newest first for the SDK’s iterator', async () => {
    const fresh = await startSquareRig();
    try {
      const ids = [];
      for (let index = 0; index < 3; index++) {
        ids.push(await payWithSdk(fresh.sdk, { amount: 100 + index, currency: 'EUR', email: 'pages@example.com' }));
      }
      const seen: string[] = [];
      for await (const payment of await fresh.sdk.payments.list({ limit: 2 })) seen.push(payment.id ?? '');
      expect(seen).toEqual([...ids].reverse());
    } finally {
      await fresh.close();
    }
  });

  it('finds customers by exact email through the SDK', async () => {
    const email = `search-${freshKey()}@example.com`;
    await payWithSdk(rig.sdk, { amount: 100, currency: 'USD', email });
    const { customers = [] } = await rig.sdk.customers.search({
      query: { filter: { emailAddress: { exact: email } } },
    });
    expect(customers.map((customer) => customer.emailAddress)).toEqual([email]);
  });
});

describe('Square sandbox control routes', () => {
  async function control(method: string, path: string, body?: unknown) {
    const response = await rig.sandbox.app.request(`/__sandbox${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  it('seeds a payment, queues faults, settles a refund and lists refunds', async () => {
    const created = await control('POST', '/payments', { amount: 800, currency: 'JPY', email: 'ctl@example.com' });
    const paymentRef = String(created.json.paymentRef);
    expect((await rig.gateway.getPayment({ paymentRef })).amount).toEqual({ amount: 800, currency: 'JPY' });

    expect((await control('POST', '/faults', { faults: [{ kind: 'pending' }] })).json).toEqual({ queued: 1 });
    const refund = await rig.gateway.refund({
      paymentRef,
      amount: { amount: 800, currency: 'JPY' },
      reason: 'fraudulent',
      idempotencyKey: freshKey(),
      metadata: {},
    });
    expect(refund.status).toBe('pending');
    await control('POST', `/refunds/${refund.gatewayRefundId}/settle`, { status: 'succeeded' });
    const listed = await control('GET', `/payments/${paymentRef}/refunds`);
    expect(listed.json.refunds).toEqual([
      { gatewayRefundId: refund.gatewayRefundId, amount: 800, status: 'COMPLETED' },
    ]);
  });

  it('clears faults and refuses bad control input', async () => {
    await control('POST', '/faults', { faults: [{ kind: 'http_500' }] });
    await control('DELETE', '/faults');
    const paymentRef = String(
      (await control('POST', '/payments', { amount: 100, currency: 'USD', email: 'c@x' })).json.paymentRef,
    );
    const refund = await rig.gateway.refund({
      paymentRef,
      amount: { amount: 100, currency: 'USD' },
      reason: 'duplicate',
      idempotencyKey: freshKey(),
      metadata: {},
    });
    expect(refund.status).toBe('succeeded');
    expect((await control('POST', '/faults', { faults: [{ kind: 'explode' }] })).status).toBe(400);
    expect((await control('PUT', '/webhook', { url: 'not a url', secret: 's' })).status).toBe(400);
    expect((await control('PUT', '/webhook', {})).json).toEqual({ webhook: null });
  });

  it('serves the vendor paths only to the configured token', async () => {
    const stranger = new SquareClient({ token: 'other', baseUrl: rig.server.url, maxRetries: 0 });
    const error = await stranger.payments.get({ paymentId: 'x' }).catch((thrown: unknown) => thrown);
    expect((error as SquareError).statusCode).toBe(401);
  });
});
