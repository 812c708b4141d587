/**
 * Sandbox Slack on its own loopback origin: the Web API methods the bot uses at
 * `POST /api/{method}` (form or JSON bodies, Bearer token, `{ok:false,error}` answers like Slack),
 * recording what was posted, plus `/__sandbox/*` controls that click a button, submit a modal,
 * run `/refund` or open App Home — each delivered to the app signed exactly like Slack.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { type RunningSandbox, startSandboxServer } from '../sandbox-server.js';
import {
  appHomeOpenedEvent,
  blockActionsPayload,
  deliverToApp,
  type SlackBody,
  type SlackUserRef,
  slashCommandForm,
  viewSubmissionPayload,
} from './slack-payloads-wire.js';
import { sandboxPage } from './slack-sandbox-page.js';

// biome-ignore lint/suspicious/noExplicitAny: Slack payloads are plain JSON
type Json = Record<string, any>;

export interface SandboxSlackUser extends SlackUserRef {
  readonly email: string | undefined;
}

export interface SandboxMessage {
  readonly channel: string;
  ts: string;
  readonly thread_ts?: string | undefined;
  text: string;
  blocks: Json[];
  edits: number;
}

export interface SlackSandboxState {
  readonly users: SandboxSlackUser[];
  readonly messages: SandboxMessage[];
  readonly ephemerals: Array<{ channel: string; user: string; text: string; blocks: Json[] }>;
  readonly views: Array<Json & { id: string; user: string }>;
  readonly homes: Map<string, Json>;
  readonly responses: Json[];
  readonly calls: Array<{ method: string; ok: boolean }>;
}

export interface SlackSandbox extends RunningSandbox {
  readonly state: SlackSandboxState;
  readonly teamId: string;
  /** Where the app listens (`…/slack/events`); set once the server listens. */
  setTarget(url: string): void;
  addUser(user: SandboxSlackUser): void;
  /** Signs and delivers a body to the app like Slack; resolves with the app's answer. */
  deliver(body: SlackBody, options?: Parameters<typeof deliverToApp>[3]): Promise<Response>;
}

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata']);

async function readArgs(request: Request): Promise<Json> {
  const type = request.headers.get('content-type') ?? '';
  const raw = await request.text();
  if (type.includes('application/json')) return raw ? (JSON.parse(raw) as Json) : {};
  const args: Json = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = JSON_FIELDS.has(key) ? JSON.parse(value) : value;
  }
  return args;
}

