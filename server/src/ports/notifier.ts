/**
 * What the notifications area asks of messaging vendors: one SMS, one email. Adapters (Twilio,
 * SendGrid) keep their SDK types to themselves and throw NotifierError.
 */

export interface SmsInput {
  /** E.164 number. */
  readonly to: string;
  readonly body: string;
  /** Where the vendor posts delivery updates for this message. */
  readonly statusCallbackUrl?: string | undefined;
}

export interface EmailInput {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Opaque ids echoed back in delivery events (never personal data). */
  readonly tags: Readonly<Record<string, string>>;
}

export interface SentMessage {
  /** The vendor's id of the message (Twilio MessageSid, SendGrid X-Message-Id). */
  readonly messageId: string;
}

/**
 * Why a send failed:
 * - `opted_out`: the recipient opted out at the vendor (Twilio 21610) — nothing was sent;
 * - `invalid_recipient`: not a deliverable address or number (Twilio 21211) — nothing was sent;
 * - `rejected`: the vendor refused the request (auth, content…) — nothing was sent;
 * - `unavailable`: the vendor could not be reached or asked us to slow down — nothing was sent, retry;
 * - `unknown_outcome`: the request may have been sent (timeout, 5xx, lost response).
 */
export type NotifierErrorKind = 'opted_out' | 'invalid_recipient' | 'rejected' | 'unavailable' | 'unknown_outcome';

export class NotifierError extends Error {
  constructor(
    readonly kind: NotifierErrorKind,
    message: string,
    /** The vendor's own error code (e.g. `21610`), when it gave one. */
    readonly vendorCode?: string | undefined,
  ) {
    super(message);
    this.name = 'NotifierError';
  }
}

/** Sends text messages. */
export interface SmsSender {
  /** Sends one SMS; throws NotifierError. */
  sendSms(input: SmsInput): Promise<SentMessage>;
}

/** Sends email. */
export interface EmailSender {
  /** Sends one email; throws NotifierError. */
  sendEmail(input: EmailInput): Promise<SentMessage>;
}

/** An organisation's messaging channels and the secrets that verify their webhooks. */
export interface NotifierChannels {
  readonly sms?: SmsSender | undefined;
  readonly email?: EmailSender | undefined;
  /** Twilio auth token: verifies X-Twilio-Signature on status callbacks and inbound SMS. */
  readonly twilioAuthToken?: string | undefined;
  /** SendGrid event webhook verification key (base64 DER, P-256). */
  readonly sendgridPublicKey?: string | undefined;
}
