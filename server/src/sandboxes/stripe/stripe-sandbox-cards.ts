import type { SandboxPaymentKind } from '../gateway-sandbox.js';

/** The card facts Stripe reports under `payment_method_details`. */
export interface SandboxCard {
  readonly type: 'card' | 'interac_present';
  readonly brand: string;
  readonly last4: string;
  readonly funding: 'credit' | 'debit' | 'prepaid' | 'unknown';
  readonly expMonth: number;
  readonly expYear: number;
  readonly kind: SandboxPaymentKind;
}

const EXP_YEAR = new Date().getUTCFullYear() + 3;

function card(brand: string, last4: string, funding: SandboxCard['funding'], kind: SandboxPaymentKind): SandboxCard {
  return { type: 'card', brand, last4, funding, expMonth: 12, expYear: EXP_YEAR, kind };
}

const VISA = card('visa', '4242', 'credit', 'card');
const VISA_DEBIT = card('visa', '5556', 'debit', 'card');
const MASTERCARD = card('mastercard', '4444', 'credit', 'card');
const AMEX = card('amex', '8431', 'credit', 'card');
/** Stripe's 4000 0000 0000 5126: the charge succeeds, refunds fail asynchronously with expired_or_canceled_card. */
const REFUND_FAIL = card('visa', '5126', 'credit', 'card_refund_fails');
/** Closest Stripe analogue of a card-present Interac debit payment. */
const INTERAC_PRESENT: SandboxCard = {
  ...card('interac', '0018', 'debit', 'debit_card_present'),
  type: 'interac_present',
};

/** Stripe's documented test tokens (`source`) and PaymentMethods (`payment_method`) the sandbox understands. */
const TEST_INSTRUMENTS: Readonly<Record<string, SandboxCard>> = {
  tok_visa: VISA,
  pm_card_visa: VISA,
  tok_visa_debit: VISA_DEBIT,
  pm_card_visa_debit: VISA_DEBIT,
  tok_mastercard: MASTERCARD,
  pm_card_mastercard: MASTERCARD,
  tok_amex: AMEX,
  pm_card_amex: AMEX,
  tok_refundFail: REFUND_FAIL,
  pm_card_refundFail: REFUND_FAIL,
};

/** The card behind a test token or PaymentMethod id, or undefined for one Stripe would not know. */
export function cardForTestInstrument(id: string): SandboxCard | undefined {
  return Object.hasOwn(TEST_INSTRUMENTS, id) ? TEST_INSTRUMENTS[id] : undefined;
}

/** The card a directly seeded payment of this kind is made with. */
export function cardForKind(kind: SandboxPaymentKind): SandboxCard {
  if (kind === 'card_refund_fails') return REFUND_FAIL;
  if (kind === 'debit_card_present') return INTERAC_PRESENT;
  return VISA;
}

/** Stripe's `payment_method_details` for a card. */
export function renderPaymentMethodDetails(source: SandboxCard): Record<string, unknown> {
  const details = {
    brand: source.brand,
    last4: source.last4,
    funding: source.funding,
    exp_month: source.expMonth,
    exp_year: source.expYear,
    country: source.type === 'interac_present' ? 'CA' : 'US',
  };
  return { type: source.type, [source.type]: details };
}
