/**
 * A Bolt `Receiver` for fetch-style servers (Hono): one `Request` in, one `Response` out.
 *
 * It verifies the signature over the raw body before parsing, answers the Events API
 * `url_verification` handshake, treats a Slack retry (`X-Slack-Retry-Num`) as already handled, and
 * answers as soon as the listener acks (or after 2.5 s at the latest, inside Slack's 3 s) while
 * the listener's slow work carries on after the response.
 */
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { SlackSignatureError, verifySlackSignature } from './slack-signature.js';

export interface FetchReceiverOptions {
  /** Signing secrets; two during rotation. */
  readonly signingSecrets: ReadonlyArray<string>;
  /** Seconds since the epoch (tests move it). */
  readonly nowSeconds?: () => number;
  /** Called for a workspace the desk does not serve: the request is acked and goes no further. */
  readonly isKnownTeam: (teamId: string) => Promise<boolean>;
  readonly onUnknownTeam: (input: {
    teamId: string;
    userId?: string | undefined;
    body: Record<string, unknown>;
  }) => Promise<void>;
  readonly onError: (error: unknown) => void;
  /** How long to wait for an ack before answering 200 anyway. */
  readonly ackTimeoutMs?: number;
}

type Body = Record<string, unknown>;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function refusal(status: number, code: string, message: string): Response {
  return json(status, { error: { code, message } });
}

/** Slack bodies: JSON (events), form with `payload=` JSON (interactivity), or a plain form (slash commands). */
function parseBody(rawBody: string, contentType: string): Body {
  if (contentType.includes('application/json')) return JSON.parse(rawBody) as Body;
  const form = new URLSearchParams(rawBody);
  const payload = form.get('payload');
  if (payload !== null) return JSON.parse(payload) as Body;
  return Object.fromEntries(form.entries());
}

function teamOf(body: Body): string | undefined {
  const team = body['team'] as { id?: string } | undefined;
  const user = body['user'] as { team_id?: string } | undefined;
  const id = team?.id ?? (body['team_id'] as string | undefined) ?? user?.team_id;
  return typeof id === 'string' ? id : undefined;
}

function userOf(body: Body): string | undefined {
  const user = body['user'] as { id?: string } | undefined;
  const event = body['event'] as { user?: string } | undefined;
  return user?.id ?? (body['user_id'] as string | undefined) ?? event?.user;
}

export class FetchReceiver implements Receiver {
  #app: App | undefined;

  constructor(private readonly options: FetchReceiverOptions) {
    if (options.signingSecrets.length === 0) throw new Error('FetchReceiver needs a signing secret');
  }

  init(app: App): void {
    this.#app = app;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Handles one request from Slack. */
  async handle(request: Request): Promise<Response> {
    const rawBody = await request.text();
    try {
      verifySlackSignature({
        secrets: this.options.signingSecrets,
        rawBody,
        timestamp: request.headers.get('x-slack-request-timestamp'),
        signature: request.headers.get('x-slack-signature'),
        nowSeconds: this.options.nowSeconds?.() ?? Math.floor(Date.now() / 1000),
      });
    } catch (error) {
      if (error instanceof SlackSignatureError) return refusal(401, error.code, error.message);
      throw error;
    }
    let body: Body;
    try {
      body = parseBody(rawBody, request.headers.get('content-type') ?? '');
    } catch {
      return refusal(400, 'invalid_request', 'the body is not a Slack payload');
    }
    if (body['type'] === 'url_verification') return json(200, { challenge: body['challenge'] });
    // Slack retries when our first answer was late or failed; the first delivery did (or does) the work.
    if (request.headers.get('x-slack-retry-num') !== null) return new Response(null, { status: 200 });
    const teamId = teamOf(body);
    if (!teamId || !(await this.options.isKnownTeam(teamId))) {
      const refused = this.options.onUnknownTeam({ teamId: teamId ?? '', userId: userOf(body), body });
      refused.catch((error) => this.options.onError(error));
      return new Response(null, { status: 200 });
    }
    return this.#dispatch(body);
  }

  async #dispatch(body: Body): Promise<Response> {
    const app = this.#app;
    if (!app) throw new Error('FetchReceiver used before Bolt initialised it');
    let answer: (response: Response) => void = () => {};
    const answered = new Promise<Response>((resolve) => {
      answer = resolve;
    });
    let acked = false;
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        if (acked) return;
        acked = true;
        if (response === undefined || response === '') answer(new Response(null, { status: 200 }));
        else if (typeof response === 'string') answer(new Response(response, { status: 200 }));
        else answer(json(200, response));
      },
    };
    const timer = setTimeout(() => answer(new Response(null, { status: 200 })), this.options.ackTimeoutMs ?? 2500);
    app
      .processEvent(event)
      .catch((error) => this.options.onError(error))
      .finally(() => answer(new Response(null, { status: 200 })));
    const response = await answered;
    clearTimeout(timer);
    return response;
  }
}
