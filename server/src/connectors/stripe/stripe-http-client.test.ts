import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportClosedConnectionHttpClient } from './stripe-http-client.js';

describe('ReportClosedConnectionHttpClient', () => {
  let server: Server;
  let port = 0;
  const seen: string[] = [];
  beforeAll(async () => {
    // Closes the connection of every POST and of the first GET, without answering.
    server = createServer((request, response) => {
      seen.push(request.method ?? '');
      const isFirstGet = request.method === 'GET' && seen.filter((m) => m === 'GET').length === 1;
      if (request.method === 'POST' || isFirstGet) {
        request.socket.destroy();
        return;
      }
      response.setHeader('content-type', 'application/json');
      response.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends a read once more when its connection closes unanswered, and reports a write without resending it', async () => {
    const client = new ReportClosedConnectionHttpClient();
    const read = await client.makeRequest('127.0.0.1', String(port), '/v1/refunds/re_1', 'GET', {}, '', 'http', 2_000);
    expect(read.getStatusCode()).toBe(200);
    expect(seen).toEqual(['GET', 'GET']);

    const write = client.makeRequest('127.0.0.1', String(port), '/v1/refunds', 'POST', {}, 'amount=1', 'http', 2_000);
    await expect(write).rejects.toMatchObject({ code: 'ERESPONSELOST' });
    expect(seen).toEqual(['GET', 'GET', 'POST']);
  });
});
