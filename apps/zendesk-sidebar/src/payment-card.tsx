import { Button } from '@zendeskgarden/react-buttons';
import { Tag } from '@zendeskgarden/react-tags';
import { SM } from '@zendeskgarden/react-typography';
import { useEffect, useRef, useState } from 'react';
import type { DeskClient } from './desk-client';
import { formatMinor } from './money-input';
import { RefundForm } from './refund-form';
import type { CaseSummary, SidebarPayment, SidebarView } from './sidebar-types';
import { VerdictTag } from './state-tag';

const OUTCOME_MARK = { pass: '✓', review: '?', exception: '!', fail: '✕' } as const;

/** "Visa ·· 4242", or the method type, or nothing known. */
export function describeMethod(method: SidebarPayment['method']): string {
  const brand = method.brand ? method.brand[0]?.toUpperCase() + method.brand.slice(1) : null;
  if (brand && method.last4) return `${brand} ·· ${method.last4}`;
  if (method.last4) return `·· ${method.last4}`;
  return brand ?? method.type ?? 'unknown method';
}

export interface PaymentCardProps {
  readonly desk: DeskClient;
  readonly payment: SidebarPayment;
  readonly reasonCodes: SidebarView['reasonCodes'];
  readonly canAct: boolean;
  readonly onRequested: (created: CaseSummary) => void;
}

/** One payment: amount, refundable, method, verdict with reasons, and the request form on demand. */
export function PaymentCard({ desk, payment, reasonCodes, canAct, onRequested }: PaymentCardProps) {
  const [open, setOpen] = useState(false);
  const requestButton = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  // Closing the form removes the focused element: give focus back to the button that opened it.
  useEffect(() => {
    if (wasOpen.current && !open) requestButton.current?.focus();
    wasOpen.current = open;
  }, [open]);
  const headingId = `payment-${payment.id}`;
  const { pending } = payment;
  const refundable = payment.refundable.minor > 0 && !pending;
  // a pending case is shown as itself, not as a refusal of a request nobody made
  const reasons = pending
    ? payment.eligibility.reasons.filter((r) => r.rule !== 'no_open_case')
    : payment.eligibility.reasons;
  return (
    <article className="rd-card" aria-labelledby={headingId} data-reference={payment.reference}>
      <div className="rd-row">
        <strong id={headingId}>{formatMinor(payment.amount.minor, payment.amount.currency)}</strong>
        {pending ? (
          <Tag hue="yellow" size="small" data-testid="payment-pending">
            <span>refund pending</span>
          </Tag>
        ) : (
          <VerdictTag verdict={payment.eligibility.outcome} />
        )}
      </div>
      <SM>
        {describeMethod(payment.method)} · {payment.gateway} · {payment.capturedAt.slice(0, 10)}
      </SM>
      <SM data-testid="payment-refundable">
        Refundable: <strong>{formatMinor(payment.refundable.minor, payment.refundable.currency)}</strong>
        {pending && ` (${formatMinor(pending.amount.minor, pending.amount.currency)} pending)`}
      </SM>
      {pending?.cases.map((c) => (
        <SM key={c.id} data-testid="pending-case">
          {c.reference}: {formatMinor(c.amount.minor, c.amount.currency)} {c.state.replaceAll('_', ' ')}
        </SM>
      ))}
      <ReasonList reasons={reasons} />
      {canAct && refundable && !open && (
        <Button ref={requestButton} size="small" onClick={() => setOpen(true)} aria-describedby={headingId}>
          Request refund
        </Button>
      )}
      {canAct && open && (
        <RefundForm
          desk={desk}
          payment={payment}
          reasonCodes={reasonCodes}
          onClose={() => setOpen(false)}
          onDone={(created) => {
            setOpen(false);
            onRequested(created);
          }}
        />
      )}
    </article>
  );
}

type Reasons = SidebarPayment['eligibility']['reasons'];

/** What stands in the way first; the passed checks folded away (a 320 px sidebar is short on room). */
function ReasonList({ reasons }: { readonly reasons: Reasons }) {
  const open = reasons.filter((r) => r.outcome !== 'pass');
  const passed = reasons.filter((r) => r.outcome === 'pass');
  return (
    <>
      {open.length > 0 && <Reasons label="Eligibility reasons" reasons={open} />}
      {passed.length > 0 && (
        <details>
          <summary>
            {passed.length} {passed.length === 1 ? 'check' : 'checks'} passed
          </summary>
          <Reasons label="Passed checks" reasons={passed} />
        </details>
      )}
    </>
  );
}

function Reasons({ label, reasons }: { readonly label: string; readonly reasons: Reasons }) {
  return (
    <ul className="rd-reasons" aria-label={label}>
      {reasons.map((reason) => (
        <li key={reason.rule} data-outcome={reason.outcome}>
          <span aria-hidden="true">{OUTCOME_MARK[reason.outcome]} </span>
          <span className="rd-visually-hidden">{reason.outcome}: </span>
          {reason.message}
        </li>
      ))}
    </ul>
  );
}
