import type { GatewayRefundReason } from '../ports/payment-gateway.js';

export interface ReasonCode {
  readonly code: string;
  readonly label: string;
  readonly refundWindowDays: number;
  readonly gatewayReason: GatewayRefundReason;
}

/** Every new organisation starts with these; admins edit them per organisation. */
export const DEFAULT_REASON_CODES: readonly ReasonCode[] = [
  {
    code: 'missed_appointment',
    label: 'Missed or cancelled appointment',
    refundWindowDays: 90,
    gatewayReason: 'requested_by_customer',
  },
  {
    code: 'insurance_denial',
    label: 'Insurance denial or adjustment',
    refundWindowDays: 365,
    gatewayReason: 'requested_by_customer',
  },
  { code: 'product_return', label: 'Product return', refundWindowDays: 30, gatewayReason: 'requested_by_customer' },
  { code: 'double_charge', label: 'Double charge', refundWindowDays: 180, gatewayReason: 'duplicate' },
  {
    code: 'overpayment',
    label: 'Overpayment or credit balance',
    refundWindowDays: 365,
    gatewayReason: 'requested_by_customer',
  },
  { code: 'sla_breach', label: 'Service level breach', refundWindowDays: 60, gatewayReason: 'requested_by_customer' },
  { code: 'goodwill', label: 'Goodwill gesture', refundWindowDays: 60, gatewayReason: 'requested_by_customer' },
];
