// @vitest-environment jsdom
import { describe, expect, test } from 'vitest';
import { createSessionDeskClient, readServerSession, type ServerSession } from './session-desk-client';
import type { ZafClient } from './zaf-desk-client';

const session: ServerSession = {
  token: 'rds_abc',
  apiBase: '/zendesk/sidebar/v1/default',
  expiresAt: '2026-12-01T20:00:00Z',
  viewer: { name: 'Lee Lead', readOnly: false },
};

function fakeZaf() {
  const invoked: unknown[][] = [];
  const client = {
    invoke: async (...args: unknown[]) => {
      invoked.push(args);
      return {};
    },
    on: () => undefined,
    off: () => undefined,
  } as unknown as ZafClient;
  return { client, invoked };
}

describe('the session our server embeds in the page', () => {
  test('is read from its meta tag; a page without one (an older install) has none', () => {
    document.head.innerHTML = `<meta name="refund-desk-session" content='${JSON.stringify(session)}'>`;
    expect(readServerSession(document)).toEqual(session);
    document.head.innerHTML = `<meta name="refund-desk-session" content='{"token":"x","apiBase":"https://evil.example"}'>`;
    expect(readServerSession(document)).toBeUndefined();
    document.head.innerHTML = '';
    expect(readServerSession(document)).toBeUndefined();
  });

  test('calls go same-origin with the session as Bearer, never through ZAF secure requests', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const fetchStub = async (url: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(url), init: init ?? {} });
      return new Response(JSON.stringify({ case: { id: 'c1' } }), { status: 200 });
    };
    const { client, invoked } = fakeZaf();
    const desk = createSessionDeskClient(client, session, '101', fetchStub as typeof fetch);
    await desk.requestRefund({ paymentId: 'p1', reasonCode: 'goodwill' }, 'key-1');
    await desk.approve('c1');
    expect(calls.map((c) => [c.init.method, c.url])).toEqual([
      ['POST', '/zendesk/sidebar/v1/default/tickets/101/refunds'],
      ['POST', '/zendesk/sidebar/v1/default/tickets/101/refunds/c1/approve'],
    ]);
    const headers = calls[0]?.init.headers as Record<string, string>;
    expect(headers['authorization']).toBe('Bearer rds_abc');
    expect(headers['idempotency-key']).toBe('key-1');
    expect(calls[0]?.init.credentials).toBe('omit');
    desk.resize(500.2);
    expect(invoked).toEqual([['resize', { width: '100%', height: '501px' }]]);
  });

  test('a refusal becomes the server’s error code and message', async () => {
    const fetchStub = async () =>
      new Response(JSON.stringify({ error: { code: 'unauthenticated', message: 'your session has ended' } }), {
        status: 401,
      });
    const desk = createSessionDeskClient(fakeZaf().client, session, '101', fetchStub as typeof fetch);
    await expect(desk.loadView()).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
  });
});
