/**
 * Zendesk benchmark on real PostgreSQL (DATABASE_URL, else 127.0.0.1:5432), loopback only, bounded:
 * 1. signed webhook ingest (verify → record once → enqueue → 200) at 50 and 200 connections,
 *    beside a bare Hono route inserting one row on the same pool, measured in the same run;
 * 2. the auto-approve path: webhook received → gateway refund call, p50/p99.
 * `npx tsx server/bench/zendesk.ts` runs it alone; `runZendeskBench` returns and prints the lines.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { Agent, request } from 'undici';
import { bootDesk } from '../src/boot.js';
import { parseConfig } from '../src/config.js';
import { MemoryGateway } from '../src/connectors/memory/memory-gateway.js';
import { zendeskWebhookHeaders } from '../src/connectors/zendesk/zendesk-signature.js';
import { staticGatewayRegistry } from '../src/gateways/gateway-registry.js';
import { upsertPayment } from '../src/ledger/payments.js';
import { money } from '../src/money/money.js';
import type { RefundInput } from '../src/ports/payment-gateway.js';
import { SANDBOX_TICKET_FIELDS } from '../src/sandboxes/zendesk/zendesk-sandbox-store.js';
import { workerRegistrations } from '../src/workers.js';
import { createZendeskIntegration } from '../src/zendesk/zendesk-integration.js';
import { formatSummary, summarise } from './measure.js';

const SECRET = 'bench-webhook-secret';

export interface ZendeskBenchOptions {
  readonly adminUrl?: string;
  /** Seconds per concurrency level (default 3). */
  readonly seconds?: number;
  readonly levels?: readonly number[];
  /** Auto-approve samples (default 40). */
  readonly approvals?: number;
}

/** Records when the gateway was asked to refund each payment. */
class TimedGateway extends MemoryGateway {
  readonly calledAt = new Map<string, number>();
  override async refund(input: RefundInput) {
    if (!this.calledAt.has(input.paymentRef)) this.calledAt.set(input.paymentRef, performance.now());
    return super.refund(input);
  }
}

/** Keeps `connections` requests in flight for `seconds`; returns each latency and the wall time. */
async function load(
  url: string,
  connections: number,
  seconds: number,
  next: () => { body: string; headers: Record<string, string> },
) {
  const dispatcher = new Agent({ connections, pipelining: 1, keepAliveTimeout: 10_000 });
  const samples: number[] = [];
  let failures = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() < deadline) {
      const { body, headers } = next();
      const t0 = performance.now();
      const response = await request(url, { method: 'POST', body, headers, dispatcher });
      await response.body.dump();
      if (response.statusCode !== 200) failures++;
      samples.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const wallMs = performance.now() - started;
  await dispatcher.close();
  return { summary: summarise(samples, wallMs), failures };
}

export async function runZendeskBench(options: ZendeskBenchOptions = {}): Promise<string[]> {
  const adminUrl = options.adminUrl ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const seconds = options.seconds ?? 3;
  const name = `rd_bench_zd_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const gateway = new TimedGateway();
  const desk = await bootDesk({
    config: parseConfig({
      DATABASE_URL: url.toString(),
      SANDBOX: 'true',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DEMO_DATA: 'false',
      ZENDESK_WEBHOOK_SECRET: SECRET,
      ZENDESK_API_TOKEN: 'bench-token',
      ZENDESK_EMAIL: 'api@bench.example',
    }),
    logger: pino({ level: 'silent' }),
    gateways: staticGatewayRegistry([gateway]),
    workers: workerRegistrations(),
    integrations: [createZendeskIntegration],
  });
  const lines: string[] = [];
  const print = (line: string) => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  const bare = new Hono();
  const db = desk.ctx.db;
  await sql`create table bench_rows (id uuid primary key, payload jsonb not null)`.execute(db);
  bare.post('/bare', async (c) => {
    const body = await c.req.text();
    await sql`insert into bench_rows (id, payload) values (${randomUUID()}, ${body}::jsonb)`.execute(db);
    return c.json({ received: true });
  });
  const bareServer = await new Promise<{ url: string; close(): void }>((resolve) => {
    const s = serve({ fetch: bare.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}/bare`, close: () => s.close() }),
    );
  });
  try {
    print(`Zendesk webhook ingest on PostgreSQL (${seconds} s per level, loopback, keep-alive)`);
    let ticket = 1_000_000;
    const signed = () => {
      const body = JSON.stringify({ ticket_id: String(ticket++), current_user_id: '', requester_email: '' });
      return { body, headers: zendeskWebhookHeaders(SECRET, body, { invocationId: randomUUID() }) };
    };
    const plain = () => ({ body: '{"ticket_id":"1"}', headers: { 'content-type': 'application/json' } });
    for (const connections of options.levels ?? [50, 200]) {
      const webhook = await load(`${desk.url}/webhooks/zendesk/default`, connections, seconds, signed);
      const baseline = await load(bareServer.url, connections, seconds, plain);
      print(
        formatSummary(`signed webhook, ${connections} connections`, webhook.summary) + `  non-200=${webhook.failures}`,
      );
      print(formatSummary(`bare Hono insert, ${connections} connections`, baseline.summary));
      print(`  webhook / bare throughput: ${(webhook.summary.perSecond / baseline.summary.perSecond).toFixed(2)}`);
    }
    lines.push(...(await autoApproveLatency(desk, gateway, options.approvals ?? 40, print)));
  } finally {
    bareServer.close();
    await desk.stop();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  return lines;
}

