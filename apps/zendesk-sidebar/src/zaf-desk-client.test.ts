import { describe, expect, test } from 'vitest';
import { DeskApiError } from './desk-client';
import {
  createZafDeskClient,
  readDeskSession,
  toDeskApiError,
  type ZafClient,
  type ZafRequestOptions,
} from './zaf-desk-client';

function fakeZaf(answer: (options: ZafRequestOptions) => Promise<unknown>) {
  const sent: ZafRequestOptions[] = [];
  const invoked: unknown[][] = [];
  const handlers = new Map<string, Set<(data: unknown) => void>>();
  const client: ZafClient = {
    on: (name, handler) => {
      handlers.set(name, (handlers.get(name) ?? new Set()).add(handler));
    },
    off: (name, handler) => {
      handlers.get(name)?.delete(handler);
    },
    get: async () => ({ ticket: { id: 101, subject: 'x' }, currentUser: { id: 7, name: 'Alex' } }),
    invoke: async (...args) => {
      invoked.push(args);
      return {};
    },
    metadata: async () => ({ settings: { server_url: 'https://desk.example.com/', org_slug: 'north side' } }),
    context: async () => ({ account: { subdomain: 'acme' } }),
    request: (options) => {
      sent.push(options);
      return answer(options);
    },
  };
  const emit = (name: string) => {
    for (const handler of handlers.get(name) ?? []) handler({});
  };
  return { client, sent, invoked, emit };
}

describe('ZAF desk client (sidebar contract)', () => {
  test('GET is a secure request with the contract JWT claims and a fresh jti', async () => {
    const { client, sent } = fakeZaf(async () => JSON.stringify({ cases: [] }));
    const session = await readDeskSession(client);
    expect(session).toEqual({
      serverUrl: 'https://desk.example.com',
      orgSlug: 'north side',
      subdomain: 'acme',
      ticketId: '101',
      userId: '7',
    });
    const desk = createZafDeskClient(client, session);
    expect(await desk.loadView()).toEqual({ cases: [] });
    await desk.loadView();
    const [first, second] = sent;
    expect(first).toMatchObject({
      url: 'https://desk.example.com/zendesk/sidebar/v1/north%20side/tickets/101',
      type: 'GET',
      contentType: 'application/json',
      secure: true,
      cors: false,
      headers: { Authorization: 'Bearer {{jwt.token}}' },
      jwt: {
        algorithm: 'HS256',
        secret_key: '{{setting.shared_secret}}',
        expiry: 120,
        claims: { iss: 'refund-desk-sidebar', aud: 'zendesk:acme', sub: '7', ticket_id: '101' },
      },
    });
    expect(first?.data).toBeUndefined();
    expect(first?.jwt.claims['jti']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.jwt.claims['jti']).not.toBe(first?.jwt.claims['jti']);
  });

  test('create posts JSON with the Idempotency-Key; approve and cancel post to the case', async () => {
    const { client, sent } = fakeZaf(async () => ({ case: { id: 'c1' } }));
    const desk = createZafDeskClient(client, await readDeskSession(client));
    expect(await desk.requestRefund({ paymentId: 'p1', amount: '1.00', reasonCode: 'goodwill' }, 'key-1')).toEqual({
      id: 'c1',
    });
    await desk.approve('c1');
    await desk.cancel('c1');
    expect(
      sent.map((o) => [o.type, o.url.replace('https://desk.example.com/zendesk/sidebar/v1/north%20side', '')]),
    ).toEqual([
      ['POST', '/tickets/101/refunds'],
      ['POST', '/tickets/101/refunds/c1/approve'],
      ['POST', '/tickets/101/refunds/c1/cancel'],
    ]);
    expect(sent[0]?.headers['Idempotency-Key']).toBe('key-1');
    expect(JSON.parse(sent[0]?.data ?? '')).toEqual({ paymentId: 'p1', amount: '1.00', reasonCode: 'goodwill' });
    expect(sent[1]?.headers['Idempotency-Key']).toBeUndefined();
  });

  test('a ZAF rejection becomes the server error code and message', async () => {
    const { client } = fakeZaf(async () => {
      throw { status: 403, responseText: '{"error":{"code":"self_approval","message":"You requested this refund."}}' };
    });
    const desk = createZafDeskClient(client, await readDeskSession(client));
    await expect(desk.approve('c1')).rejects.toMatchObject({
      status: 403,
      code: 'self_approval',
      message: 'You requested this refund.',
    });
    expect(toDeskApiError({ status: 0 })).toMatchObject({ code: 'network_error' });
    expect(toDeskApiError({ status: 502, responseText: '<html>' })).toMatchObject({ code: 'http_error' });
  });

  test('resize asks the host for the content height; a missing server URL is a clear error', async () => {
    const { client, invoked } = fakeZaf(async () => ({}));
    createZafDeskClient(client, await readDeskSession(client)).resize(412.3);
    expect(invoked).toEqual([['resize', { width: '100%', height: '413px' }]]);
    client.metadata = async () => ({ settings: {} });
    await expect(readDeskSession(client)).rejects.toBeInstanceOf(DeskApiError);
    await expect(readDeskSession(client)).rejects.toMatchObject({ code: 'not_configured' });
  });

  test('ticket change events from ZAF reach the listener until it unsubscribes', async () => {
    const { client, emit } = fakeZaf(async () => ({}));
    const desk = createZafDeskClient(client, await readDeskSession(client));
    let calls = 0;
    const unsubscribe = desk.onTicketChanged(() => calls++);
    emit('ticket.updated');
    emit('ticket.submit.done');
    emit('ticket.tags.changed');
    emit('ticket.viewers.changed');
    expect(calls).toBe(3);
    unsubscribe();
    emit('ticket.updated');
    expect(calls).toBe(3);
  });
});
