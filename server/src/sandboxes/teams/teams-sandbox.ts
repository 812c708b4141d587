/**
 * Sandbox Teams: a Workflows webhook on its own loopback origin. `POST /workflows/{id}` takes the
 * Workflows envelope (an Adaptive Card ≤ 1.4 attachment), answers 202 like Teams and records it;
 * `GET /__sandbox/cards` lists what arrived.
 */
import { Hono } from 'hono';
import { type RunningSandbox, startSandboxServer } from '../sandbox-server.js';

// biome-ignore lint/suspicious/noExplicitAny: cards are plain JSON
type Json = Record<string, any>;

export interface TeamsSandbox extends RunningSandbox {
  readonly cards: Array<{ readonly workflow: string; readonly card: Json }>;
  /** The webhook URL of one workflow (e.g. an organisation's). */
  webhookUrl(workflow: string): string;
}

function isCardAcceptable(body: Json): body is Json {
  const attachment = body?.['attachments']?.[0];
  const card = attachment?.['content'];
  return (
    body?.['type'] === 'message' &&
    attachment?.['contentType'] === 'application/vnd.microsoft.card.adaptive' &&
    card?.['type'] === 'AdaptiveCard' &&
    Number.parseFloat(String(card?.['version'])) <= 1.4
  );
}

export async function startTeamsSandbox(): Promise<TeamsSandbox> {
  const cards: TeamsSandbox['cards'] = [];
  const app = new Hono();
  app.post('/workflows/:id', async (c) => {
    let body: Json;
    try {
      body = (await c.req.json()) as Json;
    } catch {
      return c.json({ error: { code: 'InvalidRequestContent', message: 'not JSON' } }, 400);
    }
    if (!isCardAcceptable(body)) {
      return c.json(
        { error: { code: 'InvalidRequestContent', message: 'expected an Adaptive Card ≤ 1.4 attachment' } },
        400,
      );
    }
    cards.push({ workflow: c.req.param('id'), card: body['attachments'][0]['content'] });
    return c.body(null, 202);
  });
  app.get('/__sandbox/cards', (c) => c.json(cards));
  const running = await startSandboxServer(app);
  return { ...running, cards, webhookUrl: (workflow) => `${running.url}/workflows/${workflow}` };
}