/** Webhook received → gateway refund call, for tickets whose requester has a small payment (auto-approved). */
async function autoApproveLatency(
  desk: Awaited<ReturnType<typeof bootDesk>>,
  gateway: TimedGateway,
  samples: number,
  print: (line: string) => void,
): Promise<string[]> {
  const zendesk = desk.sandboxes['zendesk'] as string;
  const orgId = desk.firstStart?.orgId as string;
  const post = async (path: string, body: unknown) =>
    (
      await fetch(`${zendesk}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json() as Promise<{ ticket: { id: number } }>;
  const latencies: number[] = [];
  // the tagger is read from the ticket's audit: a lead's tag carries a lead's authority
  const { users } = (await (await fetch(`${zendesk}/__sandbox/users`)).json()) as {
    users: Array<{ id: number; email: string }>;
  };
  const lead = users.find((u) => u.email === 'lead@refund-desk.local');
  for (let i = 0; i < samples; i++) {
    const email = `bench-${i}-${randomUUID().slice(0, 6)}@example.com`;
    const capturedAt = new Date(Date.now() - 3600_000);
    const { paymentRef } = gateway.addPayment({ amount: money(4_000, 'USD'), capturedAt, email });
    await db(desk)
      .transaction()
      .execute((trx) =>
        upsertPayment(trx, orgId, {
          gateway: 'memory',
          gatewayPaymentId: paymentRef,
          amount: money(4_000, 'USD'),
          status: 'captured',
          capturedAt,
          method: { type: 'card', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2099, funding: 'credit' },
          // a phone on both sides verifies the requester, so policy auto-approves
          customer: { email, name: 'Bench Customer', phone: '+15550100' },
          source: 'bench',
        }),
      );
    // the ledger records payments without phones; give this customer one, as a CRM import would
    await db(desk).updateTable('customers').set({ phone: '+15550100' }).where('email', '=', email).execute();
    const { ticket } = await post('/__sandbox/tickets', {
      subject: 'bench',
      requesterEmail: email,
      requesterPhone: '+15550100',
      // the "Refund reason" field: a reason policy may auto-approve (goodwill, the default, is always reviewed)
      customFields: { [String(SANDBOX_TICKET_FIELDS[2].id)]: 'product_return' },
    });
    await post(`/__sandbox/tickets/${ticket.id}/edit`, { add: ['refund_approved'], userId: lead?.id, silent: true });
    const body = JSON.stringify({ ticket_id: String(ticket.id), current_user_id: '', requester_email: email });
    const t0 = performance.now();
    const response = await fetch(`${desk.url}/webhooks/zendesk/default`, {
      method: 'POST',
      headers: zendeskWebhookHeaders(SECRET, body, { invocationId: randomUUID() }),
      body,
    });
    await response.arrayBuffer();
    const deadline = Date.now() + 10_000;
    while (!gateway.calledAt.has(paymentRef) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    const calledAt = gateway.calledAt.get(paymentRef);
    if (calledAt !== undefined) latencies.push(calledAt - t0);
  }
  const s = summarise(latencies, 1);
  const line = `auto-approve: webhook received → gateway refund call   p50 ${s.p50.toFixed(1)} ms   p99 ${s.p99.toFixed(1)} ms   n=${s.count}/${samples}`;
  print(line);
  return [];
}

const db = (desk: Awaited<ReturnType<typeof bootDesk>>) => desk.ctx.db;

if (import.meta.url === `file://${process.argv[1]}`) {
  await runZendeskBench();
}
