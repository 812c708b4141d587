import {
  type Helpdesk,
  type HelpdeskComment,
  HelpdeskError,
  type HelpdeskTicket,
  type HelpdeskUser,
  type TicketUpdate,
} from '../../ports/helpdesk.js';
import { toHelpdeskAudit, type ZendeskAuditWire } from './zendesk-audits.js';

export interface ZendeskHelpdeskConfig {
  /** `https://{subdomain}.zendesk.com`, or a sandbox origin. */
  readonly baseUrl: string;
  /** The agent the API token belongs to. */
  readonly email: string;
  readonly apiToken: string;
  readonly timeoutMs?: number;
}

/** The slice of Zendesk's wire objects we read. */
interface ZendeskTicketWire {
  readonly id: number;
  readonly subject: string | null;
  readonly tags: string[];
  readonly requester_id: number | null;
  readonly custom_fields?: Array<{ id: number; value: unknown }>;
  readonly updated_at: string;
}

interface ZendeskUserWire {
  readonly id: number;
  readonly name: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly role: string;
  readonly external_id: string | null;
}

interface ZendeskCommentWire {
  readonly id: number;
  readonly body: string;
  readonly public: boolean;
  readonly created_at: string;
}

const MAX_COMMENT_PAGES = 20;
/** 100 audits a page: a ticket with more than 5,000 updates is read up to there. */
const MAX_AUDIT_PAGES = 50;

function toTicket(wire: ZendeskTicketWire): HelpdeskTicket {
  const customFields: Record<string, string | null> = {};
  for (const field of wire.custom_fields ?? []) {
    customFields[String(field.id)] =
      field.value === null || field.value === undefined || field.value === '' ? null : String(field.value);
  }
  return {
    id: String(wire.id),
    subject: wire.subject ?? '',
    tags: wire.tags ?? [],
    requesterId: wire.requester_id === null ? null : String(wire.requester_id),
    customFields,
    updatedAt: wire.updated_at,
  };
}

function toUser(wire: ZendeskUserWire): HelpdeskUser {
  return {
    id: String(wire.id),
    name: wire.name,
    email: wire.email,
    phone: wire.phone,
    role: wire.role,
    externalId: wire.external_id,
  };
}

/** Zendesk ids are positive integers; anything else never leaves this process (no path injection). */
function assertId(id: string, what: string): string {
  if (!/^[1-9][0-9]{0,18}$/.test(id))
    throw new HelpdeskError('not_found', `${what} ${JSON.stringify(id)} is not a Zendesk id`);
  return id;
}

/** The Helpdesk port over Zendesk's REST API v2 (basic auth `{email}/token:{token}`), with `fetch`. */
export function createZendeskHelpdesk(config: ZendeskHelpdeskConfig): Helpdesk {
  if (!/^https?:\/\/[^/]+$/.test(config.baseUrl)) throw new Error('createZendeskHelpdesk: baseUrl must be an origin');
  if (!config.email || !config.apiToken) throw new Error('createZendeskHelpdesk: email and apiToken are required');
  const authorization = `Basic ${Buffer.from(`${config.email}/token:${config.apiToken}`).toString('base64')}`;
  const timeoutMs = config.timeoutMs ?? 10_000;

  async function call<T>(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<T> {
    return JSON.parse(await callText(method, path, body)) as T;
  }

  async function callText(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<string> {
    let response: Response;
    try {
      response = await fetch(`${config.baseUrl}${path}`, {
        method,
        headers: {
          authorization,
          accept: path.endsWith('.pem') ? 'application/x-pem-file, text/plain' : 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // timeouts, resets, a response lost after the desk applied the update: the caller retries
      throw new HelpdeskError('unavailable', `Zendesk ${method} ${path}: ${(error as Error).message}`);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return text;
    const what = `Zendesk ${method} ${path} answered ${response.status}`;
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new HelpdeskError('rate_limited', what, Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : 1);
    }
    if (response.status === 404) throw new HelpdeskError('not_found', what);
    if (response.status === 401 || response.status === 403) throw new HelpdeskError('unauthorized', what);
    if (response.status >= 500) throw new HelpdeskError('unavailable', what);
    throw new HelpdeskError('rejected', `${what}: ${text.slice(0, 200)}`);
  }

  /** An absolute link of the desk's own (next_page, links.next) as a path on our base URL. */
  const pathOf = (link: string) => new URL(link).pathname + new URL(link).search;

  return {
    async getTicket({ ticketId }) {
      const { ticket } = await call<{ ticket: ZendeskTicketWire }>(
        'GET',
        `/api/v2/tickets/${assertId(ticketId, 'ticket')}.json`,
      );
      return toTicket(ticket);
    },
    async getUser({ userId }) {
      const { user } = await call<{ user: ZendeskUserWire }>('GET', `/api/v2/users/${assertId(userId, 'user')}.json`);
      return toUser(user);
    },
    async updateTicket(input: TicketUpdate) {
      const ticket: Record<string, unknown> = {};
      if (input.internalNote) ticket['comment'] = { body: input.internalNote, public: false };
      if (input.addTags?.length) ticket['additional_tags'] = [...input.addTags];
      if (input.removeTags?.length) ticket['remove_tags'] = [...input.removeTags];
      const result = await call<{ ticket: ZendeskTicketWire }>(
        'PUT',
        `/api/v2/tickets/${assertId(input.ticketId, 'ticket')}.json`,
        { ticket },
      );
      return toTicket(result.ticket);
    },
    async listComments({ ticketId }) {
      const comments: HelpdeskComment[] = [];
      let path: string | null = `/api/v2/tickets/${assertId(ticketId, 'ticket')}/comments.json`;
      for (let page = 0; path && page < MAX_COMMENT_PAGES; page++) {
        const result: { comments: ZendeskCommentWire[]; next_page: string | null } = await call('GET', path);
        for (const c of result.comments) {
          comments.push({ id: String(c.id), body: c.body, isPublic: c.public, createdAt: c.created_at });
        }
        // next_page is an absolute URL on the desk's own origin
        path = result.next_page ? pathOf(result.next_page) : null;
      }
      return comments;
    },
    async listTicketAudits({ ticketId }) {
      // List Audits for a Ticket, cursor pagination (page[size] ≤ 100, follow links.next while meta.has_more)
      const audits = [];
      let path: string | null = `/api/v2/tickets/${assertId(ticketId, 'ticket')}/audits.json?page%5Bsize%5D=100`;
      for (let page = 0; path && page < MAX_AUDIT_PAGES; page++) {
        const result: {
          audits: ZendeskAuditWire[];
          meta?: { has_more?: boolean };
          links?: { next?: string | null };
        } = await call('GET', path);
        audits.push(...result.audits.map(toHelpdeskAudit));
        path = result.meta?.has_more && result.links?.next ? pathOf(result.links.next) : null;
      }
      return audits;
    },
    async getAppPublicKey({ appId }) {
      // Apps API "Get App Public Key": the key Zendesk signs this app's signed-URL tokens with
      return callText('GET', `/api/v2/apps/${assertId(appId, 'app')}/public_key.pem`);
    },
    async getCurrentUser() {
      const { user } = await call<{ user: ZendeskUserWire }>('GET', '/api/v2/users/me.json');
      return toUser(user);
    },
    async listTicketFields() {
      const result = await call<{ ticket_fields: Array<{ id: number; title: string; active?: boolean }> }>(
        'GET',
        '/api/v2/ticket_fields.json',
      );
      return result.ticket_fields.filter((f) => f.active !== false).map((f) => ({ id: String(f.id), title: f.title }));
    },
  };
}
