/** The state of the Zendesk sandbox: users, tickets and their comments, in memory. */

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
  #nextUser = 10_001;
  #nextTicket = 1;
  #nextComment = 900_001;

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
    this.comments.set(ticket.id, [
      { id: this.#nextComment++, author_id: input.requesterId, body: input.body, public: true, created_at: now },
    ]);
    return ticket;
  }

  /**
   * One ticket update as Zendesk applies it: `tags` replaces, `additional_tags`/`remove_tags` edit,
   * `comment` appends. Returns the tags added by this update (the trigger looks at them).
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
  ): string[] {
    const before = new Set(ticket.tags);
    let tags = update.tags ? update.tags.map(normaliseTag) : [...ticket.tags];
    for (const tag of update.additional_tags ?? []) if (!tags.includes(normaliseTag(tag))) tags.push(normaliseTag(tag));
    const removed = new Set((update.remove_tags ?? []).map(normaliseTag));
    tags = tags.filter((t) => !removed.has(t));
    ticket.tags = [...new Set(tags)];
    for (const field of update.custom_fields ?? []) {
      const slot = ticket.custom_fields.find((f) => f.id === field.id);
      if (slot) slot.value = field.value;
    }
    const now = new Date().toISOString();
    if (update.comment?.body) {
      this.comments.get(ticket.id)?.push({
        id: this.#nextComment++,
        author_id: authorId,
        body: update.comment.body,
        public: update.comment.public ?? true,
        created_at: now,
      });
    }
    if (ticket.status === 'new') ticket.status = 'open';
    ticket.updated_at = now;
    return ticket.tags.filter((t) => !before.has(t));
  }
}
