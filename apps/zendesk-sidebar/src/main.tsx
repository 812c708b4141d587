import { createRoot } from 'react-dom/client';
import ZAFClient from 'zendesk_app_framework_sdk';
import { describeError } from './desk-client';
import { SidebarApp } from './sidebar-app';
import { createZafDeskClient, readDeskSession, type ZafClient } from './zaf-desk-client';

const container = document.getElementById('root');
if (!container) throw new Error('index.html lacks #root');
const root = createRoot(container);

// ZAFClient.init() answers false outside Zendesk (no origin / app_guid in the URL).
const client = ZAFClient.init() as ZafClient | false;
if (!client) {
  container.textContent = 'Refund Desk runs inside a Zendesk ticket sidebar (or the preview page of the sandbox).';
} else {
  // Render only once the host has registered the app: settings and context exist from then on.
  client.on('app.registered', () => {
    readDeskSession(client)
      .then((session) => root.render(<SidebarApp desk={createZafDeskClient(client, session)} />))
      .catch((error: unknown) => {
        const { message, code } = describeError(error);
        container.textContent = `${message} (${code})`;
        void client.invoke('resize', { width: '100%', height: '80px' });
      });
  });
}
