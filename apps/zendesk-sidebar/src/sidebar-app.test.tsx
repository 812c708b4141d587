// @vitest-environment jsdom
import './testing/jsdom-setup';
import { screen, waitFor, within } from '@testing-library/dom';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, test } from 'vitest';
import { DeskApiError } from './desk-client';
import { FakeDesk, makeCase, makePayment, makeView } from './testing/fake-desk';
import { renderSidebar, unmountAll } from './testing/render-sidebar';

afterEach(unmountAll);

describe('sidebar states', () => {
  test('shows a loading state until the view arrives, then the customer and payment', async () => {
    const desk = new FakeDesk(makeView());
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const load = desk.loadView.bind(desk);
    desk.loadView = async () => {
      await gate;
      return load();
    };
    renderSidebar(desk);
    expect(await screen.findByRole('status')).toHaveProperty('textContent', 'Loading refund details…');
    release();
    expect(await screen.findByText('Ada Lovelace')).toBeTruthy();
    expect(screen.queryByRole('status')).toBeNull();
    expect(screen.getByText('Visa ·· 4242 · stripe · 2026-11-01')).toBeTruthy();
    expect(screen.getByText('100.00 USD')).toBeTruthy();
    expect(screen.getByText('verified')).toBeTruthy();
    expect(desk.heights.length).toBeGreaterThan(0);
  });

  test('empty state: no customer, no payments, no cases', async () => {
    const desk = new FakeDesk(makeView({ customer: null, payments: [], cases: [] }));
    renderSidebar(desk);
    expect(await screen.findByText('No customer in Refund Desk matches ada@example.com.')).toBeTruthy();
    expect(screen.getByText('No payments found for this requester.')).toBeTruthy();
    expect(screen.getByText('No refund cases on this ticket yet.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Request refund' })).toBeNull();
  });

  test('error state shows the message and code, and Try again reloads', async () => {
    const desk = new FakeDesk(makeView());
    desk.loadFailure = new DeskApiError(401, 'unauthenticated', 'The sidebar token was refused.');
    renderSidebar(desk);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The sidebar token was refused.');
    expect(alert.textContent).toContain('(unauthenticated)');
    desk.loadFailure = undefined;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Ada Lovelace')).toBeTruthy();
    expect(desk.loads).toBe(2);
  });
});

describe('what the requester is to us', () => {
  test('an email-only match is flagged unverified', async () => {
    const view = makeView();
    renderSidebar(new FakeDesk({ ...view, customer: { ...view.customer!, match: 'email_only' } }));
    expect(await screen.findByText('unverified')).toBeTruthy();
    expect(screen.queryByText('verified')).toBeNull();
  });

  test('the eligibility verdict and each reason are shown', async () => {
    const payment = makePayment({
      eligibility: {
        outcome: 'ineligible',
        reasons: [
          { rule: 'captured', outcome: 'pass', message: 'Payment captured' },
          { rule: 'window', outcome: 'fail', message: 'Outside the 30-day refund window' },
          { rule: 'identity', outcome: 'review', message: 'Requester matched by email only' },
        ],
      },
    });
    renderSidebar(new FakeDesk(makeView({ payments: [payment] })));
    const reasons = await screen.findByRole('list', { name: 'Eligibility reasons' });
    expect(
      within(reasons)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['✕ fail: Outside the 30-day refund window', '? review: Requester matched by email only']);
    // Passed checks are folded under a summary that names how many.
    const summary = screen.getByText('1 check passed');
    expect(summary.closest('details')?.textContent).toContain('✓ pass: Payment captured');
    expect(screen.getByText('ineligible')).toBeTruthy();
  });
});

