/** The state of the Zendesk sandbox: users, tickets, their comments and audits, installed triggers, in memory. */
import type { SandboxTrigger } from './zendesk-sandbox-triggers.js';

export interface SandboxUser {
  id: number;
  name: string;
  email: string;
  role: 'end-user' | 'agent' | 'admin';
  phone: string | null;
  external_id: string | null;
}

export interface SandboxComment {
  id: number;
  author_id: number;
  body: string;
  public: boolean;
  created_at: string;
}

export interface SandboxTicket {
  id: number;
  subject: string;
  description: string;
  status: 'new' | 'open' | 'pending' | 'solved';
  requester_id: number;
  tags: string[];
  custom_fields: Array<{ id: number; value: string | null }>;
  created_at: string;
  updated_at: string;
}

/**
 * How a change was made (Zendesk's Via object): `web` (agent UI), `api`, `rule` (trigger or
 * automation, named in `source.from` with `source.rel`).
 */
export interface SandboxVia {
  channel: 'web' | 'api' | 'email' | 'rule';
  source: { from: Record<string, unknown>; to: Record<string, unknown>; rel: string | null };
}

/** One event of an audit; an event carries its own `via` when it differs from the audit's (a trigger's change). */
export type SandboxAuditEvent =
  | {
      id: number;
      type: 'Change' | 'Create';
      field_name: string;
      value: unknown;
      previous_value?: unknown;
      via?: SandboxVia;
    }
  | { id: number; type: 'Comment'; author_id: number; body: string; public: boolean; attachments: [] }
  | { id: number; type: 'Notification'; subject: string; body: string; recipients: number[]; via: SandboxVia };

/** One update of a ticket as Zendesk records it (Ticket Audits API). */
export interface SandboxAudit {
  id: number;
  ticket_id: number;
  created_at: string;
  author_id: number;
  via: SandboxVia;
  metadata: { system: Record<string, unknown>; custom: Record<string, unknown> };
  events: SandboxAuditEvent[];
}

/** What one update changed (the trigger cycle reads it). */
export interface AppliedUpdate {
  readonly audit: SandboxAudit;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export const viaOf = (channel: SandboxVia['channel']): SandboxVia => ({
  channel,
  source: { from: {}, to: {}, rel: null },
});

/** Custom ticket fields the sandbox defines; the desk finds them by title (see zendesk-ticket-fields.ts). */
export const SANDBOX_TICKET_FIELDS = [
  { id: 360_000_000_101, title: 'Refund payment', type: 'text' },
  { id: 360_000_000_102, title: 'Refund amount', type: 'decimal' },
  { id: 360_000_000_103, title: 'Refund reason', type: 'text' },
] as const;

/** Zendesk normalises tags: lower case, spaces become underscores. */
export function normaliseTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/\s+/g, '_');
}

export class ZendeskSandboxStore {
  readonly users = new Map<number, SandboxUser>();
  readonly tickets = new Map<number, SandboxTicket>();
  readonly comments = new Map<number, SandboxComment[]>();
  /** Per ticket, oldest first. */
  readonly audits = new Map<number, SandboxAudit[]>();
  /** Active ticket triggers, in position order (installed from the app's requirements.json). */
  triggers: SandboxTrigger[] = [];
  #nextUser = 10_001;
  #nextTicket = 1;
  #nextComment = 900_001;
  #nextAudit = 5_000_001;
  #nextEvent = 7_100_001;

  nextEventId(): number {
    return this.#nextEvent++;
  }

  addUser(input: Omit<SandboxUser, 'id' | 'phone' | 'external_id'> & Partial<SandboxUser>): SandboxUser {
    const existing = this.userByEmail(input.email);
    if (existing) return existing;
    const user: SandboxUser = { phone: null, external_id: null, ...input, id: this.#nextUser++ };
    this.users.set(user.id, user);
    return user;
  }

  userByEmail(email: string): SandboxUser | undefined {
    const wanted = email.trim().toLowerCase();
    return [...this.users.values()].find((u) => u.email.toLowerCase() === wanted);
  }

  addTicket(input: {
    subject: string;
    body: string;
    requesterId: number;
    tags?: string[];
    customFields?: Record<string, string | null>;
    via?: SandboxVia;
  }): SandboxTicket {
    const now = new Date().toISOString();
    const ticket: SandboxTicket = {
      id: this.#nextTicket++,
      subject: input.subject,
      description: input.body,
      status: 'new',
      requester_id: input.requesterId,
      tags: [...new Set((input.tags ?? []).map(normaliseTag))],
      custom_fields: SANDBOX_TICKET_FIELDS.map((f) => ({
        id: f.id,
        value: input.customFields?.[String(f.id)] ?? null,
      })),
      created_at: now,
      updated_at: now,
    };
    this.tickets.set(ticket.id, ticket);
    const commentId = this.#nextComment++;
    this.comments.set(ticket.id, [
      { id: commentId, author_id: input.requesterId, body: input.body, public: true, created_at: now },
    ]);
    const events: SandboxAuditEvent[] = [
      { id: commentId, type: 'Comment', author_id: input.requesterId, body: input.body, public: true, attachments: [] },
      { id: this.nextEventId(), type: 'Create', field_name: 'subject', value: ticket.subject },
      { id: this.nextEventId(), type: 'Create', field_name: 'status', value: ticket.status },
    ];
    if (ticket.tags.length > 0)
      events.push({ id: this.nextEventId(), type: 'Create', field_name: 'tags', value: [...ticket.tags] });
    this.audits.set(ticket.id, []);
    this.#recordAudit(ticket.id, input.requesterId, input.via ?? viaOf('web'), events, now);
    return ticket;
  }

  #recordAudit(ticketId: number, authorId: number, via: SandboxVia, events: SandboxAuditEvent[], at: string) {
    const audit: SandboxAudit = {
      id: this.#nextAudit++,
      ticket_id: ticketId,
      created_at: at,
      author_id: authorId,
      via,
      metadata: { system: {}, custom: {} },
      events,
    };
    this.audits.get(ticketId)?.push(audit);
    return audit;
  }

