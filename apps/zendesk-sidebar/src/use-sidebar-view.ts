import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeskClient } from './desk-client';
import { FINAL_STATES, type SidebarView } from './sidebar-types';

/** How often the view is re-read while a case of the ticket can still change. */
export const POLL_INTERVAL_MS = 5_000;

export type ViewState =
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly error: unknown }
  | { readonly status: 'ready'; readonly view: SidebarView; readonly pollError: unknown };

/** True while any case can still change state (so its status is worth polling). */
export function hasLiveCases(view: SidebarView): boolean {
  return view.cases.some((c) => !FINAL_STATES.has(c.state));
}

/**
 * Loads the ticket's view, then re-reads it every `pollMs` while a case is not final. A failed
 * poll keeps the last view on screen (with the error) rather than blanking the sidebar.
 */
export function useSidebarView(desk: DeskClient, pollMs = POLL_INTERVAL_MS) {
  const [state, setState] = useState<ViewState>({ status: 'loading' });
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const view = await desk.loadView();
      if (mine === generation.current) setState({ status: 'ready', view, pollError: undefined });
    } catch (error) {
      if (mine !== generation.current) return;
      setState((previous) =>
        previous.status === 'ready' ? { ...previous, pollError: error } : { status: 'error', error },
      );
    }
  }, [desk]);

  const retry = useCallback(() => {
    setState({ status: 'loading' });
    void reload();
  }, [reload]);

  useEffect(() => {
    void reload();
    const unsubscribe = desk.onTicketChanged(() => void reload());
    return () => {
      unsubscribe();
      generation.current++;
    };
  }, [desk, reload]);

  const live = state.status === 'ready' && (hasLiveCases(state.view) || state.pollError !== undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `state` re-arms the timer after each poll's answer
  useEffect(() => {
    if (!live) return;
    const timer = setTimeout(() => void reload(), pollMs);
    return () => clearTimeout(timer);
  }, [live, state, pollMs, reload]);

  return { state, reload, retry };
}
