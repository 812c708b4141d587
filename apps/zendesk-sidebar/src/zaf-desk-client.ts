import { DeskApiError, type DeskClient } from './desk-client';
import type { CaseSummary, RefundRequestInput, SidebarView } from './sidebar-types';

/** The slice of the ZAF SDK client (`ZAFClient.init()`) the sidebar uses; the SDK ships no types. */
export interface ZafClient {
  get(paths: string[]): Promise<Record<string, unknown>>;
  invoke(name: string, ...args: unknown[]): Promise<unknown>;
  metadata(): Promise<{ settings?: Record<string, unknown> }>;
  context(): Promise<{ account?: { subdomain?: string } }>;
  request(options: ZafRequestOptions): Promise<unknown>;
  on(name: string, handler: (data: unknown) => void): void;
  off(name: string, handler: (data: unknown) => void): void;
}

/** ZAF ticket sidebar events after which the view may be out of date. */
export const TICKET_CHANGE_EVENTS = ['ticket.updated', 'ticket.submit.done', 'ticket.tags.changed'] as const;

/** A ZAF secure request: Zendesk's proxy fills `{{setting.shared_secret}}` and `{{jwt.token}}`. */
export interface ZafRequestOptions {
  readonly url: string;
  readonly type: 'GET' | 'POST';
  readonly contentType: 'application/json';
  readonly data?: string;
  readonly secure: true;
  readonly cors: false;
  readonly headers: Record<string, string>;
  readonly jwt: {
    readonly algorithm: 'HS256';
    readonly secret_key: '{{setting.shared_secret}}';
    readonly expiry: number;
    readonly claims: Record<string, string>;
  };
}

const JWT_EXPIRY_SECONDS = 120;

/** Where the sidebar's calls go and on whose behalf, read once from the host. */
export interface DeskSession {
  readonly serverUrl: string;
  readonly orgSlug: string;
  readonly subdomain: string;
  readonly ticketId: string;
  readonly userId: string;
}

/** Reads the installation settings, account, ticket and agent from ZAF. */
export async function readDeskSession(client: ZafClient): Promise<DeskSession> {
  const [metadata, context, data] = await Promise.all([
    client.metadata(),
    client.context(),
    client.get(['ticket', 'currentUser']),
  ]);
  const settings = metadata.settings ?? {};
  const serverUrl = String(settings['server_url'] ?? '').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(serverUrl)) {
    throw new DeskApiError(0, 'not_configured', 'The app has no valid server URL: set "server_url" in its settings.');
  }
  const ticket = data['ticket'] as { id?: unknown } | undefined;
  const user = data['currentUser'] as { id?: unknown } | undefined;
  if (ticket?.id === undefined || user?.id === undefined) {
    throw new DeskApiError(0, 'no_ticket', 'Open a ticket to see its refunds.');
  }
  return {
    serverUrl,
    orgSlug: String(settings['org_slug'] || 'default'),
    subdomain: String(context.account?.subdomain ?? ''),
    ticketId: String(ticket.id),
    userId: String(user.id),
  };
}

/**
 * `DeskClient` over ZAF secure requests carrying an HS256 JWT: older installs, whose page Zendesk
 * serves from the app package. The server reads and takes requests from it, never decisions (the
 * browser sets `sub`); installs served from our server use the signed-in session instead.
 */
export function createZafDeskClient(client: ZafClient, session: DeskSession): DeskClient {
  const base = `${session.serverUrl}/zendesk/sidebar/v1/${encodeURIComponent(session.orgSlug)}/tickets/${encodeURIComponent(session.ticketId)}`;

  async function call<T>(type: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
    const headers: Record<string, string> = { Authorization: 'Bearer {{jwt.token}}' };
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    const options: ZafRequestOptions = {
      url: `${base}${path}`,
      type,
      contentType: 'application/json',
      ...(body === undefined ? {} : { data: JSON.stringify(body) }),
      secure: true,
      cors: false,
      headers,
      jwt: {
        algorithm: 'HS256',
        secret_key: '{{setting.shared_secret}}',
        expiry: JWT_EXPIRY_SECONDS,
        // Claims prove the installation only; the server re-reads ticket and agent itself.
        claims: {
          iss: 'refund-desk-sidebar',
          aud: `zendesk:${session.subdomain}`,
          sub: session.userId,
          ticket_id: session.ticketId,
          jti: randomId(),
        },
      },
    };
    let response: unknown;
    try {
      response = await client.request(options);
    } catch (failure) {
      throw toDeskApiError(failure);
    }
    return (typeof response === 'string' ? JSON.parse(response) : response) as T;
  }

  return {
    loadView: () => call<SidebarView>('GET', ''),
    requestRefund: async (input: RefundRequestInput, idempotencyKey: string) =>
      (await call<{ case: CaseSummary }>('POST', '/refunds', input, idempotencyKey)).case,
    approve: async (caseId) =>
      (await call<{ case: CaseSummary }>('POST', `/refunds/${encodeURIComponent(caseId)}/approve`, {})).case,
    cancel: async (caseId) =>
      (await call<{ case: CaseSummary }>('POST', `/refunds/${encodeURIComponent(caseId)}/cancel`, {})).case,
    ...zafHostHooks(client),
  };
}

/** What the host frame does for any DeskClient: size the iframe, tell when the ticket changed. */
export function zafHostHooks(client: ZafClient): Pick<DeskClient, 'resize' | 'onTicketChanged'> {
  return {
    onTicketChanged: (listener) => {
      const handler = () => listener();
      for (const name of TICKET_CHANGE_EVENTS) client.on(name, handler);
      return () => {
        for (const name of TICKET_CHANGE_EVENTS) client.off(name, handler);
      };
    },
    resize: (height) => {
      void client.invoke('resize', { width: '100%', height: `${Math.ceil(height)}px` }).catch(() => undefined);
    },
  };
}

/** ZAF rejects with `{status, responseText, responseJSON?}`; the server's body names code and message. */
export function toDeskApiError(failure: unknown): DeskApiError {
  if (failure instanceof DeskApiError) return failure;
  const shape = (failure ?? {}) as { status?: unknown; responseText?: unknown; responseJSON?: unknown };
  const status = typeof shape.status === 'number' ? shape.status : 0;
  let body = shape.responseJSON;
  if (body === undefined && typeof shape.responseText === 'string') {
    try {
      body = JSON.parse(shape.responseText);
    } catch {
      body = undefined;
    }
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string') {
    return new DeskApiError(status, error.code, String(error.message ?? error.code), error.details);
  }
  if (status === 0) return new DeskApiError(0, 'network_error', 'Refund Desk could not be reached.');
  return new DeskApiError(status, 'http_error', `Refund Desk answered HTTP ${status}.`);
}

/** A UUID; `crypto.randomUUID` needs a secure context, so fall back to random bytes. */
export function randomId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
