import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { FaultQueue } from '../gateway-sandbox.js';
import type { PayPalWebhookSigner } from './paypal-sandbox-signer.js';
import type { PayPalSandboxStore, StoredCapture, StoredRefund } from './paypal-sandbox-store.js';

/** A remembered `PayPal-Request-Id`: what it was for and what was answered. */
export interface IdempotencyRecord {
  readonly fingerprint: string;
  state: 'in_progress' | 'done';
  refundId?: string | undefined;
  status?: number | undefined;
  body?: string | undefined;
}

/** What the vendor routes share with the sandbox object. */
export interface PayPalSandboxContext {
  readonly store: PayPalSandboxStore;
  readonly signer: PayPalWebhookSigner;
  readonly faults: FaultQueue;
  readonly idempotency: Map<string, IdempotencyRecord>;
  readonly credentials: Readonly<Record<string, string>> | undefined;
  readonly issuedTokens: Set<string>;
  /** Called after a refund is created or changes state: webhook, scheduled failure. */
  onRefundChanged(refund: StoredRefund, capture: StoredCapture): void;
  onCaptureCompleted(capture: StoredCapture): void;
}

/** Bearer check like PayPal's; with no configured credentials every caller is accepted. */
export function isAuthorized(ctx: PayPalSandboxContext, c: Context): boolean {
  if (!ctx.credentials) return true;
  const header = c.req.header('authorization') ?? '';
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  return ctx.issuedTokens.has(token);
}

/** The Node request behind a Hono context, when served by @hono/node-server. */
export function nodeIncoming(c: Context): IncomingMessage | undefined {
  const env = c.env as { incoming?: IncomingMessage } | undefined;
  return env?.incoming;
}

/** Holds a request until its connection closes (client timeout or server shutdown). */
export function holdUntilClosed(c: Context): Promise<void> {
  return new Promise((resolve) => {
    const socket = nodeIncoming(c)?.socket;
    if (socket && !socket.destroyed) socket.once('close', () => resolve());
    else if (socket) resolve();
    c.req.raw.signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
