import { Button } from '@zendeskgarden/react-buttons';
import { Dots } from '@zendeskgarden/react-loaders';
import { Well } from '@zendeskgarden/react-notifications';
import { Tag } from '@zendeskgarden/react-tags';
import { DEFAULT_THEME, ThemeProvider } from '@zendeskgarden/react-theming';
import { SM } from '@zendeskgarden/react-typography';
import { useCallback, useEffect, useId, useRef } from 'react';
import { CaseList } from './case-list';
import type { DeskClient } from './desk-client';
import { ErrorAlert } from './error-alert';
import { PaymentCard } from './payment-card';
import { SidebarStyles } from './sidebar-styles';
import type { SidebarView } from './sidebar-types';
import { POLL_INTERVAL_MS, useSidebarView } from './use-sidebar-view';

export interface SidebarAppProps {
  readonly desk: DeskClient;
  /** Poll interval while a case is live (tests shorten it). */
  readonly pollMs?: number;
}

/** The ticket sidebar: who the requester is to us, what they paid and can get back, and this ticket's cases. */
export function SidebarApp({ desk, pollMs = POLL_INTERVAL_MS }: SidebarAppProps) {
  const { state, reload, retry } = useSidebarView(desk, pollMs);
  const root = useRef<HTMLDivElement>(null);
  const reported = useRef(-1);

  // Zendesk sizes the iframe, not the content: report the content's height whenever it changes —
  // after a render, and on any change of size without one (a <details> unfolding, styles or fonts
  // arriving), which is what ResizeObserver sees. Unchanged heights are not sent again.
  const reportHeight = useCallback(() => {
    const element = root.current;
    if (!element) return;
    const height = Math.ceil(Math.max(element.getBoundingClientRect().height, element.scrollHeight));
    if (height === reported.current) return;
    reported.current = height;
    desk.resize(height);
  }, [desk]);
  useEffect(() => {
    reportHeight();
  });
  useEffect(() => {
    const element = root.current;
    if (!element || typeof ResizeObserver !== 'function') return;
    const observer = new ResizeObserver(() => reportHeight());
    observer.observe(element);
    return () => observer.disconnect();
  }, [reportHeight]);

  return (
    <ThemeProvider theme={DEFAULT_THEME}>
      <SidebarStyles />
      <main className="rd-root" ref={root} aria-busy={state.status === 'loading'}>
        {state.status === 'loading' && (
          <output className="rd-row">
            <Dots size={24} aria-hidden="true" />
            <SM>Loading refund details…</SM>
          </output>
        )}
        {state.status === 'error' && (
          <>
            <ErrorAlert title="Could not load refunds" error={state.error} />
            <div>
              <Button size="small" onClick={retry}>
                Try again
              </Button>
            </div>
          </>
        )}
        {state.status === 'ready' && (
          <ReadyView desk={desk} view={state.view} pollError={state.pollError} onChanged={() => void reload()} />
        )}
      </main>
    </ThemeProvider>
  );
}

function ReadyView({
  desk,
  view,
  pollError,
  onChanged,
}: {
  readonly desk: DeskClient;
  readonly view: SidebarView;
  readonly pollError: unknown;
  readonly onChanged: () => void;
}) {
  const canAct = !view.viewer.readOnly;
  const ids = useId();
  return (
    <>
      <section aria-labelledby={`${ids}-customer`}>
        <h2 id={`${ids}-customer`}>Customer</h2>
        {view.customer ? (
          <div className="rd-row">
            <span>
              <strong>{view.customer.name ?? view.customer.email ?? 'Unnamed customer'}</strong>
              {view.customer.email && <SM>{view.customer.email}</SM>}
            </span>
            {view.customer.match === 'email_only' ? (
              <Tag hue="yellow" size="small" title="Matched by email address only">
                <span>unverified</span>
              </Tag>
            ) : (
              <Tag hue="green" size="small">
                <span>verified</span>
              </Tag>
            )}
          </div>
        ) : (
          <Well isRecessed>
            <SM>
              No customer in Refund Desk matches {view.requester.email ?? view.requester.name ?? 'this requester'}.
            </SM>
          </Well>
        )}
        {view.viewer.readOnly && (
          <Well>
            <SM>View only: your Zendesk user is not linked to a Refund Desk staff member.</SM>
          </Well>
        )}
        {!view.viewer.verified && !view.viewer.readOnly && (
          <Well>
            <SM>
              This installation of the app cannot prove who you are: you can request refunds, and they are approved in
              Slack, Teams or the staff app. Ask an admin to update the Refund Desk app in Zendesk.
            </SM>
          </Well>
        )}
      </section>
      {pollError !== undefined && <ErrorAlert title="Status may be out of date" error={pollError} />}
      <section aria-labelledby={`${ids}-payments`}>
        <h2 id={`${ids}-payments`}>Payments</h2>
        {view.payments.length === 0 ? (
          <SM>No payments found for this requester.</SM>
        ) : (
          view.payments.map((payment) => (
            <PaymentCard
              key={payment.id}
              desk={desk}
              payment={payment}
              reasonCodes={view.reasonCodes}
              canAct={canAct}
              onRequested={onChanged}
            />
          ))
        )}
      </section>
      <section aria-labelledby={`${ids}-cases`}>
        <h2 id={`${ids}-cases`}>Refund cases</h2>
        <CaseList desk={desk} cases={view.cases} canAct={canAct} onChanged={onChanged} />
      </section>
    </>
  );
}
