/**
 * A wire-compatible Twilio Messaging sandbox on its own loopback origin: the official SDK posts
 * `/2010-04-01/Accounts/{sid}/Messages.json` (form body, basic auth) and gets Twilio's JSON answer
 * or error shape (20003 auth, 21211 invalid number, 21610 opted out). Each accepted message gets
 * signed status callbacks (`sent`, then `delivered`, or an injected `undelivered`/`failed`) to its
 * StatusCallback URL, and inbound SMS can be simulated (signed like Twilio's inbound webhook).
 * Control routes live under `/__sandbox/*`.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { formParams, twilioSignature } from '../../connectors/twilio/twilio-signature.js';
import { type RunningSandbox, startSandboxServer } from '../sandbox-server.js';

export type TwilioFault = 'undelivered' | 'failed' | 'opted_out';

export interface SandboxSms {
  readonly sid: string;
  readonly to: string;
  readonly from: string;
  readonly body: string;
  readonly statusCallback: string | undefined;
  status: string;
  readonly createdAt: string;
}

export interface TwilioSandbox {
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly from: string;
  readonly messages: ReadonlyArray<SandboxSms>;
  /** Where simulated inbound SMS are posted (our `/webhooks/twilio/{org}`). */
  setInboundUrl(url: string): void;
  /** Messages to this number fail that way from now on. */
  injectFault(to: string, fault: TwilioFault): void;
  /** Posts a signed inbound SMS as Twilio would; resolves to our HTTP status. STOP-family words opt the sender out here too. */
  sendInbound(input: { readonly from: string; readonly body: string }): Promise<number>;
  /** Resolves when every status callback started so far was delivered (or failed). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const START_WORDS = new Set(['START', 'UNSTOP', 'YES']);

function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

function twilioError(code: number, message: string, status: number) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

export async function startTwilioSandbox(
  options: { readonly accountSid?: string; readonly authToken?: string; readonly from?: string } = {},
): Promise<TwilioSandbox> {
  const accountSid = options.accountSid ?? sid('AC');
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const from = options.from ?? '+15005550006';
  const messages: SandboxSms[] = [];
  const faults = new Map<string, TwilioFault>();
  const optedOut = new Set<string>();
  const inFlight = new Set<Promise<unknown>>();
  let inboundUrl: string | undefined;

  const post = async (url: string, params: Record<string, string>): Promise<number> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(authToken, url, params),
        'user-agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params).toString(),
    });
    await response.arrayBuffer();
    return response.status;
  };
  const track = (work: Promise<unknown>) => {
    const guarded = work.catch(() => undefined);
    inFlight.add(guarded);
    void guarded.finally(() => inFlight.delete(guarded));
  };

  const deliverCallbacks = async (message: SandboxSms, fault: TwilioFault | undefined) => {
    const steps: Array<{ status: string; errorCode?: string }> = [{ status: 'sent' }];
    if (fault === 'undelivered') steps.push({ status: 'undelivered', errorCode: '30003' });
    else if (fault === 'failed') steps.push({ status: 'failed', errorCode: '30008' });
    else steps.push({ status: 'delivered' });
    for (const step of steps) {
      message.status = step.status;
      if (!message.statusCallback) continue;
      await post(message.statusCallback, {
        AccountSid: accountSid,
        ApiVersion: '2010-04-01',
        From: message.from,
        MessageSid: message.sid,
        MessageStatus: step.status,
        SmsSid: message.sid,
        SmsStatus: step.status,
        To: message.to,
        ...(step.errorCode ? { ErrorCode: step.errorCode } : {}),
      });
    }
  };

  const app = new Hono();
  app.post('/2010-04-01/Accounts/:sid/Messages.json', async (c) => {
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    if (c.req.param('sid') !== accountSid || c.req.header('authorization') !== expected)
      return c.json(twilioError(20003, 'Authenticate', 401), 401);
    const params = formParams(await c.req.text());
    const to = params['To'] ?? '';
    const body = params['Body'] ?? '';
    if (!/^\+[1-9][0-9]{6,14}$/.test(to))
      return c.json(twilioError(21211, `The 'To' number ${to} is not a valid phone number.`, 400), 400);
    if (!body) return c.json(twilioError(21602, 'Message body is required.', 400), 400);
    const fault = faults.get(to);
    if (optedOut.has(to) || fault === 'opted_out')
      return c.json(twilioError(21610, 'Attempt to send to unsubscribed recipient', 400), 400);
    const now = new Date();
    const message: SandboxSms = {
      sid: sid('SM'),
      to,
      from: params['MessagingServiceSid'] ? from : (params['From'] ?? from),
      body,
      statusCallback: params['StatusCallback'],
      status: 'queued',
      createdAt: now.toISOString(),
    };
    messages.push(message);
    // callbacks go out after the answer, as Twilio's do
    setTimeout(() => track(deliverCallbacks(message, fault)), 5);
    return c.json(
      {
        account_sid: accountSid,
        api_version: '2010-04-01',
        body,
        date_created: rfc2822(now),
        date_sent: null,
        date_updated: rfc2822(now),
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: message.from,
        messaging_service_sid: params['MessagingServiceSid'] ?? null,
        num_media: '0',
        num_segments: String(Math.max(1, Math.ceil(body.length / 153))),
        price: null,
        price_unit: 'USD',
        sid: message.sid,
        status: 'queued',
        subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}/Media.json` },
        to,
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}.json`,
      },
      201,
    );
  });

  const sendInbound = async (input: { readonly from: string; readonly body: string }): Promise<number> => {
    const word = input.body.trim().toUpperCase();
    if (STOP_WORDS.has(word)) optedOut.add(input.from);
    if (START_WORDS.has(word)) optedOut.delete(input.from);
    if (!inboundUrl) throw new Error('the Twilio sandbox has no inbound webhook URL yet');
    const messageSid = sid('SM');
    return post(inboundUrl, {
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      Body: input.body,
      From: input.from,
      MessageSid: messageSid,
      NumMedia: '0',
      NumSegments: '1',
      SmsMessageSid: messageSid,
      SmsSid: messageSid,
      SmsStatus: 'received',
      To: from,
    });
  };

  app.get('/__sandbox/messages', (c) => c.json({ messages }));
  app.post('/__sandbox/faults', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { to?: string; fault?: TwilioFault };
    if (!body.to || !['undelivered', 'failed', 'opted_out'].includes(body.fault ?? ''))
      return c.json({ error: 'give {to, fault: undelivered|failed|opted_out}' }, 400);
    faults.set(body.to, body.fault as TwilioFault);
    return c.json({ ok: true });
  });
  app.post('/__sandbox/inbound', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { from?: string; body?: string };
    if (!body.from || !body.body) return c.json({ error: 'give {from, body}' }, 400);
    return c.json({ webhookStatus: await sendInbound({ from: body.from, body: body.body }) });
  });

  const server: RunningSandbox = await startSandboxServer(app);
  return {
    url: server.url,
    accountSid,
    authToken,
    from,
    messages,
    setInboundUrl: (url) => {
      inboundUrl = url;
    },
    injectFault: (to, fault) => faults.set(to, fault),
    sendInbound,
    settled: async () => {
      // a message answered just now schedules its callbacks a few ms later
      await new Promise((resolve) => setTimeout(resolve, 20));
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close: () => server.close(),
  };
}
