import { AppError } from '../errors/app-error.js';

export const CASE_STATES = [
  'requested',
  'pending_approval',
  'approved',
  'denied',
  'cancelled',
  'expired',
  'executing',
  'succeeded',
  'failed',
  'exception',
  'retried',
  'resolved_manually',
] as const;

export type CaseState = (typeof CASE_STATES)[number];

/** Every legal move of a refund case. Anything else is an error, never silently ignored. */
const TRANSITIONS: Readonly<Record<CaseState, readonly CaseState[]>> = {
  requested: ['pending_approval', 'approved', 'exception'],
  pending_approval: ['approved', 'denied', 'cancelled', 'expired'],
  approved: ['executing'],
  executing: ['succeeded', 'failed'],
  failed: ['exception'],
  exception: ['retried', 'resolved_manually'],
  denied: [],
  cancelled: [],
  expired: [],
  succeeded: [],
  retried: [],
  resolved_manually: [],
};

/** States in which a case still holds its payment (blocks another case for the same payment or ticket). */
export const OPEN_STATES: readonly CaseState[] = ['requested', 'pending_approval', 'approved', 'executing', 'failed'];

export function isTerminal(state: CaseState): boolean {
  return TRANSITIONS[state].length === 0;
}

export function canTransition(from: CaseState, to: CaseState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: CaseState, to: CaseState): void {
  if (!canTransition(from, to)) {
    throw new AppError('illegal_transition', `a case that is ${from} cannot become ${to}`, { from, to });
  }
}

export function isCaseState(value: string): value is CaseState {
  return (CASE_STATES as readonly string[]).includes(value);
}
