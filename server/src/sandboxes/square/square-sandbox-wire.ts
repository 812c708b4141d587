import type { SandboxPaymentKind } from '../gateway-sandbox.js';

/** Square's JSON shapes as the sandbox stores and serves them: snake_case, money as integer minor units. */
export interface WireMoney {
  amount: number;
  currency: string;
}

export interface WireCard {
  card_brand: string;
  last_4: string;
  exp_month: number;
  exp_year: number;
  card_type: 'CREDIT' | 'DEBIT';
  prepaid_type: 'NOT_PREPAID' | 'PREPAID';
  fingerprint: string;
  bin: string;
  issuer_alert?: 'ISSUER_ALERT_CARD_CLOSED';
  issuer_alert_at?: string;
}

export interface WireCustomer {
  id: string;
  created_at: string;
  updated_at: string;
  given_name?: string;
  family_name?: string;
  email_address?: string;
  creation_source: 'THIRD_PARTY';
  version: number;
}

export interface WirePayment {
  id: string;
  created_at: string;
  updated_at: string;
  amount_money: WireMoney;
  total_money: WireMoney;
  approved_money: WireMoney;
  refunded_money?: WireMoney;
  status: 'COMPLETED';
  source_type: 'CARD';
  card_details: {
    status: 'CAPTURED';
    card: WireCard;
    entry_method: 'KEYED' | 'EMV';
    cvv_status: string;
    avs_status: string;
    statement_description: string;
    card_payment_timeline: { authorized_at: string; captured_at: string };
    refund_requires_card_presence?: boolean;
  };
  location_id: string;
  customer_id?: string;
  buyer_email_address?: string;
  refund_ids?: string[];
  receipt_number: string;
  version_token: string;
}

export type WireRefundStatus = 'PENDING' | 'COMPLETED' | 'FAILED' | 'REJECTED';

export interface WireRefund {
  id: string;
  status: WireRefundStatus;
  location_id: string;
  destination_type: 'CARD';
  destination_details: { card_details: { card: WireCard; entry_method: string } };
  amount_money: WireMoney;
  payment_id: string;
  reason?: string;
  created_at: string;
  updated_at: string;
}

/** One entry of Square's `{errors: [...]}` body. */
export interface WireError {
  category: string;
  code: string;
  detail: string;
  field?: string;
}

/** Builds Square's error body. */
export function errorBody(...errors: WireError[]): { errors: WireError[] } {
  return { errors };
}

export const SANDBOX_LOCATION_ID = 'LSANDBOXREFUNDDESK';
export const SANDBOX_MERCHANT_ID = 'MLSANDBOXREFUNDDESK';

/** How a card behaves: the facts Square reports and what happens to its refunds. */
export interface CardProfile {
  readonly card: WireCard;
  readonly entryMethod: 'KEYED' | 'EMV';
  readonly refundRequiresCardPresence: boolean;
  readonly refundsFail: boolean;
}

const FAR_EXPIRY_YEAR = 2031;

export const CARD_PROFILES: Readonly<Record<SandboxPaymentKind, CardProfile>> = {
  card: {
    card: visa('1111', '411111'),
    entryMethod: 'KEYED',
    refundRequiresCardPresence: false,
    refundsFail: false,
  },
  card_refund_fails: {
    card: visa('0341', '400000'),
    entryMethod: 'KEYED',
    refundRequiresCardPresence: false,
    refundsFail: true,
  },
  debit_card_present: {
    card: {
      card_brand: 'INTERAC',
      last_4: '4242',
      exp_month: 12,
      exp_year: FAR_EXPIRY_YEAR,
      card_type: 'DEBIT',
      prepaid_type: 'NOT_PREPAID',
      fingerprint: 'sq-1-sandbox-interac-4242',
      bin: '450644',
    },
    entryMethod: 'EMV',
    refundRequiresCardPresence: true,
    refundsFail: false,
  },
};

function visa(last4: string, bin: string): WireCard {
  return {
    card_brand: 'VISA',
    last_4: last4,
    exp_month: 11,
    exp_year: FAR_EXPIRY_YEAR,
    card_type: 'CREDIT',
    prepaid_type: 'NOT_PREPAID',
    fingerprint: `sq-1-sandbox-visa-${last4}`,
    bin,
  };
}

/**
 * Payment tokens the sandbox accepts as `source_id`. `cnon:card-nonce-ok` and the declines are Square's
 * documented Sandbox test values; the two `cnon:refund-desk-*` tokens are ours, because Square's Sandbox
 * has no token for a refund that fails or for a card-present Interac payment (card-present is not testable there).
 */
export const PAYMENT_TOKENS: Readonly<Record<string, SandboxPaymentKind>> = {
  'cnon:card-nonce-ok': 'card',
  'cnon:refund-desk-refund-fails': 'card_refund_fails',
  'cnon:refund-desk-interac-present': 'debit_card_present',
};

export const DECLINING_TOKENS: Readonly<Record<string, WireError>> = {
  'cnon:card-nonce-declined': { category: 'PAYMENT_METHOD_ERROR', code: 'GENERIC_DECLINE', detail: 'Card declined.' },
  'cnon:card-nonce-rejected-cvv': { category: 'PAYMENT_METHOD_ERROR', code: 'CVV_FAILURE', detail: 'CVV failure.' },
  'cnon:card-nonce-rejected-postalcode': {
    category: 'PAYMENT_METHOD_ERROR',
    code: 'ADDRESS_VERIFICATION_FAILURE',
    detail: 'Postal code verification failed.',
  },
  'cnon:card-nonce-rejected-expiration': {
    category: 'PAYMENT_METHOD_ERROR',
    code: 'INVALID_EXPIRATION',
    detail: 'Invalid expiration.',
  },
};
