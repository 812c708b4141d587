/**
 * Block Kit payloads of the bot, as pure functions of the card facts, so a test can render every
 * one of them and check what leaves for Slack (minimum necessary: no health data, no card number,
 * no date of birth, no staff free-text notes).
 */
import type { CardFacts } from './desk-port.js';

// biome-ignore lint/suspicious/noExplicitAny: Block Kit is plain JSON
export type Block = Record<string, any>;

export const APPROVE_ACTION = 'refund_approve';
export const DENY_ACTION = 'refund_deny';
export const DENY_MODAL = 'refund_deny_reason';
export const REASON_BLOCK = 'reason';
export const REASON_INPUT = 'reason_input';

const text = (value: string) => ({ type: 'mrkdwn', text: value });
const plain = (value: string) => ({ type: 'plain_text', text: value, emoji: true });

/** Slack mrkdwn control characters, so customer-entered data cannot format or mention. */
function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function ticketLine(facts: CardFacts): string {
  if (!facts.ticket) return 'none';
  return facts.ticket.url
    ? `<${facts.ticket.url}|#${escapeMrkdwn(facts.ticket.ref)}>`
    : `#${escapeMrkdwn(facts.ticket.ref)}`;
}

function factFields(facts: CardFacts): Block {
  return {
    type: 'section',
    fields: [
      text(`*Amount*\n${escapeMrkdwn(facts.amount)}`),
      text(`*Method*\n${escapeMrkdwn(facts.method)}`),
      text(`*Reason*\n\`${escapeMrkdwn(facts.reasonCode)}\``),
      text(`*Requested by*\n${escapeMrkdwn(facts.requester)}`),
      text(
        `*Needs*\n${escapeMrkdwn(facts.requiredRole)}${facts.escalatedFrom ? ` (escalated from ${facts.escalatedFrom})` : ''}`,
      ),
      text(`*Ticket*\n${ticketLine(facts)}`),
    ],
  };
}

const OUTCOME_ICON: Readonly<Record<string, string>> = { pass: '✅', review: '🔎', exception: '⚠️', fail: '⛔' };

function evidenceBlock(facts: CardFacts): Block {
  const lines = facts.evidence.map((e) => `${OUTCOME_ICON[e.outcome] ?? '•'} ${escapeMrkdwn(e.reason)}`);
  const history =
    facts.recentRefunds.count === 0
      ? 'No other refunds for this customer in the last 90 days.'
      : `${facts.recentRefunds.count} other refund(s) for this customer in the last 90 days (${escapeMrkdwn(facts.recentRefunds.total)}).`;
  return { type: 'section', text: text(`*Evidence*\n${[...lines, history].join('\n')}`.slice(0, 2900)) };
}

/** Approve (primary, with a confirm dialog) and Deny (danger, opens the reason modal); value = case id. */
export function decisionButtons(facts: CardFacts): Block {
  return {
    type: 'actions',
    block_id: `decide:${facts.caseId}`,
    elements: [
      {
        type: 'button',
        action_id: APPROVE_ACTION,
        style: 'primary',
        text: plain('Approve'),
        value: facts.caseId,
        confirm: {
          title: plain('Approve this refund?'),
          text: text(`Refund ${escapeMrkdwn(facts.amount)} for ${escapeMrkdwn(facts.reference)}.`),
          confirm: plain('Approve'),
          deny: plain('Cancel'),
        },
      },
      { type: 'button', action_id: DENY_ACTION, style: 'danger', text: plain('Deny…'), value: facts.caseId },
    ],
  };
}

/** The card posted when a case waits for approval. */
export function approvalCard(facts: CardFacts): { text: string; blocks: Block[] } {
  return {
    text: escapeMrkdwn(`Refund ${facts.reference} (${facts.amount}) needs a ${facts.requiredRole}`),
    blocks: [
      { type: 'header', text: plain(`Refund ${facts.reference} needs approval`) },
      factFields(facts),
      evidenceBlock(facts),
      decisionButtons(facts),
    ],
  };
}

const STATE_LINE: Readonly<Record<string, string>> = {
  approved: '✅ Approved — refunding now',
  executing: '⏳ Approved — refund in progress',
  succeeded: '💸 Refunded',
  denied: '🚫 Denied',
  cancelled: '↩️ Cancelled by the requester',
  expired: '⌛ Expired without a decision',
  exception: '⚠️ Refund failed — in the exceptions queue',
  failed: '⚠️ Refund failed',
  resolved_manually: '🧾 Resolved by hand',
  retried: '🔁 Retried as a new case',
};

