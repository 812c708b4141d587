// @vitest-environment jsdom
import './testing/jsdom-setup';
import { screen, within } from '@testing-library/dom';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, test } from 'vitest';
import { DeskApiError } from './desk-client';
import { FakeDesk, makePayment, makeView } from './testing/fake-desk';
import { renderSidebar, unmountAll } from './testing/render-sidebar';

afterEach(unmountAll);

async function openPartialForm(desk: FakeDesk) {
  renderSidebar(desk);
  await userEvent.click(await screen.findByRole('button', { name: 'Request refund' }));
  await userEvent.click(screen.getByLabelText('Partial amount'));
  return screen.getByLabelText(/^Amount \(/) as HTMLInputElement;
}

describe('request form validation (nothing is sent for a bad amount)', () => {
  test.each([
    ['-5', 'Enter a positive amount.'],
    ['0', 'Enter a positive amount.'],
    ['12.345', 'USD allows at most 2 decimal places.'],
    ['1e3', 'Enter an amount like 12.50.'],
    ['100.01', 'At most 100.00 USD is refundable.'],
  ])('%s → %s', async (typed, message) => {
    const desk = new FakeDesk(makeView());
    const amount = await openPartialForm(desk);
    await userEvent.type(amount, typed);
    await userEvent.click(screen.getByRole('button', { name: 'Request refund' }));
    expect(await screen.findByText(message)).toBeTruthy();
    expect(amount.getAttribute('aria-invalid')).toBe('true');
    expect(desk.requests).toEqual([]);
  });

  test('a currency without minor units refuses any fraction', async () => {
    const payment = makePayment({
      amount: { value: '9800', minor: 9_800, currency: 'JPY' },
      refundable: { value: '9800', minor: 9_800, currency: 'JPY' },
    });
    const desk = new FakeDesk(makeView({ payments: [payment] }));
    const amount = await openPartialForm(desk);
    await userEvent.type(amount, '10.5');
    await userEvent.click(screen.getByRole('button', { name: 'Request refund' }));
    expect(await screen.findByText('JPY has no decimal places.')).toBeTruthy();
    expect(desk.requests).toEqual([]);
  });
});

describe('requesting', () => {
  test('keyboard only: Enter in the amount field submits a partial refund with reason and note', async () => {
    const desk = new FakeDesk(makeView());
    renderSidebar(desk);
    const open = await screen.findByRole('button', { name: 'Request refund' });
    open.focus();
    await userEvent.keyboard('{Enter}');
    expect(document.activeElement).toBe(screen.getByLabelText(/^Full refundable amount/));
    await userEvent.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(screen.getByLabelText('Partial amount'));
    await userEvent.selectOptions(screen.getByLabelText('Reason'), 'goodwill');
    await userEvent.type(screen.getByLabelText('Note (optional)'), 'Late delivery');
    await userEvent.type(screen.getByLabelText(/^Amount \(/), '25.5{Enter}');
    expect(await screen.findByText('pending approval')).toBeTruthy();
    expect(desk.requests).toHaveLength(1);
    expect(desk.requests[0]?.input).toEqual({
      paymentId: 'pay-1',
      amount: '25.50',
      reasonCode: 'goodwill',
      note: 'Late delivery',
    });
    expect(desk.requests[0]?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('full amount sends no amount (the server refunds what is refundable)', async () => {
    const desk = new FakeDesk(makeView());
    renderSidebar(desk);
    await userEvent.click(await screen.findByRole('button', { name: 'Request refund' }));
    const form = screen.getByRole('form', { name: 'Refund ch_123' });
    await userEvent.click(within(form).getByRole('button', { name: 'Request refund' }));
    await screen.findByText('pending approval');
    expect(desk.requests[0]?.input).toEqual({ paymentId: 'pay-1', reasonCode: 'customer_request' });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Request refund' }));
  });

  test('a server refusal is shown with its code and verdict; a retry reuses the idempotency key', async () => {
    const desk = new FakeDesk(makeView());
    desk.requestFailure = new DeskApiError(422, 'not_refundable', 'This payment cannot be refunded.', {
      outcome: 'ineligible',
      reasons: [
        { rule: 'captured', outcome: 'pass', message: 'Payment captured' },
        { rule: 'open_case', outcome: 'fail', message: 'An open case exists for this payment' },
      ],
    });
    renderSidebar(desk);
    await userEvent.click(await screen.findByRole('button', { name: 'Request refund' }));
    const submit = within(screen.getByRole('form')).getByRole('button', { name: 'Request refund' });
    await userEvent.click(submit);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This payment cannot be refunded. (not_refundable)');
    expect(alert.textContent).toContain('An open case exists for this payment');
    expect(alert.textContent).not.toContain('Payment captured');
    desk.requestFailure = undefined;
    await userEvent.click(submit);
    await screen.findByText('pending approval');
    expect(desk.requests.map((r) => r.idempotencyKey)).toEqual([
      desk.requests[0]?.idempotencyKey,
      desk.requests[0]?.idempotencyKey,
    ]);
  });

  test('a payment with nothing left to refund offers no request', async () => {
    const payment = makePayment({ refundable: { value: '0.00', minor: 0, currency: 'USD' } });
    renderSidebar(new FakeDesk(makeView({ payments: [payment] })));
    expect(await screen.findByText('0.00 USD')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Request refund' })).toBeNull();
  });
});
