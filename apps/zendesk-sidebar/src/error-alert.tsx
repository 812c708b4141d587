import { Alert } from '@zendeskgarden/react-notifications';
import { DeskApiError, describeError } from './desk-client';

/** A failed call: the server's message and its stable code, plus rule messages when a verdict came back. */
export function ErrorAlert({ title, error }: { readonly title: string; readonly error: unknown }) {
  const { message, code } = describeError(error);
  const reasons = verdictReasons(error);
  return (
    <Alert type="error" role="alert">
      <Alert.Title>{title}</Alert.Title>
      {message} <code>({code})</code>
      {reasons.length > 0 && (
        <ul>
          {reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
    </Alert>
  );
}

/** `not_refundable` carries the eligibility verdict in `details`: show its failing rules. */
function verdictReasons(error: unknown): string[] {
  if (!(error instanceof DeskApiError)) return [];
  const reasons = (error.details as { reasons?: unknown } | undefined)?.reasons;
  if (!Array.isArray(reasons)) return [];
  return reasons
    .filter((r): r is { outcome: string; message: string } => typeof r?.message === 'string')
    .filter((r) => r.outcome !== 'pass')
    .map((r) => r.message);
}
