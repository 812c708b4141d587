/**
 * Helpdesk: what the desk asks of a ticket system (Zendesk today), one method per capability.
 * Adapters keep the vendor's wire shapes to themselves and throw HelpdeskError.
 */

export interface HelpdeskTicket {
  readonly id: string;
  readonly subject: string;
  readonly tags: readonly string[];
  readonly requesterId: string | null;
  /** Custom field id → value (strings as the desk stores them; null when empty). */
  readonly customFields: Readonly<Record<string, string | null>>;
  readonly updatedAt: string;
}

export interface HelpdeskUser {
  readonly id: string;
  readonly name: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  /** The desk's own role word (`end-user`, `agent`, `admin`). */
  readonly role: string;
  /** The id another system gave this user (Zendesk `external_id`). */
  readonly externalId: string | null;
}

export interface HelpdeskComment {
  readonly id: string;
  readonly body: string;
  readonly isPublic: boolean;
  readonly createdAt: string;
}

/** Tags one change of a ticket added and removed, and whether a trigger or automation made it (no person). */
export interface HelpdeskTagChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly byRule: boolean;
  /** The trigger's or automation's title when `byRule`. */
  readonly ruleTitle: string | null;
}

/** One update of a ticket as the desk recorded it (Zendesk Ticket Audits): who made it, how, which tags moved. */
export interface HelpdeskAudit {
  readonly id: string;
  /** The user who made the update; null for the desk itself (Zendesk's system author -1). */
  readonly authorId: string | null;
  readonly createdAt: string;
  /** How the update was made (`web`, `api`, `email`, `rule`, …). */
  readonly channel: string;
  readonly tagChanges: readonly HelpdeskTagChange[];
}

export interface TicketUpdate {
  readonly ticketId: string;
  /** An internal note (never shown to the requester). */
  readonly internalNote?: string | undefined;
  readonly addTags?: readonly string[] | undefined;
  readonly removeTags?: readonly string[] | undefined;
}

export type HelpdeskErrorCode = 'not_found' | 'unauthorized' | 'rate_limited' | 'unavailable' | 'rejected';

/** A desk call failed; `rate_limited` carries how long the desk asked us to wait. */
export class HelpdeskError extends Error {
  constructor(
    readonly code: HelpdeskErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'HelpdeskError';
  }

  /** Worth trying again later (rate limit, 5xx, network, lost response). */
  get isRetryable(): boolean {
    return this.code === 'rate_limited' || this.code === 'unavailable';
  }
}

export interface Helpdesk {
  /** Reads one ticket (tags, requester, custom fields). */
  getTicket(input: { readonly ticketId: string }): Promise<HelpdeskTicket>;
  /** Reads one user (agent or requester). */
  getUser(input: { readonly userId: string }): Promise<HelpdeskUser>;
  /** Adds an internal note and/or adds and removes tags in one update. */
  updateTicket(input: TicketUpdate): Promise<HelpdeskTicket>;
  /** The ticket's comments, oldest first. */
  listComments(input: { readonly ticketId: string }): Promise<readonly HelpdeskComment[]>;
  /** The desk's custom ticket fields (id and title). */
  listTicketFields(): Promise<ReadonlyArray<{ readonly id: string; readonly title: string }>>;
  /** The ticket's audits (every update, with author and tag changes), oldest first. */
  listTicketAudits(input: { readonly ticketId: string }): Promise<readonly HelpdeskAudit[]>;
  /** The user our API credentials belong to (its changes are ours, never a person's intent). */
  getCurrentUser(): Promise<HelpdeskUser>;
  /** The public key (PEM) the desk signs our app's signed-URL tokens with. */
  getAppPublicKey(input: { readonly appId: string }): Promise<string>;
}
