import { Button } from '@zendeskgarden/react-buttons';
import { SM } from '@zendeskgarden/react-typography';
import { useState } from 'react';
import type { DeskClient } from './desk-client';
import { ErrorAlert } from './error-alert';
import { formatMinor } from './money-input';
import type { CaseSummary } from './sidebar-types';
import { CaseStateTag } from './state-tag';

export interface CaseListProps {
  readonly desk: DeskClient;
  readonly cases: readonly CaseSummary[];
  readonly canAct: boolean;
  readonly onChanged: () => void;
}

/** This ticket's cases, newest first, with live state and the actions this viewer may take. */
export function CaseList({ desk, cases, canAct, onChanged }: CaseListProps) {
  if (cases.length === 0) return <SM>No refund cases on this ticket yet.</SM>;
  return (
    <ul className="rd-cases" aria-live="polite">
      {cases.map((c) => (
        <CaseItem key={c.id} desk={desk} item={c} canAct={canAct} onChanged={onChanged} />
      ))}
    </ul>
  );
}

function CaseItem({
  desk,
  item,
  canAct,
  onChanged,
}: {
  readonly desk: DeskClient;
  readonly item: CaseSummary;
  readonly canAct: boolean;
  readonly onChanged: () => void;
}) {
  const [busy, setBusy] = useState<'approve' | 'cancel' | undefined>();
  const [error, setError] = useState<unknown>();

  async function run(action: 'approve' | 'cancel') {
    setBusy(action);
    setError(undefined);
    try {
      await (action === 'approve' ? desk.approve(item.id) : desk.cancel(item.id));
      onChanged();
    } catch (failure) {
      setError(failure);
      // Someone else may have decided meanwhile: show the current state beside the error.
      onChanged();
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <li className="rd-card" data-case-id={item.id} aria-label={`Case ${item.reference}`}>
      <div className="rd-row">
        <strong>{item.reference}</strong>
        <CaseStateTag state={item.state} />
      </div>
      <SM>
        {formatMinor(item.amount.minor, item.amount.currency)} · {item.reasonCode}
      </SM>
      {item.state === 'pending_approval' && item.requiredRole && <SM>Needs a {item.requiredRole} to approve.</SM>}
      {item.decidedBy && (
        <SM>
          Decided by {item.decidedBy}
          {item.decisionReason ? `: ${item.decisionReason}` : ''}
        </SM>
      )}
      {item.exceptionReason && <SM>Exception: {item.exceptionReason}</SM>}
      {item.gatewayRefundId && <SM>Gateway refund {item.gatewayRefundId}</SM>}
      {canAct && (item.actions.approve || item.actions.cancel) && (
        <div className="rd-actions">
          {item.actions.approve && (
            <Button size="small" isPrimary disabled={busy !== undefined} onClick={() => void run('approve')}>
              {busy === 'approve' ? 'Approving…' : 'Approve'}
            </Button>
          )}
          {item.actions.cancel && (
            <Button size="small" isDanger disabled={busy !== undefined} onClick={() => void run('cancel')}>
              {busy === 'cancel' ? 'Cancelling…' : 'Cancel request'}
            </Button>
          )}
        </div>
      )}
      {error !== undefined && <ErrorAlert title="Action failed" error={error} />}
    </li>
  );
}
