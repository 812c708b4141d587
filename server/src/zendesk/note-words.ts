/** The words ticket notes use for gateways and failures: what a support agent reads, not our codes. */

const GATEWAY_NAMES: Readonly<Record<string, string>> = {
  stripe: 'Stripe',
  paypal: 'PayPal',
  square: 'Square',
  memory: 'the test gateway',
};

/** "stripe" → "Stripe"; an unknown gateway keeps its name. */
export function gatewayName(gateway: string): string {
  return GATEWAY_NAMES[gateway] ?? gateway;
}

/** What went wrong, in plain words, for each failure code a gateway adapter reports (ports/payment-gateway.ts). */
const FAILURES: Readonly<Record<string, string>> = {
  card_expired_or_canceled: 'the customer’s card has expired or was cancelled, so the money cannot go back to it',
  card_lost_or_stolen: 'the customer’s card was reported lost or stolen, so the money cannot go back to it',
  card_present_required: 'this card can only be refunded with the card present at a terminal',
  insufficient_balance: 'our balance at the payment provider was too low to send the refund',
  already_refunded: 'the payment provider says this payment was already refunded',
  amount_exceeds_refundable: 'the payment provider says the amount is more than is left to refund on this payment',
  disputed:
    'the customer has disputed this payment with their bank, so it cannot be refunded while the dispute is open',
  authentication_failed: 'the payment provider refused our credentials',
  invalid_request: 'the payment provider refused the refund as invalid',
  not_found: 'the payment provider cannot find this payment',
  unknown: 'the payment provider refused it without saying why',
};

/**
 * A failure reason for a note: a known code in plain words; anything else (eligibility reasons are
 * sentences already) as it is; nothing known → "the payment provider refused it".
 */
export function failureInWords(reason: string | null | undefined): string {
  if (!reason) return 'the payment provider refused it';
  return (
    FAILURES[reason] ??
    (/^[a-z0-9_]+$/.test(reason) ? `the payment provider refused it (${reason.replaceAll('_', ' ')})` : reason)
  );
}

/** What happens next after a failure, so the agent can tell the customer. */
export function nextStepAfterFailure(reason: string | null | undefined): string {
  const anotherWay =
    'A lead will pay the customer another way from the exceptions queue (bank transfer, cheque, or a card at the terminal)';
  switch (reason) {
    case 'card_expired_or_canceled':
    case 'card_lost_or_stolen':
      return `${anotherWay}; the customer is asked (by text or email, where they agreed to it) to get in touch so we can arrange it. Nothing was refunded yet.`;
    case 'card_present_required':
      return 'A lead will arrange the refund at a terminal with the customer’s card, from the exceptions queue. Nothing was refunded yet.';
    case 'insufficient_balance':
    case 'authentication_failed':
      return 'A lead will retry it from the exceptions queue once the payment account is fixed. Nothing was refunded yet.';
    default:
      return `${anotherWay}, or retry it. Nothing was refunded yet.`;
  }
}
