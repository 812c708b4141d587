import sendgridClient from '@sendgrid/client';
import sendgridMail from '@sendgrid/mail';
import { type EmailInput, type EmailSender, NotifierError, type SentMessage } from '../../ports/notifier.js';

export interface SendgridOptions {
  readonly apiKey: string;
  /** A verified sender address. */
  readonly from: string;
  /** The sandbox's origin; unset → api.sendgrid.com. */
  readonly baseUrl?: string | undefined;
  readonly timeoutMs?: number | undefined;
}

/** The slice of `@sendgrid/mail` we call. */
interface MailSlice {
  send(data: {
    to: string;
    from: string;
    subject: string;
    text: string;
    html: string;
    customArgs: Record<string, string>;
  }): Promise<[{ statusCode: number; headers: Record<string, unknown> }, unknown]>;
}

/** Email through the official `@sendgrid/mail`, on a `@sendgrid/client` of its own (base URL, timeout). */
export function createSendgridEmailSender(options: SendgridOptions): EmailSender {
  if (!options.apiKey) throw new Error('SendGrid API key is required');
  if (!/^[^@\s]+@[^@\s]+$/.test(options.from)) throw new Error('SendGrid sender must be an email address');
  // both packages export a ready-made singleton; each sender needs its own client (key, base URL)
  const { Client } = sendgridClient as unknown as { Client: new () => typeof sendgridClient };
  const { MailService } = sendgridMail as unknown as { MailService: new () => typeof sendgridMail };
  const client = new Client();
  client.setApiKey(options.apiKey);
  if (options.baseUrl) client.setDefaultRequest('baseUrl', options.baseUrl);
  const mail = new MailService();
  mail.setClient(client);
  mail.setTimeout(options.timeoutMs ?? 15_000);
  const sender = mail as unknown as MailSlice;
  return {
    async sendEmail(input: EmailInput): Promise<SentMessage> {
      let response: { statusCode: number; headers: Record<string, unknown> };
      try {
        [response] = await sender.send({
          to: input.to,
          from: options.from,
          subject: input.subject,
          text: input.text,
          html: input.html,
          customArgs: { ...input.tags },
        });
      } catch (error) {
        throw toNotifierError(error);
      }
      const messageId = response.headers['x-message-id'];
      if (typeof messageId !== 'string' || !messageId)
        throw new NotifierError('unknown_outcome', 'SendGrid accepted the email without an X-Message-Id');
      return { messageId };
    },
  };
}

function toNotifierError(error: unknown): NotifierError {
  const status = (error as { code?: number | string }).code;
  const message = error instanceof Error ? error.message : 'SendGrid request failed';
  if (status === 429) return new NotifierError('unavailable', 'SendGrid asked us to slow down', '429');
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new NotifierError('rejected', message, String(status));
  if (status === 'ECONNREFUSED' || status === 'ENOTFOUND')
    return new NotifierError('unavailable', 'SendGrid could not be reached', status);
  return new NotifierError('unknown_outcome', message, status === undefined ? undefined : String(status));
}
