import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { assertTransition, CASE_STATES, type CaseState, canTransition, isTerminal } from './case-states.js';

const LEGAL: ReadonlyArray<[CaseState, CaseState]> = [
  ['requested', 'pending_approval'],
  ['requested', 'approved'],
  ['requested', 'exception'],
  ['pending_approval', 'approved'],
  ['pending_approval', 'denied'],
  ['pending_approval', 'cancelled'],
  ['pending_approval', 'expired'],
  ['approved', 'executing'],
  ['executing', 'succeeded'],
  ['executing', 'failed'],
  ['failed', 'exception'],
  ['exception', 'retried'],
  ['exception', 'resolved_manually'],
];

describe('case state machine', () => {
  it('allows exactly the documented transitions', () => {
    for (const from of CASE_STATES) {
      for (const to of CASE_STATES) {
        const legal = LEGAL.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(legal);
      }
    }
  });

  it('refuses an illegal move with illegal_transition naming both states', () => {
    try {
      assertTransition('denied', 'approved');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('illegal_transition');
      expect((error as AppError).details).toEqual({ from: 'denied', to: 'approved' });
    }
    expect(() => assertTransition('succeeded', 'failed')).toThrow(/succeeded cannot become failed/);
  });

  it('knows which states are final', () => {
    const terminal = CASE_STATES.filter(isTerminal);
    expect(terminal.sort()).toEqual(['cancelled', 'denied', 'expired', 'resolved_manually', 'retried', 'succeeded']);
  });
});
