/**
 * The Refund Desk Slack bot: approval card buttons, the deny modal, App Home and `/refund`.
 * The server mounts `handle` at `POST /slack/events` (events, interactivity and the slash command
 * share the one URL) and gives it a DeskPort; the bot only talks Slack.
 */
import { App, type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { CardFacts, DeskAnswer, DeskPort, SlackActor } from './desk-port.js';
import { FetchReceiver } from './fetch-receiver.js';
import {
  APPROVE_ACTION,
  cardFor,
  DENY_ACTION,
  DENY_MODAL,
  denyModal,
  homeView,
  queueMessage,
  REASON_BLOCK,
  REASON_INPUT,
} from './slack-blocks.js';

export interface SlackBotOptions {
  readonly port: DeskPort;
  /** Signing secrets (two during rotation). */
  readonly signingSecrets: ReadonlyArray<string>;
  /** Web API base URL (`https://slack.com/api/` unless a sandbox stands in). */
  readonly slackApiUrl?: string | undefined;
  readonly nowSeconds?: () => number;
  readonly logger?: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
}

export interface SlackBot {
  /** Handles one request Slack sent to the events / interactivity / command URL. */
  handle(request: Request): Promise<Response>;
}

function isAnswer(value: unknown): value is DeskAnswer {
  return typeof value === 'object' && value !== null && 'ok' in value && 'message' in value;
}

/** Tells one user something only they see: ephemeral in a channel, or a DM from App Home. */
async function tell(client: WebClient, user: string, channel: string | undefined, message: string): Promise<void> {
  if (channel) await client.chat.postEphemeral({ channel, user, text: message });
  else {
    const opened = await client.conversations.open({ users: user });
    const dm = opened.channel?.id;
    if (dm) await client.chat.postMessage({ channel: dm, text: message });
  }
}

function quietLogger(sink: SlackBotOptions['logger']): BoltLogger {
  return {
    debug: () => {},
    info: () => {},
    warn: (...msgs: unknown[]) => sink?.warn({ slack: msgs.map(String) }, 'slack bot warning'),
    error: (...msgs: unknown[]) => sink?.error({ slack: msgs.map(String) }, 'slack bot error'),
    setLevel: () => {},
    getLevel: () => LogLevel.WARN,
    setName: () => {},
  };
}

export function createSlackBot(options: SlackBotOptions): SlackBot {
  const { port } = options;
  const onError = (error: unknown) => options.logger?.error({ err: error }, 'slack request handling failed');
  const receiver = new FetchReceiver({
    signingSecrets: options.signingSecrets,
    nowSeconds: options.nowSeconds,
    isKnownTeam: async (teamId) => (await port.botTokenFor(teamId)) !== undefined,
    onUnknownTeam: async ({ teamId, userId, body }) => {
      await port.refuseUnknownTeam({ teamId, userId, what: String(body['type'] ?? body['command'] ?? 'request') });
      // We hold no token for that workspace: the response_url is the only way to tell the user.
      const responseUrl = body['response_url'];
      if (typeof responseUrl === 'string') {
        await fetch(responseUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            response_type: 'ephemeral',
            replace_original: false,
            text: 'This Slack workspace is not connected to Refund Desk.',
          }),
        });
      }
    },
    onError,
  });
  const app = new App({
    receiver,
    logger: quietLogger(options.logger),
    authorize: async (source) => {
      const botToken = source.teamId ? await port.botTokenFor(source.teamId) : undefined;
      if (!botToken) throw new Error('workspace not connected');
      return { botToken, teamId: source.teamId };
    },
    clientOptions: options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {},
  });
  app.error(async (error) => onError(error));

  const actorOf = (body: { team?: { id: string } | null; user: { id: string; team_id?: string } }): SlackActor => ({
    teamId: body.team?.id ?? body.user.team_id ?? '',
    userId: body.user.id,
  });

  app.action(APPROVE_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    const answer = await port.approve(actorOf(body), action.value ?? '');
    // the card itself is replaced for everyone by the desk (case events); the clicker hears only about a refusal
    if (!answer.ok) await tell(client, body.user.id, body.channel?.id, answer.message);
  });

  app.action(DENY_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    const caseId = action.value ?? '';
    const reference = (body.message?.['text'] as string | undefined)?.match(/RD-[A-Z0-9]+/)?.[0] ?? 'this refund';
    // trigger_id lives 3 s: open the modal first, check permissions when it is submitted
    await client.views.open({
      trigger_id: body.trigger_id,
      view: denyModal({ caseId, reference, channel: body.channel?.id }) as never,
    });
  });

  app.view(DENY_MODAL, async ({ ack, body, view, client }) => {
    const reason = view.state.values[REASON_BLOCK]?.[REASON_INPUT]?.value?.trim() ?? '';
    if (reason.length < 3) {
      await ack({ response_action: 'errors', errors: { [REASON_BLOCK]: 'Please say why (at least 3 characters).' } });
      return;
    }
    await ack();
    const meta = JSON.parse(view.private_metadata || '{}') as { caseId?: string; channel?: string | null };
    const answer = await port.deny(actorOf(body), meta.caseId ?? '', reason);
    if (!answer.ok) await tell(client, body.user.id, meta.channel ?? undefined, answer.message);
  });

  app.command('/refund', async ({ ack, command, client }) => {
    await ack();
    const actor = { teamId: command.team_id, userId: command.user_id };
    const text = command.text.trim();
    if (text === '' || text === 'queue') {
      const pending = await port.listPending(actor);
      if (isAnswer(pending)) return tell(client, command.user_id, command.channel_id, pending.message);
      const message = queueMessage(pending);
      await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, ...message });
      return;
    }
    const found = await port.getCase(actor, text.split(/\s+/)[0] ?? '');
    if (isAnswer(found)) return tell(client, command.user_id, command.channel_id, found.message);
    const card = cardFor(found as CardFacts);
    await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, ...card });
  });

  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    const actor = { teamId: (body as { team_id: string }).team_id, userId: event.user };
    const pending = await port.listPending(actor);
    const view = isAnswer(pending) ? homeView([], pending.message) : homeView(pending);
    await client.views.publish({ user_id: event.user, view: view as never });
  });

  return { handle: (request) => receiver.handle(request) };
}
