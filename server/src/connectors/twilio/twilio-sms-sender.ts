import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { NotifierError, type SentMessage, type SmsInput, type SmsSender } from '../../ports/notifier.js';

export interface TwilioOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** An E.164 sender number or a messaging service sid (MG…). */
  readonly from: string;
  /** The sandbox's origin; unset → api.twilio.com. */
  readonly baseUrl?: string | undefined;
  readonly timeoutMs?: number | undefined;
}

/** The slice of the official SDK we call. */
interface TwilioMessagesSlice {
  create(params: {
    to: string;
    body: string;
    from?: string;
    messagingServiceSid?: string;
    statusCallback?: string;
  }): Promise<{ sid: string }>;
}

/**
 * Sends every request of the official SDK to the sandbox's origin instead of *.twilio.com, keeping
 * path, query, auth and body exactly as the SDK built them.
 */
class SandboxRequestClient extends twilio.RequestClient {
  constructor(
    private readonly origin: string,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const original = new URL(opts.uri);
    const target = new URL(original.pathname + original.search, this.origin);
    return super.request<TData>({ ...opts, uri: target.toString() });
  }
}

/** SMS through the official `twilio` SDK (`client.messages.create`). */
export function createTwilioSmsSender(options: TwilioOptions): SmsSender {
  if (!/^AC[0-9a-fA-F]{32}$/.test(options.accountSid)) throw new Error('Twilio account sid must be AC + 32 hex digits');
  if (!options.authToken) throw new Error('Twilio auth token is required');
  if (!/^(\+[1-9][0-9]{6,14}|MG[0-9a-fA-F]{32})$/.test(options.from))
    throw new Error('Twilio sender must be an E.164 number or a messaging service sid');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const client = twilio(options.accountSid, options.authToken, {
    timeout: timeoutMs,
    ...(options.baseUrl ? { httpClient: new SandboxRequestClient(options.baseUrl, timeoutMs) } : {}),
  });
  const messages = client.messages as unknown as TwilioMessagesSlice;
  const sender = options.from.startsWith('MG') ? { messagingServiceSid: options.from } : { from: options.from };
  return {
    async sendSms(input: SmsInput): Promise<SentMessage> {
      try {
        const message = await messages.create({
          to: input.to,
          body: input.body,
          ...sender,
          ...(input.statusCallbackUrl ? { statusCallback: input.statusCallbackUrl } : {}),
        });
        return { messageId: message.sid };
      } catch (error) {
        throw toNotifierError(error);
      }
    },
  };
}

/** Twilio's answer as our error kinds: a 4xx was refused (nothing sent); anything else may have been sent. */
function toNotifierError(error: unknown): NotifierError {
  const status = (error as { status?: number }).status;
  const code = (error as { code?: number | string }).code;
  const vendorCode = code === undefined ? undefined : String(code);
  const message = error instanceof Error ? error.message : 'Twilio request failed';
  if (vendorCode === '21610') return new NotifierError('opted_out', 'the recipient has opted out', vendorCode);
  if (vendorCode === '21211' || vendorCode === '21614')
    return new NotifierError('invalid_recipient', 'not a valid mobile number', vendorCode);
  if (status === 429) return new NotifierError('unavailable', 'Twilio asked us to slow down', vendorCode);
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new NotifierError('rejected', message, vendorCode);
  // connection refused before anything was written: nothing was sent
  if (vendorCode === 'ECONNREFUSED' || vendorCode === 'ENOTFOUND')
    return new NotifierError('unavailable', 'Twilio could not be reached', vendorCode);
  return new NotifierError('unknown_outcome', message, vendorCode);
}
