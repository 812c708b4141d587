/**
 * A wire-compatible SendGrid sandbox on its own loopback origin: `POST /v3/mail/send` (Bearer API
 * key, v3 mail JSON) answers 202 with `X-Message-Id`, records the email, then posts an event webhook
 * batch (`processed`, then `delivered` or an injected `bounce`/`dropped`) signed with ECDSA P-256
 * over timestamp + raw body. The key pair is made at start; `publicKey` is what
 * SENDGRID_WEBHOOK_PUBLIC_KEY holds (base64 DER). Control routes live under `/__sandbox/*`.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { Hono } from 'hono';
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from '../../connectors/sendgrid/sendgrid-signature.js';
import { type RunningSandbox, startSandboxServer } from '../sandbox-server.js';

export type SendgridFault = 'bounce' | 'dropped';

export interface SandboxEmail {
  readonly messageId: string;
  readonly to: string;
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly customArgs: Readonly<Record<string, string>>;
  readonly createdAt: string;
}

export interface SendgridSandbox {
  readonly url: string;
  readonly apiKey: string;
  /** Base64 DER (SPKI) of the key that signs the event webhook. */
  readonly publicKey: string;
  readonly emails: ReadonlyArray<SandboxEmail>;
  /** Where event batches are posted (our `/webhooks/sendgrid/{org}`). */
  setEventWebhookUrl(url: string): void;
  /** Emails to this address end that way from now on. */
  injectFault(to: string, fault: SendgridFault): void;
  /** Signs a body as the event webhook would (tests build their own batches with it). */
  signedHeaders(rawBody: string, timestamp?: string): Record<string, string>;
  settled(): Promise<void>;
  close(): Promise<void>;
}

interface MailBody {
  personalizations?: Array<{ to?: Array<{ email?: string }> }>;
  from?: { email?: string };
  subject?: string;
  content?: Array<{ type?: string; value?: string }>;
  custom_args?: Record<string, string>;
}

function sendgridError(message: string, field: string | null) {
  return { errors: [{ message, field, help: null }] };
}

export async function startSendgridSandbox(options: { readonly apiKey?: string } = {}): Promise<SendgridSandbox> {
  const apiKey =
    options.apiKey ?? `SG.${randomBytes(11).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKeyBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const emails: SandboxEmail[] = [];
  const faults = new Map<string, SendgridFault>();
  const inFlight = new Set<Promise<unknown>>();
  let eventWebhookUrl: string | undefined;

  const signedHeaders = (rawBody: string, timestamp = String(Math.floor(Date.now() / 1000))) => ({
    'content-type': 'application/json',
    [SENDGRID_TIMESTAMP_HEADER]: timestamp,
    [SENDGRID_SIGNATURE_HEADER]: sign('sha256', Buffer.from(timestamp + rawBody, 'utf8'), privateKey).toString(
      'base64',
    ),
  });

  const postEvents = async (email: SandboxEmail, fault: SendgridFault | undefined) => {
    if (!eventWebhookUrl) return;
    const timestamp = Math.floor(Date.now() / 1000);
    const base = {
      email: email.to,
      timestamp,
      'smtp-id': `<${email.messageId}@sandbox.sendgrid.local>`,
      sg_message_id: `${email.messageId}.filter0001.1.0`,
      ...email.customArgs,
    };
    const last =
      fault === 'bounce'
        ? { event: 'bounce', type: 'bounce', reason: '550 5.1.1 unknown recipient', status: '5.1.1' }
        : fault === 'dropped'
          ? { event: 'dropped', reason: 'Bounced Address' }
          : { event: 'delivered', response: '250 OK' };
    const batch = [
      { ...base, event: 'processed', sg_event_id: randomBytes(16).toString('base64url') },
      { ...base, ...last, sg_event_id: randomBytes(16).toString('base64url') },
    ];
    const rawBody = JSON.stringify(batch);
    const response = await fetch(eventWebhookUrl, { method: 'POST', headers: signedHeaders(rawBody), body: rawBody });
    await response.arrayBuffer();
  };

  const app = new Hono();
  app.post('/v3/mail/send', async (c) => {
    if (c.req.header('authorization') !== `Bearer ${apiKey}`)
      return c.json(sendgridError('The provided authorization grant is invalid, expired, or revoked', null), 401);
    let body: MailBody;
    try {
      body = (await c.req.json()) as MailBody;
    } catch {
      return c.json(sendgridError('Bad Request', null), 400);
    }
    const to = body.personalizations?.[0]?.to?.[0]?.email;
    if (!to) return c.json(sendgridError('The to field is required.', 'personalizations.0.to'), 400);
    if (!body.from?.email) return c.json(sendgridError('The from email is required.', 'from.email'), 400);
    if (!body.subject) return c.json(sendgridError('The subject is required.', 'subject'), 400);
    const content = body.content ?? [];
    const messageId = randomBytes(16).toString('base64url');
    const email: SandboxEmail = {
      messageId,
      to,
      from: body.from.email,
      subject: body.subject,
      text: content.find((part) => part.type === 'text/plain')?.value ?? '',
      html: content.find((part) => part.type === 'text/html')?.value ?? '',
      customArgs: body.custom_args ?? {},
      createdAt: new Date().toISOString(),
    };
    emails.push(email);
    const fault = faults.get(to);
    setTimeout(() => {
      const work = postEvents(email, fault).catch(() => undefined);
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    }, 5);
    c.header('X-Message-Id', messageId);
    return c.body(null, 202);
  });
  app.get('/__sandbox/messages', (c) => c.json({ emails }));
  app.post('/__sandbox/faults', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { to?: string; fault?: SendgridFault };
    if (!body.to || !['bounce', 'dropped'].includes(body.fault ?? ''))
      return c.json({ error: 'give {to, fault: bounce|dropped}' }, 400);
    faults.set(body.to, body.fault as SendgridFault);
    return c.json({ ok: true });
  });

  const server: RunningSandbox = await startSandboxServer(app);
  return {
    url: server.url,
    apiKey,
    publicKey: publicKeyBase64,
    emails,
    setEventWebhookUrl: (url) => {
      eventWebhookUrl = url;
    },
    injectFault: (to, fault) => faults.set(to, fault),
    signedHeaders,
    settled: async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close: () => server.close(),
  };
}