/** The card once decided (for everyone): outcome, who and when; execution updates it again. */
export function outcomeCard(facts: CardFacts): { text: string; blocks: Block[] } {
  const status = STATE_LINE[facts.state] ?? facts.state;
  const who = facts.decision
    ? ` by ${escapeMrkdwn(facts.decision.by)} at <!date^${Math.floor(Date.parse(facts.decision.at) / 1000)}^{date_short} {time}|${facts.decision.at}>`
    : '';
  const exception = facts.exceptionCode ? `\nReason: \`${escapeMrkdwn(facts.exceptionCode)}\`` : '';
  return {
    text: escapeMrkdwn(`Refund ${facts.reference}: ${status}`),
    blocks: [
      { type: 'header', text: plain(`Refund ${facts.reference}`) },
      factFields(facts),
      {
        type: 'section',
        text: text(
          `*${status}*${facts.state === 'denied' || facts.state === 'approved' || facts.state === 'succeeded' ? who : ''}${exception}`,
        ),
      },
    ],
  };
}

/** The card for its current state: buttons while pending, the outcome after. */
export function cardFor(facts: CardFacts): { text: string; blocks: Block[] } {
  return facts.state === 'pending_approval' ? approvalCard(facts) : outcomeCard(facts);
}

/** Posted in the card's thread (and sent by DM) when a case waits too long. */
export function reminderMessage(facts: CardFacts, hoursWaiting: number): { text: string } {
  return {
    text: `⏰ Refund ${escapeMrkdwn(facts.reference)} (${escapeMrkdwn(facts.amount)}) has waited ${Math.floor(hoursWaiting)} h for a ${facts.requiredRole}.`,
  };
}

/** Posted in the card's thread when a case goes up a tier. */
export function escalationMessage(facts: CardFacts, from: string): { text: string } {
  return {
    text: `⬆️ Refund ${facts.reference} escalated from ${from} to ${facts.requiredRole}: nobody decided in time.`,
  };
}

/** Staff alert when a customer message failed: channel and error code only, never the contact details. */
export function notificationFailedMessage(input: {
  readonly reference: string;
  readonly channel: string;
  readonly errorCode?: string | undefined;
}): { text: string } {
  const code = input.errorCode ? ` (${input.errorCode})` : '';
  return {
    text: `📭 The customer's ${input.channel === 'sms' ? 'SMS' : 'email'} about refund ${input.reference} failed${code}. Please reach them another way.`,
  };
}

/** The modal Deny opens: the reason is required; private_metadata carries the case and the card's channel. */
export function denyModal(input: {
  readonly caseId: string;
  readonly reference: string;
  readonly channel?: string | undefined;
}): Block {
  return {
    type: 'modal',
    callback_id: DENY_MODAL,
    private_metadata: JSON.stringify({ caseId: input.caseId, channel: input.channel ?? null }),
    title: plain('Deny refund'),
    submit: plain('Deny'),
    close: plain('Cancel'),
    blocks: [
      { type: 'section', text: text(`Why is refund *${escapeMrkdwn(input.reference)}* denied?`) },
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: plain('Reason'),
        element: { type: 'plain_text_input', action_id: REASON_INPUT, multiline: true, min_length: 3, max_length: 500 },
      },
    ],
  };
}

/** App Home: the viewer's pending approvals, each with the same buttons as the card. */
export function homeView(pending: ReadonlyArray<CardFacts>, notice?: string): Block {
  const blocks: Block[] = [{ type: 'header', text: plain('Refunds waiting for you') }];
  if (notice) blocks.push({ type: 'section', text: text(escapeMrkdwn(notice)) });
  else if (pending.length === 0) blocks.push({ type: 'section', text: text('Nothing waits for your approval. 🎉') });
  for (const facts of pending.slice(0, 20)) {
    blocks.push({ type: 'divider' }, { type: 'section', text: text(`*${escapeMrkdwn(facts.reference)}*`) });
    blocks.push(factFields(facts), evidenceBlock(facts), decisionButtons(facts));
  }
  return { type: 'home', blocks };
}

/** `/refund queue`: one line per pending case. */
export function queueMessage(pending: ReadonlyArray<CardFacts>): { text: string; blocks: Block[] } {
  const lines = pending.map(
    (f) =>
      `• *${escapeMrkdwn(f.reference)}* ${escapeMrkdwn(f.amount)} — \`${escapeMrkdwn(f.reasonCode)}\`, needs ${f.requiredRole}`,
  );
  const body = lines.length === 0 ? 'No refunds wait for your approval.' : lines.slice(0, 40).join('\n');
  return { text: `${pending.length} refund(s) waiting`, blocks: [{ type: 'section', text: text(body) }] };
}
