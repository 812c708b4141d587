/**
 * Adaptive Card 1.4 alerts for a Teams Workflows webhook. Workflows cards cannot call us back
 * (no bot), so the only action is `Action.OpenUrl` to our signed, single-use approval page.
 * Minimum necessary: reference, amount, method (brand + last four), reason code, tier.
 */
import type { CardFacts } from '@refund-desk/slack-bot/src/desk-port.js';

// biome-ignore lint/suspicious/noExplicitAny: Adaptive Cards are plain JSON
type Json = Record<string, any>;

/** The Workflows "post card" envelope around an Adaptive Card. */
export function workflowsMessage(card: Json): Json {
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
}

/** A pending approval (or an exception) as an Adaptive Card 1.4 with one OpenUrl action. */
export function teamsAlertCard(
  facts: CardFacts,
  input: { readonly kind: 'approval' | 'exception'; readonly url: string },
): Json {
  const title =
    input.kind === 'approval'
      ? `Refund ${facts.reference} needs a ${facts.requiredRole}`
      : `Refund ${facts.reference} failed and needs staff`;
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    body: [
      { type: 'TextBlock', size: 'Medium', weight: 'Bolder', text: title, wrap: true },
      {
        type: 'FactSet',
        facts: [
          { title: 'Amount', value: facts.amount },
          { title: 'Method', value: facts.method },
          { title: 'Reason', value: facts.reasonCode },
          { title: 'Requested by', value: facts.requester },
          ...(facts.exceptionCode ? [{ title: 'Failure', value: facts.exceptionCode }] : []),
        ],
      },
    ],
    actions: [
      {
        type: 'Action.OpenUrl',
        title: input.kind === 'approval' ? 'Review and decide' : 'Open the case',
        url: input.url,
      },
    ],
  };
}