  /**
   * Tags changed by a trigger or automation during an update: applied to the ticket and recorded in
   * the update's own audit, as a Change event with the rule's `via` (Zendesk records it that way).
   */
  applyRuleTags(
    ticket: SandboxTicket,
    audit: SandboxAudit,
    rule: { id: number; title: string; rel: 'trigger' | 'automation' },
    change: { add?: readonly string[]; remove?: readonly string[]; set?: readonly string[] },
  ): boolean {
    const previous = [...ticket.tags];
    let tags = change.set ? change.set.map(normaliseTag) : [...ticket.tags];
    for (const tag of change.add ?? []) if (!tags.includes(normaliseTag(tag))) tags.push(normaliseTag(tag));
    const removed = new Set((change.remove ?? []).map(normaliseTag));
    tags = [...new Set(tags.filter((t) => !removed.has(t)))];
    if (tags.length === previous.length && tags.every((t) => previous.includes(t))) return false;
    ticket.tags = tags;
    audit.events.push({
      id: this.nextEventId(),
      type: 'Change',
      field_name: 'tags',
      value: [...tags],
      previous_value: previous,
      via: {
        channel: 'rule',
        source: { from: { id: rule.id, title: rule.title, deleted: false }, to: {}, rel: rule.rel },
      },
    });
    return true;
  }

  /**
   * One ticket update as Zendesk applies it: `tags` replaces, `additional_tags`/`remove_tags` edit,
   * `comment` appends; recorded as one audit by `authorId` with an event per change.
   */
  updateTicket(
    ticket: SandboxTicket,
    authorId: number,
    update: {
      tags?: string[] | undefined;
      additional_tags?: string[] | undefined;
      remove_tags?: string[] | undefined;
      comment?: { body: string; public?: boolean | undefined } | undefined;
      custom_fields?: Array<{ id: number; value: string | null }> | undefined;
    },
    via: SandboxVia = viaOf('api'),
  ): AppliedUpdate {
    const previousTags = [...ticket.tags];
    let tags = update.tags ? update.tags.map(normaliseTag) : [...ticket.tags];
    for (const tag of update.additional_tags ?? []) if (!tags.includes(normaliseTag(tag))) tags.push(normaliseTag(tag));
    const removed = new Set((update.remove_tags ?? []).map(normaliseTag));
    tags = tags.filter((t) => !removed.has(t));
    ticket.tags = [...new Set(tags)];
    const events: SandboxAuditEvent[] = [];
    const now = new Date().toISOString();
    if (update.comment?.body) {
      const id = this.#nextComment++;
      const isPublic = update.comment.public ?? true;
      this.comments
        .get(ticket.id)
        ?.push({ id, author_id: authorId, body: update.comment.body, public: isPublic, created_at: now });
      events.push({
        id,
        type: 'Comment',
        author_id: authorId,
        body: update.comment.body,
        public: isPublic,
        attachments: [],
      });
    }
    const added = ticket.tags.filter((t) => !previousTags.includes(t));
    const dropped = previousTags.filter((t) => !ticket.tags.includes(t));
    if (added.length > 0 || dropped.length > 0) {
      events.push({
        id: this.nextEventId(),
        type: 'Change',
        field_name: 'tags',
        value: [...ticket.tags],
        previous_value: previousTags,
      });
    }
    for (const field of update.custom_fields ?? []) {
      const slot = ticket.custom_fields.find((f) => f.id === field.id);
      if (slot && slot.value !== field.value) {
        events.push({
          id: this.nextEventId(),
          type: 'Change',
          field_name: String(field.id),
          value: field.value,
          previous_value: slot.value,
        });
        slot.value = field.value;
      }
    }
    if (ticket.status === 'new') {
      ticket.status = 'open';
      events.push({
        id: this.nextEventId(),
        type: 'Change',
        field_name: 'status',
        value: 'open',
        previous_value: 'new',
      });
    }
    ticket.updated_at = now;
    const audit = this.#recordAudit(ticket.id, authorId, via, events, now);
    return { audit, added, removed: dropped };
  }
}
