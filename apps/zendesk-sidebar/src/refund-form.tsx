import { Button } from '@zendeskgarden/react-buttons';
import { Field, Input, Radio, Select, Textarea } from '@zendeskgarden/react-forms';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { DeskClient } from './desk-client';
import { ErrorAlert } from './error-alert';
import { checkAmount, formatMinor } from './money-input';
import type { CaseSummary, SidebarPayment, SidebarView } from './sidebar-types';
import { randomId } from './zaf-desk-client';

export interface RefundFormProps {
  readonly desk: DeskClient;
  readonly payment: SidebarPayment;
  readonly reasonCodes: SidebarView['reasonCodes'];
  readonly onDone: (created: CaseSummary) => void;
  readonly onClose: () => void;
}

/**
 * Request a full or partial refund of one payment. The amount is checked against the currency's
 * precision and the refundable amount before anything is sent; server refusals are shown as
 * they came. One idempotency key per open form, so a retried submit cannot open a second case.
 */
export function RefundForm({ desk, payment, reasonCodes, onDone, onClose }: RefundFormProps) {
  const { currency, minor: refundableMinor } = payment.refundable;
  const [mode, setMode] = useState<'full' | 'partial'>('full');
  const [amount, setAmount] = useState('');
  const [reasonCode, setReasonCode] = useState(reasonCodes[0]?.code ?? '');
  const [note, setNote] = useState('');
  const [amountError, setAmountError] = useState<string | undefined>();
  const [serverError, setServerError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const idempotencyKey = useRef(randomId());
  const form = useRef<HTMLFormElement>(null);
  // The button that opened the form is gone: keyboard users continue in the form.
  useEffect(() => {
    form.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, []);
  const id = `refund-${payment.id}`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    let value: string | undefined;
    if (mode === 'partial') {
      const checked = checkAmount(amount, currency, refundableMinor);
      if (!checked.ok) {
        setAmountError(checked.message);
        return;
      }
      value = checked.value;
    }
    setAmountError(undefined);
    setServerError(undefined);
    setBusy(true);
    try {
      const trimmedNote = note.trim();
      const created = await desk.requestRefund(
        {
          paymentId: payment.id,
          ...(value === undefined ? {} : { amount: value }),
          reasonCode,
          ...(trimmedNote ? { note: trimmedNote } : {}),
        },
        idempotencyKey.current,
      );
      onDone(created);
    } catch (error) {
      setServerError(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={form} onSubmit={submit} aria-label={`Refund ${payment.reference}`} noValidate>
      <fieldset className="rd-fieldset">
        <legend>Amount</legend>
        <Field>
          <Radio name={`${id}-mode`} value="full" checked={mode === 'full'} onChange={() => setMode('full')}>
            <Field.Label>Full refundable amount ({formatMinor(refundableMinor, currency)})</Field.Label>
          </Radio>
        </Field>
        <Field>
          <Radio name={`${id}-mode`} value="partial" checked={mode === 'partial'} onChange={() => setMode('partial')}>
            <Field.Label>Partial amount</Field.Label>
          </Radio>
        </Field>
      </fieldset>
      {mode === 'partial' && (
        <Field>
          <Field.Label>Amount ({currency})</Field.Label>
          <Field.Hint>Up to {formatMinor(refundableMinor, currency)}</Field.Hint>
          <Input
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            validation={amountError ? 'error' : undefined}
            onChange={(e) => setAmount(e.target.value)}
          />
          {amountError && <Field.Message validation="error">{amountError}</Field.Message>}
        </Field>
      )}
      <Field>
        <Field.Label>Reason</Field.Label>
        <Select value={reasonCode} onChange={(e) => setReasonCode(e.target.value)}>
          {reasonCodes.map((reason) => (
            <option key={reason.code} value={reason.code}>
              {reason.label}
            </option>
          ))}
        </Select>
      </Field>
      <Field>
        <Field.Label>Note (optional)</Field.Label>
        <Field.Hint>Internal. No health details or card numbers.</Field.Hint>
        <Textarea value={note} maxLength={500} rows={2} onChange={(e) => setNote(e.target.value)} />
      </Field>
      {serverError !== undefined && <ErrorAlert title="Refund not requested" error={serverError} />}
      <div className="rd-actions">
        <Button type="submit" size="small" isPrimary disabled={busy || !reasonCode}>
          {busy ? 'Requesting…' : 'Request refund'}
        </Button>
        <Button type="button" size="small" isBasic onClick={onClose}>
          Close
        </Button>
      </div>
    </form>
  );
}
