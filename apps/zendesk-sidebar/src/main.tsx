import { createRoot } from 'react-dom/client';
import ZAFClient from 'zendesk_app_framework_sdk';
import { type DeskClient, describeError } from './desk-client';
import { createSessionDeskClient, readServerSession } from './session-desk-client';
import { SidebarApp } from './sidebar-app';
import { createZafDeskClient, readDeskSession, type ZafClient } from './zaf-desk-client';

const container = document.getElementById('root');
if (!container) throw new Error('index.html lacks #root');
const root = createRoot(container);

/** Served by our server after Zendesk signed the agent in: its session; else an older install's secure requests. */
async function connect(client: ZafClient): Promise<DeskClient> {
  const session = readServerSession(document);
  if (!session) return createZafDeskClient(client, await readDeskSession(client));
  const data = await client.get(['ticket.id']);
  const ticketId = data['ticket.id'];
  if (ticketId === undefined || ticketId === null) throw new Error('Open a ticket to see its refunds.');
  return createSessionDeskClient(client, session, String(ticketId));
}

// ZAFClient.init() answers false outside Zendesk (no origin / app_guid in the URL).
const client = ZAFClient.init() as ZafClient | false;
if (!client) {
  container.textContent = 'Refund Desk runs inside a Zendesk ticket sidebar (or the preview page of the sandbox).';
} else {
  // Render only once the host has registered the app: settings and context exist from then on.
  client.on('app.registered', () => {
    connect(client)
      .then((desk) => root.render(<SidebarApp desk={desk} />))
      .catch((error: unknown) => {
        const { message, code } = describeError(error);
        container.textContent = `${message} (${code})`;
        void client.invoke('resize', { width: '100%', height: '80px' });
      });
  });
}
