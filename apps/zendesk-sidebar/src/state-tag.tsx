import { Tag } from '@zendeskgarden/react-tags';
import type { CaseState, Verdict } from './sidebar-types';

type Hue = 'green' | 'yellow' | 'red' | 'grey' | 'blue' | 'kale';

const CASE_HUES: Readonly<Record<CaseState, Hue>> = {
  requested: 'blue',
  pending_approval: 'yellow',
  approved: 'blue',
  executing: 'blue',
  succeeded: 'green',
  failed: 'red',
  exception: 'red',
  denied: 'grey',
  cancelled: 'grey',
  expired: 'grey',
  retried: 'grey',
  resolved_manually: 'kale',
};

const VERDICT_HUES: Readonly<Record<Verdict, Hue>> = {
  eligible: 'green',
  review: 'yellow',
  exception: 'red',
  ineligible: 'red',
};

/** A case state as a coloured tag; the text is the state itself (tests and agents read it). */
export function CaseStateTag({ state }: { readonly state: CaseState }) {
  return (
    <Tag hue={CASE_HUES[state]} size="small" data-testid="case-state">
      <span>{state.replaceAll('_', ' ')}</span>
    </Tag>
  );
}

/** An eligibility verdict as a coloured tag. */
export function VerdictTag({ verdict }: { readonly verdict: Verdict }) {
  return (
    <Tag hue={VERDICT_HUES[verdict]} size="small">
      <span>{verdict}</span>
    </Tag>
  );
}
