/**
 * Payloads exactly as Slack sends them to a request URL (interactivity as form-encoded
 * `payload=<JSON>`, slash commands as a plain form, events as JSON), signed with the app's signing
 * secret. The sandbox uses them to click, submit and type; tests use them to forge bad ones.
 */
import { randomBytes } from 'node:crypto';
import { signSlackRequest } from '@refund-desk/slack-bot/src/slack-signature.js';

// biome-ignore lint/suspicious/noExplicitAny: Slack payloads are plain JSON
type Json = Record<string, any>;

export interface SlackUserRef {
  readonly id: string;
  readonly teamId: string;
  readonly name: string;
}

const APP_ID = 'A0SANDBOX01';
export const triggerId = () => `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(8).toString('hex')}`;

function userJson(user: SlackUserRef): Json {
  return { id: user.id, username: user.name, name: user.name, team_id: user.teamId };
}

/** A `block_actions` payload: a button clicked on a message (or in App Home when `message` is absent). */
export function blockActionsPayload(input: {
  readonly user: SlackUserRef;
  readonly action: {
    readonly action_id: string;
    readonly block_id?: string;
    readonly value?: string;
    readonly text?: unknown;
    readonly style?: string;
  };
  readonly message?:
    | { readonly channel: string; readonly ts: string; readonly text?: string; readonly blocks?: unknown[] }
    | undefined;
  readonly viewId?: string;
  readonly responseUrl: string;
  readonly triggerId?: string;
}): Json {
  const { user, message } = input;
  return {
    type: 'block_actions',
    user: userJson(user),
    api_app_id: APP_ID,
    token: 'legacy-verification-token',
    container: message
      ? { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false }
      : { type: 'view', view_id: input.viewId ?? 'VHOME' },
    trigger_id: input.triggerId ?? triggerId(),
    team: { id: user.teamId, domain: 'sandbox' },
    enterprise: null,
    is_enterprise_install: false,
    ...(message
      ? {
          channel: { id: message.channel, name: message.channel },
          message: { type: 'message', ts: message.ts, text: message.text ?? '', blocks: message.blocks ?? [] },
        }
      : { view: { id: input.viewId ?? 'VHOME', type: 'home' } }),
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [{ type: 'button', block_id: 'b', action_ts: `${Date.now() / 1000}`, ...input.action }],
  };
}

/** A `view_submission` payload for a modal, its inputs answered with `values` (block id → text). */
export function viewSubmissionPayload(input: {
  readonly user: SlackUserRef;
  readonly view: Json & { id: string };
  readonly values: Readonly<Record<string, string>>;
}): Json {
  const stateValues: Json = {};
  for (const block of (input.view['blocks'] ?? []) as Json[]) {
    if (block['type'] !== 'input') continue;
    const element = block['element'] as Json;
    stateValues[block['block_id']] = {
      [element['action_id']]: { type: element['type'], value: input.values[block['block_id']] ?? null },
    };
  }
  return {
    type: 'view_submission',
    team: { id: input.user.teamId, domain: 'sandbox' },
    user: userJson(input.user),
    api_app_id: APP_ID,
    token: 'legacy-verification-token',
    trigger_id: triggerId(),
    view: { ...input.view, team_id: input.user.teamId, state: { values: stateValues }, hash: 'h' },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** The form of a slash command. */
export function slashCommandForm(input: {
  readonly user: SlackUserRef;
  readonly channel: string;
  readonly text: string;
  readonly responseUrl: string;
}): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: input.user.teamId,
    team_domain: 'sandbox',
    channel_id: input.channel,
    channel_name: input.channel,
    user_id: input.user.id,
    user_name: input.user.name,
    command: '/refund',
    text: input.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: triggerId(),
  };
}

/** An Events API `event_callback` wrapping `app_home_opened`. */
export function appHomeOpenedEvent(user: SlackUserRef): Json {
  return {
    token: 'legacy-verification-token',
    team_id: user.teamId,
    api_app_id: APP_ID,
    event: {
      type: 'app_home_opened',
      user: user.id,
      channel: `D${user.id.slice(1)}`,
      tab: 'home',
      event_ts: `${Date.now() / 1000}`,
    },
    type: 'event_callback',
    event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: user.teamId, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
  };
}

export type SlackBody =
  | { readonly kind: 'interaction'; readonly payload: Json }
  | { readonly kind: 'command'; readonly form: Record<string, string> }
  | { readonly kind: 'event'; readonly event: Json };

/** The raw body and content type Slack would send. */
export function encodeSlackBody(body: SlackBody): { rawBody: string; contentType: string } {
  if (body.kind === 'event') return { rawBody: JSON.stringify(body.event), contentType: 'application/json' };
  const form = body.kind === 'interaction' ? { payload: JSON.stringify(body.payload) } : body.form;
  return { rawBody: new URLSearchParams(form).toString(), contentType: 'application/x-www-form-urlencoded' };
}

/** Posts a body to the request URL, signed like Slack (override the timestamp or signature to forge). */
export async function deliverToApp(
  url: string,
  secret: string,
  body: SlackBody,
  options: { readonly timestamp?: number; readonly signature?: string; readonly headers?: Record<string, string> } = {},
): Promise<Response> {
  const { rawBody, contentType } = encodeSlackBody(body);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? signSlackRequest(secret, timestamp, rawBody),
      ...options.headers,
    },
    body: rawBody,
  });
}
