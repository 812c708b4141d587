import { createRoot, type Root } from 'react-dom/client';
import type { DeskClient } from '../desk-client';
import { SidebarApp } from '../sidebar-app';

const mounted: Array<{ root: Root; container: HTMLElement }> = [];

/**
 * Renders the sidebar with this app's React 18 (@testing-library/react would bring the
 * workspace root's React 19). Query with @testing-library/dom's `screen`.
 */
export function renderSidebar(desk: DeskClient, pollMs?: number): HTMLElement {
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  root.render(<SidebarApp desk={desk} {...(pollMs === undefined ? {} : { pollMs })} />);
  mounted.push({ root, container });
  return container;
}

/** Unmounts everything rendered by `renderSidebar` (call in afterEach). */
export function unmountAll(): void {
  for (const { root, container } of mounted.splice(0)) {
    root.unmount();
    container.remove();
  }
}
