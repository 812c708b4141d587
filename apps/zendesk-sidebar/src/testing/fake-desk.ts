import { DeskApiError, type DeskClient } from '../desk-client';
import type { CaseSummary, RefundRequestInput, SidebarPayment, SidebarView } from '../sidebar-types';

/** A scripted `DeskClient`: serves `view` (or fails), records every call. */
export class FakeDesk implements DeskClient {
  view: SidebarView;
  loadFailure: DeskApiError | undefined;
  requestFailure: DeskApiError | undefined;
  readonly requests: Array<{ input: RefundRequestInput; idempotencyKey: string }> = [];
  readonly approvals: string[] = [];
  readonly cancellations: string[] = [];
  readonly heights: number[] = [];
  loads = 0;
  private readonly ticketListeners = new Set<() => void>();

  constructor(view: SidebarView) {
    this.view = view;
  }

  async loadView(): Promise<SidebarView> {
    this.loads++;
    if (this.loadFailure) throw this.loadFailure;
    return this.view;
  }

  async requestRefund(input: RefundRequestInput, idempotencyKey: string): Promise<CaseSummary> {
    this.requests.push({ input, idempotencyKey });
    if (this.requestFailure) throw this.requestFailure;
    const created = makeCase({ id: `case-${this.requests.length}`, state: 'pending_approval' });
    this.view = { ...this.view, cases: [created, ...this.view.cases] };
    return created;
  }

  async approve(caseId: string): Promise<CaseSummary> {
    this.approvals.push(caseId);
    return this.setState(caseId, 'approved');
  }

  async cancel(caseId: string): Promise<CaseSummary> {
    this.cancellations.push(caseId);
    return this.setState(caseId, 'cancelled');
  }

  resize(height: number): void {
    this.heights.push(height);
  }

  onTicketChanged(listener: () => void): () => void {
    this.ticketListeners.add(listener);
    return () => this.ticketListeners.delete(listener);
  }

  /** What the host does when the ticket changes outside the sidebar. */
  emitTicketChanged(): void {
    for (const listener of this.ticketListeners) listener();
  }

  setState(caseId: string, state: CaseSummary['state']): CaseSummary {
    const cases = this.view.cases.map((c) =>
      c.id === caseId ? { ...c, state, actions: { approve: false, cancel: false } } : c,
    );
    this.view = { ...this.view, cases };
    const found = cases.find((c) => c.id === caseId);
    if (!found) throw new DeskApiError(404, 'not_found', 'no such case');
    return found;
  }
}

export function makePayment(overrides: Partial<SidebarPayment> = {}): SidebarPayment {
  return {
    id: 'pay-1',
    gateway: 'stripe',
    reference: 'ch_123',
    capturedAt: '2026-11-01T10:00:00Z',
    amount: { value: '125.00', minor: 12_500, currency: 'USD' },
    refundable: { value: '100.00', minor: 10_000, currency: 'USD' },
    pending: null,
    method: { type: 'card', brand: 'visa', last4: '4242' },
    eligibility: {
      outcome: 'eligible',
      reasons: [
        { rule: 'captured', outcome: 'pass', message: 'Payment captured' },
        { rule: 'window', outcome: 'pass', message: 'Within the 30-day refund window' },
      ],
    },
    ...overrides,
  };
}

export function makeCase(overrides: Partial<CaseSummary> = {}): CaseSummary {
  return {
    id: 'case-a',
    reference: 'RD-0001',
    state: 'pending_approval',
    amount: { value: '25.00', minor: 2_500, currency: 'USD' },
    reasonCode: 'goodwill',
    createdAt: '2026-11-20T10:00:00Z',
    updatedAt: '2026-11-20T10:00:00Z',
    requiredRole: 'lead',
    decidedBy: null,
    decisionReason: null,
    exceptionReason: null,
    gatewayRefundId: null,
    actions: { approve: false, cancel: true },
    ...overrides,
  };
}

export function makeView(overrides: Partial<SidebarView> = {}): SidebarView {
  return {
    viewer: { name: 'Alex Agent', role: 'agent', readOnly: false, verified: true },
    ticket: { id: '101', subject: 'Refund please', tags: [] },
    requester: { name: 'Ada Lovelace', email: 'ada@example.com' },
    customer: { id: 'cus-1', name: 'Ada Lovelace', email: 'ada@example.com', match: 'verified' },
    payments: [makePayment()],
    cases: [],
    reasonCodes: [
      { code: 'customer_request', label: 'Customer request' },
      { code: 'goodwill', label: 'Goodwill' },
    ],
    ...overrides,
  };
}