describe('case actions', () => {
  test('approve is shown only when the case allows this viewer to approve', async () => {
    const desk = new FakeDesk(
      makeView({
        cases: [
          makeCase({ id: 'c1', reference: 'RD-1', actions: { approve: true, cancel: false } }),
          makeCase({ id: 'c2', reference: 'RD-2', actions: { approve: false, cancel: false } }),
        ],
      }),
    );
    renderSidebar(desk);
    const first = await screen.findByRole('listitem', { name: 'Case RD-1' });
    const second = screen.getByRole('listitem', { name: 'Case RD-2' });
    expect(within(second).queryByRole('button')).toBeNull();
    await userEvent.click(within(first).getByRole('button', { name: 'Approve' }));
    expect(desk.approvals).toEqual(['c1']);
    await waitFor(() => expect(within(screen.getByRole('listitem', { name: 'Case RD-1' })).getByText('approved')));
  });

  test('a read-only viewer sees no actions at all', async () => {
    const desk = new FakeDesk(
      makeView({
        viewer: { name: null, role: null, readOnly: true, verified: true },
        cases: [makeCase({ actions: { approve: true, cancel: true } })],
      }),
    );
    renderSidebar(desk);
    expect(await screen.findByText(/View only/)).toBeTruthy();
    expect(screen.queryAllByRole('button')).toEqual([]);
  });

  test('cancel calls the server and shows the new state', async () => {
    const desk = new FakeDesk(makeView({ cases: [makeCase({ id: 'c9', reference: 'RD-9' })] }));
    renderSidebar(desk);
    await userEvent.click(await screen.findByRole('button', { name: 'Cancel request' }));
    expect(desk.cancellations).toEqual(['c9']);
    expect(await screen.findByText('cancelled')).toBeTruthy();
  });

  test('a refused approval shows the server message and code', async () => {
    const desk = new FakeDesk(makeView({ cases: [makeCase({ id: 'c1', actions: { approve: true, cancel: false } })] }));
    desk.approve = async () => {
      throw new DeskApiError(409, 'already_decided', 'Already decided by Lee Lead.');
    };
    renderSidebar(desk);
    await userEvent.click(await screen.findByRole('button', { name: 'Approve' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Already decided by Lee Lead. (already_decided)');
  });
});

describe('live status', () => {
  test('polls while a case is not final and stops once it is', async () => {
    const desk = new FakeDesk(makeView({ cases: [makeCase({ id: 'c1', state: 'executing' })] }));
    renderSidebar(desk, 20);
    expect(await screen.findByText('executing')).toBeTruthy();
    desk.setState('c1', 'succeeded');
    expect(await screen.findByText('succeeded')).toBeTruthy();
    const loadsWhenFinal = desk.loads;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(desk.loads).toBe(loadsWhenFinal);
  });

  test('a ticket change reported by the host shows a case opened outside the sidebar', async () => {
    const desk = new FakeDesk(makeView({ cases: [] }));
    renderSidebar(desk, 20);
    expect(await screen.findByText('No refund cases on this ticket yet.')).toBeTruthy();
    desk.view = { ...desk.view, cases: [makeCase({ reference: 'RD-TAG', state: 'succeeded' })] };
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(screen.queryByText('RD-TAG')).toBeNull(); // nothing live: no polling
    desk.emitTicketChanged();
    expect(await screen.findByText('RD-TAG')).toBeTruthy();
  });

  test('does not poll when every case is final', async () => {
    const desk = new FakeDesk(makeView({ cases: [makeCase({ state: 'succeeded' })] }));
    renderSidebar(desk, 20);
    expect(await screen.findByText('succeeded')).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(desk.loads).toBe(1);
  });
});

describe('what Zendesk proved and what is pending', () => {
  test('an older install’s agent is told they can request but approvals happen elsewhere', async () => {
    const desk = new FakeDesk(makeView({ viewer: { name: 'Lee Lead', role: null, readOnly: false, verified: false } }));
    renderSidebar(desk);
    expect(await screen.findByText(/cannot prove who you are/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Request refund' })).toBeTruthy();
  });

  test('a payment with a pending case shows the case, and refundable net of it, not a red ineligible', async () => {
    const pending = makeCase({
      id: 'c1',
      reference: 'RD-PEND',
      amount: { value: '25.00', minor: 2_500, currency: 'USD' },
    });
    const desk = new FakeDesk(
      makeView({
        payments: [
          makePayment({
            refundable: { value: '75.00', minor: 7_500, currency: 'USD' },
            pending: {
              amount: pending.amount,
              cases: [{ id: pending.id, reference: pending.reference, state: pending.state, amount: pending.amount }],
            },
            eligibility: {
              outcome: 'ineligible',
              reasons: [
                {
                  rule: 'no_open_case',
                  outcome: 'fail',
                  message: 'finish the open case first: 1 other case on this payment is still open',
                },
              ],
            },
          }),
        ],
        cases: [pending],
      }),
    );
    renderSidebar(desk);
    expect((await screen.findByTestId('payment-pending')).textContent).toBe('refund pending');
    expect(screen.getByTestId('payment-refundable').textContent).toBe('Refundable: 75.00 USD (25.00 USD pending)');
    expect(screen.getByTestId('pending-case').textContent).toBe('RD-PEND: 25.00 USD pending approval');
    expect(screen.queryByText('ineligible')).toBeNull();
    expect(screen.queryByText(/other case/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Request refund' })).toBeNull();
  });
});

describe('frame height', () => {
  test('the host is told the new height whenever the content changes size, even without a render', async () => {
    const observers: Array<() => void> = [];
    const original = globalThis.ResizeObserver;
    globalThis.ResizeObserver = class {
      constructor(private readonly callback: () => void) {
        observers.push(() => this.callback());
      }
      observe() {}
      unobserve() {}
      disconnect() {}
    } as unknown as typeof ResizeObserver;
    try {
      const desk = new FakeDesk(makeView());
      const container = renderSidebar(desk);
      await screen.findByText('Ada Lovelace');
      const main = container.querySelector('main') as HTMLElement;
      // a <details> unfolds: no React render, the content is now 634 px tall
      main.getBoundingClientRect = () => ({ height: 633.4 }) as DOMRect;
      for (const notify of observers) notify();
      expect(desk.heights.at(-1)).toBe(634);
      const sent = desk.heights.length;
      for (const notify of observers) notify();
      expect(desk.heights).toHaveLength(sent);
    } finally {
      globalThis.ResizeObserver = original;
    }
  });
});