export async function startSlackSandbox(options: {
  readonly botToken: string;
  readonly signingSecret: string;
  readonly teamId: string;
  readonly users?: ReadonlyArray<SandboxSlackUser>;
}): Promise<SlackSandbox> {
  const state: SlackSandboxState = {
    users: [...(options.users ?? [])],
    messages: [],
    ephemerals: [],
    views: [],
    homes: new Map(),
    responses: [],
    calls: [],
  };
  const channels = new Map<string, string>();
  const triggers = new Map<string, { user: string; until: number }>();
  let target: string | undefined;
  let tsCounter = Math.floor(Date.now() / 1000) * 1_000_000;
  let base = '';

  const channelId = (name: string) => {
    if (/^[CDG][A-Z0-9]{6,}$/.test(name)) return name;
    const key = name.replace(/^#/, '');
    const known = channels.get(key);
    if (known) return known;
    const id = `C${randomBytes(5).toString('hex').toUpperCase()}`;
    channels.set(key, id);
    return id;
  };
  const nextTs = () => {
    tsCounter += 1;
    return `${Math.floor(tsCounter / 1_000_000)}.${String(tsCounter % 1_000_000).padStart(6, '0')}`;
  };
  const userById = (id: string) => state.users.find((u) => u.id === id);

  const methods: Record<string, (args: Json) => Json> = {
    'auth.test': () => ({ ok: true, team_id: options.teamId, user_id: 'UBOT', bot_id: 'BBOT', url: `${base}/` }),
    'chat.postMessage': (args) => {
      if (!args['channel'] || (!args['text'] && !args['blocks'])) return { ok: false, error: 'invalid_arguments' };
      const message: SandboxMessage = {
        channel: channelId(args['channel']),
        ts: nextTs(),
        thread_ts: args['thread_ts'],
        text: args['text'] ?? '',
        blocks: args['blocks'] ?? [],
        edits: 0,
      };
      state.messages.push(message);
      return {
        ok: true,
        channel: message.channel,
        ts: message.ts,
        message: { text: message.text, blocks: message.blocks },
      };
    },
    'chat.update': (args) => {
      const message = state.messages.find((m) => m.channel === args['channel'] && m.ts === args['ts']);
      if (!message) return { ok: false, error: 'message_not_found' };
      message.text = args['text'] ?? message.text;
      message.blocks = args['blocks'] ?? message.blocks;
      message.edits += 1;
      return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
    },
    'chat.postEphemeral': (args) => {
      if (!args['channel'] || !args['user']) return { ok: false, error: 'invalid_arguments' };
      if (!userById(args['user'])) return { ok: false, error: 'user_not_in_channel' };
      state.ephemerals.push({
        channel: args['channel'],
        user: args['user'],
        text: args['text'] ?? '',
        blocks: args['blocks'] ?? [],
      });
      return { ok: true, message_ts: nextTs() };
    },
    'views.open': (args) => {
      const trigger = triggers.get(args['trigger_id']);
      if (!trigger || trigger.until < Date.now()) return { ok: false, error: 'expired_trigger_id' };
      triggers.delete(args['trigger_id']);
      const view = {
        ...(args['view'] as Json),
        id: `V${randomBytes(5).toString('hex').toUpperCase()}`,
        user: trigger.user,
      };
      state.views.push(view);
      return { ok: true, view };
    },
    'views.publish': (args) => {
      if (!userById(args['user_id'])) return { ok: false, error: 'user_not_found' };
      state.homes.set(args['user_id'], args['view']);
      return { ok: true, view: { ...args['view'], id: `VHOME${args['user_id']}` } };
    },
    'users.info': (args) => {
      const user = userById(args['user']);
      if (!user) return { ok: false, error: 'user_not_found' };
      return {
        ok: true,
        user: {
          id: user.id,
          team_id: user.teamId,
          name: user.name,
          deleted: false,
          profile: { email: user.email, real_name: user.name },
        },
      };
    },
    'conversations.open': (args) => {
      const id = String(args['users'] ?? '').split(',')[0] ?? '';
      if (!userById(id)) return { ok: false, error: 'user_not_found' };
      return { ok: true, channel: { id: `D${id.slice(1)}` } };
    },
  };

  const app = new Hono();
  app.post('/api/:method', async (c) => {
    const method = c.req.param('method');
    const args = await readArgs(c.req.raw);
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? args['token'];
    const handler = methods[method];
    let answer: Json;
    if (!bearer) answer = { ok: false, error: 'not_authed' };
    else if (bearer !== options.botToken) answer = { ok: false, error: 'invalid_auth' };
    else answer = handler ? handler(args) : { ok: false, error: 'unknown_method' };
    state.calls.push({ method, ok: answer['ok'] === true });
    return c.json(answer);
  });

  const deliver = (body: SlackBody, deliverOptions?: Parameters<typeof deliverToApp>[3]) => {
    if (!target) throw new Error('the Slack sandbox has no app to deliver to yet');
    return deliverToApp(target, options.signingSecret, body, deliverOptions);
  };
  const respondUrl = () => `${base}/__sandbox/respond/${randomBytes(6).toString('hex')}`;
  const issueTrigger = (user: string) => {
    const id = `${Date.now()}.${randomBytes(8).toString('hex')}`;
    triggers.set(id, { user, until: Date.now() + 3000 });
    return id;
  };
  const actor = (id: string, teamId?: string): SlackUserRef => {
    const user = userById(id);
    return { id, name: user?.name ?? id, teamId: teamId ?? user?.teamId ?? options.teamId };
  };
  const answer = async (response: Response) => ({ status: response.status, body: await response.text() });

  app.post('/__sandbox/respond/:id', async (c) => {
    state.responses.push((await c.req.json()) as Json);
    return c.json({ ok: true });
  });
  app.get('/__sandbox/messages', (c) => c.json(state.messages));
  app.get('/__sandbox/ephemerals', (c) => c.json(state.ephemerals));
  app.get('/__sandbox/views', (c) => c.json({ modals: state.views, homes: Object.fromEntries(state.homes) }));
  app.get('/__sandbox/users', (c) => c.json(state.users));
  app.get('/__sandbox/responses', (c) => c.json(state.responses));
  /** `{user, channel, ts, actionId}` (a card) or `{user, actionId, value}` (App Home); `teamId` forges another workspace. */
  app.post('/__sandbox/click', async (c) => {
    const input = (await c.req.json()) as Json;
    const message = state.messages.find((m) => m.channel === input['channel'] && m.ts === input['ts']);
    const blocks = message?.blocks ?? state.homes.get(input['user'])?.['blocks'] ?? [];
    const button = (blocks as Json[])
      .flatMap((b) =>
        b['type'] === 'actions' ? (b['elements'] as Json[]).map((e): Json => ({ ...e, block_id: b['block_id'] })) : [],
      )
      .find(
        (e) => e['action_id'] === input['actionId'] && (input['value'] === undefined || e['value'] === input['value']),
      );
    if (!button) return c.json({ error: 'no such button' }, 404);
    const payload = blockActionsPayload({
      user: actor(input['user'], input['teamId']),
      action: {
        action_id: button['action_id'],
        block_id: button['block_id'],
        value: button['value'],
        text: button['text'],
        style: button['style'],
      },
      message: message
        ? { channel: message.channel, ts: message.ts, text: message.text, blocks: message.blocks }
        : undefined,
      responseUrl: respondUrl(),
      triggerId: issueTrigger(input['user']),
    });
    return c.json(await answer(await deliver({ kind: 'interaction', payload })));
  });
  /** `{user, viewId, values: {reason: '…'}}`: submits an open modal. */
  app.post('/__sandbox/submit', async (c) => {
    const input = (await c.req.json()) as Json;
    const view = state.views.find((v) => v.id === input['viewId']);
    if (!view) return c.json({ error: 'no such view' }, 404);
    const payload = viewSubmissionPayload({ user: actor(input['user']), view, values: input['values'] ?? {} });
    return c.json(await answer(await deliver({ kind: 'interaction', payload })));
  });
  /** `{user, text, channel?}`: runs `/refund text`. */
  app.post('/__sandbox/command', async (c) => {
    const input = (await c.req.json()) as Json;
    const form = slashCommandForm({
      user: actor(input['user']),
      channel: channelId(input['channel'] ?? 'refund-approvals'),
      text: input['text'] ?? '',
      responseUrl: respondUrl(),
    });
    return c.json(await answer(await deliver({ kind: 'command', form })));
  });
  /** `{user}`: opens App Home. */
  app.post('/__sandbox/home', async (c) => {
    const input = (await c.req.json()) as Json;
    return c.json(await answer(await deliver({ kind: 'event', event: appHomeOpenedEvent(actor(input['user'])) })));
  });
  app.get('/', (c) => c.html(sandboxPage(state)));

  const running = await startSandboxServer(app);
  base = running.url;
  return {
    ...running,
    state,
    teamId: options.teamId,
    setTarget: (url) => {
      target = url;
    },
    addUser: (user) => {
      state.users.push(user);
    },
    deliver,
  };
}
