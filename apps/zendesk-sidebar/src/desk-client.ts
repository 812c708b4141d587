import type { CaseSummary, RefundRequestInput, SidebarView } from './sidebar-types';

/**
 * What the sidebar needs from its host: the server calls (made as ZAF secure requests in
 * Zendesk, see zaf-desk-client.ts) and the frame size. Components only see this, so tests
 * drive them with a fake.
 */
export interface DeskClient {
  /** The ticket's view: requester, customer, payments with eligibility, cases, what the viewer may do. */
  loadView(): Promise<SidebarView>;
  /** Opens a refund case; the same `idempotencyKey` for a retried submit yields the same case. */
  requestRefund(input: RefundRequestInput, idempotencyKey: string): Promise<CaseSummary>;
  approve(caseId: string): Promise<CaseSummary>;
  cancel(caseId: string): Promise<CaseSummary>;
  /** Asks the host to size the sidebar frame to the content. */
  resize(height: number): void;
  /**
   * Calls `listener` when the host reports the ticket changed (saved by this agent, updated by
   * someone else, tagged by a macro), so cases opened outside the sidebar show up. Returns the unsubscribe.
   */
  onTicketChanged(listener: () => void): () => void;
}

/** A failed server call, as the server described it (`{"error":{"code","message","details"}}`). */
export class DeskApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DeskApiError';
  }
}

/** The error's message and code for display, whatever was thrown. */
export function describeError(error: unknown): { message: string; code: string } {
  if (error instanceof DeskApiError) return { message: error.message, code: error.code };
  if (error instanceof Error) return { message: error.message, code: 'client_error' };
  return { message: String(error), code: 'client_error' };
}
