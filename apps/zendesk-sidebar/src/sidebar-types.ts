/** Wire types of the sidebar HTTP API (see docs/zendesk-sidebar-contract.md); the server owns them. */

/** An exact amount: decimal string, integer minor units and ISO 4217 code. */
export interface Money {
  readonly value: string;
  readonly minor: number;
  readonly currency: string;
}

export type StaffRole = 'agent' | 'lead' | 'manager' | 'admin' | 'auditor';
export type Verdict = 'eligible' | 'review' | 'exception' | 'ineligible';
export type RuleOutcome = 'pass' | 'review' | 'exception' | 'fail';

export type CaseState =
  | 'requested'
  | 'pending_approval'
  | 'approved'
  | 'executing'
  | 'succeeded'
  | 'failed'
  | 'exception'
  | 'denied'
  | 'cancelled'
  | 'expired'
  | 'retried'
  | 'resolved_manually';

export interface SidebarPayment {
  readonly id: string;
  readonly gateway: string;
  readonly reference: string;
  readonly capturedAt: string;
  readonly amount: Money;
  /** What a new request could still get: refunds made and cases pending are left aside. */
  readonly refundable: Money;
  /** Open cases on this payment not yet sent to the gateway (they hold `amount`); null: none. */
  readonly pending: null | {
    readonly amount: Money;
    readonly cases: ReadonlyArray<{
      readonly id: string;
      readonly reference: string;
      readonly state: CaseState;
      readonly amount: Money;
    }>;
  };
  readonly method: { readonly type: string | null; readonly brand: string | null; readonly last4: string | null };
  readonly eligibility: {
    readonly outcome: Verdict;
    readonly reasons: ReadonlyArray<{ readonly rule: string; readonly outcome: RuleOutcome; readonly message: string }>;
  };
}

export interface CaseSummary {
  readonly id: string;
  readonly reference: string;
  readonly state: CaseState;
  readonly amount: Money;
  readonly reasonCode: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly requiredRole: string | null;
  readonly decidedBy: string | null;
  readonly decisionReason: string | null;
  readonly exceptionReason: string | null;
  readonly gatewayRefundId: string | null;
  /** What THIS viewer may do now. */
  readonly actions: { readonly approve: boolean; readonly cancel: boolean };
}

/** `GET /tickets/{ticketId}`: everything the sidebar shows for one ticket. */
export interface SidebarView {
  readonly viewer: {
    readonly name: string | null;
    readonly role: StaffRole | null;
    readonly readOnly: boolean;
    /** Zendesk proved who the agent is (signed URL); false: an older install, which may request but never decide. */
    readonly verified: boolean;
  };
  readonly ticket: { readonly id: string; readonly subject: string; readonly tags: readonly string[] };
  readonly requester: { readonly name: string | null; readonly email: string | null };
  readonly customer: null | {
    readonly id: string;
    readonly name: string | null;
    readonly email: string | null;
    readonly match: 'verified' | 'email_only';
  };
  readonly payments: readonly SidebarPayment[];
  /** This ticket's cases, newest first. */
  readonly cases: readonly CaseSummary[];
  readonly reasonCodes: ReadonlyArray<{ readonly code: string; readonly label: string }>;
}

/** `POST /tickets/{ticketId}/refunds` body; `amount` omitted = the full refundable amount. */
export interface RefundRequestInput {
  readonly paymentId: string;
  readonly amount?: string;
  readonly reasonCode: string;
  readonly note?: string;
}

/** States after which a case never changes again: polling stops once every case is in one. */
export const FINAL_STATES: ReadonlySet<CaseState> = new Set([
  'succeeded',
  'denied',
  'cancelled',
  'expired',
  'retried',
  'resolved_manually',
]);
