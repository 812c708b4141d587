/**
 * What the Slack bot asks of Refund Desk. The server implements it (server/src/slack/); the bot
 * never reaches into the server's internals. Every call names the Slack workspace and user, and
 * the desk decides who that is, what they may see and whether they may decide.
 */

/** A Slack user inside a workspace, as Slack identifies them. */
export interface SlackActor {
  readonly teamId: string;
  readonly userId: string;
}

/** The facts an approval card shows: minimum necessary (no health data, no card number, no notes). */
export interface CardFacts {
  readonly caseId: string;
  readonly reference: string;
  /** The case state (`pending_approval`, `approved`, `denied`, `succeeded`, `exception`…). */
  readonly state: string;
  /** Formatted with its currency, e.g. `USD 1,200.00`. */
  readonly amount: string;
  /** Brand and last four digits only, e.g. `visa •••• 4242`. */
  readonly method: string;
  readonly reasonCode: string;
  /** The tier that must decide (`lead`, `manager`). */
  readonly requiredRole: string;
  /** The requester's name. */
  readonly requester: string;
  readonly ticket?: { readonly ref: string; readonly url?: string | undefined } | undefined;
  /** The eligibility verdict's lines (rule, outcome, one sentence without personal data). */
  readonly evidence: ReadonlyArray<{ readonly rule: string; readonly outcome: string; readonly reason: string }>;
  /** Refunds of the same customer in the last 90 days (this case excluded). */
  readonly recentRefunds: { readonly count: number; readonly total: string };
  /** Set once decided: outcome, who and when (ISO 8601). Never the staff's free-text reason. */
  readonly decision?: { readonly outcome: string; readonly by: string; readonly at: string } | undefined;
  /** Set when the case went up a tier because nobody answered. */
  readonly escalatedFrom?: string | undefined;
  /** A stable machine code when execution failed (e.g. `expired_or_canceled_card`). */
  readonly exceptionCode?: string | undefined;
}

/** The answer to a decision or a lookup: what to tell the user, and whether it worked. */
export interface DeskAnswer {
  readonly ok: boolean;
  /** One line for the user (ephemeral), e.g. "Already approved by Lee Lead". */
  readonly message: string;
}

export interface DeskPort {
  /** The bot token for a workspace the desk serves, or undefined for a workspace it does not know. */
  botTokenFor(teamId: string): Promise<string | undefined>;
  /** Records (audits) a request from a workspace the desk does not serve. */
  refuseUnknownTeam(input: {
    readonly teamId: string;
    readonly userId?: string | undefined;
    readonly what: string;
  }): Promise<void>;
  /** Approves the case as this Slack user (mapped to staff; role and requester checks apply). */
  approve(actor: SlackActor, caseId: string): Promise<DeskAnswer>;
  /** Denies the case as this Slack user, with the reason they typed (kept in the audit, not on cards). */
  deny(actor: SlackActor, caseId: string, reason: string): Promise<DeskAnswer>;
  /** One case by reference (`RD-…`), if this user may see it. */
  getCase(actor: SlackActor, reference: string): Promise<CardFacts | DeskAnswer>;
  /** Cases waiting for a decision this user could make. */
  listPending(actor: SlackActor): Promise<ReadonlyArray<CardFacts> | DeskAnswer>;
}
