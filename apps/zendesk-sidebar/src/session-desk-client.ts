import { DeskApiError, type DeskClient } from './desk-client';
import type { CaseSummary, RefundRequestInput, SidebarView } from './sidebar-types';
import { type ZafClient, zafHostHooks } from './zaf-desk-client';

/** The session our server embeds in the page after Zendesk signed the agent in (signed URLs). */
export interface ServerSession {
  readonly token: string;
  /** Same-origin path of the sidebar API for this organisation, e.g. `/zendesk/sidebar/v1/default`. */
  readonly apiBase: string;
  readonly expiresAt: string;
  readonly viewer: { readonly name: string | null; readonly readOnly: boolean };
}

/** The `<meta name="refund-desk-session">` our server put in the page, or undefined (an older install's page). */
export function readServerSession(doc: Document): ServerSession | undefined {
  const content = doc.querySelector('meta[name="refund-desk-session"]')?.getAttribute('content');
  if (!content) return undefined;
  try {
    const session = JSON.parse(content) as Partial<ServerSession>;
    if (typeof session.token !== 'string' || typeof session.apiBase !== 'string' || !session.apiBase.startsWith('/')) {
      return undefined;
    }
    return session as ServerSession;
  } catch {
    return undefined;
  }
}

/** The server's error body (`{"error":{"code","message","details"}}`) as a DeskApiError. */
async function failure(response: Response): Promise<DeskApiError> {
  let body: { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    body = undefined;
  }
  const error = body?.error;
  if (error && typeof error.code === 'string') {
    return new DeskApiError(response.status, error.code, String(error.message ?? error.code), error.details);
  }
  return new DeskApiError(response.status, 'http_error', `Refund Desk answered HTTP ${response.status}.`);
}

/**
 * `DeskClient` for a page our server served (signed URLs): same-origin calls carrying the
 * session as a Bearer token; the ZAF client still sizes the frame and reports ticket changes.
 */
export function createSessionDeskClient(
  client: ZafClient,
  session: ServerSession,
  ticketId: string,
  fetchImpl: typeof fetch = (input, init) => fetch(input, init),
): DeskClient {
  const base = `${session.apiBase}/tickets/${encodeURIComponent(ticketId)}`;
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${session.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    let response: Response;
    try {
      response = await fetchImpl(`${base}${path}`, {
        method,
        headers,
        credentials: 'omit',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new DeskApiError(0, 'network_error', 'Refund Desk could not be reached.');
    }
    if (!response.ok) throw await failure(response);
    return (await response.json()) as T;
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
