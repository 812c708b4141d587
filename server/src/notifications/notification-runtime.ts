import type { NotifierChannels } from '../ports/notifier.js';

/** What the notification jobs and routes share: each organisation's channels and the public base URL. */
export interface NotificationRuntime {
  /** The organisation's SMS and email senders and webhook secrets (empty when none is configured). */
  channelsFor(orgId: string): Promise<NotifierChannels>;
  /** Base URL for links and callbacks, without a trailing slash: PUBLIC_URL, else the listening URL. */
  baseUrl(): string;
}
