/**
 * The slice of Stripe's objects Refund Desk reads (SDK types stay at the edge). Expandable fields are
 * an id string or the object.
 */
type Expandable<T> = string | T | null;

export interface StripeCustomerSlice {
  readonly id: string;
  readonly email?: string | null;
  readonly name?: string | null;
  readonly deleted?: unknown;
}

export interface StripeCardDetailsSlice {
  readonly brand?: string | null;
  readonly last4?: string | null;
  readonly exp_month?: number | null;
  readonly exp_year?: number | null;
  readonly funding?: string | null;
}

export interface StripeChargeSlice {
  readonly id: string;
  readonly amount: number;
  readonly amount_refunded: number;
  readonly captured: boolean;
  readonly created: number;
  readonly currency: string;
  readonly refunded: boolean;
  readonly status: string;
  readonly customer: Expandable<StripeCustomerSlice>;
  readonly payment_intent: Expandable<{ readonly id: string }>;
  readonly receipt_email?: string | null;
  readonly billing_details?: { readonly email?: string | null; readonly name?: string | null } | null;
  readonly payment_method_details?: {
    readonly type: string;
    readonly card?: StripeCardDetailsSlice | null;
    readonly card_present?: StripeCardDetailsSlice | null;
    readonly interac_present?: StripeCardDetailsSlice | null;
  } | null;
}

export interface StripePaymentIntentSlice {
  readonly id: string;
  readonly amount: number;
  readonly amount_received: number;
  readonly created: number;
  readonly currency: string;
  readonly status: string;
  readonly customer: Expandable<StripeCustomerSlice>;
  readonly latest_charge: Expandable<StripeChargeSlice>;
  readonly receipt_email?: string | null;
  readonly payment_method_types?: readonly string[];
}

export interface StripeRefundSlice {
  readonly id: string;
  readonly amount: number;
  readonly currency: string;
  readonly created: number;
  readonly status: string | null;
  readonly failure_reason?: string | null;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly charge: Expandable<{ readonly id: string }>;
  readonly payment_intent: Expandable<{ readonly id: string }>;
}

export interface StripeListSlice<T> {
  readonly data: readonly T[];
  readonly has_more: boolean;
}

/** The id of an expandable field. */
export function idOf(field: Expandable<{ readonly id: string }>): string | undefined {
  if (field === null) return undefined;
  return typeof field === 'string' ? field : field.id;
}

/** The object of an expanded field, or undefined when Stripe sent only the id. */
export function expanded<T extends object>(field: Expandable<T>): T | undefined {
  return field !== null && typeof field === 'object' ? field : undefined;
}
